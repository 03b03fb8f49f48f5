// Builds the full training set from the corpus, timing the corpus load, the
// build, and the binary cache's save and load separately.
//
//   bench_dataset [corpus_dir] [--threads N] [--repeat N]
//
// Human-readable lines first; the last line is one JSON object.
#include <deepbach/corpus.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "bench_dataset: %s\nusage: bench_dataset [corpus_dir] [--threads N] [--repeat N]\n",
                 why);
    std::exit(2);
}

int parse_count(const char* text, int minimum) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < minimum || value > 10000) usage("bad number");
    return static_cast<int>(value);
}

}  // namespace

int main(int argc, char** argv) {
    std::string folder = DEEPBACH_CORPUS_DIR;
    int threads = 1;
    int repeat = 3;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--threads" && i + 1 < argc) {
            threads = parse_count(argv[++i], 0);
        } else if (arg == "--repeat" && i + 1 < argc) {
            repeat = parse_count(argv[++i], 1);
        } else if (!arg.empty() && arg[0] != '-') {
            folder = arg;
        } else {
            usage(("unknown argument " + arg).c_str());
        }
    }

    try {
        auto start = Clock::now();
        const deepbach::Corpus corpus = deepbach::load_corpus(folder, {threads});
        const double seconds_load = since(start);
        std::printf("loaded %zu chorales (%zu rejected) in %.3f s\n", corpus.chorales.size(),
                    corpus.rejected.size(), seconds_load);

        std::vector<double> build;
        deepbach::Dataset dataset;
        for (int r = 0; r < repeat; ++r) {
            start = Clock::now();
            dataset = deepbach::build_dataset(corpus, {1, threads});
            build.push_back(since(start));
            std::printf("build %d: %.3f s\n", r + 1, build.back());
        }
        const double seconds_build = *std::min_element(build.begin(), build.end());

        const std::filesystem::path cache = std::filesystem::temp_directory_path() /
                                            ("bench_dataset-" + std::to_string(std::rand()) + ".bin");
        start = Clock::now();
        deepbach::save_dataset(dataset, cache);
        const double seconds_save = since(start);
        const auto cache_bytes = std::filesystem::file_size(cache);
        start = Clock::now();
        const deepbach::Dataset loaded = deepbach::load_dataset(cache);
        const double seconds_cache_load = since(start);
        std::filesystem::remove(cache);
        if (loaded.sequences.size() != dataset.sequences.size())
            throw deepbach::Error("cache round trip differs");

        const std::int64_t ticks = static_cast<std::int64_t>(dataset.fermata.size());
        std::int64_t music = 0;
        for (const auto& s : dataset.sequences) music += s.length;
        std::printf("%zu sequences, %lld padded ticks (%lld of music), %.2f shifts per chorale\n",
                    dataset.sequences.size(), static_cast<long long>(ticks), static_cast<long long>(music),
                    corpus.chorales.empty() ? 0.0
                                            : static_cast<double>(dataset.sequences.size()) /
                                                  static_cast<double>(corpus.chorales.size()));
        std::printf("vocabulary sizes: %d %d %d %d\n", dataset.vocabularies[0].size(),
                    dataset.vocabularies[1].size(), dataset.vocabularies[2].size(),
                    dataset.vocabularies[3].size());
        for (int v = 0; v < deepbach::kNumVoices; ++v) {
            std::printf("range %s: %d..%d\n", deepbach::voice_name(v), dataset.ranges[v].lowest,
                        dataset.ranges[v].highest);
        }
        std::printf("split: %zu train, %zu valid, %zu test chorales\n", dataset.split.train.size(),
                    dataset.split.valid.size(), dataset.split.test.size());
        std::printf("cache: %llu bytes, save %.3f s, load %.3f s\n",
                    static_cast<unsigned long long>(cache_bytes), seconds_save, seconds_cache_load);
        std::printf(
            "{\"benchmark\":\"dataset_build\",\"chorales\":%zu,\"sequences\":%zu,\"ticks\":%lld,\"music_"
            "ticks\":%"
            "lld,"
            "\"vocab\":[%d,%d,%d,%d],\"seconds_load\":%.4f,\"seconds_build\":%.4f,\"seconds_cache_save\":%."
            "4f,"
            "\"seconds_cache_load\":%.4f,\"cache_bytes\":%llu,\"repeat\":%d,\"threads\":%d}\n",
            corpus.chorales.size(), dataset.sequences.size(), static_cast<long long>(ticks),
            static_cast<long long>(music), dataset.vocabularies[0].size(), dataset.vocabularies[1].size(),
            dataset.vocabularies[2].size(), dataset.vocabularies[3].size(), seconds_load, seconds_build,
            seconds_save, seconds_cache_load, static_cast<unsigned long long>(cache_bytes), repeat, threads);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_dataset: %s\n", e.what());
        return 1;
    }
    return 0;
}
