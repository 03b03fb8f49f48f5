// How the sampler's cost grows: seconds of `generate` with a trained model
// against the length (4 to 64 bars), the chains sampled together (1 to 16)
// and the threads (1 and 2), at a fixed budget in sweeps. Every row also
// gives the seconds per sweep and per bar, so linear growth shows as a flat
// column.
//
//   bench_cost_growth MODEL [--sweeps N] (2) [--bars LIST] (4,8,16,32,64)
//                     [--chains LIST] (1,2,4,8,16) [--threads LIST] (1,2) [--json]
//
// Lengths run with 1 chain; chains on 8 bars; each on every thread count.
// Human-readable rows, then one JSON object (with --json, only the JSON).
#include "bench_common.hpp"

#include <deepbach/deepbach.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

std::vector<int> list_of(const std::string& name, const std::string& text, long long max) {
    std::vector<int> out;
    std::stringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        out.push_back(static_cast<int>(parse_count(name, item, 1, max)));
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string usage =
        "bench_cost_growth MODEL [--sweeps N] [--bars LIST] [--chains LIST] [--threads LIST] [--json]";
    try {
        std::string model_path;
        int sweeps = 2;
        std::vector<int> bars = {4, 8, 16, 32, 64}, chains = {1, 2, 4, 8, 16}, threads = {1, 2};
        const bool json = bench::parse_command_line(
            argc, argv, usage,
            {{"sweeps",
              [&](const std::string& v) { sweeps = static_cast<int>(parse_count("sweeps", v, 1)); }},
             {"bars", [&](const std::string& v) { bars = list_of("bars", v, 1024); }},
             {"chains", [&](const std::string& v) { chains = list_of("chains", v, defaults::kMaxChains); }},
             {"threads",
              [&](const std::string& v) { threads = list_of("threads", v, defaults::kMaxThreads); }}},
            [&](const std::string& p) { model_path = p; });
        if (model_path.empty()) throw Error("usage: " + usage);
        auto model = std::make_shared<const Model>(Model::load(model_path));
        nlohmann::json rows = nlohmann::json::array();
        auto run = [&](int b, int c, int t) {
            PieceShape shape;
            shape.bars = b;
            SamplingOptions o;
            o.model = model;
            o.sweeps = sweeps;
            o.chains = c;
            o.threads = t;
            const auto start = std::chrono::steady_clock::now();
            const Harmonization h = generate(shape, {}, o);
            const double seconds =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            nlohmann::json r{
                {"bars", b},
                {"chains", c},
                {"threads", t},
                {"sweeps", sweeps},
                {"passes", h.iterations},
                {"seconds", bench::rounded(seconds, 4)},
                {"seconds_per_sweep", bench::rounded(seconds / sweeps, 4)},
                {"ms_per_bar_and_sweep", bench::rounded(1e3 * seconds / sweeps / b, 3)},
                {"ms_per_chain_bar_and_sweep", bench::rounded(1e3 * seconds / sweeps / b / c, 3)}};
            if (!json)
                fmt::print(
                    "{:>3} bars  {:>2} chains  {} thread(s)  {:>4} passes  {:8.3f} s  {:7.3f} ms per bar "
                    "and sweep  {:7.3f} per chain too\n",
                    b, c, t, h.iterations, seconds, r["ms_per_bar_and_sweep"].get<double>(),
                    r["ms_per_chain_bar_and_sweep"].get<double>());
            std::fflush(stdout);
            rows.push_back(r);
        };
        for (int t : threads) {
            for (int b : bars) run(b, 1, t);
            for (int c : chains)
                if (c > 1) run(8, c, t);
        }
        const nlohmann::json out{
            {"benchmark", "cost_growth"}, {"model", model_path}, {"sweeps", sweeps}, {"rows", rows}};
        std::printf("%s\n", out.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_cost_growth: %s\n", e.what());
        return 1;
    }
}
