// Voice-leading counts on the chorale grid (see include/deepbach/evaluation.hpp
// for the rules and docs/evaluation.md for examples).
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>

#include "eval/rules.hpp"
#include "score/interval.hpp"

#include <deepbach/pitch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

namespace deepbach {

namespace {

constexpr int kFifth = 7;
constexpr int kOctave = 0;

int sign(int x) {
    return (x > 0) - (x < 0);
}

// A melodic interval of `letters` staff steps and `semitones` (both
// unsigned) that is augmented (a second to a seventh, simple or compound:
// the chromatic semitone, an augmented unison, is not counted) or a
// diminished third (G#-Bb).
bool awkward_interval(int letters, int semitones) {
    const int quality = detail::interval_quality(letters, semitones);
    return (letters % 7 != 0 && quality == 1) || (letters % 7 == 2 && quality == -2);
}

int pitch_class(int midi) {
    return ((midi % 12) + 12) % 12;
}

// Index into chorale.keys of the key signature in force at `tick` (the last
// one starting at or before it), or -1 when there is none.
int key_index_at(const Chorale& c, int tick) {
    int found = -1;
    for (std::size_t i = 0; i < c.keys.size(); ++i)
        if (c.keys[i].tick <= tick) found = static_cast<int>(i);
    return found < 0 && !c.keys.empty() ? 0 : found;
}

// The signature's fifths at `tick`: Chorale::key_fifths, or the key list
// when the per-tick metadata is missing.
int fifths_at(const Chorale& c, int tick) {
    if (c.key_fifths.size() == static_cast<std::size_t>(c.num_ticks) && tick >= 0 && tick < c.num_ticks)
        return c.key_fifths[static_cast<std::size_t>(tick)];
    const int k = key_index_at(c, tick);
    return k < 0 ? 0 : c.keys[static_cast<std::size_t>(k)].fifths;
}

// Major tonic of a signature: C for none, G for one sharp, F for one flat.
int major_tonic(int fifths) {
    return pitch_class(7 * fifths);
}

}  // namespace

bool inferred_minor(const Chorale& c) {
    if (c.tokens.size() != static_cast<std::size_t>(kNumVoices) * static_cast<std::size_t>(c.num_ticks))
        return false;
    for (int t = c.num_ticks - 1; t >= 0; --t) {
        const Token tok = c.at(kBass, t);
        if (!token::is_pitch(tok)) continue;
        return pitch_class(token::to_pitch(tok).midi()) == pitch_class(major_tonic(fifths_at(c, t)) + 9);
    }
    return false;
}

bool key_is_minor(const Chorale& c, int tick) {
    const int k = key_index_at(c, tick);
    const std::string mode = k < 0 ? std::string() : c.keys[static_cast<std::size_t>(k)].mode;
    if (mode == "minor") return true;
    if (mode == "major") return false;
    return inferred_minor(c);
}

std::uint16_t key_pitch_classes(int fifths, bool minor) {
    const int tonic = major_tonic(fifths);
    std::uint16_t mask = 0;
    for (int step : {0, 2, 4, 5, 7, 9, 11})
        mask |= static_cast<std::uint16_t>(1u << pitch_class(tonic + step));
    // The relative minor (tonic + 9) raises its sixth (+ 9 + 9) and seventh (+ 9 + 11).
    if (minor)
        for (int step : {6, 8}) mask |= static_cast<std::uint16_t>(1u << pitch_class(tonic + step));
    return mask;
}

std::vector<ChordEvent> chord_events(const Chorale& chorale) {
    std::vector<ChordEvent> events;
    std::array<int, kNumVoices> sounding{-1, -1, -1, -1};
    for (int t = 0; t < chorale.num_ticks; ++t) {
        ChordEvent event;
        event.tick = t;
        bool any = false;
        for (int v = 0; v < kNumVoices; ++v) {
            const auto vi = static_cast<std::size_t>(v);
            const Token tok = chorale.at(v, t);
            if (token::is_pitch(tok)) {
                sounding[vi] = token::to_pitch(tok).midi();
                event.onset[vi] = true;
                any = true;
            } else if (tok != token::kHold) {
                sounding[vi] = -1;  // rest, START, END
            }
        }
        if (!any) continue;
        event.midi = sounding;
        events.push_back(event);
    }
    return events;
}

VoiceLeadingStats& VoiceLeadingStats::operator+=(const VoiceLeadingStats& o) {
    events += o.events;
    notes += o.notes;
    parallel_fifths += o.parallel_fifths;
    parallel_octaves += o.parallel_octaves;
    contrary_fifths += o.contrary_fifths;
    contrary_octaves += o.contrary_octaves;
    hidden_fifths += o.hidden_fifths;
    hidden_octaves += o.hidden_octaves;
    voice_crossings += o.voice_crossings;
    spacing += o.spacing;
    out_of_range += o.out_of_range;
    out_of_key += o.out_of_key;
    augmented_melodic += o.augmented_melodic;
    large_leaps += o.large_leaps;
    sixteenths += o.sixteenths;
    for (std::size_t i = 0; i < crossings_by_pair.size(); ++i) crossings_by_pair[i] += o.crossings_by_pair[i];
    for (std::size_t i = 0; i < spacing_by_pair.size(); ++i) spacing_by_pair[i] += o.spacing_by_pair[i];
    for (std::size_t i = 0; i < out_of_range_by_voice.size(); ++i)
        out_of_range_by_voice[i] += o.out_of_range_by_voice[i];
    return *this;
}

void count_vertical(const ChordEvent& e, const VoiceLeadingOptions& options, VoiceLeadingStats& s,
                    int voice) {
    bool crossed = false, spaced = false;
    for (int upper = 0; upper + 1 < kNumVoices; ++upper) {
        const int lower = upper + 1;
        if (voice >= 0 && voice != upper && voice != lower) continue;
        if (!e.sounds(upper) || !e.sounds(lower)) continue;
        const int gap = e.midi[static_cast<std::size_t>(upper)] - e.midi[static_cast<std::size_t>(lower)];
        if (gap < 0) {
            crossed = true;
            ++s.crossings_by_pair[static_cast<std::size_t>(upper)];
        }
        if (lower <= kTenor && gap > options.max_spacing) {
            spaced = true;
            ++s.spacing_by_pair[static_cast<std::size_t>(upper)];
        }
    }
    s.voice_crossings += crossed;
    s.spacing += spaced;
}

void count_motion(const ChordEvent& a, const ChordEvent& b, int x, int y, const VoiceLeadingOptions& options,
                  VoiceLeadingStats& s) {
    if (!a.sounds(x) || !a.sounds(y) || !b.sounds(x) || !b.sounds(y)) return;
    const auto xi = static_cast<std::size_t>(x), yi = static_cast<std::size_t>(y);
    const int dx = b.midi[xi] - a.midi[xi];
    const int dy = b.midi[yi] - a.midi[yi];
    if (dx == 0 || dy == 0) return;
    const int i1 = std::abs(a.midi[xi] - a.midi[yi]) % 12;
    const int i2 = std::abs(b.midi[xi] - b.midi[yi]) % 12;
    const bool same = sign(dx) == sign(dy);
    if (i1 == i2 && (i2 == kFifth || i2 == kOctave)) {
        const bool fifth = i2 == kFifth;
        if (same)
            ++(fifth ? s.parallel_fifths : s.parallel_octaves);
        else
            ++(fifth ? s.contrary_fifths : s.contrary_octaves);
    } else if (same && x == kSoprano && y == kBass && (i2 == kFifth || i2 == kOctave) &&
               std::abs(dx) > options.hidden_leap) {
        ++(i2 == kFifth ? s.hidden_fifths : s.hidden_octaves);
    }
}

namespace {

// "soprano": a voice's name inside a sentence.
std::string voice_word(int voice) {
    std::string name = voice_name(voice);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return name;
}

// The name of what `voice` sounds at `tick` ("C#4"; "rest").
std::string sounding_name(const Chorale& c, int voice, int tick) {
    const std::optional<Pitch> p = c.sounding(voice, tick);
    return p ? p->name() : std::string("rest");
}

// The statistics of `chorale`, and each fault in `faults` when given: one
// pass, so the list and the counts cannot disagree.
VoiceLeadingStats scan(const Chorale& chorale, const VoiceLeadingOptions& options,
                       std::vector<VoiceLeadingFault>* faults) {
    auto fault = [&](const char* rule, int tick, int voice, int other, std::string text) {
        if (faults) faults->push_back({rule, tick, voice, other, std::move(text)});
    };
    if (chorale.tokens.size() !=
        static_cast<std::size_t>(kNumVoices) * static_cast<std::size_t>(chorale.num_ticks))
        throw Error((chorale.source.empty() ? std::string("chorale") : chorale.source) +
                    ": the grid does not have 4 x num_ticks tokens");
    VoiceLeadingStats s;

    // The pitch classes in the key at each tick (out of key).
    std::vector<std::uint16_t> in_key(static_cast<std::size_t>(chorale.num_ticks));
    {
        const bool minor_default = inferred_minor(chorale);
        for (int t = 0; t < chorale.num_ticks; ++t) {
            const int k = key_index_at(chorale, t);
            const std::string& mode = k < 0 ? std::string() : chorale.keys[static_cast<std::size_t>(k)].mode;
            const bool minor = mode == "minor" ? true : mode == "major" ? false : minor_default;
            in_key[static_cast<std::size_t>(t)] = key_pitch_classes(fifths_at(chorale, t), minor);
        }
    }

    // Note onsets, ranges and keys.
    for (int v = 0; v < kNumVoices; ++v) {
        const VoiceRange& range = options.ranges[static_cast<std::size_t>(v)];
        for (int t = 0; t < chorale.num_ticks; ++t) {
            const Token tok = chorale.at(v, t);
            if (!token::is_pitch(tok)) continue;
            ++s.notes;
            const int midi = token::to_pitch(tok).midi();
            if (!range.contains(midi)) {
                ++s.out_of_range;
                ++s.out_of_range_by_voice[static_cast<std::size_t>(v)];
                if (faults)
                    fault("out_of_range", t, v, -1,
                          std::string("out of range: ") + voice_word(v) + " " + token::to_pitch(tok).name() +
                              " (usual " + Pitch::from_midi(range.lowest).name() + "-" +
                              Pitch::from_midi(range.highest).name() + ")");
            }
            if (!(in_key[static_cast<std::size_t>(t)] & (1u << pitch_class(midi)))) {
                ++s.out_of_key;
                if (faults)
                    fault("out_of_key", t, v, -1,
                          std::string("out of key: ") + voice_word(v) + " " + token::to_pitch(tok).name());
            }
        }
    }

    // Each voice's line: melodic intervals between consecutive pitches (a
    // rest breaks the line) and rhythms off the eighth-note grid.
    const bool beats = chorale.beat_position.size() == static_cast<std::size_t>(chorale.num_ticks);
    for (int v = 0; v < kNumVoices; ++v) {
        bool have_last = false;
        Pitch last;
        for (int t = 0; t < chorale.num_ticks; ++t) {
            const Token tok = chorale.at(v, t);
            if (tok == token::kHold) continue;
            if (!token::is_pitch(tok)) {
                have_last = false;
                continue;
            }
            const Pitch p = token::to_pitch(tok);
            if (have_last) {
                const int semitones = std::abs(p.midi() - last.midi());
                const int letters = std::abs(detail::staff_position(p) - detail::staff_position(last));
                const std::string move = std::string(voice_word(v)) + " " + last.name() + " to " + p.name();
                if (awkward_interval(letters, semitones)) {
                    ++s.augmented_melodic;
                    fault("augmented_melodic", t, v, -1, "augmented melodic interval: " + move);
                }
                if (semitones > 12) {
                    ++s.large_leaps;
                    fault("large_leaps", t, v, -1, "leap over an octave: " + move);
                }
            }
            last = p;
            have_last = true;
            int end = t + 1;
            while (end < chorale.num_ticks && chorale.at(v, end) == token::kHold) ++end;
            const int position = beats ? chorale.beat_position[static_cast<std::size_t>(t)] : t % 4;
            if (position % 2 != 0 || (position + end - t) % 2 != 0) {
                ++s.sixteenths;
                fault("sixteenths", t, v, -1,
                      std::string("sixteenth rhythm: ") + voice_word(v) + " " + p.name() + ", " +
                          std::to_string(end - t) + (end - t == 1 ? " tick" : " ticks"));
            }
        }
    }

    const std::vector<ChordEvent> events = chord_events(chorale);
    s.events = static_cast<std::int64_t>(events.size());

    // The events' own rules, then the motions between them; each fault is
    // read from what count_vertical() and count_motion() added.
    auto pair_text = [&](int x, int y, int tick) {
        return std::string(voice_word(x)) + " and " + voice_word(y) + ": " + sounding_name(chorale, x, tick) +
               " " + sounding_name(chorale, y, tick);
    };
    for (const ChordEvent& e : events) {
        const VoiceLeadingStats before = s;
        count_vertical(e, options, s);
        if (!faults) continue;
        for (std::size_t p = 0; p < s.crossings_by_pair.size(); ++p)
            if (s.voice_crossings > before.voice_crossings &&
                s.crossings_by_pair[p] > before.crossings_by_pair[p]) {
                const int x = static_cast<int>(p);
                fault("voice_crossings", e.tick, x, x + 1, "voice crossing, " + pair_text(x, x + 1, e.tick));
                break;
            }
        for (std::size_t p = 0; p < s.spacing_by_pair.size(); ++p)
            if (s.spacing > before.spacing && s.spacing_by_pair[p] > before.spacing_by_pair[p]) {
                const int x = static_cast<int>(p);
                fault("spacing", e.tick, x, x + 1, "spacing over an octave, " + pair_text(x, x + 1, e.tick));
                break;
            }
    }
    for (std::size_t k = 1; k < events.size(); ++k)
        for (int x = 0; x < kNumVoices; ++x)
            for (int y = x + 1; y < kNumVoices; ++y) {
                const VoiceLeadingStats before = s;
                count_motion(events[k - 1], events[k], x, y, options, s);
                if (!faults) continue;
                const int from = events[k - 1].tick, to = events[k].tick;
                auto motion = [&](const char* rule, const char* what, std::int64_t now, std::int64_t was) {
                    if (now == was) return;
                    fault(rule, to, x, y,
                          std::string(what) + ", " + voice_word(x) + " and " + voice_word(y) + ": " +
                              sounding_name(chorale, x, from) + " " + sounding_name(chorale, y, from) +
                              " to " + sounding_name(chorale, x, to) + " " + sounding_name(chorale, y, to));
                };
                motion("parallel_fifths", "parallel fifths", s.parallel_fifths, before.parallel_fifths);
                motion("parallel_octaves", "parallel octaves", s.parallel_octaves, before.parallel_octaves);
                motion("contrary_fifths", "contrary fifths", s.contrary_fifths, before.contrary_fifths);
                motion("contrary_octaves", "contrary octaves", s.contrary_octaves, before.contrary_octaves);
                motion("hidden_fifths", "hidden fifth", s.hidden_fifths, before.hidden_fifths);
                motion("hidden_octaves", "hidden octave", s.hidden_octaves, before.hidden_octaves);
            }
    return s;
}

}  // namespace

VoiceLeadingStats voice_leading_stats(const Chorale& chorale, const VoiceLeadingOptions& options) {
    return scan(chorale, options, nullptr);
}

std::vector<VoiceLeadingFault> voice_leading_faults(const Chorale& chorale,
                                                    const VoiceLeadingOptions& options) {
    std::vector<VoiceLeadingFault> faults;
    scan(chorale, options, &faults);
    std::stable_sort(faults.begin(), faults.end(),
                     [](const VoiceLeadingFault& a, const VoiceLeadingFault& b) { return a.tick < b.tick; });
    return faults;
}

std::vector<RuleCount> rule_counts(const VoiceLeadingStats& s) {
    return {{"parallel_fifths", "parallel fifths", s.parallel_fifths},
            {"parallel_octaves", "parallel octaves", s.parallel_octaves},
            {"contrary_fifths", "contrary fifths", s.contrary_fifths},
            {"contrary_octaves", "contrary octaves", s.contrary_octaves},
            {"hidden_fifths", "hidden fifths", s.hidden_fifths},
            {"hidden_octaves", "hidden octaves", s.hidden_octaves},
            {"voice_crossings", "voice crossings", s.voice_crossings},
            {"spacing", "spacing", s.spacing},
            {"out_of_range", "out of range", s.out_of_range},
            {"out_of_key", "out of key", s.out_of_key},
            {"augmented_melodic", "augmented melodic intervals", s.augmented_melodic},
            {"large_leaps", "leaps over an octave", s.large_leaps},
            {"sixteenths", "sixteenth rhythms", s.sixteenths}};
}

double VoiceLeadingSummary::per_chorale(std::int64_t count) const {
    return chorales == 0 ? 0.0 : static_cast<double>(count) / static_cast<double>(chorales);
}

double VoiceLeadingSummary::per_100_events(std::int64_t count) const {
    return total.events == 0 ? 0.0 : 100.0 * static_cast<double>(count) / static_cast<double>(total.events);
}

VoiceLeadingSummary summarize(const std::vector<VoiceLeadingStats>& stats) {
    VoiceLeadingSummary out;
    out.chorales = stats.size();
    for (const auto& s : stats) out.total += s;
    return out;
}

}  // namespace deepbach
