// deepbach evaluate: NLL and accuracy of a model per voice on chorales (the
// Eigen engine, no LibTorch needed); voice-leading statistics of chorales
// (--rules); harmonizations of Bach's sopranos compared with Bach's own
// (--harmonize); the grade of chorales against Bach's (--grade, alone or with
// --harmonize). See docs/evaluation.md.
#include "commands.hpp"
#include "grade_output.hpp"
#include "metrics.hpp"
#include "progress.hpp"

#include "eval/report.hpp"
#include "nn/evaluate.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/diagnostics.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/grade.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <system_error>

namespace deepbach::cli {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct EvaluateArgs {
    std::string model;
    std::vector<std::string> inputs;
    bool json = false;
    int threads = 0;
    bool rules = false;
    bool harmonize = false;
    bool grade = false;
    std::string reference;  ///< --grade: Bach's corpus folder (empty: the input folder)
    std::string split = "all";
    std::string seed;  ///< empty: not given
    int limit = 0;     ///< 0: every chorale
    int iterations = 0;
    double temperature = 1.0;
    double voice_leading = 1.0;
    int chains = 1;
    std::string out;
    std::string report;
    // Which options were given, for the checks of run_evaluate().
    bool given_iterations = false;
    bool given_sampling = false;  ///< --temperature or --chains
};

// ------------------------------------------------------------------ inputs

// A chorale to evaluate: the name shown (file name), and its grid.
struct Input {
    std::string name;
    Chorale chorale;
};

struct Inputs {
    std::vector<Input> chorales;
    int skipped = 0;
};

void warn_skipped(const std::string& what) {
    std::cerr << "deepbach: warning: skipped: " << what << "\n";
}

std::uint64_t parse_seed(const std::string& text) {
    std::size_t used = 0;
    unsigned long long value = 0;
    try {
        if (!text.empty() && text[0] != '-') value = std::stoull(text, &used, 10);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used == 0 || used != text.size())
        throw Error("--seed " + text + ": expected a whole number (0 to 18446744073709551615)");
    return value;
}

// The chorales of the inputs. One folder is read as a corpus (in parallel;
// --split picks a part of it, with `split_seed`); files, or more than one
// folder, are read one by one. What the grid cannot hold is skipped with a
// warning. With a model, a split of another corpus than the model's is
// warned about.
Inputs load_inputs(const EvaluateArgs& a, std::uint64_t split_seed, const Model* model) {
    Inputs in;
    const bool one_folder = a.inputs.size() == 1 && fs::is_directory(a.inputs[0]);
    if (a.split != "all" && !one_folder)
        throw Error("--split " + a.split + ": give the corpus folder (one folder) as the input, not files");
    if (one_folder) {
        TerminalProgress progress("reading corpus");
        CorpusOptions options;
        options.threads = a.threads;
        Corpus corpus = load_corpus(a.inputs[0], options, progress.callback());
        progress.finish();
        // A split is over the chorales the grid holds; the others are in no part of it.
        if (a.split == "all")
            for (const auto& r : corpus.rejected) {
                ++in.skipped;
                warn_skipped(r.file + ": " + r.reason);
            }
        std::vector<int> chosen;
        if (a.split == "all") {
            for (int i = 0; i < static_cast<int>(corpus.chorales.size()); ++i) chosen.push_back(i);
        } else {
            if (model && model->training.corpus_checksum.empty())
                std::cerr << "deepbach: warning: the model records no training corpus; --split " << a.split
                          << " uses its seed " << split_seed << " on " << a.inputs[0] << "\n";
            else if (model && model->training.corpus_checksum != corpus.checksum)
                std::cerr << "deepbach: warning: " << a.inputs[0]
                          << " is not the corpus the model was trained on (checksum "
                          << corpus.checksum.substr(0, 16) << ", the model's "
                          << model->training.corpus_checksum.substr(0, 16) << "): --split " << a.split
                          << " does not give the model's " << a.split << " chorales\n";
            const Split split = split_chorales(static_cast<int>(corpus.chorales.size()), split_seed);
            chosen = a.split == "train" ? split.train : a.split == "validation" ? split.valid : split.test;
        }
        for (int i : chosen) {
            const auto ui = static_cast<std::size_t>(i);
            in.chorales.push_back({corpus.files[ui], std::move(corpus.chorales[ui])});
        }
    } else {
        const std::vector<fs::path> files = score_files({a.inputs.begin(), a.inputs.end()});
        TerminalProgress progress("reading chorales");
        auto cb = progress.callback();
        for (std::size_t i = 0; i < files.size(); ++i) {
            cb(i, files.size(), files[i].filename().string());
            try {
                in.chorales.push_back({files[i].filename().string(), to_chorale(read_score(files[i]))});
            } catch (const Cancelled&) {
                throw;
            } catch (const Error& e) {
                ++in.skipped;
                progress.finish();
                warn_skipped(e.what());
            }
        }
    }
    if (a.limit > 0 && in.chorales.size() > static_cast<std::size_t>(a.limit))
        in.chorales.resize(static_cast<std::size_t>(a.limit));
    return in;
}

// ------------------------------------------------------- parallel mass

nlohmann::json mass_json(const ParallelMass& m) {
    nlohmann::json j{{"mean_mass", m.mean_mass()},
                     {"written_rate", m.written_rate()},
                     {"voices", nlohmann::json::array()}};
    for (int v = 0; v < kNumVoices; ++v) {
        const auto vi = static_cast<std::size_t>(v);
        j["voices"].push_back(
            {{"voice", voice_name(v)},
             {"cells", m.cells[vi]},
             {"exposed", m.exposed[vi]},
             {"mass", m.exposed[vi] ? m.mass[vi] / static_cast<double>(m.exposed[vi]) : 0.0},
             {"written_rate", m.exposed[vi]
                                  ? static_cast<double>(m.written[vi]) / static_cast<double>(m.exposed[vi])
                                  : 0.0}});
    }
    return j;
}

void print_mass(const std::string& where, const ParallelMass& m) {
    fmt::print("parallel mass at {}: alto+tenor+bass {:.4f} (tokens written there: {:.4f}); per voice", where,
               m.mean_mass(), m.written_rate());
    for (int v = 0; v < kNumVoices; ++v) fmt::print(" {:.4f}", m.mean_mass(v, v));
    fmt::print("\n");
}

// ------------------------------------------------------------- NLL, accuracy

int run_nll(const EvaluateArgs& a) {
    const Model model = Model::load(a.model);
    Inputs in = load_inputs(a, model.training.seed, &model);
    int skipped = in.skipped;
    std::vector<nn::EncodedChorale> chorales;
    for (const auto& c : in.chorales) {
        try {
            chorales.push_back(nn::encode_chorale(c.chorale, model.vocabularies));
        } catch (const Error& e) {
            ++skipped;
            warn_skipped(e.what());
        }
    }
    if (chorales.empty()) throw Error("no chorale to evaluate");
    const nn::InferenceEngine engine(model, a.threads);
    TerminalProgress line("evaluating");
    const auto metrics = nn::evaluate(engine, model, chorales, line.callback());
    line.finish();
    std::vector<Chorale> grids;
    for (const auto& c : in.chorales) grids.push_back(c.chorale);
    ParallelMass mass;
    for (const auto& g : grids) {
        try {
            mass.add(parallel_mass(model, {g}, a.threads));
        } catch (const Error&) {
            // Skipped above with a warning (a token outside the vocabulary).
        }
    }
    double mean = 0, onset_mean = 0;
    for (const auto& m : metrics) {
        mean += m.nll / kNumVoices;
        onset_mean += m.onset_nll / kNumVoices;
    }
    if (a.json) {
        nlohmann::json out{{"model", a.model},
                           {"mode", to_string(model.config.mode)},
                           {"chorales", chorales.size()},
                           {"skipped", skipped},
                           {"mean_nll", mean},
                           {"mean_onset_nll", onset_mean},
                           {"voices", nlohmann::json::array()}};
        if (a.split != "all") {
            out["split"] = a.split;
            out["split_seed"] = model.training.seed;
        }
        for (int v = 0; v < kNumVoices; ++v)
            out["voices"].push_back(metrics_json(v, metrics[static_cast<size_t>(v)]));
        out["parallel_mass"] = mass_json(mass);
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("model:    {} ({} mode)\n", a.model, to_string(model.config.mode));
    fmt::print(
        "chorales: {} ({} skipped){}\n", chorales.size(), skipped,
        a.split == "all" ? std::string() : fmt::format(", split {} (seed {})", a.split, model.training.seed));
    for (int v = 0; v < kNumVoices; ++v)
        fmt::print("{:<8}  {}\n", voice_name(v), format_metrics(metrics[static_cast<size_t>(v)]));
    fmt::print("mean nll: {:.4f} (onsets {:.4f})\n", mean, onset_mean);
    print_mass("these chorales' contexts", mass);
    return 0;
}

// -------------------------------------------------------- statistics output

Json stats_json(const VoiceLeadingStats& s) {
    Json j{{"events", s.events}, {"notes", s.notes}, {"parallels", s.parallels()}};
    for (const auto& rc : rule_counts(s)) j[rc.key] = rc.count;
    j["voice_crossings_by_pair"] = {{"soprano_alto", s.crossings_by_pair[0]},
                                    {"alto_tenor", s.crossings_by_pair[1]},
                                    {"tenor_bass", s.crossings_by_pair[2]}};
    j["spacing_by_pair"] = {{"soprano_alto", s.spacing_by_pair[0]}, {"alto_tenor", s.spacing_by_pair[1]}};
    j["out_of_range_by_voice"] = {{"soprano", s.out_of_range_by_voice[0]},
                                  {"alto", s.out_of_range_by_voice[1]},
                                  {"tenor", s.out_of_range_by_voice[2]},
                                  {"bass", s.out_of_range_by_voice[3]}};
    return j;
}

Json summary_json(const VoiceLeadingSummary& s) {
    Json mean{{"events", s.per_chorale(s.total.events)},
              {"notes", s.per_chorale(s.total.notes)},
              {"parallels", s.per_chorale(s.total.parallels())}};
    Json rate{{"parallels", s.per_100_events(s.total.parallels())}};
    for (const auto& rc : rule_counts(s.total)) {
        mean[rc.key] = s.per_chorale(rc.count);
        rate[rc.key] = s.per_100_events(rc.count);
    }
    return {{"chorales", s.chorales},
            {"totals", stats_json(s.total)},
            {"mean_per_chorale", mean},
            {"per_100_events", rate}};
}

Json ranges_json(const VoiceLeadingOptions& o) {
    Json j = Json::object();
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& r = o.ranges[static_cast<std::size_t>(v)];
        std::string name = voice_name(v);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        j[name] = {r.lowest, r.highest};
    }
    return j;
}

Json agreement_json(const Agreement& a) {
    Json j{{"ticks", a.ticks}};
    for (int v = kAlto; v <= kBass; ++v) {
        std::string name = voice_name(v);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        j[name] = {{"pitch", a.pitch(v)}, {"pitch_class", a.pitch_class(v)}};
    }
    j["lower_voices"] = {{"pitch", a.lower_pitch()}, {"pitch_class", a.lower_pitch_class()}};
    return j;
}

Json ratio_json(const std::optional<double>& r) {
    return r ? Json(*r) : Json(nullptr);
}

std::string split_text(const EvaluateArgs& a, std::uint64_t split_seed) {
    return a.split == "all" ? std::string("all") : fmt::format("{} (seed {})", a.split, split_seed);
}

std::string inputs_text(const EvaluateArgs& a) {
    std::string out;
    for (const auto& i : a.inputs) out += (out.empty() ? "" : " ") + i;
    return out;
}

void print_report_paths(const std::vector<fs::path>& written, bool json) {
    if (json || written.empty()) return;
    fmt::print("report: {} ({} files)\n", written.back().string(), written.size());
}

// -------------------------------------------------------------------- rules

int run_rules(const EvaluateArgs& a) {
    std::optional<Model> model;
    if (!a.model.empty()) model = Model::load(a.model);
    const std::uint64_t split_seed = !a.seed.empty() ? parse_seed(a.seed) : model ? model->training.seed : 1;
    const Inputs in = load_inputs(a, split_seed, model ? &*model : nullptr);
    if (in.chorales.empty()) throw Error("no chorale to evaluate");
    const VoiceLeadingOptions options;
    std::vector<VoiceLeadingStats> stats;
    for (const auto& c : in.chorales) stats.push_back(voice_leading_stats(c.chorale, options));
    const VoiceLeadingSummary summary = summarize(stats);
    const double headline = summary.per_chorale(summary.total.parallels());

    std::vector<fs::path> written;
    if (!a.report.empty()) {
        eval::Report report;
        report.title = "Voice-leading statistics";
        report.settings = {{"command", "deepbach evaluate --rules " + inputs_text(a)},
                           {"split", split_text(a, split_seed)}};
        if (a.limit > 0) report.settings.push_back({"limit", std::to_string(a.limit)});
        if (in.skipped)
            report.settings.push_back({"skipped (the grid cannot hold them)", std::to_string(in.skipped)});
        for (const auto& c : in.chorales) report.chorales.push_back(c.name);
        report.sets = {{"Bach", stats}};
        report.options = options;
        written = eval::write_report(a.report, report);
    }

    if (a.json) {
        Json out{{"mode", "rules"}, {"inputs", a.inputs}, {"split", a.split}};
        if (a.split != "all") out["split_seed"] = split_seed;
        out["ranges"] = ranges_json(options);
        out["chorales"] = in.chorales.size();
        out["skipped"] = in.skipped;
        out["parallels_per_chorale"] = headline;
        out["summary"] = summary_json(summary);
        out["results"] = Json::array();
        for (std::size_t i = 0; i < in.chorales.size(); ++i)
            out["results"].push_back({{"file", in.chorales[i].name},
                                      {"title", in.chorales[i].chorale.title},
                                      {"stats", stats_json(stats[i])}});
        if (!written.empty()) out["report"] = written.back().string();
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("chorales: {} ({} skipped), split {}\n", in.chorales.size(), in.skipped,
               split_text(a, split_seed));
    fmt::print("{:<18} {:>9} {:>12} {:>15}\n", "statistic", "total", "per chorale", "per 100 events");
    fmt::print("{:<18} {:>9} {:>12.2f}\n", "chord events", summary.total.events,
               summary.per_chorale(summary.total.events));
    fmt::print("{:<18} {:>9} {:>12.2f}\n", "notes", summary.total.notes,
               summary.per_chorale(summary.total.notes));
    for (const auto& rc : rule_counts(summary.total))
        fmt::print("{:<18} {:>9} {:>12.2f} {:>15.2f}\n", rc.label, rc.count, summary.per_chorale(rc.count),
                   summary.per_100_events(rc.count));
    fmt::print("parallel fifths + octaves per chorale: {:.2f}\n", headline);
    print_report_paths(written, a.json);
    return 0;
}

// -------------------------------------------------------------------- grade

// The folder whose training split is Bach's reference for --grade:
// --reference, else the input when it is one folder.
std::string grade_reference_folder(const EvaluateArgs& a) {
    if (!a.reference.empty()) return a.reference;
    if (a.inputs.size() == 1 && fs::is_directory(a.inputs[0])) return a.inputs[0];
    throw Error(
        "--grade: give --reference DIR (a corpus folder: its training split is Bach's reference) when the "
        "input is not one corpus folder");
}

// Warns when the graded chorales may be in the reference: the input is the
// reference folder and the split is all or train.
void warn_reference_overlap(const EvaluateArgs& a, const std::string& folder) {
    if (a.inputs.size() != 1 || !fs::is_directory(a.inputs[0])) return;
    std::error_code ec;
    if (!fs::equivalent(a.inputs[0], folder, ec) || ec) return;
    if (a.split == "validation" || a.split == "test") return;
    std::cerr << "deepbach: warning: --split " << a.split << " of " << folder
              << " grades chorales of the reference (its training split) against themselves; --split "
                 "validation grades held-out ones\n";
}

int run_grade(const EvaluateArgs& a) {
    std::optional<Model> model;
    if (!a.model.empty()) model = Model::load(a.model);
    const std::uint64_t split_seed = model ? model->training.seed : !a.seed.empty() ? parse_seed(a.seed) : 1;
    const std::string folder = grade_reference_folder(a);
    const Inputs in = load_inputs(a, split_seed, model ? &*model : nullptr);
    if (in.chorales.empty()) throw Error("no chorale to grade");
    warn_reference_overlap(a, folder);
    const LoadedGradeReference ref = load_grade_reference(folder, split_seed, a.threads);
    std::vector<ChoraleGrade> grades;
    for (const auto& c : in.chorales) grades.push_back(grade(c.chorale, ref.reference));
    const GradeSummary summary = summarize_grades(grades);

    if (a.json) {
        Json out{{"mode", "grade"}, {"inputs", a.inputs}, {"split", a.split}};
        if (a.split != "all") out["split_seed"] = split_seed;
        out["reference"] = grade_reference_json(ref);
        out["chorales"] = in.chorales.size();
        out["skipped"] = in.skipped;
        out["features"] = Json::array();
        for (int f = 0; f < kGradeFeatures; ++f) out["features"].push_back(grade_feature_key(f));
        out["median_grade"] = summary.median_total;
        out["summary"] = grade_summary_json(summary);
        out["results"] = Json::array();
        for (std::size_t i = 0; i < in.chorales.size(); ++i) {
            Json j{{"file", in.chorales[i].name}, {"title", in.chorales[i].chorale.title}};
            const Json g = grade_json(grades[i]);
            for (const auto& [key, value] : g.items()) j[key] = value;
            out["results"].push_back(std::move(j));
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("chorales: {} ({} skipped), split {}\n", in.chorales.size(), in.skipped,
               split_text(a, split_seed));
    fmt::print("reference: {}\n", grade_reference_text(ref));
    print_grade_table({{"", summary}});
    return 0;
}

// ---------------------------------------------------------------- harmonize

// The seed of one chorale's harmonization: --seed and the file name mixed
// (FNV-1a of the name, then splitmix64), so that a chorale gets the same
// seed whatever --split and --limit select.
std::uint64_t chorale_seed(std::uint64_t seed, const std::string& name) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    std::uint64_t z = seed ^ h;
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct HarmonizeResult {
    std::string name, title, output;
    std::uint64_t seed = 0;
    int iterations = 0;
    double seconds = 0, pseudo_log_likelihood = 0;
    VoiceLeadingStats bach, generated;
    Agreement agreement;
    ParallelMass mass_bach, mass_generated;
    ChoraleGrade grade_bach, grade_generated;  ///< with --grade
};

int run_harmonize_eval(const EvaluateArgs& a) {
    const auto model = std::make_shared<const Model>(Model::load(a.model));
    const std::uint64_t split_seed = model->training.seed;
    const std::uint64_t seed = a.seed.empty() ? 1 : parse_seed(a.seed);
    const Inputs in = load_inputs(a, split_seed, model.get());
    if (in.chorales.empty()) throw Error("no chorale to evaluate");
    std::optional<LoadedGradeReference> grade_ref;
    if (a.grade) {
        const std::string folder = grade_reference_folder(a);
        warn_reference_overlap(a, folder);
        grade_ref = load_grade_reference(folder, split_seed, a.threads);
    }
    if (!a.out.empty()) {
        std::error_code ec;
        fs::create_directories(a.out, ec);
        if (ec || !fs::is_directory(a.out)) throw Error(a.out + ": cannot create the output folder");
    }
    const VoiceLeadingOptions options;
    std::vector<HarmonizeResult> results;
    int skipped = in.skipped;
    {
        TerminalProgress progress("harmonizing");
        auto cb = progress.callback();
        for (std::size_t i = 0; i < in.chorales.size(); ++i) {
            const Input& c = in.chorales[i];
            cb(i, in.chorales.size(), c.name);
            SamplingOptions so;
            so.model = model;
            so.seed = chorale_seed(seed, c.name);
            so.iterations = a.iterations;
            so.temperature = a.temperature;
            so.voice_leading = a.voice_leading;
            so.chains = a.chains;
            so.threads = a.threads;
            HarmonizeResult r;
            try {
                const Harmonization h = harmonize(to_score(c.chorale), {}, so);
                r.bach = voice_leading_stats(c.chorale, options);
                r.generated = voice_leading_stats(h.chorale, options);
                r.agreement = agreement(h.chorale, c.chorale);
                if (grade_ref) {
                    r.grade_bach = grade(c.chorale, grade_ref->reference);
                    r.grade_generated = grade(h.chorale, grade_ref->reference);
                }
                r.mass_bach = parallel_mass(*model, {c.chorale}, a.threads);
                r.mass_generated = parallel_mass(*model, {h.chorale}, a.threads);
                r.iterations = h.iterations;
                r.seconds = h.seconds;
                r.pseudo_log_likelihood = h.pseudo_log_likelihood;
                if (!a.out.empty()) {
                    const fs::path path = fs::path(a.out) / (fs::path(c.name).stem().string() + ".musicxml");
                    write_musicxml(to_score(h.chorale), path);
                    r.output = path.string();
                }
            } catch (const Cancelled&) {
                throw;
            } catch (const Error& e) {
                ++skipped;
                progress.finish();
                warn_skipped(c.name + ": " + e.what());
                continue;
            }
            r.name = c.name;
            r.title = c.chorale.title;
            r.seed = so.seed;
            results.push_back(std::move(r));
        }
        cb(in.chorales.size(), in.chorales.size(), "");
    }
    if (results.empty()) throw Error("no chorale could be harmonized");

    std::vector<VoiceLeadingStats> bach, generated;
    Agreement agree;
    std::vector<Agreement> agreements;
    ParallelMass mass_bach, mass_generated;
    for (const auto& r : results) {
        mass_bach.add(r.mass_bach);
        mass_generated.add(r.mass_generated);
        bach.push_back(r.bach);
        generated.push_back(r.generated);
        agreements.push_back(r.agreement);
        agree += r.agreement;
    }
    const VoiceLeadingSummary sb = summarize(bach), sg = summarize(generated);
    GradeSummary grade_bach, grade_generated;
    if (grade_ref) {
        std::vector<ChoraleGrade> gb, gg;
        for (const auto& r : results) {
            gb.push_back(r.grade_bach);
            gg.push_back(r.grade_generated);
        }
        grade_bach = summarize_grades(gb);
        grade_generated = summarize_grades(gg);
    }
    const double pb = sb.per_chorale(sb.total.parallels()), pg = sg.per_chorale(sg.total.parallels());
    const std::optional<double> ratio = eval::parallels_ratio(sg, sb);
    const std::string iterations_text = a.iterations == 0 ? "auto" : std::to_string(a.iterations);

    std::vector<fs::path> written;
    if (!a.report.empty()) {
        eval::Report report;
        report.title = "Harmonizations of Bach's sopranos compared with Bach";
        report.settings = {{"command", "deepbach evaluate --harmonize " + inputs_text(a)},
                           {"model", fmt::format("{} ({} mode)", a.model, to_string(model->config.mode))},
                           {"split", split_text(a, split_seed)},
                           {"seed", std::to_string(seed)},
                           {"iterations", iterations_text},
                           {"temperature", fmt::format("{:g}", a.temperature)},
                           {"voice leading", fmt::format("{:g}", a.voice_leading)},
                           {"chains", std::to_string(a.chains)}};
        if (a.limit > 0) report.settings.push_back({"limit", std::to_string(a.limit)});
        if (skipped) report.settings.push_back({"skipped", std::to_string(skipped)});
        for (const auto& r : results) report.chorales.push_back(r.name);
        report.sets = {{"Bach", bach}, {"generated", generated}};
        report.agreements = agreements;
        report.options = options;
        written = eval::write_report(a.report, report);
    }

    if (a.json) {
        Json out{{"mode", "harmonize"},
                 {"model", a.model},
                 {"model_mode", to_string(model->config.mode)},
                 {"inputs", a.inputs},
                 {"split", a.split}};
        if (a.split != "all") out["split_seed"] = split_seed;
        out["seed"] = seed;
        out["iterations"] = a.iterations;
        out["temperature"] = a.temperature;
        out["voice_leading"] = a.voice_leading;
        out["chains"] = a.chains;
        out["ranges"] = ranges_json(options);
        out["chorales"] = results.size();
        out["skipped"] = skipped;
        out["parallels_per_chorale"] = {{"generated", pg}, {"bach", pb}, {"ratio", ratio_json(ratio)}};
        out["bach"] = summary_json(sb);
        out["generated"] = summary_json(sg);
        out["agreement"] = agreement_json(agree);
        out["parallel_mass"] = {{"bach", mass_json(mass_bach)}, {"generated", mass_json(mass_generated)}};
        if (grade_ref)
            out["grade"] = {
                {"reference", grade_reference_json(*grade_ref)},
                {"median_grade",
                 {{"generated", grade_generated.median_total}, {"bach", grade_bach.median_total}}},
                {"bach", grade_summary_json(grade_bach)},
                {"generated", grade_summary_json(grade_generated)}};
        out["results"] = Json::array();
        for (const auto& r : results) {
            Json j{{"file", r.name},       {"title", r.title},
                   {"seed", r.seed},       {"iterations", r.iterations},
                   {"seconds", r.seconds}, {"pseudo_log_likelihood", r.pseudo_log_likelihood}};
            if (!r.output.empty()) j["output"] = r.output;
            j["bach"] = stats_json(r.bach);
            j["generated"] = stats_json(r.generated);
            j["agreement"] = agreement_json(r.agreement);
            if (grade_ref)
                j["grade"] = {{"bach", grade_json(r.grade_bach)},
                              {"generated", grade_json(r.grade_generated)}};
            out["results"].push_back(std::move(j));
        }
        if (!written.empty()) out["report"] = written.back().string();
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print(
        "model:    {} ({} mode), seed {}, iterations {}, temperature {:g}, voice leading {:g}, chains {}\n",
        a.model, to_string(model->config.mode), seed, iterations_text, a.temperature, a.voice_leading,
        a.chains);
    fmt::print("chorales: {} ({} skipped), split {}\n", results.size(), skipped, split_text(a, split_seed));
    fmt::print("{:<18} {:>22} {:>22}\n", "", "per chorale", "per 100 events");
    fmt::print("{:<18} {:>10} {:>11} {:>10} {:>11}\n", "statistic", "Bach", "generated", "Bach", "generated");
    fmt::print("{:<18} {:>10.2f} {:>11.2f}\n", "chord events", sb.per_chorale(sb.total.events),
               sg.per_chorale(sg.total.events));
    fmt::print("{:<18} {:>10.2f} {:>11.2f}\n", "notes", sb.per_chorale(sb.total.notes),
               sg.per_chorale(sg.total.notes));
    const auto rb = rule_counts(sb.total), rg = rule_counts(sg.total);
    for (std::size_t i = 0; i < rb.size(); ++i)
        fmt::print("{:<18} {:>10.2f} {:>11.2f} {:>10.2f} {:>11.2f}\n", rb[i].label,
                   sb.per_chorale(rb[i].count), sg.per_chorale(rg[i].count), sb.per_100_events(rb[i].count),
                   sg.per_100_events(rg[i].count));
    fmt::print("parallel fifths + octaves per chorale: generated {:.2f}, Bach {:.2f}, ratio {}\n", pg, pb,
               ratio ? fmt::format("{:.2f}", *ratio) : std::string("n/a (Bach has none)"));
    fmt::print("{:<18} {:>10} {:>17}\n", "agreement", "pitch", "pitch class");
    for (int v = kAlto; v <= kBass; ++v)
        fmt::print("{:<18} {:>9.1f}% {:>16.1f}%\n", voice_name(v), 100 * agree.pitch(v),
                   100 * agree.pitch_class(v));
    fmt::print("{:<18} {:>9.1f}% {:>16.1f}%\n", "alto+tenor+bass", 100 * agree.lower_pitch(),
               100 * agree.lower_pitch_class());
    print_mass("Bach's contexts", mass_bach);
    print_mass("the generated contexts", mass_generated);
    if (grade_ref) {
        fmt::print("grade against the {}\n", grade_reference_text(*grade_ref));
        print_grade_table({{"Bach", grade_bach}, {"generated", grade_generated}});
    }
    if (!a.out.empty()) fmt::print("wrote {} harmonizations to {}\n", results.size(), a.out);
    print_report_paths(written, a.json);
    return 0;
}

// ----------------------------------------------------------------- dispatch

int run_evaluate(const EvaluateArgs& a) {
    if (a.rules && a.harmonize) throw Error("--rules and --harmonize: choose one");
    if (a.rules && a.grade)
        throw Error("--rules and --grade: choose one (--grade goes alone or with --harmonize)");
    if (a.harmonize && a.model.empty()) throw Error("--harmonize needs --model (the model that harmonizes)");
    if (!a.grade && !a.reference.empty()) throw Error("--reference goes with --grade");
    if (a.grade && !a.harmonize) {
        if (!a.report.empty()) throw Error("--report goes with --rules or --harmonize");
        if (!a.model.empty() && !a.seed.empty())
            throw Error("--grade with --model splits with the model's seed: --seed goes without --model");
    }
    if (!a.rules && !a.harmonize && !a.grade) {
        if (a.model.empty())
            throw Error("evaluate needs --model M (NLL and accuracy), --rules, or --harmonize with --model");
        if (!a.report.empty()) throw Error("--report goes with --rules or --harmonize");
        if (!a.seed.empty())
            throw Error(
                "--seed goes with --rules (the split's seed) or --harmonize (the sampler's); "
                "NLL evaluation splits with the model's seed");
    }
    if (!a.harmonize) {
        if (!a.out.empty()) throw Error("--out goes with --harmonize");
        if (a.given_iterations) throw Error("--iterations goes with --harmonize");
        if (a.given_sampling) throw Error("--temperature, --voice-leading and --chains go with --harmonize");
    }
    if (a.harmonize) return run_harmonize_eval(a);
    if (a.grade) return run_grade(a);
    if (a.rules) return run_rules(a);
    return run_nll(a);
}

}  // namespace

void add_evaluate_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "evaluate",
        "NLL and accuracy of a model per voice; voice-leading statistics (--rules); "
        "harmonizations of Bach's sopranos against Bach (--harmonize); the grade of chorales "
        "against Bach's (--grade)");
    auto a = std::make_shared<EvaluateArgs>();
    cmd->add_option("--model", a->model, "Model file (.safetensors)");
    cmd->add_option("FILES_OR_DIR", a->inputs, "Chorale files or folders of them")->required();
    cmd->add_flag("--rules", a->rules, "Voice-leading statistics of the chorales (no model needed)");
    cmd->add_flag("--harmonize", a->harmonize,
                  "Harmonize each chorale's soprano with --model and compare with Bach's voices");
    cmd->add_flag("--grade", a->grade,
                  "Grade the chorales (with --harmonize: Bach's and the harmonizations) against the training "
                  "split of --reference (Bach or Mock?, lower is more like Bach)");
    cmd->add_option(
           "--reference", a->reference,
           "--grade: Bach's corpus folder, whose training split is the reference (default: the input "
           "folder)")
        ->type_name("DIR");
    cmd->add_option("--split", a->split,
                    "Part of a corpus folder: the model's split, or --seed's for --rules")
        ->check(CLI::IsMember({"train", "validation", "test", "all"}))
        ->capture_default_str();
    cmd->add_option("--seed", a->seed,
                    "--rules, --grade: seed of the split (default: the model's, else 1); --harmonize: "
                    "sampling seed (default 1)")
        ->type_name("S");
    cmd->add_option("--limit", a->limit, "At most N chorales (the first, in file order; 0: all)")
        ->check(CLI::NonNegativeNumber)
        ->type_name("N");
    cmd->add_option("--iterations", a->iterations, "--harmonize: sampler iterations (0: automatic)")
        ->check(CLI::NonNegativeNumber)
        ->type_name("N");
    cmd->add_option("--temperature", a->temperature,
                    "--harmonize: sampling temperature reached by the annealing")
        ->check(CLI::Range(0.01, 10.0))
        ->capture_default_str();
    cmd->add_option("--voice-leading", a->voice_leading,
                    "--harmonize: strength of the sampler's voice-leading guide (0: the model alone)")
        ->check(CLI::Range(0.0, 100.0))
        ->capture_default_str();
    cmd->add_option("--chains", a->chains, "--harmonize: chains per chorale (the best is kept)")
        ->check(CLI::Range(1, 64))
        ->capture_default_str();
    cmd->add_option("--out", a->out, "--harmonize: write each harmonization to OUTDIR/NAME.musicxml")
        ->type_name("OUTDIR");
    cmd->add_option("--report", a->report, "--rules, --harmonize: write DIR/report.md and SVG charts")
        ->type_name("DIR");
    cmd->add_flag("--json", a->json, "Print one JSON object");
    cmd->add_option("--threads", a->threads, "Threads (0: all cores)")->capture_default_str();
    cmd->callback([&action, a, cmd] {
        a->given_iterations = cmd->count("--iterations") > 0;
        a->given_sampling =
            cmd->count("--temperature") + cmd->count("--chains") + cmd->count("--voice-leading") > 0;
        action = [a] { return run_evaluate(*a); };
    });
}

}  // namespace deepbach::cli
