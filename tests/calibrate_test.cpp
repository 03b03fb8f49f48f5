// Calibration of the relational potentials (deepbach/calibrate.hpp): a
// feature the sampler writes more often than Bach loses weight, nothing but
// the alto, tenor and bass tables changes, and the result follows the seed.
#include "nn/relational.hpp"
#include "small_model.hpp"

#include <deepbach/deepbach.hpp>

#include <gtest/gtest.h>

#include <string>
#include "needs_corpus.hpp"

using namespace deepbach;

namespace {

// The key table's entry for the pitch class a semitone above the tonic.
constexpr std::size_t kKeyEntry = 3 * 13 * 13 * 3 * 3 + 1;

// A small untrained relational model whose alto, tenor and bass tables give
// the pitch class a semitone above the tonic (out of every key) +6 nats.
Model biased_model() {
    Model m = *test_support::small_model(ContextMode::full, 11, false, true);
    for (int v = 1; v < kNumVoices; ++v)
        m.weights.at("voices." + std::to_string(v) + ".relational").data[kKeyEntry] = 6.0f;
    return m;
}

CalibrationOptions small_run(std::uint64_t seed) {
    CalibrationOptions o;
    o.corpus = DEEPBACH_CORPUS_DIR;
    o.rounds = 3;
    o.batch = 2;
    o.step = 1.0;
    o.sweeps = 2;
    o.average = 0;
    o.seed = seed;
    o.threads = 2;
    o.voices = {false, true, true, true};  // harmonizing only (the soprano's table: below)
    return o;
}

}  // namespace

TEST(Calibrate, AFeatureTheSamplerOverusesLosesWeight) {
    DEEPBACH_NEEDS_CORPUS();
    const Model before = biased_model();
    Model m = before;
    const CalibrationRecord r = calibrate_relations(m, small_run(1));
    EXPECT_EQ(r.rounds, 3);
    EXPECT_EQ(r.chorales, 6);
    // Out of key everywhere the bias reaches: Bach writes it far less, so
    // each round takes the full step (one nat) off it.
    for (int v = 1; v < kNumVoices; ++v)
        EXPECT_NEAR(m.weights.at("voices." + std::to_string(v) + ".relational").data[kKeyEntry], 3.0f, 1e-5)
            << "voice " << v;
    EXPECT_GT(r.first.out_of_key, r.first.bach_out_of_key);
    EXPECT_GT(r.first.distance, 0.0);
    EXPECT_LE(r.first.distance, 1.0);
    // Nothing else changes: the networks and the soprano's table.
    for (const auto& [name, t] : before.weights) {
        if (name == "voices.1.relational" || name == "voices.2.relational" || name == "voices.3.relational")
            continue;
        EXPECT_EQ(t.data, m.weights.at(name).data) << name;
    }
}

TEST(Calibrate, TheSopranosTableIsFittedOnGeneratedChorales) {
    DEEPBACH_NEEDS_CORPUS();
    Model before = biased_model();
    before.weights.at("voices.0.relational").data[kKeyEntry] = 6.0f;
    Model m = before;
    CalibrationOptions o = small_run(3);
    o.voices = {true, false, false, false};
    o.generate_bars = 2;
    const CalibrationRecord r = calibrate_relations(m, o);
    EXPECT_EQ(r.chorales, 0);  // nothing harmonized: only the soprano's table is fitted
    EXPECT_EQ(r.generated, 6);
    // Three rounds of at most a nat each; generated pieces of two bars are
    // short, so a round may take less than the full step.
    EXPECT_LT(m.weights.at("voices.0.relational").data[kKeyEntry], 4.5f);
    EXPECT_GE(m.weights.at("voices.0.relational").data[kKeyEntry], 3.0f - 1e-5f);
    for (const auto& [name, t] : before.weights)
        if (name != "voices.0.relational") EXPECT_EQ(t.data, m.weights.at(name).data) << name;
}

TEST(Calibrate, TheLowerTablesCanBeFittedOnGeneratedChoralesToo) {
    DEEPBACH_NEEDS_CORPUS();
    Model plain = biased_model(), both = biased_model();
    CalibrationOptions o = small_run(3);
    o.generate_bars = 2;
    const CalibrationRecord rp = calibrate_relations(plain, o);
    o.generated_lower = true;
    const CalibrationRecord rb = calibrate_relations(both, o);
    EXPECT_EQ(rp.generated, 0);  // the soprano's table is not fitted: nothing generated
    EXPECT_EQ(rb.generated, 6);
    EXPECT_EQ(rb.chorales, 6);
    // The same harmonizations, more counts: the tables differ, and the soprano's is untouched.
    EXPECT_NE(plain.weights.at("voices.3.relational").data, both.weights.at("voices.3.relational").data);
    EXPECT_EQ(biased_model().weights.at("voices.0.relational").data,
              both.weights.at("voices.0.relational").data);
}

TEST(Calibrate, LeapsRefineTheTablesFirst) {
    DEEPBACH_NEEDS_CORPUS();
    Model m = biased_model();
    CalibrationOptions o = small_run(1);
    o.leaps = true;
    o.rounds = 1;
    calibrate_relations(m, o);
    EXPECT_TRUE(m.config.relational_leaps);
    m.validate();
    // The key entries keep their place at the end of the larger table, and lose the step.
    const auto& t = m.weights.at("voices.2.relational").data;
    ASSERT_EQ(t.size(), static_cast<size_t>(kRelationalLeapTableSize));
    EXPECT_NEAR(t[static_cast<size_t>(3 * 13 * 13 * 5 * 5 + 1)], 5.0f, 1e-5);
}

TEST(Calibrate, MelodyFitsEachVoicesLine) {
    DEEPBACH_NEEDS_CORPUS();
    // A bass that loves sixteenths: a note starting on the second sixteenth
    // of a beat and lasting one tick gets six nats.
    Model m = biased_model();
    m.add_relational_melody();
    const nn::Relational rel(m.vocabularies, m.config);
    const auto sixteenth = static_cast<std::size_t>(rel.rhythm_entry(false, 1, 1));
    m.weights.at("voices.3.relational").data[sixteenth] = 6.0f;
    const Model before = m;
    CalibrationOptions o = small_run(2);
    o.melody = true;  // the model has the entries already: nothing added
    calibrate_relations(m, o);
    EXPECT_TRUE(m.config.relational_melody);
    const auto& t = m.weights.at("voices.3.relational").data;
    ASSERT_EQ(t.size(), static_cast<size_t>(kRelationalTableSize + kRelationalMelodySize));
    // Bach writes far fewer: three rounds take most of the bias off.
    EXPECT_LT(t[sixteenth], 4.5f);
    EXPECT_GE(t[sixteenth], 3.0f - 1e-5f);
    // A model without the entries gets them, at zero, then fitted.
    Model plain = biased_model();
    o.rounds = 1;
    calibrate_relations(plain, o);
    EXPECT_TRUE(plain.config.relational_melody);
    plain.validate();
}

TEST(Calibrate, TheSeedDecidesTheResult) {
    DEEPBACH_NEEDS_CORPUS();
    Model a = biased_model(), b = biased_model(), c = biased_model();
    CalibrationOptions o = small_run(5);
    o.rounds = 2;
    calibrate_relations(a, o);
    o.threads = 1;  // results do not depend on the threads
    calibrate_relations(b, o);
    o.seed = 6;
    calibrate_relations(c, o);
    EXPECT_EQ(a.weights.at("voices.2.relational").data, b.weights.at("voices.2.relational").data);
    EXPECT_NE(a.weights.at("voices.2.relational").data, c.weights.at("voices.2.relational").data);
}

TEST(Calibrate, AveragingMeansTheLastRoundsTables) {
    DEEPBACH_NEEDS_CORPUS();
    Model m = biased_model();
    CalibrationOptions o = small_run(1);
    o.average = 1.0;  // the mean of rounds 1..3: 6 - (1 + 2 + 3) / 3
    calibrate_relations(m, o);
    EXPECT_NEAR(m.weights.at("voices.1.relational").data[kKeyEntry], 4.0f, 1e-5);
}

TEST(Calibrate, RefusesAModelWithoutRelationalPotentials) {
    DEEPBACH_NEEDS_CORPUS();
    Model m = *test_support::small_model(ContextMode::full, 5);
    try {
        calibrate_relations(m, small_run(1));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("relational"), std::string::npos) << e.what();
    }
}

TEST(Calibrate, OptionsOutsideTheirLimitsAreRefused) {
    auto refused = [](auto change, const char* what) {
        CalibrationOptions o;
        change(o);
        try {
            validate(o);
            ADD_FAILURE() << "accepted: " << what;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    refused([](CalibrationOptions& o) { o.rounds = 0; }, "rounds 0");
    refused([](CalibrationOptions& o) { o.batch = 0; }, "batch 0");
    refused([](CalibrationOptions& o) { o.step = 0; }, "step");
    refused([](CalibrationOptions& o) { o.smoothing = -1; }, "smoothing");
    refused([](CalibrationOptions& o) { o.average = 1.5; }, "average 1.5");
    refused([](CalibrationOptions& o) { o.sweeps = -1; }, "sweeps -1");
    refused([](CalibrationOptions& o) { o.temperature = 0; }, "temperature");
    refused([](CalibrationOptions& o) { o.generate_bars = 0; }, "generated bars 0");
    refused([](CalibrationOptions& o) { o.voices = {false, false, false, false}; }, "voices");
    validate(CalibrationOptions{});
}
