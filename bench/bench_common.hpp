// What the speed benchmarks share (bench/ only; the public API alone): the
// default-sized model on random weights with the corpus's vocabulary sizes,
// the 64-tick piece they run on, and the timing.
#pragma once

#include <deepbach/deepbach.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace deepbach::bench {

/// A MIDI number spelled with sharps, as benchmark_vocabularies() has it.
inline Token midi_token(int midi) {
    static const char* names[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    return token::parse(std::string(names[midi % 12]) + std::to_string(midi / 12 - 1));
}

/// A vocabulary of the four specials and `pitches` consecutive MIDI pitches.
inline Vocabulary consecutive_pitches(int pitches, int lowest) {
    std::vector<Token> tokens;
    for (int i = 0; i < pitches; ++i) tokens.push_back(midi_token(lowest + i));
    return Vocabulary(tokens);
}

/// The corpus's sizes: 53, 50, 49 and 65 tokens with the four specials.
inline std::array<Vocabulary, kNumVoices> benchmark_vocabularies() {
    return {consecutive_pitches(49, 57), consecutive_pitches(46, 50), consecutive_pitches(45, 45),
            consecutive_pitches(61, 30)};
}

/// The default sizes (DeepBach's) on seeded random weights.
inline Model benchmark_model(ContextMode mode, std::uint64_t seed = 42) {
    ModelConfig config;
    config.mode = mode;
    return Model::initialize(config, benchmark_vocabularies(), {}, seed);
}

/// The model as a --float16 file holds it (every weight rounded to a half
/// float), read back: what the shipped model is like. The engine then reads
/// its weight matrices as half floats (docs/architecture.md).
inline Model as_float16(const Model& model) {
    const std::filesystem::path file =
        std::filesystem::temp_directory_path() /
        ("deepbach_bench_" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) +
         ".safetensors");
    model.save(file, true);
    Model out = Model::load(file);
    std::filesystem::remove(file);
    return out;
}

/// A 64-tick piece in C, four voices in quarter notes inside the
/// benchmark vocabularies, a closing fermata.
inline Chorale benchmark_piece(int length = 64) {
    static constexpr int kMelody[] = {67, 67, 69, 71, 72, 71, 69, 67, 69, 71, 72, 74, 72, 71, 69, 67};
    static constexpr int kOffsets[] = {0, 4, 12, 24};  // soprano, alto, tenor, bass below the melody
    Chorale c = Chorale::empty(length);
    c.title = "benchmark";
    for (int q = 0; q < length / kTicksPerQuarter; ++q)
        for (int v = 0; v < kNumVoices; ++v)
            c.at(v, q * kTicksPerQuarter) = midi_token(kMelody[q % 16] - kOffsets[v]);
    for (int t = length - kTicksPerQuarter; t < length; ++t) c.fermata[static_cast<size_t>(t)] = 1;
    return c;
}

/// The command line of a benchmark: each `--NAME VALUE` goes to
/// options[NAME] (which parses it with the library's parse_* functions),
/// `--json` sets the result, anything else without "--" goes to
/// `positional` when given. Throws Error with `usage` otherwise.
inline bool parse_command_line(int argc, char** argv, const std::string& usage,
                               const std::map<std::string, std::function<void(const std::string&)>>& options,
                               const std::function<void(const std::string&)>& positional = {}) {
    bool json = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto option = arg.rfind("--", 0) == 0 ? options.find(arg.substr(2)) : options.end();
        if (arg == "--json")
            json = true;
        else if (option != options.end() && i + 1 < argc)
            option->second(argv[++i]);
        else if (positional && arg.rfind("--", 0) != 0)
            positional(arg);
        else
            throw Error("unknown argument '" + arg + "' (usage: " + usage + ")");
    }
    return json;
}

using Clock = std::chrono::steady_clock;

inline double since(Clock::time_point start) {
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
inline double rounded(double x, int decimals) {
    const double scale = std::pow(10.0, decimals);
    return std::round(x * scale) / scale;
}

}  // namespace deepbach::bench
