// How `deepbach evaluate --grade` reads Bach's reference and prints grades
// (docs/evaluation.md, "The grade").
#pragma once

#include <deepbach/grade.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace deepbach::cli {

/// Bach's reference for the grade: the training split of a corpus folder.
struct LoadedGradeReference {
    std::string folder;
    std::uint64_t seed = 0;
    std::size_t corpus_chorales = 0;  ///< chorales the grid holds in the folder
    GradeReference reference;
};

/// Reads `folder` as a corpus and takes Bach's histograms over its training
/// split (split_chorales(number of chorales, seed).train). Throws Error when
/// the folder cannot be read or has no chorale.
LoadedGradeReference load_grade_reference(const std::string& folder, std::uint64_t seed, int threads);

/// {"folder", "split": "train", "seed", "chorales", "major", "minor"}.
nlohmann::ordered_json grade_reference_json(const LoadedGradeReference& r);
/// "training split of FOLDER (seed S): N chorales, M major, K minor".
std::string grade_reference_text(const LoadedGradeReference& r);

/// {"key", "grade", "features": {feature key: value}} of one chorale.
nlohmann::ordered_json grade_json(const ChoraleGrade& g);
/// {"chorales", "median": {features..., "grade"}, "mean": {...}}.
nlohmann::ordered_json grade_summary_json(const GradeSummary& s);

/// A table of the per-feature median and mean of one or more sets of
/// chorales (side by side: "Bach", "generated"), then the grade's, then the
/// line "median grade: ...".
void print_grade_table(const std::vector<std::pair<std::string, GradeSummary>>& sets);

}  // namespace deepbach::cli
