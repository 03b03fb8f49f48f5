// Sampler speed on a default-sized random model: a 64-tick piece whose
// soprano is fixed, alto, tenor and bass redrawn (the measurement is
// libdeepbach/sample/bench.cpp, shared with `deepbach bench sample`).
//
//   bench_sample [window|full] [THREADS] [ITERATIONS] [--json]
//
// ms_per_iteration: one iteration, 4 voices x 8 positions; full mode also
// ms_per_pass: one iteration at the sampler's default positions (one full
// pass of each voice). The last line is one JSON object.
#include "sample/bench.hpp"

#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    std::vector<std::string> args;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--json")
            json = true;
        else
            args.push_back(arg);
    }
    try {
        deepbach::sample::SampleBenchOptions options;
        if (args.size() > 0) options.mode = deepbach::parse_context_mode(args[0]);
        if (args.size() > 1) options.threads = std::stoi(args[1]);
        if (args.size() > 2) options.iterations = std::stoi(args[2]);
        if (args.size() > 3)
            throw std::invalid_argument("usage: bench_sample [window|full] [THREADS] [ITERATIONS] [--json]");
        const auto result = deepbach::sample::bench_sample(options);
        if (!json) std::fputs(result.text().c_str(), stdout);
        std::printf("%s\n", result.json().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_sample: %s\n", e.what());
        return 1;
    }
    return 0;
}
