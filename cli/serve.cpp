// deepbach serve: see serve.hpp and docs/server.md.
#include "serve.hpp"

#include "sampling_args.hpp"

#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/progress.hpp>
#include <deepbach/report.hpp>

#include <nlohmann/json.hpp>

#ifdef DEEPBACH_HAVE_HTTPLIB
#include <httplib.h>
#include <sys/socket.h>
#endif

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deepbach::cli {

#ifdef DEEPBACH_HAVE_HTTPLIB

bool serve_available() {
    return true;
}

namespace {

using Json = nlohmann::ordered_json;

// A request refused with its status and message.
struct Refused {
    int status;
    std::string message;
};

void reply(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

void reply_error(httplib::Response& res, int status, const std::string& message) {
    reply(res, status, Json{{"error", message}});
}

bool truthy(const std::string& text) {
    return text.empty() || text == "1" || text == "true" || text == "yes" || text == "on";
}

// The options of the request's URL (its query alone: a form body is not
// read for options).
struct Query {
    httplib::Params params;
    explicit Query(const httplib::Request& req) {
        const auto q = req.target.find('?');
        if (q != std::string::npos) httplib::detail::parse_query_text(req.target.substr(q + 1), params);
    }
    bool has(const std::string& name) const { return params.count(name) > 0; }
    std::string get(const std::string& name, const std::string& otherwise = "") const {
        const auto it = params.find(name);
        return it == params.end() ? otherwise : it->second;
    }
};

// The query's options as the command line's arguments: one rule for both.
// Names outside `allowed` are refused (a typo is not silently ignored).
SamplingArgs args_of(const Query& query, const std::set<std::string>& allowed) {
    for (const auto& [name, value] : query.params)
        if (!allowed.count(name)) throw Refused{400, "unknown option '" + name + "'"};
    SamplingArgs a;
    auto one = [&](const char* name, std::string& into) {
        if (query.has(name)) into = query.get(name);
    };
    auto many = [&](const char* name, std::vector<std::string>& into) {
        const auto range = query.params.equal_range(name);
        for (auto it = range.first; it != range.second; ++it) into.push_back(it->second);
    };
    one("seed", a.seed);
    one("sweeps", a.sweeps);
    one("iterations", a.iterations);
    one("temperature", a.temperature);
    one("voice_leading", a.voice_leading);
    one("chains", a.chains);
    many("fermata", a.constraints.fermatas);
    many("cadence", a.constraints.cadences);
    many("fix", a.constraints.fixes);
    many("rhythm", a.constraints.rhythms);
    many("key", a.constraints.keys);
    many("range", a.constraints.ranges);
    if (query.has("allow_rests")) a.constraints.full_texture = !truthy(query.get("allow_rests"));
    if (query.has("final_cadence")) a.constraints.final_cadence = truthy(query.get("final_cadence"));
    return a;
}

const std::set<std::string> kSamplingNames{"seed",          "sweeps", "iterations", "temperature",
                                           "voice_leading", "chains", "fermata",    "cadence",
                                           "fix",           "key",    "range",      "allow_rests"};

std::set<std::string> with(std::set<std::string> names, std::initializer_list<const char*> more) {
    for (const char* m : more) names.insert(m);
    return names;
}

Json json_of(const std::string& text) {
    return Json::parse(text);
}

}  // namespace

struct Studio::Impl {
    ServeOptions options;
    std::shared_ptr<const Model> model;
    std::string model_name;
    httplib::Server server;
    socket_t listening = INVALID_SOCKET;  // the server's socket, for its backlog
    std::atomic<int> running{0};
    std::atomic<bool> stopping{false};

    // A sampling job's place: at most options.jobs at once.
    struct Slot {
        Impl& impl;
        explicit Slot(Impl& i) : impl(i) {
            if (impl.running.fetch_add(1) >= impl.options.jobs) {
                impl.running.fetch_sub(1);
                throw Refused{503, "busy: " + std::to_string(impl.options.jobs) +
                                       (impl.options.jobs == 1 ? " job is" : " jobs are") +
                                       " running (the most this server runs at once); try again"};
            }
        }
        ~Slot() { impl.running.fetch_sub(1); }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
    };

    SamplingOptions sampling(const SamplingArgs& args) {
        SamplingOptions o = build_options(args);
        if (o.iterations == 0 && o.sweeps > options.max_sweeps)
            throw Refused{400, "sweeps: at most " + std::to_string(options.max_sweeps) + " here"};
        if (o.iterations > 8 * options.max_sweeps)
            throw Refused{400, "iterations: at most " + std::to_string(8 * options.max_sweeps) + " here"};
        if (o.chains > 16) throw Refused{400, "chains: at most 16 here"};
        o.model = model;
        o.threads = options.threads;
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::duration<double>(options.max_seconds);
        o.progress = [this, deadline](std::size_t, std::size_t, std::string_view) {
            return !stopping && std::chrono::steady_clock::now() < deadline;
        };
        return o;
    }

    Json result(const Harmonization& h, const SamplingOptions& o) {
        return Json{{"musicxml", to_musicxml(h.score())},
                    {"seed", o.seed},
                    {"ticks", h.chorale.num_ticks},
                    {"seconds", h.seconds},
                    {"pseudo_log_likelihood", h.pseudo_log_likelihood},
                    {"stats", json_of(to_json(voice_leading_stats(h.chorale)))}};
    }

    // Runs a handler body, answering every failure as JSON with its status.
    void guard(httplib::Response& res, const std::function<Json()>& body) {
        try {
            reply(res, 200, body());
        } catch (const Refused& r) {
            if (r.status == 503) res.set_header("Retry-After", "1");
            reply_error(res, r.status, r.message);
        } catch (const Cancelled&) {
            reply_error(res, 503,
                        stopping ? std::string("the server is stopping")
                                 : "cancelled: the job ran longer than " +
                                       std::to_string(static_cast<int>(options.max_seconds)) + " s");
        } catch (const Error& e) {
            reply_error(res, 400, e.what());
        } catch (const std::exception& e) {
            reply_error(res, 500, std::string("internal error: ") + e.what());
        }
    }

    static Score body_score(const httplib::Request& req) {
        if (req.body.empty()) throw Refused{400, "the request body must be a MusicXML score"};
        return parse_musicxml(req.body, "the request body");
    }

    void routes() {
        server.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
            reply(res, 200,
                  Json{{"ok", true},
                       {"model", model_name},
                       {"jobs", options.jobs},
                       {"running", running.load()},
                       {"max_body", options.max_body}});
        });
        server.Post("/api/harmonize", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const SamplingArgs a = args_of(Query(req), with(kSamplingNames, {"rhythm", "final_cadence"}));
                const SamplingOptions o = sampling(a);
                const Score melody = body_score(req);
                const Constraints c = harmonize_constraints(melody, a);
                Slot slot(*this);
                return result(harmonize(melody, c, o), o);
            });
        });
        server.Post("/api/reharmonize", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                const SamplingArgs a =
                    args_of(q, with(kSamplingNames, {"rhythm", "final_cadence", "bars", "voices"}));
                if (!q.has("bars")) throw Refused{400, "reharmonize needs bars=A-B"};
                const SamplingOptions o = sampling(a);
                const Score score = body_score(req);
                const ReharmonizeRequest r =
                    reharmonize_request(score, q.get("bars"), q.get("voices", "SATB"), a);
                Slot slot(*this);
                return result(reharmonize(score, {r.region}, o, r.constraints), o);
            });
        });
        server.Post("/api/generate", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                const SamplingArgs a = args_of(q, with(kSamplingNames, {"bars", "time"}));
                if (!q.has("bars")) throw Refused{400, "generate needs bars=N"};
                const SamplingOptions o = sampling(a);
                const GenerateRequest g = generate_request(q.get("bars"), q.get("time", "4/4"), a);
                Slot slot(*this);
                return result(generate(g.shape, g.constraints, o), o);
            });
        });
        server.Post("/api/evaluate", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                args_of(Query(req), {});
                const Chorale chorale = to_chorale(body_score(req));
                Json faults = Json::array();
                for (const VoiceLeadingFault& f : voice_leading_faults(chorale))
                    faults.push_back(json_of(to_json(f, chorale)));
                return Json{{"ticks", chorale.num_ticks},
                            {"stats", json_of(to_json(voice_leading_stats(chorale)))},
                            {"faults", std::move(faults)}};
            });
        });
        // What the server itself refuses (an unknown path, a body over the
        // limit, a malformed request) is JSON too.
        server.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
            if (!res.body.empty()) return;
            std::string message;
            switch (res.status) {
                case 404:
                    message = "no such endpoint: " + req.method + " " + req.path;
                    break;
                case 413:
                    message =
                        "the request body is over the server's limit of " + std::to_string(options.max_body) +
                        " bytes (a form-encoded body: 8192; send MusicXML as Content-Type: application/xml)";
                    break;
                case 400:
                    message = "bad request (a POST needs a body, or Content-Length: 0)";
                    break;
                default:
                    message = "the request was refused (HTTP " + std::to_string(res.status) + ")";
                    break;
            }
            reply_error(res, res.status, message);
        });
    }
};

Studio::Studio(ServeOptions options) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    if (options.jobs < 1) throw Error("serve: --jobs must be at least 1");
    if (options.threads < 0) throw Error("serve: --threads must be at least 0");
    if (!(options.max_seconds > 0)) throw Error("serve: --max-seconds must be more than 0");
    if (options.model) {
        m.model = options.model;
        m.model_name = "(given)";
    } else {
        const std::filesystem::path path =
            options.model_path.empty() ? default_model_path() : std::filesystem::path(options.model_path);
        m.model = std::make_shared<const Model>(Model::load(path));
        m.model_name = path.string();
    }
    m.options = std::move(options);
    m.server.set_payload_max_length(m.options.max_body);
    // cpp-httplib 0.11 (Debian's build) listens with a backlog of 5: a
    // burst of clients overflowed it and some of their connections broke
    // (measured: 8-18 of 192 requests from 32 clients at once). Keep the
    // socket it makes (with its usual options) to listen again with more.
    m.server.set_socket_options([&m](socket_t sock) {
        httplib::default_socket_options(sock);
        m.listening = sock;
    });
    m.server.set_read_timeout(10, 0);
    m.routes();
}

Studio::~Studio() {
    stop();
}

int Studio::bind() {
    Impl& m = *impl_;
    int port = m.options.port;
    if (port == 0) {
        port = m.server.bind_to_any_port(m.options.host);
        if (port < 0) throw Error("serve: cannot listen on " + m.options.host);
    } else if (port < 0 || port > 65535 || !m.server.bind_to_port(m.options.host, port)) {
        throw Error("serve: cannot listen on " + m.options.host + ":" + std::to_string(port));
    }
    if (m.listening != INVALID_SOCKET) ::listen(m.listening, SOMAXCONN);
    return port;
}

void Studio::run() {
    impl_->server.listen_after_bind();
}

void Studio::stop() {
    impl_->stopping = true;
    impl_->server.stop();
}

#else  // no cpp-httplib

bool serve_available() {
    return false;
}

struct Studio::Impl {};

Studio::Studio(ServeOptions) {
    throw Error(
        "serve: this build has no server (cpp-httplib was not found: install Debian's libcpp-httplib-dev "
        "and build again)");
}
Studio::~Studio() = default;
int Studio::bind() {
    return -1;
}
void Studio::run() {}
void Studio::stop() {}

#endif

}  // namespace deepbach::cli
