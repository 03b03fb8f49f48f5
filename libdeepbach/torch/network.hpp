// libdeepbach/torch: one voice network as a LibTorch module (the network
// contract of docs/model-format.md), and its mapping onto Model::weights.
// Includes LibTorch: only for sources of libdeepbach/torch and its tests.
#pragma once

#include <deepbach/model.hpp>

#include <torch/torch.h>

#include <string>
#include <vector>

namespace deepbach::torch_backend {

/// How many ticks each LSTM of forward_full reads: as many as its
/// positions need (the past LSTM the first `past` padded ticks, the future
/// one the last `future` ones of each sequence).
struct FullSteps {
    std::int64_t past = 0, future = 0;
};

/// Voice v's network. Its submodules are named so that named_parameters()
/// gives the contract's names without the "voices.{v}." prefix
/// (note_embeddings.0.weight, meta_embeddings.key.weight,
/// past_lstm.weight_ih_l0, center.0.weight, head.2.bias, ...).
class VoiceNetImpl : public torch::nn::Module {
public:
    /// pitch_codes: per voice, each vocabulary index's row of the shared
    /// pitch table (see pitch_codes()); used when config.shared_pitch.
    VoiceNetImpl(const ModelConfig& config, int voice, const std::array<int, kNumVoices>& vocabulary_sizes,
                 const std::array<std::vector<int>, kNumVoices>& pitch_codes = {});

    /// Embeds every tick: notes [B, T, 4] and meta [B, T, 3] (int64; meta
    /// holds fermata, beat, key fifths + 7) give x [B, T, 4E + 3M].
    torch::Tensor embed(const torch::Tensor& notes, const torch::Tensor& meta);
    /// The center MLP's output [.., C] from x rows of the target ticks.
    torch::Tensor center(const torch::Tensor& x_target);
    /// Logits [N, V_v] from h_past [N, H], center [N, C], h_future [N, H].
    torch::Tensor head_logits(const torch::Tensor& h_past, const torch::Tensor& center_out,
                              const torch::Tensor& h_future);

    /// Window mode: notes [B, W, 4], meta [B, W, 3] with W = window_past + 1 +
    /// window_future and the target at index window_past. Returns [B, V_v].
    torch::Tensor forward_window(const torch::Tensor& notes, const torch::Tensor& meta);

    /// Full mode: padded sequences notes [B, T, 4], meta [B, T, 3], each
    /// sequence b holding padded_lengths[b] real ticks (start and end padding
    /// included) and anything after them. Returns the logits [N, V_v] of the
    /// ticks `positions` (flat indices b * T + t, 1 <= t < padded_lengths[b] - 1).
    torch::Tensor forward_full(const torch::Tensor& notes, const torch::Tensor& meta,
                               const std::vector<std::int64_t>& padded_lengths,
                               const std::vector<std::int64_t>& positions);
    /// The same with the index vectors already on the device: `indices` is
    /// what full_indices wrote for N positions, `steps` what it returned.
    torch::Tensor forward_full(const torch::Tensor& notes, const torch::Tensor& meta,
                               const torch::Tensor& indices, std::int64_t N, const FullSteps& steps);

    /// With config.relational: the relational logits [N, V_v] of N targets
    /// from their table indices `indices` [N, V_v, kRelTerms] (int32, as
    /// nn::Relational::indices writes them; none() reads a zero).
    torch::Tensor relational_logits(const torch::Tensor& indices);
    bool relational() const { return config_.relational; }

    const ModelConfig& config() const { return config_; }
    int voice() const { return voice_; }

private:
    ModelConfig config_;
    int voice_;
    torch::nn::ModuleList note_embeddings{nullptr};
    torch::nn::ModuleDict meta_embeddings{nullptr};
    std::vector<torch::nn::Embedding> notes_;
    std::vector<torch::nn::Embedding> metas_;
    torch::nn::Embedding pitch_{nullptr};
    torch::nn::Embedding mask_{nullptr};      // row u: voice u's masked-cell input (index V_u)
    std::vector<torch::Tensor> pitch_codes_;  // per voice: vocabulary index -> pitch row
    torch::nn::LSTM past_lstm{nullptr};
    torch::nn::LSTM future_lstm{nullptr};
    torch::nn::Sequential center_{nullptr};
    torch::nn::Sequential head_{nullptr};
    torch::nn::Dropout dropout_{nullptr};
    torch::Tensor relational_;  // [kRelationalTableSize], with config.relational
};
TORCH_MODULE(VoiceNet);

/// The index vectors forward_full needs for a batch of B padded sequences
/// of T ticks (see forward_full), written to `out`, which must hold
/// B * T + 3 * N values (N = positions.size(); fewer are written). Returns
/// how many steps each LSTM runs. Throws Error for a position outside 1..P-2.
FullSteps full_indices(std::int64_t B, std::int64_t T, const std::vector<std::int64_t>& padded_lengths,
                       const std::vector<std::int64_t>& positions, std::int64_t* out);

/// The contract's name ("voices.{v}.past_lstm.weight_ih_l0") of every
/// parameter of the network, keyed by its name in named_parameters().
std::vector<std::pair<std::string, std::string>> contract_names(const VoiceNet& net);

/// Copies Model::weights of the network's voice into the network (exact
/// names and shapes; throws Error when one is missing or has another shape).
void load_weights(VoiceNet& net, const Model& model);
/// Copies the network's parameters into model.weights under the contract's names.
void store_weights(const VoiceNet& net, Model& model);

/// The four networks of a model, on a device, with the model's weights.
std::vector<VoiceNet> make_networks(const Model& model, const torch::Device& device);

torch::Device parse_device(const std::string& device);

/// CPU threads for LibTorch (threads <= 0: leave the defaults). With an
/// OpenBLAS-backed LibTorch (Debian's) OpenBLAS gets the threads and
/// LibTorch's intra-op pool one (see network.cpp).
void set_threads(int threads);

}  // namespace deepbach::torch_backend
