// A seeded generator whose output is fixed on every platform (internal header).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace deepbach::detail {

/// splitmix64's output function: a well-mixed 64 bits of x (Steele, Lea &
/// Flood 2014). Every seeded choice of the library derives from it.
inline std::uint64_t mix64(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/// The next value of the splitmix64 sequence at `state` (advancing it).
inline std::uint64_t splitmix64(std::uint64_t& state) {
    const std::uint64_t x = state;
    state += 0x9e3779b97f4a7c15ULL;
    return mix64(x);
}

/// splitmix64: a small, fast generator whose output is fixed by the
/// standard-free arithmetic above (std distributions differ between
/// standard libraries, which would break reproducibility across platforms).
class Rng {
public:
    explicit Rng(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() { return splitmix64(state_); }
    /// Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform in [0, n), n > 0 (Lemire's method without the rare rejection
    /// bias fix is not enough here: use rejection for exactness).
    std::size_t below(std::size_t n) {
        const std::uint64_t bound = static_cast<std::uint64_t>(n);
        const std::uint64_t limit =
            std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
        std::uint64_t x;
        do x = next();
        while (x >= limit);
        return static_cast<std::size_t>(x % bound);
    }

private:
    std::uint64_t state_;
};

template <class T>
void shuffle(std::vector<T>& v, Rng& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace deepbach::detail
