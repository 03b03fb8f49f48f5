// Quality against time: harmonizes the sopranos of validation chorales with
// a trained model at sampling budgets from a few sweeps to many, the model
// alone (voice-leading guide off) and with the default guide, and reports
// for each budget the seconds per chorale beside the musical statistics of
// the model card: parallel, contrary and hidden fifths and octaves per
// chorale, the share of notes out of the key, notes out of range, the
// model's own pseudo-log-likelihood and the agreement with Bach's lower
// voices. Bach's own figures on the same chorales come first. The sampler's
// default budget (defaults::kSweeps) is chosen on this curve.
//
//   bench_quality_time MODEL [CORPUS] [--chorales N] [--bars B] [--sweeps 1,2,4,...]
//                      [--threads N] [--svg FILE] [--json]
//
// --bars 0 (the default) takes whole chorales. Human-readable rows, then one
// JSON object (with --json, only the JSON).
#include "bench_common.hpp"

#include <deepbach/deepbach.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

struct Row {
    int sweeps = 0;  ///< 0: Bach's own chorales
    double voice_leading = 0;
    double seconds = 0;  ///< per chorale, sampling
    double pll = 0;
    double agreement = 0;
    VoiceLeadingSummary stats;
};

nlohmann::json to_json(const Row& r) {
    const VoiceLeadingSummary& s = r.stats;
    const VoiceLeadingStats& t = s.total;
    nlohmann::json j{{"sweeps", r.sweeps},
                     {"voice_leading", r.voice_leading},
                     {"chorales", s.chorales},
                     {"parallels", s.per_chorale(t.parallels())},
                     {"contrary_fifths", s.per_chorale(t.contrary_fifths)},
                     {"contrary_octaves", s.per_chorale(t.contrary_octaves)},
                     {"hidden_fifths", s.per_chorale(t.hidden_fifths)},
                     {"hidden_octaves", s.per_chorale(t.hidden_octaves)},
                     {"out_of_range", s.per_chorale(t.out_of_range)},
                     {"out_of_key_share", t.notes > 0 ? static_cast<double>(t.out_of_key) / t.notes : 0.0},
                     {"events", s.per_chorale(t.events)}};
    if (r.sweeps > 0) {
        j["seconds_per_chorale"] = r.seconds;
        j["pseudo_log_likelihood"] = r.pll;
        j["agreement"] = r.agreement;
    }
    return j;
}

void print_row(const Row& r) {
    const nlohmann::json j = to_json(r);
    const std::string who = r.sweeps == 0 ? std::string("Bach") : fmt::format("{} sweeps", r.sweeps);
    fmt::print(
        "{:<10} vl {:<3g} {:>7} s  parallels {:5.2f}  contrary 5/8 {:4.2f} {:4.2f}  hidden 5/8 {:4.2f} "
        "{:4.2f}  out of key {:5.3f}  range {:4.2f}  events {:6.1f}",
        who, r.voice_leading, r.sweeps == 0 ? std::string("-") : fmt::format("{:.2f}", r.seconds),
        j["parallels"].get<double>(), j["contrary_fifths"].get<double>(), j["contrary_octaves"].get<double>(),
        j["hidden_fifths"].get<double>(), j["hidden_octaves"].get<double>(),
        j["out_of_key_share"].get<double>(), j["out_of_range"].get<double>(), j["events"].get<double>());
    if (r.sweeps > 0) fmt::print("  pll {:7.4f}  agree {:5.3f}", r.pll, r.agreement);
    fmt::print("\n");
    std::fflush(stdout);
}

/// Two panels against the seconds per chorale (log scale): the
/// pseudo-log-likelihood, and parallels per chorale (Bach's as a line).
std::string chart(const std::vector<Row>& rows, const Row& bach) {
    constexpr double W = 360, H = 240, L = 56, B = 40, T = 28;
    double smin = 1e9, smax = 0, pmin = 0, pmax = -1e9,
           qmax = bach.stats.per_chorale(bach.stats.total.parallels());
    for (const Row& r : rows) {
        smin = std::min(smin, r.seconds);
        smax = std::max(smax, r.seconds);
        pmin = std::min(pmin, r.pll);
        pmax = std::max(pmax, r.pll);
        qmax = std::max(qmax, r.stats.per_chorale(r.stats.total.parallels()));
    }
    pmin = std::floor(pmin * 10) / 10;
    pmax = 0;
    qmax = std::ceil(qmax + 0.5);
    const double lx0 = std::log2(std::max(1e-3, smin)) - 0.3, lx1 = std::log2(std::max(1e-3, smax)) + 0.3;
    std::ostringstream s;
    s << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << 2 * W << R"(" height=")" << H
      << R"(" font-family="sans-serif" font-size="11">)"
      << "\n";
    auto panel = [&](int k, const std::string& title, double y0, double y1, auto value, bool bach_line) {
        const double ox = k * W;
        auto X = [&](double sec) { return ox + L + (std::log2(sec) - lx0) / (lx1 - lx0) * (W - L - 16); };
        auto Y = [&](double v) { return T + (1 - (v - y0) / (y1 - y0)) * (H - T - B); };
        s << fmt::format(R"(<text x="{}" y="16" font-weight="bold">{}</text>)", ox + L, title) << "\n";
        s << fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#999"/>)", ox + L,
                         T, W - L - 16, H - T - B)
          << "\n";
        for (int i = 0; i <= 4; ++i) {
            const double v = y0 + (y1 - y0) * i / 4;
            s << fmt::format(R"(<text x="{}" y="{}" text-anchor="end">{:.2f}</text>)", ox + L - 4, Y(v) + 4,
                             v)
              << "\n";
        }
        for (double sec = std::exp2(std::ceil(lx0)); sec <= std::exp2(lx1); sec *= 2)
            s << fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">{:g}</text>)", X(sec), H - B + 14,
                             sec)
              << "\n";
        s << fmt::format(R"(<text x="{}" y="{}" text-anchor="middle">seconds per chorale (one core)</text>)",
                         ox + L + (W - L - 16) / 2, H - 8)
          << "\n";
        if (bach_line) {
            const double b = bach.stats.per_chorale(bach.stats.total.parallels());
            s << fmt::format(
                     R"(<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#555" stroke-dasharray="4 3"/><text x="{}" y="{}" fill="#555">Bach</text>)",
                     ox + L, ox + W - 16, Y(b), Y(b), ox + W - 48, Y(b) - 4)
              << "\n";
        }
        for (double vl : {0.0, 1.0}) {
            const char* colour = vl == 0 ? "#c0392b" : "#2471a3";
            std::string points;
            for (const Row& r : rows)
                if (r.voice_leading == vl) points += fmt::format("{:.1f},{:.1f} ", X(r.seconds), Y(value(r)));
            s << fmt::format(R"(<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>)", points,
                             colour)
              << "\n";
            for (const Row& r : rows)
                if (r.voice_leading == vl)
                    s << fmt::format(
                             R"(<circle cx="{:.1f}" cy="{:.1f}" r="3" fill="{}"/><text x="{:.1f}" y="{:.1f}" fill="{}" font-size="9">{}</text>)",
                             X(r.seconds), Y(value(r)), colour, X(r.seconds) + 4, Y(value(r)) - 4, colour,
                             r.sweeps)
                      << "\n";
        }
        s << fmt::format(
                 R"(<text x="{}" y="{}" fill="#c0392b">model alone</text><text x="{}" y="{}" fill="#2471a3">default (guide on)</text>)",
                 ox + L + 8, T + 14, ox + L + 8, T + 28)
          << "\n";
    };
    panel(
        0, "pseudo-log-likelihood per cell", pmin, pmax, [](const Row& r) { return r.pll; }, false);
    panel(
        1, "parallel fifths + octaves per chorale", 0, qmax,
        [](const Row& r) { return r.stats.per_chorale(r.stats.total.parallels()); }, true);
    s << "</svg>\n";
    return s.str();
}

}  // namespace

int main(int argc, char** argv) {
    const std::string usage =
        "bench_quality_time MODEL [CORPUS] [--chorales N] [--bars B] [--sweeps LIST] [--threads N] "
        "[--svg FILE] [--json]";
    try {
        std::vector<std::string> positional;
        int chorales = 12, bars = 0, threads = 1;
        std::vector<int> sweeps = {1, 2, 4, 8, 16, 32, 64};
        std::string svg;
        const bool json = bench::parse_command_line(
            argc, argv, usage,
            {{"chorales",
              [&](const std::string& v) { chorales = static_cast<int>(parse_count("chorales", v, 1)); }},
             {"bars", [&](const std::string& v) { bars = static_cast<int>(parse_count("bars", v, 0)); }},
             {"threads",
              [&](const std::string& v) {
                  threads = static_cast<int>(parse_count("threads", v, 0, defaults::kMaxThreads));
              }},
             {"svg", [&](const std::string& v) { svg = v; }},
             {"sweeps",
              [&](const std::string& v) {
                  sweeps.clear();
                  std::stringstream in(v);
                  for (std::string item; std::getline(in, item, ',');)
                      sweeps.push_back(static_cast<int>(parse_count("sweeps", item, 1)));
              }}},
            [&](const std::string& p) { positional.push_back(p); });
        if (positional.empty() || positional.size() > 2) throw Error("usage: " + usage);
        auto model = std::make_shared<const Model>(Model::load(positional[0]));
        const std::string corpus = positional.size() > 1 ? positional[1] : DEEPBACH_CORPUS_DIR;
        LoadedChorales loaded =
            load_chorales({corpus}, SplitPart::validation, model->training.seed, chorales, threads);
        if (bars > 0)
            for (auto& c : loaded.chorales) c.chorale = first_bars(c.chorale, bars);
        if (!json)
            fmt::print("{} validation chorales{} (split seed {}), model {}\n", loaded.chorales.size(),
                       bars > 0 ? fmt::format(", first {} bars", bars) : std::string(), model->training.seed,
                       positional[0]);
        std::vector<Row> rows;
        Row bach;
        for (double vl : {0.0, 1.0}) {
            for (int s : sweeps) {
                HarmonizationEvaluationOptions o;
                o.sampling.model = model;
                o.sampling.seed = defaults::kSeed;
                o.sampling.sweeps = s;
                o.sampling.voice_leading = vl;
                o.sampling.threads = threads;
                const HarmonizationEvaluation e = evaluate_harmonizations(loaded.chorales, o);
                Row r;
                r.sweeps = s;
                r.voice_leading = vl;
                r.stats = e.generated;
                r.agreement = e.agreement.lower_pitch();
                for (const auto& h : e.results) {
                    r.seconds += h.seconds / static_cast<double>(e.results.size());
                    r.pll += h.pseudo_log_likelihood / static_cast<double>(e.results.size());
                }
                if (bach.stats.chorales == 0) {
                    bach.stats = e.bach;
                    if (!json) print_row(bach);
                }
                if (!json) print_row(r);
                rows.push_back(r);
            }
        }
        nlohmann::json out{{"benchmark", "quality_time"},
                           {"model", positional[0]},
                           {"chorales", loaded.chorales.size()},
                           {"bars", bars},
                           {"threads", threads},
                           {"bach", to_json(bach)},
                           {"rows", nlohmann::json::array()}};
        for (const Row& r : rows) out["rows"].push_back(to_json(r));
        if (!svg.empty()) {
            const std::string tmp = svg + ".tmp";
            {
                std::ofstream f(tmp);
                f << chart(rows, bach);
                if (!f) throw Error(tmp + ": cannot write");
            }
            if (std::rename(tmp.c_str(), svg.c_str()) != 0) throw Error(svg + ": cannot write");
        }
        std::printf("%s\n", out.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_quality_time: %s\n", e.what());
        return 1;
    }
}
