// check_grid: checks on the grid of a written chorale, for the command-line
// tests of harmonize, generate and reharmonize. Exit 0 when the check holds;
// otherwise one line on stderr saying where it fails, and exit 1.
//
//   check_grid soprano MELODY OUT             OUT's soprano is MELODY's, note for note
//   check_grid outside IN OUT BARS VOICES     outside bars x voices (e.g. 2-3 ATB) OUT sounds IN's
//                                             notes tick by tick, with IN's onsets (a redrawn voice's
//                                             note held over the end may be struck again there)
//   check_grid fixed OUT VOICE BARS PITCH     one note (or "rest") sounds over the bars
//   check_grid rhythm REF REFVOICE OUT VOICE BARS
//                                             onsets, holds and rests of OUT's voice are REF's
//   check_grid range OUT VOICE LOW HIGH       every pitch of the voice within LOW..HIGH
//   check_grid shape OUT BARS BEATS/TYPE FIFTHS
//                                             bars, time and key signature of OUT
//   check_grid fermata OUT TICK               a fermata over TICK
//   check_grid cadence OUT TICK TYPE          every voice starts a tone of the cadence's chord at
//                                             TICK, the bass its root
//   check_grid svg SVG OUT FIXED_VOICES       SVG is a well-formed piano roll of OUT: in each voice
//                                             one rectangle per note, all marked fixed in the voices
//                                             FIXED_VOICES names in capitals (e.g. S), some fixed and
//                                             some generated in those it names in lower case, all
//                                             generated in the others ("-": none fixed)
//
// MELODY and REF are read as harmonize reads a melody (one part, or the
// soprano of a chorale); IN and OUT as four-part chorales.
#include "sample/cadence.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>

#include <pugixml.hpp>

#include <cstdio>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

Chorale chorale_of(const std::string& file) {
    return to_chorale(read_score(file));
}

[[noreturn]] void mismatch(const Chorale& c, int voice, int tick, const std::string& what) {
    fail({c.source, c.bar_at(tick), voice >= 0 ? voice_name(voice) : ""},
         what + " (tick " + std::to_string(tick) + ")");
}

void same_length(const Chorale& a, const Chorale& b) {
    if (a.num_ticks != b.num_ticks)
        throw Error(b.source + ": " + std::to_string(b.num_ticks) + " ticks, " + a.source + " has " +
                    std::to_string(a.num_ticks));
}

// 0 hold, 1 rest, 2 the onset of a pitch.
int kind(Token t) {
    return t == token::kHold ? 0 : t == token::kRest ? 1 : 2;
}

TickRange bars_of(const Chorale& c, const std::string& text) {
    const auto dash = text.find('-', 1);
    return bar_ticks(c, text.substr(0, dash), dash == std::string::npos ? text : text.substr(dash + 1));
}

// The token of the note or rest voice v sounds at tick t (holds followed back to their onset).
Token heard(const Chorale& c, int v, int t) {
    while (t > 0 && c.at(v, t) == token::kHold) --t;
    return c.at(v, t);
}

int midi_of(const std::string& text) {
    return Pitch::parse(text).midi();
}

int run(const std::vector<std::string>& a) {
    const std::string& what = a.at(0);
    if (what == "soprano" && a.size() == 3) {
        const Chorale melody = melody_chorale(read_score(a[1])), out = chorale_of(a[2]);
        same_length(melody, out);
        for (int t = 0; t < out.num_ticks; ++t)
            if (melody.at(kSoprano, t) != out.at(kSoprano, t))
                mismatch(out, kSoprano, t,
                         token::name(out.at(kSoprano, t)) + " where the melody has " +
                             token::name(melody.at(kSoprano, t)));
        return 0;
    }
    if (what == "outside" && a.size() == 5) {
        const Chorale in = chorale_of(a[1]), out = chorale_of(a[2]);
        same_length(in, out);
        const TickRange ticks = bars_of(in, a[3]);
        int changed = 0, struck = 0;
        for (int v = 0; v < kNumVoices; ++v) {
            const bool redrawn = a[4].find("SATB"[v]) != std::string::npos;
            for (int t = 0; t < in.num_ticks; ++t) {
                const bool inside = redrawn && ticks.contains(t);
                if (inside) {
                    changed += in.at(v, t) != out.at(v, t);
                    continue;
                }
                // What is heard: the note or rest going on, holds followed back.
                if (heard(in, v, t) != heard(out, v, t))
                    mismatch(out, v, t,
                             "outside the region: " + token::name(heard(out, v, t)) + " sounds (" +
                                 token::name(out.at(v, t)) + "), the input has " +
                                 token::name(heard(in, v, t)) + " (" + token::name(in.at(v, t)) + ")");
                // The same onsets, except that a note held over the region's
                // end may be struck again just after it.
                if (in.at(v, t) == out.at(v, t)) continue;
                if (redrawn && t == ticks.end && in.at(v, t) == token::kHold) {
                    ++struck;
                    continue;
                }
                mismatch(out, v, t,
                         "outside the region: " + token::name(out.at(v, t)) + ", the input has " +
                             token::name(in.at(v, t)));
            }
        }
        std::printf(
            "outside the region: the same notes (%d struck again after it); inside: %d cells changed\n",
            struck, changed);
        return 0;
    }
    if (what == "fixed" && a.size() == 5) {
        const Chorale out = chorale_of(a[1]);
        const int v = parse_voice(a[2]);
        const TickRange ticks = bars_of(out, a[3]);
        const Token want = a[4] == "rest" ? token::kRest : token::parse(a[4]);
        for (int t = ticks.begin; t < ticks.end; ++t) {
            const Token expected = t == ticks.begin ? want : token::kHold;
            if (out.at(v, t) != expected)
                mismatch(out, v, t,
                         token::name(out.at(v, t)) + " where " + token::name(expected) + " is fixed");
        }
        if (ticks.end < out.num_ticks && out.at(v, ticks.end) == token::kHold)
            mismatch(out, v, ticks.end, "the fixed note goes on past its bars");
        return 0;
    }
    if (what == "rhythm" && a.size() == 6) {
        const Chorale ref = melody_chorale(read_score(a[1]));
        const Chorale ref4 = read_score(a[1]).parts.size() >= kNumVoices ? chorale_of(a[1]) : ref;
        const Chorale out = chorale_of(a[3]);
        same_length(ref, out);
        const int rv = parse_voice(a[2]), v = parse_voice(a[4]);
        const TickRange ticks = bars_of(out, a[5]);
        for (int t = ticks.begin; t < ticks.end; ++t)
            if (kind(ref4.at(rv, t)) != kind(out.at(v, t)))
                mismatch(
                    out, v, t,
                    token::name(out.at(v, t)) + " against " + token::name(ref4.at(rv, t)) + " in the rhythm");
        return 0;
    }
    if (what == "range" && a.size() == 5) {
        const Chorale out = chorale_of(a[1]);
        const int v = parse_voice(a[2]), low = midi_of(a[3]), high = midi_of(a[4]);
        for (int t = 0; t < out.num_ticks; ++t)
            if (token::is_pitch(out.at(v, t))) {
                const int m = token::to_pitch(out.at(v, t)).midi();
                if (m < low || m > high)
                    mismatch(out, v, t, token::name(out.at(v, t)) + " outside the range");
            }
        return 0;
    }
    if (what == "shape" && a.size() == 5) {
        const Chorale out = chorale_of(a[1]);
        const std::string time =
            std::to_string(out.times.front().beats) + "/" + std::to_string(out.times.front().beat_type);
        if (std::to_string(out.measure_ticks.size()) != a[2] || time != a[3] ||
            std::to_string(out.keys.front().fifths) != a[4])
            throw Error(a[1] + ": " + std::to_string(out.measure_ticks.size()) + " bars of " + time + ", " +
                        std::to_string(out.keys.front().fifths) + " fifths; expected " + a[2] + " bars of " +
                        a[3] + ", " + a[4] + " fifths");
        return 0;
    }
    if (what == "fermata" && a.size() == 3) {
        const Chorale out = chorale_of(a[1]);
        const int t = std::stoi(a[2]);
        if (t < 0 || t >= out.num_ticks || !out.fermata[static_cast<size_t>(t)])
            mismatch(out, kSoprano, t, "no fermata");
        return 0;
    }
    if (what == "cadence" && a.size() == 4) {
        const Chorale out = chorale_of(a[1]);
        const int t = std::stoi(a[2]);
        const sample::CadenceChord chord =
            sample::cadence_chord(parse_cadence_type(a[3]), sample::key_at(out, t));
        for (int v = 0; v < kNumVoices; ++v) {
            const auto p = out.sounding(v, t);
            if (!p) mismatch(out, v, t, "a rest at the cadence");
            const bool ok =
                v == kBass ? p->midi() % 12 == sample::pitch_class(chord.root()) : chord.contains(p->midi());
            if (!ok)
                mismatch(
                    out, v, t,
                    p->name() + " is not " + (v == kBass ? "the root" : "a tone") + " of " + chord.spelled());
        }
        return 0;
    }
    if (what == "svg" && a.size() == 4) {
        pugi::xml_document doc;
        const pugi::xml_parse_result r = doc.load_file(a[1].c_str());
        if (!r) throw Error(a[1] + ": not well-formed XML: " + r.description());
        const Chorale out = chorale_of(a[2]);
        for (int v = 0; v < kNumVoices; ++v) {
            int notes = 0;
            for (int t = 0; t < out.num_ticks; ++t) notes += token::is_pitch(out.at(v, t)) ? 1 : 0;
            const char letter = voice_name(v)[0];
            const bool mixed = a[3].find(static_cast<char>(letter - 'A' + 'a')) != std::string::npos;
            const bool fixed = a[3].find(letter) != std::string::npos;
            const std::string group = std::string("//g[@id='") +
                                      (v == 0   ? "soprano"
                                       : v == 1 ? "alto"
                                       : v == 2 ? "tenor"
                                                : "bass") +
                                      "']";
            const size_t n_fixed = doc.select_nodes((group + "/rect[@class='fixed']").c_str()).size();
            const size_t n_generated = doc.select_nodes((group + "/rect[@class='generated']").c_str()).size();
            const size_t all = doc.select_nodes((group + "/rect").c_str()).size();
            const size_t marked = fixed ? n_fixed : n_generated;
            if (mixed && (all != static_cast<size_t>(notes) || n_fixed + n_generated != all || n_fixed == 0 ||
                          n_generated == 0))
                throw Error(a[1] + ": " + voice_name(v) + " has " + std::to_string(notes) +
                            " notes, the roll " + std::to_string(n_fixed) + " fixed and " +
                            std::to_string(n_generated) + " generated of " + std::to_string(all) +
                            " rectangles; expected some of each");
            if (!mixed && (marked != static_cast<size_t>(notes) || all != marked))
                throw Error(a[1] + ": " + voice_name(v) + " has " + std::to_string(notes) +
                            " notes, the roll " + std::to_string(all) + " rectangles of which " +
                            std::to_string(marked) + " " + (fixed ? "fixed" : "generated"));
        }
        return 0;
    }
    std::fprintf(stderr, "check_grid: unknown check or wrong arguments (see the top of check_grid.cpp)\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: check_grid CHECK ARGS... (see the top of check_grid.cpp)\n");
        return 2;
    }
    try {
        return run(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::exception& e) {
        std::fprintf(stderr, "check_grid: %s\n", e.what());
        return 1;
    }
}
