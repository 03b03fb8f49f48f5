// Rational, Pitch, Interval, tokens, and Score <-> Chorale conversion.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>

#include <gtest/gtest.h>

using namespace deepbach;

namespace {

Note note(Rational onset, Rational duration, const char* pitch, int measure = 0) {
    Note n;
    n.onset = onset;
    n.duration = duration;
    if (pitch) n.pitch = Pitch::parse(pitch);
    n.measure = measure;
    return n;
}

// A 4/4 score with two full bars, each part holding whole notes.
Score two_bar_score() {
    Score s;
    s.source = "test.musicxml";
    s.times.push_back(TimeSignature{Rational(0), 4, 4});
    s.keys.push_back(KeySignature{Rational(0), -1, "major"});
    s.measures.push_back(Measure{Rational(0), Rational(4), "1", false});
    s.measures.push_back(Measure{Rational(4), Rational(4), "2", false});
    const char* names[] = {"Soprano", "Alto", "Tenor", "Bass"};
    const char* pitches[] = {"F5", "C5", "A3", "F2"};
    for (int v = 0; v < 4; ++v) {
        Part p;
        p.id = "P" + std::to_string(v + 1);
        p.name = names[v];
        p.notes.push_back(note(Rational(0), Rational(4), pitches[v]));
        p.notes.push_back(note(Rational(4), Rational(4), pitches[v], 1));
        s.parts.push_back(p);
    }
    return s;
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(Rational, ArithmeticAndOrder) {
    EXPECT_EQ(Rational(2, 4), Rational(1, 2));
    EXPECT_EQ(Rational(1, -2), Rational(-1, 2));
    EXPECT_EQ(Rational(1, 3) + Rational(1, 6), Rational(1, 2));
    EXPECT_EQ(Rational(3, 4) * Rational(2, 3), Rational(1, 2));
    EXPECT_EQ(Rational(3, 4) / Rational(3, 8), Rational(2));
    EXPECT_LT(Rational(1, 3), Rational(1, 2));
    EXPECT_EQ(Rational(-3, 2).floor(), -2);
    EXPECT_TRUE(Rational(3, 4).is_multiple_of(Rational(1, 4)));
    EXPECT_FALSE(Rational(1, 6).is_multiple_of(Rational(1, 4)));
    EXPECT_EQ(Rational(10080 * 3, 10080 * 2).to_string(), "3/2");
    EXPECT_THROW(Rational(1, 0), Error);
}

TEST(Pitch, NamesMidiAndFifths) {
    EXPECT_EQ(Pitch::parse("C4").midi(), 60);
    EXPECT_EQ(Pitch::parse("B#3").midi(), 60);
    EXPECT_EQ(Pitch::parse("Cb4").midi(), 59);
    EXPECT_EQ(Pitch::parse("F#3").fifths(), 6);
    EXPECT_EQ(Pitch::parse("Bb2").fifths(), -2);
    EXPECT_EQ(Pitch::parse("Ebb5").name(), "Ebb5");
    EXPECT_EQ(Pitch::parse("g##-1").name(), "G##-1");
    for (const char* bad : {"", "H4", "C", "C#b4", "C###4", "C10", "Cx4"})
        EXPECT_THROW(Pitch::parse(bad), Error) << bad;
    // Same MIDI number: flatter spellings first (Dbb4, C4, B#3).
    EXPECT_LT(Pitch::parse("C4"), Pitch::parse("B#3"));
    EXPECT_LT(Pitch::parse("Dbb4"), Pitch::parse("C4"));
    EXPECT_LT(Pitch::parse("B3"), Pitch::parse("Dbb4"));
    EXPECT_LT(Pitch::parse("Db4"), Pitch::parse("C#4"));
}

TEST(Pitch, FromMidiSpellsPlainly) {
    EXPECT_EQ(Pitch::from_midi(60).name(), "C4");
    EXPECT_EQ(Pitch::from_midi(61).name(), "C#4");
    EXPECT_EQ(Pitch::from_midi(63).name(), "Eb4");
    EXPECT_EQ(Pitch::from_midi(70).name(), "Bb4");
    EXPECT_EQ(Pitch::from_midi(40).name(), "E2");
    for (int m = 0; m < 128; ++m) EXPECT_EQ(Pitch::from_midi(m).midi(), m);
    EXPECT_THROW(Pitch::from_midi(-13), Error);
}

TEST(Pitch, FromFifthsAndMidiInvertsBoth) {
    for (int octave = 0; octave <= 8; ++octave)
        for (int step = 0; step < 7; ++step)
            for (int alter = -2; alter <= 2; ++alter) {
                Pitch p{static_cast<std::int8_t>(step), static_cast<std::int8_t>(alter),
                        static_cast<std::int8_t>(octave)};
                EXPECT_EQ(Pitch::from_fifths_and_midi(p.fifths(), p.midi()), p) << p.name();
            }
}

TEST(Interval, SpellingAlongTheLineOfFifths) {
    // Up a whole tone from F major: G major (1 sharp), not Abb.
    Interval up2 = Interval::for_shift(2, -1);
    EXPECT_EQ(up2.fifths, 2);
    EXPECT_EQ(transpose(Pitch::parse("Bb4"), up2).name(), "C5");
    // Up a semitone from C major: Db major (5 flats) beats C# major (7 sharps).
    EXPECT_EQ(Interval::for_shift(1, 0).fifths, -5);
    EXPECT_EQ(transpose(Pitch::parse("E4"), Interval::for_shift(1, 0)).name(), "F4");
    // Up a semitone from E major (4 sharps): F major (1 flat) rather than E# major (11 sharps).
    EXPECT_EQ(Interval::for_shift(1, 4).fifths, -5);
    EXPECT_EQ(transpose(Pitch::parse("G#4"), Interval::for_shift(1, 4)).name(), "A4");
    // Down a minor third from Bb (2 flats): G major.
    const Interval down3 = Interval::for_shift(-3, -2);
    EXPECT_EQ(-2 + down3.fifths, 1);
    EXPECT_EQ(transpose(Pitch::parse("D5"), down3).name(), "B4");
    // Every shift of every key keeps the key within 7.
    for (int key = -7; key <= 7; ++key)
        for (int s = -12; s <= 12; ++s) {
            const Interval i = Interval::for_shift(s, key);
            EXPECT_LE(std::abs(key + i.fifths), 7);
            EXPECT_EQ(i.semitones, s);
        }
    EXPECT_THROW(transpose(Pitch::parse("F##4"), Interval{1, 7}), Error);
}

TEST(Token, RoundTripNames) {
    for (Token t = 0; t < token::kCount; ++t) EXPECT_EQ(token::parse(token::name(t)), t);
    EXPECT_EQ(token::name(token::kHold), "__");
    EXPECT_EQ(token::name(token::from_pitch(Pitch::parse("C#4"))), "C#4");
    EXPECT_NE(token::from_pitch(Pitch::parse("C#4")), token::from_pitch(Pitch::parse("Db4")));
    EXPECT_THROW(token::to_pitch(token::kRest), Error);
}

TEST(Voice, Names) {
    EXPECT_EQ(parse_voice("S"), kSoprano);
    EXPECT_EQ(parse_voice("tenor"), kTenor);
    EXPECT_EQ(parse_voice("3"), kBass);
    EXPECT_THROW(parse_voice("X"), Error);
}

TEST(ToChorale, TokensMetadataAndTies) {
    Score s = two_bar_score();
    // Soprano: bar 1 = quarter F5, dotted half G5 tied to a quarter G5 in bar 2, then rest, then a fermata
    // A5.
    auto& sop = s.parts[0].notes;
    sop.clear();
    sop.push_back(note(Rational(0), Rational(1), "F5"));
    sop.push_back(note(Rational(1), Rational(3), "G5"));
    sop.back().tie_start = true;
    sop.push_back(note(Rational(4), Rational(1), "G5", 1));
    sop.back().tie_stop = true;
    sop.push_back(note(Rational(5), Rational(1), nullptr, 1));
    sop.push_back(note(Rational(6), Rational(2), "A5", 1));
    sop.back().fermata = true;
    Chorale c = to_chorale(s);
    ASSERT_EQ(c.num_ticks, 32);
    EXPECT_EQ(token::name(c.at(kSoprano, 0)), "F5");
    EXPECT_EQ(token::name(c.at(kSoprano, 4)), "G5");
    EXPECT_EQ(c.at(kSoprano, 16), token::kHold);  // tie across the barline
    EXPECT_EQ(c.at(kSoprano, 20), token::kRest);
    EXPECT_EQ(token::name(c.at(kSoprano, 24)), "A5");
    for (int t = 0; t < 32; ++t) {
        EXPECT_EQ(c.fermata[t], t >= 24 ? 1 : 0) << t;
        EXPECT_EQ(c.beat_position[t], t % 4);
        EXPECT_EQ(c.key_fifths[t], -1);
    }
    EXPECT_EQ(c.measure_ticks, (std::vector<int>{0, 16}));
    EXPECT_EQ(token::name(c.at(kBass, 16)), "F2");  // repeated note, no tie: a new onset
    c.validate();
}

TEST(ToChorale, PickupBeatPositionsCountFromTheBarEnd) {
    Score s = two_bar_score();
    // An eighth-note pickup, then one full bar, then the closing bar of 3.5 beats.
    s.measures = {Measure{Rational(0), Rational(1, 2), "0", true},
                  Measure{Rational(1, 2), Rational(4), "1", false},
                  Measure{Rational(9, 2), Rational(7, 2), "2", false}};
    for (auto& p : s.parts) {
        p.notes = {note(Rational(0), Rational(1, 2), "C4"), note(Rational(1, 2), Rational(4), "D4", 1),
                   note(Rational(9, 2), Rational(7, 2), "E4", 2)};
    }
    Chorale c = to_chorale(s);
    EXPECT_EQ(c.beat_position[0], 2);  // the pickup eighth falls on the second half of beat 4
    EXPECT_EQ(c.beat_position[2], 0);  // bar 1 starts on a beat
    EXPECT_EQ(c.bar_at(1), "0");
    EXPECT_EQ(c.bar_at(2), "1");
    Score back = to_score(c);
    EXPECT_TRUE(back.measures[0].implicit);
    EXPECT_FALSE(back.measures[1].implicit);
}

TEST(ToChorale, RestsStartAgainAtEveryBarline) {
    Score s = two_bar_score();
    s.parts[1].notes = {note(Rational(0), Rational(2), "C5"), note(Rational(2), Rational(6), nullptr)};
    Chorale c = to_chorale(s);
    EXPECT_EQ(c.at(kAlto, 8), token::kRest);
    EXPECT_EQ(c.at(kAlto, 12), token::kHold);
    EXPECT_EQ(c.at(kAlto, 16), token::kRest);
}

TEST(ToChorale, ErrorsNameFileBarAndVoice) {
    Score s = two_bar_score();
    s.parts[2].notes[1] = note(Rational(4), Rational(1, 8), "A3", 1);  // a 32nd
    std::string e = error_of([&] { to_chorale(s); });
    EXPECT_NE(e.find("test.musicxml"), std::string::npos) << e;
    EXPECT_NE(e.find("bar 2"), std::string::npos) << e;
    EXPECT_NE(e.find("Tenor"), std::string::npos) << e;
    EXPECT_NE(e.find("shorter than a sixteenth"), std::string::npos) << e;

    s = two_bar_score();
    s.parts[1].notes[1] = note(Rational(4), Rational(4, 3), "A3", 1);  // a triplet
    e = error_of([&] { to_chorale(s); });
    EXPECT_NE(e.find("tuplet"), std::string::npos) << e;
    EXPECT_NE(e.find("Alto"), std::string::npos) << e;

    s = two_bar_score();
    s.parts[3].notes.push_back(note(Rational(4), Rational(4), "C3", 1));  // a chord in the bass
    e = error_of([&] { to_chorale(s); });
    EXPECT_NE(e.find("two notes at once"), std::string::npos) << e;
    EXPECT_NE(e.find("Bass"), std::string::npos) << e;

    s = two_bar_score();
    s.parts.push_back(s.parts[0]);
    s.parts.back().name = "Violin";
    s.parts[0].name = "Sopran";  // no longer a clean set of voice names
    e = error_of([&] { to_chorale(s); });
    EXPECT_NE(e.find("5 parts; a chorale needs 4"), std::string::npos) << e;

    s.parts.clear();
    e = error_of([&] { to_chorale(s); });
    EXPECT_NE(e.find("no parts"), std::string::npos) << e;
}

TEST(ToChorale, PicksNamedVoicesAmongMoreParts) {
    Score s = two_bar_score();
    Part violin = s.parts[0];
    violin.name = "Violin I";
    s.parts.insert(s.parts.begin(), violin);
    Chorale c = to_chorale(s);
    EXPECT_EQ(c.part_names[0], "Soprano");
}

TEST(ToScore, RoundTripKeepsTokensAndMetadata) {
    Score s = two_bar_score();
    s.parts[0].notes = {note(Rational(0), Rational(5, 4), "F5"),
                        note(Rational(5, 4), Rational(11, 4), nullptr),
                        note(Rational(4), Rational(4), "E5", 1)};
    s.parts[0].notes.back().fermata = true;
    s.keys.push_back(KeySignature{Rational(4), 2, "major"});
    s.times.push_back(TimeSignature{Rational(4), 3, 4});
    s.measures[1].duration = Rational(3);
    for (int v = 1; v < 4; ++v) s.parts[v].notes[1].duration = Rational(3);
    s.parts[0].notes.back().duration = Rational(3);
    Chorale c = to_chorale(s);
    Chorale again = to_chorale(to_score(c));
    EXPECT_EQ(again.tokens, c.tokens);
    EXPECT_EQ(again.fermata, c.fermata);
    EXPECT_EQ(again.beat_position, c.beat_position);
    EXPECT_EQ(again.key_fifths, c.key_fifths);
    EXPECT_EQ(again.measure_ticks, c.measure_ticks);
    ASSERT_EQ(again.times.size(), 2u);
    EXPECT_EQ(again.times[1].beats, 3);
    EXPECT_EQ(again.key_fifths[16], 2);
}

TEST(Transpose, ChoraleKeysAndSpelling) {
    Chorale c = to_chorale(two_bar_score());              // F major
    Chorale up = transpose(c, interval_for_shift(c, 2));  // G major
    EXPECT_EQ(token::name(up.at(kSoprano, 0)), "G5");
    EXPECT_EQ(token::name(up.at(kBass, 0)), "G2");
    EXPECT_EQ(up.key_fifths[0], 1);
    EXPECT_EQ(up.keys[0].fifths, 1);
    Chorale down = transpose(c, interval_for_shift(c, -1));  // E major, 4 sharps
    EXPECT_EQ(token::name(down.at(kTenor, 0)), "G#3");
    EXPECT_EQ(down.key_fifths[0], 4);
}
