// deepbach._core: the notation model (Pitch, Note, Part, Measure, signatures,
// Score) and reading and writing scores.
#include "common.hpp"

#include <algorithm>
#include <sstream>

namespace deepbach::py_bindings {

std::string fspath(const py::handle& obj) {
    // str, or bytes for a bytes path: both cast to std::string.
    return py::module_::import("os").attr("fspath")(obj).cast<std::string>();
}

Score score_from(const py::handle& obj) {
    if (py::isinstance<Score>(obj)) return obj.cast<Score>();
    if (py::isinstance<py::str>(obj) || py::hasattr(obj, "__fspath__")) {
        const std::string path = fspath(obj);
        py::gil_scoped_release release;
        return read_score(path);
    }
    throw py::type_error("expected a deepbach.Score or a path (str or os.PathLike), not " +
                         std::string(py::str(obj.get_type().attr("__name__"))));
}

std::string repr_of(const py::handle& obj) {
    return py::repr(obj).cast<std::string>();
}

namespace {

std::string quoted(const std::string& s) {
    return repr_of(py::str(s));
}

std::string note_repr(const Note& n) {
    std::ostringstream out;
    out << "Note(" << (n.pitch ? quoted(n.pitch->name()) : "None") << ", onset=" << n.onset.to_string()
        << ", duration=" << n.duration.to_string();
    if (n.tie_start) out << ", tie_start=True";
    if (n.tie_stop) out << ", tie_stop=True";
    if (n.fermata) out << ", fermata=True";
    out << ")";
    return out.str();
}

// Interval for a shift in semitones that keeps every key of the score within 7.
Interval score_interval(const Score& score, int semitones) {
    int lo = 0, hi = 0;
    if (!score.keys.empty()) {
        lo = hi = score.keys.front().fifths;
        for (const auto& k : score.keys) {
            lo = std::min(lo, k.fifths);
            hi = std::max(hi, k.fifths);
        }
    }
    return Interval::for_shift(semitones, lo, hi);
}

}  // namespace

void bind_score(py::module_& m) {
    // ------------------------------------------------------------ Pitch
    py::class_<Pitch>(m, "Pitch", R"doc(
A spelled pitch: step (0 = C .. 6 = B), alteration in semitones (-2..2) and
octave (C4 is middle C, MIDI 60). C#4 and Db4 are different pitches with the
same MIDI number.

    >>> deepbach.Pitch("F#3").midi
    54
    >>> deepbach.Pitch(step=6, alter=-1, octave=2).name
    'Bb2'
)doc")
        .def(py::init([](const std::string& name) { return Pitch::parse(name); }), py::arg("name"),
             "Parses a name: 'C4', 'F#3', 'Bb2', 'E##5' (letters in either case).")
        .def(py::init([](int step, int alter, int octave) {
                 if (step < 0 || step > 6)
                     throw Error("a pitch step is 0 (C) .. 6 (B), not " + std::to_string(step));
                 if (alter < -2 || alter > 2)
                     throw Error("a pitch alteration is -2 .. 2 semitones, not " + std::to_string(alter));
                 if (octave < -1 || octave > 9)
                     throw Error("a pitch octave is -1 .. 9, not " + std::to_string(octave));
                 Pitch p;
                 p.step = static_cast<std::int8_t>(step);
                 p.alter = static_cast<std::int8_t>(alter);
                 p.octave = static_cast<std::int8_t>(octave);
                 return p;
             }),
             py::arg("step"), py::arg("alter") = 0, py::arg("octave") = 4,
             "A pitch from its step (0 = C .. 6 = B), alteration (-2..2) and octave (-1..9).")
        .def_static("parse", &Pitch::parse, py::arg("name"),
                    "Parses 'C4', 'F#3', 'Bb2' (as name writes it). Raises deepbach.Error on other text.")
        .def_static(
            "from_midi", [](int midi, int fifths) { return Pitch::from_fifths_and_midi(fifths, midi); },
            py::arg("midi"), py::arg("fifths") = 0,
            "The pitch of MIDI number `midi` spelled at line-of-fifths position `fifths` "
            "(C = 0, G = 1, F = -1).")
        .def_property_readonly(
            "step", [](const Pitch& p) { return static_cast<int>(p.step); }, "0 = C, 1 = D, ... 6 = B.")
        .def_property_readonly(
            "alter", [](const Pitch& p) { return static_cast<int>(p.alter); },
            "Alteration in semitones, -2..2.")
        .def_property_readonly(
            "octave", [](const Pitch& p) { return static_cast<int>(p.octave); },
            "Octave in scientific notation (C4 = middle C).")
        .def_property_readonly("midi", &Pitch::midi, "MIDI key number (C4 = 60).")
        .def_property_readonly("fifths", &Pitch::fifths,
                               "Position on the line of fifths (C = 0, G = 1, F = -1).")
        .def_property_readonly("name", &Pitch::name, "'C4', 'F#3', 'Bb2'.")
        .def("__str__", &Pitch::name)
        .def("__repr__", [](const Pitch& p) { return "Pitch(" + quoted(p.name()) + ")"; })
        .def(
            "__eq__", [](const Pitch& a, const Pitch& b) { return a == b; }, py::is_operator())
        .def(
            "__ne__", [](const Pitch& a, const Pitch& b) { return a != b; }, py::is_operator())
        .def(
            "__lt__", [](const Pitch& a, const Pitch& b) { return a < b; }, py::is_operator())
        .def("__hash__", [](const Pitch& p) { return (p.step * 5 + p.alter + 2) * 16 + p.octave + 1; });
    py::implicitly_convertible<py::str, Pitch>();

    // ------------------------------------------------------------ Note
    py::class_<Note> note_class(m, "Note", R"doc(
A note or a rest as written. onset and duration are fractions.Fraction in
quarter notes from the start of the first measure; pitch is None for a rest.
Tied notes stay separate notes with tie_start / tie_stop set.
)doc");
    note_class
        .def(py::init([](std::optional<Pitch> pitch, Rational onset, Rational duration, bool tie_start,
                         bool tie_stop, bool fermata, int voice, int measure) {
                 if (duration <= Rational(0)) throw Error("a note's duration must be positive");
                 Note n;
                 n.pitch = pitch;
                 n.onset = onset;
                 n.duration = duration;
                 n.tie_start = tie_start;
                 n.tie_stop = tie_stop;
                 n.fermata = fermata;
                 n.voice = voice;
                 n.measure = measure;
                 return n;
             }),
             py::arg("pitch"), py::arg("onset"), py::arg("duration"), py::kw_only(),
             py::arg("tie_start") = false, py::arg("tie_stop") = false, py::arg("fermata") = false,
             py::arg("voice") = 1, py::arg("measure") = 0,
             "A note (pitch a Pitch or a name like 'G4') or a rest (pitch None), onset and duration in "
             "quarter notes (int or Fraction).")
        .def_readwrite("onset", &Note::onset, "Start in quarter notes (Fraction).")
        .def_readwrite("duration", &Note::duration, "Length in quarter notes (Fraction, > 0).")
        .def_readwrite("tie_start", &Note::tie_start, "Tied to the next note of the same pitch.")
        .def_readwrite("tie_stop", &Note::tie_stop, "Tied from the previous note.")
        .def_readwrite("fermata", &Note::fermata, "Has a fermata.")
        .def_readwrite("voice", &Note::voice, "MusicXML voice number inside the part.")
        .def_readwrite("measure", &Note::measure, "Index into Score.measures of the measure it starts in.")
        .def_property_readonly("is_rest", &Note::is_rest, "True for a rest.")
        .def_property_readonly("end", &Note::end, "onset + duration.")
        .def("__repr__", &note_repr);
    def_copy(note_class, "pitch", &Note::pitch, "The Pitch, or None for a rest.");

    // ------------------------------------------------------------ Part
    py::class_<Part> part_class(m, "Part", R"doc(
One part (a singer): id, name, abbreviation and its notes, sorted by onset.
notes is a copy: change it by assigning a new list (part.notes = notes).
)doc");
    part_class
        .def(py::init([](const std::string& name, std::vector<Note> notes, const std::string& id,
                         const std::string& abbreviation) {
                 Part p;
                 p.name = name;
                 p.notes = std::move(notes);
                 p.id = id;
                 p.abbreviation = abbreviation;
                 return p;
             }),
             py::arg("name") = "", py::arg("notes") = std::vector<Note>{}, py::kw_only(), py::arg("id") = "",
             py::arg("abbreviation") = "", "A part with a name and a list of Notes.")
        .def_readwrite("id", &Part::id, "'P1'.")
        .def_readwrite("name", &Part::name, "'Soprano'.")
        .def_readwrite("abbreviation", &Part::abbreviation, "'S.'.")
        .def("__repr__", [](const Part& p) {
            return "<Part " + quoted(p.name) + ": " + std::to_string(p.notes.size()) + " notes>";
        });
    def_copy(part_class, "notes", &Part::notes,
             "The notes and rests (a copy; assign a list to change them).");

    // ------------------------------------------------------ signatures, measures
    py::class_<KeySignature>(m, "KeySignature", "A key signature from `onset` on: fifths -7..7 and a mode.")
        .def(py::init([](int fifths, const std::string& mode, Rational onset) {
                 return KeySignature{onset, fifths, mode};
             }),
             py::arg("fifths") = 0, py::arg("mode") = "", py::arg("onset") = Rational(0))
        .def_readwrite("onset", &KeySignature::onset, "Where it starts, in quarter notes (Fraction).")
        .def_readwrite("fifths", &KeySignature::fifths, "Sharps (> 0) or flats (< 0), -7..7.")
        .def_readwrite("mode", &KeySignature::mode, "'major', 'minor' or '' when not given.")
        .def("__repr__", [](const KeySignature& k) {
            return "KeySignature(fifths=" + std::to_string(k.fifths) + ", mode=" + quoted(k.mode) +
                   ", onset=" + k.onset.to_string() + ")";
        });
    py::class_<TimeSignature>(m, "TimeSignature", "A time signature from `onset` on: beats / beat_type.")
        .def(py::init([](int beats, int beat_type, Rational onset) {
                 return TimeSignature{onset, beats, beat_type};
             }),
             py::arg("beats") = 4, py::arg("beat_type") = 4, py::arg("onset") = Rational(0))
        .def_readwrite("onset", &TimeSignature::onset, "Where it starts, in quarter notes (Fraction).")
        .def_readwrite("beats", &TimeSignature::beats, "Numerator.")
        .def_readwrite("beat_type", &TimeSignature::beat_type, "Denominator.")
        .def_property_readonly("measure_length", &TimeSignature::measure_length,
                               "Length of a full measure in quarter notes (Fraction).")
        .def("__repr__", [](const TimeSignature& t) {
            return "TimeSignature(" + std::to_string(t.beats) + ", " + std::to_string(t.beat_type) +
                   ", onset=" + t.onset.to_string() + ")";
        });
    py::class_<Measure>(m, "Measure", "A measure: onset and duration (Fractions), number as written.")
        .def(py::init([](Rational onset, Rational duration, const std::string& number, bool implicit) {
                 return Measure{onset, duration, number, implicit};
             }),
             py::arg("onset"), py::arg("duration"), py::arg("number"), py::arg("implicit") = false)
        .def_readwrite("onset", &Measure::onset, "Start in quarter notes (Fraction).")
        .def_readwrite("duration", &Measure::duration, "Length actually filled (a pickup is shorter).")
        .def_readwrite("number", &Measure::number, "Number as written: '0', '1', '12a'.")
        .def_readwrite("implicit", &Measure::implicit, "MusicXML implicit='yes' (a pickup or a split bar).")
        .def("__repr__", [](const Measure& x) {
            return "Measure(" + quoted(x.number) + ", onset=" + x.onset.to_string() +
                   ", duration=" + x.duration.to_string() + ")";
        });

    // ------------------------------------------------------------ Score
    py::class_<Score> score_class(m, "Score", R"doc(
A whole score: title, composer, parts (each with its notes), measures, key
and time signatures. Read one with deepbach.read_score(path); the sampling
calls return deepbach.Harmonization, a Score too.

The list attributes (parts, measures, keys, times) are copies: change them by
assigning a new list.
)doc");
    score_class
        .def(py::init([](const std::string& title, std::vector<Part> parts, std::vector<Measure> measures,
                         std::vector<KeySignature> keys, std::vector<TimeSignature> times,
                         const std::string& composer) {
                 Score s;
                 s.title = title;
                 s.parts = std::move(parts);
                 s.measures = std::move(measures);
                 s.keys = std::move(keys);
                 s.times = std::move(times);
                 s.composer = composer;
                 return s;
             }),
             py::arg("title") = "", py::arg("parts") = std::vector<Part>{},
             py::arg("measures") = std::vector<Measure>{}, py::arg("keys") = std::vector<KeySignature>{},
             py::arg("times") = std::vector<TimeSignature>{}, py::arg("composer") = "",
             "A score from its parts.")
        .def(py::init<const Score&>(), py::arg("other"), "A copy.")
        .def_readwrite("title", &Score::title, "Work title.")
        .def_readwrite("composer", &Score::composer, "Composer.")
        .def_readwrite("source", &Score::source, "The file it was read from (used in error messages).")
        .def_property_readonly("length", &Score::length,
                               "End of the last measure, in quarter notes (Fraction).")
        .def_property_readonly("pickup", &Score::pickup,
                               "Length of a short first measure (a pickup), else 0 (Fraction).")
        .def("measure_index_at", &Score::measure_index_at, py::arg("time"),
             "Index of the measure containing `time` (quarter notes).")
        .def("bar_at", &Score::bar_at, py::arg("time"),
             "Measure number as written at `time` (quarter notes).")
        .def("key_at", &Score::key_at, py::arg("time"), "The KeySignature in force at `time`.")
        .def("time_at", &Score::time_at, py::arg("time"), "The TimeSignature in force at `time`.")
        .def(
            "to_chorale",
            [](const Score& s, std::optional<std::vector<int>> parts) {
                ChoraleOptions o;
                if (parts) o.parts = *parts;
                return to_chorale(s, o);
            },
            py::arg("parts") = py::none(), R"doc(
The DeepBach grid of this four-part score (4 voices x ticks, 4 ticks per
quarter). `parts`: the indices of the Soprano, Alto, Tenor and Bass parts;
None picks them (exactly four parts, or four named Soprano/Alto/Tenor/Bass).
Raises deepbach.Error naming the file, bar and voice for what the grid cannot
hold (a note shorter than a sixteenth, a tuplet, two notes at once).
)doc")
        .def(
            "melody_chorale",
            [](const Score& s, std::optional<std::vector<int>> parts) {
                ChoraleOptions o;
                if (parts) o.parts = *parts;
                return melody_chorale(s, o);
            },
            py::arg("parts") = py::none(),
            "The grid harmonize() starts from: this score's melody (its only part, the part `parts` "
            "names, or a chorale's soprano) as the soprano, the other voices silent.")
        .def(
            "transpose",
            [](const Score& s, int semitones) { return transpose(s, score_interval(s, semitones)); },
            py::arg("semitones"),
            "A copy moved by `semitones`, spelled to keep every key within 7 sharps or flats.")
        .def(
            "to_musicxml",
            [](const Score& s, const std::string& software) {
                MusicXmlOptions o;
                o.software = software;
                return to_musicxml(s, o);
            },
            py::arg("software") = "libdeepbach", "MusicXML 4.0 partwise text of the score.")
        .def(
            "to_midi",
            [](const Score& s, double tempo_bpm) {
                MidiOptions o;
                o.tempo_bpm = tempo_bpm;
                return py::bytes(to_midi(s, o));
            },
            py::arg("tempo_bpm") = 80.0, "The bytes of a Standard MIDI File (type 1) of the score.")
        .def_static(
            "from_musicxml",
            [](const std::string& text, const std::string& source) { return parse_musicxml(text, source); },
            py::arg("text"), py::arg("source") = "<memory>",
            "Parses partwise MusicXML text; `source` names it in error messages.")
        .def(
            "write", [](const Score& s, const py::object& path) { write_score(s, fspath(path)); },
            py::arg("path"),
            "Writes the score by extension (.musicxml, .xml, .mxl, .mid, .midi); see deepbach.write_score.")
        .def("__copy__", [](const Score& s) { return Score(s); })
        .def(
            "__deepcopy__", [](const Score& s, py::dict) { return Score(s); }, py::arg("memo"))
        .def("__repr__", [](const Score& s) {
            return "<Score " + quoted(s.title) + ": " + std::to_string(s.parts.size()) + " parts, " +
                   std::to_string(s.measures.size()) + " bars>";
        });

    def_copy(score_class, "parts", &Score::parts, "The parts (a copy; assign a list to change them).");
    def_copy(score_class, "measures", &Score::measures,
             "The measures in order (a copy; assign a list to change them).");
    def_copy(score_class, "keys", &Score::keys, "Key signatures sorted by onset (a copy).");
    def_copy(score_class, "times", &Score::times, "Time signatures sorted by onset (a copy).");

    // ------------------------------------------------------------ I/O
    m.def(
        "read_score",
        [](const py::object& path) {
            const std::string p = fspath(path);
            py::gil_scoped_release release;
            return read_score(p);
        },
        py::arg("path"), R"doc(
Reads a score: .musicxml, .xml or .mxl (compressed MusicXML; the format is
chosen by content). Raises deepbach.Error naming the file (and, where it can,
the bar and part) for a missing, malformed or oversized file.
)doc");
    m.def(
        "write_score",
        [](const Score& score, const py::object& path) {
            const std::string p = fspath(path);
            py::gil_scoped_release release;
            write_score(score, p);
        },
        py::arg("score"), py::arg("path"), R"doc(
Writes a score by extension: .musicxml / .xml (MusicXML 4.0), .mxl
(compressed MusicXML) or .mid / .midi (Standard MIDI File, 80 quarter notes a
minute). Atomic: a temporary file in the same folder, then a rename. Raises
deepbach.Error for another extension or a folder that cannot be written.
)doc");
    m.def(
        "write_piano_roll",
        [](const Chorale& chorale, const py::object& path, const py::object& fixed,
           const std::string& title) {
            CellMask mask;
            const bool has_mask = !fixed.is_none();
            if (has_mask) {
                const auto a = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(fixed);
                if (!a || a.ndim() != 2 || a.shape(0) != kNumVoices || a.shape(1) != chorale.num_ticks)
                    throw Error("write_piano_roll: fixed must be a bool array of 4 x " +
                                std::to_string(chorale.num_ticks) + " (voices x ticks)");
                const auto r = a.unchecked<2>();
                for (int v = 0; v < kNumVoices; ++v) {
                    mask[static_cast<size_t>(v)].resize(static_cast<size_t>(chorale.num_ticks));
                    for (int t = 0; t < chorale.num_ticks; ++t)
                        mask[static_cast<size_t>(v)][static_cast<size_t>(t)] = r(v, t) ? 1 : 0;
                }
            }
            PianoRollOptions o;
            o.title = title;
            const std::string p = fspath(path);
            py::gil_scoped_release release;
            write_piano_roll_svg(chorale, p, has_mask ? &mask : nullptr, o);
        },
        py::arg("chorale"), py::arg("path"), py::arg("fixed") = py::none(), py::arg("title") = "", R"doc(
Writes a piano roll of the chorale's four voices as SVG: time left to right
with bar numbers, pitch upwards, one colour per voice, fermatas marked. With
`fixed` (a bool array of voices x ticks, e.g. Harmonization.fixed) the fixed
notes are drawn solid and the others lighter. Atomic, like write_score.
)doc");
    m.def(
        "write_musicxml",
        [](const Score& score, const py::object& path, const std::string& software) {
            MusicXmlOptions o;
            o.software = software;
            const std::string p = fspath(path);
            py::gil_scoped_release release;
            write_musicxml(score, p, o);
        },
        py::arg("score"), py::arg("path"), py::kw_only(), py::arg("software") = "libdeepbach",
        "Writes MusicXML: .musicxml / .xml plain, .mxl compressed.");
    m.def(
        "write_midi",
        [](const Score& score, const py::object& path, double tempo_bpm, int velocity, bool fermata_holds,
           double fermata_factor, int ticks_per_quarter) {
            MidiOptions o;
            o.tempo_bpm = tempo_bpm;
            o.velocity = velocity;
            o.fermata_holds = fermata_holds;
            o.fermata_factor = fermata_factor;
            o.ticks_per_quarter = ticks_per_quarter;
            const std::string p = fspath(path);
            py::gil_scoped_release release;
            write_midi(score, p, o);
        },
        py::arg("score"), py::arg("path"), py::kw_only(), py::arg("tempo_bpm") = 80.0,
        py::arg("velocity") = 80, py::arg("fermata_holds") = false, py::arg("fermata_factor") = 2.0,
        py::arg("ticks_per_quarter") = 480,
        "Writes a Standard MIDI File (type 1): a tempo track, then one track per part. fermata_holds "
        "lengthens fermata notes by fermata_factor.");
}

}  // namespace deepbach::py_bindings
