// Test helper: a four-voice grid typed in quarters.
#pragma once

#include <deepbach/chorale.hpp>

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

namespace deepbach::test_support {

/// A grid from one list of quarters per voice (soprano first): a pitch name
/// starts a note, "__" holds the previous note or rest, "rest" starts a rest.
/// Each entry lasts a quarter (kTicksPerQuarter ticks).
inline Chorale quarter_grid(const std::vector<std::vector<std::string>>& voices) {
    const std::size_t quarters = voices.at(0).size();
    Chorale c = Chorale::empty(static_cast<int>(quarters) * kTicksPerQuarter);
    c.source = "test";
    for (int v = 0; v < kNumVoices; ++v) {
        const auto& q = voices.at(static_cast<std::size_t>(v));
        EXPECT_EQ(q.size(), quarters);
        for (std::size_t i = 0; i < q.size(); ++i) {
            const int t = static_cast<int>(i) * kTicksPerQuarter;
            c.at(v, t) = token::parse(q[i]);
            for (int k = 1; k < kTicksPerQuarter; ++k) c.at(v, t + k) = token::kHold;
        }
    }
    c.validate();
    return c;
}

/// Two chords of a quarter each, at tick 0 and tick 4 of an 8-tick grid;
/// "__" holds, and the cells between hold what came before.
inline Chorale two_chords(const std::array<const char*, kNumVoices>& first,
                          const std::array<const char*, kNumVoices>& second) {
    Chorale c = Chorale::empty(8);
    for (int v = 0; v < kNumVoices; ++v) {
        c.at(v, 0) = token::parse(first[static_cast<std::size_t>(v)]);
        c.at(v, 4) = token::parse(second[static_cast<std::size_t>(v)]);
    }
    return c;
}

}  // namespace deepbach::test_support
