// deepbach evaluate: NLL and accuracy of a model per voice on chorales, with
// the Eigen engine (no LibTorch needed).
#include "commands.hpp"
#include "metrics.hpp"
#include "progress.hpp"

#include "nn/evaluate.hpp"

#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

namespace deepbach::cli {

namespace {

namespace fs = std::filesystem;

// The chorales of the given files and folders (a folder: its MusicXML files,
// sorted), encoded with the model's vocabularies; a chorale that cannot be
// read or encoded is skipped with a warning naming it.
std::vector<nn::EncodedChorale> encode_inputs(const std::vector<std::string>& inputs, const Model& model,
                                              int& skipped) {
    const std::vector<fs::path> files = score_files({inputs.begin(), inputs.end()});
    std::vector<nn::EncodedChorale> out;
    TerminalProgress progress("reading chorales");
    auto cb = progress.callback();
    for (size_t i = 0; i < files.size(); ++i) {
        cb(i, files.size(), files[i].filename().string());
        try {
            out.push_back(nn::encode_chorale(to_chorale(read_score(files[i])), model.vocabularies));
        } catch (const Cancelled&) {
            throw;
        } catch (const Error& e) {
            ++skipped;
            progress.finish();
            std::cerr << "deepbach: warning: skipped: " << e.what() << "\n";
        }
    }
    return out;
}

struct EvaluateArgs {
    std::string model;
    std::vector<std::string> inputs;
    bool json = false;
    int threads = 0;
};

int run_evaluate(const EvaluateArgs& a) {
    const Model model = Model::load(a.model);
    int skipped = 0;
    const auto chorales = encode_inputs(a.inputs, model, skipped);
    if (chorales.empty()) throw Error("no chorale to evaluate");
    const nn::InferenceEngine engine(model, a.threads);
    TerminalProgress line("evaluating");
    const auto metrics = nn::evaluate(engine, model, chorales, line.callback());
    line.finish();
    double mean = 0, onset_mean = 0;
    for (const auto& m : metrics) {
        mean += m.nll / kNumVoices;
        onset_mean += m.onset_nll / kNumVoices;
    }
    if (a.json) {
        nlohmann::json out{{"model", a.model},
                           {"mode", to_string(model.config.mode)},
                           {"chorales", chorales.size()},
                           {"skipped", skipped},
                           {"mean_nll", mean},
                           {"mean_onset_nll", onset_mean},
                           {"voices", nlohmann::json::array()}};
        for (int v = 0; v < kNumVoices; ++v)
            out["voices"].push_back(metrics_json(v, metrics[static_cast<size_t>(v)]));
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("model:    {} ({} mode)\n", a.model, to_string(model.config.mode));
    fmt::print("chorales: {} ({} skipped)\n", chorales.size(), skipped);
    for (int v = 0; v < kNumVoices; ++v)
        fmt::print("{:<8}  {}\n", voice_name(v), format_metrics(metrics[static_cast<size_t>(v)]));
    fmt::print("mean nll: {:.4f} (onsets {:.4f})\n", mean, onset_mean);
    return 0;
}

}  // namespace

void add_evaluate_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("evaluate", "NLL and accuracy of a model per voice on chorales");
    auto a = std::make_shared<EvaluateArgs>();
    cmd->add_option("--model", a->model, "Model file (.safetensors)")->required();
    cmd->add_option("FILES_OR_DIR", a->inputs, "Chorale files or folders of them")->required();
    cmd->add_flag("--json", a->json, "Print one JSON object with the figures of the four voices");
    cmd->add_option("--threads", a->threads, "Threads (0: all cores)")->capture_default_str();
    cmd->callback([&action, a] { action = [a] { return run_evaluate(*a); }; });
}

}  // namespace deepbach::cli
