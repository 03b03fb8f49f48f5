// Inference speed of the default-sized voice networks on random weights and
// a random 64-tick chorale (internal header): the measurement behind
// bench/bench_infer and `deepbach bench infer`.
#pragma once

#include <deepbach/model.hpp>

#include <string>

namespace deepbach::nn {

struct InferBenchOptions {
    ContextMode mode = ContextMode::window;
    int threads = 1;       ///< 0: all cores
    double seconds = 1.0;  ///< time per measurement (best of 3 runs, each at least one call)
    int batch = 0;         ///< throughput batch: targets (window) or sequences (full); 0: 512 or 16
};

struct InferBenchResult {
    ContextMode mode = ContextMode::window;
    std::string kernel;  ///< the matrix kernel's path (kernel_path_name)
    int threads = 0;
    int length = 0;  ///< ticks of the chorale
    int batch = 0;
    /// window: one sampling iteration, 4 voices x 8 targets; full: one pass,
    /// 4 voices over the whole chorale.
    double ms = 0;
    double logits_per_s = 0;  ///< on batches of `batch`, all four voices

    /// One human-readable line (no newline).
    std::string text() const;
    /// One JSON object on one line (no newline): benchmark, mode, kernel,
    /// threads, length, batch, logits_per_s, and ms_per_iteration (window) or
    /// ms_per_pass (full).
    std::string json() const;
};

/// Builds the model and the chorale (the same for every call) and measures.
/// Per-voice vocabularies of the corpus's sizes (53, 50, 49, 65 tokens):
/// the four specials and consecutive MIDI pitches.
std::array<Vocabulary, kNumVoices> benchmark_vocabularies();
/// A model of the default sizes on benchmark_vocabularies() with seeded
/// random weights: what every speed benchmark runs.
Model benchmark_model(ContextMode mode, std::uint64_t seed = 42);

InferBenchResult bench_infer(const InferBenchOptions& options);

}  // namespace deepbach::nn
