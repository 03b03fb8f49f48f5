// The Eigen engine (libdeepbach/nn) and the LibTorch network compute the same
// logits on the same weights, in both context modes.
#include "nn/inference.hpp"
#include "nn/relational.hpp"
#include "torch/network.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include <gtest/gtest.h>
#include "float_engine.hpp"

#include "small_dataset.hpp"

#include <algorithm>
#include <filesystem>
#include "needs_corpus.hpp"

namespace fs = std::filesystem;
namespace tb = deepbach::torch_backend;
using namespace deepbach;

namespace {

const Dataset& small_dataset() {
    static const Dataset dataset = test_data::dataset_of_first_chorales(4, "parity");
    return dataset;
}

// Padded inputs of sequence s as [1, P, 4] and [1, P, 3] tensors.
std::pair<torch::Tensor, torch::Tensor> sequence_tensors(const Dataset& d, int s) {
    const auto& sq = d.sequences[static_cast<size_t>(s)];
    const std::int64_t P = sq.length + 2 * kDatasetPadding;
    torch::Tensor notes = torch::empty({1, P, kNumVoices}, torch::kLong);
    torch::Tensor meta = torch::empty({1, P, 3}, torch::kLong);
    auto n = notes.accessor<std::int64_t, 3>();
    auto m = meta.accessor<std::int64_t, 3>();
    for (std::int64_t t = 0; t < P; ++t) {
        const size_t i = static_cast<size_t>(sq.offset + t);
        for (int v = 0; v < kNumVoices; ++v) n[0][t][v] = d.notes[static_cast<size_t>(v)][i];
        m[0][t][0] = d.fermata[i];
        m[0][t][1] = d.beat_position[i];
        m[0][t][2] = d.key_fifths[i] + 7;
    }
    return {notes, meta};
}

float max_abs_diff(const torch::Tensor& a, const Eigen::MatrixXf& b) {
    EXPECT_EQ(a.size(0), b.rows());
    EXPECT_EQ(a.size(1), b.cols());
    const auto acc = a.accessor<float, 2>();
    float worst = 0;
    for (std::int64_t r = 0; r < a.size(0); ++r)
        for (std::int64_t c = 0; c < a.size(1); ++c)
            worst = std::max(
                worst, std::abs(acc[r][c] - b(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c))));
    return worst;
}

Model parity_model(ContextMode mode, bool masked = false) {
    const Dataset& d = small_dataset();
    ModelConfig cfg;  // the default sizes
    cfg.mode = mode;
    cfg.mask = masked;
    cfg.shared_pitch = masked;
    return Model::initialize(cfg, d.vocabularies, d.ranges, 11);
}

}  // namespace

TEST(TorchParity, WindowModeMatchesEigen) {
    DEEPBACH_NEEDS_CORPUS();
    const Dataset& d = small_dataset();
    const Model model = parity_model(ContextMode::window);
    const nn::InferenceEngine engine(model, 1);
    std::vector<tb::VoiceNet> nets = tb::make_networks(model, torch::Device(torch::kCPU));
    torch::NoGradGuard no_grad;
    const int s = 0;
    const auto [notes, meta] = sequence_tensors(d, s);
    const int length = d.sequences[0].length;
    const int wp = model.config.window_past, wf = model.config.window_future;
    // Targets: every 7th tick and the first and last.
    std::vector<int> ticks;
    for (int t = 0; t < length; t += 7) ticks.push_back(t);
    ticks.push_back(length - 1);
    std::vector<torch::Tensor> wn, wm;
    std::vector<nn::Target> targets;
    for (int t : ticks) {
        wn.push_back(notes[0].narrow(0, kDatasetPadding + t - wp, wp + 1 + wf));
        wm.push_back(meta[0].narrow(0, kDatasetPadding + t - wp, wp + 1 + wf));
        targets.push_back({nn::view_of(d, s), t});
    }
    const torch::Tensor bn = torch::stack(wn), bm = torch::stack(wm);
    for (int v = 0; v < kNumVoices; ++v) {
        nets[static_cast<size_t>(v)]->eval();
        const torch::Tensor logits = nets[static_cast<size_t>(v)]->forward_window(bn, bm);
        Eigen::MatrixXf eigen;
        engine.window_logits(v, targets, eigen);
        EXPECT_LT(max_abs_diff(logits, eigen), 1e-4f) << "voice " << v;
    }
}

TEST(TorchParity, FullModeMatchesEigen) {
    DEEPBACH_NEEDS_CORPUS();
    const Dataset& d = small_dataset();
    const Model model = parity_model(ContextMode::full);
    const nn::InferenceEngine engine(model, 1);
    std::vector<tb::VoiceNet> nets = tb::make_networks(model, torch::Device(torch::kCPU));
    torch::NoGradGuard no_grad;
    // Two sequences of different lengths in one right-padded batch, as training runs them.
    const int s0 = 0;
    int s1 = 1;
    while (s1 + 1 < static_cast<int>(d.sequences.size()) &&
           d.sequences[static_cast<size_t>(s1)].length == d.sequences[0].length)
        ++s1;
    auto [n0, m0] = sequence_tensors(d, s0);
    auto [n1, m1] = sequence_tensors(d, s1);
    const std::int64_t P0 = n0.size(1), P1 = n1.size(1), T = std::max(P0, P1);
    auto pad = [&](torch::Tensor x, std::int64_t P) {
        if (P == T) return x;
        return torch::cat({x, x.narrow(1, P - 1, 1).expand({1, T - P, x.size(2)})}, 1);
    };
    const torch::Tensor notes = torch::cat({pad(n0, P0), pad(n1, P1)}, 0);
    const torch::Tensor meta = torch::cat({pad(m0, P0), pad(m1, P1)}, 0);
    std::vector<std::int64_t> positions;
    const int len0 = d.sequences[static_cast<size_t>(s0)].length,
              len1 = d.sequences[static_cast<size_t>(s1)].length;
    for (int t = 0; t < len0; ++t) positions.push_back(kDatasetPadding + t);
    for (int t = 0; t < len1; ++t) positions.push_back(T + kDatasetPadding + t);
    for (int v = 0; v < kNumVoices; ++v) {
        nets[static_cast<size_t>(v)]->eval();
        const torch::Tensor logits =
            nets[static_cast<size_t>(v)]->forward_full(notes, meta, {P0, P1}, positions);
        std::vector<Eigen::MatrixXf> eigen;
        engine.full_logits(v, {nn::view_of(d, s0), nn::view_of(d, s1)}, eigen);
        ASSERT_EQ(eigen.size(), 2u);
        EXPECT_LT(max_abs_diff(logits.narrow(0, 0, len0), eigen[0]), 1e-4f) << "voice " << v;
        EXPECT_LT(max_abs_diff(logits.narrow(0, len0, len1), eigen[1]), 1e-4f) << "voice " << v;
    }
}

// The shared pitch embedding and the mask input: the Eigen engine folds the
// pitch table into its token tables and reads index V_u as the mask row;
// LibTorch adds and looks them up. Both give the same logits, with masked
// cells in the input.
TEST(TorchParity, MaskAndSharedPitchMatchEigen) {
    DEEPBACH_NEEDS_CORPUS();
    const Dataset& d = small_dataset();
    const Model model = parity_model(ContextMode::full, true);
    const nn::InferenceEngine engine(model, 1);
    std::vector<tb::VoiceNet> nets = tb::make_networks(model, torch::Device(torch::kCPU));
    torch::NoGradGuard no_grad;
    const auto& sq = d.sequences[0];
    nn::SequenceData data;
    data.length = sq.length;
    const int P = sq.length + 2 * kDatasetPadding;
    for (int t = 0; t < P; ++t) {
        const size_t i = static_cast<size_t>(sq.offset + t);
        for (int v = 0; v < kNumVoices; ++v)
            data.notes[static_cast<size_t>(v)].push_back(d.notes[static_cast<size_t>(v)][i]);
        data.fermata.push_back(d.fermata[i]);
        data.beat.push_back(d.beat_position[i]);
        data.key_fifths.push_back(d.key_fifths[i]);
    }
    // Mask every third cell of the music, voice by voice in turn.
    for (int t = kDatasetPadding; t < kDatasetPadding + sq.length; t += 3) {
        const int v = (t / 3) % kNumVoices;
        data.notes[static_cast<size_t>(v)][static_cast<size_t>(t)] =
            static_cast<std::int16_t>(model.vocabularies[static_cast<size_t>(v)].size());
    }
    torch::Tensor notes = torch::empty({1, P, kNumVoices}, torch::kLong);
    torch::Tensor meta = torch::empty({1, P, 3}, torch::kLong);
    auto n = notes.accessor<std::int64_t, 3>();
    auto m = meta.accessor<std::int64_t, 3>();
    for (int t = 0; t < P; ++t) {
        for (int v = 0; v < kNumVoices; ++v)
            n[0][t][v] = data.notes[static_cast<size_t>(v)][static_cast<size_t>(t)];
        m[0][t][0] = data.fermata[static_cast<size_t>(t)];
        m[0][t][1] = data.beat[static_cast<size_t>(t)];
        m[0][t][2] = data.key_fifths[static_cast<size_t>(t)] + 7;
    }
    std::vector<std::int64_t> positions;
    for (int t = 0; t < sq.length; ++t) positions.push_back(kDatasetPadding + t);
    for (int v = 0; v < kNumVoices; ++v) {
        nets[static_cast<size_t>(v)]->eval();
        const torch::Tensor logits = nets[static_cast<size_t>(v)]->forward_full(notes, meta, {P}, positions);
        std::vector<Eigen::MatrixXf> eigen;
        engine.full_logits(v, {data.view()}, eigen);
        EXPECT_LT(max_abs_diff(logits, eigen[0]), 1e-4f) << "voice " << v;
    }
    // A mask index past V_u is still refused.
    data.notes[0][static_cast<size_t>(kDatasetPadding)] =
        static_cast<std::int16_t>(model.vocabularies[0].size() + 1);
    std::vector<Eigen::MatrixXf> eigen;
    EXPECT_THROW(engine.full_logits(1, {data.view()}, eigen), Error);
}

// Relational potentials: LibTorch looks the table entries up from the
// indices nn::Relational writes and adds them; the Eigen engine adds them
// itself. The same logits, with random tables.
TEST(TorchParity, RelationalPotentialsMatchEigen) {
    DEEPBACH_NEEDS_CORPUS();
    const Dataset& d = small_dataset();
    Model model = parity_model(ContextMode::full, true);
    model.config.relational = true;
    for (int v = 0; v < kNumVoices; ++v) {
        Tensor t;
        t.shape = {kRelationalTableSize};
        for (int i = 0; i < kRelationalTableSize; ++i)
            t.data.push_back(static_cast<float>(((i * 7919 + v * 104729) % 2001) - 1000) / 250.0f);
        model.weights["voices." + std::to_string(v) + ".relational"] = t;
    }
    // The first sequence, every tick a target.
    const int s = 0, length = d.sequences[0].length;
    const auto [notes, meta] = sequence_tensors(d, s);
    const std::int64_t P = notes.size(1);
    const nn::InferenceEngine engine(model, 1);
    std::vector<tb::VoiceNet> nets = tb::make_networks(model, torch::Device(torch::kCPU));
    torch::NoGradGuard no_grad;
    std::vector<std::int64_t> positions;
    for (int t = 0; t < length; ++t) positions.push_back(kDatasetPadding + t);
    const nn::Relational relational(model.vocabularies, model.config);
    for (int v = 0; v < kNumVoices; ++v) {
        const int V = model.vocabularies[static_cast<size_t>(v)].size();
        std::vector<std::int32_t> idx(static_cast<size_t>(length) * V * nn::kRelTerms);
        relational.indices(nn::view_of(d, s), v, idx.data());
        const torch::Tensor it = torch::from_blob(idx.data(), {length, V, nn::kRelTerms}, torch::kInt);
        auto& net = nets[static_cast<size_t>(v)];
        net->eval();
        const torch::Tensor logits =
            net->forward_full(notes, meta, {P}, positions) + net->relational_logits(it);
        std::vector<Eigen::MatrixXf> eigen;
        engine.full_logits(v, {nn::view_of(d, s)}, eigen);
        EXPECT_LT(max_abs_diff(logits, eigen[0]), 1e-4f) << "voice " << v;
        // The tables matter: without them the logits differ.
        EXPECT_GT(max_abs_diff(net->forward_full(notes, meta, {P}, positions), eigen[0]), 0.1f)
            << "voice " << v;
    }
}
