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
#include "score/interval.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/model.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace deepbach::nn {

constexpr int kRelIntervals = 13;  ///< interval classes 0..11 and one for crossed voices
constexpr int kRelKeyClasses = 12;
/// Terms per candidate: two transitions with each other voice, and the key.
constexpr int kRelTerms = 2 * (kNumVoices - 1) + 1;
/// With ModelConfig::relational_melody, seven more: the melodic move into
/// and out of the candidate's note, the rhythm of the note before it and of
/// its own, the spelled interval into and out of it, and the register it
/// sounds in (Relational::terms()).
constexpr int kRelMelodyTerms = 7;
/// Melodic moves: 12 pitch classes left (relative to the key's tonic) x 27
/// intervals (-13..13 semitones; +-13: more than an octave).
constexpr int kRelMelodicIntervals = 27;
constexpr int kRelMelodicSize = kRelKeyClasses * kRelMelodicIntervals;
/// Rhythms: pitch or rest x position in the beat (0..3) x length 1..16 ticks
/// (16: a whole note or more).
constexpr int kRelRhythmLengths = 16;
constexpr int kRelRhythmSize = 2 * 4 * kRelRhythmLengths;
/// Spelled melodic intervals: the number (unison or octave, second, ...,
/// seventh; compound ones as simple) x the quality, semitones minus the
/// major or perfect size, -2..2 (an augmented second is +1, a diminished
/// third -2).
constexpr int kRelSpelledSize = 7 * 5;
/// Registers: the sounding MIDI number, clamped to 24..87 (C1..D#6).
constexpr int kRelRegisterLowest = 24;
constexpr int kRelRegisterSize = 64;
/// The largest step (semitones) of the five motion classes
/// (ModelConfig::relational_leaps); more is a leap. As the rules count it
/// (VoiceLeadingOptions::hidden_leap).
constexpr int kRelStep = 2;

/// What a voice's vocabulary indices sound: per index the MIDI number,
/// kHoldCode for `__`, or -1 (rest, START, END). The sampler's guide and the
/// relational terms read tokens this way.
constexpr int kHoldCode = -2;
std::vector<int> sounding_codes(const Vocabulary& vocabulary);

class Relational {
public:
    /// `leaps`: five motion classes (ModelConfig::relational_leaps), else
    /// three (down, same, up).
    /// `melody`: the melodic and rhythmic terms (ModelConfig::relational_melody).
    explicit Relational(const std::array<Vocabulary, kNumVoices>& vocabularies, bool leaps = false,
                        bool melody = false);
    /// The tables of `model`'s config.
    Relational(const std::array<Vocabulary, kNumVoices>& vocabularies, const ModelConfig& config)
        : Relational(vocabularies, config.relational_leaps, config.relational_melody) {}

    int motions() const { return motions_; }
    bool melody() const { return melody_; }
    /// Terms per candidate: kRelTerms, plus kRelMelodyTerms with melody().
    int terms() const { return kRelTerms + (melody_ ? kRelMelodyTerms : 0); }
    /// Entries of one voice-pair table: 13 x 13 x motions x motions.
    int pair_size() const { return kRelIntervals * kRelIntervals * motions_ * motions_; }
    /// Entries of one voice's table: three other voices' pair tables, then
    /// the key table, then with melody() the melodic moves and the rhythms
    /// (relational_table_size() of the model's config).
    int size() const {
        return (kNumVoices - 1) * pair_size() + kRelKeyClasses +
               (melody_ ? kRelMelodicSize + kRelRhythmSize + kRelSpelledSize + kRelRegisterSize : 0);
    }
    /// The table index of a melodic move from pitch `from` to `to` (MIDI)
    /// under a key signature whose major tonic is pitch class `tonic`.
    int melodic_entry(int from, int to, int tonic) const;
    /// The table index of a note (or, `rest`, a rest) starting at position
    /// `beat` (0..3) in its beat and lasting `length` ticks.
    int rhythm_entry(bool rest, int beat, int length) const;
    /// The table index of a melodic interval of `letters` staff steps and
    /// `semitones` (signs ignored), as spelled.
    int spelled_entry(int letters, int semitones) const;
    /// The table index of a pitch's register (its MIDI number).
    int register_entry(int midi) const;
    /// The index of an absent term (a rest, a start or end, a masked cell):
    /// one past the table, where a zero is read.
    int none() const { return size(); }
    /// The table index of a transition of voice v (`slot`: the other voice's
    /// place among v's three) from interval class `before` to `after`, v
    /// moving `dv` semitones and the other voice `du`. For tests and tools.
    int pair_entry(int slot, int before, int after, int dv, int du) const;
    /// The motion class of a move of d semitones.
    int motion(int d) const;

    /// For music ticks [0, seq.length) of voice v, writes per tick and per
    /// vocabulary index of v the terms() table indices (none() where a
    /// term is absent): out holds length x V_v x terms() values. The
    /// context is the sequence's own tokens (indices past a vocabulary, such
    /// as the mask, sound nothing).
    void indices(const SequenceView& seq, int v, std::int32_t* out) const;

    /// Adds voice v's relational logits (table: size() values) to
    /// rows [0, seq.length) of `logits` (seq.length x V_v), or to the rows
    /// of the ticks `only` lists when it is given.
    void add(const float* table, const SequenceView& seq, int v, Eigen::MatrixXf& logits,
             const std::vector<int>* only = nullptr) const;

    int vocabulary_size(int v) const { return static_cast<int>(code_[static_cast<std::size_t>(v)].size()); }

private:
    int motions_;
    bool melody_;
    /// Per voice, per vocabulary index: what the token is on the line
    /// (kKindPitch, kKindRest, kKindHold, kKindOther for START, END).
    std::array<std::vector<std::int8_t>, kNumVoices> kind_;
    /// Per voice, per vocabulary index: the staff position of a pitch
    /// (octave x 7 + step), 0 for anything else.
    std::array<std::vector<int>, kNumVoices> letter_;
    /// Per voice, per vocabulary index: sounding_codes().
    std::array<std::vector<int>, kNumVoices> code_;
    void sounding(const SequenceView& seq, std::array<std::vector<int>, kNumVoices>& out) const;
    /// Calls put(t, k, term, index) for ticks [t0, t1), or for the ticks
    /// listed in `only` (in its order) when it is given.
    template <class Put>
    void each_tick(const SequenceView& seq, int v, int t0, int t1, const Put& put,
                   const std::vector<int>* only = nullptr) const;
};

// Defined here so that each_tick's inner loop inlines them.
inline int Relational::melodic_entry(int from, int to, int tonic) const {
    const int pc = ((from - tonic) % 12 + 12) % 12;
    const int d = std::clamp(to - from, -13, 13);
    return (kNumVoices - 1) * pair_size() + kRelKeyClasses + pc * kRelMelodicIntervals + d + 13;
}

inline int Relational::spelled_entry(int letters, int semitones) const {
    letters = std::abs(letters);
    const int quality = std::clamp(detail::interval_quality(letters, std::abs(semitones)), -2, 2);
    return (kNumVoices - 1) * pair_size() + kRelKeyClasses + kRelMelodicSize + kRelRhythmSize +
           (letters % 7) * 5 + quality + 2;
}

inline int Relational::register_entry(int midi) const {
    return (kNumVoices - 1) * pair_size() + kRelKeyClasses + kRelMelodicSize + kRelRhythmSize +
           kRelSpelledSize + std::clamp(midi - kRelRegisterLowest, 0, kRelRegisterSize - 1);
}

inline int Relational::rhythm_entry(bool rest, int beat, int length) const {
    return (kNumVoices - 1) * pair_size() + kRelKeyClasses + kRelMelodicSize +
           ((rest ? 1 : 0) * 4 + (beat & 3)) * kRelRhythmLengths + std::clamp(length, 1, kRelRhythmLengths) -
           1;
}

inline int Relational::motion(int d) const {
    if (motions_ == 3) return d > 0 ? 2 : (d == 0 ? 1 : 0);
    return d > kRelStep ? 4 : d > 0 ? 3 : d == 0 ? 2 : d >= -kRelStep ? 1 : 0;
}

inline int Relational::pair_entry(int slot, int before, int after, int dv, int du) const {
    return slot * pair_size() + ((before * kRelIntervals + after) * motions_ + motion(dv)) * motions_ +
           motion(du);
}

}  // namespace deepbach::nn
