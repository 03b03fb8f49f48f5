// Reads the whole corpus into grids and reports how long it took.
//
//   bench_corpus [corpus_dir] [--threads N] [--repeat N]
//
// Human-readable lines first; the last line is one JSON object.
#include <deepbach/corpus.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr, "bench_corpus: %s\nusage: bench_corpus [corpus_dir] [--threads N] [--repeat N]\n",
                 why);
    std::exit(2);
}

int parse_count(const char* text, int minimum) {
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    if (end == text || *end != '\0' || value < minimum || value > 10000) usage("bad number");
    return static_cast<int>(value);
}

// The reason with its "path, bar ..., voice: " location dropped, so that
// rejections group by kind.
std::string reason_kind(const std::string& reason) {
    const size_t colon = reason.rfind(": ");
    return colon == std::string::npos ? reason : reason.substr(colon + 2);
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
        std::vector<double> seconds;
        deepbach::Corpus corpus;
        for (int r = 0; r < repeat; ++r) {
            const auto start = std::chrono::steady_clock::now();
            corpus = deepbach::load_corpus(folder, {threads});
            seconds.push_back(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            std::printf("run %d: %.3f s\n", r + 1, seconds.back());
        }
        const size_t files = corpus.files.size() + corpus.rejected.size();
        std::map<std::string, int> kinds;
        for (const auto& r : corpus.rejected) ++kinds[reason_kind(r.reason)];
        std::printf("folder %s: %zu files, %zu accepted, %zu rejected, %zu ticks\n", folder.c_str(), files,
                    corpus.files.size(), corpus.rejected.size(), corpus.total_ticks());
        for (const auto& r : corpus.rejected)
            std::printf("  rejected %s: %s\n", r.file.c_str(), r.reason.c_str());
        for (const auto& [kind, count] : kinds) std::printf("  %3d x %s\n", count, kind.c_str());
        std::printf("checksum %s\n", corpus.checksum.c_str());
        const double best = *std::min_element(seconds.begin(), seconds.end());
        double mean = 0;
        for (double s : seconds) mean += s;
        mean /= static_cast<double>(seconds.size());
        std::printf(
            "{\"benchmark\":\"corpus_load\",\"files\":%zu,\"accepted\":%zu,\"rejected\":%zu,\"ticks\":%zu,"
            "\"seconds\":%.4f,\"seconds_mean\":%.4f,\"repeat\":%d,\"threads\":%d}\n",
            files, corpus.files.size(), corpus.rejected.size(), corpus.total_ticks(), best, mean, repeat,
            threads);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_corpus: %s\n", e.what());
        return 1;
    }
    return 0;
}
