// The text forms of constraints (deepbach/constraints.hpp): what the
// command's options and the Python package's strings say, parsed once.
#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/pitch.hpp>

#include "util/text.hpp"

#include <string>

namespace deepbach {

namespace {

using text::lower;
using text::shown;
using text::split;
using text::trim;
using text::whole_number;

[[noreturn]] void bad(std::string_view form, std::string_view text, const std::string& why) {
    throw Error(std::string(form) + " '" + shown(std::string(text)) + "': " + why);
}

// Runs fn; an Error it throws is said again with the form and its text in front.
template <class Fn>
auto for_form(std::string_view form, std::string_view text, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        bad(form, text, e.what());
    }
}

// Splits "A:B" at the first (or last) colon; both sides must be there.
std::pair<std::string, std::string> colon_pair(std::string_view form, std::string_view text,
                                               const std::string& expected, bool last = false) {
    const std::string t(text);
    const auto at = last ? t.rfind(':') : t.find(':');
    if (at == std::string::npos || at == 0 || at + 1 == t.size()) bad(form, text, "expected " + expected);
    return {trim(t.substr(0, at)), trim(t.substr(at + 1))};
}

}  // namespace

std::array<bool, kNumVoices> parse_voices(std::string_view text) {
    std::array<bool, kNumVoices> voices{false, false, false, false};
    const std::string t = trim(text);
    std::vector<std::string> names;
    if (t.find(',') != std::string::npos) {
        names = split(t, ',');
    } else {
        bool whole_name = false;
        for (int v = 0; v < kNumVoices; ++v) whole_name = whole_name || lower(t) == lower(voice_name(v));
        if (whole_name)
            names = {t};
        else
            for (char c : t)
                if (c != ' ') names.emplace_back(1, c);
    }
    if (names.empty()) throw Error("no voice named (expected letters of SATB, e.g. ATB)");
    for (const auto& n : names) voices[static_cast<size_t>(parse_voice(n))] = true;
    return voices;
}

TickRange parse_bars(const Chorale& grid, std::string_view text) {
    const std::string t = trim(text);
    const auto dash = t.find('-', 1);
    const std::string first = trim(t.substr(0, dash));
    const std::string last = dash == std::string::npos ? first : trim(t.substr(dash + 1));
    if (first.empty() || last.empty())
        throw Error("expected bars as 3 or 3-5, not '" + shown(std::string(text)) + "'");
    return bar_ticks(grid, first, last);
}

int parse_midi(std::string_view text) {
    const std::string t = trim(text);
    long long n = 0;
    if (whole_number(t, n)) {
        if (n < 0 || n > 127) throw Error("MIDI number " + t + " is outside 0..127");
        return static_cast<int>(n);
    }
    // A name's number checked too: B9 is 131 and Cb-1 is -1 (fuzz_constraints).
    const int midi = Pitch::parse(t).midi();
    if (midi < 0 || midi > 127)
        throw Error("pitch " + shown(t) + " is MIDI " + std::to_string(midi) +
                    ", outside 0..127 (C-1 to G9)");
    return midi;
}

Token parse_fix_token(std::string_view text) {
    const std::string t = trim(text);
    if (lower(t) == "rest") return token::kRest;
    if (lower(t) == "hold" || t == "__") return token::kHold;
    return token::from_pitch(Pitch::parse(t));
}

VoiceRange parse_voice_range(std::string_view text) {
    const std::string span = trim(text);
    const auto dots = span.find("..");
    const auto dash = span.find('-', 1);
    const std::size_t cut = dots != std::string::npos ? dots : dash;
    if (cut == std::string::npos) throw Error("expected LOW-HIGH, e.g. E2-C4");
    const std::string low = trim(span.substr(0, cut)),
                      high = trim(span.substr(cut + (dots != std::string::npos ? 2 : 1)));
    const VoiceRange range{parse_midi(low), parse_midi(high)};
    if (range.empty()) throw Error("the lowest pitch is above the highest");
    return range;
}

std::vector<int> beat_ticks(const Chorale& chorale, std::string_view text) {
    std::vector<int> out;
    for (const auto& beat : split(std::string(text), ',')) out.push_back(beat_tick(chorale, beat));
    return out;
}

std::vector<TickRange> parse_fermatas(const Chorale& base, std::string_view text, bool melody) {
    return for_form("fermata", text, [&] {
        std::vector<TickRange> out;
        for (int tick : beat_ticks(base, text)) out.push_back(fermata_span(base, tick, melody));
        return out;
    });
}

Cadence parse_cadence(const Chorale& base, std::string_view text) {
    const auto beat_type = colon_pair("cadence", text, "BEAT:TYPE, e.g. 16:authentic or 4.4:half", true);
    return for_form("cadence", text, [&] {
        return Cadence{beat_tick(base, beat_type.first), parse_cadence_type(beat_type.second)};
    });
}

FixedNote parse_fix(const Chorale& base, std::string_view text) {
    const auto parts = split(std::string(text), ':');
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty())
        bad("fix", text, "expected VOICE:BARS:PITCH, e.g. bass:4:G2 or alto:2-3:rest");
    return for_form("fix", text, [&] {
        FixedNote f;
        f.voice = parse_voice(parts[0]);
        f.ticks = parse_bars(base, parts[1]);
        f.token = parse_fix_token(parts[2]);
        return f;
    });
}

RhythmConstraint parse_rhythm(const Chorale& base, std::string_view text) {
    const auto voice_bars = colon_pair("rhythm", text, "VOICE:BARS, e.g. tenor:2-3");
    return for_form("rhythm", text, [&] {
        return RhythmConstraint{parse_voice(voice_bars.first), parse_bars(base, voice_bars.second)};
    });
}

KeyChange parse_key_change(const Chorale& base, std::string_view text) {
    const auto bar_key = colon_pair("key", text, "BAR:KEY, e.g. 5:D or 9:g minor");
    return for_form("key", text, [&] {
        const KeyName k = parse_key(bar_key.second);
        return KeyChange{bar_ticks(base, bar_key.first, bar_key.first).begin, k.fifths, k.mode};
    });
}

std::pair<int, VoiceRange> parse_range(std::string_view text) {
    const auto voice_span = colon_pair("range", text, "VOICE:LOW-HIGH, e.g. bass:E2-C4");
    return for_form("range", text, [&] {
        return std::pair<int, VoiceRange>{parse_voice(voice_span.first),
                                          parse_voice_range(voice_span.second)};
    });
}

Region parse_region(const Chorale& base, std::string_view text) {
    const std::string t = trim(text);
    if (t.empty()) bad("region", text, "expected BARS or BARS:VOICES, e.g. 3-4 or 3-4:ATB");
    const auto colon = t.find(':');
    return for_form("region", text, [&] {
        Region r;
        r.ticks = parse_bars(base, t.substr(0, colon));
        if (colon != std::string::npos) r.voices = parse_voices(t.substr(colon + 1));
        return r;
    });
}

Constraints parse_constraints(const Chorale& base, const ConstraintText& text, bool melody) {
    Constraints c;
    for (const auto& t : text.fermatas)
        for (const TickRange& f : parse_fermatas(base, t, melody)) c.fermatas.push_back(f);
    for (const auto& t : text.cadences) c.cadences.push_back(parse_cadence(base, t));
    for (const auto& t : text.fixes) c.fixed.push_back(parse_fix(base, t));
    for (const auto& t : text.rhythms) c.rhythm.push_back(parse_rhythm(base, t));
    for (const auto& t : text.keys) c.keys.push_back(parse_key_change(base, t));
    for (const auto& t : text.ranges) {
        const auto [voice, range] = parse_range(t);
        c.ranges[static_cast<size_t>(voice)] = range;
    }
    for (const auto& t : text.regions) c.regions.push_back(parse_region(base, t));
    c.final_cadence = text.final_cadence;
    c.full_texture = text.full_texture;
    return c;
}

}  // namespace deepbach
