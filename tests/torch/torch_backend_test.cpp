// The sampler's LibTorch backend (libdeepbach/torch/backend.cpp) gives the
// Eigen backend's logits, in both context modes, on the CPU and (where there
// is one) a CUDA device; and it is found by name once registered.
//
// The registry test comes first: when every test runs in one process (the
// program run by hand), it is the only one that registers "torch".
#include "torch/backend.hpp"

#include "nn/inference.hpp"
#include "sample/backend.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>
#include <deepbach/train.hpp>

#include <torch/torch.h>

#include <gtest/gtest.h>
#include "float_engine.hpp"

#include "small_dataset.hpp"

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <random>
#include "needs_corpus.hpp"

namespace fs = std::filesystem;
namespace tb = deepbach::torch_backend;
using namespace deepbach;

namespace {

const Dataset& small_dataset() {
    static const Dataset dataset = test_data::dataset_of_first_chorales(3, "backend");
    return dataset;
}

ModelConfig small_config(ContextMode mode) {
    ModelConfig c;
    c.mode = mode;
    c.note_embedding = 6;
    c.meta_embedding = 3;
    c.lstm_hidden = 24;
    c.lstm_layers = 2;
    c.mlp_hidden = 16;
    c.window_past = 5;
    c.window_future = 7;
    return c;
}

Model make_model(const ModelConfig& config, std::uint64_t seed = 7) {
    const Dataset& d = small_dataset();
    return Model::initialize(config, d.vocabularies, d.ranges, seed);
}

// A padded sequence of random (valid) content, owning its storage.
struct RandomSequence {
    std::array<std::vector<std::int16_t>, kNumVoices> notes;
    std::vector<std::uint8_t> fermata, beat;
    std::vector<std::int8_t> key;
    int length = 0;

    RandomSequence(const Model& model, int length_, std::mt19937& rng) : length(length_) {
        const size_t P = static_cast<size_t>(length + 2 * kDatasetPadding);
        for (int v = 0; v < kNumVoices; ++v) {
            std::uniform_int_distribution<int> note(0, model.vocabularies[static_cast<size_t>(v)].size() - 1);
            for (size_t i = 0; i < P; ++i)
                notes[static_cast<size_t>(v)].push_back(static_cast<std::int16_t>(note(rng)));
        }
        std::uniform_int_distribution<int> f(0, 1), b(0, 3), k(-7, 7);
        for (size_t i = 0; i < P; ++i) {
            fermata.push_back(static_cast<std::uint8_t>(f(rng)));
            beat.push_back(static_cast<std::uint8_t>(b(rng)));
            key.push_back(static_cast<std::int8_t>(k(rng)));
        }
    }
    nn::SequenceView view() const {
        nn::SequenceView s;
        for (int v = 0; v < kNumVoices; ++v)
            s.notes[static_cast<size_t>(v)] = notes[static_cast<size_t>(v)].data();
        s.fermata = fermata.data();
        s.beat = beat.data();
        s.key_fifths = key.data();
        s.length = length;
        return s;
    }
};

float max_abs_diff(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
    EXPECT_EQ(a.rows(), b.rows());
    EXPECT_EQ(a.cols(), b.cols());
    if (a.rows() != b.rows() || a.cols() != b.cols() || a.size() == 0)
        return a.size() == b.size() ? 0.0f : 1e9f;
    return (a - b).cwiseAbs().maxCoeff();
}

// Random targets and sequences from the dataset (chorales under several
// transpositions) and from random content, compared voice by voice.
void expect_parity(const Model& model, const std::string& device) {
    const Dataset& d = small_dataset();
    std::unique_ptr<sample::Backend> eigen = sample::make_eigen_backend(model, 1);
    std::unique_ptr<sample::Backend> torch_be = tb::make_sampler_backend(model, device, 1);
    EXPECT_EQ(torch_be->name(), "torch-" + device);
    EXPECT_EQ(torch_be->config().lstm_hidden, model.config.lstm_hidden);

    std::mt19937 rng(1234);
    std::vector<nn::SequenceView> pool;
    for (int s = 0; s < static_cast<int>(d.sequences.size()); ++s) pool.push_back(nn::view_of(d, s));
    std::vector<RandomSequence> owned;
    for (int length : {1, 3, 40}) owned.emplace_back(model, length, rng);
    for (const auto& r : owned) pool.push_back(r.view());
    std::uniform_int_distribution<size_t> pick(0, pool.size() - 1);

    for (int v = 0; v < kNumVoices; ++v) {
        // Window mode: 37 random targets, with each pool sequence's first and
        // last tick among them, then one target alone and none.
        std::vector<nn::Target> targets;
        for (int i = 0; i < 37; ++i) {
            const nn::SequenceView& s = pool[pick(rng)];
            targets.push_back({s, std::uniform_int_distribution<int>(0, s.length - 1)(rng)});
        }
        for (size_t i = pool.size() - owned.size() - 1; i < pool.size(); ++i) {
            targets.push_back({pool[i], 0});
            targets.push_back({pool[i], pool[i].length - 1});
        }
        Eigen::MatrixXf a, b;
        eigen->window_logits(v, targets, a);
        torch_be->window_logits(v, targets, b);
        ASSERT_EQ(b.rows(), static_cast<Eigen::Index>(targets.size()));
        ASSERT_EQ(b.cols(), model.vocabularies[static_cast<size_t>(v)].size());
        EXPECT_LT(max_abs_diff(a, b), 1e-4f) << "window, voice " << v << ", " << device;
        const std::vector<nn::Target> one(targets.begin() + 3, targets.begin() + 4);
        eigen->window_logits(v, one, a);
        torch_be->window_logits(v, one, b);
        EXPECT_LT(max_abs_diff(a, b), 1e-4f) << "one target, voice " << v;
        torch_be->window_logits(v, {}, b);
        EXPECT_EQ(b.rows(), 0);

        // Full mode: sequences of different lengths in a shuffled batch.
        std::vector<nn::SequenceView> seqs;
        for (int i = 0; i < 4; ++i) seqs.push_back(pool[pick(rng)]);
        for (const auto& r : owned) seqs.push_back(r.view());
        std::shuffle(seqs.begin(), seqs.end(), rng);
        std::vector<Eigen::MatrixXf> fa, fb;
        eigen->full_logits(v, seqs, fa);
        torch_be->full_logits(v, seqs, fb);
        ASSERT_EQ(fa.size(), seqs.size());
        ASSERT_EQ(fb.size(), seqs.size());
        for (size_t q = 0; q < seqs.size(); ++q) {
            ASSERT_EQ(fb[q].rows(), seqs[q].length);
            EXPECT_LT(max_abs_diff(fa[q], fb[q]), 1e-4f) << "full, voice " << v << ", sequence " << q;
        }
        torch_be->full_logits(v, {}, fb);
        EXPECT_TRUE(fb.empty());
    }
}

}  // namespace

TEST(TorchBackendRegistry, FoundByNameOnceRegistered) {
    DEEPBACH_NEEDS_CORPUS();
    const Model model = make_model(small_config(ContextMode::window));
    // Before registering: "torch" is not there, and an unknown name says so.
    try {
        (void)sample::make_backend("torch", model, "cpu", 1);
        ADD_FAILURE() << "made a torch backend before registering it";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("torch"), std::string::npos) << e.what();
    }
    try {
        (void)sample::make_backend("nonesuch", model, "cpu", 1);
        ADD_FAILURE() << "made an unknown backend";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("unknown backend 'nonesuch'"), std::string::npos) << e.what();
    }

    register_torch_backend();
    register_torch_backend();  // idempotent
    const auto cpu = sample::make_backend("torch", model, "cpu", 1);
    EXPECT_EQ(cpu->name(), "torch-cpu");
    const auto any = sample::make_backend("torch", model, "auto", 1);
    EXPECT_EQ(any->name(), torch::cuda::is_available() ? "torch-cuda" : "torch-cpu");
    try {
        (void)sample::make_backend("nonesuch", model, "cpu", 1);
        ADD_FAILURE() << "made an unknown backend";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("torch"), std::string::npos)
            << "names the backends: " << e.what();
    }
    EXPECT_THROW((void)sample::make_backend("torch", model, "tpu", 1), Error);
    if (!torch::cuda::is_available())
        EXPECT_THROW((void)sample::make_backend("torch", model, "cuda", 1), Error);
    // The eigen backend is still there.
    EXPECT_EQ(sample::make_backend("eigen", model, "cpu", 1)->name(), "eigen");
}

TEST(TorchBackend, WindowModelMatchesEigen) {
    DEEPBACH_NEEDS_CORPUS();
    expect_parity(make_model(small_config(ContextMode::window)), "cpu");
}

TEST(TorchBackend, FullModelMatchesEigen) {
    DEEPBACH_NEEDS_CORPUS();
    expect_parity(make_model(small_config(ContextMode::full)), "cpu");
}

TEST(TorchBackend, OneLayerModelMatchesEigen) {
    DEEPBACH_NEEDS_CORPUS();
    ModelConfig c = small_config(ContextMode::full);
    c.lstm_layers = 1;
    c.window_past = 16;
    c.window_future = 1;
    expect_parity(make_model(c, 3), "cpu");
}

TEST(TorchBackend, DefaultSizesMatchEigen) {
    DEEPBACH_NEEDS_CORPUS();
    ModelConfig c;  // the default sizes, full mode; window mode with them too
    expect_parity(make_model(c, 11), "cpu");
    c.mode = ContextMode::window;
    expect_parity(make_model(c, 12), "cpu");
}

TEST(TorchBackend, CudaMatchesEigen) {
    if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device: skipped";
    expect_parity(make_model(small_config(ContextMode::window)), "cuda");
    expect_parity(make_model(ModelConfig{}, 11), "cuda");
}

TEST(TorchBackend, RejectsBadInput) {
    DEEPBACH_NEEDS_CORPUS();
    const Model model = make_model(small_config(ContextMode::window));
    const auto be = tb::make_sampler_backend(model, "cpu", 1);
    std::mt19937 rng(5);
    RandomSequence r(model, 20, rng);
    Eigen::MatrixXf out;
    std::vector<Eigen::MatrixXf> outs;
    EXPECT_THROW(be->window_logits(0, {{r.view(), 20}}, out), Error);
    EXPECT_THROW(be->window_logits(0, {{r.view(), -1}}, out), Error);
    EXPECT_THROW(be->window_logits(4, {{r.view(), 0}}, out), Error);
    RandomSequence empty(model, 0, rng);
    EXPECT_THROW(be->full_logits(0, {empty.view()}, outs), Error);

    // The target voice's own note at the target tick is never read: the
    // sampler may hold anything there (both backends ignore it).
    const auto eigen = sample::make_eigen_backend(model, 1);
    r.notes[1][kDatasetPadding + 8] = -1;
    Eigen::MatrixXf a;
    eigen->window_logits(1, {{r.view(), 8}}, a);
    be->window_logits(1, {{r.view(), 8}}, out);
    EXPECT_LT(max_abs_diff(a, out), 1e-4f);
    // Anywhere else it is an error, not a crash.
    EXPECT_THROW(be->window_logits(0, {{r.view(), 8}}, out), Error);
    EXPECT_THROW(be->full_logits(0, {r.view()}, outs), Error);
    r.notes[1][kDatasetPadding + 8] = 0;
    r.key[3] = 9;
    EXPECT_THROW(be->full_logits(0, {r.view()}, outs), Error);
}

// Not a check: how long one sampler call takes with the default sizes, the
// torch backend on 1 CPU thread against the Eigen backend on 1 thread.
TEST(TorchBackend, TimingDefaultSizes) {
    DEEPBACH_NEEDS_CORPUS();
    using Clock = std::chrono::steady_clock;
    std::mt19937 rng(9);
    for (ContextMode mode : {ContextMode::window, ContextMode::full}) {
        ModelConfig c;
        c.mode = mode;
        const Model model = make_model(c, 13);
        RandomSequence seq(model, 64, rng);
        std::vector<nn::Target> targets;
        for (int i = 0; i < 32; ++i) targets.push_back({seq.view(), (i * 37) % 64});
        for (const char* kind : {"eigen", "torch-cpu"}) {
            const auto be = std::string(kind) == "eigen" ? sample::make_eigen_backend(model, 1)
                                                         : tb::make_sampler_backend(model, "cpu", 1);
            Eigen::MatrixXf out;
            std::vector<Eigen::MatrixXf> outs;
            auto call = [&] {
                if (mode == ContextMode::window)
                    be->window_logits(2, targets, out);
                else
                    be->full_logits(2, {seq.view()}, outs);
            };
            for (int i = 0; i < 3; ++i) call();  // warm-up
            const int reps = 20;
            const std::clock_t cpu_start = std::clock();
            const auto start = Clock::now();
            for (int i = 0; i < reps; ++i) call();
            const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count() / reps;
            const double cpu_ms =
                1000.0 * static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC / reps;
            std::printf("[timing] %-9s %s: %.3f ms per call (%.3f ms CPU)\n", kind,
                        mode == ContextMode::window ? "window, 32 targets" : "full, one 64-tick sequence", ms,
                        cpu_ms);
        }
    }
}
