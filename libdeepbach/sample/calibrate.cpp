// Calibration of the relational potentials against the sampler's own output:
// see deepbach/calibrate.hpp.
#include <deepbach/calibrate.hpp>

#include "nn/encode.hpp"
#include "nn/relational.hpp"
#include "util/parallel.hpp"
#include "util/rng.hpp"

#include <deepbach/diagnostics.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/report.hpp>
#include <deepbach/score.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace deepbach {

namespace {

using Counts = std::array<std::vector<double>, kNumVoices>;

std::string table_name(int v) {
    return fmt::format("voices.{}.relational", v);
}

Counts zero_counts(const nn::Relational& relational) {
    Counts c;
    for (auto& v : c) v.assign(static_cast<std::size_t>(relational.size()), 0.0);
    return c;
}

// Adds every relational term each cell of voices first..last reads for its own
// token to `counts`: the features of the chorale as the sampler's
// conditionals see them. Throws Error when a token is not in the
// vocabularies.
void count_features(const nn::Relational& relational, const Model& model, const Chorale& chorale,
                    Counts& counts, int first_voice = 0, int last_voice = kNumVoices - 1) {
    const nn::EncodedChorale enc = nn::encode_chorale(chorale, model.vocabularies);
    const nn::SequenceView view = nn::view_of(enc);
    std::vector<std::int32_t> idx;
    for (int v = first_voice; v <= last_voice; ++v) {
        const int V = relational.vocabulary_size(v);
        idx.resize(static_cast<std::size_t>(view.length) * static_cast<std::size_t>(V) * relational.terms());
        relational.indices(view, v, idx.data());
        auto& c = counts[static_cast<std::size_t>(v)];
        for (int t = 0; t < view.length; ++t) {
            const int tok =
                enc.notes[static_cast<std::size_t>(v)][static_cast<std::size_t>(t + kDatasetPadding)];
            const std::size_t base =
                (static_cast<std::size_t>(t) * static_cast<std::size_t>(V) + static_cast<std::size_t>(tok)) *
                relational.terms();
            for (int k = 0; k < relational.terms(); ++k) {
                const std::int32_t e = idx[base + static_cast<std::size_t>(k)];
                if (e != relational.none()) c[static_cast<std::size_t>(e)] += 1.0;
            }
        }
    }
}

double total_variation(const Counts& a, const Counts& b) {
    double sa = 0, sb = 0;
    for (int v = 0; v < kNumVoices; ++v)
        for (std::size_t e = 0; e < a[static_cast<std::size_t>(v)].size(); ++e) {
            sa += a[static_cast<std::size_t>(v)][e];
            sb += b[static_cast<std::size_t>(v)][e];
        }
    if (sa <= 0 || sb <= 0) return 1.0;
    double d = 0;
    for (int v = 0; v < kNumVoices; ++v)
        for (std::size_t e = 0; e < a[static_cast<std::size_t>(v)].size(); ++e)
            d += std::abs(a[static_cast<std::size_t>(v)][e] / sa - b[static_cast<std::size_t>(v)][e] / sb);
    return d / 2;
}

// The piece generate() is asked for beside a training soprano: its key
// signature, time signature and mode (the mode the signature names, else
// minor when Bach's last bass note is the relative minor's tonic).
PieceShape shape_of(const Chorale& c, int bars) {
    PieceShape shape;
    shape.bars = bars;
    shape.beats = c.times.front().beats;
    shape.beat_type = c.times.front().beat_type;
    shape.fifths = c.keys.front().fifths;
    shape.mode = "major";
    if (c.keys.front().mode == "minor") {
        shape.mode = "minor";
    } else if (c.keys.front().mode.empty()) {
        const int tonic = ((7 * shape.fifths) % 12 + 12) % 12;
        for (int t = c.num_ticks - 1; t >= 0; --t) {
            const Token tok = c.at(kBass, t);
            if (!token::is_pitch(tok)) continue;
            if (((token::to_pitch(tok).midi() - tonic) % 12 + 12) % 12 == 9) shape.mode = "minor";
            break;
        }
    }
    return shape;
}

// Generalized iterative scaling for one table, each log ratio bounded by one
// nat; `scale` puts Bach's counts on the sampler's number of ticks.
void scale_table(std::vector<float>& table, const std::vector<double>& bach, const std::vector<double>& own,
                 double scale, const CalibrationOptions& options) {
    for (std::size_t e = 0; e < table.size(); ++e) {
        const double r = std::log((bach[e] * scale + options.smoothing) / (own[e] + options.smoothing));
        table[e] += static_cast<float>(options.step * std::clamp(r, -1.0, 1.0));
    }
}

}  // namespace

void validate(const CalibrationOptions& o) {
    check_count("rounds", o.rounds, 1);
    check_count("batch", o.batch, 1);
    check_positive("step", o.step, "0.5");
    check_positive("smoothing", o.smoothing, "0.5");
    if (!(o.average >= 0 && o.average <= 1))
        throw Error(fmt::format("average {}: a share of the rounds, 0 to 1 (e.g. 0.5)", o.average));
    check_count("sweeps", o.sweeps, 0);
    check_count("positions", o.positions, 0);
    check_positive("temperature", o.temperature, "1.0");
    check_non_negative("time limit", o.time_limit_seconds, "600");
    check_count("threads", o.threads, 0, defaults::kMaxThreads);
    check_count("generated bars", o.generate_bars, 1, 64);
    if (std::none_of(o.voices.begin(), o.voices.end(), [](bool b) { return b; }))
        throw Error("voices: calibrate at least one voice's table");
}

CalibrationRecord calibrate_relations(Model& model, const CalibrationOptions& options,
                                      const CalibrationCallback& callback) {
    validate(options);
    if (!model.config.relational)
        throw Error("calibration needs a model with relational potentials (deepbach train --relational)");
    if (options.leaps) model.add_relational_leaps();
    if (options.melody) model.add_relational_melody();
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    };

    std::error_code ec;
    if (!std::filesystem::is_directory(options.corpus, ec))
        throw Error(options.corpus.string() + ": not a folder (calibration reads a corpus folder)");
    LoadedChorales loaded =
        load_chorales({options.corpus}, SplitPart::train, model.training.seed, 0, options.threads);
    const nn::Relational relational(model.vocabularies, model.config);
    // Bach's chorales that the model's vocabularies hold, with their counts.
    std::vector<NamedChorale> chorales;
    std::vector<Counts> bach_counts;
    for (auto& c : loaded.chorales) {
        Counts counts = zero_counts(relational);
        try {
            count_features(relational, model, c.chorale, counts);
        } catch (const Error&) {
            continue;  // a token the model cannot read: not a soprano it can be calibrated on
        }
        chorales.push_back(std::move(c));
        bach_counts.push_back(std::move(counts));
    }
    if (chorales.empty())
        throw Error(options.corpus.string() +
                    ": no training chorale to calibrate on (the model's split, seed " +
                    std::to_string(model.training.seed) + ")");

    std::array<std::vector<float>*, kNumVoices> tables{};
    const bool lower = options.voices[kAlto] || options.voices[kTenor] || options.voices[kBass];
    const bool soprano = options.voices[kSoprano];
    for (int v = 0; v < kNumVoices; ++v) {
        if (!options.voices[static_cast<std::size_t>(v)]) continue;
        auto it = model.weights.find(table_name(v));
        if (it == model.weights.end() ||
            it->second.data.size() != static_cast<std::size_t>(relational.size()))
            throw Error("the model has no relational table " + table_name(v));
        tables[static_cast<std::size_t>(v)] = &it->second.data;
    }
    // The model the sampler reads: this one, changed between rounds only.
    const std::shared_ptr<const Model> view(&model, [](const Model*) {});

    detail::Rng rng(options.seed ^ 0x63616c6962726174ULL);
    std::vector<std::size_t> order(chorales.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::size_t next = order.size();  // start with a fresh shuffle

    const int batch = std::min<int>(options.batch, static_cast<int>(chorales.size()));
    const int average_from =
        options.average > 0
            ? std::max(1, static_cast<int>(std::floor(options.rounds * (1.0 - options.average))) + 1)
            : options.rounds + 1;
    Counts sum = zero_counts(relational);
    int summed = 0;
    CalibrationRecord record;
    for (int round = 1; round <= options.rounds; ++round) {
        std::vector<std::size_t> picked;
        while (static_cast<int>(picked.size()) < batch) {
            if (next >= order.size()) {
                detail::shuffle(order, rng);
                next = 0;
            }
            picked.push_back(order[next++]);
        }
        std::vector<std::uint64_t> seeds(picked.size());
        for (auto& s : seeds) s = rng.next();

        std::vector<std::optional<Chorale>> results(picked.size()), generated(picked.size());
        detail::parallel_for(2 * picked.size(), options.threads, [&](std::size_t task) {
            const std::size_t i = task / 2;
            const bool generating = task % 2 == 1;
            if (generating ? !(soprano || (lower && options.generated_lower)) : !lower) return;
            SamplingOptions so;
            so.model = view;
            so.seed = generating ? ~seeds[i] : seeds[i];
            so.sweeps = options.sweeps;
            so.positions = options.positions;
            so.temperature = options.temperature;
            so.voice_leading = 0;
            so.threads = 1;
            const Chorale& bach = chorales[picked[i]].chorale;
            try {
                if (generating)
                    generated[i] = generate(shape_of(bach, options.generate_bars), {}, so).chorale;
                else
                    results[i] = harmonize(to_score(bach), {}, so).chorale;
            } catch (const Cancelled&) {
                throw;
            } catch (const Error&) {
                // a soprano or a shape the sampler refuses: left out of this round
            }
        });

        Counts bach = zero_counts(relational), own = zero_counts(relational);
        CalibrationProgress p;
        p.round = round;
        p.rounds = options.rounds;
        // Generated chorales against Bach's chorales per tick: the soprano's
        // table, and with generated_lower the others' too.
        Counts bach_generated = zero_counts(relational), own_generated = zero_counts(relational);
        const int generated_last = options.generated_lower ? kNumVoices - 1 : kSoprano;
        double bach_ticks = 0, generated_ticks = 0, generated_events = 0, generated_parallels = 0;
        for (std::size_t i = 0; i < picked.size(); ++i) {
            if (!generated[i]) continue;
            Counts g = zero_counts(relational);
            try {
                count_features(relational, model, *generated[i], g, kSoprano, generated_last);
            } catch (const Error&) {
                continue;
            }
            for (int v = kSoprano; v <= generated_last; ++v) {
                const auto vi = static_cast<std::size_t>(v);
                for (std::size_t e = 0; e < g[vi].size(); ++e) {
                    own_generated[vi][e] += g[vi][e];
                    bach_generated[vi][e] += bach_counts[picked[i]][vi][e];
                }
            }
            generated_ticks += generated[i]->num_ticks;
            bach_ticks += chorales[picked[i]].chorale.num_ticks;
            const VoiceLeadingStats st = voice_leading_stats(*generated[i]);
            generated_events += static_cast<double>(st.events);
            generated_parallels += static_cast<double>(st.parallels());
            ++p.generated;
        }
        const double tick_scale = bach_ticks > 0 ? generated_ticks / bach_ticks : 0.0;
        if (generated_events > 0) p.generated_parallels = 100 * generated_parallels / generated_events;
        for (std::size_t i = 0; i < picked.size(); ++i) {
            if (!results[i]) continue;
            try {
                count_features(relational, model, *results[i], own, 1, kNumVoices - 1);
            } catch (const Error&) {
                continue;
            }
            const Counts& b = bach_counts[picked[i]];
            for (int v = 1; v < kNumVoices; ++v)
                for (std::size_t e = 0; e < b[static_cast<std::size_t>(v)].size(); ++e)
                    bach[static_cast<std::size_t>(v)][e] += b[static_cast<std::size_t>(v)][e];
            const VoiceLeadingStats sb = voice_leading_stats(chorales[picked[i]].chorale);
            const VoiceLeadingStats so = voice_leading_stats(*results[i]);
            p.bach_parallels += static_cast<double>(sb.parallels());
            p.parallels += static_cast<double>(so.parallels());
            p.bach_out_of_key += static_cast<double>(sb.out_of_key);
            p.out_of_key += static_cast<double>(so.out_of_key);
            ++p.chorales;
        }
        if (p.chorales > 0) {
            const double n = p.chorales;
            p.parallels /= n;
            p.bach_parallels /= n;
            p.out_of_key /= n;
            p.bach_out_of_key /= n;
        }
        // What each table is fitted on: the harmonizations' counts (the lower
        // voices), plus the generated chorales' with Bach's put on their ticks.
        if (tick_scale > 0)
            for (int v = kSoprano; v <= generated_last; ++v) {
                const auto vi = static_cast<std::size_t>(v);
                for (std::size_t e = 0; e < bach[vi].size(); ++e) {
                    bach[vi][e] += bach_generated[vi][e] * tick_scale;
                    own[vi][e] += own_generated[vi][e];
                }
            }
        for (int v = 0; v < kNumVoices; ++v) {
            const auto vi = static_cast<std::size_t>(v);
            const bool counted = v == kSoprano ? tick_scale > 0 : p.chorales > 0 || tick_scale > 0;
            if (tables[vi] && counted) scale_table(*tables[vi], bach[vi], own[vi], 1.0, options);
        }
        p.distance = total_variation(bach, own);
        if (round >= average_from) {
            for (int v = 0; v < kNumVoices; ++v) {
                if (!tables[static_cast<std::size_t>(v)]) continue;
                const auto& table = *tables[static_cast<std::size_t>(v)];
                for (std::size_t e = 0; e < table.size(); ++e)
                    sum[static_cast<std::size_t>(v)][e] += table[e];
            }
            ++summed;
        }
        p.seconds = elapsed();
        record.rounds = round;
        record.chorales += p.chorales;
        record.generated += p.generated;
        if (round == 1) record.first = p;
        record.last = p;
        if (callback && !callback(p)) throw Cancelled();
        if (options.time_limit_seconds > 0 && p.seconds >= options.time_limit_seconds) break;
    }
    if (summed > 0)
        for (int v = 0; v < kNumVoices; ++v) {
            if (!tables[static_cast<std::size_t>(v)]) continue;
            auto& table = *tables[static_cast<std::size_t>(v)];
            for (std::size_t e = 0; e < table.size(); ++e)
                table[e] = static_cast<float>(sum[static_cast<std::size_t>(v)][e] / summed);
        }
    // The model's record holds its validation figures: those of the tables it now has.
    LoadedChorales validation =
        load_chorales({options.corpus}, SplitPart::validation, model.training.seed, 0, options.threads);
    std::vector<Chorale> held;
    for (auto& c : validation.chorales) held.push_back(std::move(c.chorale));
    if (!held.empty()) {
        ModelEvaluationOptions eo;
        eo.threads = options.threads;
        eo.parallel_mass = false;
        const ModelEvaluation e = evaluate_model(model, held, eo);
        model.training.validation = e.voices;
        record.validation_nll = e.mean_nll;
    }
    record.seconds = elapsed();
    return record;
}

}  // namespace deepbach
