// The Eigen engine against a slow, obvious double-precision reference of the
// network contract (docs/model-format.md), in both context modes.
#include <deepbach/model.hpp>

#include "nn/inference.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

using Vec = std::vector<double>;

std::array<Vocabulary, kNumVoices> tiny_vocabularies() {
    const std::vector<std::vector<std::string>> pitches = {
        {"C5", "D5", "E5"}, {"G4", "A4"}, {"C4", "E4", "G4", "B3"}, {"C3"}};
    std::array<Vocabulary, kNumVoices> out;
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Token> tokens;
        for (const auto& name : pitches[static_cast<size_t>(v)]) tokens.push_back(token::parse(name));
        out[static_cast<size_t>(v)] = Vocabulary(tokens);
    }
    return out;
}

Model tiny_model(ContextMode mode, int layers, std::uint64_t seed) {
    ModelConfig c;
    c.mode = mode;
    c.note_embedding = 3;
    c.meta_embedding = 2;
    c.lstm_hidden = 5;
    c.lstm_layers = layers;
    c.mlp_hidden = 4;
    c.window_past = 6;
    c.window_future = 5;
    return Model::initialize(c, tiny_vocabularies(), {}, seed);
}

/// A random padded sequence owning its arrays.
struct OwnedSequence : nn::SequenceData {
    OwnedSequence(const Model& model, int length_, std::uint32_t seed) {
        length = length_;
        std::mt19937 rng(seed);
        const int padded = length + 2 * kDatasetPadding;
        for (int v = 0; v < kNumVoices; ++v) {
            auto& n = notes[static_cast<size_t>(v)];
            n.resize(static_cast<size_t>(padded));
            for (int i = 0; i < padded; ++i) {
                const bool before = i < kDatasetPadding, after = i >= kDatasetPadding + length;
                n[static_cast<size_t>(i)] =
                    before  ? 0
                    : after ? 1
                            : static_cast<std::int16_t>(
                                  2 + rng() % static_cast<unsigned>(
                                                  model.vocabularies[static_cast<size_t>(v)].size() - 2));
            }
        }
        for (int i = 0; i < padded; ++i) {
            fermata.push_back(static_cast<std::uint8_t>(rng() % 2));
            beat.push_back(static_cast<std::uint8_t>(rng() % 4));
            key_fifths.push_back(static_cast<std::int8_t>(static_cast<int>(rng() % 15) - 7));
        }
    }
};

// ---- the reference: plain loops in double, straight from the contract.
struct Reference {
    const Model& m;
    int v;
    std::string p;
    Reference(const Model& model, int voice)
        : m(model), v(voice), p("voices." + std::to_string(voice) + ".") {}

    const Tensor& w(const std::string& name) const { return m.weights.at(p + name); }
    Vec row(const std::string& name, int r) const {
        const Tensor& t = w(name);
        const int n = static_cast<int>(t.shape[1]);
        return Vec(t.data.begin() + r * n, t.data.begin() + (r + 1) * n);
    }
    Vec linear(const std::string& prefix, const Vec& x) const {
        const Tensor& W = w(prefix + ".weight");
        const Tensor& b = w(prefix + ".bias");
        const int out = static_cast<int>(W.shape[0]), in = static_cast<int>(W.shape[1]);
        EXPECT_EQ(in, static_cast<int>(x.size()));
        Vec y(static_cast<size_t>(out));
        for (int j = 0; j < out; ++j) {
            double s = b.data[static_cast<size_t>(j)];
            for (int k = 0; k < in; ++k)
                s += W.data[static_cast<size_t>(j * in + k)] * x[static_cast<size_t>(k)];
            y[static_cast<size_t>(j)] = s;
        }
        return y;
    }
    static Vec relu(Vec x) {
        for (double& a : x) a = std::max(a, 0.0);
        return x;
    }
    static void append(Vec& a, const Vec& b) { a.insert(a.end(), b.begin(), b.end()); }
    Vec meta(const OwnedSequence& s, int i) const {
        Vec x;
        append(x, row("meta_embeddings.fermata.weight", s.fermata[static_cast<size_t>(i)]));
        append(x, row("meta_embeddings.beat.weight", s.beat[static_cast<size_t>(i)]));
        append(x, row("meta_embeddings.key.weight", s.key_fifths[static_cast<size_t>(i)] + 7));
        return x;
    }
    Vec input(const OwnedSequence& s, int i) const {
        Vec x;
        for (int u = 0; u < kNumVoices; ++u) {
            append(x, row("note_embeddings." + std::to_string(u) + ".weight",
                          s.notes[static_cast<size_t>(u)][static_cast<size_t>(i)]));
        }
        append(x, meta(s, i));
        return x;
    }
    /// Top hidden state after reading the padded ticks `ticks` in order.
    Vec lstm(const std::string& name, const OwnedSequence& s, const std::vector<int>& ticks) const {
        const int H = m.config.lstm_hidden, L = m.config.lstm_layers;
        std::vector<Vec> h(static_cast<size_t>(L), Vec(static_cast<size_t>(H), 0.0)), c = h;
        auto sigmoid = [](double a) { return 1.0 / (1.0 + std::exp(-a)); };
        for (int t : ticks) {
            Vec x = input(s, t);
            for (int k = 0; k < L; ++k) {
                const std::string l = "_l" + std::to_string(k);
                const Tensor& wih = w(name + ".weight_ih" + l);
                const Tensor& whh = w(name + ".weight_hh" + l);
                const Tensor& bih = w(name + ".bias_ih" + l);
                const Tensor& bhh = w(name + ".bias_hh" + l);
                const int in = static_cast<int>(wih.shape[1]);
                Vec g(static_cast<size_t>(4 * H));
                for (int j = 0; j < 4 * H; ++j) {
                    double a = static_cast<double>(bih.data[static_cast<size_t>(j)]) +
                               bhh.data[static_cast<size_t>(j)];
                    for (int q = 0; q < in; ++q)
                        a += wih.data[static_cast<size_t>(j * in + q)] * x[static_cast<size_t>(q)];
                    for (int q = 0; q < H; ++q)
                        a += whh.data[static_cast<size_t>(j * H + q)] *
                             h[static_cast<size_t>(k)][static_cast<size_t>(q)];
                    g[static_cast<size_t>(j)] = a;
                }
                for (int q = 0; q < H; ++q) {
                    const double ig = sigmoid(g[static_cast<size_t>(q)]);
                    const double fg = sigmoid(g[static_cast<size_t>(H + q)]);
                    const double gg = std::tanh(g[static_cast<size_t>(2 * H + q)]);
                    const double og = sigmoid(g[static_cast<size_t>(3 * H + q)]);
                    double& cq = c[static_cast<size_t>(k)][static_cast<size_t>(q)];
                    cq = fg * cq + ig * gg;
                    h[static_cast<size_t>(k)][static_cast<size_t>(q)] = og * std::tanh(cq);
                }
                x = h[static_cast<size_t>(k)];
            }
        }
        return h.back();
    }
    Vec logits(const OwnedSequence& s, int tick, ContextMode mode) const {
        const int P = kDatasetPadding, t = tick + P;
        std::vector<int> past, future;
        if (mode == ContextMode::window) {
            for (int i = t - m.config.window_past; i < t; ++i) past.push_back(i);
            for (int i = t + m.config.window_future; i > t; --i) future.push_back(i);
        } else {
            for (int i = 0; i < t; ++i) past.push_back(i);
            for (int i = s.length + 2 * P - 1; i > t; --i) future.push_back(i);
        }
        Vec center_in;
        for (int u = 0; u < kNumVoices; ++u) {
            if (u == v) continue;
            append(center_in, row("note_embeddings." + std::to_string(u) + ".weight",
                                  s.notes[static_cast<size_t>(u)][static_cast<size_t>(t)]));
        }
        append(center_in, meta(s, t));
        const Vec center = linear("center.2", relu(linear("center.0", center_in)));
        Vec z = lstm("past_lstm", s, past);
        append(z, center);
        append(z, lstm("future_lstm", s, future));
        return linear("head.2", relu(linear("head.0", z)));
    }
};

/// How far a logit may lie from the reference's: float weights 1e-5; 8-bit
/// weights (7-bit values, inputs rounded to 8 bits) 1e-2, the quantization's
/// error (at most 3.2e-3 on these models; on_each_kernel_path sets it).
double g_tolerance = 1e-5;

void expect_close(const Eigen::MatrixXf& got, int row, const Vec& want, const std::string& what) {
    ASSERT_EQ(got.cols(), static_cast<Eigen::Index>(want.size())) << what;
    for (size_t j = 0; j < want.size(); ++j) {
        EXPECT_NEAR(got(row, static_cast<Eigen::Index>(j)), want[j], g_tolerance) << what << " column " << j;
    }
}

bool bitwise_equal(const Eigen::MatrixXf& a, const Eigen::MatrixXf& b) {
    return a.rows() == b.rows() && a.cols() == b.cols() &&
           std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<size_t>(a.size())) == 0;
}

/// Hidden sizes that fill the packed kernel's strips and leave a partial one.
ModelConfig strip_config() {
    ModelConfig c;
    c.note_embedding = 4;
    c.meta_embedding = 3;
    c.lstm_hidden = 37;
    c.mlp_hidden = 29;
    return c;
}

/// Runs body once per kernel path this build and CPU support (baseline
/// always), then restores the path engines get by default.
/// On AVX2, twice: with float (half) weights, then with 8-bit weights.
template <class Body>
void on_each_kernel_path(Body body) {
    const nn::KernelPath saved = nn::kernel_path();
    const bool saved_int8 = nn::int8_weights();
    for (nn::KernelPath path : {nn::KernelPath::baseline, nn::KernelPath::avx2}) {
        if (!nn::set_kernel_path(path)) continue;
        for (bool int8 : {false, true}) {
            if (int8 && path != nn::KernelPath::avx2) continue;
            nn::set_int8_weights(int8);
            g_tolerance = int8 ? 1e-2 : 1e-5;
            SCOPED_TRACE(std::string("kernel path ") + nn::kernel_path_name(path) +
                         (int8 ? ", 8-bit weights" : ""));
            body();
        }
    }
    g_tolerance = 1e-5;
    nn::set_int8_weights(saved_int8);
    nn::set_kernel_path(saved);
}

void window_mode_matches_reference(int layers) {
    const Model model = tiny_model(ContextMode::window, layers, 7);
    const OwnedSequence seq(model, 9, 3);
    nn::InferenceEngine engine(model);
    std::vector<nn::Target> targets;
    for (int t = 0; t < seq.length; ++t) targets.push_back({seq.view(), t});
    for (int v = 0; v < kNumVoices; ++v) {
        Eigen::MatrixXf out;
        engine.window_logits(v, targets, out);
        ASSERT_EQ(out.rows(), seq.length);
        const Reference ref(model, v);
        for (int t = 0; t < seq.length; ++t) {
            expect_close(out, t, ref.logits(seq, t, ContextMode::window),
                         "voice " + std::to_string(v) + " tick " + std::to_string(t));
        }
    }
}

void full_mode_matches_reference(int layers) {
    const Model model = tiny_model(ContextMode::full, layers, 11);
    const OwnedSequence a(model, 7, 5), b(model, 12, 6), c(model, 1, 8);
    nn::InferenceEngine engine(model);
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Eigen::MatrixXf> out;
        engine.full_logits(v, {a.view(), b.view(), c.view()}, out);
        ASSERT_EQ(out.size(), 3u);
        const Reference ref(model, v);
        const OwnedSequence* seqs[] = {&a, &b, &c};
        for (int q = 0; q < 3; ++q) {
            ASSERT_EQ(out[static_cast<size_t>(q)].rows(), seqs[q]->length);
            for (int t = 0; t < seqs[q]->length; ++t) {
                expect_close(out[static_cast<size_t>(q)], t, ref.logits(*seqs[q], t, ContextMode::full),
                             "voice " + std::to_string(v) + " seq " + std::to_string(q) + " tick " +
                                 std::to_string(t));
            }
        }
    }
}

}  // namespace

class NnInference : public ::testing::TestWithParam<int> {};  // LSTM layers

TEST_P(NnInference, WindowModeMatchesReference) {
    on_each_kernel_path([&] { window_mode_matches_reference(GetParam()); });
}

TEST_P(NnInference, FullModeMatchesReference) {
    on_each_kernel_path([&] { full_mode_matches_reference(GetParam()); });
}

INSTANTIATE_TEST_SUITE_P(Layers, NnInference, ::testing::Values(1, 2, 3));

TEST(NnInferenceDeterminism, BatchAndThreadsDoNotChangeResults) {
    // On each kernel path: the path changes bits, batching and threads do not.
    on_each_kernel_path([] {
        // Default-sized hidden layers exercise the packed kernel's full strips.
        const Model model = Model::initialize(strip_config(), tiny_vocabularies(), {}, 99);
        std::vector<OwnedSequence> seqs;
        for (int i = 0; i < 5; ++i) seqs.emplace_back(model, 20 + 13 * i, 100 + i);
        std::vector<nn::Target> targets;
        for (const auto& s : seqs)
            for (int t = 0; t < s.length; t += 2) targets.push_back({s.view(), t});
        ASSERT_GT(targets.size(), 70u);  // more than one chunk
        nn::InferenceEngine one(model, 1), many(model, 3);
        for (int v = 0; v < kNumVoices; ++v) {
            Eigen::MatrixXf all1, all3;
            one.window_logits(v, targets, all1);
            many.window_logits(v, targets, all3);
            EXPECT_TRUE(bitwise_equal(all1, all3));
            // Each target alone, and a few in another batch, give the same bits.
            for (size_t i = 0; i < targets.size(); i += 17) {
                Eigen::MatrixXf single;
                one.window_logits(v, {targets[i]}, single);
                EXPECT_TRUE(bitwise_equal(single, all1.row(static_cast<Eigen::Index>(i))));
            }
            std::vector<nn::SequenceView> views;
            for (const auto& s : seqs) views.push_back(s.view());
            std::vector<Eigen::MatrixXf> full1, full3, lone;
            one.full_logits(v, views, full1);
            many.full_logits(v, views, full3);
            ASSERT_EQ(full1.size(), views.size());
            for (size_t q = 0; q < views.size(); ++q) {
                EXPECT_TRUE(bitwise_equal(full1[q], full3[q]));
                one.full_logits(v, {views[q]}, lone);
                EXPECT_TRUE(bitwise_equal(full1[q], lone[0]));
            }
        }
    });
}

TEST(NnInferenceDeterminism, RowsAskedForAreTheBitsOfTheWhole) {
    // A sampler's pass reads only the cells it redraws: full_logits with a
    // list of ticks per sequence computes those rows alone (zeros elsewhere),
    // the same bits as the whole, relational terms included.
    on_each_kernel_path([] {
        ModelConfig config = strip_config();
        config.relational = true;
        config.relational_melody = true;
        Model model = Model::initialize(config, tiny_vocabularies(), {}, 5);
        std::mt19937 rng(3);
        std::uniform_real_distribution<float> value(-1.0f, 1.0f);
        for (int v = 0; v < kNumVoices; ++v) {
            Tensor& t = model.weights["voices." + std::to_string(v) + ".relational"];
            t.shape = {relational_table_size(config)};
            t.data.resize(static_cast<size_t>(relational_table_size(config)));
            for (float& x : t.data) x = value(rng);
        }
        OwnedSequence a(model, 45, 11), b(model, 30, 12);
        const std::vector<int> ticks_a{0, 7, 3, 44, 20}, ticks_b{29, 1};
        nn::InferenceEngine engine(model, 1);
        for (int v = 0; v < kNumVoices; ++v) {
            std::vector<Eigen::MatrixXf> whole, some;
            engine.full_logits(v, {a.view(), b.view()}, whole);
            const std::vector<const std::vector<int>*> first_only{&ticks_a, nullptr},
                second_only{nullptr, &ticks_b};
            engine.full_logits(v, {a.view(), b.view()}, some, &first_only);
            ASSERT_EQ(some.size(), 2u);
            EXPECT_TRUE(bitwise_equal(some[1], whole[1])) << "no list: every row";
            for (int t = 0; t < a.length; ++t) {
                const bool asked = std::find(ticks_a.begin(), ticks_a.end(), t) != ticks_a.end();
                if (asked)
                    EXPECT_TRUE(bitwise_equal(some[0].row(t), whole[0].row(t)))
                        << voice_name(v) << " tick " << t;
                else
                    EXPECT_TRUE(some[0].row(t).isZero()) << voice_name(v) << " tick " << t;
            }
            std::vector<Eigen::MatrixXf> second;
            engine.full_logits(v, {a.view(), b.view()}, second, &second_only);
            for (int t : ticks_b) EXPECT_TRUE(bitwise_equal(second[1].row(t), whole[1].row(t)));
            EXPECT_NE(whole[0].row(7).norm(), 0.0f);
        }
        const std::vector<int> outside{45};
        const std::vector<const std::vector<int>*> bad_tick{&outside}, no_list{};
        std::vector<Eigen::MatrixXf> out;
        EXPECT_THROW(engine.full_logits(0, {a.view()}, out, &bad_tick), Error);
        EXPECT_THROW(engine.full_logits(0, {a.view()}, out, &no_list), Error);
    });
}

TEST(NnInferenceDeterminism, OneSequenceReusesTheStepsItSawBitForBit) {
    // One sequence at a time (a sampler's chain): the engine runs again only
    // the steps whose inputs changed since its last run, and with a list of
    // ticks stops each LSTM where the list ends. Every row asked for must
    // be what a fresh engine computes.
    on_each_kernel_path([] {
        const Model model = Model::initialize(strip_config(), tiny_vocabularies(), {}, 21);
        OwnedSequence a(model, 50, 31);
        nn::InferenceEngine warm(model, 1);
        std::mt19937 rng(4);
        for (int v = 0; v < kNumVoices; ++v) {
            for (int round = 0; round < 4; ++round) {
                // Change one cell of some voice (round 0: none), then ask for
                // every row, then for a region's rows only.
                if (round > 0) {
                    const int u = static_cast<int>(rng() % kNumVoices);
                    const int t = static_cast<int>(rng() % static_cast<unsigned>(a.length));
                    auto& n = a.notes[static_cast<size_t>(u)][static_cast<size_t>(t + kDatasetPadding)];
                    n = static_cast<std::int16_t>(
                        2 + (n - 2 + 1) % (model.vocabularies[static_cast<size_t>(u)].size() - 2));
                }
                std::vector<Eigen::MatrixXf> fresh, kept, region;
                nn::InferenceEngine(model, 1).full_logits(v, {a.view()}, fresh);
                warm.full_logits(v, {a.view()}, kept);
                EXPECT_TRUE(bitwise_equal(kept[0], fresh[0])) << voice_name(v) << " round " << round;
                const std::vector<int> ticks{21, 17, 30, 18};
                const std::vector<const std::vector<int>*> lists{&ticks};
                warm.full_logits(v, {a.view()}, region, &lists);
                for (int t : ticks)
                    EXPECT_TRUE(bitwise_equal(region[0].row(t), fresh[0].row(t)))
                        << voice_name(v) << " round " << round << " tick " << t;
            }
            // Another sequence, shorter, then the first again.
            OwnedSequence b(model, 23, 32);
            std::vector<Eigen::MatrixXf> fresh_b, kept_b, fresh_a, kept_a;
            nn::InferenceEngine(model, 1).full_logits(v, {b.view()}, fresh_b);
            warm.full_logits(v, {b.view()}, kept_b);
            EXPECT_TRUE(bitwise_equal(kept_b[0], fresh_b[0])) << voice_name(v);
            nn::InferenceEngine(model, 1).full_logits(v, {a.view()}, fresh_a);
            warm.full_logits(v, {a.view()}, kept_a);
            EXPECT_TRUE(bitwise_equal(kept_a[0], fresh_a[0])) << voice_name(v);
        }
    });
}

TEST(NnInferenceDeterminism, KeptPaddingStatesGiveTheBitsOfAFreshEngine) {
    // The engine keeps each LSTM's state after the padding, keyed by the
    // padding's inputs. A second piece with the same padding and other music
    // must give what a fresh engine gives; one whose padding differs in a
    // single input must not be given the kept state.
    const Model model = Model::initialize(strip_config(), tiny_vocabularies(), {}, 7);
    OwnedSequence a(model, 40, 1), b(model, 40, 2);
    for (int i = 0; i < kDatasetPadding; ++i) {  // b's padding: a's, both ends
        const int end = b.length + 2 * kDatasetPadding - 1 - i;
        b.fermata[static_cast<size_t>(i)] = a.fermata[static_cast<size_t>(i)];
        b.beat[static_cast<size_t>(i)] = a.beat[static_cast<size_t>(i)];
        b.key_fifths[static_cast<size_t>(i)] = a.key_fifths[static_cast<size_t>(i)];
        b.fermata[static_cast<size_t>(end)] = a.fermata[static_cast<size_t>(end)];
        b.beat[static_cast<size_t>(end)] = a.beat[static_cast<size_t>(end)];
        b.key_fifths[static_cast<size_t>(end)] = a.key_fifths[static_cast<size_t>(end)];
    }
    OwnedSequence c = b;  // b with one padding input changed
    c.beat[3] = static_cast<std::uint8_t>((c.beat[3] + 1) % 4);
    for (int v = 0; v < kNumVoices; ++v) {
        nn::InferenceEngine warm(model, 1);
        std::vector<Eigen::MatrixXf> first, kept, changed;
        warm.full_logits(v, {a.view()}, first);
        warm.full_logits(v, {b.view()}, kept);
        warm.full_logits(v, {c.view()}, changed);
        std::vector<Eigen::MatrixXf> fresh_b, fresh_c;
        nn::InferenceEngine(model, 1).full_logits(v, {b.view()}, fresh_b);
        nn::InferenceEngine(model, 1).full_logits(v, {c.view()}, fresh_c);
        EXPECT_TRUE(bitwise_equal(kept[0], fresh_b[0])) << voice_name(v);
        EXPECT_TRUE(bitwise_equal(changed[0], fresh_c[0])) << voice_name(v);
        EXPECT_FALSE(bitwise_equal(fresh_b[0], fresh_c[0])) << "the padding input reaches the logits";
    }
}

TEST(NnInferenceDeterminism, LogSoftmaxRowsSumToOne) {
    Eigen::MatrixXf m(3, 5);
    m << 1, 2, 3, 4, 5, -100, 0, 100, 3, 2, 0, 0, 0, 0, 0;
    nn::log_softmax_rows(m);
    for (int r = 0; r < 3; ++r) {
        EXPECT_NEAR(m.row(r).array().exp().sum(), 1.0, 1e-6);
    }
    EXPECT_NEAR(m(2, 0), -std::log(5.0), 1e-6);
}

TEST(NnKernelPath, EightBitWeightsStayCloseToFloats) {
    // The default sizes (256 hidden units, two layers): the 8-bit engine's
    // probabilities against the float engine's, over whole sequences (the
    // recurrence's errors do not grow along them).
    const nn::KernelPath saved = nn::kernel_path();
    const bool saved_int8 = nn::int8_weights();
    if (!nn::set_kernel_path(nn::KernelPath::avx2)) GTEST_SKIP() << "no AVX2 on this CPU or build";
    ModelConfig c;
    c.mode = ContextMode::full;
    const Model model = Model::initialize(c, tiny_vocabularies(), {}, 17);
    nn::set_int8_weights(true);
    const nn::InferenceEngine eight(model);
    nn::set_int8_weights(false);
    const nn::InferenceEngine floats(model);
    nn::set_int8_weights(saved_int8);
    nn::set_kernel_path(saved);
    EXPECT_TRUE(eight.int8_weights());
    EXPECT_FALSE(floats.int8_weights());
    const OwnedSequence seq(model, 160, 23);
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Eigen::MatrixXf> a, b;
        eight.full_logits(v, {seq.view()}, a);
        floats.full_logits(v, {seq.view()}, b);
        nn::log_softmax_rows(a[0]);
        nn::log_softmax_rows(b[0]);
        const float early = (a[0].topRows(20) - b[0].topRows(20)).cwiseAbs().maxCoeff();
        const float late = (a[0].bottomRows(20) - b[0].bottomRows(20)).cwiseAbs().maxCoeff();
        const float all = (a[0] - b[0]).cwiseAbs().maxCoeff();
        EXPECT_GT(all, 0.0f) << "voice " << v << ": the 8-bit kernel did not run";
        EXPECT_LT(all, 0.02f) << "voice " << v;
        EXPECT_LT(late, 2.0f * early + 0.005f) << "voice " << v << ": the error grows along the sequence";
    }
}

TEST(NnKernelPath, EngineKeepsThePathItWasBuiltWith) {
    const nn::KernelPath saved = nn::kernel_path();
    EXPECT_TRUE(nn::kernel_path_supported(nn::KernelPath::baseline));
    ASSERT_TRUE(nn::set_kernel_path(nn::KernelPath::baseline));
    const Model model = tiny_model(ContextMode::window, 1, 1);
    const nn::InferenceEngine engine(model);
    EXPECT_EQ(engine.kernel_path(), nn::KernelPath::baseline);
    EXPECT_STREQ(nn::kernel_path_name(nn::KernelPath::baseline), "baseline");
    EXPECT_STREQ(nn::kernel_path_name(nn::KernelPath::avx2), "avx2");
    if (nn::set_kernel_path(nn::KernelPath::avx2)) {
        EXPECT_EQ(nn::kernel_path(), nn::KernelPath::avx2);
        EXPECT_EQ(engine.kernel_path(), nn::KernelPath::baseline);
        EXPECT_EQ(nn::InferenceEngine(model).kernel_path(), nn::KernelPath::avx2);
    } else {
        EXPECT_FALSE(nn::kernel_path_supported(nn::KernelPath::avx2));
        EXPECT_EQ(nn::kernel_path(), nn::KernelPath::baseline);
    }
    nn::set_kernel_path(saved);
}

TEST(NnKernelPath, HalfFloatWeightsGiveTheSameBits) {
    // A model saved with --float16 holds weights that are half floats
    // exactly; the AVX2 kernel then reads them as such, for the same logits
    // bit for bit as from floats. A model whose weights are not (random
    // floats) keeps reading floats.
    const nn::KernelPath saved = nn::kernel_path();
    if (!nn::set_kernel_path(nn::KernelPath::avx2)) GTEST_SKIP() << "no AVX2 on this CPU or build";
    ModelConfig c = strip_config();
    c.lstm_layers = 2;
    const Model exact = Model::initialize(c, tiny_vocabularies(), {}, 5);
    const std::filesystem::path file = std::filesystem::temp_directory_path() /
                                       ("deepbach_half_" + std::to_string(::getpid()) + ".safetensors");
    exact.save(file, true);
    const Model model = Model::load(file);
    std::filesystem::remove(file);
    const bool saved_int8 = nn::int8_weights();
    nn::set_int8_weights(false);  // the float kernel's bits are the point here
    nn::set_half_weights(true);
    const nn::InferenceEngine half(model);
    const nn::InferenceEngine random_floats(exact);
    nn::set_half_weights(false);
    const nn::InferenceEngine floats(model);
    nn::set_half_weights(true);
    nn::set_int8_weights(saved_int8);
    nn::set_kernel_path(saved);
    EXPECT_TRUE(half.half_weights());
    EXPECT_FALSE(floats.half_weights());
    EXPECT_FALSE(random_floats.half_weights());
    std::vector<OwnedSequence> seqs;
    for (int i = 0; i < 3; ++i) seqs.emplace_back(model, 20 + 11 * i, 40 + i);
    std::vector<nn::SequenceView> views;
    for (const auto& s : seqs) views.push_back(s.view());
    std::vector<nn::Target> targets;
    for (const auto& s : seqs)
        for (int t = 0; t < s.length; t += 3) targets.push_back({s.view(), t});
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Eigen::MatrixXf> a, b;
        half.full_logits(v, views, a);
        floats.full_logits(v, views, b);
        for (size_t q = 0; q < views.size(); ++q) EXPECT_TRUE(bitwise_equal(a[q], b[q])) << "voice " << v;
        Eigen::MatrixXf wa, wb;
        half.window_logits(v, targets, wa);
        floats.window_logits(v, targets, wb);
        EXPECT_TRUE(bitwise_equal(wa, wb)) << "voice " << v;
    }
}

TEST(NnInferenceErrors, BadInputsThrow) {
    const Model model = tiny_model(ContextMode::window, 1, 1);
    OwnedSequence seq(model, 5, 1);
    nn::InferenceEngine engine(model);
    Eigen::MatrixXf out;
    EXPECT_THROW(engine.window_logits(0, {{seq.view(), 5}}, out), Error);
    EXPECT_THROW(engine.window_logits(4, {{seq.view(), 0}}, out), Error);
    seq.notes[1][kDatasetPadding + 2] = 50;  // outside the alto vocabulary
    EXPECT_THROW(engine.window_logits(0, {{seq.view(), 2}}, out), Error);
}
