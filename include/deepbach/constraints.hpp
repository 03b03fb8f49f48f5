// libdeepbach: what the user fixes before sampling (notes, rhythm, cadences,
// keys, ranges) and the region the sampler may redraw.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
    /// Where no cadence is given: end a kept melody as chorales end, with an
    /// authentic cadence (V - I, the tonic in the bass) on its last note,
    /// when that note is a tone of the tonic triad of the key in force and
    /// the lower voices are free to make it (no fixed note or rhythm in the
    /// way). Nothing is added where the soprano is drawn (generate() has its
    /// own phrases) or the ending cannot take the cadence. false: the model
    /// alone decides how the piece ends.
    bool final_cadence = true;
    /// Under a kept melody, four voices in every chord: a free alto, tenor or
    /// bass cell may not start a rest where the melody sounds, nor hold a
    /// rest (or an old note) into a melody note that enters after a rest.
    /// Bach's chorales start 0.15 such rests per chorale (10 of 314 have
    /// one). Cells under a rhythm constraint keep the rhythm's own. With no
    /// melody kept at all (generate), no free cell of any voice starts a
    /// rest: Bach's voices rest only together, between phrases with an
    /// interlude (76 of 315 chorales), never one voice inside a phrase.
    /// false: the voices may rest anywhere the model likes.
    bool full_texture = true;
};

// ------------------------------------------------------------- positions

/// Tick ranges of bars `first`..`last` (numbers as written in the score,
/// e.g. "2", "3"), or of measure indices when the numbers are not found.
TickRange bar_ticks(const Chorale& chorale, const std::string& first, const std::string& last);

/// A key as people write it: a tonic with an optional mode ("D", "Bb",
/// "F#m", "g minor", "Eb major"; a lower-case tonic alone is minor) or a
/// signature in fifths ("-2", "+3": the mode is left empty, to be inferred).
struct KeyName {
    int fifths = 0;
    std::string mode;
};
/// Throws Error for anything else or a key past 7 sharps or flats.
KeyName parse_key(std::string_view text);

/// The tick a beat names: "N" (quarter notes counted from 1 at the start of
/// the piece, a pickup included) or "BAR.BEAT" (bar number as written,
/// quarter from 1 within it). Throws Error for a beat outside the piece.
int beat_tick(const Chorale& chorale, std::string_view text);

/// The ticks of a comma list of beats ("16", "8,16", "4.4,8.4"; see beat_tick()).
std::vector<int> beat_ticks(const Chorale& chorale, std::string_view text);

/// What a fermata at `tick` covers: the soprano note sounding there when the
/// grid's soprano is given (a melody), else one quarter from the tick.
TickRange fermata_span(const Chorale& chorale, int tick, bool soprano_given);

// ------------------------------------------------- constraints as text
// The forms people type: the command's options and the strings of the
// Python package are parsed here, and only here.

/// "S", "alto", "ATB", "soprano,bass": the voices named.
std::array<bool, kNumVoices> parse_voices(std::string_view text);
/// "3" or "3-5" (bar numbers as written in `grid`): the ticks of those bars.
TickRange parse_bars(const Chorale& grid, std::string_view text);
/// A pitch as a MIDI number: a name ("C4", "Bb2") or the number (0..127).
int parse_midi(std::string_view text);
/// What a fixed note puts in its cells: a pitch ("G2"), "rest", or "hold"
/// (also "__": the note before goes on).
Token parse_fix_token(std::string_view text);
/// "E2-C4", "E2..C4" or "40-60": a MIDI range, lowest first.
VoiceRange parse_voice_range(std::string_view text);

/// Every constraint in its text form; each entry is one value of the
/// command's option of that name (and of a Python string).
struct ConstraintText {
    std::vector<std::string> fermatas;  ///< BEATS: a comma list of N or BAR.BEAT ("16,4.4")
    std::vector<std::string> cadences;  ///< BEAT:TYPE ("16:authentic", "4.4:half")
    std::vector<std::string> fixes;     ///< VOICE:BARS:PITCH ("bass:4:G2", "alto:2-3:rest")
    std::vector<std::string> rhythms;   ///< VOICE:BARS ("tenor:2-3")
    std::vector<std::string> keys;      ///< BAR:KEY ("5:D", "9:g minor")
    std::vector<std::string> ranges;    ///< VOICE:LOW-HIGH ("bass:E2-C4")
    std::vector<std::string> regions;   ///< BARS or BARS:VOICES ("3-4", "3-4:ATB")
    bool final_cadence = true;          ///< Constraints::final_cadence
    bool full_texture = true;           ///< Constraints::full_texture
    bool empty() const {
        return fermatas.empty() && cadences.empty() && fixes.empty() && rhythms.empty() && keys.empty() &&
               ranges.empty() && regions.empty();
    }
};

/// One text form placed on `base`. Each Error names the form and the text
/// ("fix 'bass:99:G2': bar 99 is not in the piece").
std::vector<TickRange> parse_fermatas(const Chorale& base, std::string_view text, bool melody);
Cadence parse_cadence(const Chorale& base, std::string_view text);
FixedNote parse_fix(const Chorale& base, std::string_view text);
RhythmConstraint parse_rhythm(const Chorale& base, std::string_view text);
KeyChange parse_key_change(const Chorale& base, std::string_view text);
/// VOICE:LOW-HIGH: the voice and its range.
std::pair<int, VoiceRange> parse_range(std::string_view text);
Region parse_region(const Chorale& base, std::string_view text);

/// All of them: the constraints on `base`. `melody`: the base's soprano is
/// a melody (a fermata covers its note; otherwise one quarter).
Constraints parse_constraints(const Chorale& base, const ConstraintText& text, bool melody);

}  // namespace deepbach
