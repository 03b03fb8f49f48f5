// The subcommands of the deepbach command. Each registers itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace deepbach::cli {

/// The action a subcommand runs after parsing; returns the exit code.
using Action = std::function<int()>;

void add_info_command(CLI::App& app, Action& action);
void add_convert_command(CLI::App& app, Action& action);
/// deepbach notes: a score's notes in MuseScore ticks (cmd_io.cpp).
void add_notes_command(CLI::App& app, Action& action);
void add_corpus_command(CLI::App& app, Action& action);
void add_evaluate_command(CLI::App& app, Action& action);
/// deepbach calibrate (cmd_calibrate.cpp; no LibTorch needed).
void add_calibrate_command(CLI::App& app, Action& action);
/// harmonize, generate and reharmonize (cmd_sample.cpp).
void add_sample_commands(CLI::App& app, Action& action);
/// deepbach serve (cmd_serve.cpp; an error where the build has no server).
void add_serve_command(CLI::App& app, Action& action);

/// deepbach train: with LibTorch, cmd_train.cpp;
/// without it, cmd_no_torch.cpp registers the same name with an error
/// that says how to get them.
void add_train_commands(CLI::App& app, Action& action);

}  // namespace deepbach::cli
