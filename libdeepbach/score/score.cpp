#include <deepbach/score.hpp>

#include <algorithm>

namespace deepbach {

Rational Score::length() const {
    if (measures.empty()) return Rational(0);
    return measures.back().onset + measures.back().duration;
}

Rational Score::pickup() const {
    if (measures.empty()) return Rational(0);
    const Measure& first = measures.front();
    const Rational full = time_at(first.onset).measure_length();
    return first.duration < full ? first.duration : Rational(0);
}

int Score::measure_index_at(const Rational& t) const {
    if (measures.empty()) return 0;
    // The last measure whose onset is <= t.
    auto it = std::upper_bound(measures.begin(), measures.end(), t,
                               [](const Rational& x, const Measure& m) { return x < m.onset; });
    if (it == measures.begin()) return 0;
    return static_cast<int>(it - measures.begin()) - 1;
}

std::string Score::bar_at(const Rational& t) const {
    if (measures.empty()) return "?";
    return measures[static_cast<size_t>(measure_index_at(t))].number;
}

KeySignature Score::key_at(const Rational& t) const {
    KeySignature key;
    for (const auto& k : keys) {
        if (t < k.onset) break;
        key = k;
    }
    if (!keys.empty() && t < keys.front().onset) key = keys.front();
    return key;
}

TimeSignature Score::time_at(const Rational& t) const {
    TimeSignature time;
    for (const auto& ts : times) {
        if (t < ts.onset) break;
        time = ts;
    }
    if (!times.empty() && t < times.front().onset) time = times.front();
    return time;
}

}  // namespace deepbach
