// What the sampler asks of a network implementation: the logits of one
// voice at many targets (window mode) or over whole sequences (full mode).
// The Eigen engine is the default; LibTorch (CPU or CUDA) registers itself
// from libdeepbach/torch (internal header).
#pragma once

#include "nn/inference.hpp"

#include <deepbach/model.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace deepbach::sample {

class Backend {
public:
    virtual ~Backend() = default;
    /// "eigen", "torch-cpu", "torch-cuda".
    virtual std::string name() const = 0;
    virtual const ModelConfig& config() const = 0;
    /// Window mode: one row of logits per target (targets x V_voice).
    virtual void window_logits(int voice, const std::vector<nn::Target>& targets, Eigen::MatrixXf& out) = 0;
    /// Full mode: per sequence a (length x V_voice) matrix.
    virtual void full_logits(int voice, const std::vector<nn::SequenceView>& sequences,
                             std::vector<Eigen::MatrixXf>& out) = 0;
    /// Full mode where only the rows of `ticks` (per sequence, distinct)
    /// are read: the others may hold anything. By default every row.
    virtual void full_logits_at(int voice, const std::vector<nn::SequenceView>& sequences,
                                const std::vector<const std::vector<int>*>& ticks,
                                std::vector<Eigen::MatrixXf>& out) {
        (void)ticks;
        full_logits(voice, sequences, out);
    }
};

/// The voices a backend must serve (all four by default); a backend may
/// skip preparing the others (the Eigen engine builds no network for them).
using VoiceSet = std::array<bool, kNumVoices>;
inline constexpr VoiceSet kAllVoices{true, true, true, true};

/// The Eigen engine (threads: 0 for all cores).
std::unique_ptr<Backend> make_eigen_backend(const Model& model, int threads,
                                            const VoiceSet& voices = kAllVoices);

/// Makes a backend for a model on a device ("cpu", "cuda", "auto") with threads.
using BackendFactory =
    std::function<std::unique_ptr<Backend>(const Model& model, const std::string& device, int threads)>;

/// Makes `name` available to make_backend (LibTorch registers "torch").
void register_backend(const std::string& name, BackendFactory factory);

/// "eigen" (device must be "cpu" or "auto") or a registered backend. Throws
/// Error naming the backends there are for an unknown one.
std::unique_ptr<Backend> make_backend(const std::string& name, const Model& model, const std::string& device,
                                      int threads, const VoiceSet& voices = kAllVoices);

}  // namespace deepbach::sample
