// deepbach/report.hpp and the text forms of deepbach/constraints.hpp, on
// hand-typed grids and the committed melodies (no corpus needed).
#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/io.hpp>
#include <deepbach/report.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "quarter_grid.hpp"

using namespace deepbach;
namespace fs = std::filesystem;

namespace {

std::string message(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

Chorale old_hundredth() {
    return melody_chorale(
        read_score(fs::path(DEEPBACH_SOURCE_DIR) / "examples/melodies/old-hundredth.musicxml"));
}

}  // namespace

TEST(ConstraintText, EachFormPlacedOnThePiece) {
    const Chorale grid = old_hundredth();
    ConstraintText text;
    text.fixes = {"bass:3:G2", "alto:4:rest"};
    text.rhythms = {"tenor:2"};
    text.fermatas = {"8,16"};
    text.cadences = {"16:authentic"};
    text.keys = {"5:e minor"};
    text.ranges = {"tenor:D3-E4"};
    text.regions = {"2-3:ATB"};
    const Constraints c = parse_constraints(grid, text, true);
    ASSERT_EQ(c.fixed.size(), 2u);
    EXPECT_EQ(c.fixed[0].voice, kBass);
    EXPECT_EQ(c.fixed[0].token, token::parse("G2"));
    EXPECT_EQ(c.fixed[0].ticks.begin, bar_ticks(grid, "3", "3").begin);
    EXPECT_EQ(c.fixed[1].token, token::kRest);
    ASSERT_EQ(c.rhythm.size(), 1u);
    EXPECT_EQ(c.rhythm[0].voice, kTenor);
    EXPECT_EQ(c.fermatas.size(), 2u);
    ASSERT_EQ(c.cadences.size(), 1u);
    EXPECT_EQ(c.cadences[0].type, CadenceType::authentic);
    ASSERT_EQ(c.keys.size(), 1u);
    EXPECT_EQ(c.keys[0].fifths, 1);
    EXPECT_EQ(c.keys[0].mode, "minor");
    ASSERT_TRUE(c.ranges[kTenor].has_value());
    EXPECT_EQ(c.ranges[kTenor]->lowest, 50);
    EXPECT_EQ(c.ranges[kTenor]->highest, 64);
    ASSERT_EQ(c.regions.size(), 1u);
    EXPECT_FALSE(c.regions[0].voices[kSoprano]);
    EXPECT_TRUE(c.regions[0].voices[kAlto] && c.regions[0].voices[kTenor] && c.regions[0].voices[kBass]);
}

TEST(ConstraintText, ErrorsNameTheFormAndTheText) {
    const Chorale grid = old_hundredth();
    EXPECT_EQ(message([&] { parse_fix(grid, "bass:3"); }),
              "fix 'bass:3': expected VOICE:BARS:PITCH, e.g. bass:4:G2 or alto:2-3:rest");
    EXPECT_NE(message([&] { parse_fix(grid, "bass:3:H2"); }).find("fix 'bass:3:H2': not a pitch"),
              std::string::npos);
    EXPECT_NE(message([&] { parse_range("x:C3-C4"); }).find("range 'x:C3-C4': unknown voice"),
              std::string::npos);
    EXPECT_NE(message([&] { parse_region(grid, "40-41"); }).find("region '40-41'"), std::string::npos);
    EXPECT_EQ(message([&] { parse_voice_range("C4-C3"); }), "the lowest pitch is above the highest");
    EXPECT_EQ(parse_midi("60"), 60);
    EXPECT_EQ(parse_midi("C4"), 60);
    // Names past MIDI's range are errors, not numbers outside 0..127
    // (fuzz_constraints found parse_midi("b9") == 131; issue 15).
    EXPECT_EQ(parse_midi("G9"), 127);
    EXPECT_EQ(parse_midi("C-1"), 0);
    EXPECT_EQ(message([&] { parse_midi("b9"); }), "pitch b9 is MIDI 131, outside 0..127 (C-1 to G9)");
    EXPECT_NE(message([&] { parse_midi("Cb-1"); }).find("outside 0..127"), std::string::npos);
    EXPECT_NE(message([&] { parse_range("bass:E2-B9"); }).find("range 'bass:E2-B9'"), std::string::npos);
    EXPECT_EQ(parse_fix_token("__"), token::kHold);
    const auto voices = parse_voices("ATB");
    EXPECT_FALSE(voices[kSoprano]);
    EXPECT_TRUE(voices[kAlto] && voices[kTenor] && voices[kBass]);
    EXPECT_EQ(parse_voices("soprano,bass")[kBass], true);
}

TEST(Report, ChoraleSeedsDependOnTheNameAndTheSeedOnly) {
    EXPECT_EQ(chorale_seed(1, "bwv10.7.mxl"), chorale_seed(1, "bwv10.7.mxl"));
    EXPECT_NE(chorale_seed(1, "bwv10.7.mxl"), chorale_seed(2, "bwv10.7.mxl"));
    EXPECT_NE(chorale_seed(1, "bwv10.7.mxl"), chorale_seed(1, "bwv26.6.mxl"));
}

TEST(Report, SplitPartsByName) {
    EXPECT_EQ(parse_split_part("Valid"), SplitPart::validation);
    EXPECT_STREQ(to_string(parse_split_part("test")), "test");
    EXPECT_EQ(message([] { parse_split_part("half"); }),
              "split 'half': expected train, validation, test or all");
}

TEST(Report, FilesReadOneByOneAndTheOnesTheGridCannotHoldSkippedWithTheirName) {
    const fs::path melodies = fs::path(DEEPBACH_SOURCE_DIR) / "examples/melodies";
    // One-part melodies: the grid holds them as chorales with the lower voices resting.
    const LoadedChorales in = load_chorales(
        {melodies / "old-hundredth.musicxml", melodies / "st-anne.musicxml"}, SplitPart::all, 1);
    EXPECT_EQ(in.chorales.size() + in.skipped.size(), 2u);
    for (const auto& [file, why] : in.skipped)
        EXPECT_NE(why.find(fs::path(file).filename().string()), std::string::npos);
    EXPECT_EQ(
        message([&] { load_chorales({melodies / "old-hundredth.musicxml"}, SplitPart::validation, 1); }),
        "split validation: give the corpus folder (one folder) as the input, not files");
}

TEST(Report, JsonOfTheStatisticsHasTheRuleKeys) {
    const Chorale c = test_support::quarter_grid({{"G4", "A4"}, {"D4", "E4"}, {"B3", "C4"}, {"G2", "A2"}});
    const VoiceLeadingStats s = voice_leading_stats(c);
    const nlohmann::json j = nlohmann::json::parse(to_json(s));
    EXPECT_EQ(j["events"].get<long long>(), s.events);
    EXPECT_EQ(j["parallels"].get<long long>(), s.parallels());
    for (const auto& rc : rule_counts(s)) EXPECT_EQ(j[rc.key].get<long long>(), rc.count) << rc.key;
    const nlohmann::json sum = nlohmann::json::parse(to_json(summarize({s, s})));
    EXPECT_EQ(sum["chorales"].get<int>(), 2);
    EXPECT_DOUBLE_EQ(sum["mean_per_chorale"]["parallels"].get<double>(), static_cast<double>(s.parallels()));
}
