// Positions and keys written as people write them, shared by the command
// line and the Python package.
#include "util/text.hpp"

#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>

namespace deepbach {

namespace {

using text::lower;
using text::shown;
using text::trim;
using text::whole_number;

}  // namespace

KeyName parse_key(std::string_view text) {
    const std::string t = trim(text);
    long long n = 0;
    if (whole_number(t, n)) {
        if (n < -7 || n > 7) throw Error("a key signature has at most 7 sharps or flats");
        return {static_cast<int>(n), ""};
    }
    static const std::string letters = "FCGDAEB";  // line of fifths from -1
    const auto at = t.empty() ? std::string::npos : letters.find(static_cast<char>(std::toupper(t[0])));
    if (at == std::string::npos)
        throw Error("expected a key like D, Bb, F#m, 'g minor', 'Eb major' or a signature like -2");
    int fifths = static_cast<int>(at) - 1;
    std::size_t i = 1;
    for (; i < t.size() && (t[i] == '#' || t[i] == 'b'); ++i) fifths += t[i] == '#' ? 7 : -7;
    std::string rest = lower(trim(std::string_view(t).substr(i)));
    if (!rest.empty() && rest[0] == '-') rest = trim(std::string_view(rest).substr(1));
    bool minor = std::islower(static_cast<unsigned char>(t[0])) != 0;
    if (rest == "m" || rest == "min" || rest == "minor")
        minor = true;
    else if (rest == "maj" || rest == "major")
        minor = false;
    else if (!rest.empty())
        throw Error("unknown mode '" + shown(rest) + "' (expected major or minor)");
    const int signature = minor ? fifths - 3 : fifths;
    if (signature < -7 || signature > 7)
        throw Error(shown(t) + " would need " + std::to_string(std::abs(signature)) +
                    (signature > 0 ? " sharps" : " flats") + " (at most 7)");
    return {signature, minor ? "minor" : "major"};
}

int beat_tick(const Chorale& grid, std::string_view text) {
    const std::string t = trim(text);
    const auto dot = t.rfind('.');
    long long beat = 0;
    if (dot == std::string::npos) {
        if (!whole_number(t, beat) || beat < 1)
            throw Error("expected a beat N (from 1) or BAR.BEAT, not '" + shown(t) + "'");
        const int beats = (grid.num_ticks + kTicksPerQuarter - 1) / kTicksPerQuarter;
        if (beat > beats)
            throw Error("beat " + t + " is past the end of the piece (" + std::to_string(beats) + " beats)");
        return static_cast<int>(beat - 1) * kTicksPerQuarter;
    }
    const std::string bar = trim(t.substr(0, dot));
    if (bar.empty() || !whole_number(trim(t.substr(dot + 1)), beat) || beat < 1)
        throw Error("expected a beat N (from 1) or BAR.BEAT, not '" + shown(t) + "'");
    const TickRange ticks = bar_ticks(grid, bar, bar);
    // Compared as beats, so that a huge beat cannot overflow.
    const long long bar_beats = (ticks.end - ticks.begin + kTicksPerQuarter - 1) / kTicksPerQuarter;
    if (beat > bar_beats) throw Error("bar " + bar + " has " + std::to_string(bar_beats) + " beats");
    return ticks.begin + static_cast<int>(beat - 1) * kTicksPerQuarter;
}

TickRange fermata_span(const Chorale& base, int tick, bool melody) {
    if (tick < 0 || tick >= base.num_ticks)
        return {tick, tick + kTicksPerQuarter};  // compile_problem says where
    if (!melody) return {tick, std::min(base.num_ticks, tick + kTicksPerQuarter)};
    int begin = tick, end = tick + 1;
    while (begin > 0 && base.at(kSoprano, begin) == token::kHold) --begin;
    while (end < base.num_ticks && base.at(kSoprano, end) == token::kHold) ++end;
    return {begin, end};
}

}  // namespace deepbach
