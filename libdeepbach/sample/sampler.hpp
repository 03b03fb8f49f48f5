// DeepBach's parallel pseudo-Gibbs sampler over a batch of chains
// (internal header).
#pragma once

#include "sample/backend.hpp"
#include "sample/problem.hpp"

#include <deepbach/options.hpp>
#include <deepbach/progress.hpp>

#include <cstdint>
#include <vector>

namespace deepbach::sample {

/// Which free cells an iteration redraws.
enum class Schedule {
    sweep,    ///< a shuffled sweep: every free cell of a voice once before any twice
    uniform,  ///< the reference's: `positions` cells drawn uniformly each time
    /// Coconet's annealed blocked Gibbs (models with a mask input): each
    /// iteration masks a random block of the free cells, a share annealed
    /// from all of them down to kBlockedMinShare, and redraws the block
    /// from one context, every voice of it at once.
    blocked,
};

/// The blocked schedule: the block's share of the free cells falls linearly
/// from 1 to this over the first kBlockedAnnealShare of the iterations.
constexpr double kBlockedMinShare = 0.05;
constexpr double kBlockedAnnealShare = 0.75;
/// Sweeps of the sweep schedule when none are asked for.
constexpr int kDefaultSweeps = defaults::kSweeps;
/// Positions per pass meaning "every cell the sweep may take".
constexpr int kAllPositions = defaults::kMaxCount;

/// The blocked schedule's iterations when none are asked for.
constexpr int kBlockedIterations = 100;

struct SamplerOptions {
    std::uint64_t seed = 1;
    /// Passes of each voice; 0: by sweeps (the uniform schedule: the passes
    /// the sweeps take at `positions` cells each).
    int iterations = 0;
    /// Cells redrawn per voice per pass, at most; 0: 8 in window mode, 32
    /// in full mode.
    int positions = 0;
    /// With iterations 0: redraw every free cell of every voice this many
    /// times (0: kDefaultSweeps).
    int sweeps = 0;
    double temperature = 1.0;        ///< the temperature annealing ends at
    double start_temperature = 1.1;  ///< DeepBach's
    /// Per 8 redrawn cells (an iteration of the reference): the temperature
    /// is multiplied by this until it reaches `temperature`.
    double annealing = 0.9993;
    int chains = 1;
    Schedule schedule = Schedule::sweep;
    /// Strength of the voice-leading guide (see guide.hpp); 0: the model alone.
    double voice_leading = 0;
    /// (iterations done, iterations) ; may cancel (Cancelled is thrown).
    ProgressFn progress;
};

struct ChainResult {
    Chorale chorale;
    /// Mean log-probability of every free cell's token given all the others,
    /// at temperature 1 over the cell's allowed tokens: the model's own
    /// pseudo-log-likelihood (higher is better). 0 when nothing is free.
    double pseudo_log_likelihood = 0;
};

struct SamplerStats {
    int iterations = 0;
    int positions = 0;
    double seconds = 0;
};

/// The iterations `options` gives for a problem (after defaults).
int resolve_iterations(const Problem& problem, const ModelConfig& config, const SamplerOptions& options);
int resolve_positions(const ModelConfig& config, const SamplerOptions& options);
/// options.sweeps, or kDefaultSweeps for 0.
int resolve_sweeps(const SamplerOptions& options);
/// Whether run_chains runs by sweeps (the sweep schedule, no iterations given).
bool runs_by_sweeps(const SamplerOptions& options);

/// Runs options.chains chains from random starts (each free cell drawn
/// uniformly from its allowed tokens; with a model that has a mask input,
/// every free cell masked) and returns them in chain order. Chain
/// c depends only on (seed, c), never on the number of chains or threads.
std::vector<ChainResult> run_chains(Backend& backend, const Model& model, const Problem& problem,
                                    const SamplerOptions& options, SamplerStats* stats = nullptr);

/// The pseudo-log-likelihood of each grid (of the problem's shape) under the model.
std::vector<double> pseudo_log_likelihood(Backend& backend, const Model& model, const Problem& problem,
                                          const std::vector<Chorale>& grids);

}  // namespace deepbach::sample
