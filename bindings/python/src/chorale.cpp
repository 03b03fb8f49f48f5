// deepbach._core: the chorale grid on numpy (Chorale, its metadata), tokens,
// voices and vocabularies.
#include "common.hpp"

#include <algorithm>
#include <cstring>

namespace deepbach::py_bindings {

int voice_arg(const py::handle& voice) {
    if (py::isinstance<py::int_>(voice) && !py::isinstance<py::bool_>(voice))
        return parse_voice(std::to_string(voice.cast<long long>()));
    if (py::isinstance<py::str>(voice)) return parse_voice(voice.cast<std::string>());
    throw py::type_error("a voice is a name ('alto', 'A') or 0..3, not " + repr_of(voice));
}

namespace {

// A numpy view of `count` elements of `data` shaped `shape`, keeping `owner`
// (the Python object that owns the memory) alive through the array's base.
template <class T>
py::array_t<T> view(T* data, std::vector<py::ssize_t> shape, const py::object& owner) {
    std::vector<py::ssize_t> strides(shape.size());
    py::ssize_t stride = sizeof(T);
    for (size_t i = shape.size(); i-- > 0;) {
        strides[i] = stride;
        stride *= shape[i];
    }
    return py::array_t<T>(shape, strides, data, owner);
}

// Copies `values` (any array-like, cast to T) into `into`, which keeps its
// size (numpy views of it stay valid).
template <class T>
void assign(std::vector<T>& into, const py::object& values, std::vector<py::ssize_t> shape,
            const char* what) {
    const auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(values);
    if (!a) throw py::type_error(std::string(what) + ": expected an array of numbers");
    bool same = static_cast<size_t>(a.ndim()) == shape.size();
    for (size_t i = 0; same && i < shape.size(); ++i) same = a.shape(static_cast<py::ssize_t>(i)) == shape[i];
    if (!same) {
        std::string want = "(";
        for (size_t i = 0; i < shape.size(); ++i) want += (i ? ", " : "") + std::to_string(shape[i]);
        std::string got = "(";
        for (py::ssize_t i = 0; i < a.ndim(); ++i) got += (i ? ", " : "") + std::to_string(a.shape(i));
        throw Error(std::string(what) + ": expected an array of shape " + want +
                    (shape.size() == 1 ? ",)" : ")") + ", not " + got + (a.ndim() == 1 ? ",)" : ")"));
    }
    if (!into.empty()) std::memcpy(into.data(), a.data(), into.size() * sizeof(T));
}

py::list measures_of(const Chorale& c) {
    py::list out;
    for (size_t i = 0; i < c.measure_ticks.size(); ++i)
        out.append(
            py::make_tuple(c.measure_ticks[i], i < c.measure_numbers.size() ? c.measure_numbers[i] : ""));
    return out;
}

void check_voice_tick(const Chorale& c, int voice, int tick) {
    if (voice < 0 || voice >= kNumVoices)
        throw py::index_error("voice " + std::to_string(voice) + " is not 0..3");
    if (tick < 0 || tick >= c.num_ticks)
        throw py::index_error("tick " + std::to_string(tick) + " is outside 0.." +
                              std::to_string(c.num_ticks));
}

// Metadata of a chorale, with numpy views of its per-tick arrays.
struct ChoraleMetadata {
    py::object owner;  // the Chorale
};

Chorale& of(const ChoraleMetadata& m) {
    return m.owner.cast<Chorale&>();
}

}  // namespace

void bind_chorale(py::module_& m) {
    m.attr("TICKS_PER_QUARTER") = kTicksPerQuarter;
    m.attr("NUM_VOICES") = kNumVoices;
    m.attr("VOICES") = py::make_tuple("Soprano", "Alto", "Tenor", "Bass");
    m.def(
        "voice_name",
        [](int v) {
            if (v < 0 || v >= kNumVoices)
                throw Error("voice " + std::to_string(v) + " does not exist (0..3)");
            return std::string(voice_name(v));
        },
        py::arg("voice"), "'Soprano', 'Alto', 'Tenor' or 'Bass' for 0..3.");
    m.attr("SOPRANO") = static_cast<int>(kSoprano);
    m.attr("ALTO") = static_cast<int>(kAlto);
    m.attr("TENOR") = static_cast<int>(kTenor);
    m.attr("BASS") = static_cast<int>(kBass);
    m.def("parse_voice", &voice_arg, py::arg("voice"),
          "The index 0..3 of a voice given as 'soprano', 'Alto', 'T', '3' or 0..3. Raises deepbach.Error "
          "otherwise.");

    // ------------------------------------------------------------ tokens
    m.attr("HOLD") = token::kHold;
    m.attr("REST") = token::kRest;
    m.attr("START") = token::kStart;
    m.attr("END") = token::kEnd;
    m.attr("FIRST_PITCH") = token::kFirstPitch;
    m.attr("TOKEN_COUNT") = token::kCount;
    {
        py::list names;
        for (int t = 0; t < token::kCount; ++t) names.append(token::name(static_cast<Token>(t)));
        m.attr("TOKEN_NAMES") = py::tuple(names);
    }
    m.def(
        "token_name",
        [](int t) {
            if (t < 0 || t >= token::kCount)
                throw Error("token " + std::to_string(t) + " does not exist (0.." +
                            std::to_string(token::kCount - 1) + ")");
            return token::name(static_cast<Token>(t));
        },
        py::arg("token"), "'__' (hold), 'rest', 'START', 'END' or the pitch name ('C#4') of a token.");
    m.def(
        "token_parse", [](const std::string& text) { return static_cast<int>(token::parse(text)); },
        py::arg("name"),
        "The token of '__', 'rest', 'START', 'END' or a pitch name ('C#4'). Raises deepbach.Error "
        "otherwise.");
    m.def(
        "token_from_pitch", [](const Pitch& p) { return static_cast<int>(token::from_pitch(p)); },
        py::arg("pitch"), "The token of a Pitch (or a name like 'G2').");
    m.def(
        "token_to_pitch",
        [](int t) {
            if (t < 0 || t >= token::kCount) throw Error("token " + std::to_string(t) + " is not a pitch");
            return token::to_pitch(static_cast<Token>(t));
        },
        py::arg("token"), "The Pitch of a pitch token. Raises deepbach.Error for hold, rest, START, END.");
    m.def(
        "is_pitch",
        [](int t) { return t >= 0 && t < token::kCount && token::is_pitch(static_cast<Token>(t)); },
        py::arg("token"), "True for a pitch token.");

    // ------------------------------------------------------------ VoiceRange
    py::class_<VoiceRange>(m, "VoiceRange", "Lowest and highest MIDI number of a voice (inclusive).")
        .def(py::init([](int lowest, int highest) {
                 return VoiceRange{lowest, highest};
             }),
             py::arg("lowest"), py::arg("highest"))
        .def_readwrite("lowest", &VoiceRange::lowest, "Lowest MIDI number.")
        .def_readwrite("highest", &VoiceRange::highest, "Highest MIDI number.")
        .def("contains", &VoiceRange::contains, py::arg("midi"), "lowest <= midi <= highest.")
        .def("__contains__", &VoiceRange::contains, py::arg("midi"))
        .def_property_readonly("empty", &VoiceRange::empty, "True when highest < lowest.")
        .def(
            "__eq__",
            [](const VoiceRange& a, const VoiceRange& b) {
                return a.lowest == b.lowest && a.highest == b.highest;
            },
            py::is_operator())
        .def("__iter__", [](const VoiceRange& r) { return py::iter(py::make_tuple(r.lowest, r.highest)); })
        .def("__repr__", [](const VoiceRange& r) {
            return "VoiceRange(" + std::to_string(r.lowest) + ", " + std::to_string(r.highest) + ")";
        });

    // ------------------------------------------------------------ Vocabulary
    py::class_<Vocabulary>(m, "Vocabulary", R"doc(
A voice's tokens and their dense indices (what a model's network predicts),
in a fixed order: START, END, rest, hold, then pitches by MIDI number.

    >>> voc = model.vocabularies[deepbach.BASS]
    >>> voc.names()[:6]
    ['START', 'END', 'rest', '__', 'C2', 'B#1']
)doc")
        .def(py::init([](const std::vector<int>& tokens) {
                 std::vector<Token> t;
                 for (int x : tokens) {
                     if (x < 0 || x >= token::kCount)
                         throw Error("token " + std::to_string(x) + " does not exist");
                     t.push_back(static_cast<Token>(x));
                 }
                 return Vocabulary(t);
             }),
             py::arg("tokens"), "A vocabulary of these tokens (duplicates fine; the specials are always in).")
        .def_static("from_names", &Vocabulary::from_names, py::arg("names"),
                    "A vocabulary from token names ('rest', '__', 'C4', ...).")
        .def("__len__", &Vocabulary::size)
        .def_property_readonly("size", &Vocabulary::size, "Number of tokens.")
        .def_property_readonly(
            "tokens",
            [](const Vocabulary& v) {
                py::array_t<std::int16_t> out(static_cast<py::ssize_t>(v.size()));
                std::copy(v.tokens().begin(), v.tokens().end(), out.mutable_data());
                return out;
            },
            "The tokens in index order (numpy int16): vocabulary.tokens[index] is the token.")
        .def("names", &Vocabulary::names, "The token names in index order.")
        .def(
            "token",
            [](const Vocabulary& v, int index) {
                if (index < 0 || index >= v.size())
                    throw py::index_error("index " + std::to_string(index) + " is outside 0.." +
                                          std::to_string(v.size()));
                return static_cast<int>(v.token(index));
            },
            py::arg("index"), "The token at a dense index.")
        .def(
            "index", [](const Vocabulary& v, int t) { return v.index(static_cast<Token>(t)); },
            py::arg("token"), "The dense index of a token, or -1 when it is not in the vocabulary.")
        .def(
            "__contains__",
            [](const Vocabulary& v, const py::object& t) {
                if (py::isinstance<py::str>(t)) return v.contains(token::parse(t.cast<std::string>()));
                const int x = t.cast<int>();
                return x >= 0 && x < token::kCount && v.contains(static_cast<Token>(x));
            },
            py::arg("token"))
        .def(
            "__eq__", [](const Vocabulary& a, const Vocabulary& b) { return a == b; }, py::is_operator())
        .def("__repr__",
             [](const Vocabulary& v) { return "<Vocabulary: " + std::to_string(v.size()) + " tokens>"; });

    // ------------------------------------------------------ grid signatures
    py::class_<GridTimeSignature>(m, "GridTimeSignature",
                                  "A time signature placed on the grid, from `tick` on.")
        .def(py::init([](int tick, int beats, int beat_type) {
                 return GridTimeSignature{tick, beats, beat_type};
             }),
             py::arg("tick") = 0, py::arg("beats") = 4, py::arg("beat_type") = 4)
        .def_readwrite("tick", &GridTimeSignature::tick, "Where it starts.")
        .def_readwrite("beats", &GridTimeSignature::beats, "Numerator.")
        .def_readwrite("beat_type", &GridTimeSignature::beat_type, "Denominator.")
        .def("__repr__", [](const GridTimeSignature& t) {
            return "GridTimeSignature(tick=" + std::to_string(t.tick) + ", beats=" + std::to_string(t.beats) +
                   ", beat_type=" + std::to_string(t.beat_type) + ")";
        });
    py::class_<GridKeySignature>(m, "GridKeySignature", "A key signature placed on the grid, from `tick` on.")
        .def(py::init([](int tick, int fifths, const std::string& mode) {
                 return GridKeySignature{tick, fifths, mode};
             }),
             py::arg("tick") = 0, py::arg("fifths") = 0, py::arg("mode") = "")
        .def_readwrite("tick", &GridKeySignature::tick, "Where it starts.")
        .def_readwrite("fifths", &GridKeySignature::fifths, "Sharps (> 0) or flats (< 0), -7..7.")
        .def_readwrite("mode", &GridKeySignature::mode, "'major', 'minor' or '' (inferred).")
        .def("__repr__", [](const GridKeySignature& k) {
            return "GridKeySignature(tick=" + std::to_string(k.tick) +
                   ", fifths=" + std::to_string(k.fifths) + ", mode=" + repr_of(py::str(k.mode)) + ")";
        });

    // ------------------------------------------------------------ metadata
    py::class_<ChoraleMetadata>(m, "ChoraleMetadata", R"doc(
A chorale's metadata (Chorale.metadata). The per-tick arrays are numpy views
of the chorale's memory (writing them changes the chorale):

- fermata: uint8, 1 while a soprano note with a fermata sounds;
- beat_position: uint8, tick within its beat (0..3);
- key_fifths: int8, the key signature in force (-7..7);

and the structure: measures (list of (tick, number as written)), keys
(list of GridKeySignature), times (list of GridTimeSignature).
)doc")
        .def_property_readonly(
            "fermata",
            [](const ChoraleMetadata& md) {
                Chorale& c = of(md);
                return view(c.fermata.data(), {static_cast<py::ssize_t>(c.fermata.size())}, md.owner);
            },
            "uint8 per tick: 1 while a soprano note with a fermata sounds (a view).")
        .def_property_readonly(
            "beat_position",
            [](const ChoraleMetadata& md) {
                Chorale& c = of(md);
                return view(c.beat_position.data(), {static_cast<py::ssize_t>(c.beat_position.size())},
                            md.owner);
            },
            "uint8 per tick: the tick within its beat, 0..3 (a view).")
        .def_property_readonly(
            "key_fifths",
            [](const ChoraleMetadata& md) {
                Chorale& c = of(md);
                return view(c.key_fifths.data(), {static_cast<py::ssize_t>(c.key_fifths.size())}, md.owner);
            },
            "int8 per tick: the key signature in force, -7..7 (a view).")
        .def_property_readonly(
            "measures", [](const ChoraleMetadata& md) { return measures_of(of(md)); },
            "List of (tick where the measure starts, its number as written).")
        .def_property_readonly(
            "keys", [](const ChoraleMetadata& md) { return of(md).keys; },
            "Key signatures (GridKeySignature) in order.")
        .def_property_readonly(
            "times", [](const ChoraleMetadata& md) { return of(md).times; },
            "Time signatures (GridTimeSignature) in order.")
        .def("__repr__", [](const ChoraleMetadata& md) {
            const Chorale& c = of(md);
            return "<ChoraleMetadata: " + std::to_string(c.num_ticks) + " ticks, " +
                   std::to_string(c.measure_ticks.size()) + " measures, " + std::to_string(c.keys.size()) +
                   " keys, " + std::to_string(c.times.size()) + " times>";
        });

    // ------------------------------------------------------------ Chorale
    py::class_<Chorale> chorale_class(m, "Chorale", R"doc(
DeepBach's grid: 4 voices (Soprano, Alto, Tenor, Bass) x num_ticks tokens,
4 ticks per quarter note, with per-tick metadata and what it takes to write
it back as a score.

tokens is a numpy int16 array of shape (4, num_ticks) that shares the
chorale's memory: writing into it changes the chorale (the array keeps the
chorale alive). Tokens are universal: deepbach.HOLD ('__': the note before
goes on), deepbach.REST, and pitches (deepbach.token_name / token_parse /
decode convert).

    >>> grid = deepbach.read_score("bwv10.7.mxl").to_chorale()
    >>> grid.tokens.shape
    (4, 352)
    >>> deepbach.decode(grid.tokens[3, :6])      # the bass
    array(['G3', '__', '__', '__', '__', '__'], dtype=object)
)doc");
    chorale_class.def(py::init<const Chorale&>(), py::arg("other"), "A copy (its own memory).")
        .def_static(
            "empty",
            [](int ticks) {
                if (ticks <= 0)
                    throw Error("a chorale needs at least one tick, not " + std::to_string(ticks));
                return Chorale::empty(ticks);
            },
            py::arg("ticks"),
            "A silent grid of `ticks` ticks: every voice a rest at 0 then holds, 4/4, C major, no "
            "fermatas, a measure every 16 ticks.")
        .def_static(
            "from_tokens",
            [](const py::object& tokens, const Chorale* like) {
                const auto a =
                    py::array_t<std::int16_t, py::array::c_style | py::array::forcecast>::ensure(tokens);
                if (!a || a.ndim() != 2 || a.shape(0) != kNumVoices || a.shape(1) < 1)
                    throw Error("Chorale.from_tokens: expected an array of shape (4, ticks)");
                const int ticks = static_cast<int>(a.shape(1));
                Chorale c;
                if (like) {
                    if (like->num_ticks != ticks)
                        throw Error("Chorale.from_tokens: the tokens have " + std::to_string(ticks) +
                                    " ticks but `like` has " + std::to_string(like->num_ticks));
                    c = *like;
                } else {
                    c = Chorale::empty(ticks);
                }
                assign(c.tokens, tokens, {kNumVoices, ticks}, "Chorale.from_tokens");
                c.validate();
                return c;
            },
            py::arg("tokens"), py::arg("like") = nullptr,
            "A chorale of these tokens (shape (4, ticks)) with the metadata of `like` (a chorale of as "
            "many ticks), or of Chorale.empty(ticks). Raises deepbach.Error when the grid is not well "
            "formed.")
        .def_readwrite("title", &Chorale::title, "Title, written back into the score.")
        .def_readwrite("source", &Chorale::source, "The file it came from (used in error messages).")
        .def_readonly("num_ticks", &Chorale::num_ticks, "Length in ticks (4 per quarter note).")
        .def_property(
            "tokens",
            [](py::object self) {
                Chorale& c = self.cast<Chorale&>();
                return view(c.tokens.data(), {kNumVoices, c.num_ticks}, self);
            },
            [](Chorale& c, const py::object& values) {
                assign(c.tokens, values, {kNumVoices, c.num_ticks}, "Chorale.tokens");
            },
            "numpy int16 array (4, num_ticks) sharing the chorale's memory; assigning copies values of the "
            "same "
            "shape in.")
        .def_property_readonly(
            "metadata", [](py::object self) { return ChoraleMetadata{self}; },
            "The metadata (ChoraleMetadata): fermata, beat_position, key_fifths (numpy views), "
            "measures, keys, times.")
        .def_property(
            "fermata",
            [](py::object self) {
                Chorale& c = self.cast<Chorale&>();
                return view(c.fermata.data(), {static_cast<py::ssize_t>(c.fermata.size())}, self);
            },
            [](Chorale& c, const py::object& v) { assign(c.fermata, v, {c.num_ticks}, "Chorale.fermata"); },
            "uint8 per tick (a view): 1 while a soprano note with a fermata sounds.")
        .def_property(
            "beat_position",
            [](py::object self) {
                Chorale& c = self.cast<Chorale&>();
                return view(c.beat_position.data(), {static_cast<py::ssize_t>(c.beat_position.size())}, self);
            },
            [](Chorale& c, const py::object& v) {
                assign(c.beat_position, v, {c.num_ticks}, "Chorale.beat_position");
            },
            "uint8 per tick (a view): the tick within its beat, 0..3.")
        .def_property(
            "key_fifths",
            [](py::object self) {
                Chorale& c = self.cast<Chorale&>();
                return view(c.key_fifths.data(), {static_cast<py::ssize_t>(c.key_fifths.size())}, self);
            },
            [](Chorale& c, const py::object& v) {
                assign(c.key_fifths, v, {c.num_ticks}, "Chorale.key_fifths");
            },
            "int8 per tick (a view): the key signature in force, -7..7.")
        .def_readwrite("measure_ticks", &Chorale::measure_ticks, "Tick where each measure starts (a copy).")
        .def_readwrite("measure_numbers", &Chorale::measure_numbers, "Measure numbers as written (a copy).")
        .def_property(
            "part_names",
            [](const Chorale& c) {
                return std::vector<std::string>(c.part_names.begin(), c.part_names.end());
            },
            [](Chorale& c, const std::vector<std::string>& names) {
                if (names.size() != kNumVoices) throw Error("Chorale.part_names: expected 4 names");
                std::copy(names.begin(), names.end(), c.part_names.begin());
            },
            "The four part names written back into the score.")
        .def(
            "at",
            [](const Chorale& c, const py::object& voice, int tick) {
                const int v = voice_arg(voice);
                check_voice_tick(c, v, tick);
                return static_cast<int>(c.at(v, tick));
            },
            py::arg("voice"), py::arg("tick"), "The token of a voice (0..3 or a name) at a tick.")
        .def(
            "sounding",
            [](const Chorale& c, const py::object& voice, int tick) {
                const int v = voice_arg(voice);
                check_voice_tick(c, v, tick);
                return c.sounding(v, tick);
            },
            py::arg("voice"), py::arg("tick"),
            "The Pitch sounding in a voice at a tick (following holds back), or None.")
        .def(
            "measure_index_at",
            [](const Chorale& c, int tick) {
                check_voice_tick(c, 0, tick);
                return c.measure_index_at(tick);
            },
            py::arg("tick"), "Index of the measure containing `tick`.")
        .def(
            "bar_at",
            [](const Chorale& c, int tick) {
                check_voice_tick(c, 0, tick);
                return c.bar_at(tick);
            },
            py::arg("tick"), "Measure number as written at `tick`.")
        .def(
            "bar_ticks",
            [](const Chorale& c, const py::object& first, const py::object& last) {
                auto text = [](const py::object& o) {
                    return py::isinstance<py::int_>(o) ? std::to_string(o.cast<long long>())
                                                       : o.cast<std::string>();
                };
                const std::string a = text(first);
                const TickRange r = bar_ticks(c, a, last.is_none() ? a : text(last));
                return py::make_tuple(r.begin, r.end);
            },
            py::arg("first"), py::arg("last") = py::none(),
            "(begin, end) ticks of bars first..last (numbers as written, e.g. '2' or 2).")
        .def(
            "midi_range",
            [](const Chorale& c, const py::object& voice) {
                const int v = voice_arg(voice);
                check_voice_tick(c, v, 0);
                const auto r = c.midi_range(v);
                return VoiceRange{r.first, r.second};
            },
            py::arg("voice"),
            "Lowest and highest MIDI number of a voice (VoiceRange; empty when it has no note).")
        .def("validate", &Chorale::validate,
             "Raises deepbach.Error (naming bar and voice) unless the grid is well formed: no voice starts "
             "with "
             "a hold, no START/END or unknown token inside, metadata in range.")
        .def(
            "to_score",
            [](const Chorale& c) {
                c.validate();
                return to_score(c);
            },
            "The four-part Score (Soprano, Alto, Tenor, Bass) of the grid; lossless: score.to_chorale() "
            "gives "
            "these tokens and metadata back. Raises deepbach.Error for a grid that is not well formed.")
        .def(
            "transpose",
            [](const Chorale& c, int semitones) { return transpose(c, interval_for_shift(c, semitones)); },
            py::arg("semitones"),
            "A copy moved by `semitones`, spelled to keep every key within 7 sharps or flats.")
        .def(
            "copy", [](const Chorale& c) { return Chorale(c); }, "A copy with its own memory.")
        .def("__copy__", [](const Chorale& c) { return Chorale(c); })
        .def(
            "__deepcopy__", [](const Chorale& c, py::dict) { return Chorale(c); }, py::arg("memo"))
        .def("__repr__", [](const Chorale& c) {
            return "<Chorale " + repr_of(py::str(c.title)) + ": " + std::to_string(c.num_ticks) + " ticks, " +
                   std::to_string(c.measure_ticks.size()) + " bars>";
        });
    def_copy(chorale_class, "times", &Chorale::times, "Time signatures (GridTimeSignature, a copy).");
    def_copy(chorale_class, "keys", &Chorale::keys, "Key signatures (GridKeySignature, a copy).");
}

}  // namespace deepbach::py_bindings
