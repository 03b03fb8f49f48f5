// Reading MusicXML: what real files contain (divisions, voices, chords, ties,
// pickups, signatures), the Bach corpus, and bad input that must fail with
// one clear line naming the file.
#include "io/zip.hpp"

#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace deepbach {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Building small scores

std::string part_list(const std::vector<std::string>& names) {
    std::string out = "<part-list>";
    for (std::size_t i = 0; i < names.size(); ++i)
        out += "<score-part id=\"P" + std::to_string(i + 1) + "\"><part-name>" + names[i] +
               "</part-name></score-part>";
    return out + "</part-list>";
}

// A partwise score with one part per entry of `parts` (the measures, as XML).
std::string partwise(const std::vector<std::string>& parts, const std::string& header = "") {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < parts.size(); ++i) names.push_back("Voice " + std::to_string(i + 1));
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<score-partwise version=\"4.0\">" +
                      header + part_list(names);
    for (std::size_t i = 0; i < parts.size(); ++i)
        out += "<part id=\"P" + std::to_string(i + 1) + "\">" + parts[i] + "</part>";
    return out + "</score-partwise>";
}

std::string attributes(int divisions, int fifths = 0, const std::string& time = "4/4") {
    const std::size_t slash = time.find('/');
    return "<attributes><divisions>" + std::to_string(divisions) + "</divisions><key><fifths>" +
           std::to_string(fifths) + "</fifths></key><time><beats>" + time.substr(0, slash) +
           "</beats><beat-type>" + time.substr(slash + 1) + "</beat-type></time></attributes>";
}

std::string pitch_xml(const std::string& step, int octave, const std::string& alter = "") {
    return "<pitch><step>" + step + "</step>" + (alter.empty() ? "" : "<alter>" + alter + "</alter>") +
           "<octave>" + std::to_string(octave) + "</octave></pitch>";
}

std::string note(const std::string& step, int octave, long duration, int voice = 1,
                 const std::string& extra = "") {
    return "<note>" + pitch_xml(step, octave) + "<duration>" + std::to_string(duration) +
           "</duration><voice>" + std::to_string(voice) + "</voice>" + extra + "</note>";
}

std::string rest(long duration, int voice = 1) {
    return "<note><rest/><duration>" + std::to_string(duration) + "</duration><voice>" +
           std::to_string(voice) + "</voice></note>";
}

std::string measure(const std::string& number, const std::string& content, const std::string& attrs = "") {
    return "<measure number=\"" + number + "\"" + attrs + ">" + content + "</measure>";
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no Error thrown";
    return {};
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

// A fresh folder per test for files on disk.
class ReadFiles : public ::testing::Test {
protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        folder_ = fs::temp_directory_path() /
                  ("deepbach_read_" + std::string(info->name()) + "_" +
                   std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
        fs::create_directories(folder_);
    }
    void TearDown() override {
        std::error_code ignored;
        fs::remove_all(folder_, ignored);
    }
    fs::path write(const std::string& name, const std::string& bytes) const {
        const fs::path path = folder_ / name;
        std::ofstream(path, std::ios::binary) << bytes;
        return path;
    }
    static std::string mxl(const std::string& root_path, const std::string& xml) {
        return detail::zip_create({{"mimetype", "application/vnd.recordare.musicxml", false},
                                   {"META-INF/container.xml", container(root_path), true},
                                   {"score.xml", xml, true}});
    }
    static std::string container(const std::string& root_path) {
        return "<?xml version=\"1.0\"?><container><rootfiles><rootfile full-path=\"" + root_path +
               "\" media-type=\"application/vnd.recordare.musicxml+xml\"/></rootfiles></container>";
    }

    fs::path folder_;
};

const std::string kSimpleScore = partwise({measure("1", attributes(1) + note("C", 4, 4))});

// ---------------------------------------------------------------------------
// What real files contain

TEST(ReadMusicXml, Divisions10080) {
    const Score score =
        parse_musicxml(partwise({measure("1", attributes(10080) + note("C", 4, 10080) + note("D", 4, 5040) +
                                                  note("E", 4, 5040) + note("F", 4, 20160))}));
    ASSERT_EQ(score.parts.size(), 1u);
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 4u);
    EXPECT_EQ(notes[1].onset, Rational(1));
    EXPECT_EQ(notes[1].duration, Rational(1, 2));
    EXPECT_EQ(notes[2].onset, Rational(3, 2));
    EXPECT_EQ(notes[3].onset, Rational(2));
    EXPECT_EQ(notes[3].duration, Rational(2));
    EXPECT_EQ(notes[0].pitch->name(), "C4");
    ASSERT_EQ(score.measures.size(), 1u);
    EXPECT_EQ(score.measures[0].duration, Rational(4));
}

TEST(ReadMusicXml, DivisionsChangeMidPiece) {
    const Score score = parse_musicxml(
        partwise({measure("1", attributes(2) + note("C", 4, 4) + note("D", 4, 4)) +
                  measure("2", "<attributes><divisions>3</divisions></attributes>" + note("E", 4, 1) +
                                   note("F", 4, 1) + note("G", 4, 1) + note("A", 4, 9)) +
                  measure("3", "<attributes><divisions>0.5</divisions></attributes>" + note("B", 4, 2))}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 7u);
    EXPECT_EQ(notes[2].onset, Rational(4));
    EXPECT_EQ(notes[2].duration, Rational(1, 3));
    EXPECT_EQ(notes[3].onset, Rational(13, 3));
    EXPECT_EQ(notes[5].onset, Rational(5));
    EXPECT_EQ(notes[5].duration, Rational(3));
    EXPECT_EQ(notes[6].onset, Rational(8));
    EXPECT_EQ(notes[6].duration, Rational(4));
    EXPECT_EQ(notes[6].measure, 2);
}

TEST(ReadMusicXml, BackupAndForwardWithTwoVoices) {
    const Score score = parse_musicxml(partwise(
        {measure("1", attributes(2) + note("E", 5, 8, 1) + "<backup><duration>8</duration></backup>" +
                          "<forward><duration>2</duration><voice>2</voice></forward>" + note("C", 4, 2, 2) +
                          note("D", 4, 4, 2))}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 3u);
    EXPECT_EQ(notes[0].voice, 1);
    EXPECT_EQ(notes[0].duration, Rational(4));
    EXPECT_EQ(notes[1].voice, 2);
    EXPECT_EQ(notes[1].onset, Rational(1));
    EXPECT_EQ(notes[2].onset, Rational(2));
    EXPECT_EQ(notes[2].pitch->name(), "D4");
    EXPECT_EQ(score.measures[0].duration, Rational(4));
}

TEST(ReadMusicXml, NotesSortedByOnsetThenVoice) {
    // Voice 2 written first, voice 1 after the backup: the reader sorts.
    const Score score = parse_musicxml(
        partwise({measure("1", attributes(1) + note("C", 4, 2, 2) + note("D", 4, 2, 2) +
                                   "<backup><duration>4</duration></backup>" + note("E", 5, 4, 1))}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 3u);
    EXPECT_EQ(notes[0].pitch->name(), "E5");
    EXPECT_EQ(notes[1].pitch->name(), "C4");
    EXPECT_EQ(notes[2].pitch->name(), "D4");
}

TEST(ReadMusicXml, VoicesOfDifferentLengthsMeasureTheLongest) {
    const Score score = parse_musicxml(
        partwise({measure("1", attributes(1, 0, "3/4") + note("C", 4, 2, 1) +
                                   "<backup><duration>2</duration></backup>" + note("E", 4, 3, 2)) +
                  measure("2", note("D", 4, 3))}));
    EXPECT_EQ(score.measures[0].duration, Rational(3));
    EXPECT_EQ(score.measures[1].onset, Rational(3));
}

TEST(ReadMusicXml, ChordsShareTheOnset) {
    const Score score = parse_musicxml(
        partwise({measure("1", attributes(1) + note("C", 4, 2) + "<note><chord/>" + pitch_xml("E", 4) +
                                   "<duration>2</duration></note>" + "<note><chord/>" + pitch_xml("G", 4) +
                                   "<duration>2</duration></note>" + note("F", 4, 2))}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 4u);
    EXPECT_EQ(notes[1].onset, Rational(0));
    EXPECT_EQ(notes[2].onset, Rational(0));
    EXPECT_EQ(notes[2].pitch->name(), "G4");
    EXPECT_EQ(notes[3].onset, Rational(2));
    EXPECT_EQ(score.measures[0].duration, Rational(4));
}

TEST(ReadMusicXml, TiesFromTieAndTied) {
    const Score score = parse_musicxml(partwise(
        {measure("1", attributes(1) + note("C", 4, 2) + note("G", 4, 2, 1, "<tie type=\"start\"/>")) +
         measure("2", note("G", 4, 1, 1, "<tie type=\"stop\"/><tie type=\"start\"/>") +
                          note("G", 4, 1, 1, "<notations><tied type=\"stop\"/></notations>") +
                          note("A", 4, 2))}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 5u);
    EXPECT_FALSE(notes[0].tie_start || notes[0].tie_stop);
    EXPECT_TRUE(notes[1].tie_start && !notes[1].tie_stop);
    EXPECT_TRUE(notes[2].tie_start && notes[2].tie_stop);
    EXPECT_TRUE(notes[3].tie_stop && !notes[3].tie_start);
    EXPECT_EQ(notes[2].measure, 1);
}

TEST(ReadMusicXml, Fermata) {
    const Score score = parse_musicxml(partwise(
        {measure("1", attributes(1) + note("C", 4, 2) +
                          note("D", 4, 2, 1, "<notations><fermata type=\"upright\"/></notations>"))}));
    EXPECT_FALSE(score.parts[0].notes[0].fermata);
    EXPECT_TRUE(score.parts[0].notes[1].fermata);
}

TEST(ReadMusicXml, GraceNotesAreSkipped) {
    const Score score = parse_musicxml(partwise({measure(
        "1", attributes(4) + "<note><grace slash=\"yes\"/>" + pitch_xml("B", 3) + "<voice>1</voice></note>" +
                 "<note><grace/>" + pitch_xml("A", 3) + "<voice>1</voice></note><note><grace/><chord/>" +
                 pitch_xml("C", 4) + "</note>" + note("C", 4, 8) + note("D", 4, 8))}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0].pitch->name(), "C4");
    EXPECT_EQ(notes[0].onset, Rational(0));
    EXPECT_EQ(notes[1].onset, Rational(2));
}

TEST(ReadMusicXml, CueNotesTakeTimeButAreSkipped) {
    const Score score =
        parse_musicxml(partwise({measure("1", attributes(1) + "<note><cue/>" + pitch_xml("B", 3) +
                                                  "<duration>2</duration></note>" + note("C", 4, 2))}));
    ASSERT_EQ(score.parts[0].notes.size(), 1u);
    EXPECT_EQ(score.parts[0].notes[0].onset, Rational(2));
}

TEST(ReadMusicXml, KeyAndTimeChanges) {
    const Score score = parse_musicxml(partwise(
        {measure("1",
                 "<attributes><divisions>2</divisions><key><fifths>-2</fifths><mode>minor</mode></key>"
                 "<time><beats>3</beats><beat-type>4</beat-type></time></attributes>" +
                     note("G", 4, 6)) +
         measure("2", "<attributes><key><fifths>-2</fifths><mode>minor</mode></key></attributes>" +
                          note("G", 4, 6)) +
         measure("3",
                 "<attributes><key><fifths>1</fifths></key><time><beats>3+2</beats><beat-type>8</beat-type>"
                 "</time></attributes>" +
                     note("G", 4, 5)) +
         measure("4", "<attributes><time><senza-misura/></time></attributes>" + note("G", 4, 5))}));
    ASSERT_EQ(score.keys.size(), 2u);
    EXPECT_EQ(score.keys[0].onset, Rational(0));
    EXPECT_EQ(score.keys[0].fifths, -2);
    EXPECT_EQ(score.keys[0].mode, "minor");
    EXPECT_EQ(score.keys[1].onset, Rational(6));
    EXPECT_EQ(score.keys[1].fifths, 1);
    EXPECT_EQ(score.keys[1].mode, "");
    ASSERT_EQ(score.times.size(), 2u);
    EXPECT_EQ(score.times[0].beats, 3);
    EXPECT_EQ(score.times[1].onset, Rational(6));
    EXPECT_EQ(score.times[1].beats, 5);
    EXPECT_EQ(score.times[1].beat_type, 8);
    EXPECT_EQ(score.measures[2].duration, Rational(5, 2));
}

TEST(ReadMusicXml, ImplicitPickupMeasure) {
    const Score score =
        parse_musicxml(partwise({measure("0", attributes(1) + note("G", 4, 1), " implicit=\"yes\"") +
                                     measure("1", note("C", 5, 4)) + measure("2", note("B", 4, 3)),
                                 measure("0", attributes(1) + note("G", 3, 1), " implicit=\"yes\"") +
                                     measure("1", note("E", 4, 4)) + measure("2", note("D", 4, 3))}));
    ASSERT_EQ(score.measures.size(), 3u);
    EXPECT_TRUE(score.measures[0].implicit);
    EXPECT_EQ(score.measures[0].number, "0");
    EXPECT_EQ(score.measures[0].duration, Rational(1));
    EXPECT_FALSE(score.measures[1].implicit);
    EXPECT_EQ(score.measures[1].onset, Rational(1));
    EXPECT_EQ(score.measures[2].onset, Rational(5));
    EXPECT_EQ(score.measures[2].duration, Rational(3));
    EXPECT_EQ(score.parts[1].notes[1].onset, Rational(1));
    EXPECT_EQ(score.parts[1].notes[1].measure, 1);
}

TEST(ReadMusicXml, PickupWithoutImplicitAttribute) {
    const Score score = parse_musicxml(
        partwise({measure("1", attributes(2, 0, "3/4") + note("D", 4, 2)) + measure("2", note("G", 4, 6))}));
    EXPECT_FALSE(score.measures[0].implicit);
    EXPECT_EQ(score.measures[0].duration, Rational(1));
    EXPECT_EQ(score.measures[1].onset, Rational(1));
}

TEST(ReadMusicXml, WholeMeasureRestLastsTheMeasure) {
    const Score score = parse_musicxml(partwise(
        {measure("1", attributes(1, 0, "3/4") + note("C", 4, 3)) + measure("2", note("D", 4, 3)),
         measure("1", attributes(1, 0, "3/4") + "<note><rest measure=\"yes\"/><voice>1</voice></note>") +
             measure("2", "<note><rest measure=\"yes\"/><duration>4</duration></note>")}));
    const std::vector<Note>& rests = score.parts[1].notes;
    ASSERT_EQ(rests.size(), 2u);
    EXPECT_TRUE(rests[0].is_rest());
    EXPECT_EQ(rests[0].duration, Rational(3));
    EXPECT_EQ(rests[1].onset, Rational(3));
    EXPECT_EQ(rests[1].duration, Rational(3));
    EXPECT_EQ(score.measures[1].duration, Rational(3));  // the rest's written <duration> 4 does not count
}

TEST(ReadMusicXml, MeasureRestInAPickup) {
    const Score score = parse_musicxml(
        partwise({measure("0", attributes(1) + "<note><rest measure=\"yes\"/><duration>4</duration></note>") +
                      measure("1", note("C", 5, 4)),
                  measure("0", attributes(1) + note("G", 3, 1)) + measure("1", note("C", 4, 4))}));
    EXPECT_EQ(score.measures[0].duration, Rational(1));
    EXPECT_EQ(score.parts[0].notes[0].duration, Rational(1));
    EXPECT_EQ(score.parts[0].notes[1].onset, Rational(1));
}

TEST(ReadMusicXml, EmptyMeasureLastsItsTimeSignature) {
    const Score score =
        parse_musicxml(partwise({measure("1", attributes(1, 0, "3/4")) + measure("2", note("C", 4, 3))}));
    EXPECT_EQ(score.measures[0].duration, Rational(3));
    EXPECT_EQ(score.parts[0].notes[0].onset, Rational(3));
}

TEST(ReadMusicXml, RestsAndAlterations) {
    const Score score = parse_musicxml(partwise({measure(
        "1", attributes(1) + rest(1) + "<note>" + pitch_xml("B", 3, "-1") + "<duration>1</duration></note>" +
                 "<note>" + pitch_xml("F", 4, "1.0") + "<duration>1</duration></note>" + "<note>" +
                 pitch_xml("C", 5, "-2") + "<duration>1</duration></note>")}));
    const std::vector<Note>& notes = score.parts[0].notes;
    ASSERT_EQ(notes.size(), 4u);
    EXPECT_TRUE(notes[0].is_rest());
    EXPECT_EQ(notes[1].pitch->name(), "Bb3");
    EXPECT_EQ(notes[2].pitch->name(), "F#4");
    EXPECT_EQ(notes[3].pitch->name(), "Cbb5");
}

TEST(ReadMusicXml, PartNamesTitleAndComposer) {
    const std::string xml =
        "<score-partwise><work><work-title>Nun danket alle Gott</work-title></work>"
        "<movement-title>ignored</movement-title><identification><creator type=\"lyricist\">M. "
        "Rinckart</creator>"
        "<creator type=\"composer\">J. S. Bach</creator></identification><part-list>"
        "<part-group type=\"start\" number=\"1\"/>"
        "<score-part "
        "id=\"S\"><part-name>Soprano</part-name><part-abbreviation>S.</part-abbreviation></score-part>"
        "<score-part id=\"B\"><part-name> Bass </part-name></score-part><part-group type=\"stop\" "
        "number=\"1\"/>"
        "</part-list><part id=\"S\">" +
        measure("1", attributes(1) + note("C", 5, 4)) + "</part><part id=\"B\">" +
        measure("1", note("C", 3, 4)) + "</part></score-partwise>";
    const Score score = parse_musicxml(xml, "nun.musicxml");
    EXPECT_EQ(score.title, "Nun danket alle Gott");
    EXPECT_EQ(score.composer, "J. S. Bach");
    EXPECT_EQ(score.source, "nun.musicxml");
    ASSERT_EQ(score.parts.size(), 2u);
    EXPECT_EQ(score.parts[0].id, "S");
    EXPECT_EQ(score.parts[0].name, "Soprano");
    EXPECT_EQ(score.parts[0].abbreviation, "S.");
    EXPECT_EQ(score.parts[1].name, "Bass");
    EXPECT_EQ(score.parts[1].abbreviation, "");
}

TEST(ReadMusicXml, MovementTitleWhenNoWorkTitle) {
    const Score score = parse_musicxml(
        partwise({measure("1", attributes(1) + note("C", 4, 4))}, "<movement-title>Choral</movement-title>"));
    EXPECT_EQ(score.title, "Choral");
}

// ---------------------------------------------------------------------------
// Bad input in memory: one line naming the file, and bar and part where known

TEST(ReadMusicXmlErrors, TruncatedXml) {
    const std::string truncated = kSimpleScore.substr(0, kSimpleScore.size() / 2);
    const std::string message = error_of([&] { parse_musicxml(truncated, "bad.musicxml"); });
    EXPECT_TRUE(starts_with(message, "bad.musicxml: not well-formed XML at offset ")) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(ReadMusicXmlErrors, EmptyInput) {
    EXPECT_TRUE(
        starts_with(error_of([] { parse_musicxml("", "empty.xml"); }), "empty.xml: not well-formed XML"));
}

TEST(ReadMusicXmlErrors, NoParts) {
    const std::string message =
        error_of([] { parse_musicxml("<score-partwise><part-list/></score-partwise>", "x.musicxml"); });
    EXPECT_EQ(message, "x.musicxml: the score has no parts");
}

TEST(ReadMusicXmlErrors, TimewiseIsNotSupported) {
    const std::string message = error_of([] {
        parse_musicxml("<score-timewise><part-list/><measure number=\"1\"/></score-timewise>", "t.musicxml");
    });
    EXPECT_TRUE(starts_with(message, "t.musicxml: timewise MusicXML")) << message;
}

TEST(ReadMusicXmlErrors, NotMusicXml) {
    const std::string message = error_of([] { parse_musicxml("<html><body/></html>", "page.xml"); });
    EXPECT_EQ(message, "page.xml: not a MusicXML score (the root element is <html>)");
}

TEST(ReadMusicXmlErrors, MissingDurationNamesBarAndPart) {
    const std::string xml = "<score-partwise>" + part_list({"Soprano", "Alto"}) + "<part id=\"P1\">" +
                            measure("1", attributes(1) + note("C", 5, 4)) + "</part><part id=\"P2\">" +
                            measure("1", attributes(1) + note("C", 4, 4)) + measure("2", note("C", 4, 4)) +
                            measure("3", "<note>" + pitch_xml("D", 4) + "</note>") +
                            "</part></score-partwise>";
    EXPECT_EQ(error_of([&] { parse_musicxml(xml, "x.musicxml"); }),
              "x.musicxml, bar 3, Alto: <duration> missing");
}

TEST(ReadMusicXmlErrors, MicrotonesAndWideAlterations) {
    const auto with_alter = [](const std::string& alter) {
        return partwise({measure(
            "7", attributes(1) + "<note>" + pitch_xml("E", 4, alter) + "<duration>4</duration></note>")});
    };
    const std::string microtone = error_of([&] { parse_musicxml(with_alter("-0.5"), "m.xml"); });
    EXPECT_TRUE(starts_with(microtone, "m.xml, bar 7, Voice 1: microtonal <alter> '-0.5'")) << microtone;
    const std::string triple = error_of([&] { parse_musicxml(with_alter("3"), "m.xml"); });
    EXPECT_TRUE(starts_with(triple, "m.xml, bar 7, Voice 1: <alter> '3'")) << triple;
}

TEST(ReadMusicXmlErrors, BadNumbers) {
    const auto one_note = [](const std::string& measure_content) {
        return partwise({measure("2", measure_content)});
    };
    const std::vector<std::string> bad = {
        "<attributes><divisions>0</divisions></attributes>",
        "<attributes><divisions>abc</divisions></attributes>",
        attributes(1) + "<note>" + pitch_xml("H", 4) + "<duration>1</duration></note>",
        attributes(1) + "<note>" + pitch_xml("C", 12) + "<duration>1</duration></note>",
        attributes(1) + "<note>" + pitch_xml("C", 4) + "<duration>-1</duration></note>",
        attributes(1) + "<note>" + pitch_xml("C", 4) + "<duration>99999999999999999999</duration></note>",
        attributes(1) + "<note><duration>1</duration></note>",
        "<attributes><key><fifths>9</fifths></key></attributes>",
        "<attributes><time><beats>x</beats><beat-type>4</beat-type></time></attributes>",
        "<attributes><divisions>1000000</divisions></attributes>" + note("C", 4, 1) + note("C", 4, 1) +
            "<attributes><divisions>999999</divisions></attributes>" + note("C", 4, 1),
    };
    for (const std::string& content : bad) {
        const std::string message = error_of([&] { parse_musicxml(one_note(content), "n.xml"); });
        EXPECT_TRUE(starts_with(message, "n.xml, bar 2, Voice 1: ")) << content << "\n -> " << message;
    }
}

TEST(ReadMusicXmlErrors, DeepNestingAndManyPartsEndCleanly) {
    std::string deep;
    for (int i = 0; i < 200000; ++i) deep += "<a>";
    for (int i = 0; i < 200000; ++i) deep += "</a>";
    EXPECT_EQ(error_of([&] { parse_musicxml(deep, "deep.xml"); }),
              "deep.xml: not a MusicXML score (the root element is <a>)");

    std::string many = "<score-partwise>";
    for (int i = 0; i < 5000; ++i) many += "<part/>";
    many += "</score-partwise>";
    EXPECT_EQ(error_of([&] { parse_musicxml(many, "many.xml"); }), "many.xml: more than 1000 parts");
}

TEST(ReadMusicXmlErrors, TooManyNotes) {
    std::string notes;
    for (int i = 0; i < 20; ++i) notes += note("C", 4, 1);
    ReadOptions options;
    options.max_notes = 10;
    const std::string message = error_of(
        [&] { parse_musicxml(partwise({measure("1", attributes(1) + notes)}), "many.xml", options); });
    EXPECT_TRUE(starts_with(message, "many.xml, bar 1, Voice 1: more than 10 notes")) << message;
}

// ---------------------------------------------------------------------------
// Files: plain, compressed, misnamed, and broken

TEST_F(ReadFiles, PlainFile) {
    const Score score = read_score(write("tune.musicxml", kSimpleScore));
    EXPECT_EQ(score.source, (folder_ / "tune.musicxml").string());
    ASSERT_EQ(score.parts.size(), 1u);
    EXPECT_EQ(score.parts[0].notes.size(), 1u);
}

TEST_F(ReadFiles, CompressedFollowsTheContainer) {
    // A decoy MusicXML entry comes first; the container points at score.xml.
    const std::string decoy = partwise({measure("1", attributes(1) + note("D", 4, 4) + note("E", 4, 4))});
    const std::string zip =
        detail::zip_create({{"mimetype", "application/vnd.recordare.musicxml", false},
                            {"decoy.xml", decoy, true},
                            {"META-INF/container.xml", container("./music/score.xml"), true},
                            {"music/score.xml", kSimpleScore, true}});
    const Score score = read_score(write("tune.mxl", zip));
    ASSERT_EQ(score.parts.size(), 1u);
    EXPECT_EQ(score.parts[0].notes.size(), 1u);
}

TEST_F(ReadFiles, CompressedWithoutContainerTakesFirstMusicXml) {
    const std::string zip = detail::zip_create({{"META-INF/other.xml", "<x/>", true},
                                                {"readme.txt", "hi", true},
                                                {"tune.musicxml", kSimpleScore, true}});
    EXPECT_EQ(read_score(write("tune.mxl", zip)).parts.size(), 1u);
}

TEST_F(ReadFiles, FormatComesFromContentNotName) {
    EXPECT_EQ(read_score(write("zipped.xml", mxl("score.xml", kSimpleScore))).parts.size(), 1u);
    EXPECT_EQ(read_score(write("plain.mxl", kSimpleScore)).parts.size(), 1u);
}

TEST_F(ReadFiles, MxlThatIsNotAZip) {
    const fs::path path = write("x.mxl", std::string("\x01\x02garbage bytes\xff", 16));
    const std::string message = error_of([&] { read_score(path); });
    EXPECT_TRUE(starts_with(message, path.string() + ": not a zip archive")) << message;
}

TEST_F(ReadFiles, TruncatedZip) {
    const std::string zip = mxl("score.xml", kSimpleScore);
    const fs::path path = write("cut.mxl", zip.substr(0, zip.size() / 2));
    const std::string message = error_of([&] { read_score(path); });
    EXPECT_TRUE(starts_with(message, path.string() + ": not a zip archive")) << message;
}

TEST_F(ReadFiles, ContainerPathLeavingTheArchive) {
    for (const std::string& evil :
         {"../evil.xml", "/etc/passwd", "music/../../evil.xml", "C:\\evil.xml", "..\\evil.xml"}) {
        const fs::path path = write("x.mxl", mxl(evil, kSimpleScore));
        const std::string message = error_of([&] { read_score(path); });
        EXPECT_EQ(message, path.string() + ": container path '" + evil + "' leaves the archive");
    }
}

TEST_F(ReadFiles, ContainerPathToMissingEntry) {
    const fs::path path = write("x.mxl", mxl("other.xml", kSimpleScore));
    EXPECT_EQ(error_of([&] { read_score(path); }),
              path.string() + ": container names 'other.xml', which the archive does not hold");
}

TEST_F(ReadFiles, ZipBomb) {
    // 48 MB of zeros deflate about 1000:1: the ratio check stops it long
    // before the XML parser would see it.
    const std::string zip = detail::zip_create({{"META-INF/container.xml", container("score.xml"), true},
                                                {"score.xml", std::string(48u << 20, '\0'), true}});
    const fs::path path = write("x.mxl", zip);
    const std::string message = error_of([&] { read_score(path); });
    EXPECT_EQ(message, path.string() + ": entry 'score.xml' expands more than 200 times (zip bomb?)");

    ReadOptions small;
    small.max_uncompressed_bytes = 1u << 20;
    small.max_compression_ratio = 100000;
    EXPECT_EQ(error_of([&] { read_score(path, small); }),
              path.string() + ": entry 'score.xml' decompresses to more than 1048576 bytes (zip bomb?)");
}

TEST_F(ReadFiles, MissingFile) {
    const fs::path path = folder_ / "nothing.musicxml";
    const std::string message = error_of([&] { read_score(path); });
    EXPECT_TRUE(starts_with(message, path.string() + ": ")) << message;
}

TEST_F(ReadFiles, FileTooLarge) {
    const fs::path path = write("big.musicxml", kSimpleScore);
    ReadOptions options;
    options.max_file_bytes = 100;
    const std::string message = error_of([&] { read_score(path, options); });
    EXPECT_TRUE(starts_with(message, path.string() + ": file too large")) << message;
}

TEST_F(ReadFiles, HandWrittenDataFile) {
    const Score score = read_score(fs::path(DEEPBACH_TEST_DATA_DIR) / "two_voices_pickup.musicxml");
    ASSERT_EQ(score.parts.size(), 2u);
    EXPECT_EQ(score.title, "Two voices with a pickup");
    EXPECT_EQ(score.parts[0].name, "Soprano");
    EXPECT_EQ(score.parts[1].name, "Bass");
    ASSERT_EQ(score.measures.size(), 3u);
    EXPECT_TRUE(score.measures[0].implicit);
    EXPECT_EQ(score.measures[0].duration, Rational(1));
    EXPECT_EQ(score.length(), Rational(9));
    ASSERT_EQ(score.keys.size(), 1u);
    EXPECT_EQ(score.keys[0].fifths, -1);
    EXPECT_EQ(score.keys[0].mode, "major");
    const std::vector<Note>& bass = score.parts[1].notes;
    ASSERT_EQ(bass.size(), 6u);
    EXPECT_TRUE(bass.back().fermata);
    EXPECT_EQ(bass.back().onset, Rational(7));
}

// ---------------------------------------------------------------------------
// The Bach corpus

fs::path corpus_dir() {
    return fs::path(DEEPBACH_CORPUS_DIR);
}

TEST(ReadCorpus, Bwv10_7) {
    const fs::path path = corpus_dir() / "bwv10.7.mxl";
    if (!fs::exists(path)) GTEST_SKIP() << "no corpus at " << corpus_dir();
    const Score score = read_score(path);
    ASSERT_EQ(score.parts.size(), 4u);
    const std::vector<std::string> names = {"Soprano", "Alto", "Tenor", "Bass"};
    for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(score.parts[i].name, names[i]);
    EXPECT_EQ(score.parts[0].abbreviation, "S.");
    EXPECT_EQ(score.composer, "J.S. Bach");
    ASSERT_EQ(score.keys.size(), 1u);
    EXPECT_EQ(score.keys[0].fifths, -2);
    EXPECT_EQ(score.keys[0].mode, "minor");
    ASSERT_EQ(score.times.size(), 1u);
    EXPECT_EQ(score.times[0].beats, 4);
    EXPECT_EQ(score.measures.size(), 22u);
    EXPECT_EQ(score.length(), Rational(88));
    EXPECT_EQ(score.parts[0].notes.size(), 46u);
    EXPECT_EQ(score.parts[0].notes[0].pitch->name(), "D5");
    EXPECT_EQ(score.parts[3].notes[0].pitch->name(), "G3");
    for (const Part& part : score.parts) {
        int fermatas = 0;
        for (const Note& note : part.notes) fermatas += note.fermata ? 1 : 0;
        EXPECT_EQ(fermatas, 4) << part.name;
    }
}

TEST(ReadCorpus, Bwv69_6PlainXmlWithPickup) {
    const fs::path path = corpus_dir() / "bwv69.6.xml";
    if (!fs::exists(path)) GTEST_SKIP() << "no corpus at " << corpus_dir();
    const Score score = read_score(path);
    ASSERT_EQ(score.parts.size(), 8u);
    EXPECT_EQ(score.parts[0].name, "Trumpet 1");
    EXPECT_EQ(score.parts[4].name, "Soprano");
    EXPECT_EQ(score.parts[7].name, "Bass");
    ASSERT_FALSE(score.measures.empty());
    EXPECT_EQ(score.measures[0].number, "0");
    EXPECT_TRUE(score.measures[0].implicit);
    EXPECT_EQ(score.measures[0].duration, Rational(1));
    EXPECT_EQ(score.length(), Rational(93));
    EXPECT_EQ(score.keys.at(0).fifths, 2);
    EXPECT_EQ(score.parts[4].notes[0].pitch->name(), "C#5");
}

// Every corpus file reads, in well under a second in all; almost all have
// four or more parts, and notes stay inside their measures' span.
TEST(ReadCorpus, EveryFileReads) {
    if (!fs::is_directory(corpus_dir())) GTEST_SKIP() << "no corpus at " << corpus_dir();
    std::vector<fs::path> files;
    for (const fs::directory_entry& entry : fs::directory_iterator(corpus_dir()))
        files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    ASSERT_GT(files.size(), 300u);

    std::map<std::size_t, int> part_counts;
    int several_voices = 0, off_grid = 0, time_changes = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.string());
        const Score score = read_score(file);
        ++part_counts[score.parts.size()];
        EXPECT_FALSE(score.measures.empty());
        bool voices = false, grid = false;
        for (const Part& part : score.parts) {
            for (const Note& note : part.notes) {
                EXPECT_GT(note.duration, Rational(0));
                EXPECT_LE(note.end(), score.length());
                voices |= note.voice != 1;
                grid |= !note.onset.is_multiple_of(Rational(1, 4)) ||
                        !note.duration.is_multiple_of(Rational(1, 4));
            }
            EXPECT_TRUE(
                std::is_sorted(part.notes.begin(), part.notes.end(), [](const Note& a, const Note& b) {
                    return a.onset < b.onset || (a.onset == b.onset && a.voice < b.voice);
                }));
        }
        several_voices += voices;
        off_grid += grid;
        time_changes += score.times.size() > 1;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    int four_or_more = 0;
    std::string census;
    for (const auto& [parts, count] : part_counts) {
        census += " " + std::to_string(parts) + " parts: " + std::to_string(count) + ";";
        if (parts >= 4) four_or_more += count;
    }
    std::printf(
        "corpus: %zu files in %.3f s;%s several voices in a part: %d; off the 16th grid: %d; "
        "time changes: %d\n",
        files.size(), seconds, census.c_str(), several_voices, off_grid, time_changes);
    EXPECT_EQ(four_or_more, static_cast<int>(files.size()));
    EXPECT_GE(part_counts[4], 290);
}

}  // namespace
}  // namespace deepbach
