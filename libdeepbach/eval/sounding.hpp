// The pitch each voice sounds at each tick (internal header of libdeepbach/eval).
#pragma once

#include <deepbach/chorale.hpp>

#include <vector>

namespace deepbach::eval {

/// MIDI number sounding in `voice` at each tick (a hold continues the note
/// before it), -1 for a rest or padding.
inline std::vector<int> sounding_midi(const Chorale& c, int voice) {
    std::vector<int> out(static_cast<std::size_t>(c.num_ticks), -1);
    int current = -1;
    for (int t = 0; t < c.num_ticks; ++t) {
        const Token tok = c.at(voice, t);
        if (token::is_pitch(tok))
            current = token::to_pitch(tok).midi();
        else if (tok != token::kHold)
            current = -1;
        out[static_cast<std::size_t>(t)] = current;
    }
    return out;
}

}  // namespace deepbach::eval
