// The subcommands of the deepbach command. Each registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace deepbach::cli {

/// The action a subcommand runs after parsing; returns the exit code.
using Action = std::function<int()>;

void add_info_command(CLI::App& app, Action& action);
void add_convert_command(CLI::App& app, Action& action);
void add_corpus_command(CLI::App& app, Action& action);
void add_bench_infer_command(CLI::App& app, Action& action);  // deepbach bench infer (cmd_bench_infer.cpp)
void add_evaluate_command(CLI::App& app, Action& action);
/// harmonize, generate, reharmonize and bench sample (cmd_sample.cpp).
void add_sample_commands(CLI::App& app, Action& action);

/// The `bench` group (created on first use): each benchmark adds itself as a
/// subcommand of it (`deepbach bench train`, ...).
inline CLI::App* bench_group(CLI::App& app) {
    auto found = app.get_subcommands([](CLI::App* sub) { return sub->get_name() == "bench"; });
    if (!found.empty()) return found.front();
    CLI::App* bench = app.add_subcommand("bench", "Measure throughput");
    bench->require_subcommand(1);
    return bench;
}

/// deepbach train and deepbach bench train: with LibTorch, cmd_train.cpp;
/// without it, cmd_no_torch.cpp registers the same names with an error
/// that says how to get them.
void add_train_commands(CLI::App& app, Action& action);

}  // namespace deepbach::cli
