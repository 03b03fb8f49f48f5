// A melody to harmonize, read through the chorale conversion (to_chorale) so
// that it follows the same grid rules and gives the same errors.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>

#include <algorithm>
#include <cstddef>

namespace deepbach {

Chorale melody_chorale(const Score& score, const ChoraleOptions& options) {
    const Location where{score.source, "", ""};
    const int n = static_cast<int>(score.parts.size());
    if (n == 0) fail(where, "the score has no parts");
    const size_t chosen = options.parts.size();
    if (chosen != 0 && chosen != 1 && chosen != kNumVoices)
        fail(where, "choose one part as the melody (or four as Soprano, Alto, Tenor, Bass)");

    Chorale c;
    if (chosen == 1 || (chosen == 0 && n == 1)) {
        const int melody = chosen == 1 ? options.parts[0] : 0;
        if (melody < 0 || melody >= n)
            fail(where, "part " + std::to_string(melody) + " does not exist (the score has " +
                            std::to_string(n) + ")");
        // The melody as the soprano of a score whose other parts are empty:
        // measures, signatures, title and source stay as the score has them.
        Score four = score;
        four.parts = {score.parts[static_cast<size_t>(melody)], Part{}, Part{}, Part{}};
        c = to_chorale(four, ChoraleOptions{{0, 1, 2, 3}});
    } else if (chosen == kNumVoices || n >= kNumVoices) {
        c = to_chorale(score, options);
    } else {
        fail(where, std::to_string(n) +
                        " parts; a melody needs one part (or a chorale of four, whose soprano is taken)");
    }

    // The lower voices are to be written: silent, not rests at every barline.
    for (int v = kAlto; v < kNumVoices; ++v) {
        std::fill(c.tokens.begin() + static_cast<std::ptrdiff_t>(v) * c.num_ticks,
                  c.tokens.begin() + static_cast<std::ptrdiff_t>(v + 1) * c.num_ticks, token::kHold);
        c.at(v, 0) = token::kRest;
    }
    c.part_names = Chorale{}.part_names;
    return c;
}

}  // namespace deepbach
