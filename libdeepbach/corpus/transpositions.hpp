// The transpositions of one chorale used for data augmentation, as token
// maps: transposing a grid is then one table look-up per cell, with no
// Score or Chorale rebuilt.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>
#include <deepbach/pitch.hpp>

#include <array>
#include <vector>

namespace deepbach::detail {

/// Which tokens each voice of a chorale uses (flags indexed by token).
using TokenFlags = std::array<std::vector<bool>, kNumVoices>;
TokenFlags tokens_used(const Chorale& chorale);

/// One valid shift of a chorale.
struct Transposition {
    int shift = 0;
    Interval interval;
    /// token::kCount entries: the transposed token for every pitch token the
    /// chorale uses, the token itself for the specials, -1 elsewhere.
    std::vector<Token> map;
};

/// Every valid shift of the chorale (see valid_shifts), sorted, with its map.
std::vector<Transposition> transpositions_of(const Chorale& chorale, const TokenFlags& used,
                                             const std::array<VoiceRange, kNumVoices>& ranges);

/// Marks in `out[v]` every token voice v takes under the transpositions.
void add_transposed_tokens(const TokenFlags& used, const std::vector<Transposition>& transpositions,
                           TokenFlags& out);

/// Per-voice vocabularies of the flagged tokens (out of tokens_used/add_transposed_tokens).
std::array<Vocabulary, kNumVoices> vocabularies_from_flags(const TokenFlags& flags);

}  // namespace deepbach::detail
