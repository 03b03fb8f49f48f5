// deepbach serve (cli/serve.hpp) on the loopback, in process: each endpoint
// answers what the library computes, and every refusal is JSON with its
// status, after which the server keeps serving.
#include "serve.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace deepbach;
using Json = nlohmann::json;

namespace {

const std::filesystem::path kMelody =
    std::filesystem::path(DEEPBACH_SOURCE_DIR) / "examples" / "melodies" / "old-hundredth.musicxml";

std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::shared_ptr<const Model> shipped() {
    static const auto model = std::make_shared<const Model>(Model::load(default_model_path()));
    return model;
}

// A server on a free port of 127.0.0.1 for the test's lifetime.
class Running {
public:
    explicit Running(cli::ServeOptions options)
        : studio_((options.port = 0, options.model = shipped(), options)) {
        port_ = studio_.bind();
        thread_ = std::thread([this] { studio_.run(); });
        httplib::Client c("127.0.0.1", port_);
        for (int i = 0; i < 100 && !c.Get("/api/health"); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ~Running() {
        studio_.stop();
        thread_.join();
    }
    int port() const { return port_; }
    httplib::Client client() const {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(60, 0);
        return c;
    }

private:
    cli::Studio studio_;
    int port_ = 0;
    std::thread thread_;
};

Json json_of(const httplib::Result& r) {
    EXPECT_TRUE(r) << "no answer";
    if (!r) return Json();
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    return Json::parse(r->body);
}

Chorale chorale_of(const Json& answer) {
    return to_chorale(parse_musicxml(answer.at("musicxml").get<std::string>(), "answer"));
}

const char* const kXml = "application/xml";

// A request sent by hand on a socket of its own, which the test can close
// without reading the answer (a client that goes away).
int send_raw(int port, const std::string& target, const std::string& body) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
    const std::string request =
        "POST " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
        "Content-Type: application/xml\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    std::size_t sent = 0;
    while (sent < request.size()) {
        const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    return fd;
}

// Polls until `ready` or `seconds` pass; whether it became ready.
template <class F>
bool within(double seconds, F ready) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < until) {
        if (ready()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ready();
}

}  // namespace

TEST(Serve, HarmonizeReharmonizeGenerateEvaluate) {
    Running server(cli::ServeOptions{});
    auto c = server.client();
    const Json health = json_of(c.Get("/api/health"));
    EXPECT_EQ(health.at("ok"), true);

    // Harmonize: the soprano is the melody note for note.
    const std::string melody = slurp(kMelody);
    auto r = c.Post("/api/harmonize?seed=1&sweeps=2", melody, kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Json h = json_of(r);
    const Chorale harmonized = chorale_of(h);
    const Chorale tune = melody_chorale(parse_musicxml(melody));
    ASSERT_EQ(harmonized.num_ticks, tune.num_ticks);
    for (int t = 0; t < tune.num_ticks; ++t) EXPECT_EQ(harmonized.at(kSoprano, t), tune.at(kSoprano, t)) << t;
    EXPECT_EQ(h.at("seed"), 1);
    EXPECT_TRUE(h.at("stats").contains("parallel_fifths"));
    // The same request again: the same music (seeded).
    const Json again = json_of(c.Post("/api/harmonize?seed=1&sweeps=2", melody, kXml));
    EXPECT_EQ(again.at("musicxml"), h.at("musicxml"));

    // Reharmonize bars 2-3, alto, tenor and bass: nothing else changes (a
    // note held over the region's end may be struck again just after it,
    // with the pitch it had).
    const std::string four = h.at("musicxml").get<std::string>();
    r = c.Post("/api/reharmonize?bars=2-3&voices=ATB&seed=5&sweeps=2", four, kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Chorale re = chorale_of(json_of(r));
    const Region region = parse_region(harmonized, "2-3:ATB");
    auto heard = [](const Chorale& ch, int v, int t) {
        while (t > 0 && ch.at(v, t) == token::kHold) --t;
        return ch.at(v, t);
    };
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < re.num_ticks; ++t) {
            const bool redrawn = region.voices[static_cast<size_t>(v)];
            if (redrawn && region.ticks.contains(t)) continue;
            EXPECT_EQ(heard(re, v, t), heard(harmonized, v, t)) << voice_name(v) << " tick " << t;
            if (!(redrawn && t == region.ticks.end && harmonized.at(v, t) == token::kHold))
                EXPECT_EQ(re.at(v, t), harmonized.at(v, t)) << voice_name(v) << " tick " << t;
        }

    // Generate 4 bars in g minor with a fixed note, then evaluate it.
    r = c.Post("/api/generate?bars=4&key=g%20minor&fix=bass:1:G2&sweeps=2&seed=3", "", kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Json g = json_of(r);
    const Chorale generated = chorale_of(g);
    EXPECT_EQ(generated.num_ticks, 64);
    EXPECT_EQ(generated.at(kBass, 0), token::parse("G2"));
    r = c.Post("/api/evaluate", g.at("musicxml").get<std::string>(), kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Json e = json_of(r);
    EXPECT_EQ(e.at("ticks"), 64);
    EXPECT_EQ(e.at("stats"), g.at("stats"));
    EXPECT_TRUE(e.at("faults").is_array());
}

TEST(Serve, RefusesWhatItMustAndKeepsServing) {
    cli::ServeOptions o;
    o.max_body = 100000;
    o.max_seconds = 1;
    o.jobs = 1;
    Running server(o);
    auto c = server.client();
    const std::string melody = slurp(kMelody);
    auto expect_error = [](const httplib::Result& r, int status, const std::string& says) {
        ASSERT_TRUE(r) << says;
        EXPECT_EQ(r->status, status) << r->body;
        const Json j = Json::parse(r->body);
        ASSERT_TRUE(j.contains("error")) << r->body;
        EXPECT_NE(j.at("error").get<std::string>().find(says), std::string::npos) << j.at("error");
    };
    // Malformed input: the library's own message, 400.
    expect_error(c.Post("/api/harmonize", "<score-partwise><part>", kXml), 400, "not well-formed");
    expect_error(c.Post("/api/harmonize", "", kXml), 400, "MusicXML");
    expect_error(c.Post("/api/harmonize?sweeps=abc", melody, kXml), 400, "sweeps");
    expect_error(c.Post("/api/harmonize?swepes=3", melody, kXml), 400, "unknown option 'swepes'");
    expect_error(c.Post("/api/harmonize?fix=bass:99:G2", melody, kXml), 400, "bar 99");
    expect_error(c.Post("/api/harmonize?sweeps=100000", melody, kXml), 400, "at most");
    expect_error(c.Post("/api/generate?bars=0", "", kXml), 400, "bars");
    expect_error(c.Post("/api/reharmonize", melody, kXml), 400, "bars=");
    // Too big, no such endpoint.
    expect_error(c.Post("/api/harmonize", std::string(200000, ' '), kXml), 413, "limit");
    expect_error(c.Get("/api/nothing"), 404, "no such endpoint");
    // Busy: one job at a time; a long one is cancelled at max_seconds.
    int slow_status = 0;
    std::string slow_body;
    std::thread first([&] {
        auto mine = server.client();
        const auto slow = mine.Post("/api/harmonize?sweeps=256&seed=2", melody, kXml);
        if (slow) {
            slow_status = slow->status;
            slow_body = slow->body;
        }
    });
    bool started = false;
    for (int i = 0; i < 200 && !started; ++i) {
        const auto h = c.Get("/api/health");
        started = h && Json::parse(h->body).at("running") == 1;
        if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(started) << "the first job never ran";
    const auto busy = c.Post("/api/harmonize?sweeps=2", melody, kXml);
    expect_error(busy, 503, "busy");
    ASSERT_TRUE(busy);
    EXPECT_EQ(busy->get_header_value("Retry-After"), "1");
    first.join();
    EXPECT_EQ(slow_status, 503) << slow_body;
    EXPECT_NE(slow_body.find("longer than 1 s"), std::string::npos) << slow_body;
    // And it still serves.
    const auto fine = c.Post("/api/harmonize?sweeps=1&seed=4", melody, kXml);
    ASSERT_TRUE(fine);
    EXPECT_EQ(fine->status, 200) << fine->body;
}

// The page's files (ServeOptions::web_dir): served as they are, scripts
// never compressed on the fly (cpp-httplib Brotli-compresses text answers,
// tens of seconds for Verovio's 7 MB module), nothing outside the folder.
TEST(Serve, ServesThePageAndNothingElse) {
    const auto web = std::filesystem::temp_directory_path() / ("deepbach-web-" + std::to_string(::getpid()));
    std::filesystem::create_directories(web / "node_modules" / "verovio" / "dist");
    auto write = [](const std::filesystem::path& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    };
    write(web / "index.html", "<!doctype html><title>studio</title>");
    write(web / "app.js", "console.log('studio');");
    write(web / "package.json", "{}");
    const std::string big(3u << 20, 'x');  // a module the size of Verovio's, near enough
    write(web / "node_modules" / "verovio" / "dist" / "verovio-module.mjs", big);
    {
        cli::ServeOptions o;
        o.web_dir = web.string();
        Running server(o);
        auto c = server.client();
        c.set_decompress(false);
        const httplib::Headers br{{"Accept-Encoding", "br, gzip"}};
        auto r = c.Get("/", br);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
        r = c.Get("/app.js", br);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_EQ(r->get_header_value("Content-Type"), "application/javascript; charset=utf-8");
        EXPECT_FALSE(r->has_header("Content-Encoding"));
        EXPECT_EQ(r->body, "console.log('studio');");
        const auto t0 = std::chrono::steady_clock::now();
        r = c.Get("/verovio/verovio-module.mjs", br);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, 200);
        EXPECT_FALSE(r->has_header("Content-Encoding"));
        EXPECT_EQ(r->body.size(), big.size());
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
        for (const char* path : {"/package.json", "/nothing.js", "/verovio/verovio.mjs", "/../index.html",
                                 "/node_modules/verovio/dist/verovio-module.mjs"}) {
            r = c.Get(path);
            ASSERT_TRUE(r) << path;
            EXPECT_EQ(r->status, 404) << path;
        }
        EXPECT_EQ(json_of(c.Get("/api/health")).at("page"), true);
    }
    std::filesystem::remove_all(web);
    // Without the page: GET / says where it was looked for; the API works.
    cli::ServeOptions o;
    o.web_missing = "looked at /nowhere";
    Running server(o);
    auto c = server.client();
    const auto r = c.Get("/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    EXPECT_NE(r->body.find("looked at /nowhere"), std::string::npos) << r->body;
    EXPECT_EQ(json_of(c.Get("/api/health")).at("page"), false);
}

// What the page asks besides the command's options: a score as MIDI or
// MusicXML, notes fixed to the tick (note=), and cancelling its own job.
TEST(Serve, ConvertsFixesNotesAndCancelsJobs) {
    Running server(cli::ServeOptions{});
    auto c = server.client();
    const std::string melody = slurp(kMelody);
    auto r = c.Post("/api/convert?format=midi", melody, kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "audio/midi");
    EXPECT_EQ(r->body, to_midi(parse_musicxml(melody)));
    r = c.Post("/api/convert?format=musicxml", melody, kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->body, to_musicxml(parse_musicxml(melody)));
    r = c.Post("/api/convert?format=pdf", melody, kXml);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_NE(json_of(r).at("error").get<std::string>().find("format 'pdf'"), std::string::npos);

    // note=alto:4-8:D4: the alto's first full-bar quarter, then kept when bars 1-2 are redrawn.
    const Token d4 = parse_fix_token("D4");
    r = c.Post("/api/harmonize?seed=3&sweeps=2&note=alto:4-8:D4", melody, kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Json h = json_of(r);
    const Chorale harmonized = chorale_of(h);
    EXPECT_EQ(harmonized.at(kAlto, 4), d4);
    for (int t = 5; t < 8; ++t) EXPECT_EQ(harmonized.at(kAlto, t), token::kHold) << t;
    r = c.Post("/api/reharmonize?bars=1-2&voices=ATB&seed=9&sweeps=2&note=alto:4-8:D4",
               h.at("musicxml").get<std::string>(), kXml);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const Chorale re = chorale_of(json_of(r));
    EXPECT_EQ(re.at(kAlto, 4), d4);
    for (int t = 5; t < 8; ++t) EXPECT_EQ(re.at(kAlto, t), token::kHold) << t;
    for (const char* bad : {"note=alto:4-999:D4", "note=x:4-8:D4", "note=alto:8-4:D4", "note=alto:4-8:H4",
                            "note=alto:4:D4", "note=SA:4-8:D4"}) {
        r = c.Post(std::string("/api/harmonize?") + bad, melody, kXml);
        ASSERT_TRUE(r) << bad;
        EXPECT_EQ(r->status, 400) << bad;
        EXPECT_NE(json_of(r).at("error").get<std::string>().find("note '"), std::string::npos) << r->body;
    }

    // A job that names itself is cancelled at once, and its slot is free again.
    int slow_status = 0;
    std::string slow_body;
    std::thread slow([&] {
        auto mine = server.client();
        const auto answer = mine.Post("/api/harmonize?sweeps=256&chains=16&seed=2&job=page-1", melody, kXml);
        if (answer) {
            slow_status = answer->status;
            slow_body = answer->body;
        }
    });
    bool started = false;
    for (int i = 0; i < 400 && !started; ++i) {
        const auto health = c.Get("/api/health");
        started = health && Json::parse(health->body).at("running") == 1;
        if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_TRUE(started) << "the job never ran";
    const auto t0 = std::chrono::steady_clock::now();
    EXPECT_EQ(json_of(c.Post("/api/cancel?job=page-2", "", kXml)).at("cancelled"), false);
    EXPECT_EQ(json_of(c.Post("/api/cancel?job=page-1", "", kXml)).at("cancelled"), true);
    slow.join();
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 10.0);
    EXPECT_EQ(slow_status, 503) << slow_body;
    EXPECT_NE(slow_body.find("cancelled: the client asked"), std::string::npos) << slow_body;
    EXPECT_EQ(json_of(c.Get("/api/health")).at("running"), 0);
    r = c.Post("/api/cancel", "", kXml);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
}

TEST(Serve, ABurstOfMixedClientsEachGetsItsRightAnswer) {
    // 32 clients at once, 6 requests each, mixing good requests (health,
    // evaluate, a short generation), malformed ones, bodies over the limit
    // and unknown paths: every good one gets its right answer (or, for a
    // sampling job beyond --jobs, a clear busy), every bad one its error,
    // and the server is still there afterwards. (With cpp-httplib's own
    // listen backlog of 5, 2-30 of these 192 requests lost their connection.)
    cli::ServeOptions o;
    o.jobs = 2;
    o.max_body = 200000;
    Running server(o);
    // A four-part chorale to evaluate: one the server writes.
    std::string chorale;
    const Json expected_stats = [&] {
        auto c = server.client();
        const auto g = c.Post("/api/generate?bars=4&sweeps=1&seed=9", "", kXml);
        EXPECT_TRUE(g && g->status == 200);
        if (!g || g->status != 200) return Json();
        chorale = Json::parse(g->body).at("musicxml").get<std::string>();
        const auto r = c.Post("/api/evaluate", chorale, kXml);
        EXPECT_TRUE(r && r->status == 200);
        return r ? Json::parse(r->body).at("stats") : Json();
    }();
    ASSERT_FALSE(expected_stats.is_null());
    constexpr int kClients = 32, kEach = 6;
    std::vector<std::string> wrong(kClients);
    std::vector<int> generated(kClients, 0), busy(kClients, 0);
    std::vector<std::thread> clients;
    for (int i = 0; i < kClients; ++i)
        clients.emplace_back([&, i] {
            auto c = server.client();
            for (int k = 0; k < kEach; ++k) {
                const int kind = (i + k) % 6;
                httplib::Result r =
                    kind == 0   ? c.Get("/api/health")
                    : kind == 1 ? c.Post("/api/evaluate", chorale, kXml)
                    : kind == 2 ? c.Post("/api/evaluate", "<score-partwise>", kXml)
                    : kind == 3 ? c.Post("/api/evaluate", std::string(300000, 'x'), kXml)
                    : kind == 4 ? c.Get("/api/none")
                                : c.Post("/api/generate?bars=2&sweeps=1&seed=" + std::to_string(i), "", kXml);
                if (!r) {
                    wrong[static_cast<size_t>(i)] += "no answer to kind " + std::to_string(kind) + " (" +
                                                     httplib::to_string(r.error()) + "); ";
                    continue;
                }
                Json j;
                try {
                    j = Json::parse(r->body);
                } catch (...) {
                    wrong[static_cast<size_t>(i)] += "not JSON: " + r->body.substr(0, 80) + "; ";
                    continue;
                }
                bool ok = false;
                switch (kind) {
                    case 0:
                        ok = r->status == 200 && j.at("ok") == true;
                        break;
                    case 1:
                        ok = r->status == 200 && j.at("stats") == expected_stats;
                        break;
                    case 2:
                        ok = r->status == 400 && j.contains("error");
                        break;
                    case 3:
                        ok = r->status == 413 && j.contains("error");
                        break;
                    case 4:
                        ok = r->status == 404 && j.contains("error");
                        break;
                    default:
                        if (r->status == 503 && j.at("error").get<std::string>().find("busy") == 0) {
                            ++busy[static_cast<size_t>(i)];
                            ok = true;
                        } else if (r->status == 200) {
                            ok = chorale_of(j).num_ticks == 32;
                            ++generated[static_cast<size_t>(i)];
                        }
                }
                if (!ok)
                    wrong[static_cast<size_t>(i)] += "kind " + std::to_string(kind) + " got " +
                                                     std::to_string(r->status) + " " +
                                                     r->body.substr(0, 120) + "; ";
            }
        });
    for (auto& t : clients) t.join();
    for (int i = 0; i < kClients; ++i) EXPECT_EQ(wrong[static_cast<size_t>(i)], "") << "client " << i;
    int total_generated = 0;
    for (int g : generated) total_generated += g;
    EXPECT_GT(total_generated, 0) << "some generation got through";
    auto c = server.client();
    const auto after = c.Get("/api/health");
    ASSERT_TRUE(after);
    EXPECT_EQ(Json::parse(after->body).at("running"), 0);
}

// GET /api/progress?job=ID: a long job's progress rises while it runs, from
// the library's progress callback; cancelled, it is running no more.
TEST(Serve, ReportsAJobsProgressAndCancelsIt) {
    Running server(cli::ServeOptions{});
    auto c = server.client();
    const std::string melody = slurp(kMelody);

    // A job that is not running (never named, finished): 200, running false.
    Json p = json_of(c.Get("/api/progress?job=nothing"));
    EXPECT_EQ(p.at("job"), "nothing");
    EXPECT_EQ(p.at("running"), false);
    auto r = c.Get("/api/progress");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;
    r = c.Get("/api/progress?job=a&swepes=2");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400) << r->body;

    int long_status = 0;
    std::string long_body;
    std::thread job([&] {
        auto mine = server.client();
        const auto answer = mine.Post("/api/harmonize?sweeps=256&seed=2&job=long", melody, kXml);
        if (answer) {
            long_status = answer->status;
            long_body = answer->body;
        }
    });
    std::vector<double> seen;
    std::size_t total = 0;
    const bool rose = within(60, [&] {
        const auto answer = c.Get("/api/progress?job=long");
        if (!answer || answer->status != 200) return false;
        const Json q = Json::parse(answer->body);
        if (!q.at("running").get<bool>() || q.at("total").get<std::size_t>() == 0) return false;
        EXPECT_EQ(q.at("what"), "harmonize");
        EXPECT_LE(q.at("done").get<std::size_t>(), q.at("total").get<std::size_t>());
        total = q.at("total").get<std::size_t>();
        const double f = q.at("fraction").get<double>();
        EXPECT_GE(f, 0.0);
        EXPECT_LE(f, 1.0);
        if (seen.empty() || f != seen.back()) seen.push_back(f);
        return seen.size() >= 3;
    });
    ASSERT_TRUE(rose) << "progress seen: " << seen.size() << " values";
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);
    EXPECT_LT(seen.back(), 1.0) << "the job ended before it could be cancelled";
    EXPECT_GT(total, 100u);
    EXPECT_EQ(json_of(c.Post("/api/cancel?job=long", "", kXml)).at("cancelled"), true);
    job.join();
    EXPECT_EQ(long_status, 503) << long_body;
    EXPECT_NE(long_body.find("cancelled: the client asked"), std::string::npos) << long_body;
    p = json_of(c.Get("/api/progress?job=long"));
    EXPECT_EQ(p.at("running"), false);
    EXPECT_EQ(json_of(c.Get("/api/health")).at("running"), 0);
}

// A client that closes its connection without a word: its job stops within
// a sampler iteration (the server looks at the request's socket), named or
// not, and its slot is free again.
TEST(Serve, CancelsAJobWhoseClientGoesAway) {
    Running server(cli::ServeOptions{});
    auto c = server.client();
    const std::string melody = slurp(kMelody);
    auto running = [&] {
        const auto h = c.Get("/api/health");
        return h ? Json::parse(h->body).at("running").get<int>() : -1;
    };
    for (const char* target : {"/api/harmonize?sweeps=256&chains=4&seed=3&job=gone",
                               "/api/harmonize?sweeps=256&chains=4&seed=3"}) {
        const int fd = send_raw(server.port(), target, melody);
        ASSERT_GE(fd, 0) << "cannot connect";
        // Running, some iterations done.
        ASSERT_TRUE(within(60, [&] { return running() == 1; })) << target;
        if (std::string(target).find("job=") != std::string::npos)
            ASSERT_TRUE(within(60, [&] {
                const Json q = json_of(c.Get("/api/progress?job=gone"));
                return q.at("running").get<bool>() && q.at("done").get<std::size_t>() > 0;
            }));
        const auto t0 = std::chrono::steady_clock::now();
        ::close(fd);
        EXPECT_TRUE(within(5, [&] { return running() == 0; })) << target << ": the job went on";
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        EXPECT_LT(took, 2.0) << target;
        EXPECT_EQ(json_of(c.Get("/api/progress?job=gone")).at("running"), false);
    }
    // The server serves on.
    const auto r = c.Post("/api/harmonize?sweeps=1&seed=1", melody, kXml);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
}
