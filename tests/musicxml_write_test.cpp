// Tests of the MusicXML writer on hand-built scores: how notes are cut into
// measures and written values, ties, pickups, key and time changes,
// fermatas, voices and chords; that the text validates against the
// MusicXML 4.0 schema; that files are written atomically.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include "io/zip.hpp"

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace fs = std::filesystem;
using namespace deepbach;

namespace {

Note make_note(Rational onset, Rational duration, const char* pitch, int voice = 1) {
    Note n;
    n.onset = onset;
    n.duration = duration;
    if (pitch) n.pitch = Pitch::parse(pitch);
    n.voice = voice;
    return n;
}

/// A score of one part with `bars` measures of the time signature, the
/// first `pickup` quarters long when pickup > 0.
Score one_part(std::vector<Note> notes, int bars, TimeSignature ts = {}, Rational pickup = Rational(0)) {
    Score s;
    s.title = "Test & <check>";
    s.composer = "J. S. Bach";
    s.times.push_back(ts);
    s.keys.push_back(KeySignature{Rational(0), 0, "major"});
    Rational t(0);
    for (int i = 0; i < bars; ++i) {
        Measure m;
        m.onset = t;
        m.duration = (i == 0 && pickup > Rational(0)) ? pickup : ts.measure_length();
        m.number = std::to_string(pickup > Rational(0) ? i : i + 1);
        s.measures.push_back(m);
        t += m.duration;
    }
    Part p;
    p.id = "P1";
    p.name = "Soprano";
    p.abbreviation = "S.";
    p.notes = std::move(notes);
    s.parts.push_back(std::move(p));
    return s;
}

struct Doc {
    pugi::xml_document doc;
    explicit Doc(const std::string& xml) {
        const pugi::xml_parse_result r = doc.load_string(xml.c_str());
        EXPECT_TRUE(r) << r.description();
    }
    pugi::xml_node part(int i = 0) const {
        auto parts = doc.child("score-partwise").children("part");
        auto it = parts.begin();
        std::advance(it, i);
        return *it;
    }
    std::vector<pugi::xml_node> measures(int p = 0) const {
        std::vector<pugi::xml_node> out;
        for (pugi::xml_node m : part(p).children("measure")) out.push_back(m);
        return out;
    }
    std::vector<pugi::xml_node> notes(int p, int m) const {
        std::vector<pugi::xml_node> out;
        for (pugi::xml_node n : measures(p).at(static_cast<size_t>(m)).children("note")) out.push_back(n);
        return out;
    }
};

bool has_tie(pugi::xml_node note, const char* type) {
    bool tie = false, tied = false;
    for (pugi::xml_node t : note.children("tie")) tie |= std::string(t.attribute("type").value()) == type;
    for (pugi::xml_node t : note.child("notations").children("tied"))
        tied |= std::string(t.attribute("type").value()) == type;
    EXPECT_EQ(tie, tied) << "<tie> and <tied> disagree";
    return tie;
}

int dots(pugi::xml_node note) {
    int n = 0;
    for (pugi::xml_node d : note.children("dot")) {
        (void)d;
        ++n;
    }
    return n;
}

std::string type_of(pugi::xml_node note) {
    return note.child_value("type");
}
int duration_of(pugi::xml_node note) {
    return note.child("duration").text().as_int();
}

/// A fresh empty folder under the system's temporary folder.
fs::path temp_folder() {
    std::random_device rd;
    fs::path p = fs::temp_directory_path() / ("deepbach_mxw_" + std::to_string(rd()));
    fs::create_directories(p);
    return p;
}

/// Runs xmllint with the MusicXML 4.0 schema, offline, on the files.
/// Returns "" when they validate, else xmllint's complaint.
std::string validate(const std::vector<fs::path>& files) {
    const std::string schema = DEEPBACH_SCHEMA_DIR;
    if (std::system("command -v xmllint > /dev/null 2>&1") != 0)
        return "xmllint not found: install libxml2-utils to validate the written MusicXML";
    std::string cmd = "XML_CATALOG_FILES='" + schema + "/catalog.xml' xmllint --nonet --noout --schema '" +
                      schema + "/musicxml.xsd'";
    for (const fs::path& f : files) cmd += " '" + f.string() + "'";
    const fs::path log =
        fs::temp_directory_path() / ("deepbach_xmllint_" + std::to_string(std::random_device{}()));
    cmd += " > '" + log.string() + "' 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    fs::remove(log);
    return rc == 0 ? "" : (text.empty() ? "xmllint failed" : text);
}

std::string validate_text(const std::string& xml) {
    const fs::path dir = temp_folder();
    const fs::path file = dir / "t.musicxml";
    std::ofstream(file) << xml;
    std::string r = validate({file});
    fs::remove_all(dir);
    return r;
}

/// A score with everything the writer knows: pickup, ties over the
/// barline, dotted and odd durations, a tuplet, rests, fermata, two voices,
/// a chord, key and time changes, accidentals.
Score everything() {
    Score s = one_part({}, 0);
    s.keys = {KeySignature{Rational(0), 2, "major"}, KeySignature{Rational(5), -3, "minor"}};
    s.times = {TimeSignature{Rational(0), 4, 4}, TimeSignature{Rational(9), 6, 8}};
    s.measures = {Measure{Rational(0), Rational(1), "0", true}, Measure{Rational(1), Rational(4), "1", false},
                  Measure{Rational(5), Rational(4), "2", false},
                  Measure{Rational(9), Rational(3), "3", false},
                  Measure{Rational(12), Rational(3), "4", false}};
    auto& n = s.parts[0].notes;
    n.push_back(make_note(Rational(0), Rational(1), "D5"));
    Note long_note = make_note(Rational(1), Rational(5, 4), "F#5");
    long_note.fermata = true;
    n.push_back(long_note);
    n.push_back(make_note(Rational(9, 4), Rational(3, 4), "G5"));
    n.push_back(make_note(Rational(3), Rational(1, 3), "A5"));
    n.push_back(make_note(Rational(10, 3), Rational(1, 3), "B5"));
    n.push_back(make_note(Rational(11, 3), Rational(1, 3), "C#6"));
    n.push_back(make_note(Rational(4), Rational(2), "D5"));  // over the barline at 5
    n.push_back(make_note(Rational(6), Rational(1), "Eb5"));
    n.push_back(make_note(Rational(6), Rational(1), "G5"));  // a chord
    n.push_back(make_note(Rational(7), Rational(1), nullptr));
    n.push_back(make_note(Rational(5), Rational(2), "C4", 2));
    n.push_back(make_note(Rational(7), Rational(2), "Bb3", 2));
    n.push_back(make_note(Rational(9), Rational(5, 2), "Ab4"));
    n.push_back(make_note(Rational(23, 2), Rational(1, 2), "G4"));
    return s;
}

}  // namespace

TEST(MusicXmlWrite, HeaderPartListAndAttributes) {
    Score s = one_part({make_note(Rational(0), Rational(4), "C5")}, 1);
    MusicXmlOptions opt;
    opt.software = "unit test";
    opt.encoding_date = "2026-11-21";
    const std::string xml = to_musicxml(s, opt);
    // No date unless asked: the same score gives the same bytes any day.
    EXPECT_EQ(to_musicxml(s).find("encoding-date"), std::string::npos);
    EXPECT_NE(xml.find("<!DOCTYPE score-partwise PUBLIC \"-//Recordare//DTD MusicXML 4.0 Partwise//EN\""),
              std::string::npos);
    Doc d(xml);
    pugi::xml_node root = d.doc.child("score-partwise");
    EXPECT_STREQ(root.attribute("version").value(), "4.0");
    EXPECT_STREQ(root.child("work").child_value("work-title"), "Test & <check>");
    EXPECT_STREQ(root.child("identification").child_value("creator"), "J. S. Bach");
    EXPECT_STREQ(root.child("identification").child("encoding").child_value("software"), "unit test");
    EXPECT_STREQ(root.child("identification").child("encoding").child_value("encoding-date"), "2026-11-21");
    pugi::xml_node sp = root.child("part-list").child("score-part");
    EXPECT_STREQ(sp.attribute("id").value(), "P1");
    EXPECT_STREQ(sp.child_value("part-name"), "Soprano");
    EXPECT_STREQ(sp.child_value("part-abbreviation"), "S.");
    pugi::xml_node attr = d.measures()[0].child("attributes");
    EXPECT_EQ(attr.child("divisions").text().as_int(), 1);
    EXPECT_EQ(attr.child("key").child("fifths").text().as_int(), 0);
    EXPECT_STREQ(attr.child("key").child_value("mode"), "major");
    EXPECT_EQ(attr.child("time").child("beats").text().as_int(), 4);
    EXPECT_STREQ(attr.child("clef").child_value("sign"), "G");
    auto notes = d.notes(0, 0);
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(type_of(notes[0]), "whole");
    EXPECT_EQ(validate_text(xml), "");
}

TEST(MusicXmlWrite, NoteOverBarlineIsSplitAndTied) {
    Score s = one_part({make_note(Rational(0), Rational(3), "C5"), make_note(Rational(3), Rational(2), "E5"),
                        make_note(Rational(5), Rational(3), "G5")},
                       2);
    Doc d(to_musicxml(s));
    auto m1 = d.notes(0, 0), m2 = d.notes(0, 1);
    ASSERT_EQ(m1.size(), 2u);
    ASSERT_EQ(m2.size(), 2u);
    EXPECT_EQ(type_of(m1[1]), "quarter");
    EXPECT_TRUE(has_tie(m1[1], "start"));
    EXPECT_FALSE(has_tie(m1[1], "stop"));
    EXPECT_EQ(type_of(m2[0]), "quarter");
    EXPECT_TRUE(has_tie(m2[0], "stop"));
    EXPECT_FALSE(has_tie(m2[0], "start"));
    EXPECT_STREQ(m2[0].child("pitch").child_value("step"), "E");
    EXPECT_EQ(type_of(m2[1]), "half");
    EXPECT_EQ(dots(m2[1]), 1);
}

TEST(MusicXmlWrite, DottedAndDoubleDottedValues) {
    Score s = one_part(
        {make_note(Rational(0), Rational(3), "C5"), make_note(Rational(3), Rational(1), "D5"),
         make_note(Rational(4), Rational(7, 4), "E5"), make_note(Rational(23, 4), Rational(1, 4), "F5"),
         make_note(Rational(6), Rational(3, 4), "G5"), make_note(Rational(27, 4), Rational(5, 4), "A5")},
        2);
    Doc d(to_musicxml(s));
    EXPECT_EQ(d.measures()[0].child("attributes").child("divisions").text().as_int(), 4);
    auto m1 = d.notes(0, 0), m2 = d.notes(0, 1);
    EXPECT_EQ(type_of(m1[0]), "half");
    EXPECT_EQ(dots(m1[0]), 1);
    EXPECT_EQ(duration_of(m1[0]), 12);
    ASSERT_GE(m2.size(), 4u);
    EXPECT_EQ(type_of(m2[0]), "quarter");
    EXPECT_EQ(dots(m2[0]), 2);
    EXPECT_EQ(duration_of(m2[0]), 7);
    EXPECT_EQ(type_of(m2[1]), "16th");
    EXPECT_EQ(type_of(m2[2]), "eighth");
    EXPECT_EQ(dots(m2[2]), 1);
    // 5 sixteenths starting a sixteenth before beat 4 (at 11/4 in the bar):
    // a sixteenth up to the beat, then a quarter.
    int total = 0;
    for (size_t i = 3; i < m2.size(); ++i) total += duration_of(m2[i]);
    EXPECT_EQ(total, 5);
    EXPECT_EQ(type_of(m2[3]), "16th");
    EXPECT_TRUE(has_tie(m2[3], "start"));
    EXPECT_EQ(type_of(m2[4]), "quarter");
    EXPECT_TRUE(has_tie(m2[4], "stop"));
}

TEST(MusicXmlWrite, FiveSixteenthsSplitAtTheBeat) {
    // On the beat: quarter + 16th. A sixteenth after it: dotted eighth to the
    // next beat, then an eighth.
    Score s = one_part(
        {make_note(Rational(0), Rational(5, 4), "C5"), make_note(Rational(5, 4), Rational(3, 4), "D5"),
         make_note(Rational(2), Rational(1, 4), "E5"), make_note(Rational(9, 4), Rational(5, 4), "F5"),
         make_note(Rational(7, 2), Rational(1, 2), "G5")},
        1);
    Doc d(to_musicxml(s));
    auto m = d.notes(0, 0);
    ASSERT_EQ(m.size(), 7u);
    EXPECT_EQ(type_of(m[0]), "quarter");
    EXPECT_TRUE(has_tie(m[0], "start"));
    EXPECT_EQ(type_of(m[1]), "16th");
    EXPECT_TRUE(has_tie(m[1], "stop"));
    EXPECT_EQ(type_of(m[2]), "eighth");  // D5, 3/4 at 5/4: a dotted eighth fits in one head
    EXPECT_EQ(dots(m[2]), 1);
    EXPECT_EQ(type_of(m[4]), "eighth");
    EXPECT_EQ(dots(m[4]), 1);
    EXPECT_EQ(duration_of(m[4]), 3);
    EXPECT_TRUE(has_tie(m[4], "start"));
    EXPECT_EQ(type_of(m[5]), "eighth");
    EXPECT_EQ(dots(m[5]), 0);
    EXPECT_TRUE(has_tie(m[5], "stop"));
}

TEST(MusicXmlWrite, PickupMeasureIsImplicitAndFilled) {
    // A one-beat pickup whose note starts half way: a rest fills the start.
    Score s =
        one_part({make_note(Rational(1, 2), Rational(1, 2), "G4"), make_note(Rational(1), Rational(4), "C5")},
                 2, TimeSignature{}, Rational(1));
    Doc d(to_musicxml(s));
    auto ms = d.measures();
    ASSERT_EQ(ms.size(), 2u);
    EXPECT_STREQ(ms[0].attribute("number").value(), "0");
    EXPECT_STREQ(ms[0].attribute("implicit").value(), "yes");
    EXPECT_STREQ(ms[1].attribute("number").value(), "1");
    EXPECT_TRUE(ms[1].attribute("implicit").empty());
    auto m0 = d.notes(0, 0);
    ASSERT_EQ(m0.size(), 2u);
    EXPECT_TRUE(m0[0].child("rest"));
    EXPECT_EQ(type_of(m0[0]), "eighth");
    EXPECT_EQ(type_of(m0[1]), "eighth");
}

TEST(MusicXmlWrite, GapsBecomeRestsAndEmptyMeasuresWholeRests) {
    Score s = one_part({make_note(Rational(1), Rational(1), "C5")}, 2, TimeSignature{Rational(0), 3, 4});
    Doc d(to_musicxml(s));
    auto m1 = d.notes(0, 0), m2 = d.notes(0, 1);
    ASSERT_EQ(m1.size(), 3u);
    EXPECT_TRUE(m1[0].child("rest"));
    EXPECT_TRUE(m1[2].child("rest"));
    ASSERT_EQ(m2.size(), 1u);
    EXPECT_STREQ(m2[0].child("rest").attribute("measure").value(), "yes");
    EXPECT_EQ(duration_of(m2[0]), 3);
}

TEST(MusicXmlWrite, EmptyShortBarKeepsItsLength) {
    // A bar split in two (6, 6a) whose second half is silent: a typed rest,
    // not a measure rest, so that no reader stretches it to a full bar.
    Score s =
        one_part({make_note(Rational(0), Rational(3), "C5"), make_note(Rational(4), Rational(4), "D5")}, 0);
    s.measures = {Measure{Rational(0), Rational(3), "6", false},
                  Measure{Rational(3), Rational(1), "6a", true},
                  Measure{Rational(4), Rational(4), "7", false}};
    const std::string xml = to_musicxml(s);
    Doc d(xml);
    EXPECT_STREQ(d.measures()[1].attribute("implicit").value(), "yes");
    auto rest = d.notes(0, 1);
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_FALSE(rest[0].child("rest").attribute("measure"));
    EXPECT_EQ(type_of(rest[0]), "quarter");
    const Score back = parse_musicxml(xml, "short bar");
    ASSERT_EQ(back.measures.size(), 3u);
    EXPECT_EQ(back.measures[1].duration, Rational(1));
    EXPECT_EQ(back.measures[2].onset, Rational(4));
    EXPECT_EQ(back.measures[1].number, "6a");
}

TEST(MusicXmlWrite, KeyAndTimeChangesAndDerivedMeasures) {
    Score s = one_part({make_note(Rational(0), Rational(11), "C5")}, 0);
    s.keys = {KeySignature{Rational(0), 2, "major"}, KeySignature{Rational(4), -1, ""}};
    s.times = {TimeSignature{Rational(0), 4, 4}, TimeSignature{Rational(8), 3, 4}};
    s.measures.clear();  // derived from the time signatures
    Doc d(to_musicxml(s));
    auto ms = d.measures();
    ASSERT_EQ(ms.size(), 3u);
    EXPECT_STREQ(ms[0].attribute("number").value(), "1");
    EXPECT_STREQ(ms[2].attribute("number").value(), "3");
    EXPECT_EQ(ms[0].child("attributes").child("key").child("fifths").text().as_int(), 2);
    pugi::xml_node a1 = ms[1].child("attributes");
    ASSERT_TRUE(a1);
    EXPECT_FALSE(a1.child("divisions"));
    EXPECT_EQ(a1.child("key").child("fifths").text().as_int(), -1);
    EXPECT_FALSE(a1.child("key").child("mode"));
    EXPECT_FALSE(a1.child("time"));
    pugi::xml_node a2 = ms[2].child("attributes");
    ASSERT_TRUE(a2);
    EXPECT_EQ(a2.child("time").child("beats").text().as_int(), 3);
    EXPECT_FALSE(a2.child("key"));
    EXPECT_EQ(duration_of(d.notes(0, 2).at(0)), 3);
    EXPECT_TRUE(has_tie(d.notes(0, 2).at(0), "stop"));
}

// Measures added after the last one continue its number, checked: a last
// measure numbered 2147483647 (INT_MAX) was std::stoi'd and incremented, a
// signed overflow (fuzz_musicxml, issue 15); past long long's range the
// count takes over.
TEST(MusicXmlWrite, MeasureNumbersContinueWithoutOverflow) {
    for (const auto& [last, next] :
         std::vector<std::pair<std::string, std::string>>{{"2147483647", "2147483648"},
                                                          {"9223372036854775807", "2"},
                                                          {"99999999999999999999", "2"},
                                                          {"7a", "2"}}) {
        Score s = one_part({make_note(Rational(0), Rational(8), "C5")}, 1);
        s.measures.at(0).number = last;
        Doc d(to_musicxml(s));
        auto ms = d.measures();
        ASSERT_EQ(ms.size(), 2u) << last;
        EXPECT_EQ(std::string(ms[0].attribute("number").value()), last);
        EXPECT_EQ(std::string(ms[1].attribute("number").value()), next) << last;
    }
}

// A note tied over a bar line carries its fermata on its last piece, as in
// the Bach chorales' own encodings (bwv10.7 ends on a note tied over four
// bars with the fermata in the last).
TEST(MusicXmlWrite, FermataOnLastPieceOnly) {
    Note n = make_note(Rational(3), Rational(2), "C5");
    n.fermata = true;
    Score s = one_part(
        {make_note(Rational(0), Rational(3), "E5"), n, make_note(Rational(5), Rational(3), "D5")}, 2);
    Doc d(to_musicxml(s));
    auto m1 = d.notes(0, 0), m2 = d.notes(0, 1);
    EXPECT_FALSE(m1[1].child("notations").child("fermata"));
    EXPECT_STREQ(m2[0].child("notations").child("fermata").attribute("type").value(), "upright");
    EXPECT_FALSE(m1[0].child("notations").child("fermata"));
    // Read back, the fermata is on the tied piece that ends the note.
    const Score back = parse_musicxml(to_musicxml(s));
    int fermatas = 0;
    for (const Note& note : back.parts[0].notes)
        if (note.fermata) {
            ++fermatas;
            EXPECT_EQ(note.end(), Rational(5));
        }
    EXPECT_EQ(fermatas, 1);
}

TEST(MusicXmlWrite, VoicesUseBackupAndChordsShareAStem) {
    Score s =
        one_part({make_note(Rational(0), Rational(2), "E5"), make_note(Rational(0), Rational(2), "G5"),
                  make_note(Rational(0), Rational(4), "C4", 2), make_note(Rational(2), Rational(2), "F5")},
                 1);
    Doc d(to_musicxml(s));
    pugi::xml_node m = d.measures()[0];
    std::vector<std::string> seq;
    for (pugi::xml_node c : m.children()) seq.push_back(c.name());
    const std::vector<std::string> want{"attributes", "note", "note", "note", "backup", "note"};
    EXPECT_EQ(seq, want);
    auto notes = d.notes(0, 0);
    EXPECT_FALSE(notes[0].child("chord"));
    EXPECT_TRUE(notes[1].child("chord"));
    EXPECT_EQ(duration_of(notes[1]), 2);
    EXPECT_EQ(m.child("backup").child("duration").text().as_int(), 4);
    EXPECT_STREQ(notes[3].child_value("voice"), "2");
    EXPECT_STREQ(notes[0].child_value("voice"), "1");
}

TEST(MusicXmlWrite, FourPartClefs) {
    Score s = one_part({}, 1);
    for (int i = 1; i < 4; ++i) {
        Part p;
        p.name = voice_name(i);
        s.parts.push_back(p);
    }
    Doc d(to_musicxml(s));
    const char* signs[] = {"G", "G", "G", "F"};
    for (int i = 0; i < 4; ++i) {
        pugi::xml_node clef = d.measures(i)[0].child("attributes").child("clef");
        EXPECT_STREQ(clef.child_value("sign"), signs[i]) << i;
        EXPECT_EQ(clef.child("clef-octave-change").text().as_int(), i == 2 ? -1 : 0) << i;
    }
    // Part ids are made unique and valid even when the score has none.
    EXPECT_STREQ(d.part(1).attribute("id").value(), "P2");
}

TEST(MusicXmlWrite, ClefByRangeForOtherPartCounts) {
    Score s = one_part({make_note(Rational(0), Rational(4), "C3")}, 1);
    Doc d(to_musicxml(s));
    EXPECT_STREQ(d.measures()[0].child("attributes").child("clef").child_value("sign"), "F");
}

TEST(MusicXmlWrite, TupletsAndAccidentals) {
    Score s = everything();
    const std::string xml = to_musicxml(s);
    Doc d(xml);
    // Triplet eighths in bar 1.
    bool triplet = false;
    for (pugi::xml_node n : d.notes(0, 1)) {
        if (n.child("time-modification")) {
            triplet = true;
            EXPECT_EQ(type_of(n), "eighth");
            EXPECT_EQ(n.child("time-modification").child("actual-notes").text().as_int(), 3);
            EXPECT_EQ(n.child("time-modification").child("normal-notes").text().as_int(), 2);
        }
    }
    EXPECT_TRUE(triplet);
    // F#5 in D major needs no accidental; C#6 neither; Eb5 in C minor (3 flats) neither; Ab4 neither.
    for (int m = 0; m < 5; ++m)
        for (pugi::xml_node n : d.notes(0, m)) EXPECT_FALSE(n.child("accidental")) << m;
    EXPECT_EQ(validate_text(xml), "");
}

TEST(MusicXmlWrite, AccidentalsFollowKeyAndBar) {
    Score s =
        one_part({make_note(Rational(0), Rational(1), "F#4"), make_note(Rational(1), Rational(1), "F#4"),
                  make_note(Rational(2), Rational(1), "F4"), make_note(Rational(3), Rational(1), "Bb4")},
                 1);
    Doc d(to_musicxml(s));
    auto n = d.notes(0, 0);
    EXPECT_STREQ(n[0].child_value("accidental"), "sharp");
    EXPECT_FALSE(n[1].child("accidental"));
    EXPECT_STREQ(n[2].child_value("accidental"), "natural");
    EXPECT_STREQ(n[3].child_value("accidental"), "flat");
}

TEST(MusicXmlWrite, EveryMeasureIsFull) {
    const Score s = everything();
    Doc d(to_musicxml(s));
    const int divisions = d.measures()[0].child("attributes").child("divisions").text().as_int();
    ASSERT_EQ(divisions, 12);
    for (size_t m = 0; m < s.measures.size(); ++m) {
        int pos = 0, longest = 0;
        for (pugi::xml_node c : d.measures()[m].children()) {
            const std::string name = c.name();
            if (name == "note" && !c.child("chord")) pos += duration_of(c);
            if (name == "backup") pos -= c.child("duration").text().as_int();
            if (name == "forward") pos += c.child("duration").text().as_int();
            longest = std::max(longest, pos);
        }
        EXPECT_EQ(Rational(longest, divisions), s.measures[m].duration) << "measure " << m;
    }
}

TEST(MusicXmlWrite, ReadsBackToTheSameChorale) {
    // Four parts on the sixteenth grid with ties over barlines, a pickup and
    // a fermata: the reader must see the same grid.
    Chorale c = Chorale::empty(36);
    const char* melody[] = {"G4", "C5", "D5", "E5", "F#5", "G5", "A5", "B4"};
    for (int v = 0; v < 4; ++v) {
        for (int t = 0; t < 36; ++t) c.at(v, t) = token::kHold;
        int t = 0, k = 0;
        const int lengths[] = {4, 5, 3, 6, 2, 7, 1, 8};
        while (t < 36) {
            c.at(v, t) = token::from_pitch(transpose(Pitch::parse(melody[k % 8]), Interval{-5 * v, -v}));
            t += lengths[(k + v) % 8];
            ++k;
        }
    }
    c.measure_ticks = {0, 4, 20};
    c.measure_numbers = {"0", "1", "2"};
    for (int t = 20; t < 27; ++t) c.fermata[t] = 1;  // the soprano note [20, 27)
    for (int t = 0; t < 36; ++t) c.beat_position[t] = static_cast<std::uint8_t>(t % 4);
    c.validate();
    const Score s = to_score(c);
    const std::string xml = to_musicxml(s);
    const Chorale again = to_chorale(parse_musicxml(xml, "roundtrip"));
    EXPECT_EQ(again.tokens, c.tokens);
    EXPECT_EQ(again.fermata, c.fermata);
    EXPECT_EQ(again.measure_ticks, c.measure_ticks);
    EXPECT_EQ(again.beat_position, c.beat_position);
    EXPECT_EQ(validate_text(xml), "");
}

TEST(MusicXmlWrite, WritesPlainAndCompressedFilesAtomically) {
    const fs::path dir = temp_folder();
    const Score s = everything();
    write_musicxml(s, dir / "a.musicxml");
    write_musicxml(s, dir / "b.MXL");
    write_score(s, dir / "c.xml");
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"a.musicxml", "b.MXL", "c.xml"}));  // no temporary files left

    std::ifstream in(dir / "b.MXL", std::ios::binary);
    const std::string zip((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto entries = detail::zip_entry_names(zip, "b.MXL");
    ASSERT_EQ(entries.size(), 3u);
    EXPECT_EQ(entries[0], "mimetype");
    EXPECT_EQ(zip.substr(30, 8), "mimetype");  // stored first, uncompressed, at a fixed offset
    EXPECT_EQ(zip.substr(38, 34), "application/vnd.recordare.musicxml");
    EXPECT_EQ(detail::zip_read_entry(zip, "mimetype", {}, "b.MXL"), "application/vnd.recordare.musicxml");
    EXPECT_NE(detail::zip_read_entry(zip, "META-INF/container.xml", {}, "b.MXL")
                  .find("full-path=\"score.musicxml\""),
              std::string::npos);

    const Score plain = read_score(dir / "a.musicxml");
    const Score packed = read_score(dir / "b.MXL");
    ASSERT_EQ(plain.parts.size(), 1u);
    ASSERT_EQ(packed.parts.size(), 1u);
    EXPECT_EQ(plain.parts[0].notes.size(), packed.parts[0].notes.size());
    EXPECT_EQ(plain.measures.size(), s.measures.size());
    EXPECT_EQ(plain.title, s.title);
    EXPECT_EQ(validate({dir / "a.musicxml", dir / "c.xml"}), "");
    fs::remove_all(dir);
}

TEST(MusicXmlWrite, FailedWriteThrowsAndLeavesNothing) {
    const fs::path dir = temp_folder();
    const fs::path target = dir / "missing" / "out.musicxml";
    EXPECT_THROW(write_musicxml(everything(), target), Error);
    EXPECT_THROW(write_musicxml(everything(), dir / "missing" / "out.mxl"), Error);
    EXPECT_FALSE(fs::exists(dir / "missing"));
    EXPECT_TRUE(fs::is_empty(dir));
    fs::remove_all(dir);
}

TEST(MusicXmlWrite, RejectsWhatItCannotWrite) {
    Score none;
    EXPECT_THROW(to_musicxml(none), Error);
    Score gap = one_part({}, 2);
    gap.measures[1].onset = Rational(5);
    EXPECT_THROW(to_musicxml(gap), Error);
    Score empty_note = one_part({make_note(Rational(1), Rational(0), "C4")}, 1);
    EXPECT_THROW(to_musicxml(empty_note), Error);
    try {
        write_score(everything(), "out.pdf");
        FAIL() << "no error";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("out.pdf"), std::string::npos);
        EXPECT_NE(what.find(".mxl"), std::string::npos);
        EXPECT_NE(what.find(".mid"), std::string::npos);
    }
}
