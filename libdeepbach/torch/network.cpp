// libdeepbach/torch: the voice network of the contract as a LibTorch module.
#include "torch/network.hpp"

#include <deepbach/error.hpp>

#include <fmt/format.h>

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace deepbach::torch_backend {

VoiceNetImpl::VoiceNetImpl(const ModelConfig& config, int voice,
                           const std::array<int, kNumVoices>& vocabulary_sizes,
                           const std::array<std::vector<int>, kNumVoices>& pitch_codes)
    : config_(config), voice_(voice) {
    const int E = config.note_embedding, M = config.meta_embedding, H = config.lstm_hidden,
              L = config.lstm_layers, C = config.mlp_hidden;
    note_embeddings = register_module("note_embeddings", torch::nn::ModuleList());
    for (int u = 0; u < kNumVoices; ++u) {
        torch::nn::Embedding e(vocabulary_sizes[static_cast<size_t>(u)], E);
        note_embeddings->push_back(e);
        notes_.push_back(e);
    }
    std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>> metas;
    for (int k = 0; k < kMetadataInputs; ++k) {
        torch::nn::Embedding e(kMetadataValues[static_cast<size_t>(k)], M);
        metas.emplace_back(kMetadataNames[static_cast<size_t>(k)], e.ptr());
        metas_.push_back(e);
    }
    meta_embeddings = register_module("meta_embeddings", torch::nn::ModuleDict(metas));
    if (config.mask) mask_ = register_module("mask_embeddings", torch::nn::Embedding(kNumVoices, E));
    if (config.shared_pitch) {
        pitch_ = register_module("pitch_embeddings", torch::nn::Embedding(kPitchCodes, E));
        for (int u = 0; u < kNumVoices; ++u) {
            const auto us = static_cast<size_t>(u);
            // One more for the mask index V_u, which has no pitch.
            std::vector<std::int64_t> codes(static_cast<size_t>(vocabulary_sizes[us]) + 1, kNoPitchCode);
            if (pitch_codes[us].size() + 1 == codes.size())
                std::copy(pitch_codes[us].begin(), pitch_codes[us].end(), codes.begin());
            pitch_codes_.push_back(
                register_buffer(fmt::format("pitch_codes_{}", u),
                                torch::tensor(codes, torch::TensorOptions().dtype(torch::kLong))));
        }
    }
    const int in = kNumVoices * E + kMetadataInputs * M;
    const double between = L > 1 ? static_cast<double>(config.dropout) : 0.0;
    past_lstm = register_module(
        "past_lstm",
        torch::nn::LSTM(torch::nn::LSTMOptions(in, H).num_layers(L).dropout(between).batch_first(true)));
    future_lstm = register_module(
        "future_lstm",
        torch::nn::LSTM(torch::nn::LSTMOptions(in, H).num_layers(L).dropout(between).batch_first(true)));
    center_ =
        register_module("center", torch::nn::Sequential(torch::nn::Linear(3 * E + kMetadataInputs * M, C),
                                                        torch::nn::ReLU(), torch::nn::Linear(C, C)));
    head_ = register_module(
        "head", torch::nn::Sequential(torch::nn::Linear(2 * H + C, C), torch::nn::ReLU(),
                                      torch::nn::Linear(C, vocabulary_sizes[static_cast<size_t>(voice)])));
    dropout_ = register_module("dropout", torch::nn::Dropout(static_cast<double>(config.dropout)));
    if (config.relational)
        relational_ = register_parameter("relational", torch::zeros({relational_table_size(config)}));
}

torch::Tensor VoiceNetImpl::relational_logits(const torch::Tensor& indices) {
    // One zero past the table for the absent terms (Relational::none()).
    const torch::Tensor table = torch::cat({relational_, torch::zeros({1}, relational_.options())});
    return table.index_select(0, indices.reshape({-1})).view(indices.sizes()).sum(-1);
}

torch::Tensor VoiceNetImpl::embed(const torch::Tensor& notes, const torch::Tensor& meta) {
    std::vector<torch::Tensor> parts;
    parts.reserve(kNumVoices + kMetadataInputs);
    for (int u = 0; u < kNumVoices; ++u) {
        const torch::Tensor idx = notes.select(-1, u);
        torch::Tensor e;
        if (config_.mask) {
            // Index V_u reads the voice's mask row.
            const torch::Tensor table =
                torch::cat({notes_[static_cast<size_t>(u)]->weight, mask_->weight.narrow(0, u, 1)}, 0);
            e = torch::nn::functional::embedding(idx, table);
        } else {
            e = notes_[static_cast<size_t>(u)](idx);
        }
        if (config_.shared_pitch)
            e = e + pitch_(pitch_codes_[static_cast<size_t>(u)]
                               .index_select(0, idx.reshape({-1}))
                               .view(idx.sizes()));
        parts.push_back(e);
    }
    for (int k = 0; k < kMetadataInputs; ++k)
        parts.push_back(metas_[static_cast<size_t>(k)](meta.select(-1, k)));
    return torch::cat(parts, -1);
}

torch::Tensor VoiceNetImpl::center(const torch::Tensor& x_target) {
    const int E = config_.note_embedding, M = config_.meta_embedding;
    std::vector<torch::Tensor> parts;
    for (int u = 0; u < kNumVoices; ++u)
        if (u != voice_) parts.push_back(x_target.narrow(-1, u * E, E));
    parts.push_back(x_target.narrow(-1, kNumVoices * E, kMetadataInputs * M));
    return center_->forward(torch::cat(parts, -1));
}

torch::Tensor VoiceNetImpl::head_logits(const torch::Tensor& h_past, const torch::Tensor& center_out,
                                        const torch::Tensor& h_future) {
    torch::Tensor z = torch::cat({h_past, center_out, h_future}, -1);
    return head_->forward(dropout_(z));
}

torch::Tensor VoiceNetImpl::forward_window(const torch::Tensor& notes, const torch::Tensor& meta) {
    const int wp = config_.window_past, wf = config_.window_future;
    const torch::Tensor x = embed(notes, meta);  // [B, W, in]
    const torch::Tensor past = x.narrow(1, 0, wp);
    const torch::Tensor future = x.narrow(1, wp + 1, wf).flip({1});
    const torch::Tensor out_past = std::get<0>(past_lstm->forward(past));
    const torch::Tensor out_future = std::get<0>(future_lstm->forward(future));
    return head_logits(out_past.select(1, wp - 1), center(x.select(1, wp)), out_future.select(1, wf - 1));
}

FullSteps full_indices(std::int64_t B, std::int64_t T, const std::vector<std::int64_t>& padded_lengths,
                       const std::vector<std::int64_t>& positions, std::int64_t* out) {
    // The LSTMs run only as far as the positions need: h_past(t) is the past
    // output at t - 1, h_future(t) the reversed future output at P - 2 - t.
    FullSteps steps;  // at least 1 step each, so that no positions makes empty logits
    steps.past = steps.future = 1;
    for (const std::int64_t p : positions) {
        const std::int64_t b = p / T, t = p % T;
        if (p < 0 || b >= B) throw Error(fmt::format("forward_full: position {} outside the batch", p));
        const std::int64_t P = padded_lengths[static_cast<size_t>(b)];
        if (t < 1 || t > P - 2) throw Error(fmt::format("forward_full: tick {} outside 1..{}", t, P - 2));
        steps.past = std::max(steps.past, t);
        steps.future = std::max(steps.future, P - 1 - t);
    }
    const std::int64_t F = steps.future, S = steps.past;
    // rev: the first F ticks of each sequence reversed within its own padded
    // length (the rest, where a shorter sequence ends, left in place).
    std::int64_t* rev = out;
    for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t P = padded_lengths[static_cast<size_t>(b)];
        for (std::int64_t j = 0; j < F; ++j) rev[b * F + j] = b * T + (j < P ? P - 1 - j : j);
    }
    const std::int64_t N = static_cast<std::int64_t>(positions.size());
    std::int64_t* pos = out + B * F;
    std::int64_t* past = pos + N;
    std::int64_t* future = past + N;
    for (std::int64_t i = 0; i < N; ++i) {
        const std::int64_t p = positions[static_cast<size_t>(i)];
        const std::int64_t b = p / T, t = p % T;
        pos[i] = p;
        past[i] = b * S + t - 1;
        future[i] = b * F + (padded_lengths[static_cast<size_t>(b)] - 2 - t);
    }
    return steps;
}

torch::Tensor VoiceNetImpl::forward_full(const torch::Tensor& notes, const torch::Tensor& meta,
                                         const std::vector<std::int64_t>& padded_lengths,
                                         const std::vector<std::int64_t>& positions) {
    const std::int64_t B = notes.size(0), T = notes.size(1), N = static_cast<std::int64_t>(positions.size());
    std::vector<std::int64_t> indices(static_cast<size_t>(B * T + 3 * N));
    const FullSteps steps = full_indices(B, T, padded_lengths, positions, indices.data());
    const torch::Tensor index_t = torch::from_blob(indices.data(), {B * steps.future + 3 * N}, torch::kLong)
                                      .to(notes.device(), false, true);
    return forward_full(notes, meta, index_t, N, steps);
}

torch::Tensor VoiceNetImpl::forward_full(const torch::Tensor& notes, const torch::Tensor& meta,
                                         const torch::Tensor& indices, std::int64_t N,
                                         const FullSteps& steps) {
    const std::int64_t B = notes.size(0), T = notes.size(1), S = steps.past, F = steps.future;
    const torch::Tensor x = embed(notes, meta);  // [B, T, in]
    const std::int64_t in = x.size(2);
    const torch::Tensor flat = x.reshape({B * T, in});
    const torch::Tensor rev_t = indices.narrow(0, 0, B * F);
    const torch::Tensor pos_t = indices.narrow(0, B * F, N);
    const torch::Tensor past_t = indices.narrow(0, B * F + N, N);
    const torch::Tensor future_t = indices.narrow(0, B * F + 2 * N, N);

    const torch::Tensor x_rev = flat.index_select(0, rev_t).view({B, F, in});
    const torch::Tensor out_past = std::get<0>(past_lstm->forward(x.narrow(1, 0, S))).reshape({B * S, -1});
    const torch::Tensor out_future = std::get<0>(future_lstm->forward(x_rev)).reshape({B * F, -1});
    return head_logits(out_past.index_select(0, past_t), center(flat.index_select(0, pos_t)),
                       out_future.index_select(0, future_t));
}

std::vector<std::pair<std::string, std::string>> contract_names(const VoiceNet& net) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : net->named_parameters(true))
        out.emplace_back(item.key(), fmt::format("voices.{}.{}", net->voice(), item.key()));
    return out;
}

void load_weights(VoiceNet& net, const Model& model) {
    torch::NoGradGuard no_grad;
    const std::string prefix = fmt::format("voices.{}.", net->voice());
    std::set<std::string> used;
    auto params = net->named_parameters(true);
    for (const auto& [local, name] : contract_names(net)) {
        const auto it = model.weights.find(name);
        if (it == model.weights.end()) throw Error("model has no tensor " + name);
        torch::Tensor p = params[local];
        const std::vector<std::int64_t> shape(p.sizes().begin(), p.sizes().end());
        if (it->second.shape != shape)
            throw Error(fmt::format("tensor {} has shape [{}], the network wants [{}]", name,
                                    fmt::join(it->second.shape, ", "), fmt::join(shape, ", ")));
        if (static_cast<std::int64_t>(it->second.data.size()) != p.numel())
            throw Error("tensor " + name + " holds the wrong number of values");
        const torch::Tensor src =
            torch::from_blob(const_cast<float*>(it->second.data.data()), p.sizes(), torch::kFloat32);
        p.copy_(src);
        used.insert(name);
    }
    for (const auto& [name, tensor] : model.weights)
        if (name.compare(0, prefix.size(), prefix) == 0 && !used.count(name))
            throw Error("model has an unexpected tensor " + name);
}

void store_weights(const VoiceNet& net, Model& model) {
    auto params = net->named_parameters(true);
    for (const auto& [local, name] : contract_names(net)) {
        const torch::Tensor p = params[local].detach().to(torch::kCPU, torch::kFloat32).contiguous();
        Tensor t;
        t.shape.assign(p.sizes().begin(), p.sizes().end());
        t.data.resize(static_cast<size_t>(p.numel()));
        std::memcpy(t.data.data(), p.data_ptr<float>(), t.data.size() * sizeof(float));
        model.weights[name] = std::move(t);
    }
}

// With an OpenBLAS-backed LibTorch (Debian's), the matrix products run on
// OpenBLAS's own threads: giving LibTorch's intra-op pool threads too
// oversubscribes the cores (measured: 2 + 2 threads on 2 cores runs at half
// the speed of 1 + 2). So there OpenBLAS gets the threads and LibTorch one.
void set_threads(int threads) {
    if (threads <= 0) return;
    using SetThreads = void (*)(int);
    auto openblas = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    if (openblas != nullptr) {
        openblas(threads);
        torch::set_num_threads(1);
    } else {
        torch::set_num_threads(threads);
    }
    try {
        at::set_num_interop_threads(threads);
    } catch (const std::exception&) {
        // Only allowed once, before any inter-op work: keep what is set.
    }
}

torch::Device parse_device(const std::string& device) {
    if (device == "cpu") return torch::Device(torch::kCPU);
    if (device == "cuda") return torch::Device(torch::kCUDA);
    throw Error("unknown device '" + device + "' (cpu or cuda)");
}

std::vector<VoiceNet> make_networks(const Model& model, const torch::Device& device) {
    std::array<int, kNumVoices> sizes{};
    for (int v = 0; v < kNumVoices; ++v)
        sizes[static_cast<size_t>(v)] = model.vocabularies[static_cast<size_t>(v)].size();
    std::vector<VoiceNet> nets;
    std::array<std::vector<int>, kNumVoices> codes;
    for (int v = 0; v < kNumVoices; ++v)
        codes[static_cast<size_t>(v)] = pitch_codes(model.vocabularies[static_cast<size_t>(v)]);
    for (int v = 0; v < kNumVoices; ++v) {
        VoiceNet net(model.config, v, sizes, codes);
        load_weights(net, model);
        net->to(device);
        nets.push_back(net);
    }
    return nets;
}

}  // namespace deepbach::torch_backend
