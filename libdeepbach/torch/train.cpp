// libdeepbach/torch: training, evaluation and the training benchmark.
#include "torch/train.hpp"

#include "nn/evaluate.hpp"
#include "nn/relational.hpp"

#include "torch/network.hpp"

#include "sample/guide.hpp"
#include "util/rng.hpp"

#include <deepbach/diagnostics.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/options.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <limits>
#include <numeric>
#include <system_error>

namespace deepbach::torch_backend {

namespace {

using Clock = std::chrono::steady_clock;

// splitmix64: batch selection and dropout seeds are pure functions of
// (seed, step, index), so an interrupted run resumes exactly.
std::uint64_t mix(std::uint64_t x) {
    return detail::mix64(x);
}
std::uint64_t mix(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0, std::uint64_t d = 0) {
    return mix(mix(mix(mix(a) ^ b) ^ c) ^ d);
}

// Padded sequences back to back (the Dataset's layout), from a Dataset or
// from encoded chorales.
struct Flat {
    std::array<const std::int16_t*, kNumVoices> notes{};
    const std::uint8_t* fermata = nullptr;
    const std::uint8_t* beat = nullptr;
    const std::int8_t* key = nullptr;
    struct Seq {
        std::int64_t offset = 0;  // first padded tick
        std::int32_t length = 0;  // ticks of music
    };
    std::vector<Seq> seqs;
};

Flat flat_of(const Dataset& d) {
    Flat f;
    for (int v = 0; v < kNumVoices; ++v)
        f.notes[static_cast<size_t>(v)] = d.notes[static_cast<size_t>(v)].data();
    f.fermata = d.fermata.data();
    f.beat = d.beat_position.data();
    f.key = d.key_fifths.data();
    for (const auto& s : d.sequences) f.seqs.push_back({s.offset, s.length});
    return f;
}

// Storage for encoded chorales laid out as a Flat.
struct FlatStore {
    std::array<std::vector<std::int16_t>, kNumVoices> notes;
    std::vector<std::uint8_t> fermata, beat;
    std::vector<std::int8_t> key;
    Flat flat;
};
void build_store(const std::vector<EncodedChorale>& chorales, FlatStore& st) {
    for (const auto& c : chorales) {
        const std::int64_t offset = static_cast<std::int64_t>(st.fermata.size());
        for (int v = 0; v < kNumVoices; ++v)
            st.notes[static_cast<size_t>(v)].insert(st.notes[static_cast<size_t>(v)].end(),
                                                    c.notes[static_cast<size_t>(v)].begin(),
                                                    c.notes[static_cast<size_t>(v)].end());
        st.fermata.insert(st.fermata.end(), c.fermata.begin(), c.fermata.end());
        st.beat.insert(st.beat.end(), c.beat_position.begin(), c.beat_position.end());
        st.key.insert(st.key.end(), c.key_fifths.begin(), c.key_fifths.end());
        st.flat.seqs.push_back({offset, c.length});
    }
    for (int v = 0; v < kNumVoices; ++v)
        st.flat.notes[static_cast<size_t>(v)] = st.notes[static_cast<size_t>(v)].data();
    st.flat.fermata = st.fermata.data();
    st.flat.beat = st.beat.data();
    st.flat.key = st.key.data();
}

// One batch on the device: inputs and, per voice, the target indices.
struct Batch {
    torch::Tensor notes, meta;  // [B, W or T, 4], [B, W or T, 3]
    std::array<torch::Tensor, kNumVoices> targets;
    std::vector<std::int64_t> padded_lengths;  // full mode
    std::vector<std::int64_t> positions;       // full mode
    std::int64_t size = 0;                     // targets per voice
    /// Unlikelihood: per voice, [size, V_v] 1 where a token would write a
    /// consecutive fifth or octave with the input context, and [size] 1 where
    /// the target itself writes none (where the penalty applies).
    std::array<torch::Tensor, kNumVoices> bad, keep;
    /// Relational potentials: per voice, [size, V_v, kRelTerms] table
    /// indices of every candidate at every target, from the input grid.
    std::array<torch::Tensor, kNumVoices> relational;
};

// Corrupted context (TrainOptions::corrupt): rows of `rows` ticks, each
// row-group b (a sequence or a window) with its own rate; cells holding
// START or END (indices 0 and 1) are left alone. A pure function of
// (seed, step), like the batch.
struct Corruption {
    double max_rate = 0;
    double max_mask = 0;
    std::uint64_t seed = 0;
    std::int64_t step = 0;
    std::array<std::int64_t, kNumVoices> vocab_sizes{};
    void apply(std::vector<std::int64_t>& notes, std::int64_t B, std::int64_t rows) const {
        if (max_rate <= 0 && max_mask <= 0) return;
        auto unit = [](std::uint64_t x) { return static_cast<double>(x >> 11) * (1.0 / 9007199254740992.0); };
        for (std::int64_t b = 0; b < B; ++b) {
            std::uint64_t state =
                mix(seed, static_cast<std::uint64_t>(step), 0x63727074ULL, static_cast<std::uint64_t>(b));
            auto next = [&state] { return state = mix(state); };
            const double rate = max_rate * unit(next());
            const double masked = max_mask * unit(next());
            for (std::int64_t t = 0; t < rows; ++t)
                for (int v = 0; v < kNumVoices; ++v) {
                    std::int64_t& cell = notes[static_cast<size_t>((b * rows + t) * kNumVoices + v)];
                    if (cell < 2) continue;
                    const std::int64_t V = vocab_sizes[static_cast<size_t>(v)];
                    if (masked > 0 && unit(next()) < masked) {
                        cell = V;
                        continue;
                    }
                    if (rate > 0 && unit(next()) < rate)
                        cell = 2 + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(V - 2));
                }
        }
    }
};

torch::Tensor to_tensor(std::vector<std::int64_t>& data, std::vector<std::int64_t> shape,
                        const torch::Device& dev) {
    return torch::from_blob(data.data(), shape, torch::kLong).to(dev, false, true);
}

// Window mode: targets (sequence, tick of music).
Batch window_batch(const Flat& f, const std::vector<std::pair<int, int>>& targets, const ModelConfig& cfg,
                   const torch::Device& dev, const Corruption* corruption = nullptr) {
    const int wp = cfg.window_past, wf = cfg.window_future, W = wp + 1 + wf;
    const std::int64_t B = static_cast<std::int64_t>(targets.size());
    std::vector<std::int64_t> notes(static_cast<size_t>(B * W * kNumVoices)),
        meta(static_cast<size_t>(B * W * 3));
    std::array<std::vector<std::int64_t>, kNumVoices> tgt;
    for (auto& t : tgt) t.resize(static_cast<size_t>(B));
    for (std::int64_t b = 0; b < B; ++b) {
        const auto& [s, tick] = targets[static_cast<size_t>(b)];
        const std::int64_t center = f.seqs[static_cast<size_t>(s)].offset + kDatasetPadding + tick;
        for (int w = 0; w < W; ++w) {
            const std::int64_t i = center - wp + w;
            const size_t row = static_cast<size_t>(b * W + w);
            for (int v = 0; v < kNumVoices; ++v)
                notes[row * kNumVoices + static_cast<size_t>(v)] = f.notes[static_cast<size_t>(v)][i];
            meta[row * 3 + 0] = f.fermata[i];
            meta[row * 3 + 1] = f.beat[i];
            meta[row * 3 + 2] = f.key[i] + 7;
        }
        for (int v = 0; v < kNumVoices; ++v)
            tgt[static_cast<size_t>(v)][static_cast<size_t>(b)] = f.notes[static_cast<size_t>(v)][center];
    }
    if (corruption != nullptr) corruption->apply(notes, B, W);
    Batch out;
    out.size = B;
    out.notes = to_tensor(notes, {B, W, kNumVoices}, dev);
    out.meta = to_tensor(meta, {B, W, 3}, dev);
    for (int v = 0; v < kNumVoices; ++v)
        out.targets[static_cast<size_t>(v)] = to_tensor(tgt[static_cast<size_t>(v)], {B}, dev);
    return out;
}

// Sequence b of a full-mode batch's input (`notes` B x T x 4 and `meta`
// B x T x 3, as the networks see them), P padded ticks, as the engine's
// padded layout.
nn::SequenceData batch_sequence(const std::vector<std::int64_t>& notes, const std::vector<std::int64_t>& meta,
                                std::int64_t b, std::int64_t T, std::int64_t P) {
    nn::SequenceData seq;
    seq.length = static_cast<int>(P - 2 * kDatasetPadding);
    for (int v = 0; v < kNumVoices; ++v) {
        auto& g = seq.notes[static_cast<size_t>(v)];
        g.resize(static_cast<size_t>(P));
        for (std::int64_t t = 0; t < P; ++t)
            g[static_cast<size_t>(t)] =
                static_cast<std::int16_t>(notes[static_cast<size_t>((b * T + t) * kNumVoices + v)]);
    }
    seq.fermata.resize(static_cast<size_t>(P));
    seq.beat.resize(static_cast<size_t>(P));
    seq.key_fifths.resize(static_cast<size_t>(P));
    for (std::int64_t t = 0; t < P; ++t) {
        const size_t row = static_cast<size_t>((b * T + t) * 3);
        seq.fermata[static_cast<size_t>(t)] = static_cast<std::uint8_t>(meta[row]);
        seq.beat[static_cast<size_t>(t)] = static_cast<std::uint8_t>(meta[row + 1]);
        seq.key_fifths[static_cast<size_t>(t)] = static_cast<std::int8_t>(meta[row + 2] - 7);
    }
    return seq;
}

// Unlikelihood sets of a full-mode batch from its input grid (`notes`,
// B x T x 4, the notes as the networks see them) and its targets.
void mark_consecutive(Batch& out, const std::vector<std::int64_t>& notes,
                      const std::vector<std::int64_t>& meta, std::int64_t T, const Model& vocab_model,
                      const torch::Device& dev, bool keep_all = false) {
    const std::int64_t B = static_cast<std::int64_t>(out.padded_lengths.size());
    std::array<std::vector<float>, kNumVoices> bad, keep;
    std::array<int, kNumVoices> V{};
    for (int v = 0; v < kNumVoices; ++v)
        V[static_cast<size_t>(v)] = vocab_model.vocabularies[static_cast<size_t>(v)].size();
    std::vector<int> counts;
    for (std::int64_t b = 0; b < B; ++b) {
        const std::int64_t P = out.padded_lengths[static_cast<size_t>(b)];
        const int length = static_cast<int>(P - 2 * kDatasetPadding);
        const auto grid = batch_sequence(notes, meta, b, T, P).notes;
        const sample::VoiceLeadingGuide guide(vocab_model, length, 1.0);
        for (int v = 0; v < kNumVoices; ++v) {
            const int Vv = V[static_cast<size_t>(v)];
            counts.resize(static_cast<size_t>(Vv));
            for (int t = 0; t < length; ++t) {
                guide.parallels(grid, v, t, Vv, counts.data(), true);
                for (int i = 0; i < Vv; ++i)
                    bad[static_cast<size_t>(v)].push_back(counts[static_cast<size_t>(i)] > 0 ? 1.0f : 0.0f);
            }
        }
    }
    for (int v = 0; v < kNumVoices; ++v) {
        const int Vv = V[static_cast<size_t>(v)];
        auto& bv = bad[static_cast<size_t>(v)];
        torch::Tensor bt = torch::from_blob(bv.data(), {out.size, Vv}, torch::kFloat32).clone();
        const torch::Tensor own =
            bt.gather(1, out.targets[static_cast<size_t>(v)].to(torch::kCPU).unsqueeze(1)).squeeze(1);
        out.bad[static_cast<size_t>(v)] = bt.to(dev);
        out.keep[static_cast<size_t>(v)] = keep_all ? torch::ones_like(own).to(dev) : (1.0 - own).to(dev);
    }
}

// The relational terms of a full-mode batch from its input grid (`notes`,
// B x T x 4, the notes as the networks see them) and metadata.
void mark_relational(Batch& out, const std::vector<std::int64_t>& notes,
                     const std::vector<std::int64_t>& meta, std::int64_t T, const nn::Relational& relational,
                     const torch::Device& dev) {
    const std::int64_t B = static_cast<std::int64_t>(out.padded_lengths.size());
    std::array<std::vector<std::int32_t>, kNumVoices> idx;
    for (int v = 0; v < kNumVoices; ++v)
        idx[static_cast<size_t>(v)].resize(static_cast<size_t>(out.size) *
                                           static_cast<size_t>(relational.vocabulary_size(v)) *
                                           relational.terms());
    std::array<std::size_t, kNumVoices> written{};
    for (std::int64_t b = 0; b < B; ++b) {
        const nn::SequenceData seq =
            batch_sequence(notes, meta, b, T, out.padded_lengths[static_cast<size_t>(b)]);
        const nn::SequenceView view = seq.view();
        for (int v = 0; v < kNumVoices; ++v) {
            relational.indices(view, v, idx[static_cast<size_t>(v)].data() + written[static_cast<size_t>(v)]);
            written[static_cast<size_t>(v)] += static_cast<std::size_t>(seq.length) *
                                               static_cast<std::size_t>(relational.vocabulary_size(v)) *
                                               relational.terms();
        }
    }
    for (int v = 0; v < kNumVoices; ++v) {
        auto& iv = idx[static_cast<size_t>(v)];
        out.relational[static_cast<size_t>(v)] =
            torch::from_blob(iv.data(), {out.size, relational.vocabulary_size(v), relational.terms()},
                             torch::kInt)
                .clone()
                .to(dev);
    }
}

// Full mode: whole sequences, right-padded to the longest with END tokens
// (vocabulary index `end_index` per voice) and the last metadata.
Batch full_batch(const Flat& f, const std::vector<int>& seqs,
                 const std::array<std::int64_t, kNumVoices>& end_index, const torch::Device& dev,
                 const Corruption* corruption = nullptr, const Model* unlikelihood_vocab = nullptr,
                 bool keep_all = false, const nn::Relational* relational = nullptr) {
    const std::int64_t B = static_cast<std::int64_t>(seqs.size());
    std::int64_t T = 0;
    Batch out;
    for (int s : seqs) {
        const std::int64_t P = f.seqs[static_cast<size_t>(s)].length + 2 * kDatasetPadding;
        out.padded_lengths.push_back(P);
        T = std::max(T, P);
    }
    std::vector<std::int64_t> notes(static_cast<size_t>(B * T * kNumVoices)),
        meta(static_cast<size_t>(B * T * 3));
    std::array<std::vector<std::int64_t>, kNumVoices> tgt;
    for (std::int64_t b = 0; b < B; ++b) {
        const auto& sq = f.seqs[static_cast<size_t>(seqs[static_cast<size_t>(b)])];
        const std::int64_t P = out.padded_lengths[static_cast<size_t>(b)];
        for (std::int64_t t = 0; t < T; ++t) {
            const std::int64_t i = sq.offset + std::min(t, P - 1);
            const size_t row = static_cast<size_t>(b * T + t);
            for (int v = 0; v < kNumVoices; ++v)
                notes[row * kNumVoices + static_cast<size_t>(v)] =
                    t < P ? f.notes[static_cast<size_t>(v)][i] : end_index[static_cast<size_t>(v)];
            meta[row * 3 + 0] = f.fermata[i];
            meta[row * 3 + 1] = f.beat[i];
            meta[row * 3 + 2] = f.key[i] + 7;
        }
        for (std::int64_t t = kDatasetPadding; t < kDatasetPadding + sq.length; ++t) {
            out.positions.push_back(b * T + t);
            for (int v = 0; v < kNumVoices; ++v)
                tgt[static_cast<size_t>(v)].push_back(f.notes[static_cast<size_t>(v)][sq.offset + t]);
        }
    }
    if (corruption != nullptr) corruption->apply(notes, B, T);
    out.size = static_cast<std::int64_t>(out.positions.size());
    out.notes = to_tensor(notes, {B, T, kNumVoices}, dev);
    out.meta = to_tensor(meta, {B, T, 3}, dev);
    for (int v = 0; v < kNumVoices; ++v)
        out.targets[static_cast<size_t>(v)] = to_tensor(tgt[static_cast<size_t>(v)], {out.size}, dev);
    if (unlikelihood_vocab != nullptr)
        mark_consecutive(out, notes, meta, T, *unlikelihood_vocab, dev, keep_all);
    if (relational != nullptr) mark_relational(out, notes, meta, T, *relational, dev);
    return out;
}

torch::Tensor run(VoiceNet& net, const Batch& batch) {
    if (net->config().mode == ContextMode::window) return net->forward_window(batch.notes, batch.meta);
    torch::Tensor logits = net->forward_full(batch.notes, batch.meta, batch.padded_lengths, batch.positions);
    if (net->relational()) {
        const torch::Tensor& idx = batch.relational[static_cast<size_t>(net->voice())];
        if (!idx.defined()) throw Error("a relational model's batch without its relational terms");
        logits = logits + net->relational_logits(idx);
    }
    return logits;
}

struct Sums {
    double nll = 0, correct = 0, onset_nll = 0, onset_correct = 0;
    std::int64_t n = 0, onsets = 0;
    void add(const torch::Tensor& logits, const torch::Tensor& targets, std::int64_t hold) {
        const torch::Tensor logp = torch::log_softmax(logits.to(torch::kFloat32), 1);
        const torch::Tensor nll_t = -logp.gather(1, targets.unsqueeze(1)).squeeze(1);
        const torch::Tensor ok = logits.argmax(1).eq(targets).to(torch::kDouble);
        const torch::Tensor onset = targets.ne(hold).to(torch::kDouble);
        const torch::Tensor nll_d = nll_t.to(torch::kDouble);
        const torch::Tensor all =
            torch::stack({nll_d.sum(), ok.sum(), (nll_d * onset).sum(), (ok * onset).sum(), onset.sum()})
                .to(torch::kCPU);
        const double* a = all.data_ptr<double>();
        nll += a[0];
        correct += a[1];
        onset_nll += a[2];
        onset_correct += a[3];
        onsets += static_cast<std::int64_t>(std::llround(a[4]));
        n += targets.size(0);
    }
    VoiceMetrics metrics() const {
        nn::MetricSums sums;
        sums.nll = nll;
        sums.correct = correct;
        sums.onset_nll = onset_nll;
        sums.onset_correct = onset_correct;
        sums.n = n;
        sums.onsets = onsets;
        return sums.metrics();
    }
};

// NLL and accuracy of the four networks over the sequences `seqs` of f (in
// window mode at most max_targets targets, a seeded sample; 0: all).
std::array<VoiceMetrics, kNumVoices> evaluate_flat(std::vector<VoiceNet>& nets, const Flat& f,
                                                   const std::vector<int>& seqs,
                                                   const std::array<std::int64_t, kNumVoices>& hold,
                                                   const std::array<std::int64_t, kNumVoices>& end_index,
                                                   const torch::Device& dev, std::int64_t max_targets,
                                                   std::uint64_t seed, const nn::Relational* relational) {
    torch::NoGradGuard no_grad;
    for (auto& net : nets) net->eval();
    std::array<Sums, kNumVoices> sums;
    const ModelConfig& cfg = nets[0]->config();
    auto score = [&](const Batch& batch) {
        for (int v = 0; v < kNumVoices; ++v)
            sums[static_cast<size_t>(v)].add(run(nets[static_cast<size_t>(v)], batch),
                                             batch.targets[static_cast<size_t>(v)],
                                             hold[static_cast<size_t>(v)]);
    };
    if (cfg.mode == ContextMode::window) {
        std::vector<std::pair<int, int>> all;
        for (int s : seqs)
            for (int t = 0; t < f.seqs[static_cast<size_t>(s)].length; ++t) all.emplace_back(s, t);
        if (max_targets > 0 && static_cast<std::int64_t>(all.size()) > max_targets) {
            // Partial Fisher-Yates with the seed, then back in order.
            for (std::int64_t i = 0; i < max_targets; ++i) {
                const std::uint64_t r = mix(seed, 0x76616c6964ULL, static_cast<std::uint64_t>(i));
                const std::int64_t j =
                    i + static_cast<std::int64_t>(
                            r % static_cast<std::uint64_t>(static_cast<std::int64_t>(all.size()) - i));
                std::swap(all[static_cast<size_t>(i)], all[static_cast<size_t>(j)]);
            }
            all.resize(static_cast<size_t>(max_targets));
            std::sort(all.begin(), all.end());
        }
        const size_t chunk = 1024;
        for (size_t i = 0; i < all.size(); i += chunk) {
            const std::vector<std::pair<int, int>> part(
                all.begin() + static_cast<std::ptrdiff_t>(i),
                all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), i + chunk)));
            score(window_batch(f, part, cfg, dev));
        }
    } else {
        const size_t chunk = 16;
        for (size_t i = 0; i < seqs.size(); i += chunk) {
            const std::vector<int> part(
                seqs.begin() + static_cast<std::ptrdiff_t>(i),
                seqs.begin() + static_cast<std::ptrdiff_t>(std::min(seqs.size(), i + chunk)));
            score(full_batch(f, part, end_index, dev, nullptr, nullptr, false, relational));
        }
    }
    std::array<VoiceMetrics, kNumVoices> out;
    for (int v = 0; v < kNumVoices; ++v) out[static_cast<size_t>(v)] = sums[static_cast<size_t>(v)].metrics();
    return out;
}

std::array<std::int64_t, kNumVoices> special_index(const std::array<Vocabulary, kNumVoices>& vocabs,
                                                   Token t) {
    std::array<std::int64_t, kNumVoices> out{};
    for (int v = 0; v < kNumVoices; ++v)
        out[static_cast<size_t>(v)] = vocabs[static_cast<size_t>(v)].index(t);
    return out;
}

double mean_nll(const std::array<VoiceMetrics, kNumVoices>& m) {
    double s = 0;
    for (const auto& v : m) s += v.nll;
    return s / kNumVoices;
}

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

void check_config(const ModelConfig& c) {
    if (c.note_embedding < 1 || c.meta_embedding < 1 || c.lstm_hidden < 1 || c.lstm_layers < 1 ||
        c.mlp_hidden < 1)
        throw Error("model sizes must be at least 1");
    if (c.dropout < 0 || c.dropout >= 1) throw Error("dropout must be in [0, 1)");
    if (c.window_past < 1 || c.window_future < 1 || c.window_past > kDatasetPadding ||
        c.window_future > kDatasetPadding)
        throw Error(fmt::format("window sizes must be in 1..{}", kDatasetPadding));
}

// The resume checkpoint: weights and Adam state of each voice, counters.
struct ResumeState {
    std::int64_t step = 0;
    double best_nll = INFINITY;
    double wall_seconds = 0;
    bool has_best = false;
};

std::string config_key(const ModelConfig& c, const std::string& checksum, std::uint64_t seed,
                       const TrainOptions& o) {
    std::string key = fmt::format("{} {} {} {} {} {} {} {} {} {} seed={} batch={}/{} lr={}",
                                  to_string(c.mode), c.note_embedding, c.meta_embedding, c.lstm_hidden,
                                  c.lstm_layers, c.dropout, c.mlp_hidden, c.window_past, c.window_future,
                                  checksum, seed, o.batch_size, o.batch_sequences, o.learning_rate);
    // New settings only where they are on, so older checkpoints still resume.
    if (c.shared_pitch) key += " shared_pitch";
    if (o.corrupt > 0) key += fmt::format(" corrupt={}", o.corrupt);
    if (c.mask) key += fmt::format(" mask={}", o.mask);
    if (o.unlikelihood > 0) key += fmt::format(" unlikelihood={}", o.unlikelihood);
    if (o.self_unlikelihood > 0)
        key += fmt::format(" self_unlikelihood={}/{}/{}", o.self_unlikelihood, o.self_pool, o.self_refresh);
    if (c.relational) key += o.relational_only ? " relational_only" : " relational";
    if (c.relational_leaps) key += " leaps";
    if (c.relational_melody) key += " melody";
    if (!o.init.empty()) key += " init=" + o.init.filename().string();
    return key;
}

void save_resume(const std::filesystem::path& path, std::vector<VoiceNet>& nets,
                 std::vector<std::unique_ptr<torch::optim::Adam>>& opts, const ResumeState& st,
                 const std::string& key) {
    torch::serialize::OutputArchive archive;
    for (size_t v = 0; v < nets.size(); ++v) {
        torch::serialize::OutputArchive net_archive, opt_archive;
        nets[v]->save(net_archive);
        opts[v]->save(opt_archive);
        archive.write(fmt::format("net{}", v), net_archive);
        archive.write(fmt::format("adam{}", v), opt_archive);
    }
    archive.write("step", c10::IValue(st.step));
    archive.write("best_nll", c10::IValue(st.best_nll));
    archive.write("wall_seconds", c10::IValue(st.wall_seconds));
    archive.write("has_best", c10::IValue(st.has_best));
    archive.write("key", c10::IValue(key));
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    archive.save_to(tmp.string());
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) throw Error(path.string() + ": cannot write: " + ec.message());
}

ResumeState load_resume(const std::filesystem::path& path, std::vector<VoiceNet>& nets,
                        std::vector<std::unique_ptr<torch::optim::Adam>>& opts, const std::string& key,
                        const torch::Device& dev) {
    torch::serialize::InputArchive archive;
    try {
        archive.load_from(path.string(), dev);
    } catch (const std::exception&) {
        throw Error(path.string() + ": not a readable resume checkpoint");
    }
    ResumeState st;
    c10::IValue value;
    archive.read("key", value);
    if (value.toStringRef() != key)
        throw Error(path.string() + ": the checkpoint was made with other settings (" + value.toStringRef() +
                    "); remove it or leave out --resume");
    for (size_t v = 0; v < nets.size(); ++v) {
        torch::serialize::InputArchive net_archive, opt_archive;
        archive.read(fmt::format("net{}", v), net_archive);
        archive.read(fmt::format("adam{}", v), opt_archive);
        nets[v]->load(net_archive);
        opts[v]->load(opt_archive);
    }
    archive.read("step", value);
    st.step = value.toInt();
    archive.read("best_nll", value);
    st.best_nll = value.toDouble();
    archive.read("wall_seconds", value);
    st.wall_seconds = value.toDouble();
    archive.read("has_best", value);
    st.has_best = value.toBool();
    return st;
}

}  // namespace

bool torch_cuda_available() {
    return torch::cuda::is_available();
}

std::string resolve_device(const std::string& device) {
    if (device == "auto") return torch_cuda_available() ? "cuda" : "cpu";
    if (device == "cpu") return "cpu";
    if (device == "cuda") {
        if (!torch_cuda_available()) throw Error("device cuda: LibTorch sees no CUDA device");
        return "cuda";
    }
    return deepbach::to_string(deepbach::parse_device(device));
}

std::array<VoiceMetrics, kNumVoices> evaluate_model(const Model& model,
                                                    const std::vector<EncodedChorale>& chorales,
                                                    const std::string& device, int threads) {
    set_threads(threads);
    const torch::Device dev = parse_device(resolve_device(device));
    std::vector<VoiceNet> nets = make_networks(model, dev);
    FlatStore store;
    build_store(chorales, store);
    std::vector<int> seqs(chorales.size());
    std::iota(seqs.begin(), seqs.end(), 0);
    const nn::Relational relational(model.vocabularies, model.config);
    return evaluate_flat(nets, store.flat, seqs, special_index(model.vocabularies, token::kHold),
                         special_index(model.vocabularies, token::kEnd), dev, 0, 0,
                         model.config.relational ? &relational : nullptr);
}

TrainingRecord train(const TrainOptions& options, const TrainCallback& callback) {
    validate(options);
    set_threads(options.threads);
    const std::string device_name = resolve_device(to_string(options.device));
    const torch::Device dev = parse_device(device_name);
    const ModelConfig& cfg = options.config;

    TrainProgress prog;
    auto report = [&](TrainProgress::Phase phase, const std::string& message) {
        prog.phase = phase;
        prog.message = message;
        if (callback && !callback(prog)) throw Cancelled();
    };
    auto loading = [&](std::size_t done, std::size_t total, std::string_view what) {
        prog.step = static_cast<std::int64_t>(done);
        prog.total_steps = static_cast<std::int64_t>(total);
        report(TrainProgress::Phase::loading, std::string(what));
        return true;
    };

    CorpusOptions corpus_options;
    corpus_options.threads = options.threads > 0 ? options.threads : 1;
    const Corpus corpus = load_corpus(options.corpus, corpus_options, loading);
    if (corpus.chorales.empty()) throw Error(options.corpus.string() + ": no usable chorale");
    DatasetOptions dataset_options;
    dataset_options.split_seed = options.seed;
    dataset_options.threads = corpus_options.threads;
    const Dataset dataset = load_or_build_dataset(corpus, dataset_options, loading, options.cache_dir);
    const Flat flat = flat_of(dataset);

    const std::vector<int> train_seqs = dataset.sequences_of(dataset.split.train);
    std::vector<int> valid_seqs;  // the validation chorales as written (shift 0)
    for (int s : dataset.sequences_of(dataset.split.valid))
        if (dataset.sequences[static_cast<size_t>(s)].shift == 0) valid_seqs.push_back(s);
    if (valid_seqs.empty()) valid_seqs = dataset.sequences_of(dataset.split.valid);
    std::vector<Chorale> valid_chorales;  // as written, for the monitor
    for (int i : dataset.split.valid) valid_chorales.push_back(corpus.chorales[static_cast<size_t>(i)]);
    if (train_seqs.empty()) throw Error(options.corpus.string() + ": too few chorales for a training split");

    // Uniform sampling over training ticks: prefix sums of sequence lengths.
    std::vector<std::int64_t> prefix(train_seqs.size() + 1, 0);
    for (size_t i = 0; i < train_seqs.size(); ++i)
        prefix[i + 1] = prefix[i] + dataset.sequences[static_cast<size_t>(train_seqs[i])].length;
    const std::int64_t train_ticks = prefix.back();
    const std::int64_t steps_per_epoch =
        cfg.mode == ContextMode::window
            ? (train_ticks + options.batch_size - 1) / options.batch_size
            : (static_cast<std::int64_t>(train_seqs.size()) + options.batch_sequences - 1) /
                  options.batch_sequences;
    std::int64_t total_steps = steps_per_epoch * options.epochs;
    if (options.max_steps > 0) total_steps = std::min(total_steps, options.max_steps);

    const auto hold = special_index(dataset.vocabularies, token::kHold);
    const auto end_index = special_index(dataset.vocabularies, token::kEnd);
    Model vocab_model;  // the vocabularies, for the unlikelihood's rules
    vocab_model.vocabularies = dataset.vocabularies;
    Corruption corruption;
    corruption.max_rate = options.corrupt;
    corruption.max_mask = options.mask;
    corruption.seed = options.seed;
    for (int v = 0; v < kNumVoices; ++v)
        corruption.vocab_sizes[static_cast<size_t>(v)] = dataset.vocabularies[static_cast<size_t>(v)].size();

    Model model = Model::initialize(cfg, dataset.vocabularies, dataset.ranges, options.seed);
    if (!options.init.empty()) {
        Model from = Model::load(options.init);
        const auto same = [](const ModelConfig& a, const ModelConfig& b) {
            return a.mode == b.mode && a.note_embedding == b.note_embedding &&
                   a.meta_embedding == b.meta_embedding && a.lstm_hidden == b.lstm_hidden &&
                   a.lstm_layers == b.lstm_layers && a.mlp_hidden == b.mlp_hidden &&
                   a.window_past == b.window_past && a.window_future == b.window_future &&
                   a.shared_pitch == b.shared_pitch && a.mask == b.mask &&
                   (a.relational == b.relational || (b.relational && !a.relational)) &&
                   (a.relational_leaps == b.relational_leaps ||
                    (b.relational_leaps && !a.relational_leaps)) &&
                   (a.relational_melody == b.relational_melody ||
                    (b.relational_melody && !a.relational_melody));
        };
        if (!same(from.config, cfg))
            throw Error(options.init.string() + ": --init needs a model of the same configuration");
        for (int v = 0; v < kNumVoices; ++v)
            if (from.vocabularies[static_cast<size_t>(v)].size() !=
                dataset.vocabularies[static_cast<size_t>(v)].size())
                throw Error(options.init.string() + ": --init needs a model of the same vocabularies");
        // Three-class relational tables refined into five, with the same values.
        if (cfg.relational_leaps && from.config.relational) from.add_relational_leaps();
        if (cfg.relational_melody && from.config.relational) from.add_relational_melody();
        // A model without relational potentials starts a relational one with
        // its networks and zero potentials.
        for (const auto& [name, tensor] : from.weights) model.weights[name] = tensor;
    }
    const nn::Relational relational(dataset.vocabularies, cfg);
    const nn::Relational* relational_ptr = cfg.relational ? &relational : nullptr;
    std::vector<VoiceNet> nets = make_networks(model, dev);
    std::vector<std::unique_ptr<torch::optim::Adam>> opts;
    for (auto& net : nets) {
        std::vector<torch::Tensor> params = net->parameters();
        if (options.relational_only) {
            // The networks stay as --init gave them: only the tables learn.
            params.clear();
            for (auto& item : net->named_parameters(true)) {
                if (item.key() == "relational")
                    params.push_back(item.value());
                else
                    item.value().set_requires_grad(false);
            }
        }
        opts.push_back(
            std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(options.learning_rate)));
    }

    std::filesystem::path resume_path = options.out;
    resume_path += ".resume";
    const std::string key = config_key(cfg, corpus.checksum, options.seed, options);
    ResumeState st;
    if (options.resume && std::filesystem::exists(resume_path)) {
        st = load_resume(resume_path, nets, opts, key, dev);
        report(TrainProgress::Phase::training, fmt::format("resuming at step {}", st.step));
    }

    TrainingRecord best_record;
    if (st.has_best && std::filesystem::exists(options.out)) best_record = Model::load(options.out).training;

    prog.epochs = static_cast<int>((total_steps + steps_per_epoch - 1) / steps_per_epoch);
    prog.total_steps = total_steps;
    const auto run_start = Clock::now();
    const double wall_before = st.wall_seconds;
    auto wall = [&] { return wall_before + std::chrono::duration<double>(Clock::now() - run_start).count(); };

    // Running training figures over the last steps.
    double loss_sum = 0, acc_sum = 0;
    int window_steps = 0;
    std::int64_t timed_ticks = 0;
    auto timed_start = Clock::now();
    const std::int64_t first_step = st.step;

    // Self-context unlikelihood: a pool of the networks' own harmonizations.
    FlatStore self_store;
    const std::int64_t self_refresh =
        options.self_refresh > 0 ? options.self_refresh : std::max<std::int64_t>(1, steps_per_epoch / 6);
    std::vector<Chorale> train_chorales_for_pool;
    if (options.self_unlikelihood > 0)
        for (int i : dataset.split.train)
            train_chorales_for_pool.push_back(corpus.chorales[static_cast<size_t>(i)]);
    auto refresh_pool = [&](std::int64_t step) {
        auto snapshot = std::make_shared<Model>(model);
        for (auto& net : nets) store_weights(net, *snapshot);
        std::vector<EncodedChorale> pool;
        for (int i = 0; i < options.self_pool && !train_chorales_for_pool.empty(); ++i) {
            const std::uint64_t r = mix(options.seed, static_cast<std::uint64_t>(step), 0x73656c66ULL,
                                        static_cast<std::uint64_t>(i));
            const Chorale& c =
                train_chorales_for_pool[static_cast<size_t>(r % train_chorales_for_pool.size())];
            SamplingOptions so;
            so.model = snapshot;
            so.seed = r;
            so.voice_leading = 0;
            so.iterations = 40;
            so.threads = 1;
            try {
                const Harmonization h = harmonize(to_score(first_bars(c, 8)), {}, so);
                pool.push_back(encode_chorale(h.chorale, snapshot->vocabularies));
            } catch (const Error&) {
                // A soprano this model cannot harmonize stays out of the pool.
            }
        }
        self_store = FlatStore();
        build_store(pool, self_store);
        for (auto& net : nets) net->train();
    };

    while (st.step < total_steps) {
        const std::int64_t step = st.step;
        corruption.step = step;
        // The step's batch: a pure function of (seed, step).
        Batch batch;
        if (cfg.mode == ContextMode::window) {
            std::vector<std::pair<int, int>> targets(static_cast<size_t>(options.batch_size));
            for (int i = 0; i < options.batch_size; ++i) {
                const std::int64_t r = static_cast<std::int64_t>(
                    mix(options.seed, static_cast<std::uint64_t>(step), static_cast<std::uint64_t>(i)) %
                    static_cast<std::uint64_t>(train_ticks));
                const size_t k = static_cast<size_t>(std::upper_bound(prefix.begin(), prefix.end(), r) -
                                                     prefix.begin() - 1);
                targets[static_cast<size_t>(i)] = {train_seqs[k], static_cast<int>(r - prefix[k])};
            }
            batch = window_batch(flat, targets, cfg, dev, &corruption);
        } else {
            std::vector<int> seqs(static_cast<size_t>(options.batch_sequences));
            for (int i = 0; i < options.batch_sequences; ++i)
                seqs[static_cast<size_t>(i)] = train_seqs[static_cast<size_t>(
                    mix(options.seed, static_cast<std::uint64_t>(step), static_cast<std::uint64_t>(i)) %
                    train_seqs.size())];
            batch = full_batch(flat, seqs, end_index, dev, &corruption,
                               options.unlikelihood > 0 ? &vocab_model : nullptr, false, relational_ptr);
        }
        Batch self_batch;
        const bool self_on = options.self_unlikelihood > 0;
        if (self_on) {
            if (step % self_refresh == 0 || self_store.flat.seqs.empty()) refresh_pool(step);
            std::vector<int> all(self_store.flat.seqs.size());
            std::iota(all.begin(), all.end(), 0);
            if (!all.empty())
                self_batch = full_batch(self_store.flat, all, end_index, dev, nullptr, &vocab_model, true,
                                        relational_ptr);
        }
        torch::Tensor losses = torch::zeros({2}, torch::TensorOptions().dtype(torch::kDouble).device(dev));
        for (int v = 0; v < kNumVoices; ++v) {
            torch::manual_seed(mix(options.seed, static_cast<std::uint64_t>(step), 0x64726f70ULL,
                                   static_cast<std::uint64_t>(v)));
            VoiceNet& net = nets[static_cast<size_t>(v)];
            // With the networks fixed, no dropout: the tables learn against
            // the logits the sampler will see.
            if (options.relational_only)
                net->eval();
            else
                net->train();
            const torch::Tensor logits = run(net, batch);
            const torch::Tensor& target = batch.targets[static_cast<size_t>(v)];
            torch::Tensor loss = torch::nn::functional::cross_entropy(logits, target);
            if (options.unlikelihood > 0) {
                const torch::Tensor p_bad =
                    (torch::softmax(logits, 1) * batch.bad[static_cast<size_t>(v)]).sum(1);
                const torch::Tensor ul = -torch::log(torch::clamp(1.0 - p_bad, 1e-6));
                loss = loss + options.unlikelihood * (ul * batch.keep[static_cast<size_t>(v)]).mean();
            }
            if (self_on && self_batch.size > 0) {
                const torch::Tensor self_logits = run(net, self_batch);
                const torch::Tensor p_bad =
                    (torch::softmax(self_logits, 1) * self_batch.bad[static_cast<size_t>(v)]).sum(1);
                loss =
                    loss + options.self_unlikelihood * (-torch::log(torch::clamp(1.0 - p_bad, 1e-6))).mean();
            }
            opts[static_cast<size_t>(v)]->zero_grad();
            loss.backward();
            opts[static_cast<size_t>(v)]->step();
            losses[0] += loss.detach().to(torch::kDouble);
            losses[1] += logits.detach().argmax(1).eq(target).to(torch::kDouble).mean();
        }
        st.step += 1;
        if (options.time_limit_seconds > 0 && wall() >= options.time_limit_seconds) total_steps = st.step;
        timed_ticks += batch.size;
        const auto lc = losses.to(torch::kCPU);
        loss_sum += lc[0].item<double>() / kNumVoices;
        acc_sum += lc[1].item<double>() / kNumVoices;
        ++window_steps;

        const double elapsed = std::chrono::duration<double>(Clock::now() - timed_start).count();
        prog.epoch = static_cast<int>((st.step - 1) / steps_per_epoch) + 1;
        prog.step = st.step;
        prog.loss = loss_sum / window_steps;
        prog.accuracy = acc_sum / window_steps;
        prog.samples_per_s = elapsed > 0 ? static_cast<double>(timed_ticks) / elapsed : 0;
        const double per_step = elapsed / static_cast<double>(st.step - first_step);
        prog.eta_seconds = per_step * static_cast<double>(total_steps - st.step);
        report(TrainProgress::Phase::training, "training");
        if (window_steps >= 50) {
            loss_sum = acc_sum = 0;
            window_steps = 0;
        }

        const bool epoch_end = st.step % steps_per_epoch == 0 || st.step == total_steps;
        if (!epoch_end) continue;
        report(TrainProgress::Phase::validating, "validating");
        const auto metrics = evaluate_flat(nets, flat, valid_seqs, hold, end_index, dev,
                                           options.validation_targets, options.seed, relational_ptr);
        prog.validation = metrics;
        if (options.monitor > 0 && !valid_chorales.empty()) {
            report(TrainProgress::Phase::validating, "harmonizing validation sopranos");
            auto snapshot = std::make_shared<Model>(model);
            for (auto& net : nets) store_weights(net, *snapshot);
            prog.monitor_mass_bach = parallel_mass(*snapshot, valid_chorales, 1).mean_mass();
            ParallelMass own;
            std::int64_t parallels = 0;
            prog.monitor_chorales = 0;
            const int n = std::min<int>(options.monitor, static_cast<int>(valid_chorales.size()));
            for (int i = 0; i < n; ++i) {
                SamplingOptions so;
                so.model = snapshot;
                so.seed = options.seed + static_cast<std::uint64_t>(i);
                so.voice_leading = 0;
                so.threads = 1;
                try {
                    const Chorale piece = first_bars(valid_chorales[static_cast<size_t>(i)], 8);
                    const Harmonization h = harmonize(to_score(piece), {}, so);
                    parallels += voice_leading_stats(h.chorale).parallels();
                    own.add(parallel_mass(*snapshot, {h.chorale}, 1));
                    ++prog.monitor_chorales;
                } catch (const Error&) {
                    // A soprano the model cannot harmonize is left out of the figures.
                }
            }
            prog.monitor_parallels =
                prog.monitor_chorales > 0 ? static_cast<double>(parallels) / prog.monitor_chorales : 0.0;
            prog.monitor_mass_own = own.mean_mass();
            for (auto& net : nets) net->train();
        }
        const double nll = mean_nll(metrics);
        if (!st.has_best || nll < st.best_nll) {
            st.best_nll = nll;
            st.has_best = true;
            for (auto& net : nets) store_weights(net, model);
            model.training.corpus_checksum = corpus.checksum;
            model.training.seed = options.seed;
            model.training.epochs = prog.epoch;
            model.training.steps = st.step;
            model.training.batch_size =
                cfg.mode == ContextMode::window ? options.batch_size : options.batch_sequences;
            model.training.learning_rate = options.learning_rate;
            model.training.wall_seconds = wall();
            model.training.device = device_name;
            model.training.finished_at = utc_now();
            model.training.validation = metrics;
            model.save(options.out, options.float16);
            best_record = model.training;
        }
        st.wall_seconds = wall();
        save_resume(resume_path, nets, opts, st, key);
        report(TrainProgress::Phase::training, fmt::format("epoch {} validated", prog.epoch));
    }
    report(TrainProgress::Phase::done, "done");
    return best_record;
}

}  // namespace deepbach::torch_backend

namespace deepbach {

bool cuda_available() {
    return torch_backend::torch_cuda_available();
}

void validate(const TrainOptions& options) {
    torch_backend::check_config(options.config);
    check_count("epochs", options.epochs, 1);
    check_count("max steps", options.max_steps, 0, std::numeric_limits<std::int64_t>::max());
    check_non_negative("time limit", options.time_limit_seconds, "30 (seconds)");
    check_count("batch size", options.batch_size, 1, 1 << 20);
    check_count("batch sequences", options.batch_sequences, 1, 4096);
    check_positive("learning rate", options.learning_rate, "0.001");
    check_count("threads", options.threads, 0, defaults::kMaxThreads);
    auto rate = [](const char* name, double value, double max) {
        if (!(value >= 0 && value <= max))
            throw Error(fmt::format("{} {:g}: expected a number in [0, {:g}]", name, value, max));
    };
    rate("corrupt", options.corrupt, 1);
    rate("mask", options.mask, 1);
    rate("unlikelihood", options.unlikelihood, 100);
    rate("self unlikelihood", options.self_unlikelihood, 100);
    check_count("self pool", options.self_pool, 1, 64);
    check_count("self refresh", options.self_refresh, 0);
    check_count("validation targets", options.validation_targets, 0,
                std::numeric_limits<std::int64_t>::max());
    check_count("monitor", options.monitor, 0, 1000);
    const bool full = options.config.mode == ContextMode::full;
    if (options.unlikelihood > 0 && !full) throw Error("unlikelihood: needs full mode");
    if (options.self_unlikelihood > 0 && !full) throw Error("self unlikelihood: needs full mode");
    if (options.config.relational && !full) throw Error("relational: needs full mode");
    if (options.mask > 0 && !options.config.mask)
        throw Error("mask: needs a model with a mask input (config.mask)");
    if (options.relational_only && !options.config.relational)
        throw Error("relational only: needs the relational potentials (config.relational)");
    if (options.relational_only && options.init.empty())
        throw Error("relational only: needs init (the networks whose potentials are learned)");
    if (options.corpus.empty()) throw Error("corpus: no folder given");
    if (options.out.empty()) throw Error("out: no model file given");
}

TrainingRecord train_model(const TrainOptions& options, const TrainCallback& callback) {
    return torch_backend::train(options, callback);
}

std::array<VoiceMetrics, kNumVoices> evaluate_model_torch(const Model& model,
                                                          const std::vector<Chorale>& chorales, Device device,
                                                          int threads) {
    std::vector<nn::EncodedChorale> encoded;
    for (const Chorale& c : chorales) encoded.push_back(nn::encode_chorale(c, model.vocabularies));
    return torch_backend::evaluate_model(model, encoded, to_string(device), threads);
}

}  // namespace deepbach
