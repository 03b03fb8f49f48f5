#include "sample/bench.hpp"

#include "nn/bench_infer.hpp"

#include "sample/backend.hpp"
#include "sample/problem.hpp"
#include "sample/sampler.hpp"

#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

namespace deepbach::sample {

namespace {

/// A MIDI number spelled from Db to F# on the line of fifths.
Token midi_token(int midi) {
    return token::from_pitch(Pitch::from_fifths_and_midi((midi * 7 % 12 + 5) % 12 - 5, midi));
}

/// A 64-tick piece in C with a melody (the sampler's random start replaces
/// it: every cell is free) and a closing fermata.
Chorale benchmark_piece() {
    constexpr int kLength = 64;
    static constexpr int kMelody[] = {67, 67, 69, 71, 72, 71, 69, 67, 69, 71, 72, 74, 72, 71, 69, 67};
    Chorale c = Chorale::empty(kLength);
    c.title = "benchmark";
    for (int q = 0; q < kLength / kTicksPerQuarter; ++q)
        c.at(kSoprano, q * kTicksPerQuarter) = midi_token(kMelody[q]);
    for (int t = kLength - kTicksPerQuarter; t < kLength; ++t) c.fermata[static_cast<size_t>(t)] = 1;
    return c;
}

}  // namespace

SampleBenchResult bench_sample(const SampleBenchOptions& options) {
    if (options.iterations < 1) throw Error("bench sample: iterations must be at least 1");
    if (options.threads < 0) throw Error("bench sample: threads must be at least 0");
    const Model model = nn::benchmark_model(options.mode);
    const Chorale piece = benchmark_piece();
    Constraints constraints;
    // Every voice free: an iteration redraws 4 voices, as the reference's does.
    constraints.regions.push_back(Region{{0, piece.num_ticks}, {true, true, true, true}});
    const Problem problem = compile_problem(piece, constraints, model);
    const auto backend = make_backend(options.backend, model, options.device, options.threads);

    SampleBenchResult result;
    result.mode = options.mode;
    result.backend = backend->name();
    result.threads = options.threads > 0
                         ? options.threads
                         : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    result.iterations = options.iterations;
    result.voice_leading = options.voice_leading;

    // Milliseconds per iteration after the first (the progress callback
    // marks the end of each one).
    using Clock = std::chrono::steady_clock;
    auto time_iterations = [&](int positions) {
        SamplerOptions so;
        so.seed = 1;
        so.iterations = options.iterations + 1;
        so.positions = positions;
        so.voice_leading = options.voice_leading;
        Clock::time_point first, last;
        so.progress = [&](std::size_t done, std::size_t, std::string_view) {
            (done == 1 ? first : last) = Clock::now();
            return true;
        };
        run_chains(*backend, model, problem, so);
        return std::chrono::duration<double, std::milli>(last - first).count() / options.iterations;
    };
    result.positions = 8;
    result.ms_per_iteration = time_iterations(result.positions);
    if (options.mode == ContextMode::full) {
        SamplerOptions defaults;
        result.pass_positions = resolve_positions(backend->config(), defaults);
        result.ms_per_pass = time_iterations(result.pass_positions);
    }
    return result;
}

std::string SampleBenchResult::text() const {
    std::string out = fmt::format(
        "{} mode, {}, {} thread(s), voice leading {:g}: {:.2f} ms per iteration (4 voices x {} positions, "
        "one chain of 64 ticks)\n",
        to_string(mode), backend, threads, voice_leading, ms_per_iteration, positions);
    if (mode == ContextMode::full)
        out +=
            fmt::format("{:.2f} ms per full pass (4 voices x {} positions)\n", ms_per_pass, pass_positions);
    return out;
}

std::string SampleBenchResult::json() const {
    nlohmann::ordered_json out{{"benchmark", "sample"},
                               {"mode", to_string(mode)},
                               {"backend", backend},
                               {"threads", threads},
                               {"voice_leading", voice_leading},
                               {"iterations", iterations},
                               {"positions", positions},
                               {"ms_per_iteration", ms_per_iteration}};
    if (mode == ContextMode::full) {
        out["pass_positions"] = pass_positions;
        out["ms_per_pass"] = ms_per_pass;
    }
    return out.dump();
}

}  // namespace deepbach::sample
