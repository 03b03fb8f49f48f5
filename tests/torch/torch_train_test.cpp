// Training with LibTorch: the loss falls, models save and load exactly,
// --resume continues bitwise, corrupt files fail clearly, CUDA when present.
#include "nn/evaluate.hpp"
#include "torch/network.hpp"
#include "torch/train.hpp"

#include <deepbach/diagnostics.hpp>

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include <gtest/gtest.h>
#include "float_engine.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include "needs_corpus.hpp"

namespace fs = std::filesystem;
namespace tb = deepbach::torch_backend;
using namespace deepbach;

namespace {

// A temporary folder holding links to the first `n` chorales of the corpus.
class SmallCorpus {
public:
    explicit SmallCorpus(int n, const std::string& tag) {
        root_ = fs::temp_directory_path() / ("deepbach-torch-test-" + tag + "-" + std::to_string(::getpid()));
        fs::remove_all(root_);
        fs::create_directories(root_ / "corpus");
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(DEEPBACH_CORPUS_DIR))
            if (e.path().extension() == ".mxl" || e.path().extension() == ".xml") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (int i = 0; i < n && i < static_cast<int>(files.size()); ++i)
            fs::create_symlink(files[static_cast<size_t>(i)],
                               root_ / "corpus" / files[static_cast<size_t>(i)].filename());
    }
    ~SmallCorpus() { fs::remove_all(root_); }
    fs::path corpus() const { return root_ / "corpus"; }
    fs::path path(const std::string& name) const { return root_ / name; }

private:
    fs::path root_;
};

TrainOptions small_options(const SmallCorpus& c, ContextMode mode, const std::string& out) {
    TrainOptions o;
    o.corpus = c.corpus();
    o.out = c.path(out);
    o.cache_dir = c.path("cache");
    o.config.mode = mode;
    o.config.note_embedding = 8;
    o.config.meta_embedding = 4;
    o.config.lstm_hidden = 32;
    o.config.lstm_layers = 2;
    o.config.mlp_hidden = 32;
    o.config.dropout = 0.2f;
    o.epochs = 1000;
    o.batch_size = 64;
    o.batch_sequences = 2;
    o.device = Device::cpu;
    o.threads = 1;
    o.seed = 7;
    o.validation_targets = 256;
    return o;
}

std::vector<torch::Tensor> resume_weights(const fs::path& resume, const Model& like) {
    std::vector<tb::VoiceNet> nets = tb::make_networks(like, torch::Device(torch::kCPU));
    torch::serialize::InputArchive archive;
    archive.load_from(resume.string());
    std::vector<torch::Tensor> out;
    for (size_t v = 0; v < nets.size(); ++v) {
        torch::serialize::InputArchive sub;
        archive.read("net" + std::to_string(v), sub);
        nets[v]->load(sub);
        for (const auto& p : nets[v]->parameters()) out.push_back(p.detach().clone());
    }
    return out;
}

}  // namespace

TEST(TorchTrain, LossFallsOnSmallCorpus) {
    DEEPBACH_NEEDS_CORPUS();
    for (ContextMode mode : {ContextMode::full, ContextMode::window}) {
        SmallCorpus c(12, std::string("loss-") + to_string(mode));
        TrainOptions o = small_options(c, mode, "m.safetensors");
        o.max_steps = 40;
        o.config.dropout = 0;
        std::vector<double> losses;
        train_model(o, [&](const TrainProgress& p) {
            if (p.phase == TrainProgress::Phase::training && p.message == "training")
                losses.push_back(p.loss);
            return true;
        });
        ASSERT_EQ(losses.size(), 40u) << to_string(mode);
        EXPECT_TRUE(std::isfinite(losses.front()));
        // losses are running means since the first step: the last is below the first only if the loss fell.
        EXPECT_LT(losses.back(), losses.front()) << to_string(mode);
    }
}

TEST(TorchTrain, SavedModelLoadsExactly) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(12, "save");
    TrainOptions o = small_options(c, ContextMode::full, "m.safetensors");
    o.max_steps = 5;
    const TrainingRecord record = train_model(o);
    const Model m = Model::load(o.out);
    EXPECT_NO_THROW(m.validate());
    EXPECT_EQ(m.training.steps, 5);
    EXPECT_EQ(m.training.seed, 7u);
    EXPECT_EQ(m.training.corpus_checksum, record.corpus_checksum);
    EXPECT_EQ(m.training.device, "cpu");
    EXPECT_EQ(m.config.lstm_hidden, 32);
    EXPECT_EQ(m.config.mode, ContextMode::full);
    for (int v = 0; v < kNumVoices; ++v)
        EXPECT_DOUBLE_EQ(m.training.validation[static_cast<size_t>(v)].nll,
                         record.validation[static_cast<size_t>(v)].nll);
    // The file's weights are the resume checkpoint's (saved at the same step), bit for bit.
    const auto trained = resume_weights(fs::path(o.out.string() + ".resume"), m);
    Model copy = m;
    std::vector<tb::VoiceNet> nets = tb::make_networks(m, torch::Device(torch::kCPU));
    size_t i = 0;
    for (auto& net : nets)
        for (const auto& p : net->parameters()) EXPECT_TRUE(torch::equal(p, trained[i++]));
    for (auto& net : nets) tb::store_weights(net, copy);
    for (const auto& [name, t] : m.weights) {
        ASSERT_TRUE(copy.weights.count(name)) << name;
        EXPECT_EQ(copy.weights.at(name).shape, t.shape) << name;
        EXPECT_EQ(copy.weights.at(name).data, t.data) << name;
    }
}

TEST(TorchTrain, ResumeContinuesBitwise) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(12, "resume");
    for (ContextMode mode : {ContextMode::window, ContextMode::full}) {
        TrainOptions one = small_options(c, mode, std::string("one-") + to_string(mode) + ".safetensors");
        one.max_steps = 8;
        train_model(one);

        TrainOptions two = small_options(c, mode, std::string("two-") + to_string(mode) + ".safetensors");
        two.max_steps = 4;
        train_model(two);
        two.max_steps = 8;
        two.resume = true;
        std::string resumed;
        train_model(two, [&](const TrainProgress& p) {
            if (p.message.rfind("resuming", 0) == 0) resumed = p.message;
            return true;
        });
        EXPECT_EQ(resumed, "resuming at step 4");

        const Model like = Model::load(one.out);
        const auto a = resume_weights(fs::path(one.out.string() + ".resume"), like);
        const auto b = resume_weights(fs::path(two.out.string() + ".resume"), like);
        ASSERT_EQ(a.size(), b.size());
        for (size_t i = 0; i < a.size(); ++i)
            EXPECT_TRUE(torch::equal(a[i], b[i])) << to_string(mode) << " " << i;
    }
}

TEST(TorchTrain, MaskedAndCorruptedContextTrainsAndResumesBitwise) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(6, "masked");
    TrainOptions o = small_options(c, ContextMode::full, "masked.safetensors");
    o.config.mask = true;
    o.config.shared_pitch = true;
    o.mask = 1.0;
    o.corrupt = 0.2;
    o.max_steps = 4;
    const TrainingRecord one = train_model(o);
    const Model a = Model::load(o.out);
    EXPECT_TRUE(a.config.mask);
    EXPECT_TRUE(a.config.shared_pitch);
    EXPECT_EQ(a.weights.count("voices.0.mask_embeddings.weight"), 1u);
    EXPECT_EQ(a.weights.count("voices.2.pitch_embeddings.weight"), 1u);
    EXPECT_TRUE(std::isfinite(one.validation[0].nll));
    // Two steps, then resumed to four: the same weights as four at once.
    TrainOptions half = o;
    half.out = c.path("half.safetensors");
    half.max_steps = 2;
    train_model(half);
    half.max_steps = 4;
    half.resume = true;
    train_model(half);
    const auto wa = resume_weights(fs::path(o.out.string() + ".resume"), a);
    const auto wb = resume_weights(fs::path(half.out.string() + ".resume"), a);
    ASSERT_EQ(wa.size(), wb.size());
    for (size_t i = 0; i < wa.size(); ++i) EXPECT_TRUE(torch::equal(wa[i], wb[i])) << i;
    // --mask without a mask input is refused.
    TrainOptions bad = o;
    bad.config.mask = false;
    EXPECT_THROW(train_model(bad), Error);
}

TEST(TorchTrain, SelfUnlikelihoodAndInitFromAModel) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(6, "self");
    TrainOptions o = small_options(c, ContextMode::full, "base.safetensors");
    o.config.shared_pitch = true;
    o.max_steps = 2;
    train_model(o);
    // Continue from those weights with the unlikelihood at the model's own harmonizations.
    TrainOptions g = o;
    g.out = c.path("tuned.safetensors");
    g.init = o.out;
    g.unlikelihood = 5;
    g.self_unlikelihood = 5;
    g.self_pool = 2;
    g.self_refresh = 1;
    g.monitor = 1;
    int monitored = -1;
    const TrainingRecord r = train_model(g, [&](const TrainProgress& p) {
        if (p.message.rfind("epoch ", 0) == 0) monitored = p.monitor_chorales;
        return true;
    });
    EXPECT_TRUE(std::isfinite(r.validation[0].nll));
    EXPECT_EQ(monitored, 1);
    const Model base = Model::load(o.out), tuned = Model::load(g.out);
    EXPECT_NE(base.weights.at("voices.1.head.2.weight").data,
              tuned.weights.at("voices.1.head.2.weight").data);
    // --init with another configuration is refused.
    TrainOptions bad = g;
    bad.out = c.path("bad.safetensors");
    bad.config.lstm_hidden = 16;
    EXPECT_THROW(train_model(bad), Error);
}

// Relational potentials learned alone on top of a trained model: the
// networks' weights stay bitwise those of --init, the tables move, the
// validation NLL does not get worse, and the Eigen engine agrees with the
// NLL the trainer reports.
TEST(TorchTrain, RelationalOnlyLearnsTheTablesOnTopOfAModel) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(8, "relational");
    TrainOptions o = small_options(c, ContextMode::full, "base.safetensors");
    o.max_steps = 4;
    const TrainingRecord base_record = train_model(o);
    TrainOptions r = o;
    r.out = c.path("rel.safetensors");
    r.init = o.out;
    r.config.relational = true;
    r.relational_only = true;
    r.learning_rate = 0.05;
    r.max_steps = 6;
    r.monitor = 1;
    const TrainingRecord rec = train_model(r);
    const Model base = Model::load(o.out), rel = Model::load(r.out);
    EXPECT_TRUE(rel.config.relational);
    for (const auto& [name, tensor] : base.weights) EXPECT_EQ(rel.weights.at(name).data, tensor.data) << name;
    double moved = 0;
    for (float x : rel.weights.at("voices.2.relational").data) moved += std::abs(x);
    EXPECT_GT(moved, 0.1);
    double before = 0, after = 0;
    for (int v = 0; v < kNumVoices; ++v) {
        before += base_record.validation[static_cast<size_t>(v)].nll;
        after += rec.validation[static_cast<size_t>(v)].nll;
    }
    EXPECT_LT(after, before);
    // --relational-only without --init, or without --relational, is refused.
    TrainOptions bad = r;
    bad.init.clear();
    EXPECT_THROW(train_model(bad), Error);
    bad = r;
    bad.config.relational = false;
    EXPECT_THROW(train_model(bad), Error);
}

TEST(TorchTrain, ResumeRefusesOtherSettings) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(12, "resume-other");
    TrainOptions o = small_options(c, ContextMode::full, "m.safetensors");
    o.max_steps = 2;
    train_model(o);
    o.resume = true;
    o.config.lstm_hidden = 16;
    EXPECT_THROW(train_model(o), Error);
}

TEST(TorchTrain, CorruptModelFileIsAClearError) {
    const fs::path p =
        fs::temp_directory_path() / ("deepbach-corrupt-" + std::to_string(::getpid()) + ".safetensors");
    {
        std::ofstream f(p, std::ios::binary);
        f << "\x10\x00\x00\x00\x00\x00\x00\x00{not json at all";
    }
    try {
        Model::load(p);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(p.filename().string()), std::string::npos) << e.what();
    }
    fs::remove(p);
}

TEST(TorchTrain, EvaluateSkipsNothingOnTrainingChorales) {
    DEEPBACH_NEEDS_CORPUS();
    SmallCorpus c(12, "evaluate");
    TrainOptions o = small_options(c, ContextMode::full, "m.safetensors");
    o.max_steps = 3;
    train_model(o);
    const Model m = Model::load(o.out);
    const Corpus corpus = load_corpus(c.corpus());
    const auto metrics = evaluate_model_torch(m, corpus.chorales, Device::cpu, 1);
    for (const auto& vm : metrics) {
        EXPECT_TRUE(std::isfinite(vm.nll));
        EXPECT_GT(vm.nll, 0);
        EXPECT_EQ(vm.targets, static_cast<std::int64_t>(corpus.total_ticks()));
        EXPECT_GE(vm.accuracy, 0);
        EXPECT_LE(vm.accuracy, 1);
    }
    // `deepbach evaluate` uses the Eigen engine: the same figures.
    ModelEvaluationOptions eo;
    eo.threads = 1;
    const auto eigen = evaluate_model(m, corpus.chorales, eo).voices;
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& a = metrics[static_cast<size_t>(v)];
        const auto& b = eigen[static_cast<size_t>(v)];
        EXPECT_EQ(a.targets, b.targets);
        EXPECT_EQ(a.onset_targets, b.onset_targets);
        EXPECT_NEAR(a.nll, b.nll, 1e-4);
        EXPECT_NEAR(a.onset_nll, b.onset_nll, 1e-4);
        EXPECT_NEAR(a.accuracy, b.accuracy, 1e-3);
    }
}

TEST(TorchTrain, OptionsAreCheckedBeforeAnyWork) {
    TrainOptions o;
    o.corpus = "/nonexistent";
    o.out = "/nonexistent/m.safetensors";
    auto message = [&](TrainOptions bad) {
        try {
            train_model(bad);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    TrainOptions bad = o;
    bad.epochs = 0;
    EXPECT_EQ(message(bad), "epochs 0: expected a whole number of at least 1");
    bad = o;
    bad.corrupt = 2;
    EXPECT_EQ(message(bad), "corrupt 2: expected a number in [0, 1]");
    bad = o;
    bad.relational_only = true;
    EXPECT_EQ(message(bad), "relational only: needs the relational potentials (config.relational)");
    bad = o;
    bad.learning_rate = 0;
    EXPECT_EQ(message(bad), "learning rate 0: expected a positive number, e.g. 0.001");
}

TEST(TorchCuda, TrainsAndMatchesCpu) {
    if (!cuda_available()) GTEST_SKIP() << "no CUDA device: skipped";
    SmallCorpus c(12, "cuda");
    TrainOptions o = small_options(c, ContextMode::full, "cuda.safetensors");
    o.device = Device::cuda;
    o.max_steps = 3;
    const TrainingRecord r = train_model(o);
    EXPECT_EQ(r.device, "cuda");
    // The same weights give the same logits on both devices.
    ModelConfig cfg;
    const std::array<int, kNumVoices> sizes = {53, 50, 49, 65};
    torch::manual_seed(3);
    tb::VoiceNet cpu(cfg, 1, sizes);
    cpu->eval();
    tb::VoiceNet gpu(cfg, 1, sizes);
    {
        torch::NoGradGuard g;
        auto src = cpu->parameters();
        auto dst = gpu->parameters();
        for (size_t i = 0; i < src.size(); ++i) dst[i].copy_(src[i]);
    }
    gpu->to(torch::kCUDA);
    gpu->eval();
    torch::NoGradGuard g;
    const auto notes = torch::randint(49, {4, 32, 4}, torch::kLong);
    const auto meta = torch::randint(2, {4, 32, 3}, torch::kLong);
    const auto a = cpu->forward_window(notes, meta);
    const auto b = gpu->forward_window(notes.to(torch::kCUDA), meta.to(torch::kCUDA)).to(torch::kCPU);
    EXPECT_LT((a - b).abs().max().item<float>(), 1e-3);
}
