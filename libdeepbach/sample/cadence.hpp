// The chords that cadences ask for, and the key (with its mode) a cadence is
// heard in (internal header).
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>

#include <array>
#include <string>

namespace deepbach::sample {

/// A key: its signature and whether it is minor. Positions on the line of
/// fifths (C = 0, G = 1, F = -1) keep the spelling for messages.
struct Key {
    int fifths = 0;
    bool minor = false;

    /// Line-of-fifths position of the tonic: the signature's major tonic, or
    /// its relative minor's (three fifths up).
    int tonic() const { return minor ? fifths + 3 : fifths; }
    /// "G major", "F# minor".
    std::string name() const;
};

/// What a cadence asks of the voices, as line-of-fifths positions.
struct CadenceChord {
    std::array<int, 3> tones{};  ///< root, third, fifth of the chord at the cadence tick
    bool has_bass_before = false;
    int bass_before = 0;  ///< the bass a quarter before (dominant or subdominant root)

    int root() const { return tones[0]; }
    /// Whether a MIDI pitch sounds one of the chord's tones (any spelling).
    bool contains(int midi) const;
    /// "G B D".
    std::string spelled() const;
};

/// The chord of a cadence type in a key: authentic and plagal end on I (i),
/// half on V, deceptive on vi (VI in minor). In minor, V takes the raised
/// leading tone (harmonic minor), as Bach's cadences do.
CadenceChord cadence_chord(CadenceType type, const Key& key);

/// Pitch class (0..11, C = 0) of a line-of-fifths position.
int pitch_class(int fifths);
/// Name of a line-of-fifths position without octave: "C", "F#", "Bb".
std::string spelled_name(int fifths);

/// The key in force at `tick`: the signature from grid.key_fifths, the mode
/// from the grid.keys entry in force. A key whose mode is not written is
/// taken as minor when the last note of the bass before the next key change
/// (the soprano's, if the bass has none) is the relative minor's tonic, as
/// chorales end on the tonic in the bass; else major.
Key key_at(const Chorale& grid, int tick);

}  // namespace deepbach::sample
