#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>

#include <algorithm>
#include <cctype>

namespace deepbach {

namespace {
constexpr const char* kVoiceNames[kNumVoices] = {"Soprano", "Alto", "Tenor", "Bass"};
}

const char* voice_name(int voice) {
    if (voice < 0 || voice >= kNumVoices)
        throw Error("voice " + std::to_string(voice) + " does not exist (0..3)");
    return kVoiceNames[voice];
}

int parse_voice(std::string_view text) {
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (int v = 0; v < kNumVoices; ++v) {
        std::string name = kVoiceNames[v];
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        if (lower == name || lower == name.substr(0, 1) || lower == std::to_string(v)) return v;
    }
    throw Error("unknown voice '" + std::string(text) + "' (expected S, A, T, B, a voice name or 0..3)");
}

Chorale Chorale::empty(int ticks) {
    if (ticks <= 0) throw Error("a chorale needs at least one tick");
    Chorale c;
    c.num_ticks = ticks;
    c.tokens.assign(static_cast<size_t>(kNumVoices) * ticks, token::kHold);
    for (int v = 0; v < kNumVoices; ++v) c.at(v, 0) = token::kRest;
    c.fermata.assign(static_cast<size_t>(ticks), 0);
    c.key_fifths.assign(static_cast<size_t>(ticks), 0);
    c.beat_position.resize(static_cast<size_t>(ticks));
    for (int t = 0; t < ticks; ++t)
        c.beat_position[static_cast<size_t>(t)] = static_cast<std::uint8_t>(t % kTicksPerQuarter);
    const int bar = 4 * kTicksPerQuarter;
    for (int t = 0, n = 1; t < ticks; t += bar, ++n) {
        c.measure_ticks.push_back(t);
        c.measure_numbers.push_back(std::to_string(n));
    }
    c.times.push_back(GridTimeSignature{0, 4, 4});
    c.keys.push_back(GridKeySignature{0, 0, "major"});
    return c;
}

int Chorale::measure_index_at(int tick) const {
    auto it = std::upper_bound(measure_ticks.begin(), measure_ticks.end(), tick);
    if (it == measure_ticks.begin()) return 0;
    return static_cast<int>(it - measure_ticks.begin()) - 1;
}

std::string Chorale::bar_at(int tick) const {
    if (measure_numbers.empty()) return std::to_string(tick / (4 * kTicksPerQuarter) + 1);
    return measure_numbers[static_cast<size_t>(measure_index_at(tick))];
}

std::string Chorale::position_at(int tick) const {
    if (measure_ticks.empty()) return "tick " + std::to_string(tick);
    const int m = measure_index_at(tick);
    const int within = tick - measure_ticks[static_cast<size_t>(m)];
    std::string beat = std::to_string(within / kTicksPerQuarter + 1);
    if (within % kTicksPerQuarter != 0) {
        // Quarters of a beat: .25, .5, .75.
        static const char* const kFractions[] = {"", ".25", ".5", ".75"};
        beat += kFractions[within % kTicksPerQuarter];
    }
    return "bar " + bar_at(tick) + " beat " + beat;
}

std::optional<Pitch> Chorale::sounding(int voice, int tick) const {
    for (int t = tick; t >= 0; --t) {
        const Token tok = at(voice, t);
        if (tok == token::kHold) continue;
        if (token::is_pitch(tok)) return token::to_pitch(tok);
        return std::nullopt;
    }
    return std::nullopt;
}

std::pair<int, int> Chorale::midi_range(int voice) const {
    int lo = 0, hi = -1;
    for (int t = 0; t < num_ticks; ++t) {
        const Token tok = at(voice, t);
        if (!token::is_pitch(tok)) continue;
        const int m = token::to_pitch(tok).midi();
        if (hi < lo) {
            lo = hi = m;
        } else {
            lo = std::min(lo, m);
            hi = std::max(hi, m);
        }
    }
    return {lo, hi};
}

void Chorale::validate() const {
    auto where = [&](int tick, int voice) {
        return Location{source, tick >= 0 ? bar_at(tick) : "", voice >= 0 ? voice_name(voice) : ""};
    };
    const size_t T = static_cast<size_t>(num_ticks);
    if (num_ticks <= 0) fail(where(-1, -1), "the chorale is empty");
    if (tokens.size() != kNumVoices * T) fail(where(-1, -1), "token grid has the wrong size");
    if (fermata.size() != T || beat_position.size() != T || key_fifths.size() != T)
        fail(where(-1, -1), "metadata does not cover every tick");
    if (measure_ticks.empty() || measure_ticks.front() != 0 || measure_numbers.size() != measure_ticks.size())
        fail(where(-1, -1), "measures must start at tick 0 and be numbered");
    if (!std::is_sorted(measure_ticks.begin(), measure_ticks.end()))
        fail(where(-1, -1), "measures are out of order");
    if (times.empty() || keys.empty()) fail(where(-1, -1), "a chorale needs a time and a key signature");
    for (int v = 0; v < kNumVoices; ++v) {
        for (int t = 0; t < num_ticks; ++t) {
            const Token tok = at(v, t);
            if (tok == token::kStart || tok == token::kEnd)
                fail(where(t, v), "START/END padding inside the piece");
            if (tok != token::kHold && tok != token::kRest && !token::is_pitch(tok))
                fail(where(t, v), "invalid token " + std::to_string(tok));
        }
        if (at(v, 0) == token::kHold) fail(where(0, v), "a voice cannot start with a hold");
    }
    for (size_t t = 0; t < T; ++t) {
        if (fermata[t] > 1 || beat_position[t] >= kTicksPerQuarter || key_fifths[t] < -7 || key_fifths[t] > 7)
            fail(where(static_cast<int>(t), -1), "metadata out of range");
    }
}

Chorale first_bars(const Chorale& c, int bars) {
    const int end = bars >= 0 && static_cast<size_t>(bars) < c.measure_ticks.size()
                        ? c.measure_ticks[static_cast<size_t>(bars)]
                        : c.num_ticks;
    Chorale out = c;
    out.num_ticks = end;
    out.tokens.clear();
    for (int v = 0; v < kNumVoices; ++v)
        out.tokens.insert(out.tokens.end(), c.voice_data(v), c.voice_data(v) + end);
    out.fermata.resize(static_cast<size_t>(end));
    out.beat_position.resize(static_cast<size_t>(end));
    out.key_fifths.resize(static_cast<size_t>(end));
    while (!out.measure_ticks.empty() && out.measure_ticks.back() >= end) {
        out.measure_ticks.pop_back();
        out.measure_numbers.pop_back();
    }
    auto after = [end](const auto& x) { return x.tick >= end; };
    out.times.erase(std::remove_if(out.times.begin(), out.times.end(), after), out.times.end());
    out.keys.erase(std::remove_if(out.keys.begin(), out.keys.end(), after), out.keys.end());
    return out;
}

}  // namespace deepbach
