// A sampling problem: the base grid with the user's constraints compiled
// into, for every cell, either a fixed token or the set of tokens the sampler
// may draw there (internal header).
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/model.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace deepbach::sample {

struct Problem {
    /// The base grid with the constraints applied: fixed cells hold their
    /// tokens, the fermata metadata includes Constraints::fermatas (and the
    /// cadence ticks), key_fifths/keys include Constraints::keys. Free cells
    /// hold whatever the base had (the sampler overwrites them).
    Chorale grid;
    /// Per voice, num_ticks entries: the vocabulary index a cell is fixed to,
    /// or -1 for a free cell.
    std::array<std::vector<int>, kNumVoices> fixed;
    /// Per voice, num_ticks x vocabulary_size(voice) flags (tick-major): 1
    /// where the sampler may draw that token at that free cell. Every free
    /// cell allows at least one token. Rows of fixed cells are all 0.
    std::array<std::vector<std::uint8_t>, kNumVoices> allowed;
    /// Per voice, the free ticks in increasing order.
    std::array<std::vector<int>, kNumVoices> free_ticks;
    /// Vocabulary size per voice (the row length of `allowed`).
    std::array<int, kNumVoices> vocabulary_size{};

    bool is_free(int voice, int tick) const {
        return fixed[static_cast<size_t>(voice)][static_cast<size_t>(tick)] < 0;
    }
    const std::uint8_t* allowed_row(int voice, int tick) const {
        return allowed[static_cast<size_t>(voice)].data() +
               static_cast<size_t>(tick) * static_cast<size_t>(vocabulary_size[static_cast<size_t>(voice)]);
    }
    std::size_t free_cells() const;
};

/// Compiles the constraints against the base grid and the model. The base
/// grid gives the length, measures, times, keys and fermatas, and the tokens
/// of every cell that ends up fixed (cells outside Constraints::regions).
///
/// Masked out of every free cell (DESIGN.md section 7): START and END; `__`
/// at tick 0 and at the cell right after the end of a FixedNote of a pitch
/// or a rest (a run of fixed holds says nothing about what follows it);
/// pitches outside the voice's range (Constraints::ranges, else the model's;
/// a model that records no range is bounded by its vocabulary's pitches) or
/// not in the model's vocabulary. Rhythm constraints and cadences restrict
/// further (see constraints.hpp). Rests stay allowed elsewhere.
///
/// Throws Error naming the source, bar and voice for every contradiction
/// (the first one found): a fixed token not in the model's vocabulary or
/// outside the voice's range, two fixes that disagree, a cadence whose chord
/// a fixed note contradicts, a range outside the piece, a free cell with no
/// token left, a voice range wider than the model's.
Problem compile_problem(const Chorale& base, const Constraints& constraints, const Model& model);

}  // namespace deepbach::sample
