// The grade of deepbach/grade.hpp ("Bach or Mock?"): chord qualities, the
// key finder, the two distances and the repeated sequences on hand-built
// cases, then the grade itself: a chorale against a reference of itself, a
// chorale with parallel fifths added, scrambled chorales against Bach's.
#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/grade.hpp>
#include <deepbach/io.hpp>

#include <gtest/gtest.h>

#include "quarter_grid.hpp"

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

using namespace deepbach;
namespace fs = std::filesystem;

namespace {

// Grids typed in quarters (tests/quarter_grid.hpp).
constexpr auto* grid = &test_support::quarter_grid;

// The pitch token of a MIDI number, spelled with sharps.
Token midi_token(int midi) {
    static const char* const names[12] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
    return token::parse(std::string(names[midi % 12]) + std::to_string(midi / 12 - 1));
}

std::uint16_t pcs(std::initializer_list<int> list) {
    std::uint16_t m = 0;
    for (int p : list) m |= static_cast<std::uint16_t>(1u << (p % 12));
    return m;
}

// A short C major chorale: I IV V I twice, no parallels.
Chorale clean_chorale() {
    return grid({{"E5", "F5", "D5", "C5", "E5", "F5", "D5", "C5"},
                 {"G4", "A4", "G4", "G4", "G4", "A4", "B4", "G4"},
                 {"C4", "C4", "B3", "E4", "C4", "C4", "G3", "E4"},
                 {"C3", "F3", "G3", "C3", "C3", "F3", "G3", "C3"}});
}

// The same with `pairs` of parallel fifths written in: the alto a fifth
// below the soprano on the first `pairs` + 1 quarters (each quarter moves).
Chorale with_parallel_fifths(int pairs) {
    Chorale c = clean_chorale();
    for (int q = 0; q <= pairs; ++q) {
        const int t = q * kTicksPerQuarter;
        const Pitch s = token::to_pitch(c.at(kSoprano, t));
        c.at(kAlto, t) = midi_token(s.midi() - 7);
    }
    c.validate();
    return c;
}

bool have_corpus() {
    return fs::is_directory(DEEPBACH_CORPUS_DIR);
}

// The corpus, read once, and the chorales of a part of its split (seed 1, as
// `deepbach evaluate --grade` splits by default).
const Corpus& bach_corpus() {
    static const Corpus corpus = load_corpus(DEEPBACH_CORPUS_DIR);
    return corpus;
}
std::vector<Chorale> split_part(bool train) {
    const Corpus& c = bach_corpus();
    const Split split = split_chorales(static_cast<int>(c.chorales.size()), 1);
    std::vector<Chorale> out;
    for (int i : train ? split.train : split.valid) out.push_back(c.chorales[static_cast<std::size_t>(i)]);
    return out;
}

// The first `n` chorales of the corpus the grid holds, in file order, after `skip`.
std::vector<Chorale> corpus_chorales(std::size_t skip, std::size_t n) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(DEEPBACH_CORPUS_DIR))
        if (e.path().extension() == ".mxl" || e.path().extension() == ".xml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<Chorale> out;
    std::size_t seen = 0;
    for (const auto& f : files) {
        Chorale c;
        try {
            c = to_chorale(read_score(f));
        } catch (const Error&) {
            continue;  // five parts, or notes the grid cannot hold
        }
        if (seen++ < skip) continue;
        out.push_back(std::move(c));
        if (out.size() == n) break;
    }
    return out;
}

// The chorale with each voice's pitches shuffled among its notes (the
// rhythm stays; the lines and the chords go).
Chorale scrambled(const Chorale& c, std::uint32_t seed) {
    Chorale out = c;
    std::mt19937 rng(seed);
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<int> onsets;
        for (int t = 0; t < c.num_ticks; ++t)
            if (token::is_pitch(c.at(v, t))) onsets.push_back(t);
        for (std::size_t i = onsets.size(); i > 1; --i) {  // Fisher-Yates, the same on every platform
            const std::size_t j = rng() % i;
            std::swap(out.at(v, onsets[i - 1]), out.at(v, onsets[j]));
        }
    }
    out.validate();
    return out;
}

}  // namespace

// --------------------------------------------------------------- features

TEST(GradeFeatures, NamesInOrder) {
    EXPECT_STREQ(grade_feature_key(0), "note");
    EXPECT_STREQ(grade_feature_key(static_cast<int>(GradeFeature::parallel_error)), "parallel_error");
    EXPECT_STREQ(grade_feature_key(kGradeFeatures - 1), "repeated_sequence");
    EXPECT_STREQ(grade_feature_label(static_cast<int>(GradeFeature::bass_intervals)), "B intervals");
    EXPECT_THROW(grade_feature_key(kGradeFeatures), Error);
}

TEST(ChordQualities, TriadsSeventhsAndTheRest) {
    EXPECT_EQ(chord_quality(pcs({0, 4, 7})), ChordQuality::major);                 // C E G
    EXPECT_EQ(chord_quality(pcs({4, 7, 0})), ChordQuality::major);                 // any order, any inversion
    EXPECT_EQ(chord_quality(pcs({9, 0, 4})), ChordQuality::minor);                 // A C E
    EXPECT_EQ(chord_quality(pcs({11, 2, 5})), ChordQuality::diminished);           // B D F
    EXPECT_EQ(chord_quality(pcs({0, 4, 8})), ChordQuality::augmented);             // C E G#
    EXPECT_EQ(chord_quality(pcs({7, 11, 2, 5})), ChordQuality::dominant_seventh);  // G B D F
    EXPECT_EQ(chord_quality(pcs({7, 11, 5})), ChordQuality::dominant_seventh);     // without its fifth
    EXPECT_EQ(chord_quality(pcs({0, 4, 7, 11})), ChordQuality::major_seventh);
    EXPECT_EQ(chord_quality(pcs({2, 5, 9, 0})), ChordQuality::minor_seventh);  // D F A C
    EXPECT_EQ(chord_quality(pcs({11, 2, 5, 9})), ChordQuality::half_diminished_seventh);
    EXPECT_EQ(chord_quality(pcs({11, 2, 5, 8})), ChordQuality::diminished_seventh);
    EXPECT_EQ(chord_quality(pcs({0, 7})), ChordQuality::incomplete);  // a bare fifth
    EXPECT_EQ(chord_quality(pcs({0})), ChordQuality::incomplete);
    EXPECT_EQ(chord_quality(pcs({0, 5, 7})), ChordQuality::other);  // C F G: a suspension
    EXPECT_EQ(chord_quality(pcs({0, 1, 2})), ChordQuality::other);
    EXPECT_STREQ(chord_quality_name(ChordQuality::half_diminished_seventh), "half-diminished seventh");
    // At an event, a resting voice takes no part: C5 over E4 and a rest is incomplete.
    ChordEvent e;
    e.midi = {72, 64, -1, 48};
    EXPECT_EQ(chord_quality(e), ChordQuality::incomplete);
    e.midi = {72, 64, 55, 48};
    EXPECT_EQ(chord_quality(e), ChordQuality::major);
}

TEST(GradeKey, KrumhanslSchmuckler) {
    const ChoraleKey c = estimate_key(clean_chorale());
    EXPECT_EQ(c.tonic, 0);
    EXPECT_FALSE(c.minor);
    EXPECT_EQ(c.name(), "C major");
    // A minor, with its leading tone.
    const ChoraleKey a = estimate_key(grid({{"A4", "B4", "C5", "B4", "A4", "G#4", "A4"},
                                            {"E4", "E4", "E4", "E4", "E4", "E4", "E4"},
                                            {"C4", "D4", "A3", "B3", "C4", "B3", "C4"},
                                            {"A2", "G#2", "A2", "E3", "A2", "E2", "A2"}}));
    EXPECT_EQ(a.tonic, 9);
    EXPECT_TRUE(a.minor);
    EXPECT_EQ(a.name(), "A minor");
    // Transposed up a whole tone: B minor.
    EXPECT_EQ(estimate_key(transpose(grid({{"A4", "B4", "C5", "B4", "A4", "G#4", "A4"},
                                           {"E4", "E4", "E4", "E4", "E4", "E4", "E4"},
                                           {"C4", "D4", "A3", "B3", "C4", "B3", "C4"},
                                           {"A2", "G#2", "A2", "E3", "A2", "E2", "A2"}}),
                                     Interval{2, 2}))
                  .name(),
              "B minor");
}

// -------------------------------------------------------------- distances

TEST(GradeDistance, RankedByBachsFrequency) {
    // Bach 0.5 / 0.3 / 0.2 on bins 1, 2, 3; the chorale the other way round.
    const GradeHistogram bach{{1, 5}, {2, 3}, {3, 2}};
    EXPECT_DOUBLE_EQ(ranked_distance(bach, bach), 0.0);
    EXPECT_DOUBLE_EQ(ranked_distance({{1, 50}, {2, 30}, {3, 20}}, bach), 0.0);  // the same proportions
    // CDFs 0.2, 0.5 against 0.5, 0.8: 0.3 + 0.3.
    EXPECT_NEAR(ranked_distance({{1, 2}, {2, 3}, {3, 5}}, bach), 0.6, 1e-12);
    // Bach's order, not the bins' values: the most frequent bin comes first.
    EXPECT_NEAR(ranked_distance({{7, 1}}, {{7, 1}, {-3, 3}}), 0.75, 1e-12);  // order -3, 7: CDF 0 vs 0.75
    // A bin Bach never uses comes after his: half the weight one step past bin 1.
    EXPECT_NEAR(ranked_distance({{1, 1}, {9, 1}}, {{1, 1}}), 0.5, 1e-12);
    // The chorale's extra bins go least frequent first, so its largest extra lies farthest.
    EXPECT_NEAR(ranked_distance({{1, 2}, {8, 1}, {9, 1}}, {{1, 1}}), 0.5 + 0.25, 1e-12);
    EXPECT_NEAR(ranked_distance({{1, 1}, {8, 1}, {9, 2}}, {{1, 1}}), 0.75 + 0.5, 1e-12);
    // An empty histogram is all its weight one bin past the last.
    EXPECT_NEAR(ranked_distance({}, {{1, 1}, {2, 1}}), 1.5, 1e-12);
    EXPECT_DOUBLE_EQ(ranked_distance({}, {}), 0.0);
}

TEST(GradeDistance, OrdinalOnTheBinsValues) {
    EXPECT_DOUBLE_EQ(ordinal_distance({{2, 1}}, {{6, 4}}), 4.0);
    EXPECT_DOUBLE_EQ(ordinal_distance({{8, 1}, {16, 1}}, {{8, 1}, {16, 1}}), 0.0);
    EXPECT_NEAR(ordinal_distance({{8, 1}, {16, 1}}, {{8, 1}}), 4.0, 1e-12);  // half the weight 8 further
    EXPECT_DOUBLE_EQ(ordinal_distance({}, {{12, 1}}), 12.0);                 // none repeated: all at 0
}

// ------------------------------------------------------- repeated sequences

TEST(RepeatedSequences, TheLongestPatternThatRepeats) {
    // Soprano C4 D4 E4 twice (quarters): one sequence of 12 ticks, twice. Its
    // parts (D4 E4, C4 D4, ...) only come inside it and do not count.
    const Chorale c = grid({{"C4", "D4", "E4", "C4", "D4", "E4"},
                            {"rest", "__", "__", "__", "__", "__"},
                            {"rest", "__", "__", "__", "__", "__"},
                            {"C3", "G3", "C3", "F3", "A2", "B2"}});
    EXPECT_EQ(repeated_sequences(c, kSoprano), (GradeHistogram{{12, 2}}));
    // A voice without any repeat, and a voice that is one long rest.
    EXPECT_TRUE(repeated_sequences(c, kBass).empty());
    EXPECT_TRUE(repeated_sequences(c, kAlto).empty());
}

TEST(RepeatedSequences, ShorterPatternsThatRepeatMoreOften) {
    // G4 A4 three times, with B4 C5 after the first: "G4 A4" (8 ticks) occurs
    // three times; nothing longer repeats.
    const Chorale c = grid({{"G4", "A4", "B4", "C5", "G4", "A4", "G4", "A4"},
                            {"rest", "__", "__", "__", "__", "__", "__", "__"},
                            {"rest", "__", "__", "__", "__", "__", "__", "__"},
                            {"rest", "__", "__", "__", "__", "__", "__", "__"}});
    const GradeHistogram h = repeated_sequences(c, kSoprano);
    EXPECT_EQ(h, (GradeHistogram{{8, 3}}));
    // Rests are notes of a pattern too: "C5 rest" twice.
    const Chorale r = grid({{"C5", "rest", "C5", "rest"},
                            {"rest", "__", "__", "__"},
                            {"rest", "__", "__", "__"},
                            {"rest", "__", "__", "__"}});
    EXPECT_EQ(repeated_sequences(r, kSoprano), (GradeHistogram{{8, 2}}));
    // Occurrences may overlap: G4 three times makes "G4 G4" (8 ticks) twice.
    const Chorale g =
        grid({{"G4", "G4", "G4"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"rest", "__", "__"}});
    EXPECT_EQ(repeated_sequences(g, kSoprano), (GradeHistogram{{8, 2}}));
}

// ------------------------------------------------------------------ grade

TEST(Grade, AgainstItselfEveryFeatureIsZero) {
    for (const Chorale& c : {clean_chorale(), with_parallel_fifths(2)}) {
        const GradeReference ref = grade_reference({c});
        EXPECT_EQ(ref.chorales, 1u);
        const ChoraleGrade g = grade(c, ref);
        for (int f = 0; f < kGradeFeatures; ++f)
            EXPECT_DOUBLE_EQ(g.features[static_cast<std::size_t>(f)], 0.0) << grade_feature_key(f);
        EXPECT_DOUBLE_EQ(g.total, 0.0);
    }
    EXPECT_THROW(grade_reference({}), Error);
}

TEST(Grade, ParallelFifthsScoreWorse) {
    // Bach's reference: the clean chorale, one parallel fifth and one parallel
    // octave (so his split of the two is even).
    const Chorale fifth = grid({{"C5", "D5"}, {"F4", "G4"}, {"rest", "__"}, {"rest", "__"}});
    const Chorale octave = grid({{"C5", "D5"}, {"rest", "__"}, {"rest", "__"}, {"C3", "D3"}});
    ASSERT_EQ(voice_leading_stats(fifth).parallel_fifths, 1);
    ASSERT_EQ(voice_leading_stats(octave).parallel_octaves, 1);
    const GradeReference ref = grade_reference({clean_chorale(), fifth, octave});
    ASSERT_EQ(ref.parallel_fifths, 1);
    ASSERT_EQ(ref.parallel_octaves, 1);

    const VoiceLeadingStats s0 = voice_leading_stats(clean_chorale());
    const VoiceLeadingStats s2 = voice_leading_stats(with_parallel_fifths(2));
    const VoiceLeadingStats s5 = voice_leading_stats(with_parallel_fifths(5));
    ASSERT_EQ(s0.parallels(), 0);
    ASSERT_GT(s2.parallel_fifths, 0);
    ASSERT_GT(s5.parallel_fifths, s2.parallel_fifths);
    ASSERT_EQ(s2.parallel_octaves + s5.parallel_octaves, 0);

    const double clean = grade(clean_chorale(), ref).feature(GradeFeature::parallel_error);
    const double two = grade(with_parallel_fifths(2), ref).feature(GradeFeature::parallel_error);
    const double five = grade(with_parallel_fifths(5), ref).feature(GradeFeature::parallel_error);
    EXPECT_DOUBLE_EQ(clean, 0.0);
    EXPECT_GT(two, 0.0);
    EXPECT_GT(five, two);
    // All fifths against Bach's half and half: a distance of 0.5, times the
    // chorale's parallels per note over his.
    const double rate = static_cast<double>(s2.parallel_fifths) / static_cast<double>(s2.notes);
    const double bach_rate = 2.0 / static_cast<double>(ref.notes);
    EXPECT_NEAR(two, 0.5 * rate / bach_rate, 1e-12);
    EXPECT_GT(grade(with_parallel_fifths(5), ref).total, grade(clean_chorale(), ref).total);
    // A reference without parallels counts as one with one, split evenly.
    const GradeReference none = grade_reference({clean_chorale()});
    EXPECT_NEAR(grade(with_parallel_fifths(2), none).feature(GradeFeature::parallel_error),
                0.5 * rate / (1.0 / static_cast<double>(none.notes)), 1e-12);
}

TEST(Grade, SummaryMediansAndMeans) {
    std::vector<ChoraleGrade> grades(3);
    for (int i = 0; i < 3; ++i) {
        grades[static_cast<std::size_t>(i)].features[0] = i + 1;              // 1 2 3
        grades[static_cast<std::size_t>(i)].total = 10.0 * (i == 2 ? 9 : i);  // 0 10 90
    }
    GradeSummary s = summarize_grades(grades);
    EXPECT_EQ(s.chorales, 3u);
    EXPECT_DOUBLE_EQ(s.median[0], 2.0);
    EXPECT_DOUBLE_EQ(s.mean[0], 2.0);
    EXPECT_DOUBLE_EQ(s.median_total, 10.0);
    EXPECT_DOUBLE_EQ(s.mean_total, 100.0 / 3);
    grades.pop_back();
    EXPECT_DOUBLE_EQ(summarize_grades(grades).median_total, 5.0);  // even: the middle two's mean
    EXPECT_EQ(summarize_grades({}).chorales, 0u);
}

// ---------------------------------------------------------- real chorales

TEST(GradeCorpus, BachAgainstHimselfAndDeterministic) {
    if (!have_corpus()) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
    const std::vector<Chorale> some = corpus_chorales(0, 3);
    ASSERT_EQ(some.size(), 3u);
    const ChoraleGrade self = grade(some[0], grade_reference({some[0]}));
    for (int f = 0; f < kGradeFeatures; ++f)
        EXPECT_DOUBLE_EQ(self.features[static_cast<std::size_t>(f)], 0.0) << grade_feature_key(f);
    const GradeReference ref = grade_reference(some);
    const ChoraleGrade a = grade(some[1], ref), b = grade(some[1], ref);
    EXPECT_EQ(a.features, b.features);
    EXPECT_GT(a.total, 0.0);
}

TEST(GradeCorpus, ParallelFifthsWrittenIntoBachScoreWorse) {
    if (!have_corpus()) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
    const GradeReference ref = grade_reference(split_part(true));
    ASSERT_GT(ref.parallel_fifths, 0);
    ASSERT_GT(ref.parallel_octaves, 0);
    const Chorale bach = to_chorale(read_score(fs::path(DEEPBACH_CORPUS_DIR) / "bwv10.7.mxl"));
    ASSERT_EQ(voice_leading_stats(bach).parallels(), 0);
    EXPECT_DOUBLE_EQ(grade(bach, ref).feature(GradeFeature::parallel_error), 0.0);
    // The tenor doubled a fifth below the soprano wherever both sing.
    Chorale fifths = bach;
    for (int t = 0; t < bach.num_ticks; ++t) {
        const Token s = bach.at(kSoprano, t);
        fifths.at(kTenor, t) = token::is_pitch(s) ? midi_token(token::to_pitch(s).midi() - 19) : s;
    }
    fifths.validate();
    ASSERT_GT(voice_leading_stats(fifths).parallel_fifths, 10);
    EXPECT_GT(grade(fifths, ref).feature(GradeFeature::parallel_error), 1.0);
}

TEST(GradeCorpus, ScrambledChoralesGradeWorseThanBach) {
    if (!have_corpus()) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
    const GradeReference ref = grade_reference(split_part(true));
    std::vector<Chorale> held_out = split_part(false);
    ASSERT_GE(held_out.size(), 8u);
    held_out.resize(8);
    std::vector<ChoraleGrade> bach, mock;
    for (std::size_t i = 0; i < held_out.size(); ++i) {
        bach.push_back(grade(held_out[i], ref));
        mock.push_back(grade(scrambled(held_out[i], static_cast<std::uint32_t>(i + 1)), ref));
        SCOPED_TRACE(held_out[i].source);
        EXPECT_GT(mock.back().total, bach.back().total);
    }
    const GradeSummary sb = summarize_grades(bach), sm = summarize_grades(mock);
    EXPECT_GT(sm.median_total, sb.median_total + 1.0);
    // The lines suffer most: every voice's intervals are worse.
    for (GradeFeature f : {GradeFeature::soprano_intervals, GradeFeature::alto_intervals,
                           GradeFeature::tenor_intervals, GradeFeature::bass_intervals})
        EXPECT_GT(sm.median[static_cast<std::size_t>(f)], sb.median[static_cast<std::size_t>(f)])
            << grade_feature_key(static_cast<int>(f));
}
