// deepbach._core: deepbach.Constraints, the constraint kinds of the C++
// Constraints in a Pythonic form. Positions are kept as the user gave them
// (bar numbers as written, beats, or ticks) and placed on the piece's grid
// when a sampling call knows it (resolve()).
#include "constraints.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

namespace deepbach::py_bindings {

namespace {

std::string trim(const std::string& text) {
    const auto begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos) return "";
    return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

bool is_int(const py::handle& o) {
    return py::isinstance<py::int_>(o) && !py::isinstance<py::bool_>(o);
}

// A bar number given as text or a whole number.
std::string bar_text(const py::handle& o, const char* what) {
    if (is_int(o)) return std::to_string(o.cast<long long>());
    if (py::isinstance<py::str>(o)) {
        const std::string t = trim(o.cast<std::string>());
        if (t.empty()) throw Error(std::string(what) + ": an empty bar number");
        return t;
    }
    throw py::type_error(std::string(what) + ": a bar is a number as written ('3', 3), not " + repr_of(o));
}

// The text of a beat: "N" or "BAR.BEAT".
std::string beat_text(const py::handle& o, const char* what) {
    if (is_int(o)) return std::to_string(o.cast<long long>());
    if (py::isinstance<py::str>(o)) return trim(o.cast<std::string>());
    throw py::type_error(std::string(what) +
                         ": a beat is N (quarter notes from 1) or 'BAR.BEAT' as text, not " + repr_of(o));
}

TickRange ticks_arg(const py::handle& o, const char* what) {
    if (py::isinstance(o, py::module_::import("builtins").attr("range"))) {
        const int start = o.attr("start").cast<int>(), stop = o.attr("stop").cast<int>();
        if (o.attr("step").cast<int>() != 1)
            throw Error(std::string(what) + ": a tick range must have step 1");
        return {start, stop};
    }
    if (py::isinstance<py::tuple>(o) || py::isinstance<py::list>(o)) {
        const auto seq = py::reinterpret_borrow<py::sequence>(o);
        if (seq.size() == 2 && is_int(seq[0]) && is_int(seq[1]))
            return {seq[0].cast<int>(), seq[1].cast<int>()};
    }
    throw py::type_error(std::string(what) + ": ticks are (begin, end) or range(begin, end), not " +
                         repr_of(o));
}

// Bars ("3", "3-5", 3, ("3", "5")) or ticks; exactly one of them.
BarsArg where_arg(const py::handle& bars, const py::handle& ticks, const char* what) {
    BarsArg w;
    if (!ticks.is_none()) {
        if (!bars.is_none()) throw Error(std::string(what) + ": give bars or ticks, not both");
        w.is_ticks = true;
        w.ticks = ticks_arg(ticks, what);
        return w;
    }
    if (bars.is_none())
        throw Error(std::string(what) + ": give the bars ('3' or '3-5') or ticks=(begin, end)");
    if (py::isinstance<py::tuple>(bars) || py::isinstance<py::list>(bars)) {
        const auto seq = py::reinterpret_borrow<py::sequence>(bars);
        if (seq.size() != 2) throw Error(std::string(what) + ": bars as a pair are (first, last)");
        w.first = bar_text(seq[0], what);
        w.last = bar_text(seq[1], what);
        return w;
    }
    if (is_int(bars)) {
        w.first = w.last = bar_text(bars, what);
        return w;
    }
    w.text = bar_text(bars, what);  // "3" or "3-5": parse_bars() when placed
    return w;
}

// A pitch, rest or hold as a token.
Token token_arg(const py::handle& o, const char* what) {
    if (py::isinstance<Pitch>(o)) return token::from_pitch(o.cast<Pitch>());
    if (is_int(o)) {
        const long long t = o.cast<long long>();
        if (t < 0 || t >= token::kCount)
            throw Error(std::string(what) + ": token " + std::to_string(t) + " does not exist");
        return static_cast<Token>(t);
    }
    if (py::isinstance<py::str>(o)) return parse_fix_token(o.cast<std::string>());
    throw py::type_error(std::string(what) +
                         ": expected a pitch ('G2', a Pitch), 'rest', 'hold' or a token, not " + repr_of(o));
}

// A pitch as a MIDI number: a name ("C4", "Bb2"), a Pitch or the number itself.
int midi_arg(const py::handle& o) {
    if (py::isinstance<Pitch>(o)) return o.cast<Pitch>().midi();
    if (is_int(o)) {
        const long long n = o.cast<long long>();
        if (n < 0 || n > 127) throw Error("MIDI number " + std::to_string(n) + " is outside 0..127");
        return static_cast<int>(n);
    }
    if (py::isinstance<py::str>(o)) return parse_midi(o.cast<std::string>());
    throw py::type_error("expected a pitch ('E2', a Pitch) or a MIDI number, not " + repr_of(o));
}

std::array<bool, kNumVoices> voices_arg(const py::handle& o) {
    std::array<bool, kNumVoices> voices{false, false, false, false};
    std::vector<py::object> items;
    if (py::isinstance<py::str>(o)) return parse_voices(o.cast<std::string>());
    if (is_int(o)) {
        items.push_back(py::reinterpret_borrow<py::object>(o));
    } else if (py::isinstance<py::sequence>(o)) {
        for (const auto& item : o) items.push_back(py::reinterpret_borrow<py::object>(item));
    } else {
        throw py::type_error("voices are letters of SATB ('ATB'), names or a list of them, not " +
                             repr_of(o));
    }
    if (items.empty()) throw Error("no voice named (expected letters of SATB, e.g. 'ATB')");
    for (const auto& item : items) voices[static_cast<size_t>(voice_arg(item))] = true;
    return voices;
}

CadenceType cadence_arg(const py::handle& o) {
    if (py::isinstance<py::str>(o)) return parse_cadence_type(trim(o.cast<std::string>()));
    throw py::type_error("a cadence type is 'authentic', 'half', 'plagal' or 'deceptive', not " + repr_of(o));
}

// Runs fn; an Error it throws is said again with the call in front.
template <class Fn>
auto for_entry(const std::string& label, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const Cancelled&) {
        throw;
    } catch (const Error& e) {
        throw Error(label + ": " + e.what());
    }
}

std::string call_text(const std::string& name,
                      std::initializer_list<std::pair<const char*, py::handle>> args) {
    std::string out = name + "(";
    bool first = true;
    for (const auto& [key, value] : args) {
        if (value.is_none()) continue;
        if (!first) out += ", ";
        first = false;
        if (*key) out += std::string(key) + "=";
        out += repr_of(value);
    }
    return out + ")";
}

int resolve_beat(const Chorale& grid, const BeatArg& b) {
    return b.is_tick ? b.tick : beat_tick(grid, b.text);
}

TickRange resolve_where(const Chorale& grid, const BarsArg& w) {
    if (w.is_ticks) return w.ticks;
    if (!w.text.empty()) return parse_bars(grid, w.text);
    return bar_ticks(grid, w.first, w.last);
}

}  // namespace

KeyName key_arg(const py::handle& key, const py::handle& mode) {
    std::string mode_text;
    if (!mode.is_none()) {
        mode_text = lower(trim(mode.cast<std::string>()));
        if (mode_text != "major" && mode_text != "minor")
            throw Error("unknown mode '" + mode_text + "' (expected 'major' or 'minor')");
    }
    if (is_int(key)) {
        const long long f = key.cast<long long>();
        if (f < -7 || f > 7)
            throw Error("a key signature has at most 7 sharps or flats, not " + std::to_string(f));
        return {static_cast<int>(f), mode_text};
    }
    if (!py::isinstance<py::str>(key))
        throw py::type_error("a key is text ('D', 'F#m', 'g minor') or a signature in fifths (-2), not " +
                             repr_of(key));
    const std::string text = key.cast<std::string>();
    if (!trim(text).empty() && trim(text).find_first_not_of("+-0123456789") == std::string::npos) {
        KeyName k = parse_key(text);
        k.mode = mode_text;
        return k;
    }
    return parse_key(mode_text.empty() ? text : trim(text) + " " + mode_text);
}

Constraints PyConstraints::resolve(const Chorale& base, bool melody) const {
    Constraints c;
    for (const auto& f : fixes)
        c.fixed.push_back(for_entry(f.label, [&] {
            return FixedNote{f.voice, resolve_where(base, f.where), f.token};
        }));
    for (const auto& r : rhythms)
        c.rhythm.push_back(for_entry(r.label, [&] {
            return RhythmConstraint{r.voice, resolve_where(base, r.where)};
        }));
    for (const auto& f : fermatas)
        for (const TickRange& span : for_entry(f.label, [&] {
                 if (f.is_ticks) return std::vector<TickRange>{f.ticks};
                 if (!f.text.empty()) {
                     std::vector<TickRange> spans;
                     for (int tick : beat_ticks(base, f.text))
                         spans.push_back(fermata_span(base, tick, melody));
                     return spans;
                 }
                 return std::vector<TickRange>{fermata_span(base, resolve_beat(base, f.beat), melody)};
             }))
            c.fermatas.push_back(span);
    for (const auto& k : cadences)
        c.cadences.push_back(for_entry(k.label, [&] { return Cadence{resolve_beat(base, k.at), k.type}; }));
    for (const auto& k : keys)
        c.keys.push_back(for_entry(k.label, [&] {
            const int tick = k.is_tick ? k.tick : bar_ticks(base, k.bar, k.bar).begin;
            return KeyChange{tick, k.key.fifths, k.key.mode};
        }));
    c.ranges = ranges;
    c.final_cadence = final_cadence;
    c.full_texture = full_texture;
    for (const auto& r : regions)
        c.regions.push_back(for_entry(r.label, [&] {
            return Region{resolve_where(base, r.where), r.voices};
        }));
    return c;
}

namespace {

py::dict resolved_dict(const Constraints& c) {
    py::dict d;
    py::list fixed, rhythm, fermatas, cadences, keys, ranges, regions;
    for (const auto& f : c.fixed)
        fixed.append(py::make_tuple(f.voice, f.ticks.begin, f.ticks.end, static_cast<int>(f.token)));
    for (const auto& r : c.rhythm) rhythm.append(py::make_tuple(r.voice, r.ticks.begin, r.ticks.end));
    for (const auto& f : c.fermatas) fermatas.append(py::make_tuple(f.begin, f.end));
    for (const auto& k : c.cadences) cadences.append(py::make_tuple(k.tick, to_string(k.type)));
    for (const auto& k : c.keys) keys.append(py::make_tuple(k.tick, k.fifths, k.mode));
    for (const auto& r : c.ranges)
        ranges.append(r ? py::object(py::make_tuple(r->lowest, r->highest)) : py::none());
    for (const auto& r : c.regions)
        regions.append(py::make_tuple(r.ticks.begin, r.ticks.end,
                                      py::make_tuple(r.voices[0], r.voices[1], r.voices[2], r.voices[3])));
    d["fixed"] = fixed;
    d["rhythm"] = rhythm;
    d["fermatas"] = fermatas;
    d["cadences"] = cadences;
    d["keys"] = keys;
    d["ranges"] = ranges;
    d["regions"] = regions;
    return d;
}

}  // namespace

void bind_constraints(py::module_& m) {
    py::class_<PyConstraints>(m, "Constraints", R"doc(
What you fix before sampling: the constraint kinds of the C++ library (fixed
notes, rhythm, fermatas, cadences, keys, ranges, regions). Every method adds
one constraint and returns the Constraints, so calls chain:

    c = (deepbach.Constraints()
         .fix("bass", "3", "G2")          # a G2 through bar 3
         .fix("alto", "4", "rest")        # the alto rests in bar 4
         .rhythm("tenor", "2")            # keep the tenor's rhythm in bar 2
         .fermata("4.4")                  # a fermata on beat 4 of bar 4
         .cadence(16, "authentic")        # V-I on the 16th quarter note
         .key("5", "e minor")             # E minor from bar 5
         .range("tenor", "D3", "E4")      # keep the tenor in D3..E4
         .region("2-3", "ATB"))           # redraw only bars 2-3 of A, T, B

Voices are names or letters ('bass', 'B', 'Alto') or 0..3. Bars are numbers
as written in the score: '3', 3, '3-5' or ('3', '5'); ticks=(begin, end)
gives ticks instead (4 per quarter note). Beats are N (quarter notes counted
from 1 at the start of the piece, pickup included) or 'BAR.BEAT' (quarter
from 1 in the bar); tick= gives a tick instead. Positions are placed on the
piece when a sampling call gets the Constraints; a bar or beat that is not
there, or constraints that contradict each other, raise deepbach.Error naming
the call, the bar and the voice.
)doc")
        .def(py::init<>(), "No constraint.")
        .def(py::init<const PyConstraints&>(), py::arg("other"), "A copy.")
        .def(
            "fix",
            [](py::object self, const py::object& voice, const py::object& bars, const py::object& pitch,
               const py::object& ticks) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label =
                    call_text("fix", {{"", voice}, {"", bars}, {"", pitch}, {"ticks", ticks}});
                for_entry(label, [&] {
                    if (pitch.is_none()) throw Error("give the pitch ('G2'), 'rest' or 'hold'");
                    c.fixes.push_back(
                        {voice_arg(voice), where_arg(bars, ticks, "fix"), token_arg(pitch, "fix"), label});
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("voice"), py::arg("bars") = py::none(), py::arg("pitch") = py::none(), py::kw_only(),
            py::arg("ticks") = py::none(), R"doc(
Fixes one voice over bars (or ticks=(begin, end)): a pitch ('G2', 'F#3', a
Pitch or a token) is one note of that pitch from the start to the end of the
range (the cell after it may not hold it on); 'rest' is a rest over the
range; 'hold' makes every cell a hold (what sounds before goes on).
)doc")
        .def(
            "rhythm",
            [](py::object self, const py::object& voice, const py::object& bars, const py::object& ticks) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label = call_text("rhythm", {{"", voice}, {"", bars}, {"ticks", ticks}});
                for_entry(label, [&] {
                    c.rhythms.push_back({voice_arg(voice), where_arg(bars, ticks, "rhythm"), label});
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("voice"), py::arg("bars") = py::none(), py::kw_only(), py::arg("ticks") = py::none(),
            R"doc(
Keeps a voice's rhythm over bars (or ticks): the onsets of the grid sampled
from stay onsets (the pitch is free), its holds and rests stay. In harmonize,
a lower voice takes the melody's rhythm (or, for a four-part input, its own).
)doc")
        .def(
            "fermata",
            [](py::object self, const py::object& beats, const py::object& ticks) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label = call_text("fermata", {{"", beats}, {"ticks", ticks}});
                for_entry(label, [&] {
                    if (!ticks.is_none()) {
                        if (!beats.is_none()) throw Error("give beats or ticks, not both");
                        c.fermatas.push_back({true, ticks_arg(ticks, "fermata"), {}, "", label});
                        return 0;
                    }
                    if (beats.is_none())
                        throw Error("give the beats ('8', '4.4', '8,16', [8, 16]) or ticks=(begin, end)");
                    std::vector<std::string> texts;
                    if (py::isinstance<py::str>(beats)) {
                        // "8,16" or "4.4": parse_fermatas() when placed.
                        PyConstraints::FermataEntry f;
                        f.text = beats.cast<std::string>();
                        f.label = label;
                        c.fermatas.push_back(f);
                    } else if (is_int(beats))
                        texts.push_back(beat_text(beats, "fermata"));
                    else
                        for (const auto& b : beats) texts.push_back(beat_text(b, "fermata"));
                    for (const auto& t : texts)
                        c.fermatas.push_back({false, {}, BeatArg{false, 0, t}, "", label});
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("beats") = py::none(), py::kw_only(), py::arg("ticks") = py::none(), R"doc(
Fermatas on beats ('8', '4.4', '8,16' or a list): each covers the melody note
sounding at its beat (in harmonize, or wherever the soprano is kept), else one
quarter note. ticks=(begin, end) gives the span instead. They add to the
piece's own fermatas (the model's fermata input).
)doc")
        .def(
            "cadence",
            [](py::object self, const py::object& beat, const py::object& type, const py::object& tick) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label = call_text("cadence", {{"", beat}, {"", type}, {"tick", tick}});
                for_entry(label, [&] {
                    BeatArg at;
                    if (!tick.is_none()) {
                        if (!beat.is_none()) throw Error("give a beat or a tick, not both");
                        at.is_tick = true;
                        at.tick = tick.cast<int>();
                    } else {
                        if (beat.is_none()) throw Error("give the beat ('16', '4.3') or tick=");
                        at.text = beat_text(beat, "cadence");
                    }
                    c.cadences.push_back({at, cadence_arg(type), label});
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("beat") = py::none(), py::arg("type") = "authentic", py::kw_only(),
            py::arg("tick") = py::none(),
            R"doc(
A cadence chord starting at a beat (or tick=), in the key in force there:
'authentic' (V-I; also 'perfect'), 'half' (V), 'plagal' (IV-I) or
'deceptive' (V-vi; also 'interrupted'). Every voice starts a chord tone
there, the bass the root; authentic, plagal and deceptive also fix the bass a
quarter before. It gets a quarter-long fermata where there is none.
)doc")
        .def(
            "key",
            [](py::object self, const py::object& bar, const py::object& key, const py::object& mode,
               const py::object& tick) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label =
                    call_text("key", {{"", bar}, {"", key}, {"", mode}, {"tick", tick}});
                for_entry(label, [&] {
                    PyConstraints::KeyEntry k;
                    if (!tick.is_none()) {
                        if (!bar.is_none()) throw Error("give a bar or a tick, not both");
                        k.is_tick = true;
                        k.tick = tick.cast<int>();
                    } else {
                        if (bar.is_none()) throw Error("give the bar the key starts in ('5') or tick=");
                        k.bar = bar_text(bar, "key");
                    }
                    if (key.is_none())
                        throw Error("give the key ('D', 'F#m', 'g minor') or a signature in fifths (-2)");
                    k.key = key_arg(key, mode);
                    k.label = label;
                    c.keys.push_back(k);
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("bar") = py::none(), py::arg("key") = py::none(), py::arg("mode") = py::none(),
            py::kw_only(), py::arg("tick") = py::none(), R"doc(
The key from a bar (or tick=) to the next key change: text ('D', 'Bb', 'F#m',
'g minor', 'Eb major'; a lower-case tonic alone is minor; `mode` may give
'major' or 'minor' apart) or a signature in fifths (-2, with `mode` or
none: then the mode is inferred from the bass).
)doc")
        .def(
            "range",
            [](py::object self, const py::object& voice, const py::object& low, const py::object& high) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label = call_text("range", {{"", voice}, {"", low}, {"", high}});
                for_entry(label, [&] {
                    const int v = voice_arg(voice);
                    VoiceRange r;
                    if (high.is_none()) {
                        if (!py::isinstance<py::str>(low))
                            throw Error("give the lowest and the highest pitch");
                        const std::string span = low.cast<std::string>();
                        const auto dots = span.find("..");
                        const auto dash = span.find('-', 1);
                        const std::size_t cut = dots != std::string::npos ? dots : dash;
                        if (cut == std::string::npos)
                            throw Error("expected 'LOW-HIGH' (e.g. 'E2-C4') or two pitches");
                        r.lowest = midi_arg(py::str(trim(span.substr(0, cut))));
                        r.highest =
                            midi_arg(py::str(trim(span.substr(cut + (dots != std::string::npos ? 2 : 1)))));
                    } else {
                        r.lowest = midi_arg(low);
                        r.highest = midi_arg(high);
                    }
                    if (r.empty()) throw Error("the lowest pitch is above the highest");
                    c.ranges[static_cast<size_t>(v)] = r;
                    c.range_labels.push_back(label);
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("voice"), py::arg("low"), py::arg("high") = py::none(), R"doc(
Keeps a voice within low..high (pitch names like 'E2', Pitches or MIDI
numbers; or one text 'E2-C4'). It must lie inside the model's range.
)doc")
        .def(
            "region",
            [](py::object self, const py::object& bars, const py::object& voices, const py::object& ticks) {
                PyConstraints& c = self.cast<PyConstraints&>();
                const std::string label = call_text("region", {{"", bars}, {"", voices}, {"ticks", ticks}});
                for_entry(label, [&] {
                    c.regions.push_back({where_arg(bars, ticks, "region"), voices_arg(voices), label});
                    return 0;
                });
                c.calls.push_back(label);
                return self;
            },
            py::arg("bars") = py::none(), py::arg("voices") = "SATB", py::kw_only(),
            py::arg("ticks") = py::none(),
            R"doc(
Cells the sampler may redraw: bars (or ticks) x voices ('ATB', 'alto,bass',
['A', 'B'], 3). With regions, every other cell keeps the grid sampled from;
without any, every cell not otherwise fixed is sampled.
)doc")
        .def(
            "resolve",
            [](const PyConstraints& c, const Chorale& grid, bool melody) {
                return resolved_dict(c.resolve(grid, melody));
            },
            py::arg("chorale"), py::arg("melody") = false, R"doc(
The constraints placed on a grid, as the sampler gets them (for a look): a
dict of lists of tuples in ticks: fixed (voice, begin, end, token), rhythm
(voice, begin, end), fermatas (begin, end), cadences (tick, type), keys
(tick, fifths, mode), ranges (4 x None or (lowest, highest)), regions (begin,
end, (S, A, T, B)). melody: fermatas cover the soprano's notes.
)doc")
        .def_readwrite("final_cadence", &PyConstraints::final_cadence, R"doc(
True (the default): where no cadence is given, a kept melody ends with an
authentic cadence on its last note when that note is a tone of the key's
tonic triad and the lower voices are free to make it. False: the model alone
decides the ending.
)doc")
        .def_readwrite("full_texture", &PyConstraints::full_texture, R"doc(
True (the default): under a kept melody's notes the alto, tenor and bass
sound (no rest starts there, and they enter with the melody after its rests),
as in Bach's chorales; with no melody kept at all (generate), no voice starts
a rest. False: they may rest where the model likes.
)doc")
        .def("__len__", [](const PyConstraints& c) { return c.labels().size(); })
        .def("__bool__", [](const PyConstraints& c) { return !c.labels().empty(); })
        .def("__copy__", [](const PyConstraints& c) { return PyConstraints(c); })
        .def(
            "__deepcopy__", [](const PyConstraints& c, py::dict) { return PyConstraints(c); },
            py::arg("memo"))
        .def("__repr__", [](const PyConstraints& c) {
            std::string out = "Constraints()";
            for (const auto& l : c.labels()) out += "." + l;
            return out;
        });
}

}  // namespace deepbach::py_bindings
