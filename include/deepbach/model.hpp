// libdeepbach: the four voice networks' configuration and weights, and the model file.
#pragma once

#include <deepbach/corpus.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach {

/// How a voice network sees the context of a target tick.
enum class ContextMode {
    /// DeepBach's reference: the past LSTM reads the window_past ticks before
    /// the target and the future LSTM the window_future ticks after it (read
    /// backwards), each started from zero state for every target.
    window,
    /// One forward pass of the past LSTM and one backward pass of the future
    /// LSTM over the whole padded chorale give the context of every tick.
    full,
};
const char* to_string(ContextMode mode);
/// "window" or "full"; throws Error otherwise.
ContextMode parse_context_mode(std::string_view text);

/// Sizes of the networks; the defaults are DeepBach's reference sizes.
struct ModelConfig {
    ContextMode mode = ContextMode::full;
    int note_embedding = 20;  ///< size of each note embedding
    int meta_embedding = 20;  ///< size of each metadata embedding
    int lstm_hidden = 256;
    int lstm_layers = 2;
    float dropout = 0.5f;    ///< between LSTM layers and before the head, training only
    int mlp_hidden = 256;    ///< width of the center MLP and of the head
    int window_past = 16;    ///< window mode: ticks before the target
    int window_future = 15;  ///< window mode: ticks after the target
    /// A pitch embedding shared by the four voices (one table per network,
    /// indexed by MIDI number; kNoPitchCode for `__`, rest, START, END),
    /// added to each voice's own embedding of its spelled tokens, so that
    /// "the same pitch" and "the same interval" mean the same thing in every
    /// voice. The sum is one vector per token: inference folds it into the
    /// token tables and costs nothing more.
    bool shared_pitch = false;
    /// A learned "unknown" input per voice (Coconet's mask): the networks
    /// were trained with masked context, and a masked cell is written as
    /// note index V_u (one past voice u's vocabulary) in the inputs. The
    /// sampler then starts from a fully masked grid and redraws annealed
    /// blocks of masked cells (docs/model-format.md, docs/evaluation.md).
    bool mask = false;
    /// Relational potentials (full mode): besides the network's logits, each
    /// candidate token gets learned logits for its exact relation to the
    /// other voices around it (per voice pair: the interval class before and
    /// after each transition into and out of the cell, and the direction
    /// each voice moves) and for its pitch class in the key. One table of
    /// (3 x 13 x 13 x 3 x 3 + 12) values per network, "voices.{v}.relational"
    /// (docs/model-format.md). Learned with the networks, on Bach.
    bool relational = false;
    /// With `relational`: each voice's motion is one of five classes (leap
    /// down, step down, same, step up, leap up; a step is 1 or 2 semitones),
    /// not three, so the tables tell a hidden octave under a leaping
    /// soprano from one under a soprano moving by step, as the rules do.
    /// Tables of (3 x 13 x 13 x 5 x 5 + 12) values.
    bool relational_leaps = false;
    /// With `relational`: the voice's own line too, appended to each table
    /// (kRelationalMelodySize values): a logit per melodic move (the pitch
    /// class it leaves, relative to the key's tonic, and the interval in
    /// semitones, -13..13, 13 standing for more than an octave) into and out
    /// of the candidate's note, and per rhythm (a note's or a rest's
    /// position in its beat and its length in ticks, 1..16) of the note the
    /// candidate starts or extends and of the one before it, and per
    /// spelled melodic interval (its number, second to octave, and quality:
    /// an augmented second is not a minor third), and per register (the
    /// sounding MIDI number, 24..87). They say what a line does
    /// (an augmented second, a bass leaping in sixteenths, a double-dotted
    /// inner voice), which the voice-pair tables do not see.
    bool relational_melody = false;
};

/// Values of a network's `relational` table (ModelConfig::relational):
/// three 13 x 13 x 3 x 3 voice-pair tables and 12 pitch classes.
constexpr int kRelationalTableSize = 3 * 13 * 13 * 3 * 3 + 12;
/// The same with ModelConfig::relational_leaps: 13 x 13 x 5 x 5 pair tables.
constexpr int kRelationalLeapTableSize = 3 * 13 * 13 * 5 * 5 + 12;
/// Values appended by ModelConfig::relational_melody: 12 x 27 melodic moves,
/// then 2 x 4 x 16 rhythms (pitch or rest, position in the beat, length),
/// then 7 x 5 spelled intervals (number, quality), then 64 registers.
constexpr int kRelationalMelodySize = 12 * 27 + 2 * 4 * 16 + 7 * 5 + 64;
/// The size of each network's relational table under `config` (0 without).
int relational_table_size(const ModelConfig& config);

/// Rows of a network's `pitch_embeddings` table: MIDI 0..127 and one for
/// every token without a pitch.
constexpr int kPitchCodes = 129;
constexpr int kNoPitchCode = 128;
/// Per vocabulary index, the row of the shared pitch table (MIDI number or
/// kNoPitchCode).
std::vector<int> pitch_codes(const Vocabulary& vocabulary);

/// Metadata inputs of every network, in this order, with their number of
/// values: fermata (0/1), beat position (0..3), key signature (fifths + 7, 0..14).
constexpr int kMetadataInputs = 3;
constexpr std::array<int, kMetadataInputs> kMetadataValues = {2, 4, 15};
constexpr std::array<const char*, kMetadataInputs> kMetadataNames = {"fermata", "beat", "key"};

/// Negative log-likelihood (nats per target) and accuracy of one voice.
struct VoiceMetrics {
    double nll = 0;  ///< over all ticks
    double accuracy = 0;
    double onset_nll = 0;  ///< over ticks where the target is not a hold
    double onset_accuracy = 0;
    std::int64_t targets = 0;
    std::int64_t onset_targets = 0;
};

/// How a model was trained, stored in its file.
struct TrainingRecord {
    std::string corpus_checksum;
    std::uint64_t seed = 0;
    int epochs = 0;
    std::int64_t steps = 0;  ///< optimizer steps per voice
    int batch_size = 0;
    double learning_rate = 0;
    double wall_seconds = 0;
    std::string device;       ///< "cpu", "cuda"
    std::string finished_at;  ///< ISO 8601 UTC
    std::array<VoiceMetrics, kNumVoices> validation{};
};

/// A dense float32 tensor, row-major.
struct Tensor {
    std::vector<std::int64_t> shape;
    std::vector<float> data;
    std::int64_t numel() const;
};

/// Current model file format version (in the header's __metadata__).
constexpr int kModelFormatVersion = 1;

/// Four voice networks: configuration, vocabularies, voice ranges, training
/// record and weights. Parameter names and shapes are fixed by the config and
/// vocabularies (see expected_shapes() and docs/model-format.md).
struct Model {
    ModelConfig config;
    std::array<Vocabulary, kNumVoices> vocabularies;
    std::array<VoiceRange, kNumVoices> ranges;
    TrainingRecord training;
    std::map<std::string, Tensor> weights;

    /// Every parameter the config and vocabularies call for, with its shape.
    std::map<std::string, std::vector<std::int64_t>> expected_shapes() const;

    /// Throws Error unless the config is sane, the vocabularies start with
    /// the four special tokens, and every expected weight is present with its
    /// shape and finite values (and no unexpected one is).
    void validate() const;

    /// New weights for the config and vocabularies: LSTM and linear layers
    /// uniform in +-1/sqrt(fan_in) as LibTorch initializes them, embeddings
    /// standard normal; deterministic for a seed.
    static Model initialize(const ModelConfig& config, const std::array<Vocabulary, kNumVoices>& vocabularies,
                            const std::array<VoiceRange, kNumVoices>& ranges, std::uint64_t seed);

    /// Reads a model file (safetensors). Throws Error naming the file for a
    /// truncated or malformed file, another format version, a missing tensor
    /// or one of the wrong shape.
    static Model load(const std::filesystem::path& path);
    /// Writes a model file atomically; float16 halves the size.
    void save(const std::filesystem::path& path, bool float16 = false) const;

    /// Gives a model with relational potentials the five motion classes of
    /// ModelConfig::relational_leaps: every entry of the larger tables holds
    /// the value of the three-class entry it refines, so the conditionals do
    /// not change (calibration then tells the refined entries apart). Does
    /// nothing when the model has them already; throws Error without
    /// relational potentials.
    void add_relational_leaps();
    /// Gives a model with relational potentials the melodic and rhythmic
    /// entries of ModelConfig::relational_melody, all zero, so the
    /// conditionals do not change until calibration moves them. Does nothing
    /// when the model has them already; throws Error without relational
    /// potentials.
    void add_relational_melody();
};

}  // namespace deepbach
