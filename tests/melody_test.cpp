// Reading a melody to harmonize (melody_chorale) from files as other
// software writes them, and from scores of four parts.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using namespace deepbach;
namespace fs = std::filesystem;

namespace {

fs::path data(const char* name) {
    return fs::path(DEEPBACH_TEST_DATA_DIR) / name;
}

// The soprano expected as (onset tick, pitch) with holds in between, over `ticks`.
std::vector<Token> voice_of(const std::vector<std::pair<int, const char*>>& notes, int ticks) {
    std::vector<Token> out(static_cast<size_t>(ticks), token::kHold);
    for (const auto& [tick, name] : notes) out[static_cast<size_t>(tick)] = token::parse(name);
    return out;
}

std::vector<Token> row(const Chorale& c, int voice) {
    return std::vector<Token>(c.voice_data(voice), c.voice_data(voice) + c.num_ticks);
}

std::vector<std::uint8_t> fermata_over(const std::vector<std::pair<int, int>>& ranges, int ticks) {
    std::vector<std::uint8_t> out(static_cast<size_t>(ticks), 0);
    for (const auto& [begin, end] : ranges)
        for (int t = begin; t < end; ++t) out[static_cast<size_t>(t)] = 1;
    return out;
}

void expect_silent_lower_voices(const Chorale& c) {
    for (int v = kAlto; v < kNumVoices; ++v) {
        EXPECT_EQ(c.at(v, 0), token::kRest) << v;
        for (int t = 1; t < c.num_ticks; ++t) ASSERT_EQ(c.at(v, t), token::kHold) << v << " " << t;
    }
    EXPECT_EQ(c.part_names, (std::array<std::string, kNumVoices>{"Soprano", "Alto", "Tenor", "Bass"}));
}

TEST(MelodyChorale, MuseScoreExportWithPickup) {
    const Chorale c = melody_chorale(read_score(data("melody_musescore.musicxml")));
    EXPECT_NO_THROW(c.validate());
    ASSERT_EQ(c.num_ticks, 4 + 4 * 16);
    EXPECT_EQ(c.title, "Hymn Tune");
    EXPECT_EQ(row(c, kSoprano), voice_of({{0, "D5"},
                                          {4, "G5"},
                                          {8, "F#5"},
                                          {12, "E5"},
                                          {16, "D5"},
                                          {20, "C5"},
                                          {24, "B4"},
                                          {28, "A4"},
                                          {36, "B4"},
                                          {40, "C5"},
                                          {42, "D5"},
                                          {44, "E5"},
                                          {48, "D5"},
                                          {52, "C5"},
                                          {56, "A4"},
                                          {60, "G4"}},
                                         c.num_ticks));
    EXPECT_EQ(c.fermata, fermata_over({{28, 36}, {60, 68}}, c.num_ticks));
    expect_silent_lower_voices(c);
    EXPECT_EQ(c.measure_ticks, (std::vector<int>{0, 4, 20, 36, 52}));
    EXPECT_EQ(c.measure_numbers, (std::vector<std::string>{"0", "1", "2", "3", "4"}));
    // The pickup is the last beat of a bar: its beat starts at tick 0.
    for (int t = 0; t < c.num_ticks; ++t) EXPECT_EQ(c.beat_position[static_cast<size_t>(t)], t % 4) << t;
    ASSERT_EQ(c.keys.size(), 1u);
    EXPECT_EQ(c.keys[0].fifths, 1);
    EXPECT_EQ(c.keys[0].mode, "");
    for (auto k : c.key_fifths) EXPECT_EQ(k, 1);
    ASSERT_EQ(c.times.size(), 1u);
    EXPECT_EQ(c.times[0].beats, 4);
}

TEST(MelodyChorale, Music21ExportWithTieAndLeadingTone) {
    const Chorale c = melody_chorale(read_score(data("melody_music21.musicxml")));
    EXPECT_NO_THROW(c.validate());
    ASSERT_EQ(c.num_ticks, 5 * 16);
    EXPECT_EQ(row(c, kSoprano), voice_of({{0, "E5"},
                                          {4, "B4"},
                                          {8, "E5"},
                                          {12, "F#5"},
                                          {16, "G5"},
                                          {22, "F#5"},
                                          {24, "E5"},
                                          {32, "G5"},
                                          {36, "F#5"},
                                          {38, "E5"},
                                          {40, "D5"},
                                          {44, "G5"},  // tied over the barline into bar 4
                                          {52, "F#5"},
                                          {56, "E5"},
                                          {60, "D#5"},
                                          {64, "E5"}},
                                         c.num_ticks));
    EXPECT_EQ(c.fermata, fermata_over({{24, 32}, {64, 80}}, c.num_ticks));
    expect_silent_lower_voices(c);
    EXPECT_EQ(c.measure_numbers, (std::vector<std::string>{"1", "2", "3", "4", "5"}));
    ASSERT_EQ(c.keys.size(), 1u);
    EXPECT_EQ(c.keys[0].fifths, 1);
    EXPECT_EQ(c.keys[0].mode, "minor");
}

TEST(MelodyChorale, FourPartsKeepTheSoprano) {
    Chorale full = Chorale::empty(32);
    full.source = "full.musicxml";
    const char* pitches[kNumVoices] = {"C5", "E4", "G3", "C3"};
    for (int v = 0; v < kNumVoices; ++v) {
        full.at(v, 0) = token::parse(pitches[v]);
        full.at(v, 16) = token::parse(pitches[v]);
    }
    full.at(kSoprano, 8) = token::parse("D5");
    for (int t = 16; t < 32; ++t) full.fermata[static_cast<size_t>(t)] = 1;
    const Score score = to_score(full);
    const Chorale c = melody_chorale(score);
    const Chorale reference = to_chorale(score);
    EXPECT_EQ(row(c, kSoprano), row(full, kSoprano));
    EXPECT_EQ(c.fermata, reference.fermata);
    EXPECT_EQ(c.beat_position, reference.beat_position);
    EXPECT_EQ(c.measure_ticks, reference.measure_ticks);
    expect_silent_lower_voices(c);
    // Chosen by hand: the bass as the melody.
    const Chorale bass = melody_chorale(score, ChoraleOptions{{kBass}});
    EXPECT_EQ(row(bass, kSoprano), row(full, kBass));
    expect_silent_lower_voices(bass);
}

TEST(MelodyChorale, TwoPartsNeedAChoice) {
    const Score score = read_score(data("two_voices_pickup.musicxml"));
    try {
        melody_chorale(score);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("two_voices_pickup.musicxml: 2 parts"), std::string::npos)
            << e.what();
    }
    const Chorale c = melody_chorale(score, ChoraleOptions{{1}});
    EXPECT_EQ(c.at(kSoprano, 0), token::parse("F3"));
    EXPECT_EQ(c.at(kSoprano, 4), token::parse("D3"));
    EXPECT_THROW(melody_chorale(score, ChoraleOptions{{2}}), Error);
    EXPECT_THROW(melody_chorale(score, ChoraleOptions{{0, 1}}), Error);
    EXPECT_THROW(melody_chorale(Score{}), Error);
}

// A one-part score; `notes` is the MusicXML of its one measure after the attributes.
Score one_part(const std::string& notes) {
    const std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<score-partwise version="4.0">
  <part-list><score-part id="P1"><part-name>Flute</part-name></score-part></part-list>
  <part id="P1"><measure number="7">
    <attributes><divisions>8</divisions><time><beats>4</beats><beat-type>4</beat-type></time></attributes>
    )" + notes + R"(
  </measure></part>
</score-partwise>)";
    return parse_musicxml(xml, "tune.musicxml");
}

std::string note(const char* step, int duration, bool chord = false) {
    return std::string("<note>") + (chord ? "<chord/>" : "") + "<pitch><step>" + step +
           "</step><octave>5</octave></pitch><duration>" + std::to_string(duration) + "</duration></note>";
}

TEST(MelodyChorale, GridErrorsNameFileBarAndPart) {
    const auto message = [](const Score& score) {
        try {
            melody_chorale(score);
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_NO_THROW(melody_chorale(one_part(note("C", 16) + note("D", 16))));
    const std::string chord = message(one_part(note("C", 16) + note("E", 16, true) + note("D", 16)));
    EXPECT_EQ(chord.rfind("tune.musicxml, bar 7, Flute: two notes at once", 0), 0u) << chord;
    const std::string short_note = message(one_part(note("C", 1) + note("D", 31)));
    EXPECT_EQ(short_note.rfind("tune.musicxml, bar 7, Flute: a note shorter than a sixteenth", 0), 0u)
        << short_note;
}

}  // namespace
