// libdeepbach: the closed sets of choices (backends, devices, schedules) and
// the rules for every option a front end passes on: their names as text,
// their defaults and their limits. The command, the Python package and C++
// callers all go through these, so the same bad value gives the same error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace deepbach {

/// What computes the voice networks while sampling.
enum class Backend {
    eigen,  ///< the CPU engine of the core library (always there)
    torch,  ///< LibTorch, CPU or CUDA (deepbach::torch, after register_torch_backend())
};
/// Where LibTorch runs (the Eigen backend is always on the CPU).
enum class Device {
    automatic,  ///< CUDA where LibTorch sees a device, else the CPU ("auto")
    cpu,
    cuda,
};
/// The order in which the sampler redraws cells.
enum class Schedule {
    automatic,  ///< blocked for a model with a mask input, else sweep ("auto")
    blocked,    ///< Coconet's annealed blocked Gibbs from a masked start
    sweep,      ///< every free cell once before any twice, shuffled
    uniform,    ///< DeepBach's: positions drawn at random each iteration
};

/// "eigen", "torch"; "auto", "cpu", "cuda"; "auto", "blocked", "sweep", "uniform".
const char* to_string(Backend backend);
const char* to_string(Device device);
const char* to_string(Schedule schedule);
/// The names above, any case, surrounding spaces ignored. Throws Error
/// "backend 'x': expected eigen or torch" (and the like) otherwise.
Backend parse_backend(std::string_view text);
Device parse_device(std::string_view text);
Schedule parse_schedule(std::string_view text);

/// Defaults and limits shared by every front end.
namespace defaults {
constexpr std::uint64_t kSeed = 1;  ///< every random choice flows from the seed
constexpr int kThreads = 0;         ///< 0: all cores; results never depend on it
constexpr int kMaxThreads = 1024;
constexpr int kMaxChains = 4096;
constexpr int kMaxCount = 1'000'000'000;  ///< iterations, positions, epochs, ...
/// Sweeps of the sampler when none are asked for: redraws of every free
/// cell (DeepBach's default is 62.5); chosen on the quality-against-time
/// curve of docs/benchmarks.md with the calibrated model (sweeps of every
/// cell the no-neighbours rule allows per pass).
constexpr int kSweeps = 32;
}  // namespace defaults

/// The checks of one option's value, named as the front ends name it
/// ("chains", "temperature"; the command writes --chains). Each throws Error
/// "NAME VALUE: why" (e.g. "chains 5000: at most 4096").
void check_count(std::string_view name, long long value, long long min, long long max = defaults::kMaxCount);
void check_positive(std::string_view name, double value, std::string_view example);
void check_non_negative(std::string_view name, double value, std::string_view example);
/// The Eigen backend runs on the CPU: Error for Device::cuda with it.
void check_backend_device(Backend backend, Device device);

/// A number as people type it, checked as above: a whole number (at least
/// `min`), a seed (0..2^64-1), a finite number. Throws Error
/// "NAME 'TEXT': expected ..." for text that is not one.
long long parse_count(std::string_view name, std::string_view text, long long min,
                      long long max = defaults::kMaxCount);
std::uint64_t parse_seed(std::string_view name, std::string_view text);
double parse_number(std::string_view name, std::string_view text);

}  // namespace deepbach
