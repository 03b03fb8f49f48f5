// deepbach._core: voice-leading statistics of a chorale grid and its agreement
// with a reference (include/deepbach/evaluation.hpp, docs/evaluation.md).
#include "common.hpp"

#include <array>
#include <cctype>
#include <cstdio>

namespace deepbach::py_bindings {

namespace {

// A chorale argument: a Chorale (used in place), or a Score or a file path
// (converted with to_chorale()). The grid is validated either way.
class ChoraleArg {
public:
    ChoraleArg(const py::handle& obj, const char* what) {
        if (py::isinstance<Chorale>(obj)) {
            chorale_ = &obj.cast<const Chorale&>();
        } else if (py::isinstance<Score>(obj) || py::isinstance<py::str>(obj) ||
                   py::hasattr(obj, "__fspath__")) {
            owned_ = to_chorale(score_from(obj));
            chorale_ = &*owned_;
        } else {
            throw py::type_error(std::string(what) +
                                 ": expected a deepbach.Chorale, a deepbach.Score or a path, not " +
                                 std::string(py::str(obj.get_type().attr("__name__"))));
        }
        chorale_->validate();
    }
    const Chorale& operator*() const { return *chorale_; }

private:
    std::optional<Chorale> owned_;
    const Chorale* chorale_ = nullptr;
};

template <class T, std::size_t N>
py::tuple tuple_of(const std::array<T, N>& values) {
    py::tuple out(N);
    for (std::size_t i = 0; i < N; ++i) out[i] = py::cast(values[i]);
    return out;
}

// The counts of VoiceLeadingStats by name (as attributes and in to_dict()).
struct Field {
    const char* name;
    std::int64_t VoiceLeadingStats::*member;
    const char* doc;
};
const Field kFields[] = {
    {"events", &VoiceLeadingStats::events, "Chord events: ticks where at least one voice starts a note."},
    {"notes", &VoiceLeadingStats::notes, "Note onsets (pitch tokens), all voices."},
    {"parallel_fifths", &VoiceLeadingStats::parallel_fifths,
     "Parallel fifths, any pair of voices (once per pair and pair of consecutive events)."},
    {"parallel_octaves", &VoiceLeadingStats::parallel_octaves,
     "Parallel octaves (unisons included), any pair of voices."},
    {"contrary_fifths", &VoiceLeadingStats::contrary_fifths,
     "Fifths by contrary motion, any pair of voices."},
    {"contrary_octaves", &VoiceLeadingStats::contrary_octaves,
     "Octaves by contrary motion, any pair of voices."},
    {"hidden_fifths", &VoiceLeadingStats::hidden_fifths,
     "Hidden fifths: soprano and bass in similar motion into a fifth, the soprano leaping."},
    {"hidden_octaves", &VoiceLeadingStats::hidden_octaves,
     "Hidden octaves: soprano and bass in similar motion into an octave, the soprano leaping."},
    {"voice_crossings", &VoiceLeadingStats::voice_crossings,
     "Events where a lower voice sounds strictly above the next upper one (once per event)."},
    {"spacing", &VoiceLeadingStats::spacing,
     "Events where soprano/alto or alto/tenor are more than max_spacing semitones apart."},
    {"out_of_range", &VoiceLeadingStats::out_of_range, "Note onsets outside their voice's range."},
    {"out_of_key", &VoiceLeadingStats::out_of_key,
     "Note onsets whose pitch class is not in the key signature's scale (in minor, the raised sixth and "
     "seventh are in it)."},
    {"augmented_melodic", &VoiceLeadingStats::augmented_melodic,
     "Augmented seconds and fourths between consecutive pitches of a voice, as spelled."},
    {"large_leaps", &VoiceLeadingStats::large_leaps,
     "Leaps of more than an octave between consecutive pitches of a voice."},
    {"sixteenths", &VoiceLeadingStats::sixteenths,
     "Note onsets that start or end off the eighth-note grid (sixteenth rhythms)."},
};

bool stats_equal(const VoiceLeadingStats& a, const VoiceLeadingStats& b) {
    for (const Field& f : kFields)
        if (a.*f.member != b.*f.member) return false;
    return a.crossings_by_pair == b.crossings_by_pair && a.spacing_by_pair == b.spacing_by_pair &&
           a.out_of_range_by_voice == b.out_of_range_by_voice;
}

// What `deepbach evaluate --rules --json` prints as a chorale's "stats".
py::dict stats_dict(const VoiceLeadingStats& s) {
    return json_dict(to_json(s));
}

std::string stats_repr(const VoiceLeadingStats& s) {
    std::string out = "VoiceLeadingStats(";
    bool first = true;
    for (const Field& f : kFields) {
        out += (first ? "" : ", ") + std::string(f.name) + "=" + std::to_string(s.*f.member);
        first = false;
    }
    return out + ")";
}

// A count given as an int, or as the name of one of the total's counts
// ('parallel_fifths', 'parallels', ...).
std::int64_t count_arg(const VoiceLeadingSummary& s, const py::handle& count) {
    if (py::isinstance<py::str>(count)) {
        const std::string name = count.cast<std::string>();
        if (name == "parallels") return s.total.parallels();
        for (const Field& f : kFields)
            if (name == f.name) return s.total.*f.member;
        std::string known = "parallels";
        for (const Field& f : kFields) known += std::string(", ") + f.name;
        throw Error("VoiceLeadingSummary: no count named '" + name + "' (" + known + ")");
    }
    if (py::isinstance<py::int_>(count) && !py::isinstance<py::bool_>(count))
        return count.cast<std::int64_t>();
    throw py::type_error("a count is an int or the name of a count ('parallel_fifths'), not " +
                         repr_of(count));
}

py::dict summary_dict(const VoiceLeadingSummary& s) {
    return json_dict(to_json(s));
}

py::list ranges_list(const VoiceLeadingOptions& o) {
    py::list out;
    for (const VoiceRange& r : o.ranges) out.append(py::make_tuple(r.lowest, r.highest));
    return out;
}

// Four (lowest, highest) pairs (tuples, lists or VoiceRange).
std::array<VoiceRange, kNumVoices> ranges_arg(const py::handle& ranges) {
    const char* what = "VoiceLeadingOptions.ranges";
    if (py::isinstance<py::str>(ranges) || !py::isinstance<py::sequence>(ranges))
        throw Error(std::string(what) + ": expected four (lowest, highest) MIDI pairs, not " +
                    repr_of(ranges));
    const auto seq = py::reinterpret_borrow<py::sequence>(ranges);
    if (seq.size() != kNumVoices)
        throw Error(std::string(what) +
                    ": expected four (lowest, highest) MIDI pairs (soprano, alto, tenor, "
                    "bass), not " +
                    std::to_string(seq.size()));
    std::array<VoiceRange, kNumVoices> out{};
    for (int v = 0; v < kNumVoices; ++v) {
        const py::object item = seq[static_cast<std::size_t>(v)];
        VoiceRange r;
        if (py::isinstance<VoiceRange>(item)) {
            r = item.cast<VoiceRange>();
        } else {
            std::vector<int> pair;
            try {
                pair = item.cast<std::vector<int>>();
            } catch (const py::cast_error&) {
            }
            if (pair.size() != 2)
                throw Error(std::string(what) + ": " + voice_name(v) + ": expected (lowest, highest), not " +
                            repr_of(item));
            r = VoiceRange{pair[0], pair[1]};
        }
        if (r.lowest < 0 || r.highest > 127 || r.highest < r.lowest)
            throw Error(std::string(what) + ": " + voice_name(v) + ": (" + std::to_string(r.lowest) + ", " +
                        std::to_string(r.highest) + ") is not a range of MIDI numbers 0..127");
        out[static_cast<std::size_t>(v)] = r;
    }
    return out;
}

std::string options_repr(const VoiceLeadingOptions& o) {
    std::string out = "VoiceLeadingOptions(ranges=[";
    for (int v = 0; v < kNumVoices; ++v) {
        const VoiceRange& r = o.ranges[static_cast<std::size_t>(v)];
        out += (v ? ", (" : "(") + std::to_string(r.lowest) + ", " + std::to_string(r.highest) + ")";
    }
    return out + "], hidden_leap=" + std::to_string(o.hidden_leap) +
           ", max_spacing=" + std::to_string(o.max_spacing) + ")";
}

py::dict agreement_dict(const Agreement& a) {
    return json_dict(to_json(a));
}

std::string percent(double x) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * x);
    return buf;
}

py::object not_implemented() {
    return py::reinterpret_borrow<py::object>(Py_NotImplemented);
}

}  // namespace

void bind_evaluation(py::module_& m) {
    // ------------------------------------------------------------ ChordEvent
    py::class_<ChordEvent>(m, "ChordEvent", R"doc(
A chord event: a tick where at least one voice starts a note (a rest
starting or notes held over make none), with what every voice sounds there.
See chord_events().
)doc")
        .def_readonly("tick", &ChordEvent::tick, "The tick of the event.")
        .def_property_readonly(
            "midi", [](const ChordEvent& e) { return tuple_of(e.midi); },
            "MIDI number sounding in each voice (soprano..bass), following holds back to the note's "
            "onset; -1 where the voice rests.")
        .def_property_readonly(
            "onset", [](const ChordEvent& e) { return tuple_of(e.onset); },
            "For each voice (soprano..bass), whether it starts a note at the tick.")
        .def(
            "sounds", [](const ChordEvent& e, const py::object& voice) { return e.sounds(voice_arg(voice)); },
            py::arg("voice"), "True when the voice (0..3 or a name) sounds a pitch at the event.")
        .def(
            "__eq__",
            [](const ChordEvent& a, const ChordEvent& b) {
                return a.tick == b.tick && a.midi == b.midi && a.onset == b.onset;
            },
            py::is_operator())
        .def("__repr__", [](const ChordEvent& e) {
            std::string midi, onset;
            for (int v = 0; v < kNumVoices; ++v) {
                const auto vi = static_cast<std::size_t>(v);
                midi += (v ? ", " : "") + std::to_string(e.midi[vi]);
                onset += std::string(v ? ", " : "") + (e.onset[vi] ? "True" : "False");
            }
            return "ChordEvent(tick=" + std::to_string(e.tick) + ", midi=(" + midi + "), onset=(" + onset +
                   "))";
        });

    m.def(
        "chord_events",
        [](const py::object& chorale) { return chord_events(*ChoraleArg(chorale, "chord_events")); },
        py::arg("chorale"), R"doc(
The chord events of a chorale (a Chorale, or a Score or file path converted
with Score.to_chorale()), in tick order: a list of ChordEvent, one per tick
where at least one voice starts a note. Raises deepbach.Error for a grid that
is not well formed.
)doc");

    // ------------------------------------------------------------ options
    py::class_<VoiceLeadingOptions>(m, "VoiceLeadingOptions", R"doc(
What voice_leading_stats() counts against, all keyword arguments:

- ranges: four (lowest, highest) MIDI pairs, soprano to bass, inclusive
  (default soprano C4-G5 (60, 79), alto G3-D5 (55, 74), tenor C3-G4 (48, 67),
  bass E2-C4 (40, 60));
- hidden_leap: hidden fifths and octaves need the soprano to move by more
  than this many semitones (default 2: a leap);
- max_spacing: soprano/alto or alto/tenor more than this many semitones
  apart is a spacing fault (default 12: an octave is fine).

    >>> deepbach.VoiceLeadingOptions(max_spacing=14)
)doc")
        .def(py::init([](const py::object& ranges, int hidden_leap, int max_spacing) {
                 VoiceLeadingOptions o;
                 if (!ranges.is_none()) o.ranges = ranges_arg(ranges);
                 o.hidden_leap = hidden_leap;
                 o.max_spacing = max_spacing;
                 return o;
             }),
             py::kw_only(), py::arg("ranges") = py::none(), py::arg("hidden_leap") = 2,
             py::arg("max_spacing") = 12)
        .def_property(
            "ranges", &ranges_list,
            [](VoiceLeadingOptions& o, const py::object& ranges) { o.ranges = ranges_arg(ranges); },
            "Four (lowest, highest) MIDI pairs, soprano to bass, limits included (a copy: assign a new list "
            "to change them).")
        .def_readwrite("hidden_leap", &VoiceLeadingOptions::hidden_leap,
                       "Hidden fifths and octaves need the soprano to move by more than this many semitones.")
        .def_readwrite("max_spacing", &VoiceLeadingOptions::max_spacing,
                       "Soprano/alto or alto/tenor more than this many semitones apart is a spacing fault.")
        .def(
            "__eq__",
            [](const VoiceLeadingOptions& a, const VoiceLeadingOptions& b) {
                for (std::size_t v = 0; v < a.ranges.size(); ++v)
                    if (a.ranges[v].lowest != b.ranges[v].lowest ||
                        a.ranges[v].highest != b.ranges[v].highest)
                        return false;
                return a.hidden_leap == b.hidden_leap && a.max_spacing == b.max_spacing;
            },
            py::is_operator())
        .def("__repr__", &options_repr);

    // ------------------------------------------------------------ stats
    py::class_<VoiceLeadingStats> stats(m, "VoiceLeadingStats", R"doc(
Voice-leading counts of one chorale (voice_leading_stats()) or, summed with
+ or +=, of many (sum(stats_list) works too). Read-only ints: events, notes,
parallel_fifths, parallel_octaves, contrary_fifths, contrary_octaves,
hidden_fifths, hidden_octaves, voice_crossings, spacing, out_of_range,
out_of_key, augmented_melodic, large_leaps, sixteenths; the
details crossings_by_pair (S/A, A/T, T/B), spacing_by_pair (S/A, A/T) and
out_of_range_by_voice (S, A, T, B) as tuples; parallels (fifths plus
octaves). to_dict() gives what `deepbach evaluate --rules --json` prints.
docs/evaluation.md defines every count.

    >>> s = deepbach.voice_leading_stats("bwv10.7.mxl")
    >>> s.parallels, s.voice_crossings, s.crossings_by_pair
)doc");
    stats.def(py::init<>(), "All counts zero (a start for sums).");
    for (const Field& f : kFields) stats.def_readonly(f.name, f.member, f.doc);
    stats
        .def_property_readonly("parallels", &VoiceLeadingStats::parallels,
                               "Parallel fifths plus parallel octaves: the headline figure.")
        .def_property_readonly(
            "crossings_by_pair", [](const VoiceLeadingStats& s) { return tuple_of(s.crossings_by_pair); },
            "Events with a crossing of soprano/alto, alto/tenor, tenor/bass (a tuple of 3; an event may "
            "count in more than one).")
        .def_property_readonly(
            "spacing_by_pair", [](const VoiceLeadingStats& s) { return tuple_of(s.spacing_by_pair); },
            "Events with soprano/alto, alto/tenor too far apart (a tuple of 2).")
        .def_property_readonly(
            "out_of_range_by_voice",
            [](const VoiceLeadingStats& s) { return tuple_of(s.out_of_range_by_voice); },
            "Note onsets out of range per voice, soprano..bass (a tuple of 4).")
        .def("to_dict", &stats_dict,
             "The counts as a dict, keyed as in `deepbach evaluate --rules --json` (its results[].stats): "
             "events, notes, parallels, the ten rule counts, and voice_crossings_by_pair, spacing_by_pair, "
             "out_of_range_by_voice as dicts by pair or voice name.")
        .def(
            "__add__",
            [](const VoiceLeadingStats& a, const VoiceLeadingStats& b) {
                VoiceLeadingStats out = a;
                out += b;
                return out;
            },
            py::is_operator())
        .def(
            "__iadd__",
            [](VoiceLeadingStats& a, const VoiceLeadingStats& b) -> VoiceLeadingStats& { return a += b; },
            py::is_operator(), py::return_value_policy::reference_internal)
        .def(
            "__radd__",
            [](const VoiceLeadingStats& a, const py::object& other) -> py::object {
                // sum() starts from 0.
                if (py::isinstance<py::int_>(other) && !py::isinstance<py::bool_>(other) &&
                    other.cast<long long>() == 0)
                    return py::cast(a);
                return not_implemented();
            },
            py::is_operator())
        .def("__eq__", &stats_equal, py::is_operator())
        .def("__repr__", &stats_repr);

    m.def(
        "voice_leading_stats",
        [](const py::object& chorale, const std::optional<VoiceLeadingOptions>& options) {
            return voice_leading_stats(*ChoraleArg(chorale, "voice_leading_stats"),
                                       options.value_or(VoiceLeadingOptions{}));
        },
        py::arg("chorale"), py::arg("options") = py::none(), R"doc(
Voice-leading statistics of a four-voice chorale: a Chorale (e.g.
harmonization.chorale or a grid built with Chorale.from_tokens), or a Score
or file path (converted with Score.to_chorale()). options: a
VoiceLeadingOptions, or None for the defaults (those of `deepbach evaluate
--rules`). Returns a VoiceLeadingStats; raises deepbach.Error for a grid that
is not well formed or a score the grid cannot hold.

    >>> s = deepbach.voice_leading_stats(result.chorale)
    >>> s.parallel_fifths, s.parallel_octaves, s.to_dict()
)doc");

    m.def(
        "voice_leading_faults",
        [](const py::object& chorale, const std::optional<VoiceLeadingOptions>& options) {
            const ChoraleArg c(chorale, "voice_leading_faults");
            py::list out;
            for (const VoiceLeadingFault& f :
                 voice_leading_faults(*c, options.value_or(VoiceLeadingOptions{})))
                out.append(json_dict(to_json(f, *c)));
            return out;
        },
        py::arg("chorale"), py::arg("options") = py::none(), R"doc(
Every fault voice_leading_stats() counts, where it is, in time order: a list
of dicts with rule (the key of rule_counts(), e.g. "parallel_fifths"), where
("bar 3 beat 2"), tick, voice and other (the pair's lower voice, or None)
and text ("parallel fifths, alto and bass: D4 G3 to E4 A3"). What `deepbach
evaluate --rules --faults` lists. Takes what voice_leading_stats() takes.

    >>> for f in deepbach.voice_leading_faults(result.chorale):
    ...     print(f["where"], f["text"])
)doc");

    m.def(
        "rule_counts",
        [](const VoiceLeadingStats& s) {
            py::list out;
            for (const RuleCount& rc : rule_counts(s)) out.append(py::make_tuple(rc.key, rc.label, rc.count));
            return out;
        },
        py::arg("stats"), R"doc(
The ten rule counts of a VoiceLeadingStats as (key, label, count) tuples, in
a fixed order: parallel fifths, parallel octaves, contrary fifths, contrary
octaves, hidden fifths, hidden octaves, voice crossings, spacing, out of
range, out of key. key is the attribute and JSON name ('parallel_fifths'), label the
name in tables ('parallel fifths').
)doc");

    // ------------------------------------------------------------ summary
    py::class_<VoiceLeadingSummary>(m, "VoiceLeadingSummary", R"doc(
Statistics of a set of chorales (summarize()): chorales, total (a
VoiceLeadingStats), and the rates per_chorale(count) and
per_100_events(count), where count is an int or the name of one of total's
counts ('parallels', 'hidden_octaves', ...).

    >>> summary = deepbach.summarize(deepbach.voice_leading_stats(c) for c in corpus.chorales)
    >>> summary.per_chorale("parallels")
)doc")
        .def_property_readonly(
            "chorales", [](const VoiceLeadingSummary& s) { return s.chorales; }, "Number of chorales summed.")
        .def_property_readonly(
            "total", [](const VoiceLeadingSummary& s) { return s.total; }, "The counts summed (a copy).")
        .def(
            "per_chorale",
            [](const VoiceLeadingSummary& s, const py::object& count) {
                return s.per_chorale(count_arg(s, count));
            },
            py::arg("count"), "count / chorales (0.0 without chorales); count: an int or a count's name.")
        .def(
            "per_100_events",
            [](const VoiceLeadingSummary& s, const py::object& count) {
                return s.per_100_events(count_arg(s, count));
            },
            py::arg("count"),
            "100 * count / total.events (0.0 without events); count: an int or a count's name.")
        .def("to_dict", &summary_dict,
             "The summary as `deepbach evaluate --rules --json` prints it (its summary): chorales, totals, "
             "mean_per_chorale, per_100_events.")
        .def("__repr__", [](const VoiceLeadingSummary& s) {
            char buf[160];
            std::snprintf(buf, sizeof buf,
                          "<VoiceLeadingSummary: %zu chorales, %lld events, %.2f parallels per chorale>",
                          s.chorales, static_cast<long long>(s.total.events),
                          s.per_chorale(s.total.parallels()));
            return std::string(buf);
        });

    m.def(
        "summarize",
        [](const py::iterable& stats) {
            std::vector<VoiceLeadingStats> all;
            for (const py::handle& item : stats) {
                if (!py::isinstance<VoiceLeadingStats>(item))
                    throw py::type_error("summarize: expected VoiceLeadingStats, not " +
                                         std::string(py::str(item.get_type().attr("__name__"))));
                all.push_back(item.cast<VoiceLeadingStats>());
            }
            return summarize(all);
        },
        py::arg("stats"), R"doc(
A VoiceLeadingSummary of VoiceLeadingStats (any iterable, one per chorale):
chorales is their number, total their sum.
)doc");

    // ------------------------------------------------------------ agreement
    py::class_<Agreement>(m, "Agreement", R"doc(
How often a harmonization sounds what a reference sounds, tick by tick
(agreement()). A voice agrees in pitch at a tick when both sound the same
MIDI number (spelling ignored) or both rest, and in pitch class when the
MIDI numbers are equal modulo 12 or both rest. Sums over chorales with + and
+=; the fractions weigh every tick alike.

    >>> a = deepbach.agreement(result.chorale, bach)
    >>> a.pitch("alto"), a.lower_pitch, a.lower_pitch_class
)doc")
        .def(py::init<>(), "No ticks (a start for sums).")
        .def_readonly("ticks", &Agreement::ticks, "Ticks compared.")
        .def_property_readonly(
            "same_pitch", [](const Agreement& a) { return tuple_of(a.same_pitch); },
            "Ticks where each voice (soprano..bass) agrees in pitch (a tuple of 4).")
        .def_property_readonly(
            "same_pitch_class", [](const Agreement& a) { return tuple_of(a.same_pitch_class); },
            "Ticks where each voice (soprano..bass) agrees in pitch class (a tuple of 4).")
        .def(
            "pitch", [](const Agreement& a, const py::object& voice) { return a.pitch(voice_arg(voice)); },
            py::arg("voice"),
            "Fraction of ticks on which a voice (0..3 or a name) agrees in pitch (0.0 without ticks).")
        .def(
            "pitch_class",
            [](const Agreement& a, const py::object& voice) { return a.pitch_class(voice_arg(voice)); },
            py::arg("voice"),
            "Fraction of ticks on which a voice (0..3 or a name) agrees in pitch class (0.0 without ticks).")
        .def_property_readonly("lower_pitch", &Agreement::lower_pitch,
                               "Agreement in pitch over alto, tenor and bass together (the voices a "
                               "harmonization writes).")
        .def_property_readonly("lower_pitch_class", &Agreement::lower_pitch_class,
                               "Agreement in pitch class over alto, tenor and bass together.")
        .def("to_dict", &agreement_dict,
             "The fractions as `deepbach evaluate --harmonize --json` prints them: ticks, alto, tenor, bass "
             "and lower_voices, each {pitch, pitch_class}.")
        .def(
            "__add__",
            [](const Agreement& a, const Agreement& b) {
                Agreement out = a;
                out += b;
                return out;
            },
            py::is_operator())
        .def(
            "__iadd__", [](Agreement& a, const Agreement& b) -> Agreement& { return a += b; },
            py::is_operator(), py::return_value_policy::reference_internal)
        .def(
            "__eq__",
            [](const Agreement& a, const Agreement& b) {
                return a.ticks == b.ticks && a.same_pitch == b.same_pitch &&
                       a.same_pitch_class == b.same_pitch_class;
            },
            py::is_operator())
        .def("__repr__", [](const Agreement& a) {
            return "<Agreement: " + std::to_string(a.ticks) + " ticks, alto+tenor+bass " +
                   percent(a.lower_pitch()) + " pitch, " + percent(a.lower_pitch_class()) + " pitch class>";
        });

    m.def(
        "agreement",
        [](const py::object& generated, const py::object& reference) {
            const ChoraleArg g(generated, "agreement"), r(reference, "agreement");
            return agreement(*g, *r);
        },
        py::arg("generated"), py::arg("reference"), R"doc(
How closely `generated` follows `reference` (e.g. Bach's chorale), tick by
tick and voice by voice: an Agreement. Each is a Chorale, or a Score or file
path (converted with Score.to_chorale()). Raises deepbach.Error when their
lengths differ.
)doc");
}

}  // namespace deepbach::py_bindings
