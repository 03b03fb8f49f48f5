// How the commands print a voice's NLL and accuracy.
#pragma once

#include <deepbach/model.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <string>

namespace deepbach::cli {

inline std::string format_metrics(const VoiceMetrics& m) {
    return fmt::format("nll {:.4f}  acc {:.4f}  onset nll {:.4f}  onset acc {:.4f}  ({} targets)", m.nll,
                       m.accuracy, m.onset_nll, m.onset_accuracy, m.targets);
}

inline nlohmann::json metrics_json(int voice, const VoiceMetrics& m) {
    return {{"voice", voice_name(voice)},
            {"nll", m.nll},
            {"accuracy", m.accuracy},
            {"onset_nll", m.onset_nll},
            {"onset_accuracy", m.onset_accuracy},
            {"targets", m.targets},
            {"onset_targets", m.onset_targets}};
}

}  // namespace deepbach::cli
