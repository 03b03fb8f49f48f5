// Test helpers: the Bach corpus, read once, and small untrained models with
// its vocabularies (what the sampler tests need: constraints hold whatever
// the weights).
#pragma once

#include <deepbach/corpus.hpp>
#include <deepbach/model.hpp>

#include <map>
#include <memory>
#include <utility>

namespace deepbach::test_support {

inline const Corpus& bach_corpus() {
    static const Corpus c = load_corpus(DEEPBACH_CORPUS_DIR);
    return c;
}

/// One LSTM layer of 16, embeddings 8 and 4, MLPs of 16; cached per (mode, seed).
inline std::shared_ptr<const Model> small_model(ContextMode mode, std::uint64_t seed) {
    static std::map<std::pair<ContextMode, std::uint64_t>, std::shared_ptr<const Model>> cache;
    auto& m = cache[{mode, seed}];
    if (!m) {
        ModelConfig c;
        c.mode = mode;
        c.note_embedding = 8;
        c.meta_embedding = 4;
        c.lstm_hidden = 16;
        c.mlp_hidden = 16;
        c.lstm_layers = 1;
        m = std::make_shared<const Model>(
            Model::initialize(c, build_vocabularies(bach_corpus()), bach_corpus().ranges(), seed));
    }
    return m;
}

}  // namespace deepbach::test_support
