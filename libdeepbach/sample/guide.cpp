// Voice-leading guidance for the sampler: see guide.hpp.
#include "sample/guide.hpp"

#include "eval/rules.hpp"

#include <deepbach/corpus.hpp>

#include <algorithm>

namespace deepbach::sample {

namespace {

// What a cell's candidates are judged against: the chain's tokens around
// (v, t), every voice but v's candidate read once.
struct CellContext {
    int v = 0, t = 0;
    bool has_before = false;
    ChordEvent before;              ///< the last event before t (independent of the candidate)
    int held = -1;                  ///< what v sounds at t - 1 (a hold at t continues it)
    int end = 0;                    ///< B: the first tick after t where v does not hold (num_ticks: none)
    std::vector<int> ticks;         ///< t..min(B, T - 1)
    std::vector<ChordEvent> chord;  ///< per tick of `ticks`: the other voices' sounding and onsets
    std::vector<bool> others_onset;
};

}  // namespace

VoiceLeadingGuide::VoiceLeadingGuide(const Model& model, int num_ticks, double strength,
                                     const GuideWeights& weights)
    : num_ticks_(num_ticks), strength_(strength), weights_(weights) {
    for (int v = 0; v < kNumVoices; ++v)
        code_[static_cast<std::size_t>(v)] =
            nn::sounding_codes(model.vocabularies[static_cast<std::size_t>(v)]);
}

namespace {

// The penalty's counts for candidate code `c` (a MIDI number, kHold or -1)
// in context `x`.
VoiceLeadingStats judge(const CellContext& x, int c, int hold_code, const VoiceLeadingOptions& rules) {
    VoiceLeadingStats s;
    const int v = x.v;
    const auto vi = static_cast<std::size_t>(v);
    const int sounds = c == hold_code ? x.held : c;  // what v sounds over [t, B)
    const bool onset_at_t = c >= 0;
    bool has_previous = x.has_before;
    ChordEvent previous = x.before;
    for (std::size_t k = 0; k < x.ticks.size(); ++k) {
        const int tick = x.ticks[k];
        const bool at_end = tick == x.end;
        const bool v_onset = at_end ? x.chord[k].onset[vi] : (tick == x.t && onset_at_t);
        if (!x.others_onset[k] && !v_onset) continue;
        ChordEvent e = x.chord[k];
        if (!at_end) {
            e.midi[vi] = sounds;
            e.onset[vi] = v_onset;
            count_vertical(e, rules, s, v);
        }
        if (has_previous)
            for (int u = 0; u < kNumVoices; ++u)
                if (u != v) count_motion(previous, e, std::min(u, v), std::max(u, v), rules, s);
        previous = e;
        has_previous = true;
    }
    return s;
}

}  // namespace

namespace {

CellContext make_context(const std::array<std::vector<int>, kNumVoices>& codes, int hold_code, int num_ticks,
                         const std::array<std::vector<std::int16_t>, kNumVoices>& notes, int v, int t) {
    CellContext x;
    x.v = v;
    x.t = t;
    // A masked cell (index past the vocabulary, in a masked sampler's grid)
    // is unknown: it sounds nothing the rules could judge.
    auto code = [&](int u, int tick) {
        const auto& c = codes[static_cast<std::size_t>(u)];
        const auto i = static_cast<std::size_t>(
            notes[static_cast<std::size_t>(u)][static_cast<std::size_t>(tick + kDatasetPadding)]);
        return i < c.size() ? c[i] : -1;
    };
    auto sounding = [&](int u, int tick) {
        for (int k = tick; k >= 0; --k) {
            const int c = code(u, k);
            if (c != hold_code) return c;
        }
        return -1;
    };
    for (int k = t - 1; k >= 0 && !x.has_before; --k) {
        for (int u = 0; u < kNumVoices; ++u)
            if (code(u, k) >= 0) x.has_before = true;
        if (!x.has_before) continue;
        x.before.tick = k;
        for (int u = 0; u < kNumVoices; ++u) {
            x.before.midi[static_cast<std::size_t>(u)] = sounding(u, k);
            x.before.onset[static_cast<std::size_t>(u)] = code(u, k) >= 0;
        }
    }
    x.held = t > 0 ? sounding(v, t - 1) : -1;
    x.end = t + 1;
    while (x.end < num_ticks && code(v, x.end) == hold_code) ++x.end;
    const int last = std::min(x.end, num_ticks - 1);
    for (int tick = t; tick <= last; ++tick) {
        ChordEvent e;
        e.tick = tick;
        bool others = false;
        for (int u = 0; u < kNumVoices; ++u) {
            if (u == v && tick != x.end) continue;
            e.midi[static_cast<std::size_t>(u)] = sounding(u, tick);
            e.onset[static_cast<std::size_t>(u)] = code(u, tick) >= 0;
            if (u != v && code(u, tick) >= 0) others = true;
        }
        x.ticks.push_back(tick);
        x.chord.push_back(e);
        x.others_onset.push_back(others);
    }
    return x;
}

}  // namespace

VoiceLeadingStats VoiceLeadingGuide::counts(const std::array<std::vector<std::int16_t>, kNumVoices>& notes,
                                            int v, int t, int candidate) const {
    return judge(make_context(code_, kHold, num_ticks_, notes, v, t),
                 code_[static_cast<std::size_t>(v)][static_cast<std::size_t>(candidate)], kHold, rules_);
}

void VoiceLeadingGuide::parallels(const std::array<std::vector<std::int16_t>, kNumVoices>& notes, int v,
                                  int t, int V, int* out, bool contrary) const {
    const CellContext x = make_context(code_, kHold, num_ticks_, notes, v, t);
    const auto& codes = code_[static_cast<std::size_t>(v)];
    const int known = static_cast<int>(codes.size());
    for (int i = 0; i < V; ++i) {
        if (i >= known) {  // the mask index: not a candidate
            out[i] = 0;
            continue;
        }
        const VoiceLeadingStats s = judge(x, codes[static_cast<std::size_t>(i)], kHold, rules_);
        out[i] = static_cast<int>(s.parallels() + (contrary ? s.contrary_fifths + s.contrary_octaves : 0));
    }
}

void VoiceLeadingGuide::apply(const std::array<std::vector<std::int16_t>, kNumVoices>& notes, int v, int t,
                              const std::uint8_t* allowed, int V, float* logits) const {
    if (!active()) return;
    const CellContext x = make_context(code_, kHold, num_ticks_, notes, v, t);
    const auto& codes = code_[static_cast<std::size_t>(v)];
    const VoiceRange& usual = rules_.ranges[static_cast<std::size_t>(v)];
    for (int i = 0; i < V; ++i) {
        if (!allowed[i]) continue;
        const int code = codes[static_cast<std::size_t>(i)];
        const VoiceLeadingStats s = judge(x, codes[static_cast<std::size_t>(i)], kHold, rules_);
        const double penalty =
            weights_.parallels * static_cast<double>(s.parallels()) +
            weights_.hidden * static_cast<double>(s.hidden_fifths) +
            weights_.hidden_octaves * static_cast<double>(s.hidden_octaves) +
            weights_.contrary * static_cast<double>(s.contrary_fifths + s.contrary_octaves) +
            weights_.crossing * static_cast<double>(s.voice_crossings) +
            weights_.spacing * static_cast<double>(s.spacing) +
            weights_.range * (code >= 0 && !usual.contains(code) ? 1.0 : 0.0);
        logits[i] -= static_cast<float>(strength_ * penalty);
    }
}

}  // namespace deepbach::sample
