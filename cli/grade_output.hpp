// How `deepbach evaluate --grade` prints grades (docs/evaluation.md, "The grade").
#pragma once

#include <deepbach/grade.hpp>

#include <string>
#include <utility>
#include <vector>

namespace deepbach::cli {

/// A table of the per-feature median and mean of one or more sets of
/// chorales (side by side: "Bach", "generated"), then the grade's, then the
/// line "median grade: ...".
void print_grade_table(const std::vector<std::pair<std::string, GradeSummary>>& sets);

}  // namespace deepbach::cli
