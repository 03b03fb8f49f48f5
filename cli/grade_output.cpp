// The grade's tables for `deepbach evaluate --grade`.
#include "grade_output.hpp"

#include <fmt/format.h>

namespace deepbach::cli {

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
