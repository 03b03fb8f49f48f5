// The piano roll (SVG): well-formed, one rectangle per note, fixed and
// generated notes told apart, fermatas and bars drawn, bad masks refused.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/piano_roll.hpp>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include "needs_corpus.hpp"

namespace {

using namespace deepbach;
namespace fs = std::filesystem;

// Two bars of 4/4: soprano C5 (half, fermata) B4 (half) | C5 (whole);
// alto and bass one note a bar, tenor resting.
Chorale two_bars() {
    Chorale c = Chorale::empty(32);
    c.title = "Two bars & <more>";
    auto set = [&](int v, int t, const char* name) { c.at(v, t) = token::parse(name); };
    set(0, 0, "C5");
    set(0, 8, "B4");
    set(0, 16, "C5");
    set(1, 0, "E4");
    set(1, 16, "G4");
    set(3, 0, "C3");
    set(3, 16, "F#2");
    for (int t = 0; t < 8; ++t) c.fermata[static_cast<size_t>(t)] = 1;
    c.measure_ticks = {0, 16};
    c.measure_numbers = {"1", "2"};
    return c;
}

pugi::xml_document parse(const std::string& svg) {
    pugi::xml_document doc;
    const pugi::xml_parse_result r = doc.load_string(svg.c_str());
    EXPECT_TRUE(r) << r.description();
    return doc;
}

int count(const pugi::xml_document& doc, const char* xpath) {
    return static_cast<int>(doc.select_nodes(xpath).size());
}

TEST(PianoRoll, OneRectanglePerNoteWithItsTooltip) {
    const Chorale c = two_bars();
    const auto doc = parse(piano_roll_svg(c));
    EXPECT_STREQ(doc.child("svg").attribute("xmlns").value(), "http://www.w3.org/2000/svg");
    EXPECT_EQ(count(doc, "//g[@id='soprano']/rect"), 3);
    EXPECT_EQ(count(doc, "//g[@id='alto']/rect"), 2);
    EXPECT_EQ(count(doc, "//g[@id='tenor']/rect"), 0);
    EXPECT_EQ(count(doc, "//g[@id='bass']/rect"), 2);
    // Without a mask every note is plain, and no fixed/generated legend.
    EXPECT_EQ(count(doc, "//rect[@class='note']"), 7);
    EXPECT_EQ(count(doc, "//rect[@class='generated']"), 0);
    const std::string tip = doc.select_node("//g[@id='soprano']/rect[2]/title").node().child_value();
    EXPECT_EQ(tip, "Soprano B4, bar 1 beat 3");
    // The title is escaped and shown.
    EXPECT_EQ(std::string(doc.child("svg").child("title").child_value()), "Two bars & <more>");
}

TEST(PianoRoll, NotesAreAsLongAsTheirHoldsAndHigherPitchesHigher) {
    const Chorale c = two_bars();
    PianoRollOptions o;
    o.pixels_per_tick = 5;
    const auto doc = parse(piano_roll_svg(c, nullptr, o));
    const auto half = doc.select_node("//g[@id='soprano']/rect[1]").node();
    const auto whole = doc.select_node("//g[@id='soprano']/rect[3]").node();
    EXPECT_EQ(half.attribute("width").as_int(), 8 * 5 - 1);
    EXPECT_EQ(whole.attribute("width").as_int(), 16 * 5 - 1);
    const auto b4 = doc.select_node("//g[@id='soprano']/rect[2]").node();
    EXPECT_LT(half.attribute("y").as_int(), b4.attribute("y").as_int());  // C5 above B4
    const auto bass = doc.select_node("//g[@id='bass']/rect[2]").node();
    EXPECT_GT(bass.attribute("y").as_int(), b4.attribute("y").as_int());
}

TEST(PianoRoll, MarksFixedAndGeneratedNotes) {
    const Chorale c = two_bars();
    CellMask fixed;
    for (int v = 0; v < kNumVoices; ++v) fixed[static_cast<size_t>(v)].assign(32, v == 0 ? 1 : 0);
    const auto doc = parse(piano_roll_svg(c, &fixed));
    EXPECT_EQ(count(doc, "//g[@id='soprano']/rect[@class='fixed']"), 3);
    EXPECT_EQ(count(doc, "//rect[@class='generated']"), 4);
    EXPECT_EQ(count(doc, "//g[@id='legend']/text[.='fixed']"), 1);
    EXPECT_EQ(count(doc, "//g[@id='legend']/text[.='generated']"), 1);
    const std::string tip = doc.select_node("//g[@id='alto']/rect[1]/title").node().child_value();
    EXPECT_EQ(tip, "Alto E4, bar 1 beat 1, generated");
}

TEST(PianoRoll, DrawsFermatasAndBars) {
    const Chorale c = two_bars();
    const auto doc = parse(piano_roll_svg(c));
    EXPECT_EQ(count(doc, "//g[@id='fermatas']/path"), 1);
    EXPECT_EQ(count(doc, "//g[@id='bars']/text"), 2);
    // Labels at the C's between F#2 - 2 and C5 + 2: C2? no (E2 is the floor), C3, C4, C5.
    EXPECT_EQ(count(doc, "//g[@id='rows']/text"), 3);
}

TEST(PianoRoll, RefusesAMaskOfAnotherLength) {
    const Chorale c = two_bars();
    CellMask fixed;
    for (auto& row : fixed) row.assign(31, 1);
    EXPECT_THROW(piano_roll_svg(c, &fixed), Error);
    PianoRollOptions o;
    o.pixels_per_tick = 0;
    EXPECT_THROW(piano_roll_svg(c, nullptr, o), Error);
}

TEST(PianoRoll, WritesACorpusChoraleAtomically) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale c = to_chorale(read_score(fs::path(DEEPBACH_CORPUS_DIR) / "bwv10.7.mxl"));
    const fs::path dir = fs::temp_directory_path() / "deepbach-piano-roll-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path out = dir / "roll.svg";
    write_piano_roll_svg(c, out);
    std::ifstream in(out);
    std::stringstream ss;
    ss << in.rdbuf();
    const auto doc = parse(ss.str());
    int notes = 0;
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < c.num_ticks; ++t) notes += token::is_pitch(c.at(v, t)) ? 1 : 0;
    EXPECT_EQ(count(doc, "//rect[@class='note']"), notes);
    EXPECT_EQ(count(doc, "//g[@id='fermatas']/path"), 4);  // bars 5, 9, 14 and 22
    int files = 0;
    for (const auto& e : fs::directory_iterator(dir)) files += e.is_regular_file() ? 1 : 0;
    EXPECT_EQ(files, 1);  // no temporary left behind
    // A folder that does not exist: an error naming the file, nothing written.
    EXPECT_THROW(write_piano_roll_svg(c, dir / "missing" / "roll.svg"), Error);
    fs::remove_all(dir);
}

}  // namespace
