// libdeepbach: calibrate a model's relational potentials against what its
// sampler writes (no LibTorch needed).
//
// Training fits each voice's conditional at Bach's contexts; the sampler
// shows the networks its own half-finished chorales, where they believe in
// things Bach did not write (consecutive fifths and octaves, notes out of the
// key). The relational potentials (ModelConfig::relational) are the weights
// of exact features of every cell: its interval class and motion against
// each other voice, into and out of the note, and its pitch class in the
// key. Calibration fits these weights so that the sampler's output has
// Bach's counts of every feature on the training sopranos: each round
// harmonizes a batch of training sopranos with the model alone (voice-leading
// guide off) at the sampler's budget, counts every feature in the results
// and in Bach's own chorales, and moves each weight by
// step x log((Bach's count + s) / (the sampler's count + s)), generalized
// iterative scaling, the maximum-likelihood step of a model with these
// features, taken against the distribution the sampler actually draws from.
// Nothing names a rule: the weights say what Bach did, measured where the
// sampler is. See docs/training.md, "Calibration".
#pragma once

#include <deepbach/model.hpp>
#include <deepbach/options.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

namespace deepbach {

struct CalibrationOptions {
    /// Bach's chorales: a corpus folder; its training split (the model's
    /// split seed, Model::training.seed) is what is harmonized and counted.
    std::filesystem::path corpus;
    int rounds = 40;  ///< rounds of harmonize, count, update
    int batch = 8;    ///< training sopranos harmonized per round
    /// The step of generalized iterative scaling (1/7, one over the terms a
    /// cell reads, is the textbook one that always converges; larger moves faster).
    double step = 0.5;
    /// Counts added to both sides of the ratio, so an unseen feature moves by
    /// a bounded step.
    double smoothing = 0.5;
    /// The sampler as it will be used: sweeps (0: the default), temperature
    /// and positions per pass (0: the default). The guide is always off.
    int sweeps = 0;
    int positions = 0;
    double temperature = 1.0;
    /// The tables to fit, by voice. The alto, tenor and bass are fitted on
    /// harmonizations of the training sopranos; the soprano, which
    /// harmonizing never draws, on chorales generated from nothing
    /// (`generate_bars` bars, one per soprano of the batch, in that chorale's
    /// key signature, time signature and mode, with generate()'s default
    /// fermatas and final cadence), against Bach's soprano features per tick.
    std::array<bool, kNumVoices> voices{true, true, true, true};
    int generate_bars = 8;
    /// Fit the alto, tenor and bass tables on the generated chorales too
    /// (their counts added to the harmonizations', against Bach's per tick),
    /// so that generate(), where the soprano is the sampler's own, writes
    /// Bach's statistics as well as harmonize(). Generates a chorale per
    /// soprano of the batch even when the soprano's table is not fitted.
    bool generated_lower = false;
    /// Refine the model's tables into five motion classes first
    /// (Model::add_relational_leaps), so that calibration tells a step from a
    /// leap (a hidden octave under a leaping soprano from one under a step).
    bool leaps = false;
    /// Give the model's tables the melodic and rhythmic entries first
    /// (Model::add_relational_melody, all zero), so that calibration fits
    /// each voice's own line too: its melodic moves in the key and its
    /// rhythms (ModelConfig::relational_melody).
    bool melody = false;
    /// Mean the tables over the last `average` share of the rounds (Polyak
    /// averaging, 0..1; 0: the last round's tables).
    double average = 0.5;
    std::uint64_t seed = defaults::kSeed;  ///< batches and sampling
    int threads = defaults::kThreads;      ///< harmonizations in parallel (0: all cores)
    /// Stop after the round that ends past this many seconds; 0: no bound.
    double time_limit_seconds = 0;
};

/// Throws Error for options outside their limits (rounds and batch >= 1, a
/// positive step, smoothing > 0, average in [0, 1], sweeps and positions >= 0,
/// a positive temperature, 1..64 generated bars, at least one voice).
void validate(const CalibrationOptions& options);

struct CalibrationProgress {
    int round = 0;  ///< rounds done, 1-based
    int rounds = 0;
    int chorales = 0;   ///< harmonized in this round
    int generated = 0;  ///< generated in this round (with the soprano's table fitted)
    /// This round's harmonizations against Bach's same chorales, per chorale.
    double parallels = 0, bach_parallels = 0;
    double out_of_key = 0, bach_out_of_key = 0;
    /// The round's generated chorales (with the soprano table fitted), per 100
    /// chord events; Bach's corpus writes about 0.22.
    double generated_parallels = 0;
    /// Total variation distance between the sampler's and Bach's feature
    /// counts this round (half the L1 distance of the normalized counts, 0..1).
    double distance = 0;
    double seconds = 0;
};

/// Return false to stop: calibrate_relations then throws Cancelled.
using CalibrationCallback = std::function<bool(const CalibrationProgress&)>;

struct CalibrationRecord {
    int rounds = 0;     ///< rounds run
    int chorales = 0;   ///< harmonizations in all
    int generated = 0;  ///< generated chorales in all
    double seconds = 0;
    CalibrationProgress first, last;  ///< the first and the last round
    /// Mean NLL of the four voices on the validation split with the new
    /// tables (also written into Model::training.validation); 0 without
    /// validation chorales.
    double validation_nll = 0;
};

/// Calibrates the relational tables of `model` (in place; its networks are
/// untouched) against the training split of options.corpus. Throws Error for
/// a model without relational potentials, a corpus without training
/// chorales, or invalid options. Only the tables of options.voices change. The model's
/// training record keeps how it was trained, with the validation figures
/// of the calibrated tables.
CalibrationRecord calibrate_relations(Model& model, const CalibrationOptions& options,
                                      const CalibrationCallback& callback = {});

}  // namespace deepbach
