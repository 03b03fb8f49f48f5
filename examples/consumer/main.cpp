// A downstream program built against an installed libdeepbach (see
// CMakeLists.txt here): harmonizes the melody given on the command line.
//
//   consumer MELODY OUT.musicxml [--model FILE] [--seed N] [--iterations N]
#include <deepbach/deepbach.hpp>

#include <cstdio>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3 || (argc - 3) % 2 != 0) {
        std::fprintf(stderr, "usage: %s MELODY OUT.musicxml [--model FILE] [--seed N] [--iterations N]\n",
                     argv[0]);
        return 2;
    }
    try {
        deepbach::SamplingOptions options;  // no model: the installed one (default_model_path())
        for (int i = 3; i + 1 < argc; i += 2) {
            const std::string option = argv[i], value = argv[i + 1];
            if (option == "--model")
                options.model_path = value;
            else if (option == "--seed")
                options.seed = std::stoull(value);
            else if (option == "--iterations")
                options.iterations = std::stoi(value);
            else
                throw deepbach::Error("unknown option " + option);
        }
        const deepbach::Harmonization h = deepbach::harmonize(deepbach::read_score(argv[1]), {}, options);
        deepbach::write_musicxml(h.score(), argv[2]);
        std::printf("libdeepbach %s: harmonized %s in %.2f s (pseudo-log-likelihood %.4f), wrote %s\n",
                    deepbach::version(), argv[1], h.seconds, h.pseudo_log_likelihood, argv[2]);
    } catch (const deepbach::Error& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {  // std::stoull on a bad number
        std::fprintf(stderr, "consumer: bad argument: %s\n", e.what());
        return 1;
    }
    return 0;
}
