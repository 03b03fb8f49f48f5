// Eigen inference speed of the default-sized voice networks on random
// weights and a random 64-tick chorale.
//
//   bench_infer [--mode window|full] [--threads N] [--json]
//
// window: one sampling iteration = 4 voices x 8 targets (ms_per_iteration),
// and logits per second on batches of 512 targets.
// full: one pass = 4 voices over the whole sequence (ms_per_pass), and
// logits per second on batches of 16 sequences.
// Human-readable lines first; the last line is one JSON object.
#include <deepbach/model.hpp>

#include "nn/inference.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "bench_infer: %s\nusage: bench_infer [--mode window|full] [--threads N] [--json]\n",
                 why);
    std::exit(2);
}

/// A vocabulary of the four specials and `pitches` consecutive MIDI pitches.
Vocabulary vocabulary_of(int pitches, int lowest) {
    std::vector<Token> tokens;
    for (int i = 0; i < pitches; ++i) {
        static const char* names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
        const int midi = lowest + i;
        tokens.push_back(token::parse(std::string(names[midi % 12]) + std::to_string(midi / 12 - 1)));
    }
    return Vocabulary(tokens);
}

struct Sequence {
    std::array<std::vector<std::int16_t>, kNumVoices> notes;
    std::vector<std::uint8_t> fermata, beat;
    std::vector<std::int8_t> key;
    nn::SequenceView view(int length) const {
        nn::SequenceView s;
        for (int v = 0; v < kNumVoices; ++v)
            s.notes[static_cast<size_t>(v)] = notes[static_cast<size_t>(v)].data();
        s.fermata = fermata.data();
        s.beat = beat.data();
        s.key_fifths = key.data();
        s.length = length;
        return s;
    }
};

/// Times fn over at least `seconds`, returning seconds per call (best of 3 runs).
template <class Fn>
double time_it(Fn&& fn, double seconds = 1.0) {
    fn();  // warm up
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

}  // namespace

int main(int argc, char** argv) {
    std::string mode = "window";
    int threads = 1;
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--mode" && i + 1 < argc) {
            mode = argv[++i];
            if (mode != "window" && mode != "full") usage("bad mode");
        } else if (arg == "--threads" && i + 1 < argc) {
            threads = std::atoi(argv[++i]);
            if (threads < 0 || threads > 1024) usage("bad thread count");
        } else if (arg == "--json") {
            json = true;
        } else {
            usage(("unknown argument " + arg).c_str());
        }
    }
    try {
        // The real corpus's vocabulary sizes: 53, 50, 49, 65 (4 specials each).
        const std::array<Vocabulary, kNumVoices> vocabularies = {
            vocabulary_of(49, 57), vocabulary_of(46, 50), vocabulary_of(45, 45), vocabulary_of(61, 30)};
        ModelConfig config;
        config.mode = parse_context_mode(mode);
        const Model model = Model::initialize(config, vocabularies, {}, 42);
        const nn::InferenceEngine engine(model, threads);

        constexpr int kLength = 64;
        std::uint64_t state = 7;
        auto next = [&](int n) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            return static_cast<int>((state >> 33) % static_cast<std::uint64_t>(n));
        };
        Sequence seq;
        const int padded = kLength + 2 * kDatasetPadding;
        for (int i = 0; i < padded; ++i) {
            const bool before = i < kDatasetPadding, after = i >= kDatasetPadding + kLength;
            for (int v = 0; v < kNumVoices; ++v) {
                const int n = vocabularies[static_cast<size_t>(v)].size();
                seq.notes[static_cast<size_t>(v)].push_back(static_cast<std::int16_t>(before ? 0
                                                                                      : after
                                                                                          ? 1
                                                                                          : 2 + next(n - 2)));
            }
            seq.fermata.push_back(static_cast<std::uint8_t>(next(8) == 0));
            seq.beat.push_back(static_cast<std::uint8_t>(i % 4));
            seq.key.push_back(0);
        }
        const nn::SequenceView view = seq.view(kLength);

        double logits_per_s = 0, ms = 0;
        if (mode == "window") {
            std::vector<nn::Target> eight, big;
            for (int i = 0; i < 8; ++i) eight.push_back({view, next(kLength)});
            for (int i = 0; i < 512; ++i) big.push_back({view, i % kLength});
            Eigen::MatrixXf out;
            const double iteration = time_it([&] {
                for (int v = 0; v < kNumVoices; ++v) engine.window_logits(v, eight, out);
            });
            const double batch = time_it([&] {
                for (int v = 0; v < kNumVoices; ++v) engine.window_logits(v, big, out);
            });
            ms = iteration * 1e3;
            logits_per_s = 4 * 512 / batch;
            if (!json)
                std::printf(
                    "window mode, %d thread(s): %.2f ms per iteration (4 voices x 8 targets), "
                    "%.0f logits/s on batches of 512\n",
                    engine.threads(), ms, logits_per_s);
        } else {
            std::vector<nn::SequenceView> one = {view}, many(16, view);
            std::vector<Eigen::MatrixXf> out;
            const double pass = time_it([&] {
                for (int v = 0; v < kNumVoices; ++v) engine.full_logits(v, one, out);
            });
            const double batch = time_it([&] {
                for (int v = 0; v < kNumVoices; ++v) engine.full_logits(v, many, out);
            });
            ms = pass * 1e3;
            logits_per_s = 4.0 * 16 * kLength / batch;
            if (!json)
                std::printf(
                    "full mode, %d thread(s): %.2f ms per pass (4 voices x %d ticks), "
                    "%.0f logits/s on batches of 16 sequences\n",
                    engine.threads(), ms, kLength, logits_per_s);
        }
        {
            std::printf("{\"mode\": \"%s\", \"threads\": %d, \"logits_per_s\": %.1f, \"%s\": %.3f}\n",
                        mode.c_str(), engine.threads(), logits_per_s,
                        mode == "window" ? "ms_per_iteration" : "ms_per_pass", ms);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_infer: %s\n", e.what());
        return 1;
    }
    return 0;
}
