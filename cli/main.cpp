// deepbach: the command-line front end of libdeepbach.
#include "commands.hpp"

#include <deepbach/error.hpp>
#include <deepbach/version.hpp>

#include <cstdio>
#include <exception>

#ifdef DEEPBACH_HAVE_TORCH
#include <deepbach/train.hpp>
#endif

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
    deepbach::cli::add_calibrate_command(app, action);
    deepbach::cli::add_sample_commands(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        std::fprintf(stderr, "deepbach: error: %s (see --help)\n", e.what());
        return 2;
    }
    try {
#ifdef DEEPBACH_HAVE_TORCH
        deepbach::register_torch_backend();  // --backend torch
#endif
        return action ? action() : 0;
    } catch (const deepbach::Error& e) {
        std::fprintf(stderr, "deepbach: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "deepbach: internal error: %s\n", e.what());
        return 3;
    }
}
