// libdeepbach: judging harmonizations against Bach, and writing the figures.
// What `deepbach evaluate` and deepbach.evaluate_* do, as library calls:
// reading the chorales of a split, harmonizing Bach's sopranos and comparing
// the result with his voices, Bach's reference for the grade, the figures
// as JSON (the command's --json and Python's to_dict() are these), and the
// report files of --report.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/diagnostics.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/grade.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/progress.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deepbach {

// ------------------------------------------------------------- the chorales

/// A chorale and the name it is shown by (its file name).
struct NamedChorale {
    std::string name;
    Chorale chorale;
};

/// Which part of a corpus folder to read.
enum class SplitPart { all, train, validation, test };
const char* to_string(SplitPart part);
/// "all", "train", "validation" (also "valid") or "test"; Error otherwise.
SplitPart parse_split_part(std::string_view text);

struct LoadedChorales {
    std::vector<NamedChorale> chorales;
    /// Files the grid cannot hold: (file, reason); the reason names the file.
    /// With a split, none (a split is over the chorales the grid holds).
    std::vector<std::pair<std::string, std::string>> skipped;
    /// One corpus folder: its checksum (corpus.hpp), else empty.
    std::string corpus_checksum;
};

/// The chorales of `inputs`: one folder is read as a corpus (in parallel;
/// `part` of its split with `split_seed`, split_chorales()); files, or more
/// than one folder, one by one (then `part` must be all). At most `limit`
/// (0: all), the first in file order. Throws Error for an input that does
/// not exist or a split of files.
LoadedChorales load_chorales(const std::vector<std::filesystem::path>& inputs, SplitPart part,
                             std::uint64_t split_seed, int limit = 0, int threads = defaults::kThreads,
                             const ProgressFn& progress = {});

// ------------------------------------------------------ the grade's reference

/// Bach's reference for the grade: the training split of a corpus folder.
struct LoadedGradeReference {
    std::string folder;
    std::uint64_t seed = 0;
    std::size_t corpus_chorales = 0;  ///< chorales the grid holds in the folder
    GradeReference reference;
    /// "training split of FOLDER (seed S): N chorales, M major, K minor".
    std::string text() const;
};
/// Reads `folder` as a corpus and takes Bach's histograms over its training
/// split. Throws Error when the folder cannot be read or has no chorale.
LoadedGradeReference load_grade_reference(const std::filesystem::path& folder, std::uint64_t seed,
                                          int threads = defaults::kThreads, const ProgressFn& progress = {});

// ------------------------------------------ harmonizing Bach's sopranos

/// The seed of one chorale's harmonization: `seed` and the chorale's name
/// mixed (FNV-1a of the name, then splitmix64), so that a chorale gets the
/// same seed whatever split and limit select it.
std::uint64_t chorale_seed(std::uint64_t seed, std::string_view name);

struct HarmonizationEvaluationOptions {
    /// How each soprano is harmonized; its seed is mixed with each chorale's
    /// name (chorale_seed()), its progress is not called.
    SamplingOptions sampling;
    /// Grade Bach's and the generated chorales against this (nullptr: no grade).
    const GradeReference* grade = nullptr;
    /// Write each harmonization to out_dir/NAME.musicxml (empty: none).
    std::filesystem::path out_dir;
    VoiceLeadingOptions rules;
    /// Called with (chorales done, chorales, name); return false to cancel.
    ProgressFn progress;
};

/// One chorale: Bach's and the generated one.
struct ChoraleHarmonization {
    std::string name, title;
    std::string output;  ///< the file written, or empty
    std::uint64_t seed = 0;
    int iterations = 0;
    double seconds = 0, pseudo_log_likelihood = 0;
    VoiceLeadingStats bach, generated;
    Agreement agreement;
    ParallelMass mass_bach, mass_generated;
    ChoraleGrade grade_bach, grade_generated;  ///< with a grade reference
};

struct HarmonizationEvaluation {
    std::vector<ChoraleHarmonization> results;
    std::vector<std::pair<std::string, std::string>> skipped;  ///< (name, why) of those that failed
    VoiceLeadingSummary bach, generated;
    Agreement agreement;  ///< over every chorale
    ParallelMass mass_bach, mass_generated;
    bool graded = false;
    GradeSummary grade_bach, grade_generated;
    /// Parallel fifths plus octaves per chorale, generated over Bach's;
    /// nullopt when Bach's chorales have none.
    std::optional<double> parallels_ratio;
};

/// Harmonizes each chorale's soprano with options.sampling and compares the
/// result with Bach's voices. A chorale that cannot be harmonized is
/// skipped with its reason; Error when none can be.
HarmonizationEvaluation evaluate_harmonizations(const std::vector<NamedChorale>& chorales,
                                                const HarmonizationEvaluationOptions& options);

/// The headline figure: parallel fifths plus octaves per chorale of
/// `generated` over `reference`'s; nullopt when the reference has none.
std::optional<double> parallels_ratio(const VoiceLeadingSummary& generated,
                                      const VoiceLeadingSummary& reference);

// ------------------------------------------------------------------- JSON
// One JSON object each (compact text); the command's --json output and
// Python's to_dict() are made of these, so their keys cannot differ.

std::string to_json(const VoiceMetrics& metrics);
std::string to_json(const VoiceLeadingStats& stats);
std::string to_json(const VoiceLeadingSummary& summary);
std::string to_json(const Agreement& agreement);
std::string to_json(const ParallelMass& mass);
std::string to_json(const ChoraleGrade& grade);
std::string to_json(const GradeSummary& summary);
std::string to_json(const LoadedGradeReference& reference);
/// One fault of `chorale` (voice_leading_faults()): rule, where ("bar 3
/// beat 2"), tick, voice, other (the pair's lower voice, or null), text.
std::string to_json(const VoiceLeadingFault& fault, const Chorale& chorale);
/// {"soprano": [low, high], ...}: the ranges the rules count against.
std::string to_json(const VoiceLeadingOptions& options);
/// chorales, skipped, mean_nll, mean_onset_nll, voices, parallel_mass.
std::string to_json(const ModelEvaluation& evaluation);
/// chorales, skipped, parallels_per_chorale, bach, generated, agreement,
/// parallel_mass, grade (when graded), results.
std::string to_json(const HarmonizationEvaluation& evaluation);

// ---------------------------------------------------------- report files

/// The statistics of one set of chorales (Bach's, or the generated ones),
/// one entry per chorale.
struct ReportSet {
    std::string name;  ///< "Bach", "generated"
    std::vector<VoiceLeadingStats> stats;
};

/// What `deepbach evaluate --report DIR` writes.
struct EvaluationReport {
    std::string title;
    /// Lines of "what: value" shown at the top (command, model, split, seed, ...).
    std::vector<std::pair<std::string, std::string>> settings;
    std::vector<std::string> chorales;  ///< names, parallel to every set's stats
    /// One set (statistics of chorales) or two: the reference (Bach) first,
    /// then the generated set.
    std::vector<ReportSet> sets;
    /// Per chorale, generated against Bach (harmonizations only; else empty).
    std::vector<Agreement> agreements;
    VoiceLeadingOptions options;
};

/// Writes dir/report.md, dir/rates.svg, dir/per_chorale.svg and, with
/// agreements, dir/agreement.svg (creating dir), each atomically. Returns
/// the paths written. Throws Error naming a file that cannot be written.
std::vector<std::filesystem::path> write_report(const std::filesystem::path& dir,
                                                const EvaluationReport& report);

}  // namespace deepbach
