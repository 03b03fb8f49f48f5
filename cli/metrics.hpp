// How the commands print a voice's NLL and accuracy.
#pragma once

#include <deepbach/model.hpp>

#include <fmt/format.h>

#include <string>

namespace deepbach::cli {

inline std::string format_metrics(const VoiceMetrics& m) {
    return fmt::format("nll {:.4f}  acc {:.4f}  onset nll {:.4f}  onset acc {:.4f}  ({} targets)", m.nll,
                       m.accuracy, m.onset_nll, m.onset_accuracy, m.targets);
}

}  // namespace deepbach::cli
