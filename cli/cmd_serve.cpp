// deepbach serve: the JSON API on 127.0.0.1 (serve.hpp, docs/server.md).
#include "commands.hpp"
#include "serve.hpp"

#include <deepbach/error.hpp>
#include <deepbach/options.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

// Where the page's files are looked for (cli/CMakeLists.txt): the installed
// share/deepbach/web and web/ of the source tree this was built from.
#ifndef DEEPBACH_WEB_INSTALL_DIR
#define DEEPBACH_WEB_INSTALL_DIR ""
#endif
#ifndef DEEPBACH_WEB_SOURCE_DIR
#define DEEPBACH_WEB_SOURCE_DIR ""
#endif

namespace deepbach::cli {

namespace {

struct ServeArgs {
    std::string host = ServeOptions{}.host;
    std::string port = std::to_string(ServeOptions{}.port);
    std::string model;
    std::string jobs = std::to_string(ServeOptions{}.jobs);
    std::string max_body = std::to_string(ServeOptions{}.max_body);
    std::string threads = std::to_string(ServeOptions{}.threads);
    std::string max_seconds = fmt::format("{:g}", ServeOptions{}.max_seconds);
    std::string web;
    bool open = false;
};

namespace fs = std::filesystem;

bool is_page(const fs::path& dir) {
    std::error_code ec;
    return fs::is_regular_file(dir / "index.html", ec);
}

// The page's folder: --web, else $DEEPBACH_WEB, else share/deepbach/web
// beside the command (an installed or moved prefix), else the installed
// prefix's, else the source tree's web/. Empty, with `looked` filled, when
// none has the page.
std::string find_web_dir(const std::string& given, std::string& looked) {
    if (!given.empty()) {
        if (!is_page(given)) throw Error("serve: --web " + given + ": no index.html there");
        return fs::absolute(given).string();
    }
    std::vector<fs::path> candidates;
    if (const char* env = std::getenv("DEEPBACH_WEB"); env && *env) {
        if (!is_page(env))
            throw Error(std::string("serve: ") + env + ": no index.html there (from $DEEPBACH_WEB)");
        return fs::absolute(env).string();
    }
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "deepbach" / "web");
    for (const char* dir : {DEEPBACH_WEB_INSTALL_DIR, DEEPBACH_WEB_SOURCE_DIR})
        if (*dir) candidates.emplace_back(dir);
    for (const fs::path& dir : candidates) {
        if (is_page(dir)) return fs::absolute(dir).lexically_normal().string();
        looked += (looked.empty() ? "" : ", ") + dir.string();
    }
    return {};
}

// --open: hands the address to $BROWSER, xdg-open or open (the first found),
// in the background; says so on stderr when there is none. Never fatal.
void open_browser(const std::string& url) {
    std::vector<std::string> openers;
    if (const char* env = std::getenv("BROWSER"); env && *env) openers.emplace_back(env);
    openers.insert(openers.end(), {"xdg-open", "open"});
    for (const std::string& opener : openers) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        std::vector<char*> argv{const_cast<char*>(opener.c_str()), const_cast<char*>(url.c_str()), nullptr};
        pid_t pid = 0;
        const int rc = posix_spawnp(&pid, opener.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc == 0) {
            std::thread([pid] { waitpid(pid, nullptr, 0); }).detach();  // reap it, whatever it says
            return;
        }
    }
    std::fprintf(stderr,
                 "deepbach serve: --open: no browser opener found ($BROWSER, xdg-open, open); open %s\n",
                 url.c_str());
}

int run_serve(const ServeArgs& a) {
    ServeOptions o;
    o.host = a.host;
    o.port = static_cast<int>(parse_count("port", a.port, 0, 65535));
    o.model_path = a.model;
    o.jobs = static_cast<int>(parse_count("jobs", a.jobs, 1, 64));
    o.max_body = static_cast<std::size_t>(parse_count("max-body", a.max_body, 1024, 1LL << 30));
    o.threads = static_cast<int>(parse_count("threads", a.threads, 0, 256));
    o.max_seconds = static_cast<double>(parse_count("max-seconds", a.max_seconds, 1, 86400));
    std::string looked;
    o.web_dir = find_web_dir(a.web, looked);
    if (o.web_dir.empty())
        o.web_missing =
            "The page's files (index.html) were not found; looked at " + looked +
            ". Run deepbach serve --web DIR with the project's web/ folder, or install the project.";
    Studio studio(o);
    const int port = studio.bind();
    // One line a client can read the address from, then serve until killed.
    const std::string url = fmt::format("http://{}:{}/", o.host, port);
    std::printf(
        "deepbach serve: listening on %s (the page: GET /; POST /api/harmonize, /api/reharmonize, "
        "/api/generate, /api/evaluate, /api/convert; GET /api/health)\n",
        url.c_str());
    if (o.web_dir.empty())
        std::fprintf(stderr, "deepbach serve: no page (the API alone): %s\n", o.web_missing.c_str());
    else if (!fs::exists(fs::path(o.web_dir) / "node_modules" / "verovio" / "dist" / "verovio-module.mjs"))
        std::fprintf(stderr,
                     "deepbach serve: the page has no Verovio (no engraved score): run npm ci in %s "
                     "(scripts/install-deps does)\n",
                     o.web_dir.c_str());
    std::fflush(stdout);
    if (a.open) open_browser(url);
    studio.run();
    return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("serve", "Serve the library's JSON API on the loopback (docs/server.md)");
    auto a = std::make_shared<ServeArgs>();
    cmd->add_option("--host", a->host, "Address to listen on (only the loopback unless asked)")
        ->capture_default_str();
    cmd->add_option("--port", a->port, "Port (0: any free one; the first line printed says which)")
        ->capture_default_str();
    cmd->add_option("--model", a->model, "Model file (default: the shipped model)");
    cmd->add_option("--jobs", a->jobs, "Sampling jobs at once; a request beyond them gets 503 busy")
        ->capture_default_str();
    cmd->add_option("--max-body", a->max_body, "Largest request body in bytes (413 beyond)")
        ->capture_default_str();
    cmd->add_option("--threads", a->threads, "Sampler threads per job (0: all cores)")->capture_default_str();
    cmd->add_option("--max-seconds", a->max_seconds, "A job running longer is cancelled (503)")
        ->capture_default_str();
    cmd->add_option(
        "--web", a->web,
        "The page's folder (default: $DEEPBACH_WEB, the installed share/deepbach/web, the source's web/)");
    cmd->add_flag("--open", a->open, "Open the page in a browser (nothing happens where there is none)");
    cmd->callback([&action, a] { action = [a] { return run_serve(*a); }; });
}

}  // namespace deepbach::cli
