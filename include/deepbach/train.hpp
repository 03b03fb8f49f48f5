// libdeepbach (deepbach::torch): training the voice networks on a folder of
// chorales, and the LibTorch sampler backend (CPU or CUDA). Link
// deepbach::torch; this header holds no LibTorch type.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/model.hpp>
#include <deepbach/options.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace deepbach {

/// Whether LibTorch sees a CUDA device.
bool cuda_available();

/// Makes Backend::torch available to every sampling call (SamplingOptions::
/// backend): the voice networks in LibTorch on SamplingOptions::device.
/// Idempotent and thread-safe.
void register_torch_backend();

struct TrainOptions {
    std::filesystem::path corpus;     ///< folder of chorales
    std::filesystem::path out;        ///< model file (the best checkpoint)
    std::filesystem::path cache_dir;  ///< dataset cache; empty: the default
    ModelConfig config;
    int epochs = 10;
    std::int64_t max_steps = 0;  ///< optimizer steps per voice; 0: no bound
    /// Stop after the first step that ends past this much training wall time
    /// (resumed runs included), validating and saving as at an epoch's end;
    /// 0: no bound. The record's `steps` says where it stopped, so
    /// `max_steps` reproduces the run exactly.
    double time_limit_seconds = 0;
    /// Window mode: targets per step. Full mode: see batch_sequences.
    int batch_size = 256;
    /// Full mode: whole sequences per step (every music tick of each is a target).
    int batch_sequences = 8;
    double learning_rate = 1e-3;
    /// Corrupted context (denoising), 0..1: each training sequence (full
    /// mode) or window has a rate drawn uniformly in [0, corrupt], and each
    /// cell of its input (every voice, every tick of music) is replaced with
    /// that probability by a token drawn uniformly from its voice's
    /// vocabulary (rest, `__` and pitches), while the targets stay Bach's.
    /// The networks then learn the conditionals of the contexts the sampler
    /// shows them: a random start and half-finished chorales. 0: off.
    double corrupt = 0;
    /// Masked context (Coconet's orderless training; needs config.mask):
    /// each sequence or window has a rate drawn uniformly in [0, mask], and
    /// each input cell is masked (note index V_u) with that probability,
    /// before any corruption. 0: off.
    double mask = 0;
    /// Unlikelihood weight (Welleck et al. 2019) against consecutive fifths
    /// and octaves: at every target whose own token writes none, the loss
    /// adds weight x -log(1 - p), p the probability the network gives to the
    /// tokens that would write a parallel or contrary fifth or octave with
    /// the context it is shown (the rules of deepbach/evaluation.hpp). 0: off.
    double unlikelihood = 0;
    /// The same unlikelihood at the model's own contexts: every
    /// `self_refresh` steps the current networks harmonize `self_pool`
    /// training sopranos (8 bars each, the model alone), and every step adds
    /// self_unlikelihood x the penalty over every cell of those grids (no
    /// cross-entropy there: they are not Bach's). What a sampler shows the
    /// networks is their own chords; this is where they must not prefer
    /// consecutive fifths and octaves. 0: off.
    double self_unlikelihood = 0;
    int self_pool = 4;
    int self_refresh = 0;  ///< 0: a sixth of an epoch
    /// Start from this model's weights (same config and vocabularies)
    /// instead of fresh ones; Adam starts afresh. Empty: fresh weights.
    std::filesystem::path init;
    /// With config.relational and `init`: train only the relational tables;
    /// the networks keep the weights of `init` (and run without dropout).
    bool relational_only = false;
    Device device = Device::automatic;
    std::uint64_t seed = defaults::kSeed;  ///< split, initial weights, batches, dropout
    /// CPU threads (OpenBLAS ones with an OpenBLAS LibTorch); 0: the defaults.
    int threads = defaults::kThreads;
    bool resume = false;   ///< continue from out + ".resume" when it exists
    bool float16 = false;  ///< store the model's weights as float16
    /// Window mode: at most this many validation targets per voice (a fixed,
    /// seeded sample of the validation ticks); 0: all.
    std::int64_t validation_targets = 8192;
    /// Validation sopranos (their first 8 bars) harmonized by the model alone
    /// after each validation, for the musical figures of TrainProgress; 0: none.
    int monitor = 4;
};

/// What train_model reports while it runs.
struct TrainProgress {
    enum class Phase { loading, training, validating, done } phase = Phase::training;
    int epoch = 0;  ///< 1-based
    int epochs = 0;
    std::int64_t step = 0;  ///< steps done (per voice), over the whole run
    std::int64_t total_steps = 0;
    double loss = 0;           ///< mean training NLL of the four voices, recent steps
    double accuracy = 0;       ///< mean training accuracy, recent steps
    double samples_per_s = 0;  ///< targets per second, four voices counted
    double eta_seconds = 0;
    std::array<VoiceMetrics, kNumVoices> validation{};  ///< set after each validation
    /// After each validation with TrainOptions::monitor > 0: the parallel
    /// mass (deepbach/diagnostics.hpp, alto+tenor+bass) at Bach's validation
    /// chorales, and for the first `monitor` of them harmonized by the model
    /// alone (voice-leading guide off): their parallel fifths and octaves per
    /// chorale and the parallel mass at their contexts.
    int monitor_chorales = 0;
    double monitor_mass_bach = 0;
    double monitor_mass_own = 0;
    double monitor_parallels = 0;
    std::string message;  ///< what is being done, for a status line
};
/// Return false to stop: train_model then throws Cancelled (the resume
/// checkpoint of the last finished epoch stays).
using TrainCallback = std::function<bool(const TrainProgress&)>;

/// Throws Error for an option outside its limits (deepbach/options.hpp):
/// epochs >= 1, steps, batch sizes, rates in [0, 1], a positive learning
/// rate, relational_only without init or relational, and the like.
void validate(const TrainOptions& options);

/// Trains the four voice networks (interleaved: each step is one Adam step
/// of every voice, each voice with its own optimizer) and writes the best
/// model (lowest mean validation NLL) to options.out, and a resume checkpoint
/// to options.out + ".resume" after every epoch. Returns the record of the
/// model written. Throws Error for bad options or a corpus it cannot read,
/// Cancelled when the callback returns false.
TrainingRecord train_model(const TrainOptions& options, const TrainCallback& callback = {});

/// NLL and accuracy of every voice over every music tick of the chorales,
/// computed by LibTorch on `device` (what deepbach::evaluate_model, in the
/// core library, computes with the Eigen engine).
std::array<VoiceMetrics, kNumVoices> evaluate_model_torch(const Model& model,
                                                          const std::vector<Chorale>& chorales,
                                                          Device device = Device::cpu, int threads = 0);

}  // namespace deepbach
