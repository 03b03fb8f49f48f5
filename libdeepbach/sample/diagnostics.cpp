// The parallel-mass diagnostic: see deepbach/diagnostics.hpp.
#include <deepbach/diagnostics.hpp>

#include <deepbach/error.hpp>

#include "nn/encode.hpp"
#include "nn/inference.hpp"
#include "sample/guide.hpp"

#include <algorithm>
#include <cmath>

namespace deepbach {

double ParallelMass::mean_mass(int first, int last) const {
    double m = 0;
    std::int64_t n = 0;
    for (int v = first; v <= last; ++v) {
        m += mass[static_cast<std::size_t>(v)];
        n += exposed[static_cast<std::size_t>(v)];
    }
    return n > 0 ? m / static_cast<double>(n) : 0.0;
}

double ParallelMass::written_rate(int first, int last) const {
    std::int64_t w = 0, n = 0;
    for (int v = first; v <= last; ++v) {
        w += written[static_cast<std::size_t>(v)];
        n += exposed[static_cast<std::size_t>(v)];
    }
    return n > 0 ? static_cast<double>(w) / static_cast<double>(n) : 0.0;
}

void ParallelMass::add(const ParallelMass& o) {
    for (std::size_t v = 0; v < kNumVoices; ++v) {
        exposed[v] += o.exposed[v];
        mass[v] += o.mass[v];
        written[v] += o.written[v];
        cells[v] += o.cells[v];
    }
}

namespace {

// Adds one cell: log-probabilities `logp` (V of them) of voice v at tick t.
void add_cell(const sample::VoiceLeadingGuide& guide, const nn::EncodedChorale& c, int v, int t,
              const float* logp, int V, std::vector<int>& counts, ParallelMass& out) {
    const auto vi = static_cast<std::size_t>(v);
    counts.assign(static_cast<std::size_t>(V), 0);
    guide.parallels(c.notes, v, t, V, counts.data());
    ++out.cells[vi];
    // START and END (indices 0 and 1) are never drawn inside a piece.
    bool any = false;
    for (int i = 2; i < V; ++i) any = any || counts[static_cast<std::size_t>(i)] > 0;
    if (!any) return;
    double total = 0, bad = 0;
    for (int i = 2; i < V; ++i) {
        const double p = std::exp(static_cast<double>(logp[i]));
        total += p;
        if (counts[static_cast<std::size_t>(i)] > 0) bad += p;
    }
    ++out.exposed[vi];
    out.mass[vi] += total > 0 ? bad / total : 0.0;
    const int token = c.notes[vi][static_cast<std::size_t>(t + kDatasetPadding)];
    if (token >= 0 && token < V && counts[static_cast<std::size_t>(token)] > 0) ++out.written[vi];
}

}  // namespace

ParallelMass parallel_mass(const Model& model, const std::vector<Chorale>& chorales, int threads) {
    const nn::InferenceEngine engine(model, threads);
    ParallelMass out;
    std::vector<int> counts;
    using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    for (const Chorale& chorale : chorales) {
        const nn::EncodedChorale c = nn::encode_chorale(chorale, model.vocabularies);
        const nn::SequenceView view = nn::view_of(c);
        const sample::VoiceLeadingGuide guide(model, c.length, 1.0);
        for (int v = 0; v < kNumVoices; ++v) {
            if (engine.config().mode == ContextMode::full) {
                std::vector<Eigen::MatrixXf> logits;
                engine.full_logits(v, {view}, logits);
                nn::log_softmax_rows(logits[0]);
                const RowMatrix rows = logits[0];
                for (int t = 0; t < c.length; ++t)
                    add_cell(guide, c, v, t, rows.row(t).data(), static_cast<int>(rows.cols()), counts, out);
            } else {
                std::vector<nn::Target> targets;
                for (int t = 0; t < c.length; ++t) targets.push_back({view, t});
                Eigen::MatrixXf logits;
                engine.window_logits(v, targets, logits);
                nn::log_softmax_rows(logits);
                const RowMatrix rows = logits;
                for (int t = 0; t < c.length; ++t)
                    add_cell(guide, c, v, t, rows.row(t).data(), static_cast<int>(rows.cols()), counts, out);
            }
        }
    }
    return out;
}

}  // namespace deepbach
