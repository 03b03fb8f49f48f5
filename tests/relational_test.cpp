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

#include <cmath>
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

// The three-motion layout, written out (docs/model-format.md).
constexpr int kPairSize = 13 * 13 * 3 * 3;
constexpr int kNone = kRelationalTableSize;  // an absent term: one past the table

// Entry of a pair table: slot of the other voice, interval classes before
// and after, motions (0 down, 1 same, 2 up) of the candidate's voice and of the other.
int entry(int slot, int before, int after, int mv, int mu) {
    return slot * kPairSize + ((before * 13 + after) * 3 + mv) * 3 + mu;
}

TEST(Relational, AParallelFifthReadsItsOwnEntry) {
    DEEPBACH_NEEDS_CORPUS();
    // Alto and bass a fifth (a twelfth) apart, G4/C3, then A4 over the bass to choose.
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"C5", "A4", "__", "C3"});
    const auto d3 = terms(h, kBass, 4, "D3");
    // Slots of the bass's other voices: soprano 0, alto 1, tenor 2.
    EXPECT_EQ(d3[2], entry(1, 7, 7, 2, 2));   // into tick 4 with the alto: fifth to fifth, both up
    EXPECT_EQ(d3[3], kNone);                  // out of the note: the piece ends
    EXPECT_EQ(d3[0], entry(0, 0, 10, 2, 1));  // with the soprano: octave C5/C3 to a seventh C5/D3
    const auto g2 = terms(h, kBass, 4, "G2");
    EXPECT_EQ(g2[2], entry(1, 7, 2, 0, 2));  // contrary motion into a ninth
    // A hold continues C3: the bass does not move.
    EXPECT_EQ(terms(h, kBass, 4, "__")[2], entry(1, 7, 9, 1, 2));
    // A rest sounds nothing: no pair terms, no key term.
    for (int x : terms(h, kBass, 4, "rest")) EXPECT_EQ(x, kNone);
    // The key term: C major (no sharps or flats), D is degree 2 above the tonic.
    EXPECT_EQ(d3[nn::kRelTerms - 1], 3 * kPairSize + 2);
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
    EXPECT_EQ(c5[0], entry(0, 5, 12, 2, 0));
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

TEST(Relational, FiveMotionsTellAStepFromALeap) {
    DEEPBACH_NEEDS_CORPUS();
    const Model& m = base();
    const nn::Relational three(m.vocabularies), five(m.vocabularies, true);
    EXPECT_EQ(three.size(), kRelationalTableSize);
    EXPECT_EQ(five.size(), kRelationalLeapTableSize);
    EXPECT_EQ(five.none(), kRelationalLeapTableSize);
    // Leap down, step down, same, step up, leap up; a step is one or two semitones.
    const std::array<int, 9> moves = {-7, -3, -2, -1, 0, 1, 2, 3, 12};
    const std::array<int, 9> classes = {0, 0, 1, 1, 2, 3, 3, 4, 4};
    for (std::size_t i = 0; i < moves.size(); ++i) {
        EXPECT_EQ(five.motion(moves[i]), classes[i]) << moves[i];
        EXPECT_EQ(three.motion(moves[i]), moves[i] < 0 ? 0 : moves[i] == 0 ? 1 : 2) << moves[i];
    }
    // The bass under C5 G4 E4 C3 -> C5 A4 __ ?: D3 steps up with the alto
    // (fifth to fifth), E3 leaps up a third into a fourth with it.
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"C5", "A4", "__", "C3"});
    const nn::EncodedChorale enc = nn::encode_chorale(h, m.vocabularies);
    const int V = m.vocabularies[kBass].size();
    std::vector<std::int32_t> out(static_cast<size_t>(h.num_ticks) * V * nn::kRelTerms, -7);
    five.indices(nn::view_of(enc), kBass, out.data());
    auto term = [&](const char* candidate, int j) {
        const int k = m.vocabularies[kBass].index(token::parse(candidate));
        return out[(static_cast<size_t>(4) * V + static_cast<size_t>(k)) * nn::kRelTerms + j];
    };
    constexpr int kPair5 = 13 * 13 * 5 * 5;
    EXPECT_EQ(term("D3", 2), 1 * kPair5 + ((7 * 13 + 7) * 5 + 3) * 5 + 3);
    EXPECT_EQ(term("E3", 2), 1 * kPair5 + ((7 * 13 + 5) * 5 + 4) * 5 + 3);
    EXPECT_EQ(term("D3", 2), five.pair_entry(1, 7, 7, 2, 2));
    EXPECT_EQ(term("D3", 3), five.none());                     // the piece ends
    EXPECT_EQ(term("D3", nn::kRelTerms - 1), 3 * kPair5 + 2);  // D in C major
}

TEST(Relational, TheLineReadsItsMelodicMovesAndRhythms) {
    DEEPBACH_NEEDS_CORPUS();
    const Model& m = base();
    const nn::Relational rel(m.vocabularies, false, true);
    EXPECT_EQ(rel.terms(), nn::kRelTerms + 7);
    EXPECT_EQ(rel.size(), kRelationalTableSize + kRelationalMelodySize);
    ModelConfig config = m.config;
    config.relational = true;
    config.relational_melody = true;
    EXPECT_EQ(relational_table_size(config), rel.size());
    // The layout (docs/model-format.md): after the key table, 12 x 27
    // melodic moves, then pitch or rest x position in the beat x length.
    const int base_index = 3 * kPairSize + 12;
    EXPECT_EQ(rel.melodic_entry(48, 50, 0), base_index + 0 * 27 + 2 + 13);  // C3 up to D3 in C
    EXPECT_EQ(rel.melodic_entry(55, 54, 7), base_index + 0 * 27 - 1 + 13);  // G down to F# in G
    EXPECT_EQ(rel.melodic_entry(48, 72, 0), base_index + 26);               // two octaves: "more than one"
    EXPECT_EQ(rel.melodic_entry(48, 35, 0), base_index + 0);
    EXPECT_EQ(rel.rhythm_entry(false, 0, 4), base_index + 324 + 3);
    EXPECT_EQ(rel.rhythm_entry(true, 3, 40), base_index + 324 + 7 * 16 + 15);  // a rest, clamped to 16
    // Spelled intervals after the rhythms: number x quality (semitones
    // minus major or perfect, -2..2).
    const int spelled = base_index + 324 + 128;
    EXPECT_EQ(rel.spelled_entry(1, 2), spelled + 1 * 5 + 2);    // C-D: a major second
    EXPECT_EQ(rel.spelled_entry(-1, -3), spelled + 1 * 5 + 3);  // G#-F down: an augmented second
    EXPECT_EQ(rel.spelled_entry(2, 2), spelled + 2 * 5 + 0);    // G#-Bb: a diminished third
    EXPECT_EQ(rel.spelled_entry(1, 3), rel.spelled_entry(-1, 3));
    EXPECT_NE(rel.spelled_entry(1, 3), rel.spelled_entry(2, 3));  // an augmented second is not a minor third
    EXPECT_EQ(rel.spelled_entry(7, 12), spelled + 2);             // the octave, as the unison
    EXPECT_EQ(rel.spelled_entry(11, 19), spelled + 4 * 5 + 2);    // a twelfth, as a fifth
    // Bass C3, ?, E3 in quarters (ticks 0, 4, 8), the candidate at tick 4.
    const Chorale c = test_support::quarter_grid(
        {{"C5", "__", "__"}, {"E4", "__", "__"}, {"G3", "__", "__"}, {"C3", "D3", "E3"}});
    const nn::EncodedChorale enc = nn::encode_chorale(c, m.vocabularies);
    const int V = m.vocabularies[kBass].size();
    const auto T = static_cast<std::size_t>(rel.terms());
    std::vector<std::int32_t> out(static_cast<size_t>(c.num_ticks) * static_cast<size_t>(V) * T, -7);
    rel.indices(nn::view_of(enc), kBass, out.data());
    auto term = [&](int t, const char* candidate, int j) {
        const int k = m.vocabularies[kBass].index(token::parse(candidate));
        EXPECT_GE(k, 0) << candidate;
        return out[(static_cast<size_t>(t) * static_cast<size_t>(V) + static_cast<size_t>(k)) * T +
                   static_cast<size_t>(nn::kRelTerms + j)];
    };
    const int none = rel.none();
    // D3 at tick 4: C3 -> D3 in, D3 -> E3 out; C3 lasts a quarter, D3 a quarter.
    EXPECT_EQ(term(4, "D3", 0), rel.melodic_entry(48, 50, 0));
    EXPECT_EQ(term(4, "D3", 1), rel.melodic_entry(50, 52, 0));
    EXPECT_EQ(term(4, "D3", 2), rel.rhythm_entry(false, 0, 4));
    EXPECT_EQ(term(4, "D3", 3), rel.rhythm_entry(false, 0, 4));
    EXPECT_EQ(term(4, "D3", 4), rel.spelled_entry(1, 2));
    EXPECT_EQ(term(4, "D3", 5), rel.spelled_entry(1, 2));
    EXPECT_EQ(term(4, "D3", 6), rel.register_entry(50));
    EXPECT_EQ(term(4, "__", 6), rel.register_entry(48));  // a hold sounds C3 on
    EXPECT_EQ(term(4, "rest", 6), none);
    // C3 -> Eb3 and C3 -> D#3 sound alike; spelled, a minor third and an augmented second.
    EXPECT_EQ(term(4, "Eb3", 4), rel.spelled_entry(2, 3));
    EXPECT_EQ(term(4, "D#3", 4), rel.spelled_entry(1, 3));
    EXPECT_EQ(term(4, "Eb3", 0), term(4, "D#3", 0));
    // A hold: C3 goes on for a half note and moves to E3.
    EXPECT_EQ(term(4, "__", 0), rel.melodic_entry(48, 52, 0));
    EXPECT_EQ(term(4, "__", 1), none);
    EXPECT_EQ(term(4, "__", 2), rel.rhythm_entry(false, 0, 8));
    EXPECT_EQ(term(4, "__", 3), none);
    EXPECT_EQ(term(4, "__", 4), rel.spelled_entry(2, 4));  // C3 -> E3, a major third
    EXPECT_EQ(term(4, "__", 5), none);
    // A rest: no melodic move; C3 a quarter, then a rest of a quarter.
    EXPECT_EQ(term(4, "rest", 0), none);
    EXPECT_EQ(term(4, "rest", 1), none);
    EXPECT_EQ(term(4, "rest", 2), rel.rhythm_entry(false, 0, 4));
    EXPECT_EQ(term(4, "rest", 3), rel.rhythm_entry(true, 0, 4));
    EXPECT_EQ(term(4, "rest", 4), none);
    EXPECT_EQ(term(4, "rest", 5), none);
    // F3 a sixteenth into D3's note (tick 5): D3 becomes a sixteenth, F3
    // starts on the second sixteenth of the beat and lasts three.
    EXPECT_EQ(term(5, "F3", 0), rel.melodic_entry(50, 53, 0));
    EXPECT_EQ(term(5, "F3", 1), rel.melodic_entry(53, 52, 0));
    EXPECT_EQ(term(5, "F3", 2), rel.rhythm_entry(false, 0, 1));
    EXPECT_EQ(term(5, "F3", 3), rel.rhythm_entry(false, 1, 3));
    // The first tick has no note before it; the last note ends with the piece.
    EXPECT_EQ(term(0, "C3", 0), none);
    EXPECT_EQ(term(0, "C3", 2), none);
    EXPECT_EQ(term(0, "C3", 1), rel.melodic_entry(48, 50, 0));
    EXPECT_EQ(term(8, "E3", 1), none);
    EXPECT_EQ(term(8, "E3", 3), rel.rhythm_entry(false, 0, 4));
    // Without melody the line is not read: terms() is kRelTerms.
    EXPECT_EQ(nn::Relational(m.vocabularies).terms(), nn::kRelTerms);
}

TEST(Relational, AddingTheLineKeepsTheConditionalsUntilCalibrated) {
    DEEPBACH_NEEDS_CORPUS();
    Model m = *test_support::small_model(ContextMode::full, 5, false, true);
    for (int v = 0; v < kNumVoices; ++v) {
        auto& t = m.weights.at("voices." + std::to_string(v) + ".relational").data;
        for (std::size_t e = 0; e < t.size(); ++e) t[e] = static_cast<float>(std::sin(0.37 * e + v));
    }
    Model lined = m;
    lined.add_relational_melody();
    EXPECT_TRUE(lined.config.relational_melody);
    EXPECT_EQ(lined.weights.at("voices.3.relational").data.size(),
              static_cast<size_t>(kRelationalTableSize + kRelationalMelodySize));
    lined.validate();
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"D5", "A4", "C4", "F2"});
    const nn::EncodedChorale enc = nn::encode_chorale(h, m.vocabularies);
    std::vector<Eigen::MatrixXf> a, b;
    for (int v = 0; v < kNumVoices; ++v) {
        nn::InferenceEngine(m, 1).full_logits(v, {nn::view_of(enc)}, a);
        nn::InferenceEngine(lined, 1).full_logits(v, {nn::view_of(enc)}, b);
        EXPECT_EQ((a[0] - b[0]).cwiseAbs().maxCoeff(), 0.0f) << "voice " << v;
    }
    // A rhythm entry moves exactly the candidates that read it: a rest of a
    // quarter on the beat, the bass's rest at tick 0 (to tick 4) and at tick
    // 4 (to the end), and nothing else.
    const nn::Relational rel(lined.vocabularies, lined.config);
    auto& table = lined.weights.at("voices.3.relational").data;
    table[static_cast<std::size_t>(rel.rhythm_entry(true, 0, 4))] += 2.5f;
    nn::InferenceEngine(m, 1).full_logits(kBass, {nn::view_of(enc)}, a);
    nn::InferenceEngine(lined, 1).full_logits(kBass, {nn::view_of(enc)}, b);
    const int rest = lined.vocabularies[kBass].index(token::kRest);
    const Eigen::MatrixXf diff = b[0] - a[0];
    EXPECT_NEAR(diff(0, rest), 2.5f, 1e-5f);
    EXPECT_NEAR(diff(4, rest), 2.5f, 1e-5f);
    EXPECT_NEAR(diff.cwiseAbs().sum(), 5.0f, 1e-4f);
    // Both refinements, in either order, give the same tables; the file keeps them.
    Model both = lined;
    both.add_relational_leaps();
    Model other = m;
    other.add_relational_leaps();
    other.add_relational_melody();
    other.weights.at("voices.3.relational")
        .data[static_cast<std::size_t>(
            nn::Relational(other.vocabularies, other.config).rhythm_entry(true, 0, 4))] += 2.5f;
    EXPECT_EQ(both.weights.at("voices.3.relational").data, other.weights.at("voices.3.relational").data);
    const auto path = std::filesystem::temp_directory_path() / "deepbach-relational-melody-test.safetensors";
    both.save(path);
    const Model back = Model::load(path);
    std::filesystem::remove(path);
    EXPECT_TRUE(back.config.relational_melody);
    EXPECT_TRUE(back.config.relational_leaps);
    EXPECT_EQ(back.weights.at("voices.3.relational").data, both.weights.at("voices.3.relational").data);
    Model plain = base();
    EXPECT_THROW(plain.add_relational_melody(), Error);
    plain.config.relational_melody = true;
    EXPECT_THROW(plain.validate(), Error);
}

TEST(Relational, RefiningIntoFiveMotionsKeepsTheConditionals) {
    DEEPBACH_NEEDS_CORPUS();
    Model m = *test_support::small_model(ContextMode::full, 5, false, true);
    // Tables with a distinct value per entry, so a misplaced copy shows.
    for (int v = 0; v < kNumVoices; ++v) {
        auto& t = m.weights.at("voices." + std::to_string(v) + ".relational").data;
        for (std::size_t e = 0; e < t.size(); ++e) t[e] = static_cast<float>(std::sin(0.37 * e + v));
    }
    Model refined = m;
    refined.add_relational_leaps();
    EXPECT_TRUE(refined.config.relational_leaps);
    EXPECT_EQ(refined.weights.at("voices.2.relational").data.size(),
              static_cast<size_t>(kRelationalLeapTableSize));
    refined.validate();
    const Chorale h = two_chords({"C5", "G4", "E4", "C3"}, {"D5", "A4", "C4", "F2"});
    const nn::EncodedChorale enc = nn::encode_chorale(h, m.vocabularies);
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Eigen::MatrixXf> a, b;
        nn::InferenceEngine(m, 1).full_logits(v, {nn::view_of(enc)}, a);
        nn::InferenceEngine(refined, 1).full_logits(v, {nn::view_of(enc)}, b);
        EXPECT_EQ((a[0] - b[0]).cwiseAbs().maxCoeff(), 0.0f) << "voice " << v;
    }
    // Twice is once; the file keeps the larger tables and the flag.
    Model again = refined;
    again.add_relational_leaps();
    EXPECT_EQ(again.weights.at("voices.0.relational").data, refined.weights.at("voices.0.relational").data);
    const auto path = std::filesystem::temp_directory_path() / "deepbach-relational-leaps-test.safetensors";
    refined.save(path);
    const Model back = Model::load(path);
    std::filesystem::remove(path);
    EXPECT_TRUE(back.config.relational_leaps);
    EXPECT_EQ(back.weights.at("voices.1.relational").data, refined.weights.at("voices.1.relational").data);
    // Leaps without relational potentials are refused.
    Model plain = base();
    EXPECT_THROW(plain.add_relational_leaps(), Error);
    plain.config.relational_leaps = true;
    EXPECT_THROW(plain.validate(), Error);
}

}  // namespace
