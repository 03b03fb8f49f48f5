// Sampler throughput on a default-sized random model, for `deepbach bench
// sample` and bench/bench_sample (internal header).
#pragma once

#include <deepbach/model.hpp>

#include <array>
#include <string>

namespace deepbach::sample {

/// Vocabularies of the sizes the corpus gives (53, 50, 49, 65 tokens: the
/// four special tokens and consecutive pitches over each voice's range), for
/// benchmarks that need no corpus.
std::array<Vocabulary, kNumVoices> benchmark_vocabularies();

/// A model of the default sizes (ModelConfig{} in `mode`) with
/// benchmark_vocabularies() and seeded random weights.
Model benchmark_model(ContextMode mode, std::uint64_t seed = 42);

struct SampleBenchOptions {
    ContextMode mode = ContextMode::window;
    int threads = 1;      ///< 0: all cores
    int iterations = 30;  ///< timed iterations (one more runs first, untimed)
    std::string backend = "eigen";
    std::string device = "cpu";
};

struct SampleBenchResult {
    std::string backend;  ///< as the backend names itself ("eigen", "torch-cuda")
    int threads = 1;      ///< threads asked for (0 resolved to the cores)
    int iterations = 0;
    int positions = 8;  ///< per voice and iteration in ms_per_iteration
    /// One iteration: the four voices, `positions` cells each, on one chain
    /// of a 64-tick piece whose soprano is fixed.
    double ms_per_iteration = 0;
    /// Full mode: one iteration at the sampler's default positions (one
    /// full pass of each of the four voices); 0 in window mode.
    int pass_positions = 0;
    double ms_per_pass = 0;
};

/// Runs the sampler (sample::run_chains) on benchmark_model(mode) and times
/// its iterations, leaving out the setup and the final scoring.
SampleBenchResult bench_sample(const SampleBenchOptions& options);

}  // namespace deepbach::sample
