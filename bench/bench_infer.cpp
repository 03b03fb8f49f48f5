// Inference speed of the default-sized voice networks on random weights, a
// 64-tick chorale, through the public API (deepbach::evaluate_model: every
// tick of every voice is a target, as one sampling pass asks).
//
//   bench_infer [--mode window|full] [--threads N] [--seconds S] [--batch N] [--float16 0|1] [--json]
//
// ms_per_pass: the four voices' conditionals at every tick of one 64-tick
// chorale (window mode: 64 windows per voice; full mode: one pass of each
// LSTM); logits_per_s: on a batch of N such chorales (default 16). The
// matrix kernel is the best the CPU runs (avx2-int8, avx2 or baseline);
// DEEPBACH_NO_SIMD_DISPATCH=1 forces baseline. --float16 1: the weights
// rounded to half floats as a --float16 model file has them (the shipped
// model), which the AVX2 kernel reads as half floats.
// A human-readable line first (not with --json); the last line is one JSON object.
#include "bench_common.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <exception>
#include <string>

using namespace deepbach;

int main(int argc, char** argv) {
    try {
        ContextMode mode = ContextMode::window;
        int threads = 1, batch = 16;
        double seconds = 1.0;
        bool float16 = false;
        const bool json = bench::parse_command_line(
            argc, argv,
            "bench_infer [--mode window|full] [--threads N] [--seconds S] [--batch N] [--float16 0|1] "
            "[--json]",
            {{"mode", [&](const std::string& v) { mode = parse_context_mode(v); }},
             {"threads",
              [&](const std::string& v) {
                  threads = static_cast<int>(parse_count("threads", v, 0, defaults::kMaxThreads));
              }},
             {"seconds", [&](const std::string& v) { seconds = parse_number("seconds", v); }},
             {"float16", [&](const std::string& v) { float16 = parse_count("float16", v, 0, 1) == 1; }},
             {"batch",
              [&](const std::string& v) { batch = static_cast<int>(parse_count("batch", v, 1, 4096)); }}});
        check_non_negative("seconds", seconds, "1");
        const Model model =
            float16 ? bench::as_float16(bench::benchmark_model(mode)) : bench::benchmark_model(mode);
        const Chorale piece = bench::benchmark_piece();
        ModelEvaluationOptions options;
        options.threads = threads;
        options.parallel_mass = false;
        const std::vector<Chorale> one{piece}, many(static_cast<size_t>(batch), piece);
        const double pass = bench::time_it([&] { evaluate_model(model, one, options); }, seconds);
        const double big = bench::time_it([&] { evaluate_model(model, many, options); }, seconds);
        const double logits_per_s = kNumVoices * static_cast<double>(batch) * piece.num_ticks / big;
        if (!json)
            fmt::print(
                "{} mode, {} thread(s), {} kernel{}: {:.2f} ms per pass (4 voices x {} ticks), {:.0f} "
                "logits/s on batches of {} chorales\n",
                to_string(mode), threads, inference_kernel(), float16 ? ", float16 weights" : "", pass * 1e3,
                piece.num_ticks, logits_per_s, batch);
        const nlohmann::ordered_json out{{"benchmark", "infer"},
                                         {"mode", to_string(mode)},
                                         {"kernel", inference_kernel()},
                                         {"float16", float16},
                                         {"threads", threads},
                                         {"length", piece.num_ticks},
                                         {"batch", batch},
                                         {"ms_per_pass", bench::rounded(pass * 1e3, 3)},
                                         {"logits_per_s", bench::rounded(logits_per_s, 1)}};
        std::printf("%s\n", out.dump().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_infer: %s\n", e.what());
        return 1;
    }
    return 0;
}
