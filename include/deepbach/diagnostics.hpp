// libdeepbach: what a model believes about voice leading, measured on its
// own conditionals rather than on what a sampler made of them.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/model.hpp>
#include <deepbach/options.hpp>
#include <deepbach/progress.hpp>

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace deepbach {

/// The probability mass a model gives, cell by cell, to tokens that would
/// write a parallel fifth or octave (the rules of deepbach/evaluation.hpp:
/// with any other voice, into the cell from the event before or out of it
/// into the next), given every other cell of a chorale.
///
/// At Bach's own chorales this says whether the model learned his rule
/// (Bach's tokens write almost none; a model that learned the rule gives
/// little mass to those that would). At the model's own harmonizations it
/// says whether the sampler's contexts lead the model to prefer them.
struct ParallelMass {
    /// Per voice: cells where at least one token of the voice's vocabulary
    /// would write a parallel ("exposed" cells).
    std::array<std::int64_t, kNumVoices> exposed{};
    /// Per voice: the summed probability of such tokens over exposed cells.
    std::array<double, kNumVoices> mass{};
    /// Per voice: exposed cells whose token in the chorale writes one.
    std::array<std::int64_t, kNumVoices> written{};
    /// Per voice: every cell looked at.
    std::array<std::int64_t, kNumVoices> cells{};

    /// Mean mass per exposed cell over the voices in [first, last].
    double mean_mass(int first = kAlto, int last = kBass) const;
    /// Share of exposed cells whose token writes a parallel, voices [first, last].
    double written_rate(int first = kAlto, int last = kBass) const;
    /// Sums another measurement into this one.
    void add(const ParallelMass& other);
};

/// Measures ParallelMass over every tick of every chorale with the Eigen
/// engine (probabilities at temperature 1 over the tokens the sampler may
/// draw inside a piece: every token but START and END). A token the model's
/// vocabulary lacks is an Error naming the chorale.
ParallelMass parallel_mass(const Model& model, const std::vector<Chorale>& chorales,
                           int threads = defaults::kThreads);

/// The matrix kernel the Eigen engine runs on this machine: "avx2-int8"
/// (AVX2, weights as 8-bit integers: the default there), "avx2" (AVX2 and
/// FMA on float weights, with DEEPBACH_NO_INT8_WEIGHTS=1) or "baseline"
/// (also when DEEPBACH_NO_SIMD_DISPATCH=1 is set).
const char* inference_kernel();

/// How well a model predicts chorales: every music tick of every chorale is
/// a target for each voice network, given the other cells (the Eigen engine).
struct ModelEvaluation {
    std::array<VoiceMetrics, kNumVoices> voices{};
    double mean_nll = 0;        ///< mean over the four voices
    double mean_onset_nll = 0;  ///< the same over the targets that are not holds
    std::size_t chorales = 0;   ///< chorales evaluated
    /// Chorales left out, with the reason (a token the model's vocabulary
    /// lacks), by their Chorale::source or their index.
    std::vector<std::pair<std::string, std::string>> skipped;
    /// With ModelEvaluationOptions::parallel_mass: at these chorales' contexts.
    ParallelMass parallel_mass;
};

struct ModelEvaluationOptions {
    int threads = defaults::kThreads;  ///< 0: all cores
    bool parallel_mass = true;         ///< also measure ParallelMass
    /// Called with (targets done, targets in all); return false to cancel.
    ProgressFn progress;
};

/// Throws Error when no chorale can be evaluated, Cancelled when progress
/// says so. The same figures as `deepbach evaluate MODEL` and deepbach.evaluate.
ModelEvaluation evaluate_model(const Model& model, const std::vector<Chorale>& chorales,
                               const ModelEvaluationOptions& options = {});

}  // namespace deepbach
