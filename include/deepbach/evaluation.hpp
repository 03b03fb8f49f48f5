// libdeepbach: voice-leading statistics of a four-voice chorale grid, and how
// closely a harmonization follows a reference (Bach's) note for note. Plain
// counting on the grid; no model, no LibTorch. docs/evaluation.md has the
// rules with examples.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace deepbach {

/// A chord event: a tick where at least one voice starts a note (a pitch
/// token; a rest starting, a hold, START or END do not make an event), with
/// what every voice sounds there.
struct ChordEvent {
    int tick = 0;
    /// MIDI number sounding in each voice at the tick (following holds back
    /// to the note's onset), or -1 where the voice rests.
    std::array<int, kNumVoices> midi{-1, -1, -1, -1};
    /// Whether each voice starts a note at the tick.
    std::array<bool, kNumVoices> onset{};

    bool sounds(int voice) const { return midi[static_cast<std::size_t>(voice)] >= 0; }
};

/// The chord events of a chorale, in tick order.
std::vector<ChordEvent> chord_events(const Chorale& chorale);

/// What voice_leading_stats() counts against.
struct VoiceLeadingOptions {
    /// Usual SATB ranges, MIDI numbers inclusive: soprano C4-G5 (60-79), alto
    /// G3-D5 (55-74), tenor C3-G4 (48-67), bass E2-C4 (40-60).
    std::array<VoiceRange, kNumVoices> ranges{{{60, 79}, {55, 74}, {48, 67}, {40, 60}}};
    /// Hidden fifths and octaves need the soprano to move by more than this
    /// many semitones (a leap: more than a whole tone).
    int hidden_leap = 2;
    /// Spacing: adjacent upper voices more than this many semitones apart.
    int max_spacing = 12;
};

/// Voice-leading counts of one chorale (or, summed, of many).
///
/// Definitions. Events are the chord events (chord_events()). For two voices
/// x (the upper, lower index) and y, at two consecutive events e1 and e2 where
/// both sound: dx, dy are their motions in semitones (MIDI at e2 minus MIDI at
/// e1; a held or repeated note is 0), and i1, i2 the intervals |x - y| in
/// semitones at e1 and e2, taken modulo 12 (7: a fifth, compound or not; 0: an
/// octave, a unison or a compound octave). A voice that rests at e1 or e2
/// takes no part in that comparison.
///   - parallel fifths (octaves): for any of the six pairs of voices, dx and
///     dy non-zero with the same sign, i1 = i2 = 7 (0). One per pair and pair
///     of consecutive events.
///   - contrary fifths (octaves): the same with dx and dy of opposite signs.
///   - hidden fifths (octaves): soprano and bass only; dx and dy non-zero
///     with the same sign, i2 = 7 (0), i1 != i2 (from another interval: a
///     perfect interval kept is a parallel, counted above), and the soprano
///     leaps: |dx| > hidden_leap.
///   - voice crossings: events where, for at least one of the adjacent pairs
///     soprano/alto, alto/tenor, tenor/bass, both sound and the lower voice
///     is strictly above the upper one (a unison is not a crossing).
///   - spacing: events where soprano - alto or alto - tenor (both sounding,
///     upper minus lower, so a crossed pair never counts) is more than
///     max_spacing semitones.
///   - out of range: note onsets (pitch tokens) whose MIDI number lies
///     outside their voice's range in the options.
///   - out of key: note onsets, all four voices, whose pitch class is not in
///     the scale of the key signature in force at the onset's tick
///     (Chorale::key_fifths): the seven pitch classes of the signature (its
///     major scale, e.g. C D E F G A B for no sharps or flats). When the
///     signature is read as minor (key_is_minor()), the raised sixth and
///     seventh of the relative minor are in the key too (F# and G# in A
///     minor). Spelling does not matter (B#3 is C4's pitch class).
///   - each voice's line: its pitches in order, a held note going on, a rest
///     breaking the line. Augmented melodic intervals: consecutive pitches
///     an augmented interval apart, up or down, as spelled (a second to a
///     seventh, simple or compound, a semitone wider than major or perfect:
///     F-G#, F-B, C-G#; not the chromatic semitone F-F#), or a diminished
///     third (G#-Bb). Leaps over an octave: consecutive pitches more than 12
///     semitones apart.
///   - sixteenth rhythms: note onsets that start or end off the grid of
///     eighth notes (an odd position in the beat, Chorale::beat_position): a
///     sixteenth, a dotted eighth, a double-dotted quarter and the like.
struct VoiceLeadingStats {
    std::int64_t events = 0;  ///< chord events
    std::int64_t notes = 0;   ///< note onsets, all voices
    std::int64_t parallel_fifths = 0;
    std::int64_t parallel_octaves = 0;  ///< unisons included
    std::int64_t contrary_fifths = 0;
    std::int64_t contrary_octaves = 0;
    std::int64_t hidden_fifths = 0;   ///< soprano and bass
    std::int64_t hidden_octaves = 0;  ///< soprano and bass
    std::int64_t voice_crossings = 0;
    std::int64_t spacing = 0;
    std::int64_t out_of_range = 0;
    std::int64_t out_of_key = 0;         ///< note onsets outside the key signature's scale
    std::int64_t augmented_melodic = 0;  ///< augmented intervals and diminished thirds within a voice
    std::int64_t large_leaps = 0;        ///< leaps of more than an octave within a voice
    std::int64_t sixteenths = 0;         ///< notes starting or ending off the eighth-note grid

    /// Events with a crossing of soprano/alto, alto/tenor, tenor/bass (an
    /// event may count in more than one).
    std::array<std::int64_t, kNumVoices - 1> crossings_by_pair{};
    /// Events with soprano/alto, alto/tenor too far apart.
    std::array<std::int64_t, 2> spacing_by_pair{};
    /// Note onsets out of range, per voice.
    std::array<std::int64_t, kNumVoices> out_of_range_by_voice{};

    /// Parallel fifths plus parallel octaves: the headline figure.
    std::int64_t parallels() const { return parallel_fifths + parallel_octaves; }

    VoiceLeadingStats& operator+=(const VoiceLeadingStats& other);
};

VoiceLeadingStats voice_leading_stats(const Chorale& chorale, const VoiceLeadingOptions& options = {});

/// One place where a chorale breaks a rule of VoiceLeadingStats: what a
/// musician marks on the score.
struct VoiceLeadingFault {
    std::string rule;  ///< the rule's key, as rule_counts() names it ("parallel_fifths")
    /// Where: the second event of a motion (parallel, contrary, hidden), the
    /// event (crossing, spacing), the note's onset (range, key, line rules:
    /// the second note of an interval).
    int tick = 0;
    int voice = 0;   ///< the voice, or the upper voice of a pair
    int other = -1;  ///< the lower voice of a pair (motion, crossing, spacing), else -1
    /// What is wrong, in words, with the notes: "parallel fifths, alto and
    /// bass: D4 G3 to E4 A3", "out of key: tenor C#4".
    std::string text;
};

/// Every fault voice_leading_stats() counts, in time order (the same tick:
/// notes voice by voice, lines, events, motions): as many of each rule as
/// the statistics count (a crossing or spacing event with two pairs at
/// fault is one fault, named after the upper pair).
std::vector<VoiceLeadingFault> voice_leading_faults(const Chorale& chorale,
                                                    const VoiceLeadingOptions& options = {});

/// Whether the key signatures of `chorale` that carry no mode (an empty
/// GridKeySignature::mode, or one other than "major" and "minor") are read
/// as minor: when the bass's last note's pitch class is the tonic of the
/// relative minor of the key signature in force there (A for no sharps or
/// flats, E for one sharp). False when the bass has no note.
bool inferred_minor(const Chorale& chorale);
/// Whether the key signature in force at `tick` is read as minor: its mode
/// when it is "minor" or "major", else inferred_minor(chorale).
bool key_is_minor(const Chorale& chorale, int tick);
/// The pitch classes in the key of a signature of `fifths` sharps (negative:
/// flats), as a mask (bit p set for pitch class p, C = 0): the signature's
/// major scale, plus the relative minor's raised sixth and seventh when
/// `minor`.
std::uint16_t key_pitch_classes(int fifths, bool minor);

/// One rule's count, with its key (as in JSON: "parallel_fifths") and label
/// (as in tables: "parallel fifths").
struct RuleCount {
    const char* key;
    const char* label;
    std::int64_t count;
};
/// The ten rule counts in a fixed order: parallel fifths, parallel octaves,
/// contrary fifths, contrary octaves, hidden fifths, hidden octaves, voice
/// crossings, spacing, out of range, out of key.
std::vector<RuleCount> rule_counts(const VoiceLeadingStats& stats);

/// Statistics of a set of chorales.
struct VoiceLeadingSummary {
    std::size_t chorales = 0;
    VoiceLeadingStats total;

    /// count / chorales (0 without chorales).
    double per_chorale(std::int64_t count) const;
    /// 100 * count / total.events (0 without events).
    double per_100_events(std::int64_t count) const;
};
VoiceLeadingSummary summarize(const std::vector<VoiceLeadingStats>& stats);

/// How often a harmonization sounds what a reference sounds, tick by tick.
/// At each tick, a voice agrees in pitch when both sound the same MIDI number
/// (spelling ignored: C#4 = Db4) or both rest, and in pitch class when both
/// sound the same MIDI number modulo 12 or both rest. Sums over chorales with
/// +=; the fractions weigh every tick alike.
struct Agreement {
    std::int64_t ticks = 0;
    std::array<std::int64_t, kNumVoices> same_pitch{};
    std::array<std::int64_t, kNumVoices> same_pitch_class{};

    /// Fraction of ticks on which `voice` agrees (0 without ticks).
    double pitch(int voice) const;
    double pitch_class(int voice) const;
    /// The same over alto, tenor and bass together (the voices a
    /// harmonization writes).
    double lower_pitch() const;
    double lower_pitch_class() const;

    Agreement& operator+=(const Agreement& other);
};

/// Compares `generated` with `reference` tick by tick. Throws Error (naming
/// both sources) when their lengths differ.
Agreement agreement(const Chorale& generated, const Chorale& reference);

}  // namespace deepbach
