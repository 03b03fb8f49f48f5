// The shipped model (models/deepbach.safetensors): it loads, default_model_path()
// finds it, its validation figures are reproduced by evaluating it on the
// validation split of the corpus, and the model card quotes those figures.
#include "nn/encode.hpp"
#include "nn/evaluate.hpp"
#include "nn/inference.hpp"

#include <deepbach/deepbach.hpp>

#include <gtest/gtest.h>

#include <fmt/format.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include "needs_corpus.hpp"

using namespace deepbach;
namespace fs = std::filesystem;

namespace {

const fs::path kModel = fs::path(DEEPBACH_SOURCE_DIR) / "models" / "deepbach.safetensors";
const fs::path kCard = fs::path(DEEPBACH_SOURCE_DIR) / "models" / "README.md";

TEST(ShippedModel, IsTheDefaultAndFitsTheBudget) {
    ASSERT_TRUE(fs::exists(kModel)) << kModel << " is missing: the project ships a model";
    EXPECT_LE(fs::file_size(kModel), 20u << 20) << "the shipped model must stay within 20 MiB";
    const Model m = Model::load(kModel);
    EXPECT_FALSE(m.training.corpus_checksum.empty());
    EXPECT_GT(m.training.steps, 0);
    // Without $DEEPBACH_MODEL the library finds this file (or an installed copy).
    if (std::getenv("DEEPBACH_MODEL") == nullptr) {
        const fs::path found = default_model_path();
        EXPECT_EQ(Model::load(found).training.finished_at, m.training.finished_at) << found;
    }
}

TEST(ShippedModel, ValidationFiguresAreReproducedAndQuotedByTheCard) {
    DEEPBACH_NEEDS_CORPUS();
    const Model m = Model::load(kModel);
    const Corpus corpus = load_corpus(DEEPBACH_CORPUS_DIR, CorpusOptions{0});
    ASSERT_EQ(corpus.checksum, m.training.corpus_checksum) << "the model was trained on another corpus";
    const Split split = split_chorales(static_cast<int>(corpus.chorales.size()), m.training.seed);
    std::vector<nn::EncodedChorale> valid;
    for (int i : split.valid)
        valid.push_back(nn::encode_chorale(corpus.chorales[static_cast<size_t>(i)], m.vocabularies));
    const nn::InferenceEngine engine(m, 0);
    const auto metrics = nn::evaluate(engine, m, valid);

    std::ifstream in(kCard);
    ASSERT_TRUE(in) << kCard << " is missing: the model card";
    std::stringstream card;
    card << in.rdbuf();
    for (int v = 0; v < kNumVoices; ++v) {
        const VoiceMetrics& got = metrics[static_cast<size_t>(v)];
        const VoiceMetrics& recorded = m.training.validation[static_cast<size_t>(v)];
        // The record was taken with the float32 weights training held; the
        // file stores them as float16.
        EXPECT_NEAR(got.nll, recorded.nll, 2e-3) << voice_name(v);
        EXPECT_NEAR(got.onset_accuracy, recorded.onset_accuracy, 2e-3) << voice_name(v);
        // The card's table quotes both, to 3 decimals.
        EXPECT_NE(card.str().find(fmt::format("{:.3f}", got.nll)), std::string::npos)
            << "the model card does not quote the " << voice_name(v) << " NLL "
            << fmt::format("{:.3f}", got.nll);
        EXPECT_NE(card.str().find(fmt::format("{:.3f}", got.onset_accuracy)), std::string::npos)
            << "the model card does not quote the " << voice_name(v) << " onset accuracy";
    }
}

}  // namespace
