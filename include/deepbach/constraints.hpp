// libdeepbach: what the user fixes before sampling (notes, rhythm, cadences,
// keys, ranges) and the region the sampler may redraw.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach {

/// Ticks [begin, end) of the grid (kTicksPerQuarter per quarter note).
struct TickRange {
    int begin = 0;
    int end = 0;
    bool contains(int tick) const { return tick >= begin && tick < end; }
    bool empty() const { return end <= begin; }
};

/// Cells of one voice fixed over a tick range.
/// - a pitch: one note of that pitch starts at ticks.begin and lasts to
///   ticks.end (the pitch, then holds); the cell at ticks.end may not hold it;
/// - token::kRest: a rest over the range (rest, then holds);
/// - token::kHold: every cell a hold (what sounds before goes on).
struct FixedNote {
    int voice = 0;
    TickRange ticks;
    Token token = token::kRest;
};

/// One voice's rhythm over a range is kept as the base grid has it: its
/// onsets stay onsets (the pitch is free), its holds and rests stay.
struct RhythmConstraint {
    int voice = 0;
    TickRange ticks;
};

enum class CadenceType {
    authentic,  ///< V - I: the chord at the cadence is the tonic triad with the tonic in the bass,
                ///< and the bass a beat before is the dominant
    half,       ///< ends on V: the dominant triad with its root in the bass
    plagal,     ///< IV - I: the tonic triad, the subdominant in the bass a beat before
    deceptive   ///< V - vi: the submediant triad with its root in the bass, the dominant before
};
std::string to_string(CadenceType type);
/// "authentic", "half", "plagal" or "deceptive" (also "perfect" for authentic,
/// "interrupted" for deceptive); throws Error otherwise.
CadenceType parse_cadence_type(std::string_view text);

/// A cadence chord starting at `tick` (normally under a fermata), in the key
/// in force there: every voice has an onset of a chord tone at that tick
/// (by pitch class, any spelling), the bass the chord's root. A fixed hold
/// there passes when the pitch it holds is such a tone; a free onset it holds
/// is narrowed to them. The bass a quarter before, when the piece has one,
/// is held to the same rule. Without a fermata at `tick`, the cadence gets
/// one a quarter long.
struct Cadence {
    int tick = 0;
    CadenceType type = CadenceType::authentic;
};

/// The key from `tick` on (a key signature of `fifths`, -7..7, and a mode,
/// "major" or "minor"; empty: inferred from the bass's last note before the
/// next key change, or the soprano's when the bass has none: minor when it is
/// the relative minor's tonic, else major). It lasts to the next key change
/// of the base grid or of these.
struct KeyChange {
    int tick = 0;
    int fifths = 0;
    std::string mode;
};

/// Cells to redraw: ticks x voices.
struct Region {
    TickRange ticks;
    std::array<bool, kNumVoices> voices{true, true, true, true};
};

/// Everything the user fixes. All of it is checked before sampling; a
/// contradiction (a fixed note outside its voice's range or the model's
/// vocabulary, a cadence against a fixed note, overlapping fixes that
/// disagree, a range outside the piece) is an Error naming bar and voice.
struct Constraints {
    std::vector<FixedNote> fixed;
    std::vector<RhythmConstraint> rhythm;
    /// Soprano fermatas added to the piece's own (the fermata metadata).
    std::vector<TickRange> fermatas;
    std::vector<Cadence> cadences;
    std::vector<KeyChange> keys;
    /// Per voice: MIDI range to keep to, inside the model's (nullopt: the model's).
    std::array<std::optional<VoiceRange>, kNumVoices> ranges;
    /// Cells the sampler may redraw; every other cell keeps the base grid's
    /// token. Empty: every cell not otherwise fixed.
    std::vector<Region> regions;
};

}  // namespace deepbach
