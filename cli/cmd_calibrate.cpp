// deepbach calibrate: fit a model's relational potentials so that what its
// sampler writes has Bach's relational statistics (deepbach/calibrate.hpp,
// docs/training.md "Calibration"). The Eigen engine only: no LibTorch needed.
#include "commands.hpp"

#include <deepbach/calibrate.hpp>
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/model.hpp>

#include <fmt/format.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace deepbach::cli {

namespace {

struct CalibrateArgs {
    std::string model;  ///< empty: the shipped model
    std::string corpus;
    std::string out;
    std::string seed;
    double time_limit_minutes = 0;
    std::vector<std::string> voices;  ///< empty: all four
    bool float16 = false;
    CalibrationOptions options;
};

int run_calibrate(const CalibrateArgs& a) {
    CalibrationOptions o = a.options;
    o.corpus = a.corpus;
    if (!a.seed.empty()) o.seed = parse_seed("seed", a.seed);
    if (!a.voices.empty()) {
        o.voices = {false, false, false, false};
        // Repeated, or a comma list: --voices alto,tenor,bass.
        for (const auto& list : a.voices) {
            std::size_t from = 0;
            while (from <= list.size()) {
                const std::size_t comma = std::min(list.find(',', from), list.size());
                o.voices[static_cast<std::size_t>(parse_voice(list.substr(from, comma - from)))] = true;
                from = comma + 1;
            }
        }
    }
    check_non_negative("time limit", a.time_limit_minutes, "30");
    o.time_limit_seconds = a.time_limit_minutes * 60;
    validate(o);
    const std::string model_path = a.model.empty() ? default_model_path().string() : a.model;
    Model model = Model::load(model_path);
    const bool terminal = ::isatty(STDERR_FILENO) == 1;
    const CalibrationRecord r = calibrate_relations(model, o, [&](const CalibrationProgress& p) {
        if (terminal)
            std::cerr << fmt::format(
                "calibrate: round {}/{}: parallels {:.2f} per chorale (Bach {:.2f}), out of key {:.1f} "
                "({:.1f}), generated: {:.2f} parallels per 100 events, feature distance {:.3f}, {:.0f} s\n",
                p.round, p.rounds, p.parallels, p.bach_parallels, p.out_of_key, p.bach_out_of_key,
                p.generated_parallels, p.distance, p.seconds);
        return true;
    });
    model.save(a.out, a.float16);
    std::cout << fmt::format(
        "calibrated {} -> {}: {} rounds, {} harmonizations, {} generated, {:.0f} s\n"
        "first round: parallels {:.2f} per chorale (Bach {:.2f}), out of key {:.1f} ({:.1f}), distance "
        "{:.3f}\n"
        "last round:  parallels {:.2f} per chorale (Bach {:.2f}), out of key {:.1f} ({:.1f}), distance "
        "{:.3f}\n"
        "validation NLL {:.3f} (mean of the four voices)\n",
        model_path, a.out, r.rounds, r.chorales, r.generated, r.seconds, r.first.parallels,
        r.first.bach_parallels, r.first.out_of_key, r.first.bach_out_of_key, r.first.distance,
        r.last.parallels, r.last.bach_parallels, r.last.out_of_key, r.last.bach_out_of_key, r.last.distance,
        r.validation_nll);
    return 0;
}

}  // namespace

void add_calibrate_command(CLI::App& app, Action& action) {
    auto a = std::make_shared<CalibrateArgs>();
    auto& o = a->options;
    CLI::App* cmd = app.add_subcommand(
        "calibrate",
        "Fit a model's relational potentials so that its sampler writes Bach's intervals, motions and "
        "pitch classes on the training sopranos (no LibTorch needed)");
    cmd->add_option("--model", a->model, "Model to calibrate (default: the shipped model)");
    cmd->add_option("--corpus", a->corpus, "Folder of Bach's chorales (its training split is used)")
        ->required();
    cmd->add_option("--out", a->out, "Model file to write")->required();
    cmd->add_option("--rounds", o.rounds, "Rounds of harmonize, count, update")->capture_default_str();
    cmd->add_option("--batch", o.batch, "Training sopranos harmonized per round")->capture_default_str();
    cmd->add_option("--step", o.step, "Step of generalized iterative scaling")->capture_default_str();
    cmd->add_option("--smoothing", o.smoothing, "Counts added to both sides of each ratio")
        ->capture_default_str();
    cmd->add_option("--average", o.average, "Share of the last rounds whose tables are averaged (0..1)")
        ->capture_default_str();
    cmd->add_option("--sweeps", o.sweeps, "The sampler's sweeps (0: the default)")->capture_default_str();
    cmd->add_option("--positions", o.positions, "The sampler's cells per voice and pass (0: the default)")
        ->capture_default_str();
    cmd->add_option("--temperature", o.temperature, "The sampler's temperature")->capture_default_str();
    cmd->add_option("--voices", a->voices,
                    "The tables to fit (soprano, alto, tenor, bass; default all four: the soprano's on "
                    "generated chorales, the others on harmonizations)");
    cmd->add_option("--generate-bars", o.generate_bars,
                    "Bars of each generated chorale (the soprano's table)")
        ->capture_default_str();
    cmd->add_flag("--generated-lower", o.generated_lower,
                  "Fit the alto, tenor and bass tables on generated chorales too, beside the harmonizations");
    cmd->add_flag("--leaps", o.leaps,
                  "First refine the tables into five motion classes (a step or a leap each way), with the "
                  "same values; the model file then has the larger tables");
    cmd->add_flag("--melody", o.melody,
                  "First give the tables each voice's own line (melodic moves in the key, rhythms), all "
                  "zero, and fit them too; the model file then has the larger tables");
    cmd->add_option("--seed", a->seed, "Seed of the batches and the sampling (default 1)");
    cmd->add_option("--threads", o.threads, "Harmonizations in parallel (0: all cores)")
        ->capture_default_str();
    cmd->add_option("--time-limit", a->time_limit_minutes,
                    "Stop after the round that ends past this many "
                    "minutes (0: no bound)")
        ->capture_default_str();
    cmd->add_flag("--float16", a->float16, "Store the weights as float16");
    cmd->callback([&action, a] { action = [a] { return run_calibrate(*a); }; });
}

}  // namespace deepbach::cli
