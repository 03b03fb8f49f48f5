// libdeepbach: DeepBach's view of a chorale, a 4 x T grid of tokens.
#pragma once

#include <deepbach/pitch.hpp>
#include <deepbach/score.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deepbach {

constexpr int kTicksPerQuarter = 4;
constexpr int kNumVoices = 4;

enum Voice : int { kSoprano = 0, kAlto = 1, kTenor = 2, kBass = 3 };

/// "Soprano", "Alto", "Tenor", "Bass".
const char* voice_name(int voice);
/// Accepts the names above, their first letters and 0..3 ("S", "alto", "2").
/// Throws Error otherwise.
int parse_voice(std::string_view text);

/// A grid cell. Tokens are universal (the same number means the same thing
/// in every voice and every model); a model's per-voice Vocabulary maps them
/// to dense indices.
using Token = std::int16_t;

namespace token {
constexpr Token kHold = 0;   ///< "__": the note or rest before goes on
constexpr Token kRest = 1;   ///< "rest": a rest starts here
constexpr Token kStart = 2;  ///< "START": padding before the piece
constexpr Token kEnd = 3;    ///< "END": padding after the piece
constexpr Token kFirstPitch = 4;
/// One past the largest token: pitches of octaves -1..9, steps C..B, alter -2..+2.
constexpr Token kCount = kFirstPitch + 11 * 7 * 5;

Token from_pitch(const Pitch& p);
bool is_pitch(Token t);
/// Throws Error when t is not a pitch token.
Pitch to_pitch(Token t);
/// "__", "rest", "START", "END" or the pitch name ("C#4").
std::string name(Token t);
/// Inverse of name(). Throws Error on unknown text.
Token parse(std::string_view text);
}  // namespace token

/// A time signature or key signature change placed on the grid.
struct GridTimeSignature {
    int tick = 0;
    int beats = 4;
    int beat_type = 4;
};
struct GridKeySignature {
    int tick = 0;
    int fifths = 0;
    std::string mode;
};

/// Four voices x T ticks (kTicksPerQuarter per quarter note) with per-tick
/// metadata, plus what it takes to write the piece back as a score.
struct Chorale {
    std::string title;
    std::string source;  ///< file it came from, for messages

    int num_ticks = 0;
    /// Row-major voices x ticks: tokens[v * num_ticks + t].
    std::vector<Token> tokens;

    // Per-tick metadata (each of size num_ticks).
    std::vector<std::uint8_t> fermata;        ///< 1 while a soprano note with a fermata sounds
    std::vector<std::uint8_t> beat_position;  ///< tick within its beat, counted from the bar start, 0..3
    std::vector<std::int8_t> key_fifths;      ///< key signature in force, -7..+7

    // Structure, for messages and for writing back.
    std::vector<int> measure_ticks;            ///< tick where each measure starts
    std::vector<std::string> measure_numbers;  ///< as written, parallel to measure_ticks
    std::vector<GridTimeSignature> times;      ///< at least one
    std::vector<GridKeySignature> keys;        ///< at least one
    std::array<std::string, kNumVoices> part_names{"Soprano", "Alto", "Tenor", "Bass"};

    /// An empty grid of `ticks` ticks: every voice a rest at 0 then holds,
    /// 4/4, C major, no fermatas, measures every 16 ticks.
    static Chorale empty(int ticks);

    Token at(int voice, int tick) const { return tokens[static_cast<size_t>(voice) * num_ticks + tick]; }
    Token& at(int voice, int tick) { return tokens[static_cast<size_t>(voice) * num_ticks + tick]; }
    const Token* voice_data(int voice) const {
        return tokens.data() + static_cast<size_t>(voice) * num_ticks;
    }

    /// Index of the measure containing `tick`.
    int measure_index_at(int tick) const;
    /// Measure number as written at `tick`.
    std::string bar_at(int tick) const;
    /// Where `tick` lies as a musician says it: "bar 3 beat 2" (beats are
    /// quarters counted from 1 within the measure; "beat 2.5" off the beat),
    /// or "tick 40" when the chorale has no measures.
    std::string position_at(int tick) const;
    /// The pitch sounding in `voice` at `tick` (following holds back), or
    /// nullopt for a rest.
    std::optional<Pitch> sounding(int voice, int tick) const;
    /// Lowest and highest MIDI number in a voice; {0, -1} when it has no note.
    std::pair<int, int> midi_range(int voice) const;

    /// Throws Error (naming source, bar and voice) unless the grid is well
    /// formed: sizes agree, a voice does not start with a hold, no START/END
    /// inside, metadata in range.
    void validate() const;
};

/// Per voice, num_ticks flags over a grid, e.g. Harmonization::fixed: 1
/// where a cell was fixed (given by the user or kept as it was), 0 where the
/// sampler drew it.
using CellMask = std::array<std::vector<std::uint8_t>, kNumVoices>;

/// The first `bars` measures of a chorale (all of it when it has no more),
/// with their metadata, time and key signatures.
Chorale first_bars(const Chorale& chorale, int bars);

/// What Score -> Chorale conversion may do.
struct ChoraleOptions {
    /// Parts to use as Soprano, Alto, Tenor, Bass, by index; empty picks the
    /// parts automatically (exactly four parts, or four parts named
    /// Soprano/Alto/Tenor/Bass among more).
    std::vector<int> parts;
};

/// Converts a score to a grid. Throws Error naming the file, bar and voice
/// for what the grid cannot hold: a note shorter than a sixteenth or off the
/// sixteenth grid, a tuplet, two notes at once in one voice, a wrong number
/// of parts.
Chorale to_chorale(const Score& score, const ChoraleOptions& options = {});

/// Reads a melody to harmonize: the soprano of a grid whose other voices are
/// silent (a rest at tick 0, then holds). The melody is the score's only
/// part, the part options.parts names when it names one, or, for a score of
/// four or more parts (or options.parts naming four), the soprano that
/// to_chorale() picks. Same grid rules, errors and metadata (fermatas from
/// the melody, beats, keys, times, measures) as to_chorale(); the part names
/// are Soprano, Alto, Tenor, Bass. Throws Error for two or three parts.
Chorale melody_chorale(const Score& score, const ChoraleOptions& options = {});

/// Converts a grid back to a score with four parts (Soprano, Alto, Tenor,
/// Bass). Lossless for everything the grid holds: to_chorale(to_score(c))
/// has c's tokens and metadata.
Score to_score(const Chorale& chorale);

/// Transposes every pitch and key signature. Throws Error if a pitch would
/// need a triple accidental or a key would pass 7 sharps or flats.
Chorale transpose(const Chorale& chorale, const Interval& by);
Score transpose(const Score& score, const Interval& by);

/// The spelled interval for a shift of `semitones` that keeps every key of
/// the chorale within 7 sharps or flats (see Interval::for_shift).
Interval interval_for_shift(const Chorale& chorale, int semitones);

}  // namespace deepbach
