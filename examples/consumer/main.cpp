// A downstream program built against an installed libdeepbach (see
// CMakeLists.txt here), through the public API alone:
//
//   consumer MELODY OUT.musicxml [--model FILE] [--seed N] [--iterations N] [--work DIR]
//
// 1. harmonizes MELODY with the model (default: the installed one) on every
//    backend this build has (eigen; torch with deepbach::torch), writes OUT;
// 2. evaluates the model on the harmonization (NLL, parallel mass) and the
//    harmonization's voice leading;
// 3. with deepbach::torch and --work DIR: writes a few harmonizations of the
//    melody as a tiny corpus in DIR, trains a tiny model on it for a few
//    steps, evaluates it and samples with it.
#include <deepbach/deepbach.hpp>
#ifdef DEEPBACH_CONSUMER_TORCH
#include <deepbach/train.hpp>
#endif

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
    if (argc < 3 || (argc - 3) % 2 != 0) {
        std::fprintf(
            stderr, "usage: %s MELODY OUT.musicxml [--model FILE] [--seed N] [--iterations N] [--work DIR]\n",
            argv[0]);
        return 2;
    }
    try {
        deepbach::SamplingOptions options;  // no model: the installed one (default_model_path())
        fs::path work;
        for (int i = 3; i + 1 < argc; i += 2) {
            const std::string option = argv[i], value = argv[i + 1];
            if (option == "--model")
                options.model_path = value;
            else if (option == "--seed")
                options.seed = deepbach::parse_seed("seed", value);
            else if (option == "--iterations")
                options.iterations = static_cast<int>(deepbach::parse_count("iterations", value, 0));
            else if (option == "--work")
                work = value;
            else
                throw deepbach::Error("unknown option " + option);
        }
        options.model = std::make_shared<const deepbach::Model>(deepbach::Model::load(
            options.model_path.empty() ? deepbach::default_model_path() : options.model_path));
        const deepbach::Score melody = deepbach::read_score(argv[1]);

        // 1. Every backend there is.
        std::vector<deepbach::Backend> backends{deepbach::Backend::eigen};
#ifdef DEEPBACH_CONSUMER_TORCH
        deepbach::register_torch_backend();
        backends.push_back(deepbach::Backend::torch);
#endif
        deepbach::Harmonization h;
        for (deepbach::Backend backend : backends) {
            deepbach::SamplingOptions o = options;
            o.backend = backend;
            h = deepbach::harmonize(melody, {}, o);
            std::printf("harmonized with the %s backend (%s) in %.2f s, pseudo-log-likelihood %.4f\n",
                        deepbach::to_string(backend), h.backend.c_str(), h.seconds, h.pseudo_log_likelihood);
        }
        deepbach::write_musicxml(h.score(), argv[2]);
        std::printf("libdeepbach %s: wrote %s\n", deepbach::version(), argv[2]);

        // 2. The model on its own harmonization, and the harmonization's voice leading.
        const deepbach::ModelEvaluation e = deepbach::evaluate_model(*options.model, {h.chorale});
        const deepbach::VoiceLeadingStats stats = deepbach::voice_leading_stats(h.chorale);
        std::printf("evaluated: mean nll %.4f, parallel mass %.4f; %lld parallel fifths and octaves\n",
                    e.mean_nll, e.parallel_mass.mean_mass(), static_cast<long long>(stats.parallels()));

#ifdef DEEPBACH_CONSUMER_TORCH
        // 3. A tiny model trained on a tiny corpus of harmonizations of the melody.
        if (!work.empty()) {
            const fs::path corpus = work / "corpus";
            fs::remove_all(work);
            fs::create_directories(corpus);
            for (int i = 1; i <= 12; ++i) {
                deepbach::SamplingOptions o = options;
                o.seed = 100 + static_cast<std::uint64_t>(i);
                o.iterations = 2;
                deepbach::write_musicxml(deepbach::harmonize(melody, {}, o).score(),
                                         corpus / ("h" + std::to_string(i) + ".musicxml"));
            }
            deepbach::TrainOptions t;
            t.corpus = corpus;
            t.out = work / "tiny.safetensors";
            t.cache_dir = work / "cache";
            t.config.mode = deepbach::ContextMode::full;
            t.config.lstm_hidden = t.config.mlp_hidden = 8;
            t.config.note_embedding = t.config.meta_embedding = 4;
            t.max_steps = 2;
            t.batch_sequences = 2;
            t.device = deepbach::Device::cpu;
            t.threads = 1;
            t.monitor = 0;
            const deepbach::TrainingRecord record = deepbach::train_model(t);
            const auto tiny = std::make_shared<const deepbach::Model>(deepbach::Model::load(t.out));
            const deepbach::ModelEvaluation te = deepbach::evaluate_model(*tiny, {h.chorale});
            deepbach::SamplingOptions o = options;
            o.model = tiny;
            const deepbach::Harmonization th = deepbach::harmonize(melody, {}, o);
            std::printf(
                "trained a tiny model (%lld steps on %s): mean nll %.4f; it harmonized the melody in "
                "%.2f s\n",
                static_cast<long long>(record.steps), record.device.c_str(), te.mean_nll, th.seconds);
        }
#else
        if (!work.empty()) std::printf("training: this libdeepbach has no deepbach::torch\n");
#endif
    } catch (const deepbach::Error& e) {
        std::fprintf(stderr, "consumer: %s\n", e.what());
        return 1;
    }
    return 0;
}
