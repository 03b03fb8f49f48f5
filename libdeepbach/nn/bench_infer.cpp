// See bench_infer.hpp.
#include "nn/bench_infer.hpp"

#include <deepbach/error.hpp>

#include "nn/inference.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <vector>

namespace deepbach::nn {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Seconds per call of fn: one call to warm up, then the best of 3 runs of
/// at least one call and seconds / 3 each.
template <class Fn>
double time_it(Fn&& fn, double seconds) {
    fn();
    double best = 1e300;
    for (int run = 0; run < 3; ++run) {
        int calls = 0;
        const auto start = Clock::now();
        do {
            fn();
            ++calls;
        } while (since(start) < seconds / 3);
        best = std::min(best, since(start) / calls);
    }
    return best;
}

/// x to `decimals` decimals (the nearest double, so JSON shows no noise digits).
double rounded(double x, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(x * scale) / scale;
}

}  // namespace

std::string InferBenchResult::text() const {
    if (mode == ContextMode::window) {
        return fmt::format(
            "window mode, {} thread(s), {} kernel: {:.2f} ms per iteration (4 voices x 8 targets), "
            "{:.0f} logits/s on batches of {}",
            threads, kernel, ms, logits_per_s, batch);
    }
    return fmt::format(
        "full mode, {} thread(s), {} kernel: {:.2f} ms per pass (4 voices x {} ticks), "
        "{:.0f} logits/s on batches of {} sequences",
        threads, kernel, ms, length, logits_per_s, batch);
}

std::string InferBenchResult::json() const {
    nlohmann::ordered_json out{{"benchmark", "infer"},
                               {"mode", to_string(mode)},
                               {"kernel", kernel},
                               {"threads", threads},
                               {"length", length},
                               {"batch", batch},
                               {"logits_per_s", rounded(logits_per_s, 1)}};
    out[mode == ContextMode::window ? "ms_per_iteration" : "ms_per_pass"] = rounded(ms, 3);
    return out.dump();
}

InferBenchResult bench_infer(const InferBenchOptions& options) {
    if (options.batch < 0) throw Error("bench infer: the batch must not be negative");
    if (options.seconds < 0) throw Error("bench infer: the time per measurement must not be negative");
    const Model model = benchmark_model(options.mode);
    const auto& vocabularies = model.vocabularies;
    const InferenceEngine engine(model, options.threads);

    constexpr int kLength = 64;
    std::uint64_t state = 7;
    auto next = [&](int n) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(n));
    };
    SequenceData seq;
    seq.length = kLength;
    const int padded = kLength + 2 * kDatasetPadding;
    for (int i = 0; i < padded; ++i) {
        const bool before = i < kDatasetPadding, after = i >= kDatasetPadding + kLength;
        for (int v = 0; v < kNumVoices; ++v) {
            const int n = vocabularies[static_cast<size_t>(v)].size();
            const int note = before ? 0 : after ? 1 : 2 + next(n - 2);
            seq.notes[static_cast<size_t>(v)].push_back(static_cast<std::int16_t>(note));
        }
        seq.fermata.push_back(static_cast<std::uint8_t>(next(8) == 0));
        seq.beat.push_back(static_cast<std::uint8_t>(i % 4));
        seq.key_fifths.push_back(0);
    }
    const SequenceView view = seq.view();

    InferBenchResult r;
    r.mode = options.mode;
    r.kernel = kernel_path_name(engine.kernel_path());
    r.threads = engine.threads();
    r.length = kLength;
    // small: one iteration (window) or pass (full); big: a batch of r.batch.
    const bool window = options.mode == ContextMode::window;
    r.batch = options.batch > 0 ? options.batch : window ? 512 : 16;
    std::vector<Target> eight, targets;
    for (int i = 0; window && i < 8; ++i) eight.push_back({view, next(kLength)});
    for (int i = 0; window && i < r.batch; ++i) targets.push_back({view, i % kLength});
    const std::vector<SequenceView> one = {view}, many(static_cast<size_t>(r.batch), view);
    Eigen::MatrixXf logits;
    std::vector<Eigen::MatrixXf> sequence_logits;
    auto run = [&](bool big) {
        for (int v = 0; v < kNumVoices; ++v) {
            if (window) {
                engine.window_logits(v, big ? targets : eight, logits);
            } else {
                engine.full_logits(v, big ? many : one, sequence_logits);
            }
        }
    };
    r.ms = time_it([&] { run(false); }, options.seconds) * 1e3;
    const double per_batch = kNumVoices * static_cast<double>(r.batch) * (window ? 1 : kLength);
    r.logits_per_s = per_batch / time_it([&] { run(true); }, options.seconds);
    return r;
}

namespace {

/// A vocabulary of the four specials and `pitches` consecutive MIDI pitches.
Vocabulary consecutive_pitches(int pitches, int lowest) {
    static const char* names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    std::vector<Token> tokens;
    for (int i = 0; i < pitches; ++i) {
        const int midi = lowest + i;
        tokens.push_back(token::parse(std::string(names[midi % 12]) + std::to_string(midi / 12 - 1)));
    }
    return Vocabulary(tokens);
}

}  // namespace

std::array<Vocabulary, kNumVoices> benchmark_vocabularies() {
    // The corpus's sizes: 53, 50, 49 and 65 tokens with the four specials.
    return {consecutive_pitches(49, 57), consecutive_pitches(46, 50), consecutive_pitches(45, 45),
            consecutive_pitches(61, 30)};
}

Model benchmark_model(ContextMode mode, std::uint64_t seed) {
    ModelConfig config;
    config.mode = mode;
    return Model::initialize(config, benchmark_vocabularies(), {}, seed);
}

}  // namespace deepbach::nn
