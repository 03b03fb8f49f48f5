// Compiling constraints into a sampling problem: fixed cells, masks of what
// free cells may take, metadata, cadences, and an error for every contradiction.
#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>
#include <deepbach/model.hpp>

#include "sample/problem.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace deepbach;
using sample::compile_problem;
using sample::Problem;
namespace fs = std::filesystem;

namespace {

// Vocabularies and ranges of the real corpus, with small networks (the
// weights play no part in compiling a problem). Loaded once per process.
const Model& corpus_model() {
    static const Model model = [] {
        const Corpus corpus = load_corpus(DEEPBACH_CORPUS_DIR, {2});
        ModelConfig config;
        config.note_embedding = 2;
        config.meta_embedding = 2;
        config.lstm_hidden = 2;
        config.lstm_layers = 1;
        config.mlp_hidden = 2;
        return Model::initialize(config, build_vocabularies(corpus), corpus.ranges(), 1);
    }();
    return model;
}

Token tok(const char* name) {
    return token::parse(name);
}

// Two bars of C major, voice by voice as (token, ticks) runs.
Chorale base_grid() {
    Chorale c = Chorale::empty(32);
    c.source = "base.musicxml";
    const std::vector<std::vector<std::pair<const char*, int>>> voices = {
        {{"E5", 4}, {"D5", 4}, {"C5", 4}, {"D5", 4}, {"E5", 4}, {"D5", 4}, {"C5", 8}},
        {{"G4", 8}, {"A4", 4}, {"G4", 4}, {"G4", 4}, {"G4", 4}, {"E4", 8}},
        {{"C4", 8}, {"E4", 4}, {"D4", 4}, {"C4", 4}, {"B3", 4}, {"G3", 8}},
        {{"C3", 8}, {"A2", 4}, {"B2", 4}, {"C3", 4}, {"G2", 4}, {"C3", 8}},
    };
    for (int v = 0; v < kNumVoices; ++v) {
        int t = 0;
        for (const auto& [name, ticks] : voices[static_cast<size_t>(v)]) {
            c.at(v, t) = tok(name);
            for (int u = t + 1; u < t + ticks; ++u) c.at(v, u) = token::kHold;
            t += ticks;
        }
    }
    return c;
}

class ProblemTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!fs::is_directory(DEEPBACH_CORPUS_DIR)) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
        model_ = &corpus_model();
    }

    Problem compile(const Constraints& c, const Chorale& base = base_grid()) const {
        return compile_problem(base, c, *model_);
    }

    bool allows(const Problem& p, int v, int t, Token token) const {
        const int i = model_->vocabularies[static_cast<size_t>(v)].index(token);
        return i >= 0 && p.allowed_row(v, t)[i] != 0;
    }

    // Pitch classes (0..11) a free cell may start.
    std::set<int> pitch_classes(const Problem& p, int v, int t) const {
        std::set<int> out;
        const Vocabulary& vocab = model_->vocabularies[static_cast<size_t>(v)];
        for (int i = 0; i < vocab.size(); ++i)
            if (p.allowed_row(v, t)[i] && token::is_pitch(vocab.token(i)))
                out.insert(token::to_pitch(vocab.token(i)).midi() % 12);
        return out;
    }

    int index(int v, const char* name) const {
        return model_->vocabularies[static_cast<size_t>(v)].index(tok(name));
    }

    // Expects compile() to throw an Error whose message holds every piece.
    void expect_error(const Constraints& c, std::initializer_list<const char*> pieces,
                      const Chorale& base = base_grid()) const {
        try {
            compile(c, base);
            ADD_FAILURE() << "no error; expected one mentioning " << *pieces.begin();
        } catch (const Error& e) {
            const std::string message = e.what();
            EXPECT_EQ(message.find('\n'), std::string::npos) << message;
            for (const char* piece : pieces) EXPECT_NE(message.find(piece), std::string::npos) << message;
        }
    }

    const Model* model_ = nullptr;
};

// ---- masks without constraints --------------------------------------------------

TEST_F(ProblemTest, WithoutConstraintsEveryCellIsFreeAndMasked) {
    const Chorale base = base_grid();
    const Problem p = compile({});
    EXPECT_EQ(p.grid.tokens, base.tokens);
    EXPECT_EQ(p.grid.fermata, base.fermata);
    EXPECT_EQ(p.free_cells(), static_cast<size_t>(kNumVoices * base.num_ticks));
    for (int v = 0; v < kNumVoices; ++v) {
        const Vocabulary& vocab = model_->vocabularies[static_cast<size_t>(v)];
        const VoiceRange range = model_->ranges[static_cast<size_t>(v)];
        ASSERT_EQ(p.vocabulary_size[static_cast<size_t>(v)], vocab.size());
        ASSERT_EQ(p.free_ticks[static_cast<size_t>(v)].size(), static_cast<size_t>(base.num_ticks));
        for (int t = 0; t < base.num_ticks; ++t) {
            EXPECT_TRUE(p.is_free(v, t));
            EXPECT_EQ(p.free_ticks[static_cast<size_t>(v)][static_cast<size_t>(t)], t);
            for (int i = 0; i < vocab.size(); ++i) {
                const Token token = vocab.token(i);
                // No melody kept: no rest starts (Constraints::full_texture).
                bool expected = token == token::kHold && t > 0;
                if (token::is_pitch(token)) expected = range.contains(token::to_pitch(token).midi());
                ASSERT_EQ(p.allowed_row(v, t)[i] != 0, expected)
                    << v << " " << t << " " << token::name(token);
            }
        }
    }
}

TEST_F(ProblemTest, UserRangeNarrowsThePitches) {
    Constraints c;
    c.ranges[kAlto] = VoiceRange{60, 67};
    const Problem p = compile(c);
    const Vocabulary& vocab = model_->vocabularies[kAlto];
    for (int i = 0; i < vocab.size(); ++i) {
        if (!token::is_pitch(vocab.token(i))) continue;
        const int midi = token::to_pitch(vocab.token(i)).midi();
        EXPECT_EQ(p.allowed_row(kAlto, 5)[i] != 0, midi >= 60 && midi <= 67) << midi;
    }
    EXPECT_TRUE(allows(p, kAlto, 5, tok("C4")));
    EXPECT_FALSE(allows(p, kAlto, 5, tok("A4")));
    EXPECT_TRUE(allows(p, kSoprano, 5, tok("A5")));  // other voices keep the model's
}

TEST_F(ProblemTest, UserRangeMustLieInsideTheModels) {
    Constraints c;
    const VoiceRange model_range = model_->ranges[kTenor];
    c.ranges[kTenor] = VoiceRange{model_range.lowest - 1, model_range.highest};
    expect_error(c, {"base.musicxml", "Tenor", "wider than the model's"});
    c.ranges[kTenor] = VoiceRange{60, 50};
    expect_error(c, {"Tenor", "empty"});
}

// ---- fixed notes --------------------------------------------------------------------

TEST_F(ProblemTest, FixedNoteSetsItsCellsAndEndsWhereItsRangeEnds) {
    Constraints c;
    c.fixed.push_back(FixedNote{kSoprano, {4, 12}, tok("G5")});
    const Problem p = compile(c);
    EXPECT_EQ(p.fixed[kSoprano][4], index(kSoprano, "G5"));
    EXPECT_EQ(p.grid.at(kSoprano, 4), tok("G5"));
    for (int t = 5; t < 12; ++t) {
        EXPECT_EQ(p.fixed[kSoprano][static_cast<size_t>(t)], index(kSoprano, "__"));
        EXPECT_EQ(p.grid.at(kSoprano, t), token::kHold);
        for (int i = 0; i < p.vocabulary_size[kSoprano]; ++i) EXPECT_EQ(p.allowed_row(kSoprano, t)[i], 0);
    }
    EXPECT_TRUE(p.is_free(kSoprano, 3));
    EXPECT_TRUE(allows(p, kSoprano, 3, token::kHold));
    // The cell after a fixed note may start anything but may not hold it on.
    EXPECT_TRUE(p.is_free(kSoprano, 12));
    EXPECT_FALSE(allows(p, kSoprano, 12, token::kHold));
    EXPECT_TRUE(allows(p, kSoprano, 12, token::kRest));
    EXPECT_TRUE(allows(p, kSoprano, 12, tok("C5")));
    EXPECT_TRUE(allows(p, kSoprano, 13, token::kHold));
    EXPECT_EQ(p.free_cells(), static_cast<size_t>(kNumVoices * 32 - 8));
    EXPECT_EQ(p.free_ticks[kSoprano].size(), 24u);
    EXPECT_TRUE(allows(p, kAlto, 12, token::kHold));  // other voices untouched
}

TEST_F(ProblemTest, FixedRestAndFixedHolds) {
    Constraints c;
    c.fixed.push_back(FixedNote{kAlto, {16, 20}, token::kRest});
    c.fixed.push_back(FixedNote{kTenor, {4, 8}, token::kHold});
    const Problem p = compile(c);
    EXPECT_EQ(p.fixed[kAlto][16], index(kAlto, "rest"));
    EXPECT_EQ(p.fixed[kAlto][19], index(kAlto, "__"));
    EXPECT_FALSE(allows(p, kAlto, 20, token::kHold));  // the rest ends at 20
    for (int t = 4; t < 8; ++t) EXPECT_EQ(p.fixed[kTenor][static_cast<size_t>(t)], index(kTenor, "__"));
    // A run of holds says nothing about what comes after it.
    EXPECT_TRUE(allows(p, kTenor, 8, token::kHold));
}

TEST_F(ProblemTest, FixedNoteMustBeEncodableAndInRange) {
    Constraints c;
    c.fixed.push_back(FixedNote{kSoprano, {16, 20}, tok("C3")});
    expect_error(c, {"base.musicxml", "bar 2", "Soprano", "C3", "outside the Soprano range"});

    c.fixed = {FixedNote{kBass, {4, 8}, tok("Dbb3")}};  // C3 spelled as nobody does
    ASSERT_FALSE(model_->vocabularies[kBass].contains(tok("Dbb3")));
    expect_error(c, {"bar 1", "Bass", "Dbb3", "vocabulary"});

    c.fixed = {FixedNote{kAlto, {4, 8}, token::kStart}};
    expect_error(c, {"bar 1", "Alto", "START"});
    c.fixed = {FixedNote{kAlto, {0, 4}, token::kHold}};
    expect_error(c, {"bar 1", "Alto", "cannot start with a hold"});
    c.fixed = {FixedNote{5, {0, 4}, tok("C4")}};
    expect_error(c, {"base.musicxml", "voice 5"});
}

TEST_F(ProblemTest, RangesOutsideThePieceAreErrors) {
    Constraints c;
    c.fixed = {FixedNote{kTenor, {28, 36}, tok("C4")}};
    expect_error(c, {"bar 2", "Tenor", "outside the piece"});
    c.fixed = {FixedNote{kTenor, {-4, 4}, tok("C4")}};
    expect_error(c, {"bar 1", "Tenor", "outside the piece"});
    c.fixed = {FixedNote{kTenor, {8, 8}, tok("C4")}};
    expect_error(c, {"bar 1", "Tenor", "covers no tick"});
    c.fixed.clear();
    c.rhythm = {RhythmConstraint{kBass, {16, 40}}};
    expect_error(c, {"bar 2", "Bass", "rhythm", "outside the piece"});
    c.rhythm.clear();
    c.regions = {Region{{30, 33}, {true, true, true, true}}};
    expect_error(c, {"bar 2", "region", "outside the piece"});
    c.regions.clear();
    c.fermatas = {TickRange{32, 36}};
    expect_error(c, {"bar 2", "fermata", "outside the piece"});
}

TEST_F(ProblemTest, FixesThatDisagreeAreAnError) {
    Constraints c;
    c.fixed.push_back(FixedNote{kAlto, {0, 8}, tok("G4")});
    c.fixed.push_back(FixedNote{kAlto, {4, 8}, tok("A4")});
    expect_error(c, {"bar 1", "Alto", "G4 note", "A4 note", "__"});
    // The same token from two sources is fine.
    c.fixed = {FixedNote{kAlto, {0, 8}, tok("G4")}, FixedNote{kAlto, {4, 8}, token::kHold}};
    EXPECT_NO_THROW(compile(c));
    // A fixed hold right after a fixed note has ended contradicts it.
    c.fixed = {FixedNote{kAlto, {0, 4}, tok("G4")}, FixedNote{kAlto, {4, 8}, token::kHold}};
    expect_error(c, {"bar 1", "Alto", "ends here"});
}

// ---- regions ------------------------------------------------------------------------

TEST_F(ProblemTest, CellsOutsideTheRegionsKeepTheBase) {
    const Chorale base = base_grid();
    Constraints c;
    c.regions.push_back(Region{{16, 32}, {false, true, true, true}});
    c.regions.push_back(Region{{0, 4}, {false, false, false, true}});
    c.fixed.push_back(FixedNote{kTenor, {24, 28}, tok("D4")});  // inside: still applies
    const Problem p = compile(c);
    for (int v = 0; v < kNumVoices; ++v) {
        for (int t = 0; t < 32; ++t) {
            const bool inside = (v != kSoprano && t >= 16) || (v == kBass && t < 4);
            if (v == kTenor && t >= 24 && t < 28) continue;
            EXPECT_EQ(p.is_free(v, t), inside) << v << " " << t;
            if (!inside) {
                EXPECT_EQ(p.fixed[static_cast<size_t>(v)][static_cast<size_t>(t)],
                          model_->vocabularies[static_cast<size_t>(v)].index(base.at(v, t)));
                EXPECT_EQ(p.grid.at(v, t), base.at(v, t));
            }
        }
    }
    EXPECT_EQ(p.fixed[kTenor][24], index(kTenor, "D4"));
    EXPECT_EQ(p.grid.at(kTenor, 24), tok("D4"));
    EXPECT_FALSE(allows(p, kTenor, 28, token::kHold));
    EXPECT_EQ(p.free_cells(), static_cast<size_t>(3 * 16 + 4 - 4));
    // A held base note may go on into a region.
    EXPECT_TRUE(allows(p, kAlto, 16, token::kHold));
}

TEST_F(ProblemTest, FixedNoteOutsideTheRegionsMustAgreeWithTheBase) {
    Constraints c;
    c.regions.push_back(Region{{16, 32}, {true, true, true, true}});
    c.fixed.push_back(FixedNote{kSoprano, {0, 4}, tok("E5")});  // as the base has it
    EXPECT_NO_THROW(compile(c));
    c.fixed = {FixedNote{kSoprano, {4, 8}, tok("F5")}};
    expect_error(c, {"bar 1", "Soprano", "F5", "outside the region to redraw"});
}

TEST_F(ProblemTest, BaseNotesKeptOutsideTheRegionsMustBeEncodable) {
    Chorale base = base_grid();
    base.at(kSoprano, 8) = tok("C8");
    Constraints c;
    c.regions.push_back(Region{{0, 32}, {false, true, true, true}});
    expect_error(c, {"bar 1", "Soprano", "C8"}, base);
    // Redrawn, the same cell is no problem.
    c.regions.push_back(Region{{8, 12}, {true, false, false, false}});
    EXPECT_NO_THROW(compile(c, base));
}

// ---- rhythm -------------------------------------------------------------------------

TEST_F(ProblemTest, RhythmKeepsOnsetsAndHolds) {
    Constraints c;
    c.rhythm.push_back(RhythmConstraint{kAlto, {0, 16}});
    const Problem p = compile(c);
    // Alto: G4 (0..8), A4 (8..12), G4 (12..16).
    for (int t : {0, 8, 12}) {
        EXPECT_TRUE(p.is_free(kAlto, t)) << t;
        EXPECT_FALSE(allows(p, kAlto, t, token::kHold)) << t;
        EXPECT_FALSE(allows(p, kAlto, t, token::kRest)) << t;
        EXPECT_TRUE(allows(p, kAlto, t, tok("F4"))) << t;
    }
    for (int t = 0; t < 16; ++t)
        if (t != 0 && t != 8 && t != 12)
            EXPECT_EQ(p.fixed[kAlto][static_cast<size_t>(t)], index(kAlto, "__")) << t;
    EXPECT_TRUE(allows(p, kAlto, 16, token::kHold));  // after the range, free as ever
    EXPECT_EQ(p.free_ticks[kAlto].size(), 3u + 16u);
}

TEST_F(ProblemTest, RhythmRestsStayRests) {
    Chorale base = base_grid();
    base.at(kTenor, 16) = token::kRest;
    Constraints c;
    c.rhythm.push_back(RhythmConstraint{kTenor, {16, 32}});
    const Problem p = compile(c, base);
    EXPECT_EQ(p.fixed[kTenor][16], index(kTenor, "rest"));
    EXPECT_EQ(p.fixed[kTenor][19], index(kTenor, "__"));
    EXPECT_TRUE(p.is_free(kTenor, 20));
}

TEST_F(ProblemTest, RhythmAgainstAFixedNoteIsAnError) {
    Constraints c;
    c.rhythm.push_back(RhythmConstraint{kAlto, {0, 16}});
    c.fixed.push_back(FixedNote{kAlto, {8, 10}, tok("A4")});  // A4 in the base lasts to 12
    expect_error(c, {"bar 1", "Alto", "rhythm", "A4"});
    c.fixed = {FixedNote{kAlto, {4, 8}, tok("A4")}};  // an onset where the base holds
    expect_error(c, {"bar 1", "Alto", "rhythm", "A4"});
    c.fixed = {FixedNote{kAlto, {8, 12}, token::kRest}};  // a rest where the base starts a note
    expect_error(c, {"bar 1", "Alto", "rhythm", "rest"});
    c.fixed = {FixedNote{kAlto, {8, 12}, tok("B4")}};  // the rhythm as it is: fine
    EXPECT_NO_THROW(compile(c));
}

TEST_F(ProblemTest, FreeCellWithNothingToDrawIsAnError) {
    // A model whose soprano vocabulary holds only C5, though its range is wider.
    std::array<Vocabulary, kNumVoices> vocabularies;
    for (int v = 0; v < kNumVoices; ++v) vocabularies[static_cast<size_t>(v)] = Vocabulary({tok("C5")});
    ModelConfig config;
    config.note_embedding = config.meta_embedding = config.lstm_hidden = config.mlp_hidden = 2;
    config.lstm_layers = 1;
    const std::array<VoiceRange, kNumVoices> ranges{VoiceRange{60, 81}, VoiceRange{60, 81},
                                                    VoiceRange{60, 81}, VoiceRange{60, 81}};
    const Model tiny = Model::initialize(config, vocabularies, ranges, 1);
    Chorale base = Chorale::empty(16);
    base.at(kSoprano, 4) = tok("C5");
    Constraints c;
    c.ranges[kSoprano] = VoiceRange{60, 65};
    c.rhythm.push_back(RhythmConstraint{kSoprano, {0, 16}});
    try {
        compile_problem(base, c, tiny);
        ADD_FAILURE() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("bar 1, Soprano: no token is left"), std::string::npos)
            << e.what();
    }
    // Without the narrowed range, C5 may start there.
    c.ranges[kSoprano].reset();
    EXPECT_NO_THROW(compile_problem(base, c, tiny));
}

// ---- fermatas and keys --------------------------------------------------------------

TEST_F(ProblemTest, FermatasJoinThePieces) {
    Chorale base = base_grid();
    base.fermata[30] = base.fermata[31] = 1;
    Constraints c;
    c.fermatas.push_back(TickRange{12, 16});
    const Problem p = compile(c, base);
    for (int t = 0; t < 32; ++t)
        EXPECT_EQ(p.grid.fermata[static_cast<size_t>(t)], (t >= 12 && t < 16) || t >= 30 ? 1 : 0) << t;
}

TEST_F(ProblemTest, KeyChangesSetTheKeyFromTheirTickOn) {
    Constraints c;
    c.keys.push_back(KeyChange{16, -1, "minor"});
    c.keys.push_back(KeyChange{0, 2, ""});  // replaces the base's key at 0
    const Problem p = compile(c);
    for (int t = 0; t < 32; ++t) EXPECT_EQ(p.grid.key_fifths[static_cast<size_t>(t)], t < 16 ? 2 : -1) << t;
    ASSERT_EQ(p.grid.keys.size(), 2u);
    EXPECT_EQ(p.grid.keys[0].tick, 0);
    EXPECT_EQ(p.grid.keys[0].fifths, 2);
    EXPECT_EQ(p.grid.keys[0].mode, "");
    EXPECT_EQ(p.grid.keys[1].tick, 16);
    EXPECT_EQ(p.grid.keys[1].fifths, -1);
    EXPECT_EQ(p.grid.keys[1].mode, "minor");

    // A change in the middle lasts to the next one the base has.
    Chorale base = base_grid();
    base.keys.push_back(GridKeySignature{24, 3, "major"});
    for (int t = 24; t < 32; ++t) base.key_fifths[static_cast<size_t>(t)] = 3;
    c.keys = {KeyChange{8, -2, "major"}};
    const Problem q = compile(c, base);
    for (int t = 0; t < 32; ++t)
        EXPECT_EQ(q.grid.key_fifths[static_cast<size_t>(t)], t < 8 ? 0 : t < 24 ? -2 : 3) << t;
    ASSERT_EQ(q.grid.keys.size(), 3u);
    EXPECT_EQ(q.grid.keys[1].tick, 8);
}

TEST_F(ProblemTest, BadKeysAreErrors) {
    Constraints c;
    c.keys = {KeyChange{20, 8, "major"}};
    expect_error(c, {"bar 2", "more than 7"});
    c.keys = {KeyChange{20, 1, "dorian"}};
    expect_error(c, {"bar 2", "dorian"});
    c.keys = {KeyChange{32, 1, "major"}};
    expect_error(c, {"bar 2", "outside the piece"});
}

// ---- cadences -----------------------------------------------------------------------

struct CadenceCase {
    CadenceType type;
    int fifths;
    const char* mode;
};

class CadenceTest : public ProblemTest, public ::testing::WithParamInterface<CadenceCase> {};

// The chord of each cadence in semitones above the tonic, written out
// independently of the library's line-of-fifths arithmetic.
TEST_P(CadenceTest, RestrictsEveryVoiceToTheChord) {
    const CadenceCase& k = GetParam();
    const bool minor = std::string(k.mode) == "minor";
    const int tonic = ((k.fifths * 7) % 12 + 12 + (minor ? 9 : 0)) % 12;
    std::vector<int> chord;  // semitones above the tonic, root first
    int before = -1;         // the bass a quarter before
    switch (k.type) {
        case CadenceType::authentic:
            chord = {0, minor ? 3 : 4, 7};
            before = 7;
            break;
        case CadenceType::plagal:
            chord = {0, minor ? 3 : 4, 7};
            before = 5;
            break;
        case CadenceType::half:
            chord = {7, 11, 2};  // major in both modes: the raised leading tone
            break;
        case CadenceType::deceptive:
            chord = minor ? std::vector<int>{8, 0, 3} : std::vector<int>{9, 0, 4};
            before = 7;
            break;
    }
    std::set<int> tones;
    for (int s : chord) tones.insert((tonic + s) % 12);

    Constraints c;
    c.keys.push_back(KeyChange{0, k.fifths, k.mode});
    c.cadences.push_back(Cadence{24, k.type});
    const Problem p = compile(c);
    for (int v = 0; v < kNumVoices; ++v) {
        ASSERT_TRUE(p.is_free(v, 24));
        const std::set<int> expected = v == kBass ? std::set<int>{(tonic + chord[0]) % 12} : tones;
        EXPECT_EQ(pitch_classes(p, v, 24), expected) << voice_name(v);
        EXPECT_FALSE(allows(p, v, 24, token::kHold));
        EXPECT_FALSE(allows(p, v, 24, token::kRest));
        EXPECT_EQ(pitch_classes(p, v, 23).size(), 12u);  // neighbours untouched
    }
    if (before >= 0) {
        EXPECT_EQ(pitch_classes(p, kBass, 20), std::set<int>{(tonic + before) % 12});
        EXPECT_FALSE(allows(p, kBass, 20, token::kHold));
        EXPECT_EQ(pitch_classes(p, kTenor, 20).size(), 12u);
    } else {
        EXPECT_EQ(pitch_classes(p, kBass, 20).size(), 12u);
        EXPECT_TRUE(allows(p, kBass, 20, token::kHold));
    }
    // The cadence gets a fermata a quarter long.
    for (int t = 0; t < 32; ++t) EXPECT_EQ(p.grid.fermata[static_cast<size_t>(t)], t >= 24 && t < 28) << t;
}

INSTANTIATE_TEST_SUITE_P(
    MajorAndMinor, CadenceTest,
    ::testing::Values(
        CadenceCase{CadenceType::authentic, 0, "major"}, CadenceCase{CadenceType::half, 0, "major"},
        CadenceCase{CadenceType::plagal, 0, "major"}, CadenceCase{CadenceType::deceptive, 0, "major"},
        CadenceCase{CadenceType::authentic, 0, "minor"}, CadenceCase{CadenceType::half, 0, "minor"},
        CadenceCase{CadenceType::plagal, 0, "minor"}, CadenceCase{CadenceType::deceptive, 0, "minor"},
        CadenceCase{CadenceType::authentic, 2, "major"}, CadenceCase{CadenceType::half, -3, "minor"},
        CadenceCase{CadenceType::plagal, -2, "major"}, CadenceCase{CadenceType::deceptive, 3, "minor"}),
    [](const ::testing::TestParamInfo<CadenceCase>& info) {
        const int f = info.param.fifths;
        return to_string(info.param.type) + "_" + (f < 0 ? "flat" : "sharp") +
               std::to_string(f < 0 ? -f : f) + "_" + info.param.mode;
    });

// Constraints::final_cadence: a kept melody ending on a tone of the tonic
// triad ends with an authentic cadence, unless the user says otherwise.
TEST_F(ProblemTest, AKeptMelodyEndsWithAnAuthenticCadence) {
    Constraints c;
    c.regions.push_back(Region{{0, 32}, {false, true, true, true}});  // the soprano is kept
    const Problem p = compile(c);
    EXPECT_EQ(pitch_classes(p, kBass, 24), std::set<int>{0});  // C under the melody's last C5
    EXPECT_EQ(pitch_classes(p, kBass, 20), std::set<int>{7});  // G a quarter before
    EXPECT_EQ(pitch_classes(p, kAlto, 24), (std::set<int>{0, 4, 7}));
    EXPECT_EQ(pitch_classes(p, kTenor, 24), (std::set<int>{0, 4, 7}));
    EXPECT_EQ(pitch_classes(p, kTenor, 20).size(), 12u);
    for (int t = 0; t < 32; ++t) EXPECT_EQ(p.grid.fermata[static_cast<size_t>(t)], t >= 24 && t < 28) << t;
    // Off: the model decides.
    Constraints off = c;
    off.final_cadence = false;
    EXPECT_EQ(pitch_classes(compile(off), kBass, 24).size(), 12u);
    // A melody ending on D (not in C E G): no cadence is forced.
    Chorale d = base_grid();
    d.at(kSoprano, 24) = tok("D5");
    EXPECT_EQ(pitch_classes(compile(c, d), kBass, 24).size(), 12u);
    // A cadence the user gives replaces it.
    Constraints given = c;
    given.cadences.push_back(Cadence{12, CadenceType::half});
    EXPECT_EQ(pitch_classes(compile(given), kBass, 24).size(), 12u);
    // A kept bass (the region leaves it) or a drawn soprano: none.
    Constraints kept;
    kept.regions.push_back(Region{{0, 32}, {false, true, true, false}});
    EXPECT_EQ(pitch_classes(compile(kept), kAlto, 24).size(), 12u);
    EXPECT_EQ(pitch_classes(compile(Constraints{}), kBass, 24).size(), 12u);
    // A fixed bass note in the way: none, and no error.
    Constraints fixed_bass = c;
    fixed_bass.fixed.push_back(FixedNote{kBass, {24, 32}, tok("E3")});
    EXPECT_EQ(pitch_classes(compile(fixed_bass), kBass, 20).size(), 12u);
}

// Constraints::full_texture: the lower voices sound under a kept melody.
TEST_F(ProblemTest, UnderAKeptMelodyTheLowerVoicesSound) {
    Chorale base = base_grid();
    base.at(kSoprano, 8) = token::kRest;  // the melody rests on beat 3 (ticks 8-11) and enters at 12
    Constraints c;
    c.final_cadence = false;
    c.regions.push_back(Region{{0, 32}, {false, true, true, true}});
    const Problem p = compile(c, base);
    for (int v = kAlto; v <= kBass; ++v) {
        EXPECT_FALSE(allows(p, v, 5, token::kRest)) << voice_name(v);  // under D5
        EXPECT_TRUE(allows(p, v, 5, token::kHold)) << voice_name(v);
        EXPECT_TRUE(allows(p, v, 9, token::kRest)) << voice_name(v);    // the melody rests
        EXPECT_FALSE(allows(p, v, 12, token::kHold)) << voice_name(v);  // it enters again
        EXPECT_FALSE(allows(p, v, 12, token::kRest)) << voice_name(v);
        EXPECT_EQ(pitch_classes(p, v, 12).size(), 12u);
    }
    Constraints off = c;
    off.full_texture = false;
    const Problem q = compile(off, base);
    EXPECT_TRUE(allows(q, kAlto, 5, token::kRest));
    EXPECT_TRUE(allows(q, kAlto, 12, token::kHold));
    // No melody kept at all (generate): no voice starts a rest anywhere,
    // the soprano included (Bach's voices rest together, between phrases
    // with interludes, which a generated chorale has not); a hold goes on.
    const Problem drawn = compile(Constraints{}, base);
    for (int v = kSoprano; v <= kBass; ++v)
        for (int t : {0, 5, 9, 12}) {
            EXPECT_FALSE(allows(drawn, v, t, token::kRest)) << voice_name(v) << " tick " << t;
            if (t > 0) EXPECT_TRUE(allows(drawn, v, t, token::kHold)) << voice_name(v) << " tick " << t;
        }
    Constraints drawn_off;
    drawn_off.full_texture = false;
    EXPECT_TRUE(allows(compile(drawn_off, base), kTenor, 5, token::kRest));
    EXPECT_TRUE(allows(compile(drawn_off, base), kSoprano, 5, token::kRest));
    // A rhythm constraint keeps its own rests.
    Chorale resting = base;
    resting.at(kTenor, 4) = token::kRest;
    for (int t = 5; t < 8; ++t) resting.at(kTenor, t) = token::kHold;
    Constraints rhythm = off;
    rhythm.full_texture = true;
    rhythm.rhythm.push_back(RhythmConstraint{kTenor, {4, 8}});
    EXPECT_EQ(compile(rhythm, resting).grid.at(kTenor, 4), token::kRest);
}

TEST_F(ProblemTest, CadenceKeepsAnExistingFermata) {
    Chorale base = base_grid();
    for (int t = 24; t < 32; ++t) base.fermata[static_cast<size_t>(t)] = 1;
    Constraints c;
    c.cadences.push_back(Cadence{24, CadenceType::authentic});
    const Problem p = compile(c, base);
    EXPECT_EQ(p.grid.fermata, base.fermata);
}

TEST_F(ProblemTest, UnwrittenModeIsReadFromTheLastBassNote) {
    // The base's bass ends on C: C major.
    Constraints c;
    c.keys.push_back(KeyChange{0, 0, ""});
    c.cadences.push_back(Cadence{24, CadenceType::half});
    EXPECT_EQ(pitch_classes(compile(c), kBass, 24), std::set<int>{7});
    // Ending on A instead: A minor, whose dominant is E.
    Chorale base = base_grid();
    base.at(kBass, 24) = tok("A2");
    EXPECT_EQ(pitch_classes(compile(c, base), kBass, 24), std::set<int>{4});
    EXPECT_EQ(pitch_classes(compile(c, base), kSoprano, 24), (std::set<int>{4, 8, 11}));
}

TEST_F(ProblemTest, FixedNotesMustFitTheCadence) {
    Constraints c;
    c.cadences.push_back(Cadence{24, CadenceType::authentic});
    c.fixed.push_back(FixedNote{kSoprano, {24, 32}, tok("E5")});  // a chord tone
    c.fixed.push_back(FixedNote{kBass, {24, 32}, tok("C3")});
    EXPECT_NO_THROW(compile(c));

    c.fixed = {FixedNote{kAlto, {24, 32}, tok("F4")}};
    expect_error(c, {"base.musicxml", "bar 2", "Alto", "authentic cadence in C major", "C E G", "F4"});
    c.fixed = {FixedNote{kBass, {24, 32}, tok("E3")}};
    expect_error(c, {"bar 2", "Bass", "root C", "E3"});
    c.fixed = {FixedNote{kTenor, {24, 32}, token::kRest}};
    expect_error(c, {"bar 2", "Tenor", "rest"});
    // The bass a quarter before: the dominant, in the bar before here.
    c.fixed = {FixedNote{kBass, {12, 16}, tok("F2")}};
    c.cadences = {Cadence{16, CadenceType::authentic}};
    expect_error(c, {"bar 1", "Bass", "dominant G", "F2"});
    c.cadences = {Cadence{16, CadenceType::plagal}};
    c.fixed = {FixedNote{kBass, {12, 16}, tok("G2")}};
    expect_error(c, {"bar 1", "Bass", "subdominant F", "G2"});
}

TEST_F(ProblemTest, HeldNotesMustFitTheCadence) {
    Constraints c;
    c.cadences.push_back(Cadence{24, CadenceType::authentic});
    // The soprano's C5 (from 24) fixed as a hold there, started at 20.
    c.fixed.push_back(FixedNote{kSoprano, {20, 32}, tok("G5")});
    EXPECT_NO_THROW(compile(c));
    c.fixed = {FixedNote{kSoprano, {20, 32}, tok("A5")}};
    expect_error(c, {"bar 2", "Soprano", "held here is A5"});
    // A fixed hold whose onset is free narrows that onset to the chord.
    c.fixed = {FixedNote{kAlto, {22, 32}, token::kHold}};
    const Problem p = compile(c);
    EXPECT_EQ(pitch_classes(p, kAlto, 21), (std::set<int>{0, 4, 7}));
    EXPECT_FALSE(allows(p, kAlto, 21, token::kHold));
}

TEST_F(ProblemTest, CadenceWithNoPitchLeftIsAnError) {
    Constraints c;
    c.ranges[kSoprano] = VoiceRange{72, 72};  // only C5
    c.cadences.push_back(Cadence{24, CadenceType::half});
    expect_error(c, {"bar 2", "Soprano", "half cadence in C major", "G B D", "no such pitch"});
    c.cadences = {Cadence{32, CadenceType::half}};
    expect_error(c, {"bar 2", "cadence", "outside the piece"});
}

// ---- harmonizing a melody ------------------------------------------------------------

TEST_F(ProblemTest, HarmonizingAMelodyFixesTheSoprano) {
    const Chorale melody =
        melody_chorale(read_score(fs::path(DEEPBACH_TEST_DATA_DIR) / "melody_music21.musicxml"));
    const int T = melody.num_ticks;
    Constraints c;
    c.regions.push_back(Region{{0, T}, {false, true, true, true}});
    c.cadences.push_back(Cadence{64, CadenceType::authentic});  // E minor, under the closing fermata
    const Problem p = compile(c, melody);
    EXPECT_EQ(p.free_ticks[kSoprano].size(), 0u);
    for (int t = 0; t < T; ++t) {
        EXPECT_EQ(p.grid.at(kSoprano, t), melody.at(kSoprano, t));
        EXPECT_EQ(p.fixed[kSoprano][static_cast<size_t>(t)],
                  index(kSoprano, token::name(melody.at(kSoprano, t)).c_str()));
    }
    for (int v = kAlto; v < kNumVoices; ++v) {
        EXPECT_EQ(p.free_ticks[static_cast<size_t>(v)].size(), static_cast<size_t>(T));
        EXPECT_FALSE(allows(p, v, 0, token::kHold));
    }
    EXPECT_EQ(pitch_classes(p, kBass, 64), std::set<int>{4});   // E
    EXPECT_EQ(pitch_classes(p, kBass, 60), std::set<int>{11});  // B, the dominant
    EXPECT_EQ(pitch_classes(p, kTenor, 64), (std::set<int>{4, 7, 11}));
    EXPECT_EQ(p.grid.fermata, melody.fermata);
    // A half cadence under the first fermata contradicts the melody's E5 there.
    c.cadences = {Cadence{24, CadenceType::half}};
    expect_error(c,
                 {"melody_music21.musicxml", "bar 2", "Soprano", "half cadence in E minor", "B D# F#", "E5"},
                 melody);
}

TEST(CadenceType, NamesRoundTrip) {
    for (CadenceType t :
         {CadenceType::authentic, CadenceType::half, CadenceType::plagal, CadenceType::deceptive})
        EXPECT_EQ(parse_cadence_type(to_string(t)), t);
    EXPECT_EQ(parse_cadence_type("perfect"), CadenceType::authentic);
    EXPECT_EQ(parse_cadence_type("Interrupted"), CadenceType::deceptive);
    EXPECT_THROW(parse_cadence_type("phrygian"), Error);
}

}  // namespace

// Beats as text: a huge beat is an error, never an overflow into another
// tick (issue 15's fuzzing found "1.4611686018427387905" taken as 1.1).
TEST(BeatTick, HugeBeatsAreErrorsNotOverflows) {
    const Chorale base = base_grid();
    EXPECT_EQ(beat_tick(base, "1.1"), 0);
    EXPECT_EQ(beat_tick(base, "1.4"), 12);
    EXPECT_EQ(beat_tick(base, "8"), 28);
    for (const char* text : {"1.9223372036854775807", "1.4611686018427387905", "1.5", "9",
                             "9223372036854775807", "1.99999999999999999999999"}) {
        try {
            beat_tick(base, text);
            ADD_FAILURE() << "accepted " << text;
        } catch (const Error& e) {
            EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
        }
    }
}
