// deepbach bench infer: inference speed of the Eigen engine (the measurement
// is libdeepbach/nn/bench_infer.cpp, shared with bench/bench_infer).
#include "commands.hpp"

#include <deepbach/model.hpp>

#include "nn/bench_infer.hpp"

#include <fmt/format.h>

#include <memory>
#include <string>

namespace deepbach::cli {

void add_bench_infer_command(CLI::App& app, Action& action) {
    auto* cmd = bench_group(app)->add_subcommand(
        "infer", "Inference speed of the default-sized voice networks (random weights, 64-tick chorale)");
    auto mode = std::make_shared<std::string>("window");
    auto options = std::make_shared<nn::InferBenchOptions>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("--mode", *mode,
                    "window: ms per sampling iteration (4 voices x 8 targets); full: ms per pass over the "
                    "chorale")
        ->check(CLI::IsMember({"window", "full"}))
        ->capture_default_str();
    cmd->add_option("--threads", options->threads, "Threads (0: all cores)")
        ->check(CLI::Range(0, 1024))
        ->capture_default_str();
    cmd->add_option("--seconds", options->seconds, "Time per measurement (best of 3 runs)")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd->add_option("--batch", options->batch,
                    "Throughput batch: targets (window, default 512) or sequences (full, default 16)")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([&action, mode, options, json] {
        action = [mode, options, json] {
            options->mode = parse_context_mode(*mode);
            const nn::InferBenchResult r = nn::bench_infer(*options);
            fmt::print("{}\n", *json ? r.json() : r.text());
            return 0;
        };
    });
}

}  // namespace deepbach::cli
