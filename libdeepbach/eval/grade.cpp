// The grade of a chorale against Bach's (see include/deepbach/grade.hpp for
// the definitions and docs/evaluation.md for the figures).
#include <deepbach/error.hpp>
#include <deepbach/grade.hpp>

#include "eval/sounding.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace deepbach {

namespace {

int pitch_class(int midi) {
    return ((midi % 12) + 12) % 12;
}

void check_grid(const Chorale& c) {
    if (c.tokens.size() != static_cast<std::size_t>(kNumVoices) * static_cast<std::size_t>(c.num_ticks))
        throw Error((c.source.empty() ? std::string("chorale") : c.source) +
                    ": the grid does not have 4 x num_ticks tokens");
}

using eval::sounding_midi;

// Pearson correlation of two 12-vectors (0 when either is constant).
double correlation(const std::array<double, 12>& a, const std::array<double, 12>& b) {
    double ma = 0, mb = 0;
    for (int i = 0; i < 12; ++i) {
        ma += a[static_cast<std::size_t>(i)];
        mb += b[static_cast<std::size_t>(i)];
    }
    ma /= 12;
    mb /= 12;
    double sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < 12; ++i) {
        const double da = a[static_cast<std::size_t>(i)] - ma, db = b[static_cast<std::size_t>(i)] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

// Normalized histogram as (bin, probability), bins ascending; empty when the
// total weight is not positive.
std::vector<std::pair<int, double>> normalized(const GradeHistogram& h) {
    double total = 0;
    for (const auto& [bin, w] : h) total += w;
    std::vector<std::pair<int, double>> out;
    if (!(total > 0)) return out;
    for (const auto& [bin, w] : h)
        if (w > 0) out.emplace_back(bin, w / total);
    return out;
}

// Earth mover's distance between two weight vectors on positions 0, 1, ...
// (the same length; each sums to 1): the sum of |CDF_a - CDF_b| over the
// unit gaps.
double emd_on_line(const std::vector<double>& a, const std::vector<double>& b) {
    double ca = 0, cb = 0, d = 0;
    for (std::size_t i = 0; i + 1 < a.size(); ++i) {
        ca += a[i];
        cb += b[i];
        d += std::abs(ca - cb);
    }
    return d;
}

void add(GradeHistogram& into, const GradeHistogram& h) {
    for (const auto& [bin, w] : h) into[bin] += w;
}

// The reference histogram of a mode, or of both when the reference has no
// chorale in that mode.
template <typename T>
const T& by_mode(const std::array<T, 3>& per_mode, const GradeReference& ref, bool minor) {
    const std::size_t m = minor ? 1 : 0;
    return ref.chorales_in_mode[m] > 0 ? per_mode[m] : per_mode[2];
}

const char* const kFeatureKeys[kGradeFeatures] = {
    "note",           "rhythm",          "parallel_error", "harmonic_quality", "soprano_intervals",
    "alto_intervals", "tenor_intervals", "bass_intervals", "repeated_sequence"};
const char* const kFeatureLabels[kGradeFeatures] = {
    "note",        "rhythm",      "parallel errors", "harmonic quality",  "S intervals",
    "A intervals", "T intervals", "B intervals",     "repeated sequences"};
const char* const kQualityNames[kChordQualities] = {"major",
                                                    "minor",
                                                    "diminished",
                                                    "augmented",
                                                    "dominant seventh",
                                                    "major seventh",
                                                    "minor seventh",
                                                    "half-diminished seventh",
                                                    "diminished seventh",
                                                    "incomplete",
                                                    "other"};

}  // namespace

const char* grade_feature_key(int feature) {
    if (feature < 0 || feature >= kGradeFeatures)
        throw Error("grade feature " + std::to_string(feature) + ": no such feature");
    return kFeatureKeys[feature];
}

const char* grade_feature_label(int feature) {
    if (feature < 0 || feature >= kGradeFeatures)
        throw Error("grade feature " + std::to_string(feature) + ": no such feature");
    return kFeatureLabels[feature];
}

std::string ChoraleKey::name() const {
    static const char* const major_names[12] = {"C",  "Db", "D",  "Eb", "E",  "F",
                                                "F#", "G",  "Ab", "A",  "Bb", "B"};
    static const char* const minor_names[12] = {"C",  "C#", "D",  "Eb", "E",  "F",
                                                "F#", "G",  "G#", "A",  "Bb", "B"};
    const int t = pitch_class(tonic);
    return std::string(minor ? minor_names[t] : major_names[t]) + (minor ? " minor" : " major");
}

ChoraleKey estimate_key(const Chorale& c) {
    check_grid(c);
    // Krumhansl & Kessler (1982) probe-tone profiles, tonic first.
    static const std::array<double, 12> kMajor{6.35, 2.23, 3.48, 2.33, 4.38, 4.09,
                                               2.52, 5.19, 2.39, 3.66, 2.29, 2.88};
    static const std::array<double, 12> kMinor{6.33, 2.68, 3.52, 5.38, 2.60, 3.53,
                                               2.54, 4.75, 3.98, 2.69, 3.34, 3.17};
    std::array<double, 12> durations{};
    for (int v = 0; v < kNumVoices; ++v)
        for (int midi : sounding_midi(c, v))
            if (midi >= 0) durations[static_cast<std::size_t>(pitch_class(midi))] += 1;
    ChoraleKey best;
    double best_r = -2;
    for (int tonic = 0; tonic < 12; ++tonic)
        for (bool minor : {false, true}) {
            const auto& profile = minor ? kMinor : kMajor;
            std::array<double, 12> rotated{};
            for (int pc = 0; pc < 12; ++pc)
                rotated[static_cast<std::size_t>(pc)] =
                    profile[static_cast<std::size_t>(pitch_class(pc - tonic))];
            const double r = correlation(durations, rotated);
            if (r > best_r) {
                best_r = r;
                best = ChoraleKey{tonic, minor};
            }
        }
    return best;
}

const char* chord_quality_name(ChordQuality q) {
    const int i = static_cast<int>(q);
    if (i < 0 || i >= kChordQualities)
        throw Error("chord quality " + std::to_string(i) + ": no such quality");
    return kQualityNames[i];
}

ChordQuality chord_quality(std::uint16_t pcs) {
    pcs &= 0xfff;
    int count = 0;
    for (int p = 0; p < 12; ++p) count += (pcs >> p) & 1;
    if (count <= 2) return ChordQuality::incomplete;
    if (count > 4) return ChordQuality::other;
    // The intervals above each candidate root, as a mask.
    auto above = [pcs](int root) {
        std::uint16_t m = 0;
        for (int p = 0; p < 12; ++p)
            if ((pcs >> p) & 1) m |= static_cast<std::uint16_t>(1u << pitch_class(p - root));
        return m;
    };
    auto mask = [](std::initializer_list<int> steps) {
        std::uint16_t m = 0;
        for (int s : steps) m |= static_cast<std::uint16_t>(1u << s);
        return m;
    };
    struct Shape {
        std::uint16_t intervals;
        ChordQuality quality;
    };
    const Shape shapes[] = {
        {mask({0, 4, 7}), ChordQuality::major},
        {mask({0, 3, 7}), ChordQuality::minor},
        {mask({0, 3, 6}), ChordQuality::diminished},
        {mask({0, 4, 8}), ChordQuality::augmented},
        {mask({0, 4, 7, 10}), ChordQuality::dominant_seventh},
        {mask({0, 4, 10}), ChordQuality::dominant_seventh},
        {mask({0, 4, 7, 11}), ChordQuality::major_seventh},
        {mask({0, 4, 11}), ChordQuality::major_seventh},
        {mask({0, 3, 7, 10}), ChordQuality::minor_seventh},
        {mask({0, 3, 10}), ChordQuality::minor_seventh},
        {mask({0, 3, 6, 10}), ChordQuality::half_diminished_seventh},
        {mask({0, 3, 6, 9}), ChordQuality::diminished_seventh},
    };
    // Triads first (a three-note set that is a triad on some root is that
    // triad, not a seventh without its fifth on another).
    for (const Shape& shape : shapes)
        for (int root = 0; root < 12; ++root)
            if (((pcs >> root) & 1) && above(root) == shape.intervals) return shape.quality;
    return ChordQuality::other;
}

ChordQuality chord_quality(const ChordEvent& e) {
    std::uint16_t pcs = 0;
    for (int v = 0; v < kNumVoices; ++v)
        if (e.sounds(v))
            pcs |= static_cast<std::uint16_t>(1u << pitch_class(e.midi[static_cast<std::size_t>(v)]));
    return chord_quality(pcs);
}

GradeHistogram repeated_sequences(const Chorale& c, int voice) {
    check_grid(c);
    if (voice < 0 || voice >= kNumVoices) throw Error("repeated_sequences: voice " + std::to_string(voice));
    const int T = c.num_ticks;
    const Token* v = c.voice_data(voice);
    // Onsets: ticks where a note or a rest starts (anything but a hold).
    std::vector<int> onsets, index(static_cast<std::size_t>(T), -1),
        starts_before(static_cast<std::size_t>(T) + 1, 0);
    for (int t = 0; t < T; ++t) {
        starts_before[static_cast<std::size_t>(t) + 1] = starts_before[static_cast<std::size_t>(t)];
        if (v[t] == token::kHold) continue;
        index[static_cast<std::size_t>(t)] = static_cast<int>(onsets.size());
        onsets.push_back(t);
        ++starts_before[static_cast<std::size_t>(t) + 1];
    }
    const std::size_t n = onsets.size();
    // For each onset, the other onsets where the same sequence of ticks starts,
    // with the length of the longest common run (lcp > 0): the diagonals of
    // the correlative matrix.
    std::vector<std::vector<std::pair<int, int>>> matches(n);  // (other onset index, lcp)
    for (int d = 1; d < T; ++d) {
        int run = 0;
        for (int p = T - 1 - d; p >= 0; --p) {
            run = v[p] == v[p + d] ? run + 1 : 0;
            if (run == 0 || v[p] == token::kHold) continue;
            const int a = index[static_cast<std::size_t>(p)], b = index[static_cast<std::size_t>(p + d)];
            matches[static_cast<std::size_t>(a)].emplace_back(b, run);
            matches[static_cast<std::size_t>(b)].emplace_back(a, run);
        }
    }
    // What comes before an onset: the previous onset's token and how far back
    // it is (one onset index apart, all holds between). The first onset has
    // nothing before it.
    auto same_before = [&](std::size_t a, std::size_t b) {
        if (a == 0 || b == 0) return false;
        const int pa = onsets[a - 1], pb = onsets[b - 1];
        return v[pa] == v[pb] && onsets[a] - pa == onsets[b] - pb;
    };
    GradeHistogram out;
    for (std::size_t a = 0; a < n; ++a) {
        auto& m = matches[a];
        if (m.empty()) continue;
        std::sort(m.begin(), m.end(), [](const auto& x, const auto& y) {
            return x.second != y.second ? x.second > y.second : x.first < y.first;
        });
        // Sweep the lengths from the longest down: the occurrences of the
        // sequence of `len` ticks starting at onset a are a and every b with
        // lcp >= len. Only lengths that some lcp equals can be maximal to the
        // right (at a shorter one every occurrence goes on alike).
        const int p = onsets[a];
        bool first = true;     // a is the sequence's first occurrence
        bool all_same = true;  // every occurrence has the same thing before it
        std::int64_t occurrences = 1;
        std::size_t k = 0;
        while (k < m.size()) {
            const int len = m[k].second;
            for (; k < m.size() && m[k].second == len; ++k) {
                const auto b = static_cast<std::size_t>(m[k].first);
                ++occurrences;
                if (b < a) first = false;
                if (!same_before(a, b)) all_same = false;
            }
            if (!first) break;  // shorter lengths have the earlier occurrence too
            const int notes =
                starts_before[static_cast<std::size_t>(p + len)] - starts_before[static_cast<std::size_t>(p)];
            // Left out: fewer than two notes or rests, or always preceded by
            // the same note (then the longer sequence from that note occurs as
            // often and contains it).
            if (notes < 2 || (all_same && a > 0)) continue;
            out[len] += static_cast<double>(occurrences);
        }
    }
    return out;
}

GradeHistograms grade_histograms(const Chorale& c) {
    check_grid(c);
    GradeHistograms h;
    h.key = estimate_key(c);
    for (int v = 0; v < kNumVoices; ++v) {
        const std::vector<int> midi = sounding_midi(c, v);
        for (int t = 0; t < c.num_ticks; ++t) {
            const int m = midi[static_cast<std::size_t>(t)];
            h.note[m < 0 ? 12 : pitch_class(m - h.key.tonic)] += 1;
        }
        // Durations and intervals of the notes.
        int previous = -1;  // the previous note's MIDI number, -1 after a rest or at the start
        for (int t = 0; t < c.num_ticks; ++t) {
            const Token tok = c.at(v, t);
            if (tok == token::kHold) continue;
            if (!token::is_pitch(tok)) {
                previous = -1;
                continue;
            }
            int end = t + 1;
            while (end < c.num_ticks && c.at(v, end) == token::kHold) ++end;
            h.rhythm[end - t] += 1;
            const int now = token::to_pitch(tok).midi();
            if (previous >= 0) h.intervals[static_cast<std::size_t>(v)][now - previous] += 1;
            previous = now;
        }
        add(h.repeated_sequence, repeated_sequences(c, v));
    }
    for (const ChordEvent& e : chord_events(c)) h.harmonic_quality[static_cast<int>(chord_quality(e))] += 1;
    const VoiceLeadingStats s = voice_leading_stats(c);
    h.parallel_fifths = s.parallel_fifths;
    h.parallel_octaves = s.parallel_octaves;
    h.notes = s.notes;
    return h;
}

GradeReference grade_reference(const std::vector<Chorale>& bach) {
    if (bach.empty()) throw Error("grade reference: no chorale");
    GradeReference r;
    for (const Chorale& c : bach) {
        const GradeHistograms h = grade_histograms(c);
        const std::size_t m = h.key.minor ? 1 : 0;
        ++r.chorales;
        ++r.chorales_in_mode[m];
        for (std::size_t slot : {m, std::size_t{2}}) {
            add(r.note[slot], h.note);
            add(r.harmonic_quality[slot], h.harmonic_quality);
            for (std::size_t v = 0; v < kNumVoices; ++v) add(r.intervals[slot][v], h.intervals[v]);
        }
        add(r.rhythm, h.rhythm);
        add(r.repeated_sequence, h.repeated_sequence);
        r.parallel_fifths += h.parallel_fifths;
        r.parallel_octaves += h.parallel_octaves;
        r.notes += h.notes;
    }
    if (r.notes == 0) throw Error("grade reference: the chorales have no note");
    return r;
}

double ranked_distance(const GradeHistogram& chorale, const GradeHistogram& reference) {
    const auto c = normalized(chorale), r = normalized(reference);
    if (c.empty() && r.empty()) return 0.0;
    // Bach's bins, most frequent first; then the chorale's others, least frequent first.
    std::vector<std::pair<int, double>> order = r;
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
    std::vector<std::pair<int, double>> extras;
    for (const auto& bin : c)
        if (!reference.count(bin.first) || !(reference.at(bin.first) > 0)) extras.push_back(bin);
    std::stable_sort(extras.begin(), extras.end(),
                     [](const auto& x, const auto& y) { return x.second < y.second; });
    for (const auto& bin : extras) order.push_back(bin);
    // Weights in that order, and one more position for an empty side.
    std::map<int, double> cw(c.begin(), c.end());
    std::map<int, double> rw(r.begin(), r.end());
    std::vector<double> a, b;
    for (const auto& [bin, unused] : order) {
        (void)unused;
        const auto ic = cw.find(bin), ir = rw.find(bin);
        a.push_back(ic == cw.end() ? 0.0 : ic->second);
        b.push_back(ir == rw.end() ? 0.0 : ir->second);
    }
    a.push_back(c.empty() ? 1.0 : 0.0);
    b.push_back(r.empty() ? 1.0 : 0.0);
    return emd_on_line(a, b);
}

double ordinal_distance(const GradeHistogram& chorale, const GradeHistogram& reference) {
    auto c = normalized(chorale), r = normalized(reference);
    if (c.empty()) c = {{0, 1.0}};
    if (r.empty()) r = {{0, 1.0}};
    std::map<int, std::pair<double, double>> points;  // position -> (chorale, reference)
    for (const auto& [bin, w] : c) points[bin].first += w;
    for (const auto& [bin, w] : r) points[bin].second += w;
    double ca = 0, cb = 0, d = 0;
    for (auto it = points.begin(); it != points.end(); ++it) {
        ca += it->second.first;
        cb += it->second.second;
        const auto next = std::next(it);
        if (next == points.end()) break;
        d += std::abs(ca - cb) * static_cast<double>(next->first - it->first);
    }
    return d;
}

ChoraleGrade grade(const GradeHistograms& h, const GradeReference& ref) {
    if (ref.chorales == 0 || ref.notes == 0) throw Error("grade: the reference has no chorale");
    ChoraleGrade g;
    g.key = h.key;
    const bool minor = h.key.minor;
    auto set = [&g](GradeFeature f, double value) { g.features[static_cast<std::size_t>(f)] = value; };
    set(GradeFeature::note, ranked_distance(h.note, by_mode(ref.note, ref, minor)));
    set(GradeFeature::rhythm, ranked_distance(h.rhythm, ref.rhythm));
    set(GradeFeature::harmonic_quality,
        ranked_distance(h.harmonic_quality, by_mode(ref.harmonic_quality, ref, minor)));
    const auto& intervals = by_mode(ref.intervals, ref, minor);
    const GradeFeature voices[kNumVoices] = {GradeFeature::soprano_intervals, GradeFeature::alto_intervals,
                                             GradeFeature::tenor_intervals, GradeFeature::bass_intervals};
    for (std::size_t v = 0; v < kNumVoices; ++v)
        set(voices[v], ranked_distance(h.intervals[v], intervals[v]));
    set(GradeFeature::repeated_sequence, ordinal_distance(h.repeated_sequence, ref.repeated_sequence));

    const std::int64_t parallels = h.parallel_fifths + h.parallel_octaves;
    double error = 0;
    if (parallels > 0 && h.notes > 0) {
        GradeHistogram mine{{0, static_cast<double>(h.parallel_fifths)},
                            {1, static_cast<double>(h.parallel_octaves)}};
        std::int64_t ref_parallels = ref.parallel_fifths + ref.parallel_octaves;
        GradeHistogram bach{{0, static_cast<double>(ref.parallel_fifths)},
                            {1, static_cast<double>(ref.parallel_octaves)}};
        if (ref_parallels == 0) {
            ref_parallels = 1;
            bach = {{0, 0.5}, {1, 0.5}};
        }
        const double rate = static_cast<double>(parallels) / static_cast<double>(h.notes);
        const double bach_rate = static_cast<double>(ref_parallels) / static_cast<double>(ref.notes);
        error = ranked_distance(mine, bach) * rate / bach_rate;
    }
    set(GradeFeature::parallel_error, error);
    g.total = 0;
    for (double f : g.features) g.total += f;
    return g;
}

ChoraleGrade grade(const Chorale& chorale, const GradeReference& reference) {
    return grade(grade_histograms(chorale), reference);
}

GradeSummary summarize_grades(const std::vector<ChoraleGrade>& grades) {
    GradeSummary s;
    s.chorales = grades.size();
    if (grades.empty()) return s;
    auto median_mean = [](std::vector<double> values, double& median, double& mean) {
        std::sort(values.begin(), values.end());
        const std::size_t n = values.size();
        median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
        double sum = 0;
        for (double x : values) sum += x;
        mean = sum / static_cast<double>(n);
    };
    for (std::size_t f = 0; f < kGradeFeatures; ++f) {
        std::vector<double> values;
        for (const auto& g : grades) values.push_back(g.features[f]);
        median_mean(values, s.median[f], s.mean[f]);
    }
    std::vector<double> totals;
    for (const auto& g : grades) totals.push_back(g.total);
    median_mean(totals, s.median_total, s.mean_total);
    return s;
}

}  // namespace deepbach
