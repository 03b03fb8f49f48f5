// deepbach serve: the library behind a small JSON API on the loopback
// (docs/server.md). Built where cpp-httplib is found (pkg-config
// cpp-httplib, Debian's libcpp-httplib-dev); `serve_available()` says so.
#pragma once

#include <deepbach/model.hpp>

#include <cstddef>
#include <memory>
#include <string>

namespace deepbach::cli {

struct ServeOptions {
    std::string host = "127.0.0.1";  ///< nothing but the loopback unless asked
    int port = 8730;                 ///< 0: any free port (bind() says which)
    /// The model every request samples (loaded once), or `model_path`, or
    /// the shipped model.
    std::shared_ptr<const Model> model;
    std::string model_path;
    int jobs = 1;                     ///< sampling jobs at once; more get 503 busy
    std::size_t max_body = 4u << 20;  ///< request bodies over this get 413
    int threads = 1;                  ///< each job's sampler threads
    double max_seconds = 120;         ///< a job running longer is cancelled (503)
    int max_sweeps = 256;             ///< a request asking more sweeps gets 400
    /// The page's folder (web/: index.html, app.js, ... and
    /// node_modules/verovio); empty: no page, GET / says where to get it.
    std::string web_dir;
    /// What GET / says when web_dir is empty (where the page was looked for).
    std::string web_missing;
};

/// Whether this build has the server.
bool serve_available();

class Studio {
public:
    /// Loads the model; throws Error when the build has no server or the
    /// model cannot be read.
    explicit Studio(ServeOptions options);
    ~Studio();
    Studio(const Studio&) = delete;
    Studio& operator=(const Studio&) = delete;

    /// Binds the socket; returns the port (the one chosen for port 0).
    /// Throws Error naming the address when it cannot.
    int bind();
    /// Serves until stop() (call bind() first); returns when stopped.
    void run();
    /// Stops run() from any thread; running jobs are cancelled.
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace deepbach::cli
