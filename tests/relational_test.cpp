// Relational potentials (libdeepbach/nn/relational.hpp): the table entry each
// candidate reads for its intervals and motion against each other voice and
// its pitch class in the key, and that the inference engine adds exactly
// those entries to the networks' logits.
#include "nn/relational.hpp"
#include "nn/encode.hpp"
#include "nn/inference.hpp"
#include "quarter_grid.hpp"
#include "small_model.hpp"

#include <deepbach/deepbach.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include "needs_corpus.hpp"

using namespace deepbach;

namespace {

using test_support::two_chords;  // tests/quarter_grid.hpp

const Model& base() {
    return *test_support::small_model(ContextMode::full, 5);
}

// The kRelTerms indices of `candidate` at (v, t).
std::array<int, nn::kRelTerms> terms(const Chorale& grid, int v, int t, const char* candidate) {
    const Model& m = base();
    const nn::Relational rel(m.vocabularies);
    const nn::EncodedChorale enc = nn::encode_chorale(grid, m.vocabularies);
    const int V = m.vocabularies[static_cast<size_t>(v)].size();
    std::vector<std::int32_t> out(static_cast<size_t>(grid.num_ticks) * V * nn::kRelTerms, -7);
    rel.indices(nn::view_of(enc), v, out.data());
    const int k = m.vocabularies[static_cast<size_t>(v)].index(token::parse(candidate));
    EXPECT_GE(k, 0) << candidate;
    std::array<int, nn::kRelTerms> r{};
    for (int j = 0; j < nn::kRelTerms; ++j)
        r[static_cast<size_t>(j)] =
            out[(static_cast<size_t>(t) * V + static_cast<size_t>(k)) * nn::kRelTerms + j];
    return r;
}

// Entry of a pair table: slot of the other voice, interval classes before
// and after, motions (0 down, 1 same, 2 up) of the candidate's voice and of the other.
int entry(int slot, int before, int after, int mv, int mu) {
    return slot * nn::kRelPairSize +
           ((before * nn::kRelIntervals + after) * nn::kRelMotions + mv) * nn::kRelMotions + mu;
}

TEST(Relational, AParallelFifthReadsItsOwnEntry) {
    DEEPBACH_NEEDS_CORPUS();
    // Alto and bass a fifth (a twelfth) apart, G4/C3, then A4 over the bass to choose.
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"C5", "A4", "__", "C3"});
    const auto d3 = terms(h, kBass, 4, "D3");
    // Slots of the bass's other voices: soprano 0, alto 1, tenor 2.
    EXPECT_EQ(d3[2], entry(1, 7, 7, 2, 2));   // into tick 4 with the alto: fifth to fifth, both up
    EXPECT_EQ(d3[3], nn::kRelNone);           // out of the note: the piece ends
    EXPECT_EQ(d3[0], entry(0, 0, 10, 2, 1));  // with the soprano: octave C5/C3 to a seventh C5/D3
    const auto g2 = terms(h, kBass, 4, "G2");
    EXPECT_EQ(g2[2], entry(1, 7, 2, 0, 2));  // contrary motion into a ninth
    // A hold continues C3: the bass does not move.
    EXPECT_EQ(terms(h, kBass, 4, "__")[2], entry(1, 7, 9, 1, 2));
    // A rest sounds nothing: no pair terms, no key term.
    for (int x : terms(h, kBass, 4, "rest")) EXPECT_EQ(x, nn::kRelNone);
    // The key term: C major (no sharps or flats), D is degree 2 above the tonic.
    EXPECT_EQ(d3[nn::kRelTerms - 1], 3 * nn::kRelPairSize + 2);
}

TEST(Relational, TheWayOutIsWhereTheNoteEnds) {
    DEEPBACH_NEEDS_CORPUS();
    // Three chords a quarter apart; the bass's note at tick 4 lasts to tick 8,
    // where alto and bass move up a step together: A4/D3 to B4/E3.
    Chorale c = Chorale::empty(12);
    const std::array<std::array<const char*, kNumVoices>, 3> chords = {
        {{"C5", "G4", "E4", "C3"}, {"C5", "A4", "__", "C3"}, {"B4", "B4", "D4", "E3"}}};
    for (int k = 0; k < 3; ++k)
        for (int v = 0; v < kNumVoices; ++v)
            c.at(v, 4 * k) = token::parse(chords[static_cast<size_t>(k)][static_cast<size_t>(v)]);
    const auto d3 = terms(c, kBass, 4, "D3");
    EXPECT_EQ(d3[3], entry(1, 7, 7, 2, 2));  // fifth to fifth, both up, at tick 8
    // The tenor holds E4 over D3 and moves to D4 at tick 8: a ninth (2) to a seventh (10).
    EXPECT_EQ(d3[5], entry(2, 2, 10, 2, 0));
    // The bass's hold at tick 6 continues D3 and leaves it at tick 8 as well.
    Chorale held = c;
    held.at(kBass, 4) = token::parse("D3");
    EXPECT_EQ(terms(held, kBass, 6, "__")[3], entry(1, 7, 7, 2, 2));
}

TEST(Relational, CrossedVoicesHaveTheirOwnClass) {
    DEEPBACH_NEEDS_CORPUS();
    const Chorale g = two_chords({"C5", "G4", "E4", "C3"}, {"B4", "G4", "G3", "G2"});
    const auto c5 = terms(g, kAlto, 4, "C5");  // the alto above the soprano's B4
    EXPECT_EQ(c5[0], entry(0, 5, nn::kRelIntervals - 1, 2, 0));
}

TEST(Relational, TheEngineAddsExactlyTheTableEntries) {
    DEEPBACH_NEEDS_CORPUS();
    Model m = base();
    m.config.relational = true;
    for (int v = 0; v < kNumVoices; ++v) {
        Tensor t;
        t.shape = {kRelationalTableSize};
        t.data.assign(kRelationalTableSize, 0.0f);
        m.weights["voices." + std::to_string(v) + ".relational"] = t;
    }
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"C5", "A4", "__", "C3"});
    const nn::EncodedChorale enc = nn::encode_chorale(h, m.vocabularies);
    std::vector<Eigen::MatrixXf> zero, set;
    nn::InferenceEngine(m, 1).full_logits(kBass, {nn::view_of(enc)}, zero);
    // Eigen logits with zero tables are the networks' own.
    std::vector<Eigen::MatrixXf> plain;
    nn::InferenceEngine(base(), 1).full_logits(kBass, {nn::view_of(enc)}, plain);
    EXPECT_EQ((zero[0] - plain[0]).cwiseAbs().maxCoeff(), 0.0f);
    auto& table = m.weights["voices.3.relational"].data;
    table[static_cast<size_t>(entry(1, 7, 7, 2, 2))] = -5.0f;
    nn::InferenceEngine(m, 1).full_logits(kBass, {nn::view_of(enc)}, set);
    const auto& vocab = m.vocabularies[kBass];
    const int d3 = vocab.index(token::parse("D3")), g2 = vocab.index(token::parse("G2"));
    EXPECT_FLOAT_EQ(set[0](4, d3) - zero[0](4, d3), -5.0f);
    EXPECT_FLOAT_EQ(set[0](4, g2) - zero[0](4, g2), 0.0f);
    // The model file keeps the tables, and a relational model in window mode is refused.
    const auto path = std::filesystem::temp_directory_path() / "deepbach-relational-test.safetensors";
    m.save(path);
    const Model back = Model::load(path);
    std::filesystem::remove(path);
    EXPECT_TRUE(back.config.relational);
    EXPECT_EQ(back.weights.at("voices.3.relational").data, table);
    Model window = m;
    window.config.mode = ContextMode::window;
    EXPECT_THROW(window.validate(), Error);
}

}  // namespace
