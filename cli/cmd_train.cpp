// deepbach train: the command that needs LibTorch (compiled only when the deepbach_torch target exists).
#include "commands.hpp"
#include "metrics.hpp"
#include "progress.hpp"

#include <deepbach/train.hpp>

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>

namespace deepbach::cli {

namespace {

namespace fs = std::filesystem;

struct TrainArgs {
    TrainOptions options;
    // Defaults: TrainOptions{}'s (the Python package's too).
    std::string corpus, out, mode = to_string(TrainOptions{}.config.mode),
                             device = to_string(TrainOptions{}.device);
    double time_limit_minutes = 0;
};

int run_train(TrainArgs args) {
    TrainOptions& o = args.options;
    o.corpus = args.corpus;
    o.out = args.out;
    o.time_limit_seconds = args.time_limit_minutes * 60;
    o.config.mode = parse_context_mode(args.mode);
    o.device = parse_device(args.device);
    if (o.mask > 0) o.config.mask = true;
    TerminalProgress line("training");
    auto render = line.callback();
    int last_validated = 0;
    const TrainingRecord record = train_model(o, [&](const TrainProgress& p) {
        using Phase = TrainProgress::Phase;
        if (p.phase == Phase::loading)
            return render(static_cast<size_t>(p.step), static_cast<size_t>(p.total_steps), p.message);
        if (p.phase == Phase::training && p.message.rfind("epoch ", 0) == 0 && p.epoch != last_validated) {
            last_validated = p.epoch;
            line.finish();
            for (int v = 0; v < kNumVoices; ++v)
                std::cerr << fmt::format("epoch {} step {} {:<8} {}\n", p.epoch, p.step, voice_name(v),
                                         format_metrics(p.validation[static_cast<size_t>(v)]));
            if (p.monitor_chorales > 0)
                std::cerr << fmt::format(
                    "epoch {} step {} parallel mass at Bach's validation contexts {:.4f}; model alone on {} "
                    "validation sopranos (8 bars): {:.2f} parallel fifths+octaves per chorale, parallel mass "
                    "at its contexts {:.4f}\n",
                    p.epoch, p.step, p.monitor_mass_bach, p.monitor_chorales, p.monitor_parallels,
                    p.monitor_mass_own);
            return true;
        }
        if (p.phase == Phase::training && p.message.rfind("resuming", 0) == 0) {
            line.finish();
            std::cerr << p.message << "\n";
            return true;
        }
        const std::string what = fmt::format("ep {}/{} loss {:.3f} acc {:.3f} {:.0f}/s", p.epoch, p.epochs,
                                             p.loss, p.accuracy, p.samples_per_s);
        return render(static_cast<size_t>(p.step), static_cast<size_t>(p.total_steps), what);
    });
    line.finish();
    fmt::print("model:    {}\n", args.out);
    fmt::print("device:   {}\n", record.device);
    fmt::print("epochs:   {}  steps: {}  wall: {:.1f} s\n", record.epochs, record.steps, record.wall_seconds);
    for (int v = 0; v < kNumVoices; ++v)
        fmt::print("{:<8}  {}\n", voice_name(v), format_metrics(record.validation[static_cast<size_t>(v)]));
    return 0;
}

}  // namespace

void add_train_commands(CLI::App& app, Action& action) {
    // deepbach train
    {
        auto* cmd =
            app.add_subcommand("train", "Train the four voice networks on a folder of chorales (LibTorch)");
        auto a = std::make_shared<TrainArgs>();
        auto& o = a->options;
        auto& c = o.config;
        cmd->add_option("--corpus", a->corpus, "Folder of MusicXML chorales")->required();
        cmd->add_option("--out", a->out,
                        "Model file to write (the best checkpoint); OUT.resume holds the last")
            ->required();
        cmd->add_option("--mode", a->mode, "Context mode: full (whole-chorale LSTMs) or window (DeepBach's)")
            ->capture_default_str();
        cmd->add_option("--epochs", o.epochs, "Epochs (an epoch: as many targets as training ticks)")
            ->capture_default_str();
        cmd->add_option("--max-steps", o.max_steps, "Stop after this many steps per voice (0: no bound)")
            ->capture_default_str();
        cmd->add_option("--time-limit", a->time_limit_minutes,
                        "Stop after this many minutes of training, validating and saving first (0: no bound)")
            ->capture_default_str();
        cmd->add_option("--batch-size", o.batch_size, "Window mode: targets per step")->capture_default_str();
        cmd->add_option("--batch-sequences", o.batch_sequences, "Full mode: whole sequences per step")
            ->capture_default_str();
        cmd->add_option("--learning-rate", o.learning_rate, "Adam learning rate")->capture_default_str();
        cmd->add_option("--device", a->device, "auto, cpu or cuda")->capture_default_str();
        cmd->add_option("--seed", o.seed, "Seed of the split, the weights, the batches and dropout")
            ->capture_default_str();
        cmd->add_option("--threads", o.threads, "LibTorch threads (0: its default)")->capture_default_str();
        cmd->add_flag("--resume", o.resume, "Continue from OUT.resume when it exists");
        cmd->add_flag("--float16", o.float16, "Store the weights as float16");
        cmd->add_option("--validation-targets", o.validation_targets,
                        "Window mode: validation targets per voice (0: all)")
            ->capture_default_str();
        cmd->add_option("--cache-dir", o.cache_dir, "Dataset cache folder");
        cmd->add_option("--note-embedding", c.note_embedding)->capture_default_str();
        cmd->add_option("--meta-embedding", c.meta_embedding)->capture_default_str();
        cmd->add_option("--lstm-hidden", c.lstm_hidden)->capture_default_str();
        cmd->add_option("--lstm-layers", c.lstm_layers)->capture_default_str();
        cmd->add_option("--dropout", c.dropout)->capture_default_str();
        cmd->add_option("--mlp-hidden", c.mlp_hidden)->capture_default_str();
        cmd->add_option("--window-past", c.window_past)->capture_default_str();
        cmd->add_option("--window-future", c.window_future)->capture_default_str();
        cmd->add_flag(
            "--shared-pitch", c.shared_pitch,
            "Add a pitch embedding shared by the voices (MIDI number) to each voice's token embedding");
        cmd->add_flag(
            "--relational", c.relational,
            "Full mode: add relational potentials, learned logits for each candidate's intervals and "
            "motion against the other voices and its pitch class in the key");
        cmd->add_flag("--relational-leaps", c.relational_leaps,
                      "With --relational: five motion classes (a step or a leap each way) instead of three");
        cmd->add_flag("--relational-melody", c.relational_melody,
                      "With --relational: each voice's own line too (melodic moves in the key, rhythms)");
        cmd->add_flag("--relational-only", o.relational_only,
                      "With --relational and --init: learn only the relational potentials, keeping the "
                      "networks of --init");
        cmd->add_option("--mask", o.mask,
                        "Train on masked context (Coconet): each sequence's cells masked at a rate drawn in "
                        "[0, P]; gives the model a mask input and the sampler a masked start (0: off)")
            ->capture_default_str();
        cmd->add_option("--monitor", o.monitor,
                        "Validation sopranos harmonized by the model alone after each validation (0: none)")
            ->capture_default_str();
        cmd->add_option(
               "--unlikelihood", o.unlikelihood,
               "Full mode: weight of an unlikelihood loss on the tokens that would write consecutive "
               "fifths or octaves with the context (0: off)")
            ->capture_default_str();
        cmd->add_option("--self-unlikelihood", o.self_unlikelihood,
                        "Full mode: the unlikelihood at the model's own harmonizations of training sopranos, "
                        "refreshed every --self-refresh steps (0: off)")
            ->capture_default_str();
        cmd->add_option("--self-pool", o.self_pool, "Harmonizations in the --self-unlikelihood pool")
            ->capture_default_str();
        cmd->add_option("--self-refresh", o.self_refresh,
                        "Steps between pool refreshes (0: a sixth of an epoch)")
            ->capture_default_str();
        cmd->add_option("--init", o.init,
                        "Start from this model's weights (same configuration; one without relational "
                        "potentials may start a --relational model)");
        cmd->add_option(
               "--corrupt", o.corrupt,
               "Train on corrupted context: each sequence's cells replaced by random tokens at a rate "
               "drawn in [0, P] (0: off)")
            ->capture_default_str();
        cmd->callback([&action, a] { action = [a] { return run_train(*a); }; });
    }
}

}  // namespace deepbach::cli
