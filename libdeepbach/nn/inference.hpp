// Eigen inference of the voice networks on the CPU (internal header).
//
// Implements the network contract of docs/model-format.md for a batch of
// targets (window mode) or of whole sequences (full mode). Every row of the
// output is computed by the same sequence of float operations whatever the
// batch it is in and whatever the number of threads, so results are
// bitwise independent of batching and threading.
#pragma once

#include <deepbach/corpus.hpp>
#include <deepbach/model.hpp>

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

namespace deepbach::nn {

/// A non-owning view of one padded sequence: kDatasetPadding ticks before
/// and after the `length` ticks of music must be present in memory. Index 0
/// of every pointer is the first padded tick; music tick i is at padded
/// index i + kDatasetPadding. Notes are per-voice vocabulary indices.
struct SequenceView {
    std::array<const std::int16_t*, kNumVoices> notes{};
    const std::uint8_t* fermata = nullptr;
    const std::uint8_t* beat = nullptr;       ///< 0..3
    const std::int8_t* key_fifths = nullptr;  ///< -7..7
    int length = 0;                           ///< ticks of music
    int padded_length() const { return length + 2 * kDatasetPadding; }
};

/// A padded sequence owning its arrays (tests, benchmarks), laid out as
/// SequenceView describes.
struct SequenceData {
    std::array<std::vector<std::int16_t>, kNumVoices> notes;
    std::vector<std::uint8_t> fermata, beat;
    std::vector<std::int8_t> key_fifths;
    int length = 0;  ///< ticks of music

    /// A view of the arrays (valid while they live unchanged).
    SequenceView view() const {
        SequenceView s;
        for (int v = 0; v < kNumVoices; ++v)
            s.notes[static_cast<size_t>(v)] = notes[static_cast<size_t>(v)].data();
        s.fermata = fermata.data();
        s.beat = beat.data();
        s.key_fifths = key_fifths.data();
        s.length = length;
        return s;
    }
};

/// The view of sequence `sequence` of a dataset (valid while it lives).
SequenceView view_of(const Dataset& dataset, int sequence);

/// One target: a music tick (0 <= tick < sequence.length) of a sequence.
struct Target {
    SequenceView sequence;
    int tick = 0;
};

/// The instruction sets of the matrix kernel (inference_kernel.inc).
/// baseline: the build's own flags (SSE2 on x86-64); avx2: AVX2 with FMA,
/// compiled in on x86 with GCC or Clang and used where the CPU has both.
/// The two give slightly different bits (FMA rounds once); one engine uses
/// one path for every row, so its results stay independent of batching and
/// threading.
enum class KernelPath { baseline, avx2 };

/// Whether this build and this CPU can run `path` (baseline always can).
bool kernel_path_supported(KernelPath path);

/// The path engines constructed from now on use: chosen once per process,
/// the best one supported, or baseline where the environment variable
/// DEEPBACH_NO_SIMD_DISPATCH is set (and not "0"); set_kernel_path changes it.
KernelPath kernel_path();

/// Forces the path of engines constructed afterwards (tests, benchmarks);
/// returns false, changing nothing, where `path` is not supported.
bool set_kernel_path(KernelPath path);

/// "baseline" or "avx2".
const char* kernel_path_name(KernelPath path);

/// Whether engines constructed from now on on the AVX2 path read weight
/// matrices that are all half floats exactly (a model saved with --float16)
/// as half floats: the same products bit for bit, half the bytes streamed
/// per step of the recurrence. On unless DEEPBACH_NO_HALF_WEIGHTS is set
/// (and not "0"); set_half_weights changes it (tests, benchmarks).
bool half_weights();
void set_half_weights(bool on);

/// Whether engines constructed from now on on the AVX2 path keep their
/// weight matrices as 8-bit integers (7-bit values, a scale per output) and
/// round each row of inputs to 8 bits (a scale per row): about four times
/// the products per cycle of half floats, with results within the
/// quantization's error, not the same bits (the shipped model's validation
/// NLL 0.61837 against 0.61841; docs/benchmarks.md). Batching and threads
/// still change no bit. On unless DEEPBACH_NO_INT8_WEIGHTS is set (and not
/// "0"); set_int8_weights changes it.
bool int8_weights();
void set_int8_weights(bool on);

/// Replaces each row of `logits` by its log-softmax.
void log_softmax_rows(Eigen::MatrixXf& logits);

class VoiceNetwork;
class Relational;

/// The four voice networks of a model, ready to run.
class InferenceEngine {
public:
    /// Copies (and precomputes from) the model's weights; validates the model.
    /// threads: 1 by default, 0 for all cores.
    /// voices: the voices whose networks to build (null: all four); asking
    /// for another one's logits throws Error (a harmonization with its melody
    /// kept never asks for the soprano's, and skips building it).
    explicit InferenceEngine(const Model& model, int threads = 1,
                             const std::array<bool, kNumVoices>* voices = nullptr);
    ~InferenceEngine();
    InferenceEngine(const InferenceEngine&) = delete;
    InferenceEngine& operator=(const InferenceEngine&) = delete;

    const ModelConfig& config() const { return config_; }
    int vocabulary_size(int voice) const;
    int threads() const { return threads_; }
    void set_threads(int threads);
    /// The kernel path chosen at construction (kernel_path() then).
    KernelPath kernel_path() const { return kernel_path_; }
    /// Whether its recurrent matrices are read as half floats (half_weights()).
    bool half_weights() const;
    /// Whether its matrices are read as 8-bit integers (int8_weights()).
    bool int8_weights() const;

    /// Window mode: logits of voice `voice` at every target, one row per
    /// target (targets x V_voice). Throws Error for a tick out of range or a
    /// note index outside its vocabulary.
    void window_logits(int voice, const std::vector<Target>& targets, Eigen::MatrixXf& out) const;

    /// Full mode: per sequence a (length x V_voice) matrix; row i is music tick i.
    /// With `ticks` (one list of distinct ticks per sequence, or null for all), only those rows
    /// are computed (the recurrences run over every tick all the same) and
    /// the other rows are zero: a sampler's pass needs only the cells it
    /// redraws. A computed row is the same bits either way.
    void full_logits(int voice, const std::vector<SequenceView>& sequences, std::vector<Eigen::MatrixXf>& out,
                     const std::vector<const std::vector<int>*>* ticks = nullptr) const;

private:
    ModelConfig config_;
    int threads_ = 1;
    KernelPath kernel_path_ = KernelPath::baseline;
    std::array<std::unique_ptr<VoiceNetwork>, kNumVoices> voices_;  // null where not built
    std::array<int, kNumVoices> vocabulary_sizes_{};
    const VoiceNetwork& network(int voice) const;
    /// With config_.relational: the relational terms and each voice's table.
    std::unique_ptr<Relational> relational_;
    std::array<std::vector<float>, kNumVoices> relational_tables_;
};

}  // namespace deepbach::nn
