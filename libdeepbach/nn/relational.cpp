// Relational potentials: see relational.hpp.
#include "nn/relational.hpp"

#include <deepbach/chorale.hpp>

#include <algorithm>
#include <cstdlib>

namespace deepbach::nn {

std::vector<int> sounding_codes(const Vocabulary& vocabulary) {
    std::vector<int> codes(static_cast<std::size_t>(vocabulary.size()));
    for (int i = 0; i < vocabulary.size(); ++i) {
        const Token tok = vocabulary.token(i);
        codes[static_cast<std::size_t>(i)] = tok == token::kHold    ? kHoldCode
                                             : token::is_pitch(tok) ? token::to_pitch(tok).midi()
                                                                    : -1;
    }
    return codes;
}

namespace {

constexpr std::int8_t kKindPitch = 0, kKindRest = 1, kKindHold = 2, kKindOther = 3;

}  // namespace

Relational::Relational(const std::array<Vocabulary, kNumVoices>& vocabularies, bool leaps, bool melody)
    : motions_(leaps ? 5 : 3), melody_(melody) {
    for (int v = 0; v < kNumVoices; ++v) {
        const Vocabulary& vocab = vocabularies[static_cast<std::size_t>(v)];
        code_[static_cast<std::size_t>(v)] = sounding_codes(vocab);
        auto& kinds = kind_[static_cast<std::size_t>(v)];
        kinds.resize(static_cast<std::size_t>(vocab.size()));
        auto& letters = letter_[static_cast<std::size_t>(v)];
        letters.assign(static_cast<std::size_t>(vocab.size()), 0);
        for (int i = 0; i < vocab.size(); ++i) {
            const Token tok = vocab.token(i);
            if (token::is_pitch(tok))
                letters[static_cast<std::size_t>(i)] = detail::staff_position(token::to_pitch(tok));
            kinds[static_cast<std::size_t>(i)] = token::is_pitch(tok)  ? kKindPitch
                                                 : tok == token::kRest ? kKindRest
                                                 : tok == token::kHold ? kKindHold
                                                                       : kKindOther;
        }
    }
}

void Relational::sounding(const SequenceView& seq, std::array<std::vector<int>, kNumVoices>& out) const {
    const int P = seq.padded_length();
    for (int u = 0; u < kNumVoices; ++u) {
        const auto& codes = code_[static_cast<std::size_t>(u)];
        const std::int16_t* notes = seq.notes[static_cast<std::size_t>(u)];
        auto& s = out[static_cast<std::size_t>(u)];
        s.assign(static_cast<std::size_t>(P), -1);
        for (int i = 0; i < P; ++i) {
            const auto idx = static_cast<std::size_t>(notes[i]);
            const int c = idx < codes.size() ? codes[idx] : -1;
            s[static_cast<std::size_t>(i)] =
                c == kHoldCode ? (i > 0 ? s[static_cast<std::size_t>(i) - 1] : -1) : c;
        }
    }
}

namespace {

int interval_class(int upper, int lower) {
    const int d = upper - lower;
    return d < 0 ? kRelIntervals - 1 : d % 12;
}

}  // namespace

template <class Put>
void Relational::each_tick(const SequenceView& seq, int v, int t0, int t1, const Put& put,
                           const std::vector<int>* only) const {
    std::array<std::vector<int>, kNumVoices> snd;
    sounding(seq, snd);
    const auto vi = static_cast<std::size_t>(v);
    const auto& codes = code_[vi];
    const int V = static_cast<int>(codes.size());
    const std::int16_t* own = seq.notes[vi];
    const std::size_t P = static_cast<std::size_t>(seq.padded_length());
    const int none = this->none();
    const auto& kinds = kind_[vi];
    const auto& letters = letter_[vi];
    auto kind_of = [&](std::int16_t idx) {
        return idx >= 0 && static_cast<std::size_t>(idx) < kinds.size() ? kinds[static_cast<std::size_t>(idx)]
                                                                        : kKindOther;
    };
    // The pair-table entry of a transition (a -> b) of voices v and u
    // (slot: u's place among v's three other voices), or none().
    auto pair_index = [&](int slot, bool v_upper, int av, int au, int bv, int bu) {
        if (av < 0 || au < 0 || bv < 0 || bu < 0) return none;
        const int ia = v_upper ? interval_class(av, au) : interval_class(au, av);
        const int ib = v_upper ? interval_class(bv, bu) : interval_class(bu, bv);
        return pair_entry(slot, ia, ib, bv - av, bu - au);
    };
    const std::size_t count = only ? only->size() : static_cast<std::size_t>(std::max(0, t1 - t0));
    for (std::size_t n = 0; n < count; ++n) {
        const int t = only ? (*only)[n] : t0 + static_cast<int>(n);
        const auto i = static_cast<std::size_t>(t + kDatasetPadding);
        const int before = snd[vi][i - 1];
        // The end of the candidate's note: the first tick after t where v
        // does not hold (the transition out of the note happens there).
        std::size_t end = i + 1;
        while (end + 1 < P && own[end] >= 0 && static_cast<std::size_t>(own[end]) < codes.size() &&
               codes[static_cast<std::size_t>(own[end])] == kHoldCode)
            ++end;
        const auto next_idx = static_cast<std::size_t>(own[end]);
        const int next_code = next_idx < codes.size() ? codes[next_idx] : -1;
        const int after = next_code == kHoldCode ? -1 : next_code;
        int a[kNumVoices - 1], b[kNumVoices - 1], e[kNumVoices - 1], c[kNumVoices - 1];
        bool upper[kNumVoices - 1];
        int slot = 0;
        for (int u = 0; u < kNumVoices; ++u) {
            if (u == v) continue;
            const auto& su = snd[static_cast<std::size_t>(u)];
            a[slot] = su[i - 1];
            b[slot] = su[i];
            e[slot] = su[end - 1];
            c[slot] = su[end];
            upper[slot] = v < u;
            ++slot;
        }
        const int tonic = ((seq.key_fifths[i] * 7) % 12 + 12) % 12;
        // The line (melody_): the note or rest sounding at t - 1 started at
        // `start` (its kind `prev_kind`); the next one starts at `end`.
        std::size_t start = i - 1;
        std::int8_t prev_kind = kKindOther, next_kind = kKindOther;
        int prev_letter = 0, next_letter = 0;
        if (melody_) {
            while (start > 0 && kind_of(own[start]) == kKindHold) --start;
            prev_kind = kind_of(own[start]);
            next_kind = kind_of(own[end]);
            if (prev_kind == kKindPitch) prev_letter = letters[static_cast<std::size_t>(own[start])];
            if (next_kind == kKindPitch) next_letter = letters[static_cast<std::size_t>(own[end])];
        }
        const int span_before = static_cast<int>(i - start), span_after = static_cast<int>(end - i);
        const int start_beat = seq.beat[start], beat = seq.beat[i];
        const bool prev_sounds = prev_kind == kKindPitch || prev_kind == kKindRest;
        for (int k = 0; k < V; ++k) {
            const int code = codes[static_cast<std::size_t>(k)];
            const int s = code == kHoldCode ? before : code;
            for (int q = 0; q < kNumVoices - 1; ++q) {
                put(t, k, 2 * q, pair_index(q, upper[q], before, a[q], s, b[q]));
                put(t, k, 2 * q + 1, pair_index(q, upper[q], s, e[q], after, c[q]));
            }
            put(t, k, kRelTerms - 1,
                s < 0 ? none : (kNumVoices - 1) * pair_size() + ((s - tonic) % 12 + 12) % 12);
            if (!melody_) continue;
            // A new note or rest ends the one before at t and lasts to `end`;
            // a hold extends the one before to `end`.
            int into = none, out = none, rhythm_before = none, rhythm_own = none, spelled_into = none,
                spelled_out = none;
            const std::int8_t kind = kinds[static_cast<std::size_t>(k)];
            if (kind == kKindPitch || kind == kKindRest) {
                if (kind == kKindPitch && prev_kind == kKindPitch) {
                    into = melodic_entry(before, code, tonic);
                    spelled_into =
                        spelled_entry(letters[static_cast<std::size_t>(k)] - prev_letter, code - before);
                }
                if (kind == kKindPitch && next_kind == kKindPitch) {
                    out = melodic_entry(code, after, tonic);
                    spelled_out =
                        spelled_entry(next_letter - letters[static_cast<std::size_t>(k)], after - code);
                }
                if (prev_sounds)
                    rhythm_before = rhythm_entry(prev_kind == kKindRest, start_beat, span_before);
                rhythm_own = rhythm_entry(kind == kKindRest, beat, span_after);
            } else if (kind == kKindHold && prev_sounds) {
                if (prev_kind == kKindPitch && next_kind == kKindPitch) {
                    into = melodic_entry(before, after, tonic);
                    spelled_into = spelled_entry(next_letter - prev_letter, after - before);
                }
                rhythm_before = rhythm_entry(prev_kind == kKindRest, start_beat, span_before + span_after);
            }
            put(t, k, kRelTerms, into);
            put(t, k, kRelTerms + 1, out);
            put(t, k, kRelTerms + 2, rhythm_before);
            put(t, k, kRelTerms + 3, rhythm_own);
            put(t, k, kRelTerms + 4, spelled_into);
            put(t, k, kRelTerms + 5, spelled_out);
            put(t, k, kRelTerms + 6, s < 0 ? none : register_entry(s));
        }
    }
}

void Relational::indices(const SequenceView& seq, int v, std::int32_t* out) const {
    const int V = vocabulary_size(v);
    const auto T = static_cast<std::size_t>(terms());
    each_tick(seq, v, 0, seq.length, [&](int t, int k, int term, int index) {
        out[(static_cast<std::size_t>(t) * static_cast<std::size_t>(V) + static_cast<std::size_t>(k)) * T +
            static_cast<std::size_t>(term)] = index;
    });
}

void Relational::add(const float* table, const SequenceView& seq, int v, Eigen::MatrixXf& logits,
                     const std::vector<int>* only) const {
    const int none = this->none();
    each_tick(
        seq, v, 0, seq.length,
        [&](int t, int k, int, int index) {
            if (index != none) logits(t, k) += table[index];
        },
        only);
}

}  // namespace deepbach::nn
