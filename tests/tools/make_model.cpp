// make_model CORPUS OUT [--mode window|full] [--hidden N] [--seed S]
//
// Writes an untrained model (seeded random weights) with the vocabularies and
// voice ranges of the corpus, for command-line tests that need a model file
// without training one (sampling constraints hold whatever the weights).
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: make_model CORPUS OUT [--mode window|full] [--hidden N] [--seed S]\n");
        return 2;
    }
    try {
        deepbach::ModelConfig config;
        std::uint64_t seed = 1;
        int hidden = 32;
        for (int i = 3; i + 1 < argc; i += 2) {
            const std::string flag = argv[i], value = argv[i + 1];
            if (flag == "--mode")
                config.mode = deepbach::parse_context_mode(value);
            else if (flag == "--hidden")
                hidden = std::stoi(value);
            else if (flag == "--seed")
                seed = std::stoull(value);
            else
                throw deepbach::Error("unknown option " + flag);
        }
        config.lstm_hidden = hidden;
        config.mlp_hidden = hidden;
        config.note_embedding = 8;
        config.meta_embedding = 4;
        const deepbach::Corpus corpus = deepbach::load_corpus(argv[1]);
        const auto model =
            deepbach::Model::initialize(config, deepbach::build_vocabularies(corpus), corpus.ranges(), seed);
        model.save(argv[2]);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_model: %s\n", e.what());
        return 1;
    }
}
