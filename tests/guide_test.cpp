// The sampler's voice-leading guide: the rules it counts for each candidate
// of a cell (the evaluation's rules, restricted to what the candidate
// changes), and that sampling with it writes fewer parallels.
#include "sample/guide.hpp"
#include "nn/encode.hpp"
#include "quarter_grid.hpp"
#include "small_model.hpp"

#include <deepbach/deepbach.hpp>

#include <gtest/gtest.h>

#include <memory>
#include <vector>
#include "needs_corpus.hpp"

using namespace deepbach;

namespace {

std::shared_ptr<const Model> small_model() {
    return test_support::small_model(ContextMode::full, 5);
}

using test_support::two_chords;  // tests/quarter_grid.hpp

// The guide's counts for `candidate` (a token name) at (v, t) of `grid`.
VoiceLeadingStats judge(const Chorale& grid, int v, int t, const char* candidate) {
    const Model& m = *small_model();
    const sample::VoiceLeadingGuide guide(m, grid.num_ticks, 1.0);
    const nn::EncodedChorale enc = nn::encode_chorale(grid, m.vocabularies);
    const int index = m.vocabularies[static_cast<size_t>(v)].index(token::parse(candidate));
    EXPECT_GE(index, 0) << candidate;
    return guide.counts(enc.notes, v, t, index);
}

TEST(VoiceLeadingGuide, ParallelOctavesAndFifthsOfABassCandidate) {
    DEEPBACH_NEEDS_CORPUS();
    // C5 G4 E4 C3, then B4 (alto holds) D4 and the bass to choose.
    const Chorale g = two_chords({"C5", "G4", "E4", "C3"}, {"B4", "__", "D4", "C3"});
    const auto b2 = judge(g, kBass, 4, "B2");  // octave C5/C3 to octave B4/B2, both down
    EXPECT_EQ(b2.parallel_octaves, 1);
    EXPECT_EQ(b2.parallels(), 1);
    EXPECT_EQ(judge(g, kBass, 4, "G2").parallels(), 0);
    EXPECT_EQ(judge(g, kBass, 4, "D3").parallels(), 0);  // tenor E4->D4 against bass up: contrary motion
    EXPECT_EQ(judge(g, kBass, 4, "__").parallels(), 0);  // the bass holds C3: no motion
    EXPECT_EQ(judge(g, kBass, 4, "rest").parallels(), 0);
    // A fifth between alto and bass kept in similar motion: G4/C3 to A4/D3.
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"C5", "A4", "__", "C3"});
    const auto d3 = judge(h, kBass, 4, "D3");
    EXPECT_EQ(d3.parallel_fifths, 1);
    EXPECT_EQ(d3.parallel_octaves, 0);
}

TEST(VoiceLeadingGuide, HiddenOctaveOnlyWhenTheSopranoLeaps) {
    DEEPBACH_NEEDS_CORPUS();
    // Soprano leaps G4 -> C5, bass E2 -> C3: from a tenth into an octave in similar motion.
    const Chorale leap = two_chords({"G4", "C4", "G3", "E2"}, {"C5", "E4", "G3", "C3"});
    EXPECT_EQ(judge(leap, kBass, 4, "C3").hidden_octaves, 1);
    EXPECT_EQ(judge(leap, kBass, 4, "E3").hidden_octaves, 0);
    // By step (B4 -> C5) it is not hidden.
    const Chorale step = two_chords({"B4", "D4", "G3", "G2"}, {"C5", "E4", "G3", "C3"});
    EXPECT_EQ(judge(step, kBass, 4, "C3").hidden_octaves, 0);
}

TEST(VoiceLeadingGuide, AHiddenOctaveCostsTwiceAHiddenFifth) {
    DEEPBACH_NEEDS_CORPUS();
    // Soprano leaps G4 -> C5 over a bass from E2: C3 makes a hidden octave
    // (2 nats: the textbook's worse hidden motion), F3 a hidden fifth (1).
    const Chorale leap = two_chords({"G4", "C4", "G3", "E2"}, {"C5", "E4", "G3", "C3"});
    EXPECT_EQ(judge(leap, kBass, 4, "F3").hidden_fifths, 1);
    const Model& m = *small_model();
    const sample::VoiceLeadingGuide guide(m, leap.num_ticks, 1.0);
    const nn::EncodedChorale enc = nn::encode_chorale(leap, m.vocabularies);
    const Vocabulary& bass = m.vocabularies[kBass];
    std::vector<float> logits(static_cast<size_t>(bass.size()), 0.0f);
    const std::vector<std::uint8_t> allowed(static_cast<size_t>(bass.size()), 1);
    guide.apply(enc.notes, kBass, 4, allowed.data(), bass.size(), logits.data());
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::parse("C3")))], -2.0f);
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::parse("F3")))], -1.0f);
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::parse("A2")))], 0.0f);
}

TEST(VoiceLeadingGuide, ContraryOctavesCostWhatHiddenOnesDo) {
    DEEPBACH_NEEDS_CORPUS();
    // C5/C3 an octave apart; the soprano steps down to B4; the bass to B3
    // (up) makes the octave again by contrary motion, to G2 it does not.
    const Chorale g = two_chords({"C5", "G4", "E4", "C3"}, {"B4", "__", "D4", "C3"});
    EXPECT_EQ(judge(g, kBass, 4, "B3").contrary_octaves, 1);
    EXPECT_EQ(judge(g, kBass, 4, "B3").parallels(), 0);
    EXPECT_EQ(judge(g, kBass, 4, "G2").contrary_octaves, 0);
    const Model& m = *small_model();
    const sample::VoiceLeadingGuide guide(m, g.num_ticks, 1.0);
    const nn::EncodedChorale enc = nn::encode_chorale(g, m.vocabularies);
    const Vocabulary& bass = m.vocabularies[kBass];
    std::vector<float> logits(static_cast<size_t>(bass.size()), 0.0f);
    const std::vector<std::uint8_t> allowed(static_cast<size_t>(bass.size()), 1);
    guide.apply(enc.notes, kBass, 4, allowed.data(), bass.size(), logits.data());
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::parse("G2")))], 0.0f);
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::parse("B3")))], -1.0f);
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::parse("B2")))], -4.0f);  // parallel octaves
    // D2 is below the bass's usual E2..C4: one nat; a hold is no new note.
    const int d2 = bass.index(token::parse("D2"));
    ASSERT_GE(d2, 0);
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(d2)], -1.0f);
    EXPECT_FLOAT_EQ(logits[static_cast<size_t>(bass.index(token::kHold))], 0.0f);
}

TEST(VoiceLeadingGuide, CrossingAndSpacingOfAnAltoCandidate) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale g = two_chords({"C5", "G4", "E4", "C3"}, {"B4", "G4", "G3", "G2"});
    EXPECT_EQ(judge(g, kAlto, 4, "C5").voice_crossings, 1);  // above the soprano's B4
    EXPECT_EQ(judge(g, kAlto, 4, "G4").voice_crossings, 0);
    EXPECT_EQ(judge(g, kAlto, 4, "G4").spacing, 0);
    EXPECT_EQ(judge(g, kAlto, 4, "A3").spacing, 1);  // B4 over A3: more than an octave
    EXPECT_EQ(judge(g, kAlto, 4, "A3").voice_crossings, 0);
}

TEST(VoiceLeadingGuide, AHoldCountsOverTheWholeNote) {
    DEEPBACH_NEEDS_CORPUS();
    // The soprano moves down to A4: a hold candidate at 4 keeps the alto's
    // C5 sounding above it.
    const Chorale g = two_chords({"D5", "C5", "E4", "F3"}, {"A4", "C5", "__", "__"});
    EXPECT_EQ(judge(g, kAlto, 4, "__").voice_crossings, 1);
    EXPECT_EQ(judge(g, kAlto, 4, "F4").voice_crossings, 0);
}

// Sampling with the guide on writes fewer parallel fifths and octaves than
// the model alone (an untrained model, so the guide is all that differs).
TEST(VoiceLeadingGuide, SamplingWithTheGuideWritesFewerParallels) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale chorale =
        first_bars(to_chorale(read_score(std::string(DEEPBACH_CORPUS_DIR) + "/bwv10.7.mxl")), 8);
    std::int64_t parallels[2] = {0, 0};
    std::int64_t crossings[2] = {0, 0};
    for (int guided = 0; guided < 2; ++guided) {
        for (std::uint64_t seed = 1; seed <= 3; ++seed) {
            SamplingOptions o;
            o.model = small_model();
            o.seed = seed;
            o.iterations = 40;
            o.voice_leading = guided ? 5.0 : 0.0;
            const Harmonization h = harmonize(to_score(chorale), {}, o);
            const VoiceLeadingStats s = voice_leading_stats(h.chorale);
            parallels[guided] += s.parallels();
            crossings[guided] += s.voice_crossings;
        }
    }
    EXPECT_GT(parallels[0], 0);
    EXPECT_LT(parallels[1] * 4, parallels[0]) << parallels[1] << " against " << parallels[0];
    EXPECT_LT(crossings[1], crossings[0]);
}

TEST(VoiceLeadingGuide, StrengthMustBeANumberAtLeastZero) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale chorale =
        first_bars(to_chorale(read_score(std::string(DEEPBACH_CORPUS_DIR) + "/bwv10.7.mxl")), 2);
    SamplingOptions o;
    o.model = small_model();
    o.iterations = 1;
    o.voice_leading = -1;
    EXPECT_THROW(harmonize(to_score(chorale), {}, o), Error);
}

}  // namespace
