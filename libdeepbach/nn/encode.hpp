// A chorale encoded with a model's vocabularies, padded as in the Dataset,
// ready for the inference engine (internal header).
#pragma once

#include "nn/inference.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace deepbach::nn {

/// kDatasetPadding ticks of START before the music and of END after it; the
/// metadata of the padding continues the beat and repeats the first and last
/// key, with no fermata (as the Dataset does).
struct EncodedChorale {
    int length = 0;  ///< ticks of music
    /// length + 2 * kDatasetPadding values each.
    std::array<std::vector<std::int16_t>, kNumVoices> notes;
    std::vector<std::uint8_t> fermata;
    std::vector<std::uint8_t> beat_position;
    std::vector<std::int8_t> key_fifths;
};

/// Throws Error naming the chorale's source, bar and voice when a token is
/// not in the vocabulary of its voice.
EncodedChorale encode_chorale(const Chorale& chorale, const std::array<Vocabulary, kNumVoices>& vocabularies);

/// The engine's view of an encoded chorale (valid while it lives, unchanged in size).
SequenceView view_of(const EncodedChorale& chorale);

}  // namespace deepbach::nn
