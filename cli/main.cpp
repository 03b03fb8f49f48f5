// deepbach: the command-line front end of libdeepbach.
#include "commands.hpp"

#include <deepbach/error.hpp>
#include <deepbach/version.hpp>

#include <cctype>
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#ifdef DEEPBACH_TORCH_COMMAND
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#endif

#ifdef DEEPBACH_HAVE_TORCH
#include <deepbach/train.hpp>
#endif

#ifdef DEEPBACH_TORCH_COMMAND
namespace {

// This `deepbach` has no LibTorch (its start alone takes about 0.35 s, a
// third of a hymn's budget); the commands that need it, train and
// --backend torch, run in DEEPBACH_TORCH_COMMAND, the full command built
// beside it.
bool needs_torch(int argc, char** argv) {
    if (argc > 1 && std::string_view(argv[1]) == "train") return true;
    auto is_eigen = [](std::string_view v) {
        std::string t;
        for (char c : v)
            if (!std::isspace(static_cast<unsigned char>(c))) t += static_cast<char>(std::tolower(c));
        return t == "eigen";
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--backend" && i + 1 < argc && !is_eigen(argv[i + 1])) return true;
        if (a.rfind("--backend=", 0) == 0 && !is_eigen(a.substr(10))) return true;
    }
    return false;
}

// Runs the full command in this process's place; returns only when it cannot.
void run_torch_command(char** argv) {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    const auto full = (ec ? std::filesystem::path(argv[0]) : self).parent_path() / DEEPBACH_TORCH_COMMAND;
    ::execv(full.c_str(), argv);
    std::fprintf(stderr, "deepbach: error: this needs LibTorch, which runs in %s: %s\n", full.c_str(),
                 std::strerror(errno));
}

}  // namespace
#endif

int main(int argc, char** argv) {
#ifdef DEEPBACH_TORCH_COMMAND
    if (needs_torch(argc, argv)) {
        run_torch_command(argv);
        return 1;
    }
#endif
    CLI::App app{"deepbach: Bach chorale harmonization after DeepBach (Hadjeres, Pachet & Nielsen, 2017)"};
    app.set_version_flag("--version", std::string("deepbach ") + deepbach::version());
    app.require_subcommand(1);
    deepbach::cli::Action action;
    deepbach::cli::add_info_command(app, action);
    deepbach::cli::add_convert_command(app, action);
    deepbach::cli::add_notes_command(app, action);
    deepbach::cli::add_corpus_command(app, action);
    deepbach::cli::add_evaluate_command(app, action);
    deepbach::cli::add_train_commands(app, action);
    deepbach::cli::add_calibrate_command(app, action);
    deepbach::cli::add_sample_commands(app, action);
    deepbach::cli::add_serve_command(app, action);
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
