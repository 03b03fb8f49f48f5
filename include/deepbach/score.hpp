// libdeepbach: the notation model, what a score file says.
#pragma once

#include <deepbach/pitch.hpp>
#include <deepbach/rational.hpp>

#include <optional>
#include <string>
#include <vector>

namespace deepbach {

/// A note or a rest as written. Onsets and durations are in quarter notes,
/// measured from the start of the first measure (the pickup, if any).
/// Tied notes stay separate notes with tie_start/tie_stop set; a note may
/// also span a barline (the writers split and tie it).
struct Note {
    Rational onset;
    Rational duration;           ///< > 0
    std::optional<Pitch> pitch;  ///< nullopt for a rest
    bool tie_start = false;      ///< tied to the next note of the same pitch
    bool tie_stop = false;       ///< tied from the previous note
    bool fermata = false;
    int voice = 1;    ///< MusicXML voice number inside the part
    int measure = 0;  ///< index into Score::measures of the measure it starts in

    bool is_rest() const { return !pitch.has_value(); }
    Rational end() const { return onset + duration; }
};

/// One part (one staff's worth of music): a singer or an instrument.
struct Part {
    std::string id;            ///< "P1"
    std::string name;          ///< "Soprano"
    std::string abbreviation;  ///< "S."
    std::vector<Note> notes;   ///< sorted by onset, then voice; chords share an onset
};

struct KeySignature {
    Rational onset;
    int fifths = 0;    ///< -7 .. +7
    std::string mode;  ///< "major", "minor" or "" when not given
};

struct TimeSignature {
    Rational onset;
    int beats = 4;
    int beat_type = 4;
    Rational measure_length() const { return Rational(4 * beats, beat_type); }
};

struct Measure {
    Rational onset;
    Rational duration;      ///< the length actually filled (a pickup is shorter)
    std::string number;     ///< as written: "0", "1", "12a"
    bool implicit = false;  ///< MusicXML implicit="yes" (a pickup or a split bar)
};

/// A whole score: parts, measures, key and time signatures.
struct Score {
    std::string title;
    std::string composer;
    std::string source;  ///< the file it was read from, for messages
    std::vector<Part> parts;
    std::vector<Measure> measures;     ///< in order, covering [0, length())
    std::vector<KeySignature> keys;    ///< sorted by onset; the first at 0 when any
    std::vector<TimeSignature> times;  ///< sorted by onset; the first at 0 when any

    /// End of the last measure (0 when there are none).
    Rational length() const;
    /// Length of the first measure when it is shorter than its time signature, else 0.
    Rational pickup() const;
    /// Index of the measure that contains time t (the last one for t >= length()).
    int measure_index_at(const Rational& t) const;
    /// Measure number as written at time t ("?" when there are no measures).
    std::string bar_at(const Rational& t) const;
    /// Key signature in force at t (fifths 0 when none).
    KeySignature key_at(const Rational& t) const;
    /// Time signature in force at t (4/4 when none).
    TimeSignature time_at(const Rational& t) const;
};

}  // namespace deepbach
