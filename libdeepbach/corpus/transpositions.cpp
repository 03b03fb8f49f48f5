// Which semitone shifts of a chorale are usable for augmentation.
#include "corpus/transpositions.hpp"

#include <deepbach/error.hpp>

#include <algorithm>
#include <climits>

namespace deepbach::detail {

namespace {

// When no voice bounds the search (a chorale of rests only), look this far.
constexpr int kUnboundedSearch = 12;

constexpr Token kSpecialTokens[] = {token::kHold, token::kRest, token::kStart, token::kEnd};

}  // namespace

TokenFlags tokens_used(const Chorale& chorale) {
    TokenFlags used;
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<bool>& flags = used[static_cast<size_t>(v)];
        flags.assign(token::kCount, false);
        const Token* data = chorale.voice_data(v);
        for (int t = 0; t < chorale.num_ticks; ++t) {
            const Token tok = data[t];
            if (tok < 0 || tok >= token::kCount) {
                fail({chorale.source, chorale.bar_at(t), voice_name(v)},
                     "invalid token " + std::to_string(tok));
            }
            flags[static_cast<size_t>(tok)] = true;
        }
    }
    return used;
}

std::vector<Transposition> transpositions_of(const Chorale& chorale, const TokenFlags& used,
                                             const std::array<VoiceRange, kNumVoices>& ranges) {
    // The pitch tokens of each voice and their MIDI numbers.
    std::array<std::vector<Token>, kNumVoices> pitches;
    std::vector<Token> all_pitches;
    std::vector<bool> in_all(token::kCount, false);
    std::vector<int> midi(token::kCount, 0);
    // The window of shifts that keeps every voice's lowest and highest note
    // inside its range; each shift in it is then checked note by note.
    int low = INT_MIN, high = INT_MAX;
    for (int v = 0; v < kNumVoices; ++v) {
        int lowest = INT_MAX, highest = INT_MIN;
        for (Token t = token::kFirstPitch; t < token::kCount; ++t) {
            if (!used[static_cast<size_t>(v)][static_cast<size_t>(t)]) continue;
            pitches[static_cast<size_t>(v)].push_back(t);
            if (!in_all[static_cast<size_t>(t)]) {
                in_all[static_cast<size_t>(t)] = true;
                all_pitches.push_back(t);
                midi[static_cast<size_t>(t)] = token::to_pitch(t).midi();
            }
            lowest = std::min(lowest, midi[static_cast<size_t>(t)]);
            highest = std::max(highest, midi[static_cast<size_t>(t)]);
        }
        if (pitches[static_cast<size_t>(v)].empty()) continue;
        const VoiceRange& range = ranges[static_cast<size_t>(v)];
        if (range.empty()) return {};
        low = std::max(low, range.lowest - lowest);
        high = std::min(high, range.highest - highest);
    }
    if (low == INT_MIN) {
        low = -kUnboundedSearch;
        high = kUnboundedSearch;
    }

    int min_key = 0, max_key = 0;
    if (!chorale.key_fifths.empty()) {
        const auto [lo, hi] = std::minmax_element(chorale.key_fifths.begin(), chorale.key_fifths.end());
        min_key = *lo;
        max_key = *hi;
    }
    for (const GridKeySignature& k : chorale.keys) {
        min_key = std::min(min_key, k.fifths);
        max_key = std::max(max_key, k.fifths);
    }

    std::vector<Transposition> out;
    for (int shift = low; shift <= high; ++shift) {
        Transposition tr;
        tr.shift = shift;
        try {
            tr.interval = interval_for_shift(chorale, shift);
        } catch (const Error&) {
            continue;  // no spelling keeps every key within 7 sharps or flats
        }
        // Checked here too so that a chorale whose keys are missing from
        // `keys` but present per tick cannot slip past.
        if (min_key + tr.interval.fifths < -7 || max_key + tr.interval.fifths > 7) continue;
        tr.map.assign(token::kCount, Token{-1});
        for (Token t : kSpecialTokens) tr.map[static_cast<size_t>(t)] = t;
        bool ok = true;
        for (Token t : all_pitches) {
            try {
                tr.map[static_cast<size_t>(t)] =
                    token::from_pitch(transpose(token::to_pitch(t), tr.interval));
            } catch (const Error&) {
                ok = false;  // a triple accidental or an octave out of -1..9
                break;
            }
        }
        for (int v = 0; ok && v < kNumVoices; ++v) {
            const VoiceRange& range = ranges[static_cast<size_t>(v)];
            for (Token t : pitches[static_cast<size_t>(v)]) {
                if (!range.contains(token::to_pitch(tr.map[static_cast<size_t>(t)]).midi())) {
                    ok = false;
                    break;
                }
            }
        }
        if (ok) out.push_back(std::move(tr));
    }
    return out;
}

}  // namespace deepbach::detail

namespace deepbach {

std::vector<int> valid_shifts(const Chorale& chorale, const std::array<VoiceRange, kNumVoices>& ranges) {
    std::vector<int> shifts;
    for (const detail::Transposition& tr :
         detail::transpositions_of(chorale, detail::tokens_used(chorale), ranges)) {
        shifts.push_back(tr.shift);
    }
    return shifts;
}

}  // namespace deepbach
