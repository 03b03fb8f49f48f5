// Test helper: a four-voice grid typed in quarters.
#pragma once

#include <deepbach/chorale.hpp>

#include <gtest/gtest.h>

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

}  // namespace deepbach::test_support
