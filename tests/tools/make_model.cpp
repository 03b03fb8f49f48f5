// make_model CORPUS|- OUT [--mode window|full] [--hidden N] [--seed S]
//
// Writes an untrained model (seeded random weights) with the vocabularies and
// voice ranges of the corpus, for command-line tests that need a model file
// without training one (sampling constraints hold whatever the weights).
// Without the corpus (CORPUS is "-" or not a folder): the chorale ranges and
// every pitch spelled with at most one accidental (deepbach::spelled_vocabulary),
// so the tests that need only a model need no corpus.
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: make_model CORPUS|- OUT [--mode window|full] [--hidden N] [--seed S]\n");
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
        std::array<deepbach::Vocabulary, deepbach::kNumVoices> vocabularies;
        std::array<deepbach::VoiceRange, deepbach::kNumVoices> ranges = deepbach::kChoraleRanges;
        if (std::string(argv[1]) != "-" && std::filesystem::is_directory(argv[1])) {
            const deepbach::Corpus corpus = deepbach::load_corpus(argv[1]);
            vocabularies = deepbach::build_vocabularies(corpus);
            ranges = corpus.ranges();
        } else {
            for (int v = 0; v < deepbach::kNumVoices; ++v)
                vocabularies[static_cast<size_t>(v)] =
                    deepbach::spelled_vocabulary(ranges[static_cast<size_t>(v)]);
        }
        const auto model = deepbach::Model::initialize(config, vocabularies, ranges, seed);
        model.save(argv[2]);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "make_model: %s\n", e.what());
        return 1;
    }
}
