// What deepbach harmonize, generate and reharmonize share: the output
// options, the sampler's options and the constraints, as the user typed
// them, and how they become a SamplingOptions and a Constraints.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/harmonize.hpp>

#include <CLI/CLI.hpp>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach::cli {

/// The options of a sampling command. Numbers are kept as text and parsed
/// by build_options() so that a bad value is one clear error (exit 1).
struct SamplingArgs {
    // Output.
    std::string out;
    std::string midi;
    std::string svg;
    bool all_chains = false;
    bool json = false;
    // Sampler.
    std::string model;
    std::string seed;  ///< empty: a random seed (printed)
    std::string iterations = "0";
    std::string temperature = "1";
    std::string voice_leading = "1";
    std::string chains = "1";
    std::string positions = "0";
    std::string schedule = "auto";
    std::string backend = "eigen";
    std::string device = "cpu";
    std::string threads = "0";
    // Constraints (each option may be given many times).
    std::vector<std::string> fermatas;
    std::vector<std::string> cadences;
    std::vector<std::string> fixes;
    std::vector<std::string> rhythms;
    std::vector<std::string> keys;
    std::vector<std::string> ranges;
};

/// -o/--out, --midi, --svg, --all-chains, --json.
void add_output_options(CLI::App* cmd, SamplingArgs& args);
/// --model, --seed, --iterations, --temperature, --chains, --positions,
/// --schedule, --backend, --device, --threads.
void add_sampler_options(CLI::App* cmd, SamplingArgs& args);
/// --fermata, --cadence, --fix, --key, --range, and --rhythm when `rhythm`.
/// `key_help` describes --key (generate also takes the opening key there).
void add_constraint_options(CLI::App* cmd, SamplingArgs& args, bool rhythm, const std::string& key_help);

/// A non-negative whole number (or one at least `min`) given to `option`.
int parse_count(const std::string& option, const std::string& text, int min = 0);
/// A finite decimal number given to `option`, above 0 (`positive`) or at
/// least 0; Error otherwise, saying which with an `example`.
double parse_real(const std::string& option, const std::string& text, bool positive,
                  const std::string& example);
/// "3" or "3-5" (bar numbers as written): the ticks of those bars.
TickRange parse_bars(const Chorale& grid, const std::string& text);
/// "S", "alto", "ATB", "soprano,bass": the voices named.
std::array<bool, kNumVoices> parse_voices(const std::string& text);

/// Says whether a cell of the base grid is kept (not redrawn) by the command,
/// and what keeps it ("the melody", "outside --bars 2-3"), for messages.
struct KeptCells {
    std::function<bool(int voice, int tick)> kept;
    std::function<std::string(int voice)> why;
};

/// The constraints the options ask for, placed on `base` (the grid the
/// command samples from: bars, beats, the soprano that fermatas cover).
/// `melody`: the base's soprano is a melody (a fermata covers its note;
/// otherwise one quarter). A --fix that disagrees with a kept cell is an
/// Error naming the bar and voice. Every error names the option and its text.
Constraints build_constraints(const Chorale& base, const SamplingArgs& args, bool melody,
                              const KeptCells& kept);

/// The sampler's options (seed resolved: random when not given).
SamplingOptions build_options(const SamplingArgs& args);

/// Checks before sampling that the outputs can be written (extension, folder).
void check_outputs(const SamplingArgs& args);

/// Writes the result (every chain with --all-chains) and prints the summary
/// lines or, with --json, one JSON object. Returns the exit code.
int write_and_report(const std::string& command, const Harmonization& result, const SamplingArgs& args,
                     const SamplingOptions& options);

/// Runs `sample` with a progress line on a terminal, then writes and reports.
int sample_and_report(const std::string& command, const SamplingArgs& args, SamplingOptions options,
                      const std::function<Harmonization(const SamplingOptions&)>& sample);

}  // namespace deepbach::cli
