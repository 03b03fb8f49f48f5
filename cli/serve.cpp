// deepbach serve: see serve.hpp and docs/server.md.
#include "serve.hpp"

#include "sampling_args.hpp"

#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/progress.hpp>
#include <deepbach/report.hpp>

#include <nlohmann/json.hpp>

#ifdef DEEPBACH_HAVE_HTTPLIB
#include <httplib.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
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

const std::set<std::string> kSamplingNames{
    "seed",    "sweeps", "iterations", "temperature", "voice_leading", "chains", "fermata",
    "cadence", "fix",    "key",        "range",       "allow_rests",   "job"};

// A sampling job: how far it is (from the library's progress callback),
// whether its client asked to cancel it or went away. Shared by its request,
// GET /api/progress and POST /api/cancel.
struct Job {
    std::string kind;  // harmonize, reharmonize, generate
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::atomic<std::size_t> done{0};        // sampler iterations done
    std::atomic<std::size_t> total{0};       // of about this many (0: not started)
    std::atomic<bool> cancelled{false};      // POST /api/cancel
    std::atomic<bool> client_gone{false};    // its connection closed
    int client = -1;                         // the request's socket (-1: not found)
    std::atomic<std::int64_t> next_look{0};  // when to look at it again (steady ns)
};

// The job the request in this thread runs; set by a Ticket, read by guard()
// to say who cancelled.
thread_local std::shared_ptr<Job> t_job;

// The socket the request came in on. cpp-httplib 0.11 does not give it to a
// handler (later versions have Request::is_connection_closed), but it gives
// the request's local and remote address and port: the one socket of this
// process with both. Linux (/proc/self/fd); -1 where none is found.
int client_socket(const httplib::Request& req) {
#ifdef __linux__
    if (req.local_port <= 0 || req.remote_port <= 0) return -1;
    auto port_of = [](const sockaddr_storage& a) -> int {
        if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(a).sin_port);
        if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(a).sin6_port);
        return -1;
    };
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        int fd = -1;
        try {
            fd = std::stoi(entry.path().filename().string());
        } catch (const std::exception&) {
            continue;
        }
        struct stat st {};
        if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
        sockaddr_storage local{}, peer{};
        socklen_t local_len = sizeof local, peer_len = sizeof peer;
        if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
            ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0)
            continue;
        if (port_of(local) != req.local_port || port_of(peer) != req.remote_port) continue;
        char host[NI_MAXHOST];  // as cpp-httplib writes remote_addr
        if (::getnameinfo(reinterpret_cast<sockaddr*>(&peer), peer_len, host, sizeof host, nullptr, 0,
                          NI_NUMERICHOST) != 0 ||
            req.remote_addr != host)
            continue;
        return fd;
    }
#else
    (void)req;
#endif
    return -1;
}

// Whether the client closed its connection (or it broke): a look at the
// socket that takes nothing from it. Data waiting (a pipelined request) is
// an open connection.
bool connection_closed(int fd) {
    if (fd < 0) return false;
    char c;
    const ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return true;
    return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

std::set<std::string> with(std::set<std::string> names, std::initializer_list<const char*> more) {
    for (const char* m : more) names.insert(m);
    return names;
}

Json json_of(const std::string& text) {
    return Json::parse(text);
}

// note=VOICE:A-B:PITCH, each as often as wanted: one note (or `rest`)
// fixed over the grid's ticks [A, B) (4 a quarter, 0 the piece's first),
// finer than fix's bars: what the page sends for a note clicked and fixed.
std::vector<FixedNote> notes_of(const Query& query, const Chorale& base) {
    std::vector<FixedNote> out;
    const auto range = query.params.equal_range("note");
    for (auto it = range.first; it != range.second; ++it) {
        const std::string& text = it->second;
        const auto refuse = [&](const std::string& why) {
            return Refused{400, "note '" + text + "': " + why};
        };
        const auto first = text.find(':');
        const auto last = text.rfind(':');
        if (first == std::string::npos || first == last)
            throw refuse("expected VOICE:TICK-TICK:PITCH, e.g. alto:36-40:D4");
        FixedNote note;
        try {
            const auto voices = parse_voices(text.substr(0, first));
            int named = 0;
            for (int v = 0; v < kNumVoices; ++v)
                if (voices[static_cast<size_t>(v)]) {
                    note.voice = v;
                    ++named;
                }
            if (named != 1) throw refuse("name one voice");
            note.token = parse_fix_token(text.substr(last + 1));
        } catch (const Error& e) {
            throw refuse(e.what());
        }
        static const std::regex ticks(R"(([0-9]{1,7})-([0-9]{1,7}))");
        std::smatch m;
        const std::string span = text.substr(first + 1, last - first - 1);
        if (!std::regex_match(span, m, ticks)) throw refuse("expected ticks A-B, e.g. 36-40");
        note.ticks = {std::stoi(m[1].str()), std::stoi(m[2].str())};
        if (note.ticks.empty() || note.ticks.end > base.num_ticks)
            throw refuse("ticks " + span + " are not a span of the piece's 0-" +
                         std::to_string(base.num_ticks));
        out.push_back(note);
    }
    return out;
}

// The page's files: what each is served as. Scripts are served as
// "application/javascript; charset=utf-8", which cpp-httplib does not
// compress (it compresses text/* and exactly "application/javascript" on the
// fly, with Brotli: tens of seconds for Verovio's 7 MB module).
std::string content_type_of(const std::filesystem::path& path) {
    const std::string ext = path.extension().string();
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "application/javascript; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".md") return "text/markdown; charset=utf-8";
    if (ext == ".png") return "image/png";
    if (ext == ".ico") return "image/x-icon";
    return "text/plain; charset=utf-8";
}

bool read_file(const std::filesystem::path& path, std::string& into) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return false;
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    into = text.str();
    return true;
}

std::string html_escape(const std::string& text) {
    std::string out;
    for (char c : text) {
        switch (c) {
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '&':
                out += "&amp;";
                break;
            default:
                out += c;
        }
    }
    return out;
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

    // A sampling request's job. One that names itself (job=ID, up to 64
    // characters) is listed: GET /api/progress?job=ID says how far it is,
    // POST /api/cancel?job=ID stops it (the page's Cancel), freeing its slot.
    // Every job stops when its client's connection closes.
    std::mutex jobs_mutex;
    std::map<std::string, std::shared_ptr<Job>> jobs;
    struct Ticket {
        Impl& impl;
        std::string id;
        std::shared_ptr<Job> job = std::make_shared<Job>();
        Ticket(Impl& i, const Query& query, const httplib::Request& req, const char* kind)
            : impl(i), id(query.get("job")) {
            if (id.size() > 64) throw Refused{400, "job: at most 64 characters"};
            job->kind = kind;
            job->client = client_socket(req);
            t_job = job;
            if (id.empty()) return;
            const std::lock_guard<std::mutex> lock(impl.jobs_mutex);
            impl.jobs[id] = job;
        }
        ~Ticket() {
            if (id.empty()) return;
            const std::lock_guard<std::mutex> lock(impl.jobs_mutex);
            const auto it = impl.jobs.find(id);
            if (it != impl.jobs.end() && it->second == job) impl.jobs.erase(it);
        }
        Ticket(const Ticket&) = delete;
        Ticket& operator=(const Ticket&) = delete;
    };

    SamplingOptions sampling(const SamplingArgs& args, const Ticket& ticket) {
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
        o.progress = [this, deadline, job = ticket.job](std::size_t done, std::size_t total,
                                                        std::string_view) {
            job->total = total;
            job->done = done;
            if (stopping || job->cancelled) return false;
            const auto now = std::chrono::steady_clock::now();
            if (now >= deadline) return false;
            // The client's socket, at most every 50 ms (a look is a system call).
            const std::int64_t ns = now.time_since_epoch().count();
            if (job->client >= 0 && ns >= job->next_look) {
                job->next_look = ns + std::chrono::nanoseconds(std::chrono::milliseconds(50)).count();
                if (connection_closed(job->client)) {
                    job->client_gone = true;
                    return false;
                }
            }
            return true;
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
        t_job.reset();
        try {
            reply(res, 200, body());
        } catch (const Refused& r) {
            if (r.status == 503) res.set_header("Retry-After", "1");
            reply_error(res, r.status, r.message);
        } catch (const Cancelled&) {
            reply_error(res, 503,
                        stopping                    ? std::string("the server is stopping")
                        : t_job && t_job->cancelled ? std::string("cancelled: the client asked")
                        : t_job && t_job->client_gone
                            ? std::string("cancelled: the client went away")
                            : "cancelled: the job ran longer than " +
                                  std::to_string(static_cast<int>(options.max_seconds)) + " s");
        } catch (const Error& e) {
            reply_error(res, 400, e.what());
        } catch (const std::exception& e) {
            reply_error(res, 500, std::string("internal error: ") + e.what());
        }
    }

    // Serves one of the page's files (relative to options.web_dir), read at
    // each request; 404 when it is not there.
    void serve_file(const std::string& relative, httplib::Response& res) {
        std::string body;
        const std::filesystem::path path = std::filesystem::path(options.web_dir) / relative;
        if (options.web_dir.empty() || !read_file(path, body)) {
            reply_error(res, 404,
                        "not found: " + relative + (options.web_dir.empty() ? "" : " in " + options.web_dir));
            return;
        }
        res.status = 200;
        res.set_header("Cache-Control", "no-cache");
        res.set_content(std::move(body), content_type_of(path));
    }

    void page_routes() {
        server.Get("/", [this](const httplib::Request&, httplib::Response& res) {
            if (!options.web_dir.empty()) return serve_file("index.html", res);
            res.status = 404;
            res.set_content(
                "<!doctype html><meta charset=utf-8><title>deepbach serve</title>"
                "<h1>deepbach serve: the page is not installed</h1><p>" +
                    html_escape(options.web_missing) +
                    "</p><p>The JSON API works: see docs/server.md (GET /api/health).</p>",
                "text/html; charset=utf-8");
        });
        // The page's own files: a plain name in web_dir (no folders, no "..").
        server.Get(
            R"(/([A-Za-z0-9_-]+\.(html|css|js|mjs|svg|png|ico|txt|json|md)))",
            [this](const httplib::Request& req, httplib::Response& res) {
                if (req.matches[1].str() == "package.json" || req.matches[1].str() == "package-lock.json")
                    return reply_error(res, 404, "not found: " + req.path);
                serve_file(req.matches[1].str(), res);
            });
        // Verovio, as npm installed it (node_modules/verovio, unmodified).
        server.Get(R"(/verovio/(verovio-module\.mjs|verovio\.mjs))",
                   [this](const httplib::Request& req, httplib::Response& res) {
                       serve_file("node_modules/verovio/dist/" + req.matches[1].str(), res);
                   });
        server.Get("/verovio/package.json", [this](const httplib::Request&, httplib::Response& res) {
            serve_file("node_modules/verovio/package.json", res);
        });
    }

    static Score body_score(const httplib::Request& req) {
        if (req.body.empty()) throw Refused{400, "the request body must be a MusicXML score"};
        return parse_musicxml(req.body, "the request body");
    }

    void routes() {
        page_routes();
        server.Get("/api/health", [this](const httplib::Request&, httplib::Response& res) {
            reply(res, 200,
                  Json{{"ok", true},
                       {"model", model_name},
                       {"jobs", options.jobs},
                       {"running", running.load()},
                       {"max_body", options.max_body},
                       {"page", !options.web_dir.empty()}});
        });
        server.Post("/api/harmonize", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                const SamplingArgs a = args_of(q, with(kSamplingNames, {"rhythm", "final_cadence", "note"}));
                const Ticket ticket(*this, q, req, "harmonize");
                const SamplingOptions o = sampling(a, ticket);
                const Score melody = body_score(req);
                Constraints c = harmonize_constraints(melody, a);
                for (const FixedNote& n : notes_of(q, melody_chorale(melody))) c.fixed.push_back(n);
                Slot slot(*this);
                return result(harmonize(melody, c, o), o);
            });
        });
        server.Post("/api/reharmonize", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                const SamplingArgs a =
                    args_of(q, with(kSamplingNames, {"rhythm", "final_cadence", "bars", "voices", "note"}));
                if (!q.has("bars")) throw Refused{400, "reharmonize needs bars=A-B"};
                const Ticket ticket(*this, q, req, "reharmonize");
                const SamplingOptions o = sampling(a, ticket);
                const Score score = body_score(req);
                ReharmonizeRequest r = reharmonize_request(score, q.get("bars"), q.get("voices", "SATB"), a);
                for (const FixedNote& n : notes_of(q, to_chorale(score))) r.constraints.fixed.push_back(n);
                Slot slot(*this);
                return result(reharmonize(score, {r.region}, o, r.constraints), o);
            });
        });
        server.Post("/api/generate", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                const SamplingArgs a = args_of(q, with(kSamplingNames, {"bars", "time"}));
                if (!q.has("bars")) throw Refused{400, "generate needs bars=N"};
                const Ticket ticket(*this, q, req, "generate");
                const SamplingOptions o = sampling(a, ticket);
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
        // Cancels the running job that named itself job=ID: {"cancelled": true}, or false when none runs.
        server.Post("/api/cancel", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                args_of(q, {"job"});
                if (q.get("job").empty())
                    throw Refused{400, "cancel needs job=ID (the job= the request named)"};
                const std::lock_guard<std::mutex> lock(jobs_mutex);
                const auto it = jobs.find(q.get("job"));
                if (it != jobs.end()) it->second->cancelled = true;
                return Json{{"cancelled", it != jobs.end()}};
            });
        });
        // How far the running job named job=ID is: {"job", "running": true,
        // "what", "done", "total", "fraction", "seconds"}; a job that is not
        // running (finished, cancelled, not yet started, never named) is
        // {"job", "running": false}, 200 too: a page polls while it waits.
        server.Get("/api/progress", [this](const httplib::Request& req, httplib::Response& res) {
            guard(res, [&] {
                const Query q(req);
                args_of(q, {"job"});
                const std::string id = q.get("job");
                if (id.empty()) throw Refused{400, "progress needs job=ID (the job= the request named)"};
                std::shared_ptr<Job> job;
                {
                    const std::lock_guard<std::mutex> lock(jobs_mutex);
                    const auto it = jobs.find(id);
                    if (it != jobs.end()) job = it->second;
                }
                if (!job) return Json{{"job", id}, {"running", false}};
                const std::size_t done = job->done;
                const std::size_t total = job->total;
                return Json{
                    {"job", id},
                    {"running", true},
                    {"what", job->kind},
                    {"done", done},
                    {"total", total},
                    {"fraction",
                     total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 0.0},
                    {"seconds",
                     std::chrono::duration<double>(std::chrono::steady_clock::now() - job->started).count()}};
            });
        });
        // A score in another form: format=midi (the bytes `deepbach convert`
        // writes) or musicxml (as the library writes it).
        server.Post("/api/convert", [this](const httplib::Request& req, httplib::Response& res) {
            try {
                const Query q(req);
                args_of(q, {"format"});
                const std::string format = q.get("format", "midi");
                if (format != "midi" && format != "musicxml")
                    throw Refused{400, "format '" + format + "': expected midi or musicxml"};
                const Score score = body_score(req);
                res.status = 200;
                if (format == "midi")
                    res.set_content(to_midi(score), "audio/midi");
                else
                    res.set_content(to_musicxml(score), "application/vnd.recordare.musicxml+xml");
            } catch (const Refused& r) {
                reply_error(res, r.status, r.message);
            } catch (const Error& e) {
                reply_error(res, 400, e.what());
            } catch (const std::exception& e) {
                reply_error(res, 500, std::string("internal error: ") + e.what());
            }
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
