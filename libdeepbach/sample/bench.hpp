// Sampler throughput on a default-sized random model, for `deepbach bench
// sample` and bench/bench_sample (internal header).
#pragma once

#include <deepbach/model.hpp>

#include <string>

namespace deepbach::sample {

struct SampleBenchOptions {
    ContextMode mode = ContextMode::window;
    int threads = 1;      ///< 0: all cores
    int iterations = 30;  ///< timed iterations (one more runs first, untimed)
    std::string backend = "eigen";
    std::string device = "cpu";
    /// Strength of the voice-leading guide (0: the sampler alone).
    double voice_leading = 0;
};

struct SampleBenchResult {
    ContextMode mode = ContextMode::window;
    std::string backend;  ///< as the backend names itself ("eigen", "torch-cuda")
    int threads = 1;      ///< threads asked for (0 resolved to the cores)
    int iterations = 0;
    int positions = 8;  ///< per voice and iteration in ms_per_iteration
    /// One iteration: the four voices, `positions` cells each, on one chain
    /// of a 64-tick piece whose four voices are all free.
    double ms_per_iteration = 0;
    /// Full mode: one iteration at the sampler's default positions (one
    /// full pass of each of the four voices); 0 in window mode.
    int pass_positions = 0;
    double ms_per_pass = 0;
    double voice_leading = 0;

    /// Human-readable lines (one per figure, each ending in a newline).
    std::string text() const;
    /// One JSON object on one line (no newline): benchmark ("sample"), mode,
    /// backend, threads, voice_leading, iterations, positions, ms_per_iteration, and in full
    /// mode pass_positions and ms_per_pass.
    std::string json() const;
};

/// Runs the sampler (sample::run_chains) on nn::benchmark_model(mode) and times
/// its iterations, leaving out the setup and the final scoring.
SampleBenchResult bench_sample(const SampleBenchOptions& options);

}  // namespace deepbach::sample
