// Train/validation/test split of chorale indices. The shuffle is written out
// here (splitmix64 seeding xoshiro256**, Fisher-Yates with unbiased bounded
// draws) because std::shuffle and the std distributions are allowed to
// differ between standard libraries, and a split must not change with the
// compiler: a model's validation figures would silently stop comparing.
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

#include "util/rng.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace deepbach {

namespace {

using detail::splitmix64;

class Xoshiro256StarStar {
public:
    explicit Xoshiro256StarStar(std::uint64_t seed) {
        // splitmix64 spreads any seed (0 included) over the whole state,
        // which must not be all zeros.
        for (auto& word : s_) word = splitmix64(seed);
    }
    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform in [0, bound), bound > 0: draws below 2^64 mod bound are
    /// rejected so that every residue is equally likely.
    std::uint64_t below(std::uint64_t bound) {
        const std::uint64_t threshold = (0 - bound) % bound;
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold) return r % bound;
        }
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace

Split split_chorales(int n, std::uint64_t seed, double train_fraction, double valid_fraction) {
    if (n < 0) throw Error("split: negative number of chorales (" + std::to_string(n) + ")");
    if (!(train_fraction >= 0 && train_fraction <= 1 && valid_fraction >= 0 && valid_fraction <= 1 &&
          train_fraction + valid_fraction <= 1 + 1e-9)) {
        throw Error("split: fractions must lie in [0, 1] and add up to at most 1 (train " +
                    std::to_string(train_fraction) + ", valid " + std::to_string(valid_fraction) + ")");
    }
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    Xoshiro256StarStar rng(seed);
    for (int i = n - 1; i > 0; --i) {
        const auto j = static_cast<int>(rng.below(static_cast<std::uint64_t>(i) + 1));
        std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
    }
    // std::llround rounds halves away from zero on every platform.
    const int train = static_cast<int>(std::min<long long>(n, std::llround(n * train_fraction)));
    const int valid = static_cast<int>(std::min<long long>(n - train, std::llround(n * valid_fraction)));

    Split split;
    split.train.assign(order.begin(), order.begin() + train);
    split.valid.assign(order.begin() + train, order.begin() + train + valid);
    split.test.assign(order.begin() + train + valid, order.end());
    std::sort(split.train.begin(), split.train.end());
    std::sort(split.valid.begin(), split.valid.end());
    std::sort(split.test.begin(), split.test.end());
    return split;
}

}  // namespace deepbach
