// What the sampler's choices buy: harmonizes the sopranos of validation
// chorales with a trained model under several schedules and budgets, and
// reports the model's own pseudo-log-likelihood of the results (per free
// cell, higher is better), how often alto, tenor and bass agree with Bach's
// notes, and the time.
//
//   bench_sampler_quality MODEL [CORPUS] [--chorales N] [--bars B] [--threads N]
//
// Window models: the shuffled sweep against the reference's uniform choice
// of 8 positions, at 1/4, 1/2 and all of the default iterations. Full
// models: the same, then 4 to 64 positions per pass at equal redraws per
// cell. The chorales are the validation part of the split the model's
// training seed gives. Human-readable lines, then one JSON object.
#include <deepbach/deepbach.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

struct Row {
    std::string schedule;
    int positions = 0;
    double budget = 1;  ///< fraction of the default iterations
    double pll = 0, agreement = 0, seconds = 0;
    int iterations = 0;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: bench_sampler_quality MODEL [CORPUS] [--chorales N] [--bars B] [--threads N]\n");
        return 2;
    }
    std::string corpus_dir = DEEPBACH_CORPUS_DIR;
    int chorales = 8, bars = 4, threads = 1;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--chorales" && i + 1 < argc)
            chorales = std::atoi(argv[++i]);
        else if (a == "--bars" && i + 1 < argc)
            bars = std::atoi(argv[++i]);
        else if (a == "--threads" && i + 1 < argc)
            threads = std::atoi(argv[++i]);
        else
            corpus_dir = a;
    }
    try {
        auto model = std::make_shared<const Model>(Model::load(argv[1]));
        const Corpus corpus = load_corpus(corpus_dir);
        const Split split = split_chorales(static_cast<int>(corpus.chorales.size()), model->training.seed);
        std::vector<Chorale> pieces;
        for (int i : split.valid) {
            if (static_cast<int>(pieces.size()) == chorales) break;
            Chorale c = first_bars(corpus.chorales[static_cast<size_t>(i)], bars);
            // Bach's notes must be in the model's vocabularies to be compared.
            bool ok = true;
            for (int v = 0; v < kNumVoices && ok; ++v)
                for (int t = 0; t < c.num_ticks && ok; ++t)
                    ok = model->vocabularies[static_cast<size_t>(v)].contains(c.at(v, t));
            if (ok) pieces.push_back(std::move(c));
        }
        std::vector<Row> rows;
        auto run = [&](const std::string& schedule, int positions, double budget) {
            Row r{schedule, positions, budget};
            for (size_t p = 0; p < pieces.size(); ++p) {
                SamplingOptions o;
                o.model = model;
                o.seed = 1000 + p;
                o.schedule = parse_schedule(schedule);
                o.positions = positions;
                o.threads = threads;
                Constraints k;
                k.regions.push_back(Region{{0, pieces[p].num_ticks}, {false, true, true, true}});
                // The default redraws per cell (DeepBach: 500 x 8 on 64 ticks), scaled by the budget.
                const double redraws = 500.0 * 8.0 / 64.0 * pieces[p].num_ticks;
                o.iterations =
                    std::max(1, static_cast<int>(budget * redraws / (positions > 0 ? positions : 8) + 0.5));
                const Harmonization h = harmonize(to_score(pieces[p]), k, o);
                int same = 0, cells = 0;
                for (int v = 1; v < kNumVoices; ++v)
                    for (int t = 0; t < pieces[p].num_ticks; ++t, ++cells)
                        same += h.chorale.at(v, t) == pieces[p].at(v, t);
                r.pll += h.pseudo_log_likelihood / static_cast<double>(pieces.size());
                r.agreement += static_cast<double>(same) / cells / static_cast<double>(pieces.size());
                r.seconds += h.seconds;
                r.iterations = h.iterations;
            }
            fmt::print(
                "{:<8} positions {:>2}  budget {:>4.2f}  iterations {:>4}  pll {:8.4f}  agree {:6.3f}  "
                "{:6.2f} s\n",
                r.schedule, r.positions, r.budget, r.iterations, r.pll, r.agreement, r.seconds);
            std::fflush(stdout);
            rows.push_back(r);
        };
        const bool full_mode = model->config.mode == ContextMode::full;
        fmt::print("{} chorales of {} bars (validation split, seed {}), {} mode\n", pieces.size(), bars,
                   model->training.seed, to_string(model->config.mode));
        for (double budget : {0.25, 0.5, 1.0})
            for (const char* schedule : {"uniform", "sweep"}) run(schedule, 8, budget);
        if (full_mode)
            for (int positions : {4, 16, 32, 64}) run("sweep", positions, 1.0);
        nlohmann::json out{{"benchmark", "sampler_quality"},
                           {"mode", to_string(model->config.mode)},
                           {"chorales", pieces.size()},
                           {"bars", bars},
                           {"rows", nlohmann::json::array()}};
        for (const Row& r : rows)
            out["rows"].push_back({{"schedule", r.schedule},
                                   {"positions", r.positions},
                                   {"budget", r.budget},
                                   {"iterations", r.iterations},
                                   {"pll", r.pll},
                                   {"agreement", r.agreement},
                                   {"seconds", r.seconds}});
        std::printf("%s\n", out.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_sampler_quality: %s\n", e.what());
        return 1;
    }
}
