// Score <-> Chorale conversion: what the grid can hold, and clear errors for the rest.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>

#include <algorithm>
#include <cctype>

namespace deepbach {

namespace {

const Rational kTick(1, kTicksPerQuarter);

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// Picks the parts to use as Soprano, Alto, Tenor, Bass.
std::vector<int> choose_parts(const Score& score, const ChoraleOptions& options) {
    const Location where{score.source, "", ""};
    const int n = static_cast<int>(score.parts.size());
    if (n == 0) fail(where, "the score has no parts");
    if (!options.parts.empty()) {
        if (options.parts.size() != kNumVoices)
            fail(where, "exactly 4 parts must be chosen as Soprano, Alto, Tenor, Bass");
        for (int p : options.parts)
            if (p < 0 || p >= n)
                fail(where, "part " + std::to_string(p) + " does not exist (the score has " +
                                std::to_string(n) + ")");
        return options.parts;
    }
    if (n == kNumVoices) return {0, 1, 2, 3};
    // Among more parts, take the ones named after the four voices, if there is exactly one of each.
    std::vector<int> chosen(kNumVoices, -1);
    for (int p = 0; p < n; ++p) {
        const std::string name = lower(score.parts[static_cast<size_t>(p)].name);
        for (int v = 0; v < kNumVoices; ++v) {
            if (name.rfind(lower(voice_name(v)), 0) != 0) continue;
            if (chosen[static_cast<size_t>(v)] >= 0)
                chosen[static_cast<size_t>(v)] = -2;  // ambiguous
            else if (chosen[static_cast<size_t>(v)] == -1)
                chosen[static_cast<size_t>(v)] = p;
        }
    }
    const bool all = std::all_of(chosen.begin(), chosen.end(), [](int p) { return p >= 0; });
    if (!all)
        fail(where, std::to_string(n) + (n == 1 ? " part" : " parts") +
                        "; a chorale needs 4 (Soprano, Alto, Tenor, Bass)");
    return chosen;
}

// The tick of a time that must lie on the sixteenth grid.
int to_tick(const Rational& t, const Location& where, const char* what) {
    const Rational ticks = t * Rational(kTicksPerQuarter);
    if (ticks.den() != 1)
        fail(where, std::string(what) + " at " + t.to_string() + " quarters is off the sixteenth-note grid");
    return static_cast<int>(ticks.num());
}

// Why a note cannot be placed on the grid.
std::string off_grid_reason(const Note& note) {
    auto has_odd_factor = [](std::int64_t den) {
        while (den % 2 == 0) den /= 2;
        return den != 1;
    };
    if (has_odd_factor(note.duration.den()) || has_odd_factor(note.onset.den()))
        return "a tuplet (duration " + note.duration.to_string() +
               " quarters) cannot be held by the sixteenth-note grid";
    if (note.duration < kTick)
        return "a note shorter than a sixteenth (" + note.duration.to_string() +
               " quarters) cannot be held by the grid";
    return "a note off the sixteenth-note grid (onset " + note.onset.to_string() + ", duration " +
           note.duration.to_string() + " quarters)";
}

struct Span {
    int start, end;  // ticks [start, end)
    Pitch pitch;
    bool fermata;
};

// The sounding notes of one part as merged spans (ties joined), checked for overlaps.
std::vector<Span> part_spans(const Score& score, const Part& part, const std::string& voice_label,
                             std::vector<Span>* fermata_rests) {
    std::vector<const Note*> notes;
    for (const auto& n : part.notes) notes.push_back(&n);
    std::stable_sort(notes.begin(), notes.end(),
                     [](const Note* a, const Note* b) { return a->onset < b->onset; });
    std::vector<Span> spans;
    for (const Note* n : notes) {
        const Location where{score.source, score.bar_at(n->onset), voice_label};
        if (!n->onset.is_multiple_of(kTick) || !n->duration.is_multiple_of(kTick) || n->duration < kTick)
            fail(where, off_grid_reason(*n));
        const int start = static_cast<int>((n->onset * Rational(kTicksPerQuarter)).num());
        const int end = static_cast<int>((n->end() * Rational(kTicksPerQuarter)).num());
        if (n->is_rest()) {
            if (n->fermata && fermata_rests) fermata_rests->push_back(Span{start, end, Pitch{}, true});
            continue;
        }
        if (!spans.empty()) {
            Span& prev = spans.back();
            const bool tied = (n->tie_stop) && prev.end == start && prev.pitch.midi() == n->pitch->midi();
            if (tied) {
                prev.end = end;
                prev.fermata = prev.fermata || n->fermata;
                continue;
            }
            if (start < prev.end)
                fail(where, "two notes at once (" + prev.pitch.name() + " and " + n->pitch->name() +
                                "): a chord or a second voice inside one part cannot be held by the grid");
        }
        spans.push_back(Span{start, end, *n->pitch, n->fermata});
    }
    return spans;
}

// Nominal start of each measure: a pickup measure is counted back from its end,
// so beat positions inside it match where it falls in a full bar.
int nominal_measure_start(const Score& score, size_t m, int start_tick, int end_tick) {
    if (m != 0) return start_tick;
    const Rational full =
        score.time_at(score.measures[0].onset).measure_length() * Rational(kTicksPerQuarter);
    const int full_ticks = static_cast<int>(full.floor());
    if (end_tick - start_tick < full_ticks) return end_tick - full_ticks;
    return start_tick;
}

}  // namespace

Chorale to_chorale(const Score& score, const ChoraleOptions& options) {
    const std::vector<int> part_index = choose_parts(score, options);
    const Location file_only{score.source, "", ""};

    Chorale c;
    c.title = score.title;
    c.source = score.source;

    // Measures: as written, or whole bars of the time signature when the score has none.
    std::vector<Measure> measures = score.measures;
    Rational notes_end(0);
    for (int p : part_index)
        for (const auto& n : score.parts[static_cast<size_t>(p)].notes)
            notes_end = std::max(notes_end, n.end());
    if (measures.empty()) {
        for (Rational t(0); t < notes_end;) {
            Measure m;
            m.onset = t;
            m.duration = score.time_at(t).measure_length();
            m.number = std::to_string(measures.size() + 1);
            measures.push_back(m);
            t = t + m.duration;
        }
    }
    if (measures.empty()) fail(file_only, "the score is empty");
    const Rational length = std::max(measures.back().onset + measures.back().duration, notes_end);
    c.num_ticks = to_tick(length, file_only, "the end of the piece");
    if (c.num_ticks <= 0) fail(file_only, "the score is empty");
    const size_t T = static_cast<size_t>(c.num_ticks);

    for (size_t m = 0; m < measures.size(); ++m) {
        const Location where{score.source, measures[m].number, ""};
        c.measure_ticks.push_back(to_tick(measures[m].onset, where, "the measure start"));
        c.measure_numbers.push_back(measures[m].number);
    }

    // Tokens, voice by voice.
    c.tokens.assign(kNumVoices * T, token::kHold);
    c.fermata.assign(T, 0);
    for (int v = 0; v < kNumVoices; ++v) {
        const Part& part = score.parts[static_cast<size_t>(part_index[static_cast<size_t>(v)])];
        const std::string label = part.name.empty() ? voice_name(v) : part.name;
        std::vector<Span> fermata_rests;
        const std::vector<Span> spans =
            part_spans(score, part, label, v == kSoprano ? &fermata_rests : nullptr);
        // Silence is a rest at its first tick and at every barline inside it, so
        // that a rest split at barlines by a writer reads back the same.
        std::vector<std::uint8_t> sounding(T, 0);
        for (const Span& s : spans) {
            if (s.end > c.num_ticks)
                fail(Location{score.source, score.bar_at(Rational(s.start, kTicksPerQuarter)), label},
                     "note runs past the end of the piece");
            c.at(v, s.start) = token::from_pitch(s.pitch);
            std::fill(sounding.begin() + s.start, sounding.begin() + s.end, 1);
            if (v == kSoprano && s.fermata)
                std::fill(c.fermata.begin() + s.start, c.fermata.begin() + s.end, 1);
        }
        for (const Span& r : fermata_rests)
            std::fill(c.fermata.begin() + r.start, c.fermata.begin() + std::min(r.end, c.num_ticks), 1);
        size_t next_measure = 0;
        for (int t = 0; t < c.num_ticks; ++t) {
            const bool bar_start =
                next_measure < c.measure_ticks.size() && c.measure_ticks[next_measure] == t;
            if (bar_start) ++next_measure;
            if (sounding[static_cast<size_t>(t)]) continue;
            if (t == 0 || sounding[static_cast<size_t>(t - 1)] || bar_start) c.at(v, t) = token::kRest;
        }
    }

    // Beat position within the bar, and keys and times on the grid.
    c.beat_position.resize(T);
    for (size_t m = 0; m < c.measure_ticks.size(); ++m) {
        const int start = c.measure_ticks[m];
        const int end = m + 1 < c.measure_ticks.size() ? c.measure_ticks[m + 1] : c.num_ticks;
        const int nominal = nominal_measure_start(score, m, start, end);
        for (int t = start; t < end && t < c.num_ticks; ++t)
            c.beat_position[static_cast<size_t>(t)] = static_cast<std::uint8_t>(
                ((t - nominal) % kTicksPerQuarter + kTicksPerQuarter) % kTicksPerQuarter);
    }
    for (const auto& k : score.keys) {
        const int tick =
            std::min(c.num_ticks - 1, static_cast<int>((k.onset * Rational(kTicksPerQuarter)).floor()));
        if (k.fifths < -7 || k.fifths > 7)
            fail(Location{score.source, score.bar_at(k.onset), ""},
                 "key signature with more than 7 sharps or flats");
        if (!c.keys.empty() && c.keys.back().tick == tick) c.keys.pop_back();
        c.keys.push_back(GridKeySignature{tick, k.fifths, k.mode});
    }
    if (c.keys.empty() || c.keys.front().tick != 0)
        c.keys.insert(c.keys.begin(), GridKeySignature{0, c.keys.empty() ? 0 : c.keys.front().fifths,
                                                       c.keys.empty() ? "" : c.keys.front().mode});
    for (const auto& ts : score.times) {
        const int tick =
            std::min(c.num_ticks - 1, static_cast<int>((ts.onset * Rational(kTicksPerQuarter)).floor()));
        if (!c.times.empty() && c.times.back().tick == tick) c.times.pop_back();
        c.times.push_back(GridTimeSignature{tick, ts.beats, ts.beat_type});
    }
    if (c.times.empty() || c.times.front().tick != 0)
        c.times.insert(c.times.begin(), GridTimeSignature{0, c.times.empty() ? 4 : c.times.front().beats,
                                                          c.times.empty() ? 4 : c.times.front().beat_type});
    c.key_fifths.assign(T, 0);
    for (size_t k = 0; k < c.keys.size(); ++k) {
        const int end = k + 1 < c.keys.size() ? c.keys[k + 1].tick : c.num_ticks;
        std::fill(c.key_fifths.begin() + c.keys[k].tick, c.key_fifths.begin() + end,
                  static_cast<std::int8_t>(c.keys[k].fifths));
    }
    for (int v = 0; v < kNumVoices; ++v) {
        const std::string& name = score.parts[static_cast<size_t>(part_index[static_cast<size_t>(v)])].name;
        if (!name.empty()) c.part_names[static_cast<size_t>(v)] = name;
    }
    return c;
}

Score to_score(const Chorale& c) {
    c.validate();
    Score s;
    s.title = c.title;
    s.source = c.source;
    const Rational tick(1, kTicksPerQuarter);
    for (const auto& ts : c.times)
        s.times.push_back(TimeSignature{Rational(ts.tick) * tick, ts.beats, ts.beat_type});
    for (const auto& k : c.keys) s.keys.push_back(KeySignature{Rational(k.tick) * tick, k.fifths, k.mode});
    for (size_t m = 0; m < c.measure_ticks.size(); ++m) {
        Measure measure;
        const int start = c.measure_ticks[m];
        const int end = m + 1 < c.measure_ticks.size() ? c.measure_ticks[m + 1] : c.num_ticks;
        measure.onset = Rational(start) * tick;
        measure.duration = Rational(end - start) * tick;
        measure.number = c.measure_numbers[m];
        measure.implicit = m == 0 && measure.duration < s.time_at(measure.onset).measure_length();
        s.measures.push_back(measure);
    }
    // First tick of each fermata run: other voices mark the note sounding there.
    std::vector<std::uint8_t> fermata_start(static_cast<size_t>(c.num_ticks), 0);
    for (int t = 0; t < c.num_ticks; ++t)
        fermata_start[static_cast<size_t>(t)] =
            c.fermata[static_cast<size_t>(t)] && (t == 0 || !c.fermata[static_cast<size_t>(t - 1)]);
    for (int v = 0; v < kNumVoices; ++v) {
        Part part;
        part.id = "P" + std::to_string(v + 1);
        part.name = c.part_names[static_cast<size_t>(v)];
        part.abbreviation = part.name.empty() ? "" : part.name.substr(0, 1) + ".";
        for (int t = 0; t < c.num_ticks;) {
            int end = t + 1;
            while (end < c.num_ticks && c.at(v, end) == token::kHold) ++end;
            Note n;
            n.onset = Rational(t) * tick;
            n.duration = Rational(end - t) * tick;
            if (token::is_pitch(c.at(v, t))) n.pitch = token::to_pitch(c.at(v, t));
            n.measure = c.measure_index_at(t);
            for (int u = t; u < end && !n.fermata; ++u)
                n.fermata = v == kSoprano ? c.fermata[static_cast<size_t>(u)] != 0
                                          : fermata_start[static_cast<size_t>(u)] != 0;
            part.notes.push_back(n);
            t = end;
        }
        s.parts.push_back(std::move(part));
    }
    return s;
}

Interval interval_for_shift(const Chorale& chorale, int semitones) {
    int lo = 7, hi = -7;
    for (const auto& k : chorale.keys) {
        lo = std::min(lo, k.fifths);
        hi = std::max(hi, k.fifths);
    }
    if (chorale.keys.empty()) lo = hi = 0;
    return Interval::for_shift(semitones, lo, hi);
}

Chorale transpose(const Chorale& chorale, const Interval& by) {
    Chorale out = chorale;
    for (int v = 0; v < kNumVoices; ++v) {
        for (int t = 0; t < chorale.num_ticks; ++t) {
            Token& tok = out.at(v, t);
            if (!token::is_pitch(tok)) continue;
            try {
                tok = token::from_pitch(transpose(token::to_pitch(tok), by));
            } catch (const Error& e) {
                fail(Location{chorale.source, chorale.bar_at(t), voice_name(v)}, e.what());
            }
        }
    }
    for (auto& k : out.keys) {
        k.fifths = transpose_key(k.fifths, by);
        if (k.fifths < -7 || k.fifths > 7)
            fail(Location{chorale.source, chorale.bar_at(k.tick), ""},
                 "transposed key signature needs more than 7 sharps or flats");
    }
    for (auto& f : out.key_fifths) f = static_cast<std::int8_t>(f + by.fifths);
    return out;
}

Score transpose(const Score& score, const Interval& by) {
    Score out = score;
    for (auto& part : out.parts) {
        for (auto& n : part.notes) {
            if (!n.pitch) continue;
            try {
                n.pitch = transpose(*n.pitch, by);
            } catch (const Error& e) {
                fail(Location{score.source, score.bar_at(n.onset), part.name}, e.what());
            }
        }
    }
    for (auto& k : out.keys) {
        k.fifths = transpose_key(k.fifths, by);
        if (k.fifths < -7 || k.fifths > 7)
            fail(Location{score.source, score.bar_at(k.onset), ""},
                 "transposed key signature needs more than 7 sharps or flats");
    }
    return out;
}

}  // namespace deepbach
