// libdeepbach: spelled pitches and transposition along the line of fifths.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace deepbach {

/// A spelled pitch: step (C D E F G A B), alteration in semitones (-2..+2)
/// and octave in scientific notation (C4 is middle C, MIDI 60).
/// C#4 and Db4 are different pitches with the same MIDI number.
struct Pitch {
    std::int8_t step = 0;    ///< 0 = C, 1 = D, ... 6 = B
    std::int8_t alter = 0;   ///< -2 (double flat) .. +2 (double sharp)
    std::int8_t octave = 4;  ///< -1 .. 9

    /// MIDI key number (C4 = 60). Octave follows the step, so B#3 is 60 and Cb4 is 59.
    int midi() const;
    /// Position on the line of fifths: C = 0, G = 1, F = -1, F# = 6, Bb = -2.
    int fifths() const;
    /// "C4", "F#3", "Bb2", "E##5", "Abb4".
    std::string name() const;
    /// Step letter alone: 'C' .. 'B'.
    char step_letter() const;

    /// Parses the form name() writes (also accepts lower-case letters).
    /// Throws Error on anything else.
    static Pitch parse(std::string_view text);
    /// The pitch whose line-of-fifths position is `fifths` and whose MIDI
    /// number is `midi`. Throws Error if the alteration would leave -2..+2
    /// or the octave -1..9.
    static Pitch from_fifths_and_midi(int fifths, int midi);
    /// The plain spelling of a MIDI number, for ranges and messages: sharps
    /// for the black keys but Eb and Bb (C#, Eb, F#, G#, Bb). Throws Error
    /// outside octaves -1..9.
    static Pitch from_midi(int midi);

    friend bool operator==(const Pitch& a, const Pitch& b) {
        return a.step == b.step && a.alter == b.alter && a.octave == b.octave;
    }
    friend bool operator!=(const Pitch& a, const Pitch& b) { return !(a == b); }
    /// Orders by MIDI number, then by line-of-fifths position (flats first).
    friend bool operator<(const Pitch& a, const Pitch& b);
};

/// A spelled interval: how many semitones and how many steps along the line
/// of fifths. A major second up is {2, 2}, a minor second up {1, -5}, a
/// diminished third {2, -10}. Transposing a pitch adds both.
struct Interval {
    int semitones = 0;
    int fifths = 0;

    /// The spelling of a shift of `semitones` that keeps a piece in
    /// `key_fifths` within 7 sharps or flats with as few accidentals in the
    /// new key signature as possible (ties go to the smaller |fifths|
    /// move). Throws Error if no spelling keeps the key within 7.
    static Interval for_shift(int semitones, int key_fifths);
    /// Same, for a piece with several keys: every key must stay within 7,
    /// and the largest number of accidentals is minimised.
    static Interval for_shift(int semitones, int min_key_fifths, int max_key_fifths);

    friend bool operator==(const Interval& a, const Interval& b) {
        return a.semitones == b.semitones && a.fifths == b.fifths;
    }
};

/// Transposes a pitch. Throws Error if the result needs more than a double
/// sharp or flat or leaves octaves -1..9.
Pitch transpose(const Pitch& p, const Interval& by);

/// Transposes a key signature (fifths) by an interval.
inline int transpose_key(int key_fifths, const Interval& by) {
    return key_fifths + by.fifths;
}

}  // namespace deepbach
