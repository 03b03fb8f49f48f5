// Reading the chorales of a split, Bach's reference for the grade, and
// harmonizing Bach's sopranos against his voices (deepbach/report.hpp).
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/report.hpp>
#include <deepbach/score.hpp>

#include "util/rng.hpp"
#include "util/text.hpp"

#include <fmt/format.h>

#include <system_error>

namespace deepbach {

namespace fs = std::filesystem;

const char* to_string(SplitPart part) {
    switch (part) {
        case SplitPart::train:
            return "train";
        case SplitPart::validation:
            return "validation";
        case SplitPart::test:
            return "test";
        case SplitPart::all:
            break;
    }
    return "all";
}

SplitPart parse_split_part(std::string_view text) {
    const std::string t = text::lower(text::trim(text));
    if (t == "all") return SplitPart::all;
    if (t == "train") return SplitPart::train;
    if (t == "validation" || t == "valid") return SplitPart::validation;
    if (t == "test") return SplitPart::test;
    throw Error("split '" + text::shown(std::string(text)) + "': expected train, validation, test or all");
}

namespace {

// A reason that names its file ("FILE: why" unless it does already).
std::string naming(const std::string& file, const std::string& why) {
    return why.find(file) == std::string::npos ? file + ": " + why : why;
}

}  // namespace

LoadedChorales load_chorales(const std::vector<fs::path>& inputs, SplitPart part, std::uint64_t split_seed,
                             int limit, int threads, const ProgressFn& progress) {
    check_count("limit", limit, 0);
    check_count("threads", threads, 0, defaults::kMaxThreads);
    if (inputs.empty()) throw Error("no input: give chorale files or a corpus folder");
    LoadedChorales out;
    const bool one_folder = inputs.size() == 1 && fs::is_directory(inputs[0]);
    if (part != SplitPart::all && !one_folder)
        throw Error(std::string("split ") + to_string(part) +
                    ": give the corpus folder (one folder) as the input, not files");
    if (one_folder) {
        CorpusOptions options;
        options.threads = threads;
        Corpus corpus = load_corpus(inputs[0], options, progress);
        out.corpus_checksum = corpus.checksum;
        std::vector<int> chosen;
        if (part == SplitPart::all) {
            // A split is over the chorales the grid holds; the others are in no part of it.
            for (const auto& r : corpus.rejected) out.skipped.emplace_back(r.file, naming(r.file, r.reason));
            for (int i = 0; i < static_cast<int>(corpus.chorales.size()); ++i) chosen.push_back(i);
        } else {
            const Split split = split_chorales(static_cast<int>(corpus.chorales.size()), split_seed);
            chosen = part == SplitPart::train        ? split.train
                     : part == SplitPart::validation ? split.valid
                                                     : split.test;
        }
        for (int i : chosen) {
            const auto ui = static_cast<std::size_t>(i);
            out.chorales.push_back({corpus.files[ui], std::move(corpus.chorales[ui])});
        }
    } else {
        const std::vector<fs::path> files = score_files(inputs);
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (progress && !progress(i, files.size(), files[i].filename().string())) throw Cancelled();
            try {
                out.chorales.push_back({files[i].filename().string(), to_chorale(read_score(files[i]))});
            } catch (const Cancelled&) {
                throw;
            } catch (const Error& e) {
                out.skipped.emplace_back(files[i].string(), naming(files[i].filename().string(), e.what()));
            }
        }
    }
    if (limit > 0 && out.chorales.size() > static_cast<std::size_t>(limit))
        out.chorales.resize(static_cast<std::size_t>(limit));
    return out;
}

std::string LoadedGradeReference::text() const {
    return fmt::format("training split of {} (seed {}): {} chorales, {} major, {} minor", folder, seed,
                       reference.chorales, reference.chorales_in_mode[0], reference.chorales_in_mode[1]);
}

LoadedGradeReference load_grade_reference(const fs::path& folder, std::uint64_t seed, int threads,
                                          const ProgressFn& progress) {
    LoadedGradeReference out;
    out.folder = folder.string();
    out.seed = seed;
    CorpusOptions options;
    options.threads = threads;
    Corpus corpus = load_corpus(folder, options, progress);
    if (corpus.chorales.empty()) throw Error(out.folder + ": no chorale for the grade's reference");
    out.corpus_chorales = corpus.chorales.size();
    const Split split = split_chorales(static_cast<int>(corpus.chorales.size()), seed);
    std::vector<Chorale> train;
    for (int i : split.train) train.push_back(std::move(corpus.chorales[static_cast<std::size_t>(i)]));
    if (train.empty())
        throw Error(out.folder + ": the training split has no chorale for the grade's reference");
    out.reference = grade_reference(train);
    return out;
}

std::uint64_t chorale_seed(std::uint64_t seed, std::string_view name) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : name) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return detail::mix64(seed ^ h);
}

HarmonizationEvaluation evaluate_harmonizations(const std::vector<NamedChorale>& chorales,
                                                const HarmonizationEvaluationOptions& options) {
    validate(options.sampling);
    if (chorales.empty()) throw Error("no chorale to evaluate");
    SamplingOptions so = options.sampling;
    so.progress = nullptr;
    if (!so.model)
        so.model = std::make_shared<const Model>(
            Model::load(so.model_path.empty() ? default_model_path() : so.model_path));
    const Model& model = *so.model;
    if (!options.out_dir.empty()) {
        std::error_code ec;
        fs::create_directories(options.out_dir, ec);
        if (ec || !fs::is_directory(options.out_dir))
            throw Error(options.out_dir.string() + ": cannot create the output folder");
    }
    HarmonizationEvaluation out;
    for (std::size_t i = 0; i < chorales.size(); ++i) {
        const NamedChorale& c = chorales[i];
        if (options.progress && !options.progress(i, chorales.size(), c.name)) throw Cancelled();
        so.seed = chorale_seed(options.sampling.seed, c.name);
        ChoraleHarmonization r;
        try {
            const Harmonization h = harmonize(to_score(c.chorale), {}, so);
            r.bach = voice_leading_stats(c.chorale, options.rules);
            r.generated = voice_leading_stats(h.chorale, options.rules);
            r.agreement = agreement(h.chorale, c.chorale);
            if (options.grade) {
                r.grade_bach = grade(c.chorale, *options.grade);
                r.grade_generated = grade(h.chorale, *options.grade);
            }
            r.mass_bach = parallel_mass(model, {c.chorale}, so.threads);
            r.mass_generated = parallel_mass(model, {h.chorale}, so.threads);
            r.iterations = h.iterations;
            r.seconds = h.seconds;
            r.pseudo_log_likelihood = h.pseudo_log_likelihood;
            if (!options.out_dir.empty()) {
                const fs::path path = options.out_dir / (fs::path(c.name).stem().string() + ".musicxml");
                write_musicxml(to_score(h.chorale), path);
                r.output = path.string();
            }
        } catch (const Cancelled&) {
            throw;
        } catch (const Error& e) {
            out.skipped.emplace_back(c.name, e.what());
            continue;
        }
        r.name = c.name;
        r.title = c.chorale.title;
        r.seed = so.seed;
        out.results.push_back(std::move(r));
    }
    if (options.progress && !options.progress(chorales.size(), chorales.size(), "")) throw Cancelled();
    if (out.results.empty()) throw Error("no chorale could be harmonized");

    std::vector<VoiceLeadingStats> bach, generated;
    std::vector<ChoraleGrade> gb, gg;
    for (const auto& r : out.results) {
        out.mass_bach.add(r.mass_bach);
        out.mass_generated.add(r.mass_generated);
        bach.push_back(r.bach);
        generated.push_back(r.generated);
        out.agreement += r.agreement;
        gb.push_back(r.grade_bach);
        gg.push_back(r.grade_generated);
    }
    out.bach = summarize(bach);
    out.generated = summarize(generated);
    out.parallels_ratio = parallels_ratio(out.generated, out.bach);
    if (options.grade) {
        out.graded = true;
        out.grade_bach = summarize_grades(gb);
        out.grade_generated = summarize_grades(gg);
    }
    return out;
}

}  // namespace deepbach
