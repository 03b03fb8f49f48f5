// Voice-leading guidance for the sampler (internal header): a penalty on the
// candidates of a cell that would write parallel fifths or octaves, hidden
// fifths or octaves in the outer voices, voice crossings, wide spacing or a
// note outside the voice's usual range,
// counted with the rules of deepbach/evaluation.hpp. The sampler subtracts it
// from the model's logits, so it draws from the model's conditional times
// exp(-penalty): a soft rule, which the model can still outweigh.
#pragma once

#include "nn/relational.hpp"

#include <deepbach/evaluation.hpp>
#include <deepbach/model.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace deepbach::sample {

/// Nats taken from a candidate's logit per rule it breaks, at strength 1.
struct GuideWeights {
    double parallels = 4.0;       ///< per parallel fifth or octave (any two voices)
    double hidden = 1.0;          ///< per hidden fifth (soprano and bass)
    double hidden_octaves = 2.0;  ///< per hidden octave (soprano and bass): the textbook's worse fault
    double contrary = 1.0;  ///< per fifth or octave to fifth or octave by contrary motion (any two voices)
    double crossing = 1.0;  ///< per event with a crossing of an adjacent pair
    double spacing = 1.0;   ///< per event with soprano/alto or alto/tenor over an octave apart
    double range = 1.0;     ///< per note outside the voice's usual range (VoiceLeadingOptions::ranges)
};

class VoiceLeadingGuide {
public:
    /// `strength` scales every weight; 0 turns the guide off.
    VoiceLeadingGuide(const Model& model, int num_ticks, double strength, const GuideWeights& weights = {});

    bool active() const { return strength_ > 0; }

    /// Subtracts from `logits` (voice v's vocabulary, size V) the penalty of
    /// each allowed candidate for the cell (v, t), given the chain's current
    /// tokens (`notes`: per voice, vocabulary indices with kDatasetPadding
    /// ticks before the piece).
    void apply(const std::array<std::vector<std::int16_t>, kNumVoices>& notes, int v, int t,
               const std::uint8_t* allowed, int V, float* logits) const;

    /// For every vocabulary index of voice v (V of them), the parallel
    /// fifths and octaves writing it at (v, t) would make (any pair, motion
    /// into and out of the cell): the context is read once.
    /// With `contrary`, fifths and octaves by contrary motion count too (all
    /// consecutive fifths and octaves).
    void parallels(const std::array<std::vector<std::int16_t>, kNumVoices>& notes, int v, int t, int V,
                   int* out, bool contrary = false) const;

    /// The penalty's rule counts for one candidate (vocabulary index), for tests.
    VoiceLeadingStats counts(const std::array<std::vector<std::int16_t>, kNumVoices>& notes, int v, int t,
                             int candidate) const;

private:
    static constexpr int kHold = nn::kHoldCode;  ///< code of the hold token; -1: rest, START, END
    /// Per voice, per vocabulary index: the MIDI number, kHold, or -1.
    std::array<std::vector<int>, kNumVoices> code_;
    int num_ticks_;
    double strength_;
    GuideWeights weights_;
    VoiceLeadingOptions rules_;
};

}  // namespace deepbach::sample
