// Test helpers: the Bach corpus, read once, and small untrained models with
// its vocabularies (what the sampler tests need: constraints hold whatever
// the weights).
#pragma once

#include <deepbach/corpus.hpp>
#include <deepbach/model.hpp>

#include <map>
#include <memory>
#include <tuple>
#include <utility>

namespace deepbach::test_support {

inline const Corpus& bach_corpus() {
    static const Corpus c = load_corpus(DEEPBACH_CORPUS_DIR);
    return c;
}

/// One LSTM layer of 16, embeddings 8 and 4, MLPs of 16; cached per (mode,
/// seed, masked, relational). masked: with a mask input and the shared pitch
/// embedding; relational: with relational potentials (full mode).
inline std::shared_ptr<const Model> small_model(ContextMode mode, std::uint64_t seed, bool masked = false,
                                                bool relational = false) {
    static std::map<std::tuple<ContextMode, std::uint64_t, bool, bool>, std::shared_ptr<const Model>> cache;
    auto& m = cache[{mode, seed, masked, relational}];
    if (!m) {
        ModelConfig c;
        c.mode = mode;
        c.mask = masked;
        c.relational = relational;
        c.shared_pitch = masked;
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
