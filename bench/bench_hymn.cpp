// bench_hymn: the README's command, whole, as a user runs it: `deepbach
// harmonize MELODY --threads 1 -o OUT` (Old Hundredth by default), a number
// of times; prints the median, the fastest and the slowest, and the ratio
// against DeepBach's reference on this kind of machine (DESIGN.md section 9:
// 206 ms per iteration of 4 voices x 8 positions, 62.5 redraws of every cell
// by default, so ticks x 62.5 / 8 iterations for a melody of that length).
//
//   bench_hymn [--command DEEPBACH] [--melody FILE] [--runs N] (5) [--json] [-- EXTRA ARGUMENTS]
//
// The process is timed from its start to its exit: loading the model, reading
// the melody and writing the score count, as they do for the user.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace {

namespace fs = std::filesystem;

constexpr double kReferenceMsPerIteration = 206;  // DESIGN.md section 9, one thread
constexpr double kReferenceRedraws = 62.5;        // DeepBach: 500 iterations x 8 cells on 64 ticks
constexpr double kReferencePositions = 8;

#ifndef DEEPBACH_COMMAND
#define DEEPBACH_COMMAND "deepbach"
#endif
#ifndef DEEPBACH_MELODY
#define DEEPBACH_MELODY ""
#endif

// Runs argv with stdout and stderr to /dev/null; returns its exit status.
int run(const std::vector<std::string>& args) {
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw deepbach::Error(args[0] + ": cannot run it");
    int status = 0;
    if (waitpid(pid, &status, 0) < 0) throw deepbach::Error(args[0] + ": lost it");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
    try {
        std::string command = DEEPBACH_COMMAND, melody = DEEPBACH_MELODY;
        int runs = 5;
        bool json = false;
        std::vector<std::string> extra;
        for (int i = 1; i < argc; ++i) {
            const std::string a = argv[i];
            auto value = [&]() -> std::string {
                if (i + 1 >= argc) throw deepbach::Error(a + " needs a value");
                return argv[++i];
            };
            if (a == "--command")
                command = value();
            else if (a == "--melody")
                melody = value();
            else if (a == "--runs")
                runs = std::max(1, std::atoi(value().c_str()));
            else if (a == "--json")
                json = true;
            else if (a == "--") {
                for (++i; i < argc; ++i) extra.emplace_back(argv[i]);
            } else
                throw deepbach::Error("unknown option " + a +
                                      " (bench_hymn [--command DEEPBACH] [--melody FILE] [--runs N] [--json] "
                                      "[-- EXTRA])");
        }
        if (melody.empty()) throw deepbach::Error("give --melody FILE");
        const int ticks = deepbach::melody_chorale(deepbach::read_score(melody)).num_ticks;
        const fs::path out = fs::temp_directory_path() / fmt::format("bench_hymn_{}.musicxml", ::getpid());
        std::vector<std::string> args = {command, "harmonize", melody, "--threads", "1", "-o", out.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<double> seconds;
        for (int r = 0; r < runs; ++r) {
            const auto t0 = std::chrono::steady_clock::now();
            const int rc = run(args);
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            if (rc != 0) throw deepbach::Error(fmt::format("{} harmonize exited with {}", command, rc));
            seconds.push_back(s);
        }
        std::error_code ec;
        fs::remove(out, ec);
        std::vector<double> sorted = seconds;
        std::sort(sorted.begin(), sorted.end());
        const double median = sorted[sorted.size() / 2];
        const double reference =
            ticks * kReferenceRedraws / kReferencePositions * kReferenceMsPerIteration / 1000;
        if (!json) {
            std::printf("%s harmonize %s --threads 1: %d runs, median %.3f s (fastest %.3f, slowest %.3f)\n",
                        command.c_str(), melody.c_str(), runs, median, sorted.front(), sorted.back());
            std::printf(
                "DeepBach's reference at its default budget, %d ticks, one thread: about %.0f s: %.0fx\n",
                ticks, reference, reference / median);
        }
        nlohmann::ordered_json j = {{"benchmark", "hymn"},
                                    {"melody", melody},
                                    {"ticks", ticks},
                                    {"runs", runs},
                                    {"seconds", seconds},
                                    {"median_seconds", median},
                                    {"min_seconds", sorted.front()},
                                    {"max_seconds", sorted.back()},
                                    {"reference_seconds", reference},
                                    {"speedup", reference / median}};
        std::printf("%s\n", j.dump().c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_hymn: error: %s\n", e.what());
        return 1;
    }
}
