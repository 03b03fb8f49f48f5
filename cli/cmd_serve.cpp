// deepbach serve: the JSON API on 127.0.0.1 (serve.hpp, docs/server.md).
#include "commands.hpp"
#include "serve.hpp"

#include <deepbach/options.hpp>

#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

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
};

int run_serve(const ServeArgs& a) {
    ServeOptions o;
    o.host = a.host;
    o.port = static_cast<int>(parse_count("port", a.port, 0, 65535));
    o.model_path = a.model;
    o.jobs = static_cast<int>(parse_count("jobs", a.jobs, 1, 64));
    o.max_body = static_cast<std::size_t>(parse_count("max-body", a.max_body, 1024, 1LL << 30));
    o.threads = static_cast<int>(parse_count("threads", a.threads, 0, 256));
    o.max_seconds = static_cast<double>(parse_count("max-seconds", a.max_seconds, 1, 86400));
    Studio studio(o);
    const int port = studio.bind();
    // One line a client can read the address from, then serve until killed.
    std::printf(
        "deepbach serve: listening on http://%s:%d/ (POST /api/harmonize, /api/reharmonize, "
        "/api/generate, /api/evaluate; GET /api/health)\n",
        o.host.c_str(), port);
    std::fflush(stdout);
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
    cmd->callback([&action, a] { action = [a] { return run_serve(*a); }; });
}

}  // namespace deepbach::cli
