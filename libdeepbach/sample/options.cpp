// The option rules of deepbach/options.hpp: names, limits, error texts.
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/options.hpp>

#include "util/text.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace deepbach {

namespace {

[[noreturn]] void bad_text(std::string_view name, std::string_view text, const std::string& why) {
    throw Error(fmt::format("{} '{}': {}", name, text::shown(std::string(text)), why));
}

}  // namespace

const char* to_string(Backend backend) {
    return backend == Backend::torch ? "torch" : "eigen";
}

const char* to_string(Device device) {
    switch (device) {
        case Device::cpu:
            return "cpu";
        case Device::cuda:
            return "cuda";
        case Device::automatic:
            break;
    }
    return "auto";
}

const char* to_string(Schedule schedule) {
    switch (schedule) {
        case Schedule::blocked:
            return "blocked";
        case Schedule::sweep:
            return "sweep";
        case Schedule::uniform:
            return "uniform";
        case Schedule::automatic:
            break;
    }
    return "auto";
}

Backend parse_backend(std::string_view text) {
    const std::string t = text::lower(text::trim(text));
    if (t == "eigen") return Backend::eigen;
    if (t == "torch") return Backend::torch;
    bad_text("backend", text, "expected eigen or torch");
}

Device parse_device(std::string_view text) {
    const std::string t = text::lower(text::trim(text));
    if (t == "auto") return Device::automatic;
    if (t == "cpu") return Device::cpu;
    if (t == "cuda") return Device::cuda;
    bad_text("device", text, "expected cpu, cuda or auto");
}

Schedule parse_schedule(std::string_view text) {
    const std::string t = text::lower(text::trim(text));
    if (t == "auto") return Schedule::automatic;
    if (t == "blocked") return Schedule::blocked;
    if (t == "sweep") return Schedule::sweep;
    if (t == "uniform") return Schedule::uniform;
    bad_text("schedule", text, "expected auto, blocked, sweep or uniform");
}

void check_count(std::string_view name, long long value, long long min, long long max) {
    if (value < min)
        throw Error(fmt::format("{} {}: expected a whole number of at least {}", name, value, min));
    if (value > max) throw Error(fmt::format("{} {}: at most {}", name, value, max));
}

void check_positive(std::string_view name, double value, std::string_view example) {
    if (!std::isfinite(value) || value <= 0)
        throw Error(fmt::format("{} {:g}: expected a positive number, e.g. {}", name, value, example));
}

void check_non_negative(std::string_view name, double value, std::string_view example) {
    if (!std::isfinite(value) || value < 0)
        throw Error(fmt::format("{} {:g}: expected a number >= 0, e.g. {}", name, value, example));
}

void check_backend_device(Backend backend, Device device) {
    if (backend == Backend::eigen && device == Device::cuda)
        throw Error("device cuda: the eigen backend runs on the CPU; use the torch backend for CUDA");
}

long long parse_count(std::string_view name, std::string_view text, long long min, long long max) {
    const std::string t = text::trim(text);
    long long n = 0;
    if (!text::whole_number(t, n))
        bad_text(name, text, fmt::format("expected a whole number of at least {}", min));
    check_count(name, n, min, max);
    return n;
}

std::uint64_t parse_seed(std::string_view name, std::string_view text) {
    const std::string t = text::trim(text);
    std::uint64_t seed = 0;
    const auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), seed);
    if (t.empty() || ec != std::errc() || ptr != t.data() + t.size())
        bad_text(name, text, "expected a whole number from 0 to 18446744073709551615");
    return seed;
}

double parse_number(std::string_view name, std::string_view text) {
    const std::string t = text::trim(text);
    char* end = nullptr;
    const double x = std::strtod(t.c_str(), &end);
    if (t.empty() || *end != '\0' || !std::isfinite(x)) bad_text(name, text, "expected a number");
    return x;
}

void validate(const SamplingOptions& o) {
    check_count("sweeps", o.sweeps, 0);
    check_count("iterations", o.iterations, 0);
    if (o.sweeps > 0 && o.iterations > 0)
        throw Error("sweeps " + std::to_string(o.sweeps) + " and iterations " + std::to_string(o.iterations) +
                    ": give one of them, not both");
    check_count("positions", o.positions, 0);
    check_count("chains", o.chains, 1, defaults::kMaxChains);
    check_count("threads", o.threads, 0, defaults::kMaxThreads);
    check_positive("temperature", o.temperature, "1 or 0.5");
    check_non_negative("voice leading", o.voice_leading, "1 or 0");
    check_backend_device(o.backend, o.device);
}

}  // namespace deepbach
