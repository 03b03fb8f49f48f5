// Tick-by-tick agreement of a harmonization with a reference.
#include <deepbach/error.hpp>
#include <deepbach/evaluation.hpp>

#include "eval/sounding.hpp"

namespace deepbach {

namespace {

double fraction(std::int64_t part, std::int64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

using eval::sounding_midi;

}  // namespace

double Agreement::pitch(int voice) const {
    return fraction(same_pitch.at(static_cast<std::size_t>(voice)), ticks);
}

double Agreement::pitch_class(int voice) const {
    return fraction(same_pitch_class.at(static_cast<std::size_t>(voice)), ticks);
}

double Agreement::lower_pitch() const {
    return fraction(same_pitch[kAlto] + same_pitch[kTenor] + same_pitch[kBass], 3 * ticks);
}

double Agreement::lower_pitch_class() const {
    return fraction(same_pitch_class[kAlto] + same_pitch_class[kTenor] + same_pitch_class[kBass], 3 * ticks);
}

Agreement& Agreement::operator+=(const Agreement& o) {
    ticks += o.ticks;
    for (std::size_t v = 0; v < same_pitch.size(); ++v) {
        same_pitch[v] += o.same_pitch[v];
        same_pitch_class[v] += o.same_pitch_class[v];
    }
    return *this;
}

Agreement agreement(const Chorale& generated, const Chorale& reference) {
    auto name = [](const Chorale& c) { return c.source.empty() ? std::string("<grid>") : c.source; };
    if (generated.num_ticks != reference.num_ticks)
        throw Error("agreement: " + name(generated) + " has " + std::to_string(generated.num_ticks) +
                    " ticks, " + name(reference) + " " + std::to_string(reference.num_ticks));
    Agreement a;
    a.ticks = generated.num_ticks;
    for (int v = 0; v < kNumVoices; ++v) {
        const std::vector<int> g = sounding_midi(generated, v), r = sounding_midi(reference, v);
        for (std::size_t t = 0; t < g.size(); ++t) {
            if (g[t] == r[t]) {
                ++a.same_pitch[static_cast<std::size_t>(v)];
                ++a.same_pitch_class[static_cast<std::size_t>(v)];
            } else if (g[t] >= 0 && r[t] >= 0 && g[t] % 12 == r[t] % 12) {
                ++a.same_pitch_class[static_cast<std::size_t>(v)];
            }
        }
    }
    return a;
}

}  // namespace deepbach
