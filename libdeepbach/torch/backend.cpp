// libdeepbach/torch: the sampler's LibTorch backend. Each call is one
// batched forward of one voice network: its inputs (and, in full mode, the
// index vectors of forward_full) are written into one host buffer, pinned
// for CUDA, moved to the device in one copy, and the logits come back in one.
#include "torch/backend.hpp"

#include "nn/relational.hpp"
#include "sample/backend.hpp"
#include "torch/network.hpp"
#include "torch/train.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>

namespace deepbach::torch_backend {

namespace {

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

constexpr int kFields = kNumVoices + kMetadataInputs;  // int64 values per tick: notes, then meta

class TorchBackend : public sample::Backend {
public:
    TorchBackend(const Model& model, const std::string& device, int threads) : config_(model.config) {
        model.validate();
        set_threads(threads);
        const std::string device_name = resolve_device(device.empty() ? "auto" : device);
        device_ = parse_device(device_name);
        name_ = "torch-" + device_name;
        for (int v = 0; v < kNumVoices; ++v) {
            const Vocabulary& vocab = model.vocabularies[static_cast<size_t>(v)];
            vocab_sizes_[static_cast<size_t>(v)] = vocab.size();
            end_index_[static_cast<size_t>(v)] = vocab.index(token::kEnd);
        }
        try {
            nets_ = make_networks(model, device_);
        } catch (const c10::Error& e) {
            throw Error("torch backend: " + std::string(e.what_without_backtrace()));
        }
        for (auto& net : nets_) net->eval();
        if (config_.relational) {
            // The relational terms on the host, as the Eigen engine adds them.
            relational_ = std::make_unique<nn::Relational>(model.vocabularies, model.config);
            for (int v = 0; v < kNumVoices; ++v)
                relational_tables_[static_cast<size_t>(v)] =
                    model.weights.at("voices." + std::to_string(v) + ".relational").data;
        }
    }

    std::string name() const override { return name_; }
    const ModelConfig& config() const override { return config_; }

    void window_logits(int voice, const std::vector<nn::Target>& targets, Eigen::MatrixXf& out) override {
        check_voice(voice);
        const int V = vocab_sizes_[static_cast<size_t>(voice)];
        const std::int64_t B = static_cast<std::int64_t>(targets.size());
        out.resize(B, V);
        if (B == 0) return;
        const int wp = config_.window_past, wf = config_.window_future, W = wp + 1 + wf;
        std::int64_t* data = staging(B * W * kFields);
        for (std::int64_t b = 0; b < B; ++b) {
            const nn::Target& t = targets[static_cast<size_t>(b)];
            if (t.tick < 0 || t.tick >= t.sequence.length)
                throw Error(fmt::format("torch backend: target tick {} outside a sequence of {} ticks",
                                        t.tick, t.sequence.length));
            const int center = t.tick + kDatasetPadding;
            for (int w = 0; w < W; ++w) {
                const int i = center - wp + w;
                // The target voice's note at the target tick is never read:
                // any valid index does (the sampler may hold anything there).
                write_tick(t.sequence, i, w == wp ? voice : -1, data + (b * W + w) * kFields);
            }
        }
        torch::Tensor logits;
        try {
            c10::InferenceMode guard;
            const torch::Tensor input = to_device(B * W * kFields).view({B, W, kFields});
            logits = nets_[static_cast<size_t>(voice)]->forward_window(
                input.narrow(2, 0, kNumVoices), input.narrow(2, kNumVoices, kMetadataInputs));
            logits = logits.to(torch::kCPU, torch::kFloat32).contiguous();
        } catch (const c10::Error& e) {
            throw Error("torch backend: " + std::string(e.what_without_backtrace()));
        }
        out = Eigen::Map<const RowMajor>(logits.data_ptr<float>(), B, V);
    }

    void full_logits(int voice, const std::vector<nn::SequenceView>& sequences,
                     std::vector<Eigen::MatrixXf>& out) override {
        check_voice(voice);
        const int V = vocab_sizes_[static_cast<size_t>(voice)];
        const std::int64_t B = static_cast<std::int64_t>(sequences.size());
        out.assign(static_cast<size_t>(B), Eigen::MatrixXf());
        if (B == 0) return;
        // Right-padded to the longest, like training's full_batch: END notes
        // and the last tick's metadata (never read for the real ticks).
        std::int64_t T = 0;
        padded_lengths_.clear();
        for (const nn::SequenceView& s : sequences) {
            if (s.length < 1) throw Error("torch backend: empty sequence");
            padded_lengths_.push_back(s.padded_length());
            T = std::max<std::int64_t>(T, s.padded_length());
        }
        positions_.clear();
        for (std::int64_t b = 0; b < B; ++b)
            for (int t = 0; t < sequences[static_cast<size_t>(b)].length; ++t)
                positions_.push_back(b * T + kDatasetPadding + t);
        const std::int64_t N = static_cast<std::int64_t>(positions_.size());
        const std::int64_t inputs = B * T * kFields, total = inputs + B * T + 3 * N;
        std::int64_t* data = staging(total);
        for (std::int64_t b = 0; b < B; ++b) {
            const nn::SequenceView& s = sequences[static_cast<size_t>(b)];
            const int P = s.padded_length();
            for (int t = 0; t < P; ++t) write_tick(s, t, -1, data + (b * T + t) * kFields);
            for (std::int64_t t = P; t < T; ++t) {
                std::int64_t* row = data + (b * T + t) * kFields;
                for (int v = 0; v < kNumVoices; ++v) row[v] = end_index_[static_cast<size_t>(v)];
                std::copy(row - kFields + kNumVoices, row - kFields + kFields, row + kNumVoices);
            }
        }
        const FullSteps steps = full_indices(B, T, padded_lengths_, positions_, data + inputs);
        torch::Tensor logits;
        try {
            c10::InferenceMode guard;
            const torch::Tensor all = to_device(inputs + B * steps.future + 3 * N);
            const torch::Tensor input = all.narrow(0, 0, inputs).view({B, T, kFields});
            logits = nets_[static_cast<size_t>(voice)]->forward_full(
                input.narrow(2, 0, kNumVoices), input.narrow(2, kNumVoices, kMetadataInputs),
                all.narrow(0, inputs, all.size(0) - inputs), N, steps);
            logits = logits.to(torch::kCPU, torch::kFloat32).contiguous();
        } catch (const c10::Error& e) {
            throw Error("torch backend: " + std::string(e.what_without_backtrace()));
        }
        const Eigen::Map<const RowMajor> rows(logits.data_ptr<float>(), N, V);
        std::int64_t first = 0;
        for (std::int64_t b = 0; b < B; ++b) {
            const int length = sequences[static_cast<size_t>(b)].length;
            out[static_cast<size_t>(b)] = rows.middleRows(first, length);
            if (relational_)
                relational_->add(relational_tables_[static_cast<size_t>(voice)].data(),
                                 sequences[static_cast<size_t>(b)], voice, out[static_cast<size_t>(b)]);
            first += length;
        }
    }

private:
    void check_voice(int voice) const {
        if (voice < 0 || voice >= kNumVoices) throw Error(fmt::format("torch backend: no voice {}", voice));
    }

    // Writes padded tick i of s (4 note indices, fermata, beat, key + 7),
    // checking every value; voice `skip`'s note (if any) is written as 0.
    void write_tick(const nn::SequenceView& s, int i, int skip, std::int64_t* row) const {
        for (int u = 0; u < kNumVoices; ++u) {
            if (u == skip) {
                row[u] = 0;
                continue;
            }
            const int note = s.notes[static_cast<size_t>(u)][i];
            if (note < 0 || note >= vocab_sizes_[static_cast<size_t>(u)])
                throw Error(
                    fmt::format("torch backend: {} note index {} outside the vocabulary at padded tick {}",
                                voice_name(u), note, i));
            row[u] = note;
        }
        const int fermata = s.fermata[i], beat = s.beat[i], key = s.key_fifths[i] + 7;
        if (fermata > 1) throw Error(fmt::format("torch backend: fermata {} at padded tick {}", fermata, i));
        if (beat > 3) throw Error(fmt::format("torch backend: beat position {} at padded tick {}", beat, i));
        if (key < 0 || key > 14)
            throw Error(fmt::format("torch backend: key signature {} at padded tick {}", key - 7, i));
        row[kNumVoices + 0] = fermata;
        row[kNumVoices + 1] = beat;
        row[kNumVoices + 2] = key;
    }

    // The host buffer, at least n values (kept between calls; pinned for
    // CUDA so that the copy to the device runs at full speed).
    std::int64_t* staging(std::int64_t n) {
        if (!staging_.defined() || staging_.numel() < n) {
            const std::int64_t size =
                std::max<std::int64_t>(n, staging_.defined() ? 2 * staging_.numel() : 0);
            auto options = torch::TensorOptions().dtype(torch::kLong);
            if (device_.is_cuda()) options = options.pinned_memory(true);
            staging_ = torch::empty({size}, options);
        }
        return staging_.data_ptr<std::int64_t>();
    }

    // The first n values of the host buffer on the device (the buffer itself
    // on the CPU). The host buffer is not written again before the logits
    // have come back, which waits for this copy.
    torch::Tensor to_device(std::int64_t n) const {
        const torch::Tensor host = staging_.narrow(0, 0, n);
        if (!device_.is_cuda()) return host;
        return host.to(device_, /*non_blocking=*/true);
    }

    ModelConfig config_;
    torch::Device device_{torch::kCPU};
    std::string name_;
    std::array<int, kNumVoices> vocab_sizes_{};
    std::array<std::int64_t, kNumVoices> end_index_{};
    std::vector<VoiceNet> nets_;
    torch::Tensor staging_;
    std::vector<std::int64_t> padded_lengths_, positions_;
    std::unique_ptr<nn::Relational> relational_;
    std::array<std::vector<float>, kNumVoices> relational_tables_;
};

}  // namespace

std::unique_ptr<sample::Backend> make_sampler_backend(const Model& model, const std::string& device,
                                                      int threads) {
    return std::make_unique<TorchBackend>(model, device, threads);
}

void register_sampler_backend() {
    static std::once_flag once;
    std::call_once(once, [] { sample::register_backend("torch", make_sampler_backend); });
}

}  // namespace deepbach::torch_backend

namespace deepbach {

void register_torch_backend() {
    torch_backend::register_sampler_backend();
}

}  // namespace deepbach
