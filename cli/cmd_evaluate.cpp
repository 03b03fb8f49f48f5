// deepbach evaluate: NLL and accuracy of a model per voice on chorales (the
// Eigen engine, no LibTorch needed); voice-leading statistics of chorales
// (--rules); harmonizations of Bach's sopranos compared with Bach's own
// (--harmonize); the grade of chorales against Bach's (--grade, alone or with
// --harmonize). See docs/evaluation.md.
#include "commands.hpp"
#include "grade_output.hpp"
#include "metrics.hpp"
#include "progress.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/diagnostics.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/grade.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>
#include <deepbach/options.hpp>
#include <deepbach/report.hpp>

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
    int threads = SamplingOptions{}.threads;
    bool rules = false;
    bool faults = false;  ///< --rules: list each fault where it is
    bool harmonize = false;
    bool grade = false;
    std::string reference;  ///< --grade: Bach's corpus folder (empty: the input folder)
    std::string split = "all";
    std::string seed;  ///< empty: not given
    int limit = 0;     ///< 0: every chorale
    // The sampler's defaults and limits are the library's (SamplingOptions, validate()).
    int iterations = SamplingOptions{}.iterations;
    int sweeps = SamplingOptions{}.sweeps;
    int positions = SamplingOptions{}.positions;
    double temperature = SamplingOptions{}.temperature;
    double voice_leading = SamplingOptions{}.voice_leading;
    int chains = SamplingOptions{}.chains;
    std::string out;
    std::string report;
    // Which options were given, for the checks of run_evaluate().
    bool given_iterations = false;
    bool given_sampling = false;  ///< --temperature or --chains
};

// ------------------------------------------------------------------ inputs

void warn_skipped(const std::string& what) {
    std::cerr << "deepbach: warning: skipped: " << what << "\n";
}

std::uint64_t seed_of(const EvaluateArgs& a) {
    return parse_seed("seed", a.seed);
}

// The chorales of the inputs (deepbach::load_chorales), with a warning for
// each one skipped and for a split of another corpus than the model's.
LoadedChorales load_inputs(const EvaluateArgs& a, std::uint64_t split_seed, const Model* model) {
    const SplitPart part = parse_split_part(a.split);
    LoadedChorales in;
    {
        TerminalProgress progress("reading chorales");
        in = load_chorales({a.inputs.begin(), a.inputs.end()}, part, split_seed, a.limit, a.threads,
                           progress.callback());
    }
    for (const auto& skipped : in.skipped) warn_skipped(skipped.second);  // the reason names the file
    if (part != SplitPart::all && model) {
        if (model->training.corpus_checksum.empty())
            std::cerr << "deepbach: warning: the model records no training corpus; --split " << a.split
                      << " uses its seed " << split_seed << " on " << a.inputs[0] << "\n";
        else if (model->training.corpus_checksum != in.corpus_checksum)
            std::cerr << "deepbach: warning: " << a.inputs[0]
                      << " is not the corpus the model was trained on (checksum "
                      << in.corpus_checksum.substr(0, 16) << ", the model's "
                      << model->training.corpus_checksum.substr(0, 16) << "): --split " << a.split
                      << " does not give the model's " << a.split << " chorales\n";
    }
    return in;
}

Json json_of(const std::string& text) {
    return Json::parse(text);
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
    const LoadedChorales in = load_inputs(a, model.training.seed, &model);
    std::vector<Chorale> grids;
    for (const auto& c : in.chorales) {
        grids.push_back(c.chorale);
        grids.back().source = c.name;
    }
    ModelEvaluationOptions options;
    options.threads = a.threads;
    TerminalProgress line("evaluating");
    options.progress = line.callback();
    const ModelEvaluation e = evaluate_model(model, grids, options);
    line.finish();
    for (const auto& [name, why] : e.skipped) warn_skipped(name + ": " + why);
    const std::size_t skipped = in.skipped.size() + e.skipped.size();
    if (a.json) {
        Json out{{"model", a.model}, {"mode", to_string(model.config.mode)}};
        if (a.split != "all") {
            out["split"] = a.split;
            out["split_seed"] = model.training.seed;
        }
        const Json figures = json_of(to_json(e));
        for (const auto& [key, value] : figures.items()) out[key] = value;
        out["skipped"] = skipped;
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("model:    {} ({} mode)\n", a.model, to_string(model.config.mode));
    fmt::print(
        "chorales: {} ({} skipped){}\n", e.chorales, skipped,
        a.split == "all" ? std::string() : fmt::format(", split {} (seed {})", a.split, model.training.seed));
    for (int v = 0; v < kNumVoices; ++v)
        fmt::print("{:<8}  {}\n", voice_name(v), format_metrics(e.voices[static_cast<size_t>(v)]));
    fmt::print("mean nll: {:.4f} (onsets {:.4f})\n", e.mean_nll, e.mean_onset_nll);
    print_mass("these chorales' contexts", e.parallel_mass);
    return 0;
}

// -------------------------------------------------------- statistics output

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
    const std::uint64_t split_seed = !a.seed.empty() ? seed_of(a)
                                     : model         ? model->training.seed
                                                     : defaults::kSeed;
    const LoadedChorales in = load_inputs(a, split_seed, model ? &*model : nullptr);
    if (in.chorales.empty()) throw Error("no chorale to evaluate");
    const VoiceLeadingOptions options;
    std::vector<VoiceLeadingStats> stats;
    std::vector<std::vector<VoiceLeadingFault>> faults;
    for (const auto& c : in.chorales) {
        stats.push_back(voice_leading_stats(c.chorale, options));
        if (a.faults) faults.push_back(voice_leading_faults(c.chorale, options));
    }
    const VoiceLeadingSummary summary = summarize(stats);
    const double headline = summary.per_chorale(summary.total.parallels());

    std::vector<fs::path> written;
    if (!a.report.empty()) {
        EvaluationReport report;
        report.title = "Voice-leading statistics";
        report.settings = {{"command", "deepbach evaluate --rules " + inputs_text(a)},
                           {"split", split_text(a, split_seed)}};
        if (a.limit > 0) report.settings.push_back({"limit", std::to_string(a.limit)});
        if (!in.skipped.empty())
            report.settings.push_back(
                {"skipped (the grid cannot hold them)", std::to_string(in.skipped.size())});
        for (const auto& c : in.chorales) report.chorales.push_back(c.name);
        report.sets = {{"Bach", stats}};
        report.options = options;
        written = write_report(a.report, report);
    }

    if (a.json) {
        Json out{{"mode", "rules"}, {"inputs", a.inputs}, {"split", a.split}};
        if (a.split != "all") out["split_seed"] = split_seed;
        out["ranges"] = json_of(to_json(options));
        out["chorales"] = in.chorales.size();
        out["skipped"] = in.skipped.size();
        out["parallels_per_chorale"] = headline;
        out["summary"] = json_of(to_json(summary));
        out["results"] = Json::array();
        for (std::size_t i = 0; i < in.chorales.size(); ++i) {
            Json r{{"file", in.chorales[i].name},
                   {"title", in.chorales[i].chorale.title},
                   {"stats", json_of(to_json(stats[i]))}};
            if (a.faults) {
                r["faults"] = Json::array();
                for (const auto& f : faults[i])
                    r["faults"].push_back(json_of(to_json(f, in.chorales[i].chorale)));
            }
            out["results"].push_back(std::move(r));
        }
        if (!written.empty()) out["report"] = written.back().string();
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    if (a.faults)
        for (std::size_t i = 0; i < in.chorales.size(); ++i)
            for (const auto& f : faults[i])
                fmt::print("{}: {}: {}\n", in.chorales[i].name, in.chorales[i].chorale.position_at(f.tick),
                           f.text);
    fmt::print("chorales: {} ({} skipped), split {}\n", in.chorales.size(), in.skipped.size(),
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

LoadedGradeReference grade_reference_of(const EvaluateArgs& a, std::uint64_t split_seed) {
    const std::string folder = grade_reference_folder(a);
    warn_reference_overlap(a, folder);
    TerminalProgress progress("reading the reference corpus");
    return load_grade_reference(folder, split_seed, a.threads, progress.callback());
}

int run_grade(const EvaluateArgs& a) {
    std::optional<Model> model;
    if (!a.model.empty()) model = Model::load(a.model);
    const std::uint64_t split_seed = model             ? model->training.seed
                                     : !a.seed.empty() ? seed_of(a)
                                                       : defaults::kSeed;
    grade_reference_folder(a);  // the error before reading anything
    const LoadedChorales in = load_inputs(a, split_seed, model ? &*model : nullptr);
    if (in.chorales.empty()) throw Error("no chorale to grade");
    const LoadedGradeReference ref = grade_reference_of(a, split_seed);
    std::vector<ChoraleGrade> grades;
    for (const auto& c : in.chorales) grades.push_back(grade(c.chorale, ref.reference));
    const GradeSummary summary = summarize_grades(grades);

    if (a.json) {
        Json out{{"mode", "grade"}, {"inputs", a.inputs}, {"split", a.split}};
        if (a.split != "all") out["split_seed"] = split_seed;
        out["reference"] = json_of(to_json(ref));
        out["chorales"] = in.chorales.size();
        out["skipped"] = in.skipped.size();
        out["features"] = Json::array();
        for (int f = 0; f < kGradeFeatures; ++f) out["features"].push_back(grade_feature_key(f));
        out["median_grade"] = summary.median_total;
        out["summary"] = json_of(to_json(summary));
        out["results"] = Json::array();
        for (std::size_t i = 0; i < in.chorales.size(); ++i) {
            Json j{{"file", in.chorales[i].name}, {"title", in.chorales[i].chorale.title}};
            const Json g = json_of(to_json(grades[i]));
            for (const auto& [key, value] : g.items()) j[key] = value;
            out["results"].push_back(std::move(j));
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("chorales: {} ({} skipped), split {}\n", in.chorales.size(), in.skipped.size(),
               split_text(a, split_seed));
    fmt::print("reference: {}\n", ref.text());
    print_grade_table({{"", summary}});
    return 0;
}

// ---------------------------------------------------------------- harmonize

int run_harmonize_eval(const EvaluateArgs& a) {
    const auto model = std::make_shared<const Model>(Model::load(a.model));
    const std::uint64_t split_seed = model->training.seed;
    const std::uint64_t seed = a.seed.empty() ? defaults::kSeed : seed_of(a);
    HarmonizationEvaluationOptions options;
    options.sampling.model = model;
    options.sampling.seed = seed;
    options.sampling.iterations = a.iterations;
    options.sampling.sweeps = a.sweeps;
    options.sampling.positions = a.positions;
    options.sampling.temperature = a.temperature;
    options.sampling.voice_leading = a.voice_leading;
    options.sampling.chains = a.chains;
    options.sampling.threads = a.threads;
    validate(options.sampling);              // before reading anything
    if (a.grade) grade_reference_folder(a);  // the error before reading anything
    const LoadedChorales in = load_inputs(a, split_seed, model.get());
    if (in.chorales.empty()) throw Error("no chorale to evaluate");
    std::optional<LoadedGradeReference> grade_ref;
    if (a.grade) grade_ref = grade_reference_of(a, split_seed);

    options.grade = grade_ref ? &grade_ref->reference : nullptr;
    options.out_dir = a.out;
    HarmonizationEvaluation e;
    {
        TerminalProgress progress("harmonizing");
        options.progress = progress.callback();
        e = evaluate_harmonizations(in.chorales, options);
    }
    for (const auto& [name, why] : e.skipped) warn_skipped(name + ": " + why);
    const std::size_t skipped = in.skipped.size() + e.skipped.size();
    const VoiceLeadingSummary &sb = e.bach, &sg = e.generated;
    const double pb = sb.per_chorale(sb.total.parallels()), pg = sg.per_chorale(sg.total.parallels());
    const std::string iterations_text = a.iterations == 0 ? "auto" : std::to_string(a.iterations);
    const std::string sweeps_text =
        a.iterations > 0 ? "-" : std::to_string(a.sweeps > 0 ? a.sweeps : defaults::kSweeps);

    std::vector<fs::path> written;
    if (!a.report.empty()) {
        EvaluationReport report;
        report.title = "Harmonizations of Bach's sopranos compared with Bach";
        report.settings = {{"command", "deepbach evaluate --harmonize " + inputs_text(a)},
                           {"model", fmt::format("{} ({} mode)", a.model, to_string(model->config.mode))},
                           {"split", split_text(a, split_seed)},
                           {"seed", std::to_string(seed)},
                           {"sweeps", sweeps_text},
                           {"iterations", iterations_text},
                           {"temperature", fmt::format("{:g}", a.temperature)},
                           {"voice leading", fmt::format("{:g}", a.voice_leading)},
                           {"chains", std::to_string(a.chains)}};
        if (a.limit > 0) report.settings.push_back({"limit", std::to_string(a.limit)});
        if (skipped) report.settings.push_back({"skipped", std::to_string(skipped)});
        std::vector<VoiceLeadingStats> bach, generated;
        for (const auto& r : e.results) {
            report.chorales.push_back(r.name);
            bach.push_back(r.bach);
            generated.push_back(r.generated);
            report.agreements.push_back(r.agreement);
        }
        report.sets = {{"Bach", bach}, {"generated", generated}};
        report.options = options.rules;
        written = write_report(a.report, report);
    }

    if (a.json) {
        Json out{{"mode", "harmonize"},
                 {"model", a.model},
                 {"model_mode", to_string(model->config.mode)},
                 {"inputs", a.inputs},
                 {"split", a.split}};
        if (a.split != "all") out["split_seed"] = split_seed;
        out["seed"] = seed;
        out["sweeps"] = a.iterations > 0 ? 0 : (a.sweeps > 0 ? a.sweeps : defaults::kSweeps);
        out["iterations"] = a.iterations;
        out["positions"] = a.positions;
        out["temperature"] = a.temperature;
        out["voice_leading"] = a.voice_leading;
        out["chains"] = a.chains;
        out["ranges"] = json_of(to_json(options.rules));
        const Json figures = json_of(to_json(e));
        for (const auto& [key, value] : figures.items()) out[key] = value;
        out["skipped"] = skipped;
        if (grade_ref) out["grade"]["reference"] = json_of(to_json(*grade_ref));
        if (!written.empty()) out["report"] = written.back().string();
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print(
        "model:    {} ({} mode), seed {}, sweeps {}, iterations {}, temperature {:g}, voice leading {:g}, "
        "chains {}\n",
        a.model, to_string(model->config.mode), seed, sweeps_text, iterations_text, a.temperature,
        a.voice_leading, a.chains);
    fmt::print("chorales: {} ({} skipped), split {}\n", e.results.size(), skipped, split_text(a, split_seed));
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
    fmt::print(
        "parallel fifths + octaves per chorale: generated {:.2f}, Bach {:.2f}, ratio {}\n", pg, pb,
        e.parallels_ratio ? fmt::format("{:.2f}", *e.parallels_ratio) : std::string("n/a (Bach has none)"));
    fmt::print("{:<18} {:>10} {:>17}\n", "agreement", "pitch", "pitch class");
    for (int v = kAlto; v <= kBass; ++v)
        fmt::print("{:<18} {:>9.1f}% {:>16.1f}%\n", voice_name(v), 100 * e.agreement.pitch(v),
                   100 * e.agreement.pitch_class(v));
    fmt::print("{:<18} {:>9.1f}% {:>16.1f}%\n", "alto+tenor+bass", 100 * e.agreement.lower_pitch(),
               100 * e.agreement.lower_pitch_class());
    print_mass("Bach's contexts", e.mass_bach);
    print_mass("the generated contexts", e.mass_generated);
    if (grade_ref) {
        fmt::print("grade against the {}\n", grade_ref->text());
        print_grade_table({{"Bach", e.grade_bach}, {"generated", e.grade_generated}});
    }
    if (!a.out.empty()) fmt::print("wrote {} harmonizations to {}\n", e.results.size(), a.out);
    print_report_paths(written, a.json);
    return 0;
}

// ----------------------------------------------------------------- dispatch

int run_evaluate(EvaluateArgs a) {
    a.split = to_string(parse_split_part(a.split));  // "valid", "Validation": "validation"
    if (a.rules && a.harmonize) throw Error("--rules and --harmonize: choose one");
    if (a.rules && a.grade)
        throw Error("--rules and --grade: choose one (--grade goes alone or with --harmonize)");
    if (a.harmonize && a.model.empty()) throw Error("--harmonize needs --model (the model that harmonizes)");
    if (!a.grade && !a.reference.empty()) throw Error("--reference goes with --grade");
    if (a.faults && !a.rules) throw Error("--faults goes with --rules");
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
        if (a.given_iterations) throw Error("--iterations, --sweeps and --positions go with --harmonize");
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
    cmd->add_flag("--faults", a->faults,
                  "--rules: also list every fault with its bar, beat, voices and notes (JSON: per chorale)");
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
        ->capture_default_str();
    cmd->add_option("--seed", a->seed,
                    "--rules, --grade: seed of the split (default: the model's, else 1); --harmonize: "
                    "sampling seed (default 1)")
        ->type_name("S");
    cmd->add_option("--limit", a->limit, "At most N chorales (the first, in file order; 0: all)")
        ->type_name("N");
    cmd->add_option("--sweeps", a->sweeps,
                    "--harmonize: redraws of every free cell (0: the default, as deepbach harmonize)")
        ->type_name("N");
    cmd->add_option("--iterations", a->iterations, "--harmonize: passes of each voice instead of --sweeps")
        ->type_name("N");
    cmd->add_option("--positions", a->positions,
                    "--harmonize: cells redrawn per voice and pass, at most (0: the default)")
        ->type_name("N");
    cmd->add_option("--temperature", a->temperature,
                    "--harmonize: sampling temperature reached by the annealing")
        ->capture_default_str();
    cmd->add_option("--voice-leading", a->voice_leading,
                    "--harmonize: strength of the sampler's voice-leading guide (0: the model alone)")
        ->capture_default_str();
    cmd->add_option("--chains", a->chains, "--harmonize: chains per chorale (the best is kept)")
        ->capture_default_str();
    cmd->add_option("--out", a->out, "--harmonize: write each harmonization to OUTDIR/NAME.musicxml")
        ->type_name("OUTDIR");
    cmd->add_option("--report", a->report, "--rules, --harmonize: write DIR/report.md and SVG charts")
        ->type_name("DIR");
    cmd->add_flag("--json", a->json, "Print one JSON object");
    cmd->add_option("--threads", a->threads, "Threads (0: all cores)")->capture_default_str();
    cmd->callback([&action, a, cmd] {
        a->given_iterations =
            cmd->count("--iterations") + cmd->count("--sweeps") + cmd->count("--positions") > 0;
        a->given_sampling =
            cmd->count("--temperature") + cmd->count("--chains") + cmd->count("--voice-leading") > 0;
        action = [a] { return run_evaluate(*a); };
    });
}

}  // namespace deepbach::cli
