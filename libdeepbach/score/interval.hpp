// Spelled melodic intervals (internal header): the one place that says how
// big a second, a third, ... is, for the rules that count augmented
// intervals (eval/voice_leading.cpp) and the relational terms that weigh
// them (nn/relational.hpp).
#pragma once

#include <deepbach/pitch.hpp>

namespace deepbach::detail {

/// A pitch's place on the staff: octave x 7 + step (C4 is 28, D4 29).
inline int staff_position(const Pitch& p) {
    return p.octave * 7 + p.step;
}

/// The quality of an interval of `letters` staff steps and `semitones`
/// (both unsigned; compound intervals as their simple ones): semitones minus
/// the major or perfect size of its number (0 2 4 5 7 9 11 for a unison to
/// a seventh, plus 12 an octave). 0 major or perfect, -1 minor (or
/// diminished, for a unison, fourth or fifth), +1 augmented; an augmented
/// second is +1, a diminished third -2.
inline int interval_quality(int letters, int semitones) {
    static constexpr int kMajorOrPerfect[7] = {0, 2, 4, 5, 7, 9, 11};
    return semitones - kMajorOrPerfect[letters % 7] - 12 * (letters / 7);
}

}  // namespace deepbach::detail
