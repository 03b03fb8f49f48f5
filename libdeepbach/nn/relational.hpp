// Relational potentials (internal header): the part of a voice's
// conditional that reads, for every candidate token, its exact relation to
// the other voices around it. See docs/model-format.md, "relational".
//
// The recurrent networks see the other voices' tokens only through learned
// embeddings, so "this note makes a fifth with the bass, as the chord before
// did, and both voices move up" is something each of them has to learn from
// scratch, for every pair of voices, and only at contexts like Bach's. The
// relational term computes that relation exactly, for any context, and gives
// it a learned weight: for the candidate c of voice v at tick t and every
// other voice u, the transitions (t - 1 -> t) and (t -> t + 1) are each
// described by
//   - the interval class between the two voices before and after (upper
//     voice minus lower voice, mod 12; a 13th class when they cross),
//   - the direction each of the two voices moves (down, same, up),
// and each of the 13 x 13 x 3 x 3 descriptions of each voice pair has one
// learned logit; a 12-entry table adds a logit per pitch class of the
// candidate relative to the tonic of the key signature. These are learned
// with the networks by maximum likelihood on Bach: no rule names a parallel
// fifth, the weights say what Bach did.
#pragma once

#include "nn/inference.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/model.hpp>

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <vector>

namespace deepbach::nn {

constexpr int kRelIntervals = 13;  ///< interval classes 0..11 and one for crossed voices
constexpr int kRelMotions = 3;     ///< down, same, up
constexpr int kRelPairSize = kRelIntervals * kRelIntervals * kRelMotions * kRelMotions;
constexpr int kRelKeyClasses = 12;
/// Entries of one voice's table: three other voices' pair tables, then the key table.
constexpr int kRelationalSize = (kNumVoices - 1) * kRelPairSize + kRelKeyClasses;
static_assert(kRelationalSize == kRelationalTableSize, "the model format's table size");
/// Terms per candidate: two transitions with each other voice, and the key.
constexpr int kRelTerms = 2 * (kNumVoices - 1) + 1;
/// The index of an absent term (a rest, a start or end, a masked cell): one
/// past the table, where a zero is read.
constexpr int kRelNone = kRelationalSize;

/// What a voice's vocabulary indices sound: per index the MIDI number,
/// kHoldCode for `__`, or -1 (rest, START, END). The sampler's guide and the
/// relational terms read tokens this way.
constexpr int kHoldCode = -2;
std::vector<int> sounding_codes(const Vocabulary& vocabulary);

class Relational {
public:
    explicit Relational(const std::array<Vocabulary, kNumVoices>& vocabularies);

    /// For music ticks [0, seq.length) of voice v, writes per tick and per
    /// vocabulary index of v the kRelTerms table indices (kRelNone where a
    /// term is absent): out holds length x V_v x kRelTerms values. The
    /// context is the sequence's own tokens (indices past a vocabulary, such
    /// as the mask, sound nothing).
    void indices(const SequenceView& seq, int v, std::int32_t* out) const;

    /// Adds voice v's relational logits (table: kRelationalSize values) to
    /// rows [0, seq.length) of `logits` (seq.length x V_v).
    void add(const float* table, const SequenceView& seq, int v, Eigen::MatrixXf& logits) const;

    int vocabulary_size(int v) const { return static_cast<int>(code_[static_cast<std::size_t>(v)].size()); }

private:
    /// Per voice, per vocabulary index: sounding_codes().
    std::array<std::vector<int>, kNumVoices> code_;
    void sounding(const SequenceView& seq, std::array<std::vector<int>, kNumVoices>& out) const;
    template <class Put>
    void each_tick(const SequenceView& seq, int v, int t0, int t1, const Put& put) const;
};

}  // namespace deepbach::nn
