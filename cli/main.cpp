// deepbach: the command-line front end of libdeepbach.
#include "commands.hpp"

#include <deepbach/error.hpp>
#include <deepbach/version.hpp>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
    CLI::App app{"deepbach: Bach chorale harmonization after DeepBach (Hadjeres, Pachet & Nielsen, 2017)"};
    app.set_version_flag("--version", std::string("deepbach ") + deepbach::version());
    app.require_subcommand(1);
    deepbach::cli::Action action;
    deepbach::cli::add_info_command(app, action);
    deepbach::cli::add_convert_command(app, action);
    deepbach::cli::add_corpus_command(app, action);
    deepbach::cli::add_evaluate_command(app, action);
    deepbach::cli::add_train_commands(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    try {
        return action ? action() : 0;
    } catch (const deepbach::Error& e) {
        std::fprintf(stderr, "deepbach: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "deepbach: internal error: %s\n", e.what());
        return 3;
    }
}
