// Training speed through the public API (deepbach::train_model, LibTorch):
// a few steps on a corpus folder with the default sizes.
//
//   bench_train [CORPUS] [--mode window|full] [--threads N] [--steps N] [--device cpu|cuda|auto]
//               [--batch-size N] [--batch-sequences N] [--json]
//
// samples_per_s: training targets per second of one voice network (each
// step is one Adam step of each of the four, so four times the rate of the
// whole step); seconds_per_step from the end of the first step to the end of
// the last, so loading the corpus and the first step's setup are left out. The model is written to a
// temporary folder and removed. The last line is one JSON object.
#include "bench_common.hpp"

#include <deepbach/train.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <string>

#ifndef DEEPBACH_CORPUS_DIR
#define DEEPBACH_CORPUS_DIR "../shared/corpus/bach"
#endif

using namespace deepbach;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
    fs::path dir;
    try {
        TrainOptions o;
        o.corpus = DEEPBACH_CORPUS_DIR;
        o.config.mode = ContextMode::window;
        o.threads = 1;
        o.device = Device::cpu;
        o.monitor = 0;
        o.validation_targets = 256;
        int steps = 10;
        const bool json = bench::parse_command_line(
            argc, argv,
            "bench_train [CORPUS] [--mode window|full] [--threads N] [--steps N] [--device cpu|cuda|auto] "
            "[--batch-size N] [--batch-sequences N] [--json]",
            {{"mode", [&](const std::string& v) { o.config.mode = parse_context_mode(v); }},
             {"threads",
              [&](const std::string& v) {
                  o.threads = static_cast<int>(parse_count("threads", v, 0, defaults::kMaxThreads));
              }},
             {"steps",
              [&](const std::string& v) { steps = static_cast<int>(parse_count("steps", v, 1, 100000)); }},
             {"device", [&](const std::string& v) { o.device = parse_device(v); }},
             {"batch-size",
              [&](const std::string& v) {
                  o.batch_size = static_cast<int>(parse_count("batch size", v, 1));
              }},
             {"batch-sequences",
              [&](const std::string& v) {
                  o.batch_sequences = static_cast<int>(parse_count("batch sequences", v, 1));
              }}},
            [&](const std::string& corpus) { o.corpus = corpus; });
        dir = fs::temp_directory_path() / fmt::format("deepbach-bench-train-{}", std::random_device{}());
        fs::create_directories(dir);
        o.out = dir / "bench.safetensors";
        o.cache_dir = dir / "cache";
        o.max_steps = steps + 1;
        o.epochs = 1000;
        using Clock = std::chrono::steady_clock;
        Clock::time_point first, last;
        std::int64_t first_step = -1, last_step = -1;
        double rate = 0;  // targets per second, the four voices' steps together
        const TrainingRecord record = train_model(o, [&](const TrainProgress& p) {
            if (p.phase != TrainProgress::Phase::training || p.step < 1 || p.message != "training")
                return true;
            if (first_step < 0) {
                first = Clock::now();
                first_step = p.step;
            } else if (p.step > last_step) {
                last = Clock::now();
                last_step = p.step;
                rate = p.samples_per_s;
            }
            return true;
        });
        if (last_step <= first_step) throw Error("too few steps timed");
        const double seconds = std::chrono::duration<double>(last - first).count();
        // One voice network's share of a step is a quarter of it.
        const double samples_per_s = kNumVoices * rate;
        if (!json)
            fmt::print(
                "train {} mode on {} ({} threads): {} steps timed in {:.2f} s: {:.0f} samples/s per voice "
                "network\n",
                to_string(o.config.mode), record.device, o.threads, last_step - first_step, seconds,
                samples_per_s);
        const nlohmann::ordered_json out{
            {"benchmark", "train"},
            {"mode", to_string(o.config.mode)},
            {"device", record.device},
            {"threads", o.threads},
            {"steps", last_step - first_step},
            {"seconds", seconds},
            {"seconds_per_step", seconds / static_cast<double>(last_step - first_step)},
            {"samples_per_s", samples_per_s}};
        std::printf("%s\n", out.dump().c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_train: %s\n", e.what());
        if (!dir.empty()) fs::remove_all(dir);
        return 1;
    }
    fs::remove_all(dir);
    return 0;
}
