// libdeepbach: harmonize a melody, generate a chorale, reharmonize a region.
// One call per story; each samples the model with DeepBach's parallel
// pseudo-Gibbs sampler while every constraint holds.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/model.hpp>
#include <deepbach/options.hpp>
#include <deepbach/progress.hpp>
#include <deepbach/score.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deepbach {

struct SamplingOptions {
    /// The model: `model` when set, else the file `model_path`, else the
    /// shipped model (default_model_path()).
    std::shared_ptr<const Model> model;
    std::filesystem::path model_path;
    /// Every random choice (start, positions, draws) flows from it.
    std::uint64_t seed = defaults::kSeed;
    /// How long to sample: `sweeps` redraws of every free cell (0: the
    /// default, defaults::kSweeps, chosen by measurement: docs/benchmarks.md,
    /// "Quality against time"). The sweep schedule runs until every cell of
    /// every voice has been redrawn that often; the uniform schedule runs
    /// the passes that take on average.
    int sweeps = 0;
    /// Passes instead of sweeps, when > 0 (an iteration: one pass of each
    /// voice's network). Not both.
    int iterations = 0;
    /// Cells redrawn per voice and pass, at most; 0: 8 in window mode; in
    /// full mode, every cell the sweep may take (it never draws two
    /// neighbouring cells of a voice in one pass: about 43 % of them), 32
    /// for the uniform schedule.
    int positions = 0;
    /// Temperature reached by the annealing (from 1.1, x0.9993 per 8 cells
    /// redrawn); lower is more conservative.
    double temperature = 1.0;
    /// Strength of the voice-leading guide: each candidate note loses
    /// `voice_leading` x 4 nats of log-probability per parallel fifth or
    /// octave it would write, x 2 per hidden octave in the outer voices, and
    /// x 1 per fifth or octave by contrary motion, per hidden fifth in the
    /// outer voices, per voice crossing and per spacing over an octave
    /// between upper voices (the rules of deepbach/evaluation.hpp). A soft
    /// rule the model can outweigh; 0 samples the model alone, as DeepBach
    /// does.
    double voice_leading = 1.0;
    /// Chains sampled together; the result is the one the model likes best
    /// (highest pseudo-log-likelihood).
    int chains = 1;
    /// Keep every chain in Harmonization::chains (else only the best).
    bool keep_all_chains = false;
    /// The order of redrawing (Schedule::automatic: blocked for a model with
    /// a mask input, else sweep).
    Schedule schedule = Schedule::automatic;
    /// Backend::eigen (CPU, always there) or Backend::torch (LibTorch, CPU or
    /// CUDA; needs deepbach::torch and register_torch_backend(), deepbach/train.hpp).
    Backend backend = Backend::eigen;
    Device device = Device::cpu;  ///< the torch backend's device
    /// 0: all cores. Results do not depend on it.
    int threads = defaults::kThreads;
    /// Called after each iteration with (iteration, iterations); return false to cancel.
    ProgressFn progress;
};

/// Throws Error for an option outside its limits (deepbach/options.hpp:
/// iterations and positions >= 0, 1..4096 chains, 0..1024 threads, a
/// positive temperature, a voice-leading strength >= 0, no CUDA for the
/// Eigen backend). Every sampling call checks it first.
void validate(const SamplingOptions& options);

struct Harmonization {
    Chorale chorale;  ///< the best chain
    double pseudo_log_likelihood = 0;
    int chain = 0;                     ///< which chain it is
    std::vector<Chorale> chains;       ///< every chain with keep_all_chains, in chain order
    std::vector<double> chain_scores;  ///< pseudo-log-likelihood of every chain
    /// Which cells were fixed (the melody, fixed notes, everything outside
    /// the regions) and which the sampler drew; for write_piano_roll_svg().
    CellMask fixed;
    int iterations = 0;
    int positions = 0;
    double seconds = 0;
    std::string backend;
    /// The four-part score of the result.
    Score score() const { return to_score(chorale); }
};

/// The melody is the soprano (a one-part score, or the soprano of a score
/// with more parts); alto, tenor and bass are sampled. The soprano of the
/// result equals the melody note for note. constraints.regions, if any,
/// limit what is redrawn further (the soprano never is); for a four-part
/// score the lower voices then keep what sounds outside them, as in
/// reharmonize().
Harmonization harmonize(const Score& melody, const Constraints& constraints = {},
                        const SamplingOptions& options = {});

/// The shape of a generated piece.
struct PieceShape {
    int bars = 8;
    int beats = 4;      ///< time signature numerator
    int beat_type = 4;  ///< and denominator
    int fifths = 0;     ///< key signature (Constraints::keys may change it)
    std::string mode = "major";
    /// Where the constraints give no fermata, a fermata on the last beat of
    /// every second bar and of the last bar (DeepBach's phrases); where they
    /// give no cadence, an authentic cadence in the key on the last fermata.
    /// false: none of this.
    bool phrases = true;
};

/// "4/4", "3/4", "3/2", "6/8": (beats, beat type), up to 32 beats of
/// halves, quarters or eighths. Throws Error otherwise.
std::pair<int, int> parse_time_signature(std::string_view text);

/// The empty grid generate() samples on: `bars` bars of the time signature
/// (numbered from 1), the key signature, rests everywhere. Throws Error for a
/// shape the grid cannot hold.
Chorale piece_grid(const PieceShape& shape);

/// All four voices sampled (subject to the constraints).
Harmonization generate(const PieceShape& shape, const Constraints& constraints = {},
                       const SamplingOptions& options = {});

/// Redraws only the cells in `regions` of a four-part score; every other
/// note stays as it is. `constraints` may add fixes inside the regions.
/// What sounds outside the regions stays too: where a redrawn voice holds a
/// note over a region's end, the cell after it is struck again (an onset of
/// the same pitch, kept) before sampling and held on again afterwards where
/// the note drawn before it has the same pitch. (The pseudo-log-likelihood
/// is that of the grid sampled, before holding on again.)
Harmonization reharmonize(const Score& score, const std::vector<Region>& regions,
                          const SamplingOptions& options = {}, const Constraints& constraints = {});

/// The general call: samples the free cells of `base` under `constraints`.
Harmonization sample_grid(const Chorale& base, const Constraints& constraints,
                          const SamplingOptions& options);

/// The shipped model: $DEEPBACH_MODEL when set, else the installed
/// share/deepbach/deepbach.safetensors, else models/deepbach.safetensors of
/// the source tree this library was built from. Throws Error saying where it
/// looked when none exists.
std::filesystem::path default_model_path();

}  // namespace deepbach
