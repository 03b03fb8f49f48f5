// Bach's reference for `deepbach evaluate --grade`, and the grade's JSON and tables.
#include "grade_output.hpp"

#include "progress.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

#include <fmt/format.h>

namespace deepbach::cli {

using Json = nlohmann::ordered_json;

LoadedGradeReference load_grade_reference(const std::string& folder, std::uint64_t seed, int threads) {
    LoadedGradeReference out;
    out.folder = folder;
    out.seed = seed;
    CorpusOptions options;
    options.threads = threads;
    Corpus corpus;
    {
        TerminalProgress progress("reading the reference corpus");
        corpus = load_corpus(folder, options, progress.callback());
    }
    if (corpus.chorales.empty()) throw Error(folder + ": no chorale for the grade's reference");
    out.corpus_chorales = corpus.chorales.size();
    const Split split = split_chorales(static_cast<int>(corpus.chorales.size()), seed);
    std::vector<Chorale> train;
    for (int i : split.train) train.push_back(std::move(corpus.chorales[static_cast<std::size_t>(i)]));
    if (train.empty()) throw Error(folder + ": the training split has no chorale for the grade's reference");
    out.reference = grade_reference(train);
    return out;
}

Json grade_reference_json(const LoadedGradeReference& r) {
    return {{"folder", r.folder},
            {"split", "train"},
            {"seed", r.seed},
            {"chorales", r.reference.chorales},
            {"major", r.reference.chorales_in_mode[0]},
            {"minor", r.reference.chorales_in_mode[1]}};
}

std::string grade_reference_text(const LoadedGradeReference& r) {
    return fmt::format("training split of {} (seed {}): {} chorales, {} major, {} minor", r.folder, r.seed,
                       r.reference.chorales, r.reference.chorales_in_mode[0],
                       r.reference.chorales_in_mode[1]);
}

Json grade_json(const ChoraleGrade& g) {
    Json features = Json::object();
    for (int f = 0; f < kGradeFeatures; ++f)
        features[grade_feature_key(f)] = g.features[static_cast<std::size_t>(f)];
    return {{"key", g.key.name()}, {"grade", g.total}, {"features", features}};
}

Json grade_summary_json(const GradeSummary& s) {
    Json median = Json::object(), mean = Json::object();
    for (int f = 0; f < kGradeFeatures; ++f) {
        median[grade_feature_key(f)] = s.median[static_cast<std::size_t>(f)];
        mean[grade_feature_key(f)] = s.mean[static_cast<std::size_t>(f)];
    }
    median["grade"] = s.median_total;
    mean["grade"] = s.mean_total;
    return {{"chorales", s.chorales}, {"median", median}, {"mean", mean}};
}

void print_grade_table(const std::vector<std::pair<std::string, GradeSummary>>& sets) {
    std::string header = fmt::format("{:<20}", "grade (lower: more like Bach)");
    std::string names = fmt::format("{:<20}", "feature");
    for (const auto& [name, s] : sets)
        names += fmt::format(" {:>18}", name.empty() ? "median" : name + " median");
    for (const auto& [name, s] : sets)
        names += fmt::format(" {:>18}", name.empty() ? "mean" : name + " mean");
    fmt::print("{}\n{}\n", header, names);
    for (int f = 0; f <= kGradeFeatures; ++f) {
        const bool total = f == kGradeFeatures;
        std::string line = fmt::format("{:<20}", total ? "grade (sum)" : grade_feature_label(f));
        for (const auto& [name, s] : sets)
            line += fmt::format(" {:>18.3f}", total ? s.median_total : s.median[static_cast<std::size_t>(f)]);
        for (const auto& [name, s] : sets)
            line += fmt::format(" {:>18.3f}", total ? s.mean_total : s.mean[static_cast<std::size_t>(f)]);
        fmt::print("{}\n", line);
    }
    std::string last = "median grade:";
    for (std::size_t i = 0; i < sets.size(); ++i)
        last += fmt::format("{}{}{} {:.3f}", i ? "," : "", sets[i].first.empty() ? "" : " ", sets[i].first,
                            sets[i].second.median_total);
    fmt::print("{}\n", last);
}

}  // namespace deepbach::cli
