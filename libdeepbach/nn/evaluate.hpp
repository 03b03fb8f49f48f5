// NLL and accuracy of a model's voice networks on chorales, with the Eigen
// engine (internal header).
#pragma once

#include "nn/encode.hpp"

#include <deepbach/model.hpp>
#include <deepbach/progress.hpp>

#include <array>
#include <vector>

namespace deepbach::nn {

/// Accumulates per-target log-probabilities into VoiceMetrics.
struct MetricSums {
    double nll = 0, correct = 0, onset_nll = 0, onset_correct = 0;
    std::int64_t n = 0, onsets = 0;
    /// logp: log-softmax row of the target's tick; hold: the voice's index of `__`.
    void add(const float* logp, int size, int target, int hold);
    VoiceMetrics metrics() const;
};

/// Every music tick of every chorale is a target, for each voice. The
/// progress callback gets (done, total) in targets of all voices and may
/// cancel (Cancelled is thrown).
std::array<VoiceMetrics, kNumVoices> evaluate(const InferenceEngine& engine, const Model& model,
                                              const std::vector<EncodedChorale>& chorales,
                                              const ProgressFn& progress = {});

}  // namespace deepbach::nn
