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

}  // namespace deepbach::cli
