// What deepbach harmonize, generate and reharmonize share: the output
// options, the sampler's options and the constraints, as the user typed
// them, and how they become a SamplingOptions and a Constraints.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deepbach::cli {

/// The options of a sampling command. Numbers are kept as text and parsed
/// by build_options() so that a bad value is one clear error (exit 1).
struct SamplingArgs {
    // Output.
    std::string out;
    std::string midi;
    std::string svg;
    std::string wav;
    std::string soundfont;
    bool all_chains = false;
    bool json = false;
    // Sampler.
    std::string model;
    // Defaults: the library's (SamplingOptions{}), as text.
    std::string seed = std::to_string(SamplingOptions{}.seed);
    std::string sweeps = std::to_string(SamplingOptions{}.sweeps);
    std::string iterations = std::to_string(SamplingOptions{}.iterations);
    std::string temperature = fmt::format("{:g}", SamplingOptions{}.temperature);
    std::string voice_leading = fmt::format("{:g}", SamplingOptions{}.voice_leading);
    std::string chains = std::to_string(SamplingOptions{}.chains);
    std::string positions = std::to_string(SamplingOptions{}.positions);
    std::string schedule = to_string(SamplingOptions{}.schedule);
    std::string backend = to_string(SamplingOptions{}.backend);
    std::string device = to_string(SamplingOptions{}.device);
    std::string threads = std::to_string(SamplingOptions{}.threads);
    // Constraints (each option may be given many times).
    ConstraintText constraints;
};

/// -o/--out, --midi, --svg, --wav, --soundfont, --all-chains, --json.
void add_output_options(CLI::App* cmd, SamplingArgs& args);
/// --model, --seed, --iterations, --temperature, --chains, --positions,
/// --schedule, --backend, --device, --threads.
void add_sampler_options(CLI::App* cmd, SamplingArgs& args);
/// --fermata, --cadence, --fix, --key, --range, and --rhythm when `rhythm`.
/// `key_help` describes --key (generate also takes the opening key there).
void add_constraint_options(CLI::App* cmd, SamplingArgs& args, bool rhythm, const std::string& key_help);

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

/// The sampler's options, checked (deepbach::validate).
SamplingOptions build_options(const SamplingArgs& args);

/// --wav OUT.wav and --soundfont SF2 (sampling commands and convert).
void add_sound_options(CLI::App* cmd, std::string& wav, std::string& soundfont);
/// The WAV options --soundfont asks for. Checks, before any work, that this
/// build renders sound and that the soundfont exists (Error otherwise).
WavOptions wav_options(const std::string& soundfont);

/// Checks before sampling that the outputs can be written (extension, folder).
void check_outputs(const SamplingArgs& args);

/// What harmonize, generate and reharmonize sample, built from their
/// arguments once, for the commands and for `deepbach serve` alike.
/// harmonize: the melody's constraints (the soprano kept).
Constraints harmonize_constraints(const Score& melody, const SamplingArgs& args);
/// generate: the piece's shape (BARS, TIME, the opening --key among
/// args.constraints.keys) and its constraints.
struct GenerateRequest {
    PieceShape shape;
    Constraints constraints;
};
GenerateRequest generate_request(const std::string& bars, const std::string& time, SamplingArgs args);
/// MuseScore's division (ticks per quarter note): `reharmonize --ticks`
/// and `deepbach notes` count in them, so that a plugin passes cursor.tick
/// straight on.
constexpr int kMuseScoreDivision = 480;
/// --ticks A-B: MuseScore ticks from the start of the piece (pickup
/// included), A inclusive, B exclusive, on the sixteenth grid (multiples
/// of 120): the grid ticks [A/120, B/120). Error "ticks 'TEXT': ..." for
/// text that is not such a range inside the piece.
TickRange parse_musescore_ticks(const Chorale& base, const std::string& text);
/// The same range in MuseScore ticks, inside a piece `length` MuseScore
/// ticks long (for scores that are not a chorale grid).
std::pair<long long, long long> parse_musescore_span(const std::string& text, long long length);

/// reharmonize: the region (BARS:VOICES) and the constraints on the score.
struct ReharmonizeRequest {
    Region region;
    Constraints constraints;
};
ReharmonizeRequest reharmonize_request(const Score& score, const std::string& bars, const std::string& voices,
                                       const SamplingArgs& args);
/// The same with the region given as --bars (BARS) or --ticks (TICKS):
/// exactly one of them is not empty.
ReharmonizeRequest reharmonize_request(const Score& score, const std::string& bars, const std::string& ticks,
                                       const std::string& voices, const SamplingArgs& args);

/// Writes the result (every chain with --all-chains) and prints the summary
/// lines or, with --json, one JSON object. Returns the exit code.
int write_and_report(const std::string& command, const Harmonization& result, const SamplingArgs& args,
                     const SamplingOptions& options);

/// Runs `sample` with a progress line on a terminal, then writes and reports.
int sample_and_report(const std::string& command, const SamplingArgs& args, SamplingOptions options,
                      const std::function<Harmonization(const SamplingOptions&)>& sample);

}  // namespace deepbach::cli
