#include "nn/evaluate.hpp"
#include "nn/inference.hpp"

#include <deepbach/diagnostics.hpp>
#include <deepbach/error.hpp>
#include <deepbach/options.hpp>

#include <string>

#include <algorithm>
#include <cmath>

namespace deepbach::nn {

void MetricSums::add(const float* logp, int size, int target, int hold) {
    const double l = -static_cast<double>(logp[target]);
    // argmax with the first maximum, as torch's argmax on the CPU.
    const int best = static_cast<int>(std::max_element(logp, logp + size) - logp);
    const double ok = best == target ? 1.0 : 0.0;
    nll += l;
    correct += ok;
    ++n;
    if (target != hold) {
        onset_nll += l;
        onset_correct += ok;
        ++onsets;
    }
}

VoiceMetrics MetricSums::metrics() const {
    VoiceMetrics m;
    m.targets = n;
    m.onset_targets = onsets;
    if (n > 0) {
        m.nll = nll / static_cast<double>(n);
        m.accuracy = correct / static_cast<double>(n);
    }
    if (onsets > 0) {
        m.onset_nll = onset_nll / static_cast<double>(onsets);
        m.onset_accuracy = onset_correct / static_cast<double>(onsets);
    }
    return m;
}

std::array<VoiceMetrics, kNumVoices> evaluate(const InferenceEngine& engine, const Model& model,
                                              const std::vector<EncodedChorale>& chorales,
                                              const ProgressFn& progress) {
    std::size_t total = 0, done = 0;
    for (const auto& c : chorales) total += static_cast<std::size_t>(c.length) * kNumVoices;
    auto report = [&](std::size_t add) {
        done += add;
        if (progress && !progress(done, total, "evaluating")) throw Cancelled();
    };
    std::array<MetricSums, kNumVoices> sums;
    std::vector<SequenceView> views;
    for (const auto& c : chorales) views.push_back(view_of(c));
    for (int v = 0; v < kNumVoices; ++v) {
        const int hold = model.vocabularies[static_cast<size_t>(v)].index(token::kHold);
        MetricSums& s = sums[static_cast<size_t>(v)];
        auto score = [&](const SequenceView& seq, int tick, const float* logp, int size) {
            s.add(logp, size, seq.notes[static_cast<size_t>(v)][tick + kDatasetPadding], hold);
        };
        if (engine.config().mode == ContextMode::window) {
            constexpr std::size_t kChunk = 512;
            std::vector<Target> targets;
            Eigen::MatrixXf logits;
            auto flush = [&] {
                engine.window_logits(v, targets, logits);
                log_softmax_rows(logits);
                Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = logits;
                for (std::size_t i = 0; i < targets.size(); ++i)
                    score(targets[i].sequence, targets[i].tick, rows.row(static_cast<Eigen::Index>(i)).data(),
                          static_cast<int>(rows.cols()));
                report(targets.size());
                targets.clear();
            };
            for (const auto& seq : views)
                for (int t = 0; t < seq.length; ++t) {
                    targets.push_back({seq, t});
                    if (targets.size() == kChunk) flush();
                }
            if (!targets.empty()) flush();
        } else {
            constexpr std::size_t kChunk = 16;
            std::vector<Eigen::MatrixXf> out;
            for (std::size_t i = 0; i < views.size(); i += kChunk) {
                const std::vector<SequenceView> part(
                    views.begin() + static_cast<std::ptrdiff_t>(i),
                    views.begin() + static_cast<std::ptrdiff_t>(std::min(views.size(), i + kChunk)));
                engine.full_logits(v, part, out);
                std::size_t ticks = 0;
                for (std::size_t b = 0; b < part.size(); ++b) {
                    log_softmax_rows(out[b]);
                    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rows = out[b];
                    for (int t = 0; t < part[b].length; ++t)
                        score(part[b], t, rows.row(t).data(), static_cast<int>(rows.cols()));
                    ticks += static_cast<std::size_t>(part[b].length);
                }
                report(ticks);
            }
        }
    }
    std::array<VoiceMetrics, kNumVoices> out;
    for (int v = 0; v < kNumVoices; ++v) out[static_cast<size_t>(v)] = sums[static_cast<size_t>(v)].metrics();
    return out;
}

}  // namespace deepbach::nn

namespace deepbach {

const char* inference_kernel() {
    if (nn::kernel_path() == nn::KernelPath::avx2 && nn::int8_weights()) return "avx2-int8";
    return nn::kernel_path_name(nn::kernel_path());
}

ModelEvaluation evaluate_model(const Model& model, const std::vector<Chorale>& chorales,
                               const ModelEvaluationOptions& options) {
    check_count("threads", options.threads, 0, defaults::kMaxThreads);
    ModelEvaluation out;
    std::vector<nn::EncodedChorale> encoded;
    std::vector<Chorale> kept;
    for (std::size_t i = 0; i < chorales.size(); ++i) {
        try {
            encoded.push_back(nn::encode_chorale(chorales[i], model.vocabularies));
            kept.push_back(chorales[i]);
        } catch (const Error& e) {
            out.skipped.emplace_back(
                chorales[i].source.empty() ? "chorale " + std::to_string(i + 1) : chorales[i].source,
                e.what());
        }
    }
    if (encoded.empty())
        throw Error("no chorale to evaluate (" + std::to_string(chorales.size()) + " given, " +
                    std::to_string(out.skipped.size()) + " skipped)");
    const nn::InferenceEngine engine(model, options.threads);
    out.voices = nn::evaluate(engine, model, encoded, options.progress);
    out.chorales = encoded.size();
    for (const auto& v : out.voices) {
        out.mean_nll += v.nll / kNumVoices;
        out.mean_onset_nll += v.onset_nll / kNumVoices;
    }
    if (options.parallel_mass) out.parallel_mass = parallel_mass(model, kept, options.threads);
    return out;
}

}  // namespace deepbach
