// Eigen inference speed of the default-sized voice networks on random
// weights and a random 64-tick chorale (the measurement is
// libdeepbach/nn/bench_infer.cpp, shared with `deepbach bench infer`).
//
//   bench_infer [--mode window|full] [--threads N] [--seconds S] [--batch N] [--json]
//
// window: one sampling iteration = 4 voices x 8 targets (ms_per_iteration),
// and logits per second on batches of 512 targets.
// full: one pass = 4 voices over the whole sequence (ms_per_pass), and
// logits per second on batches of 16 sequences.
// The matrix kernel is the best the CPU runs (avx2 or baseline);
// DEEPBACH_NO_SIMD_DISPATCH=1 forces baseline.
// A human-readable line first (not with --json); the last line is one JSON object.
#include "nn/bench_infer.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

using namespace deepbach;

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "bench_infer: %s\nusage: bench_infer [--mode window|full] [--threads N] [--seconds S] "
                 "[--batch N] [--json]\n",
                 why);
    std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
    nn::InferBenchOptions options;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--mode" && i + 1 < argc) {
            const std::string mode = argv[++i];
            if (mode != "window" && mode != "full") usage("bad mode");
            options.mode = parse_context_mode(mode);
        } else if (arg == "--threads" && i + 1 < argc) {
            options.threads = std::atoi(argv[++i]);
            if (options.threads < 0 || options.threads > 1024) usage("bad thread count");
        } else if (arg == "--seconds" && i + 1 < argc) {
            options.seconds = std::atof(argv[++i]);
            if (!(options.seconds >= 0)) usage("bad time");
        } else if (arg == "--batch" && i + 1 < argc) {
            options.batch = std::atoi(argv[++i]);
            if (options.batch < 1) usage("bad batch");
        } else if (arg == "--json") {
            json = true;
        } else {
            usage(("unknown argument " + arg).c_str());
        }
    }
    try {
        const nn::InferBenchResult r = nn::bench_infer(options);
        if (!json) std::printf("%s\n", r.text().c_str());
        std::printf("%s\n", r.json().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_infer: %s\n", e.what());
        return 1;
    }
    return 0;
}
