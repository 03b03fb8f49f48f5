// What a part sounds: its notes with ties merged, and the MIDI channel it
// plays on. Shared by the MIDI writer and the WAV renderer, so that the two
// play the same notes on the same channels.
#pragma once

#include <deepbach/rational.hpp>
#include <deepbach/score.hpp>

#include <cstddef>
#include <vector>

namespace deepbach::detail {

constexpr int kChoirAahs = 52;  // General MIDI program 53, counted from 0

/// A sounding note after ties are merged.
struct Sounding {
    Rational onset;
    Rational end;
    int key = 0;  ///< MIDI key
};

/// The part's notes, each tie-continued note merged into the note it
/// continues (a note with tie_stop continues the note of the same key that
/// ends at its onset, preferring the same voice), sorted by onset. A pitch
/// outside MIDI 0..127 is an Error naming the bar and part.
std::vector<Sounding> merge_ties(const Score& score, const Part& part);

/// The channel of the part at `index`: 0..15 without 9 (General MIDI's
/// drums); more than fifteen parts share channels.
inline int midi_channel(std::size_t index) {
    int channel = static_cast<int>(index % 15);
    if (channel >= 9) ++channel;
    return channel;
}

}  // namespace deepbach::detail
