// Tests of the MIDI writer: the bytes are parsed back by a small Standard
// MIDI File reader here, so the test does not trust the writer's own view.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
using namespace deepbach;

namespace {

struct MidiEvent {
    std::int64_t tick = 0;
    int status = 0;  ///< 0xFF for meta events
    int meta_type = -1;
    std::string data;  ///< data bytes after the status (or after type and length for meta)
};

struct MidiFile {
    int format = -1;
    int division = 0;
    std::vector<std::vector<MidiEvent>> tracks;
};

/// Parses an SMF, failing the test on anything malformed.
MidiFile parse_smf(const std::string& b) {
    MidiFile f;
    size_t p = 0;
    auto u8 = [&](size_t at) { return static_cast<unsigned char>(b.at(at)); };
    auto be = [&](size_t at, int n) {
        std::uint32_t v = 0;
        for (int i = 0; i < n; ++i) v = (v << 8) | u8(at + static_cast<size_t>(i));
        return v;
    };
    EXPECT_EQ(b.substr(0, 4), "MThd");
    EXPECT_EQ(be(4, 4), 6u);
    f.format = static_cast<int>(be(8, 2));
    const int ntracks = static_cast<int>(be(10, 2));
    f.division = static_cast<int>(be(12, 2));
    p = 14;
    for (int t = 0; t < ntracks; ++t) {
        EXPECT_EQ(b.substr(p, 4), "MTrk");
        const size_t len = be(p + 4, 4);
        size_t q = p + 8;
        const size_t end = q + len;
        std::vector<MidiEvent> events;
        std::int64_t tick = 0;
        int running = 0;
        auto vlq = [&]() {
            std::uint32_t v = 0;
            for (int i = 0; i < 4; ++i) {
                const unsigned char c = u8(q++);
                v = (v << 7) | (c & 0x7F);
                if (!(c & 0x80)) break;
            }
            return v;
        };
        bool ended = false;
        while (q < end) {
            EXPECT_FALSE(ended) << "events after End of Track";
            tick += vlq();
            MidiEvent e;
            e.tick = tick;
            int status = u8(q);
            if (status & 0x80) {
                ++q;
                running = status;
            } else {
                status = running;
            }
            e.status = status;
            if (status == 0xFF) {
                e.meta_type = u8(q++);
                const std::uint32_t n = vlq();
                e.data = b.substr(q, n);
                q += n;
                if (e.meta_type == 0x2F) ended = true;
            } else {
                const int kind = status & 0xF0;
                const size_t n = (kind == 0xC0 || kind == 0xD0) ? 1 : 2;
                e.data = b.substr(q, n);
                q += n;
            }
            events.push_back(e);
        }
        EXPECT_TRUE(ended) << "track " << t << " has no End of Track";
        EXPECT_EQ(q, end);
        f.tracks.push_back(events);
        p = end;
    }
    EXPECT_EQ(p, b.size());
    return f;
}

/// (tick, key, channel) of every note-on, and the matching note-offs.
std::vector<std::tuple<std::int64_t, int, int>> note_ons(const std::vector<MidiEvent>& track) {
    std::vector<std::tuple<std::int64_t, int, int>> out;
    for (const MidiEvent& e : track)
        if ((e.status & 0xF0) == 0x90 && static_cast<unsigned char>(e.data[1]) > 0)
            out.emplace_back(e.tick, static_cast<unsigned char>(e.data[0]), e.status & 0x0F);
    return out;
}

std::vector<std::pair<std::int64_t, int>> note_offs(const std::vector<MidiEvent>& track) {
    std::vector<std::pair<std::int64_t, int>> out;
    for (const MidiEvent& e : track)
        if ((e.status & 0xF0) == 0x80 || ((e.status & 0xF0) == 0x90 && e.data[1] == 0))
            out.emplace_back(e.tick, static_cast<unsigned char>(e.data[0]));
    return out;
}

std::string meta_text(const std::vector<MidiEvent>& track, int type) {
    for (const MidiEvent& e : track)
        if (e.status == 0xFF && e.meta_type == type) return e.data;
    return "";
}

Note make_note(Rational onset, Rational duration, const char* pitch) {
    Note n;
    n.onset = onset;
    n.duration = duration;
    if (pitch) n.pitch = Pitch::parse(pitch);
    return n;
}

Score two_parts() {
    Score s;
    s.title = "Two parts";
    s.times = {TimeSignature{Rational(0), 3, 4}, TimeSignature{Rational(6), 4, 4}};
    s.keys = {KeySignature{Rational(0), -2, "minor"}};
    s.measures = {Measure{Rational(0), Rational(3), "1", false},
                  Measure{Rational(3), Rational(3), "2", false},
                  Measure{Rational(6), Rational(4), "3", false}};
    Part a;
    a.name = "Soprano";
    Note tied1 = make_note(Rational(0), Rational(3), "C5");
    tied1.tie_start = true;
    Note tied2 = make_note(Rational(3), Rational(1), "C5");
    tied2.tie_stop = true;
    a.notes = {tied1,
               tied2,
               make_note(Rational(4), Rational(1, 2), "D5"),
               make_note(Rational(9, 2), Rational(3, 2), nullptr),
               make_note(Rational(6), Rational(2), "Eb5"),
               make_note(Rational(8), Rational(2), "Eb5")};
    Note f = make_note(Rational(6), Rational(2), "Eb5");
    f.fermata = true;
    a.notes[4] = f;
    Part b;
    b.name = "Bass";
    b.notes = {make_note(Rational(0), Rational(6), "C3"), make_note(Rational(6), Rational(4), "Bb2")};
    s.parts = {a, b};
    return s;
}

fs::path temp_folder() {
    std::random_device rd;
    fs::path p = fs::temp_directory_path() / ("deepbach_midw_" + std::to_string(rd()));
    fs::create_directories(p);
    return p;
}

}  // namespace

TEST(MidiWrite, HeaderAndTracks) {
    const MidiFile f = parse_smf(to_midi(two_parts()));
    EXPECT_EQ(f.format, 1);
    EXPECT_EQ(f.division, 480);
    ASSERT_EQ(f.tracks.size(), 3u);
    EXPECT_EQ(meta_text(f.tracks[0], 0x03), "Two parts");
    EXPECT_EQ(meta_text(f.tracks[0], 0x51), std::string("\x0B\x71\xB0", 3));  // 750000 us: 80 bpm
    std::vector<std::int64_t> time_ticks;
    for (const MidiEvent& e : f.tracks[0])
        if (e.meta_type == 0x58) time_ticks.push_back(e.tick);
    EXPECT_EQ(time_ticks, (std::vector<std::int64_t>{0, 6 * 480}));
    EXPECT_EQ(meta_text(f.tracks[0], 0x59), std::string("\xFE\x01", 2));  // 2 flats, minor
    EXPECT_EQ(meta_text(f.tracks[1], 0x03), "Soprano");
    EXPECT_EQ(meta_text(f.tracks[2], 0x03), "Bass");
    for (int t = 1; t <= 2; ++t) {
        bool program = false;
        for (const MidiEvent& e : f.tracks[static_cast<size_t>(t)])
            if ((e.status & 0xF0) == 0xC0) program = static_cast<unsigned char>(e.data[0]) == 52;
        EXPECT_TRUE(program);
    }
    // Every track ends at the end of the piece.
    for (const auto& track : f.tracks) EXPECT_EQ(track.back().tick, 10 * 480);
}

TEST(MidiWrite, NotesAndOnsetsMatchTheScoreWithTiesMerged) {
    const MidiFile f = parse_smf(to_midi(two_parts()));
    using On = std::tuple<std::int64_t, int, int>;
    EXPECT_EQ(note_ons(f.tracks[1]),
              (std::vector<On>{{0, 72, 0}, {1920, 74, 0}, {2880, 75, 0}, {3840, 75, 0}}));
    EXPECT_EQ(note_offs(f.tracks[1]),
              (std::vector<std::pair<std::int64_t, int>>{{1920, 72}, {2160, 74}, {3840, 75}, {4800, 75}}));
    EXPECT_EQ(note_ons(f.tracks[2]), (std::vector<On>{{0, 48, 1}, {2880, 46, 1}}));
    // The repeated Eb5: its note-off comes before the next note-on at the same tick.
    int off_index = -1, on_index = -1;
    for (size_t i = 0; i < f.tracks[1].size(); ++i) {
        const MidiEvent& e = f.tracks[1][i];
        if (e.tick != 3840) continue;
        if ((e.status & 0xF0) == 0x80) off_index = static_cast<int>(i);
        if ((e.status & 0xF0) == 0x90) on_index = static_cast<int>(i);
    }
    EXPECT_LT(off_index, on_index);
    EXPECT_GE(off_index, 0);
}

TEST(MidiWrite, FermataHoldsShiftLaterNotes) {
    MidiOptions opt;
    opt.fermata_holds = true;
    opt.fermata_factor = 2.0;
    opt.ticks_per_quarter = 96;
    const MidiFile f = parse_smf(to_midi(two_parts(), opt));
    using On = std::tuple<std::int64_t, int, int>;
    // The fermata Eb5 lasts [6, 8) quarters and becomes 4 quarters long: what follows moves 2 later.
    EXPECT_EQ(note_ons(f.tracks[1]), (std::vector<On>{{0, 72, 0}, {384, 74, 0}, {576, 75, 0}, {960, 75, 0}}));
    // The bass note under the fermata is stretched with it.
    EXPECT_EQ(note_offs(f.tracks[2]), (std::vector<std::pair<std::int64_t, int>>{{576, 48}, {1152, 46}}));
    for (const MidiEvent& e : f.tracks[0])
        if (e.meta_type == 0x58 && e.tick > 0) EXPECT_EQ(e.tick, 576);
}

TEST(MidiWrite, ChannelsSkipTheDrumChannel) {
    Score s;
    for (int i = 0; i < 11; ++i) {
        Part p;
        p.notes = {make_note(Rational(0), Rational(1), "C4")};
        s.parts.push_back(p);
    }
    const MidiFile f = parse_smf(to_midi(s));
    ASSERT_EQ(f.tracks.size(), 12u);
    std::vector<int> channels;
    for (size_t t = 1; t < f.tracks.size(); ++t) channels.push_back(std::get<2>(note_ons(f.tracks[t]).at(0)));
    EXPECT_EQ(channels, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 11}));
}

TEST(MidiWrite, RejectsBadOptions) {
    MidiOptions bad;
    bad.velocity = 0;
    EXPECT_THROW(to_midi(two_parts(), bad), Error);
    bad = MidiOptions{};
    bad.ticks_per_quarter = 0;
    EXPECT_THROW(to_midi(two_parts(), bad), Error);
    bad = MidiOptions{};
    bad.tempo_bpm = 0;
    EXPECT_THROW(to_midi(two_parts(), bad), Error);
}

TEST(MidiWrite, WritesFilesAtomically) {
    const fs::path dir = temp_folder();
    write_midi(two_parts(), dir / "a.mid");
    write_score(two_parts(), dir / "b.MIDI");
    std::ifstream in(dir / "b.MIDI", std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes, to_midi(two_parts()));
    EXPECT_THROW(write_midi(two_parts(), dir / "missing" / "c.mid"), Error);
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"a.mid", "b.MIDI"}));
    fs::remove_all(dir);
}
