// Sampler speed on a default-sized random model, through the public API: a
// 64-tick piece whose four voices are all free, one chain.
//
//   bench_sample [--mode window|full] [--threads N] [--iterations N]
//                [--backend eigen|torch] [--device cpu|cuda|auto] [--voice-leading S] [--json]
//
// ms_per_iteration: one iteration, 4 voices x 8 positions; full mode also
// ms_per_pass: one iteration at the sampler's default positions (one full
// pass of each voice). Timed from the end of the first iteration to the end
// of the last (SamplingOptions::progress), so the setup and the final
// scoring are left out. The last line is one JSON object.
#include "bench_common.hpp"

#ifdef DEEPBACH_BENCH_TORCH
#include <deepbach/train.hpp>
#endif

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <thread>

using namespace deepbach;

int main(int argc, char** argv) {
    try {
#ifdef DEEPBACH_BENCH_TORCH
        register_torch_backend();
#endif
        ContextMode mode = ContextMode::window;
        SamplingOptions o;
        o.threads = 1;
        o.voice_leading = 0;
        int iterations = 30;
        const bool json = bench::parse_command_line(
            argc, argv,
            "bench_sample [--mode window|full] [--threads N] [--iterations N] [--backend eigen|torch] "
            "[--device "
            "cpu|cuda|auto] [--voice-leading S] [--json]",
            {{"mode", [&](const std::string& v) { mode = parse_context_mode(v); }},
             {"threads",
              [&](const std::string& v) {
                  o.threads = static_cast<int>(parse_count("threads", v, 0, defaults::kMaxThreads));
              }},
             {"iterations",
              [&](const std::string& v) { iterations = static_cast<int>(parse_count("iterations", v, 1)); }},
             {"backend", [&](const std::string& v) { o.backend = parse_backend(v); }},
             {"device", [&](const std::string& v) { o.device = parse_device(v); }},
             {"voice-leading",
              [&](const std::string& v) { o.voice_leading = parse_number("voice leading", v); }}});
        o.model = std::make_shared<const Model>(bench::benchmark_model(mode));
        o.seed = 1;
        o.iterations = iterations + 1;
        validate(o);
        const Chorale piece = bench::benchmark_piece();
        Constraints constraints;
        constraints.regions.push_back(Region{{0, piece.num_ticks}, {true, true, true, true}});
        std::string backend;
        // Milliseconds per iteration after the first.
        auto time_iterations = [&](int positions) {
            SamplingOptions so = o;
            so.positions = positions;
            bench::Clock::time_point first, last;
            so.progress = [&](std::size_t done, std::size_t, std::string_view) {
                (done == 1 ? first : last) = bench::Clock::now();
                return true;
            };
            backend = sample_grid(piece, constraints, so).backend;
            return std::chrono::duration<double, std::milli>(last - first).count() / iterations;
        };
        const int threads =
            o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const double ms_per_iteration = time_iterations(8);
        // Full mode's default positions (32 per voice): one full pass of each voice.
        const double ms_per_pass = mode == ContextMode::full ? time_iterations(0) : 0;
        if (!json) {
            fmt::print(
                "{} mode, {}, {} thread(s), voice leading {:g}: {:.2f} ms per iteration (4 voices x 8 "
                "positions, one chain of 64 ticks)\n",
                to_string(mode), backend, threads, o.voice_leading, ms_per_iteration);
            if (mode == ContextMode::full)
                fmt::print("{:.2f} ms per full pass (4 voices x 32 positions)\n", ms_per_pass);
        }
        nlohmann::ordered_json out{{"benchmark", "sample"},
                                   {"mode", to_string(mode)},
                                   {"backend", backend},
                                   {"threads", threads},
                                   {"voice_leading", o.voice_leading},
                                   {"iterations", iterations},
                                   {"positions", 8},
                                   {"ms_per_iteration", bench::rounded(ms_per_iteration, 3)}};
        if (mode == ContextMode::full) {
            out["pass_positions"] = 32;
            out["ms_per_pass"] = bench::rounded(ms_per_pass, 3);
        }
        std::printf("%s\n", out.dump().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_sample: %s\n", e.what());
        return 1;
    }
    return 0;
}
