// Voice-leading statistics, agreement with a reference, and the report's
// charts: each rule on hand-built grids (a case that counts and a near miss
// that does not), then sanity figures on real chorales.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>
#include <deepbach/io.hpp>

#include <deepbach/report.hpp>
#include "eval/svg_chart.hpp"

#include <gtest/gtest.h>

#include <pugixml.hpp>
#include "quarter_grid.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

using namespace deepbach;
namespace fs = std::filesystem;

namespace {

// Grids typed in quarters (tests/quarter_grid.hpp).
constexpr auto* grid = &test_support::quarter_grid;

// Every rule count of `s` that is not listed in `expected` must be 0.
void expect_only(const VoiceLeadingStats& s, const std::map<std::string, std::int64_t>& expected) {
    for (const auto& rc : rule_counts(s)) {
        const auto it = expected.find(rc.key);
        EXPECT_EQ(rc.count, it == expected.end() ? 0 : it->second) << rc.key;
    }
}

const std::vector<std::string> kRests2{"rest", "rest"};

}  // namespace

// ------------------------------------------------------------------ events

TEST(ChordEvents, OnsetsOnlyAndSoundingPitches) {
    // Soprano C5 (half) D5; alto rest then G4 on beat 2; a rest starting makes no event.
    const Chorale c = grid({{"C5", "__", "D5", "rest"},
                            {"rest", "G4", "__", "__"},
                            {"rest", "__", "__", "__"},
                            {"C3", "__", "__", "rest"}});
    const auto events = chord_events(c);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].tick, 0);
    EXPECT_EQ(events[1].tick, 4);
    EXPECT_EQ(events[2].tick, 8);
    EXPECT_EQ(events[0].midi[kSoprano], 72);
    EXPECT_FALSE(events[0].sounds(kAlto));
    EXPECT_EQ(events[1].midi[kSoprano], 72);  // held
    EXPECT_FALSE(events[1].onset[kSoprano]);
    EXPECT_TRUE(events[1].onset[kAlto]);
    EXPECT_EQ(events[2].midi[kBass], 48);
    const auto s = voice_leading_stats(c);
    EXPECT_EQ(s.events, 3);
    EXPECT_EQ(s.notes, 4);  // C5, D5, G4, C3
}

// ---------------------------------------------------------------- parallels

TEST(VoiceLeading, ParallelFifths) {
    // Soprano and alto a fifth apart, both up a step: C5/F4 -> D5/G4.
    const auto s = voice_leading_stats(grid({{"C5", "D5"}, {"F4", "G4"}, kRests2, kRests2}));
    expect_only(s, {{"parallel_fifths", 1}});
}

TEST(VoiceLeading, CompoundParallelFifthsBetweenAnyVoices) {
    // Alto and bass a twelfth apart (19 semitones), both down (Bb2 is outside C major, the grids' key).
    const auto s = voice_leading_stats(grid({kRests2, {"G4", "F4"}, kRests2, {"C3", "Bb2"}}));
    expect_only(s, {{"parallel_fifths", 1}, {"out_of_key", 1}});
}

TEST(VoiceLeading, ContraryFifthsAreNotParallel) {
    // C5/F4 -> G5/C4: a fifth and then a twelfth (too wide a spacing, too),
    // soprano up, alto down.
    const auto s = voice_leading_stats(grid({{"C5", "G5"}, {"F4", "C4"}, kRests2, kRests2}));
    expect_only(s, {{"contrary_fifths", 1}, {"spacing", 1}});
}

TEST(VoiceLeading, HeldOrRepeatedFifthIsNotParallel) {
    // The fifth C5/F4 is held while the tenor moves, then both repeat their notes.
    const auto s = voice_leading_stats(
        grid({{"C5", "__", "C5"}, {"F4", "__", "F4"}, {"A3", "B3", "C4"}, {"rest", "__", "__"}}));
    expect_only(s, {});
    EXPECT_EQ(s.events, 3);
}

TEST(VoiceLeading, FifthToDiminishedFifthIsNotParallel) {
    // G4/C4 -> F4/B3: a perfect fifth, then a tritone.
    const auto s = voice_leading_stats(grid({{"G4", "F4"}, {"C4", "B3"}, kRests2, kRests2}));
    expect_only(s, {});
}

TEST(VoiceLeading, ParallelOctavesAndUnisons) {
    // Soprano and bass two octaves apart, both up; alto and tenor in unison, both up.
    const auto s = voice_leading_stats(grid({{"C5", "D5"}, {"G4", "A4"}, {"G4", "A4"}, {"C3", "D3"}}));
    // S/B: two octaves, A/T: unisons; S/A and S/T are fourths; A/B and T/B
    // (G4/C3, then A4/D3: 19 semitones) are twelfths, parallel fifths too.
    EXPECT_EQ(s.parallel_octaves, 2);
    EXPECT_EQ(s.parallel_fifths, 2);  // A/B and T/B
    EXPECT_EQ(s.contrary_octaves, 0);
}

TEST(VoiceLeading, ContraryOctaves) {
    // C5/C3 -> G5/G2: octaves in contrary motion.
    const auto s = voice_leading_stats(grid({{"C5", "G5"}, kRests2, kRests2, {"C3", "G2"}}));
    expect_only(s, {{"contrary_octaves", 1}});
}

TEST(VoiceLeading, RestBetweenBreaksTheComparison) {
    // A fifth, then the alto rests while the soprano moves, then a fifth again.
    const auto s = voice_leading_stats(
        grid({{"C5", "D5", "E5"}, {"F4", "rest", "A4"}, {"rest", "__", "__"}, {"rest", "__", "__"}}));
    expect_only(s, {});
}

// ------------------------------------------------------------ hidden motion

TEST(VoiceLeading, HiddenOctaveWithLeap) {
    // Soprano G4 -> C5 (a fourth up), bass A2 -> C3 (up): into an octave.
    const auto s = voice_leading_stats(grid({{"G4", "C5"}, kRests2, kRests2, {"A2", "C3"}}));
    expect_only(s, {{"hidden_octaves", 1}});
}

TEST(VoiceLeading, HiddenOctaveByStepIsNotCounted) {
    // Soprano B4 -> C5 (a step), bass A2 -> C3: into an octave, but the soprano steps.
    const auto s = voice_leading_stats(grid({{"B4", "C5"}, kRests2, kRests2, {"A2", "C3"}}));
    expect_only(s, {});
}

TEST(VoiceLeading, HiddenFifthWithLeap) {
    // Soprano C5 -> G5, bass D3 -> C4: both up into a fifth (a twelfth).
    const auto s = voice_leading_stats(grid({{"C5", "G5"}, kRests2, kRests2, {"D3", "C4"}}));
    expect_only(s, {{"hidden_fifths", 1}});
}

TEST(VoiceLeading, HiddenOnlyBetweenOuterVoicesAndInSimilarMotion) {
    // Alto G4 -> D5, bass A2 -> G3: into a twelfth, alto leaping.
    auto s = voice_leading_stats(grid({kRests2, {"G4", "D5"}, kRests2, {"A2", "G3"}}));
    expect_only(s, {});
    // Soprano leaps up, bass down into an octave: contrary motion.
    s = voice_leading_stats(grid({{"G4", "C5"}, kRests2, kRests2, {"E3", "C3"}}));
    expect_only(s, {});
}

// ------------------------------------------------------ crossing and spacing

TEST(VoiceLeading, VoiceCrossing) {
    // Alto above the soprano at the first event, tenor above the alto at the second.
    const auto s = voice_leading_stats(grid({{"C5", "C5"}, {"D5", "G4"}, {"E4", "A4"}, {"C3", "C3"}}));
    EXPECT_EQ(s.voice_crossings, 2);
    EXPECT_EQ(s.crossings_by_pair[0], 1);
    EXPECT_EQ(s.crossings_by_pair[1], 1);
    EXPECT_EQ(s.crossings_by_pair[2], 0);
}

TEST(VoiceLeading, UnisonIsNotACrossing) {
    const auto s = voice_leading_stats(grid({{"C5", "D5"}, {"C5", "B4"}, {"E4", "G4"}, {"C3", "G2"}}));
    EXPECT_EQ(s.voice_crossings, 0);
}

TEST(VoiceLeading, CrossingCountsOncePerEvent) {
    // Alto above soprano and bass above tenor at the same event: one event, two pairs.
    const auto s = voice_leading_stats(grid({{"C5"}, {"E5"}, {"C3"}, {"E3"}}));
    EXPECT_EQ(s.voice_crossings, 1);
    EXPECT_EQ(s.crossings_by_pair[0] + s.crossings_by_pair[2], 2);
}

TEST(VoiceLeading, Spacing) {
    // Soprano E5 over alto C4: 16 semitones; then alto C5 over tenor A3: 15.
    const auto s = voice_leading_stats(grid({{"E5", "E5"}, {"C4", "C5"}, {"A3", "A3"}, {"C3", "C3"}}));
    EXPECT_EQ(s.spacing, 2);
    EXPECT_EQ(s.spacing_by_pair[0], 1);
    EXPECT_EQ(s.spacing_by_pair[1], 1);
}

TEST(VoiceLeading, OctaveIsNotTooWideAndTenorBassMayBeWide) {
    // Soprano-alto exactly an octave, alto-tenor a fourth, tenor-bass 15 semitones.
    const auto s = voice_leading_stats(grid({{"C5"}, {"C4"}, {"G3"}, {"E2"}}));
    EXPECT_EQ(s.spacing, 0);
}

// -------------------------------------------------------------------- range

TEST(VoiceLeading, OutOfRange) {
    // Soprano C4 (lowest allowed), then B3 (below); bass E2 (lowest), then D2 held (one onset).
    const auto s = voice_leading_stats(
        grid({{"C4", "B3", "__"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"E2", "D2", "__"}}));
    EXPECT_EQ(s.out_of_range, 2);
    EXPECT_EQ(s.out_of_range_by_voice[kSoprano], 1);
    EXPECT_EQ(s.out_of_range_by_voice[kBass], 1);
    // The ranges are options.
    VoiceLeadingOptions wide;
    wide.ranges[kSoprano] = {50, 90};
    wide.ranges[kBass] = {30, 60};
    EXPECT_EQ(
        voice_leading_stats(
            grid({{"C4", "B3", "__"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"E2", "D2", "__"}}), wide)
            .out_of_range,
        0);
}

TEST(VoiceLeading, AugmentedMelodicIntervalsAsSpelled) {
    // Alto G#4 -> Bb4: a diminished third (two letters, 2 semitones); Ab4 ->
    // Bb4 a major second, nothing; tenor F3 -> B3 an augmented fourth, then
    // B3 -> C4 a minor second; bass G2 -> B2 a major third, nothing.
    const auto s = voice_leading_stats(grid({{"C5", "__", "__", "__"},
                                             {"G#4", "Bb4", "Ab4", "Bb4"},
                                             {"F3", "B3", "C4", "__"},
                                             {"G2", "B2", "__", "__"}}));
    EXPECT_EQ(s.augmented_melodic, 2);
    EXPECT_EQ(s.large_leaps, 0);
    EXPECT_EQ(s.sixteenths, 0);
    // Soprano F4 -> G#4 (augmented second) -> G4 -> D#5 (augmented fifth) ->
    // D5 -> D#5 (the chromatic semitone: not counted) -> rest -> A4 (a rest
    // breaks the line: nothing); Bb4 -> G#4 would count downwards too.
    EXPECT_EQ(voice_leading_stats(grid({{"F4", "G#4", "G4", "D#5", "D5", "D#5", "rest", "A4"},
                                        {"rest", "__", "__", "__", "__", "__", "__", "__"},
                                        {"rest", "__", "__", "__", "__", "__", "__", "__"},
                                        {"rest", "__", "__", "__", "__", "__", "__", "__"}}))
                  .augmented_melodic,
              2);
    EXPECT_EQ(voice_leading_stats(grid({{"Bb4", "G#4"}, {"rest", "__"}, {"rest", "__"}, {"rest", "__"}}))
                  .augmented_melodic,
              1);
}

TEST(VoiceLeading, LeapsOverAnOctave) {
    // Bass C3 -> C2 (an octave: fine) -> D3 (a ninth up: counts); tenor C3 -> F4 (an eleventh).
    const auto s = voice_leading_stats(
        grid({{"C5", "__", "__"}, {"E4", "__", "__"}, {"C3", "F4", "__"}, {"C3", "C2", "D3"}}));
    EXPECT_EQ(s.large_leaps, 2);
    EXPECT_EQ(s.augmented_melodic, 0);
}

TEST(VoiceLeading, SixteenthRhythms) {
    // Ticks of a sixteenth: the bass plays a dotted eighth and a sixteenth
    // (both off the eighth grid: 2), then two eighths (fine); the tenor a
    // double-dotted quarter and a sixteenth (2); the alto quarters.
    Chorale c = Chorale::empty(12);
    c.at(kSoprano, 0) = token::parse("C5");
    c.at(kAlto, 0) = token::parse("E4");
    c.at(kAlto, 4) = token::parse("F4");
    c.at(kAlto, 8) = token::parse("E4");
    c.at(kTenor, 0) = token::parse("G3");
    c.at(kTenor, 7) = token::parse("A3");
    c.at(kTenor, 8) = token::parse("G3");
    c.at(kBass, 0) = token::parse("C3");
    c.at(kBass, 3) = token::parse("D3");
    c.at(kBass, 4) = token::parse("E3");
    c.at(kBass, 6) = token::parse("F3");
    c.at(kBass, 8) = token::parse("C3");
    const auto s = voice_leading_stats(c);
    EXPECT_EQ(s.sixteenths, 4);
    // The same rhythm shifted by a sixteenth from a pickup's beat position
    // is read from Chorale::beat_position, not the tick.
    for (auto& b : c.beat_position) b = static_cast<std::uint8_t>((b + 1) % 4);
    EXPECT_EQ(voice_leading_stats(c).sixteenths,
              12);  // every onset now starts off the grid but the A3 (ends off it)
}

// ---------------------------------------------------------------------- key

namespace {

// The grid of `voices` under one key signature of `fifths` in `mode` ("",
// "major" or "minor").
Chorale in_key(const std::vector<std::vector<std::string>>& voices, int fifths, const std::string& mode) {
    Chorale c = grid(voices);
    c.keys = {GridKeySignature{0, fifths, mode}};
    c.key_fifths.assign(static_cast<std::size_t>(c.num_ticks), static_cast<std::int8_t>(fifths));
    c.validate();
    return c;
}

}  // namespace

TEST(OutOfKey, NotesInTheKeyDoNotCount) {
    // G major (one sharp): G4 A4 B4 C5 D5 E5 F#5 over a bass G2 D3; nothing outside the key.
    const auto s = voice_leading_stats(in_key({{"G4", "A4", "B4", "C5", "D5", "E5", "F#5"},
                                               {"rest", "__", "__", "__", "__", "__", "__"},
                                               {"rest", "__", "__", "__", "__", "__", "__"},
                                               {"G2", "__", "__", "D3", "__", "__", "G2"}},
                                              1, "major"));
    expect_only(s, {});
}

TEST(OutOfKey, ChromaticNoteCountsOncePerOnset) {
    // C major: F#4 (held over two quarters, one onset) and Eb3 are outside the key; so is its
    // enharmonic spelling Gb4 (the spelling does not matter).
    const auto s = voice_leading_stats(in_key({{"G4", "F#4", "__", "Gb4"},
                                               {"rest", "__", "__", "__"},
                                               {"rest", "__", "__", "__"},
                                               {"C3", "Eb3", "D3", "C3"}},
                                              0, "major"));
    expect_only(s, {{"out_of_key", 3}});
}

TEST(OutOfKey, RaisedSixthAndSeventhAllowedInMinor) {
    // A minor (no sharps or flats): the melodic minor's F#4 and G#4, and the bass's G#2.
    const std::vector<std::vector<std::string>> voices{{"E4", "F#4", "G#4", "A4"},
                                                       {"rest", "__", "__", "__"},
                                                       {"rest", "__", "__", "__"},
                                                       {"A2", "D3", "E3", "A2"}};
    expect_only(voice_leading_stats(in_key(voices, 0, "minor")), {});
    // The same notes in C major: F# and G# are outside it.
    expect_only(voice_leading_stats(in_key(voices, 0, "major")), {{"out_of_key", 2}});
    // D minor (one flat): C#5 is its raised seventh; Eb5 is not in the key.
    expect_only(voice_leading_stats(in_key({{"D5", "C#5", "D5", "Eb5"},
                                            {"rest", "__", "__", "__"},
                                            {"rest", "__", "__", "__"},
                                            {"D3", "A2", "D3", "D3"}},
                                           -1, "minor")),
                {{"out_of_key", 1}});
}

TEST(OutOfKey, RaisedSeventhCountsInMajor) {
    // C major: G#4 (the raised seventh of the relative minor) is outside the key.
    const auto s = voice_leading_stats(in_key(
        {{"E4", "G#4", "A4"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"C3", "E3", "A2"}}, 0, "major"));
    expect_only(s, {{"out_of_key", 1}});
}

TEST(OutOfKey, ModeInferredFromTheLastBassNote) {
    // No mode written: minor when the bass ends on the relative minor's tonic (A for no sharps or flats).
    const std::vector<std::vector<std::string>> ends_on_a{
        {"E4", "G#4", "A4"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"A2", "E3", "A2"}};
    const Chorale minor = in_key(ends_on_a, 0, "");
    EXPECT_TRUE(inferred_minor(minor));
    EXPECT_TRUE(key_is_minor(minor, 0));
    expect_only(voice_leading_stats(minor), {});
    // Ending on C (or on anything else): major, and the G# counts.
    const Chorale major =
        in_key({{"E4", "G#4", "G4"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"A2", "E3", "C3"}}, 0, "");
    EXPECT_FALSE(inferred_minor(major));
    expect_only(voice_leading_stats(major), {{"out_of_key", 1}});
    // A written mode wins over the bass.
    EXPECT_FALSE(key_is_minor(in_key(ends_on_a, 0, "major"), 0));
    // The bass's last note, whatever rests follow it.
    const Chorale rest_after = in_key(
        {{"E4", "G#4", "A4"}, {"rest", "__", "__"}, {"rest", "__", "__"}, {"E3", "A2", "rest"}}, 0, "");
    EXPECT_TRUE(inferred_minor(rest_after));
}

TEST(OutOfKey, KeySignatureInForceAtEachTick) {
    // C major, then G major from the third quarter: F#4 is out of key before, in key after.
    Chorale c = grid({{"G4", "F#4", "F#4", "G4"},
                      {"rest", "__", "__", "__"},
                      {"rest", "__", "__", "__"},
                      {"C3", "D3", "D3", "G2"}});
    const int change = 2 * kTicksPerQuarter;
    c.keys = {GridKeySignature{0, 0, "major"}, GridKeySignature{change, 1, "major"}};
    for (int t = change; t < c.num_ticks; ++t) c.key_fifths[static_cast<std::size_t>(t)] = 1;
    c.validate();
    expect_only(voice_leading_stats(c), {{"out_of_key", 1}});
}

TEST(OutOfKey, PitchClassMasks) {
    auto pcs = [](std::initializer_list<int> list) {
        std::uint16_t m = 0;
        for (int p : list) m |= static_cast<std::uint16_t>(1u << p);
        return m;
    };
    EXPECT_EQ(key_pitch_classes(0, false), pcs({0, 2, 4, 5, 7, 9, 11}));
    EXPECT_EQ(key_pitch_classes(0, true), pcs({0, 2, 4, 5, 6, 7, 8, 9, 11}));    // A minor: + F#, G#
    EXPECT_EQ(key_pitch_classes(-3, false), pcs({3, 5, 7, 8, 10, 0, 2}));        // Eb major
    EXPECT_EQ(key_pitch_classes(-3, true), pcs({3, 5, 7, 8, 10, 0, 2, 9, 11}));  // C minor: + A, B
    EXPECT_EQ(key_pitch_classes(6, false), pcs({6, 8, 10, 11, 1, 3, 5}));        // F# major
    // Sums add the count.
    VoiceLeadingStats a, b;
    a.out_of_key = 2;
    b.out_of_key = 3;
    a += b;
    EXPECT_EQ(a.out_of_key, 5);
}

// ----------------------------------------------------------------- summary

TEST(VoiceLeading, SummaryRates) {
    const auto a = voice_leading_stats(grid({{"C5", "D5"}, {"F4", "G4"}, kRests2, kRests2}));
    const auto b = voice_leading_stats(grid({{"C5", "D5", "E5", "F5"},
                                             {"A4", "B4", "C5", "D5"},
                                             {"rest", "__", "__", "__"},
                                             {"rest", "__", "__", "__"}}));
    const VoiceLeadingSummary s = summarize({a, b});
    EXPECT_EQ(s.chorales, 2u);
    EXPECT_EQ(s.total.events, 6);
    EXPECT_EQ(s.total.notes, 12);
    EXPECT_EQ(s.total.parallels(), 1);
    EXPECT_DOUBLE_EQ(s.per_chorale(s.total.parallels()), 0.5);
    EXPECT_DOUBLE_EQ(s.per_100_events(s.total.parallels()), 100.0 / 6);
    EXPECT_DOUBLE_EQ(summarize({}).per_chorale(3), 0.0);
    EXPECT_DOUBLE_EQ(summarize({}).per_100_events(3), 0.0);
    const auto rules = rule_counts(s.total);
    ASSERT_EQ(rules.size(), 13u);
    EXPECT_STREQ(rules[0].key, "parallel_fifths");
    EXPECT_STREQ(rules[9].key, "out_of_key");
    EXPECT_STREQ(rules[9].label, "out of key");
    EXPECT_STREQ(rules[12].key, "sixteenths");
    EXPECT_EQ(rules[0].count, 1);
}

// --------------------------------------------------------------- agreement

TEST(Agreement, PitchAndPitchClass) {
    const Chorale bach = grid({{"C5", "D5"}, {"G4", "F4"}, {"E4", "rest"}, {"C3", "G2"}});
    // Alto: G4 same, then F4 vs F5 (pitch class only). Tenor: Fb4 for E4 (same
    // MIDI number), then a rest where Bach rests. Bass: C3 same, then a rest
    // where Bach sings G2.
    const Chorale gen = grid({{"C5", "D5"}, {"G4", "F5"}, {"Fb4", "rest"}, {"C3", "rest"}});
    const Agreement a = agreement(gen, bach);
    EXPECT_EQ(a.ticks, 8);
    EXPECT_DOUBLE_EQ(a.pitch(kSoprano), 1.0);
    EXPECT_DOUBLE_EQ(a.pitch(kAlto), 0.5);
    EXPECT_DOUBLE_EQ(a.pitch_class(kAlto), 1.0);
    EXPECT_DOUBLE_EQ(a.pitch(kTenor), 1.0);
    EXPECT_DOUBLE_EQ(a.pitch(kBass), 0.5);
    EXPECT_DOUBLE_EQ(a.pitch_class(kBass), 0.5);
    EXPECT_DOUBLE_EQ(a.lower_pitch(), 2.0 / 3);
    EXPECT_DOUBLE_EQ(a.lower_pitch_class(), 2.5 / 3);
    Agreement sum = a;
    sum += agreement(bach, bach);
    EXPECT_EQ(sum.ticks, 16);
    EXPECT_DOUBLE_EQ(sum.pitch(kAlto), 0.75);
}

TEST(Agreement, HoldsFollowTheNote) {
    // Bach holds G4 for a half; the harmonization repeats it: the same sounding pitch throughout.
    const Chorale bach = grid({{"C5", "C5"}, {"G4", "__"}, {"E4", "E4"}, {"C3", "C3"}});
    const Chorale gen = grid({{"C5", "C5"}, {"G4", "G4"}, {"E4", "E4"}, {"C3", "C3"}});
    EXPECT_DOUBLE_EQ(agreement(gen, bach).lower_pitch(), 1.0);
}

TEST(Agreement, LengthsMustMatch) {
    const Chorale a = grid({{"C5"}, {"G4"}, {"E4"}, {"C3"}});
    const Chorale b = grid({{"C5", "D5"}, {"G4", "G4"}, {"E4", "D4"}, {"C3", "B2"}});
    EXPECT_THROW(agreement(a, b), Error);
}

// ------------------------------------------------------------------ charts

TEST(Report, ChartsAreWellFormedXml) {
    eval::BarChart chart;
    chart.title = "Rates <Bach & \"generated\">";
    chart.value_label = "per 100 events";
    chart.categories = {"parallel fifths",
                        "Ç'est <long> & ümlaut naming a chorale with a very long title indeed"};
    chart.series = {{"Bach", "#4477aa", {0.5, 12.25}}, {"generated", "#ee6677", {3, -1}}};
    for (bool horizontal : {false, true}) {
        chart.horizontal = horizontal;
        const std::string svg = eval::bar_chart_svg(chart);
        pugi::xml_document doc;
        const auto parsed = doc.load_string(svg.c_str());
        ASSERT_TRUE(parsed) << parsed.description() << "\n" << svg;
        EXPECT_STREQ(doc.document_element().name(), "svg");
        EXPECT_EQ(std::string(doc.document_element().child("title").text().get()), chart.title);
    }
    // No values at all still draws an axis.
    chart.series = {{"Bach", "#4477aa", {0, 0}}};
    pugi::xml_document doc;
    EXPECT_TRUE(doc.load_string(eval::bar_chart_svg(chart).c_str()));
}

TEST(Report, WritesMarkdownAndCharts) {
    const fs::path dir = fs::temp_directory_path() / ("deepbach-eval-report-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto a = voice_leading_stats(grid({{"C5", "D5"}, {"F4", "G4"}, kRests2, kRests2}));
    const auto b = voice_leading_stats(grid({{"C5", "D5"}, {"A4", "B4"}, kRests2, kRests2}));
    EvaluationReport report;
    report.title = "Test";
    report.chorales = {"one.mxl", "two.mxl"};
    report.sets = {{"Bach", {b, b}}, {"generated", {a, b}}};
    report.agreements = {Agreement{}, Agreement{}};
    const auto written = write_report(dir, report);
    EXPECT_EQ(written.size(), 4u);
    for (const char* name : {"rates.svg", "per_chorale.svg", "agreement.svg"}) {
        pugi::xml_document doc;
        EXPECT_TRUE(doc.load_file((dir / name).c_str())) << name;
    }
    std::ifstream in(dir / "report.md");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_NE(text.str().find("ratio generated / Bach: **n/a"), std::string::npos) << text.str();
    EXPECT_NE(text.str().find("| one.mxl |"), std::string::npos);
    // Bach's none and the generated set's one: no ratio.
    EXPECT_FALSE(parallels_ratio(summarize({a, b}), summarize({b, b})).has_value());
    EXPECT_DOUBLE_EQ(*parallels_ratio(summarize({a, a}), summarize({a, b})), 2.0);
    fs::remove_all(dir);
}

// ---------------------------------------------------------- real chorales

// ------------------------------------------------------------------- faults

TEST(VoiceLeadingFaults, EachFaultWhereItIsWithItsNotes) {
    // Bar of quarters: soprano and alto in parallel fifths on beat 2
    // (C5/F4 -> D5/G4), the bass leaps an augmented fourth F2 -> B2 on beat
    // 3, the tenor sounds C#4 (out of C major's key) on beat 1.
    const Chorale c = grid({{"C5", "D5", "__"}, {"F4", "G4", "__"}, {"C#4", "__", "__"}, {"F2", "__", "B2"}});
    const auto faults = voice_leading_faults(c);
    ASSERT_EQ(faults.size(), 3u);
    EXPECT_EQ(faults[0].rule, "out_of_key");
    EXPECT_EQ(faults[0].tick, 0);
    EXPECT_EQ(faults[0].voice, kTenor);
    EXPECT_EQ(faults[0].text, "out of key: tenor C#4");
    EXPECT_EQ(faults[1].rule, "parallel_fifths");
    EXPECT_EQ(faults[1].tick, 4);
    EXPECT_EQ(faults[1].voice, kSoprano);
    EXPECT_EQ(faults[1].other, kAlto);
    EXPECT_EQ(faults[1].text, "parallel fifths, soprano and alto: C5 F4 to D5 G4");
    EXPECT_EQ(c.position_at(faults[1].tick), "bar 1 beat 2");
    EXPECT_EQ(faults[2].rule, "augmented_melodic");
    EXPECT_EQ(faults[2].tick, 8);
    EXPECT_EQ(faults[2].text, "augmented melodic interval: bass F2 to B2");
    EXPECT_EQ(c.position_at(2), "bar 1 beat 1.5");
}

TEST(VoiceLeadingFaults, AsManyOfEachRuleAsTheStatisticsCount) {
    if (!fs::is_directory(DEEPBACH_CORPUS_DIR)) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
    for (const char* name : {"bwv10.7.mxl", "bwv26.6.mxl"}) {
        const Chorale c = to_chorale(read_score(fs::path(DEEPBACH_CORPUS_DIR) / name));
        const auto stats = voice_leading_stats(c);
        const auto faults = voice_leading_faults(c);
        std::map<std::string, std::int64_t> listed;
        int last_tick = 0;
        for (const auto& f : faults) {
            ++listed[f.rule];
            EXPECT_GE(f.tick, last_tick) << "faults come in time order";
            last_tick = f.tick;
            EXPECT_FALSE(f.text.empty());
        }
        SCOPED_TRACE(name);
        EXPECT_GT(faults.size(), 0u);
        for (const auto& rc : rule_counts(stats)) EXPECT_EQ(listed[rc.key], rc.count) << rc.key;
    }
}

TEST(VoiceLeadingCorpus, BachHasFewParallels) {
    if (!fs::is_directory(DEEPBACH_CORPUS_DIR)) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
    for (const char* name : {"bwv10.7.mxl", "bwv26.6.mxl", "bwv69.6.xml"}) {
        Chorale c;
        try {
            c = to_chorale(read_score(fs::path(DEEPBACH_CORPUS_DIR) / name));
        } catch (const Error& e) {
            // bwv69.6 has eight parts; to_chorale picks the four voices.
            FAIL() << e.what();
        }
        const auto s = voice_leading_stats(c);
        SCOPED_TRACE(name);
        EXPECT_GT(s.events, 50);
        EXPECT_GE(s.notes, s.events);
        EXPECT_LE(s.parallels(), 3);
        // Bach crosses inner voices now and then (bwv10.7: 12 events of 68).
        EXPECT_LE(s.voice_crossings, s.events / 4);
        EXPECT_LE(s.out_of_range, s.notes / 10);
        // Chromatic notes are few (bwv10.7: 4 of 206).
        EXPECT_LE(s.out_of_key, s.notes / 10);
        // Bach against himself agrees everywhere.
        EXPECT_DOUBLE_EQ(agreement(c, c).lower_pitch(), 1.0);
    }
}
