// The evaluation report of `deepbach evaluate --report DIR`: report.md and
// SVG charts, written atomically, readable without any other tool.
#pragma once

#include <deepbach/evaluation.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace deepbach::eval {

/// The statistics of one set of chorales (Bach's, or the generated ones),
/// one entry per chorale.
struct ReportSet {
    std::string name;  ///< "Bach", "generated"
    std::vector<VoiceLeadingStats> stats;
};

struct Report {
    std::string title;
    /// Lines of "what: value" shown at the top (command, model, split, seed, ...).
    std::vector<std::pair<std::string, std::string>> settings;
    std::vector<std::string> chorales;  ///< names, parallel to every set's stats
    /// One set (--rules) or two: the reference (Bach) first, then the generated set.
    std::vector<ReportSet> sets;
    /// Per chorale, generated against Bach (--harmonize only; else empty).
    std::vector<Agreement> agreements;
    VoiceLeadingOptions options;
};

/// The headline figure: parallel fifths plus octaves per chorale of the
/// second set over the first's; nullopt when the first has none.
std::optional<double> parallels_ratio(const VoiceLeadingSummary& generated,
                                      const VoiceLeadingSummary& reference);

/// Writes dir/report.md, dir/rates.svg, dir/per_chorale.svg and, with
/// agreements, dir/agreement.svg (creating dir). Returns the paths written.
/// Throws Error naming a file that cannot be written.
std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir, const Report& report);

}  // namespace deepbach::eval
