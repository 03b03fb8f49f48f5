// libdeepbach: a corpus of chorales, its vocabularies, and the training set.
#pragma once

#include <deepbach/chorale.hpp>
#include <deepbach/progress.hpp>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace deepbach {

struct RejectedFile {
    std::string file;    ///< file name relative to the corpus folder
    std::string reason;  ///< the Error message without the leading file path, one line
};

/// Lowest and highest MIDI number of a voice.
struct VoiceRange {
    int lowest = 0;
    int highest = -1;
    bool contains(int midi) const { return midi >= lowest && midi <= highest; }
    bool empty() const { return highest < lowest; }
};

struct CorpusOptions {
    int threads = 1;  ///< files read in parallel (0: all cores)
};

/// The chorales of a folder that the grid can hold.
struct Corpus {
    std::filesystem::path folder;
    std::vector<std::string> files;      ///< accepted files, relative names, sorted
    std::vector<Chorale> chorales;       ///< parallel to files
    std::vector<RejectedFile> rejected;  ///< sorted by file
    /// SHA-256 (hex) over the sorted list of "name sha256(file)" lines of
    /// every readable score file, accepted or not.
    std::string checksum;

    /// Per-voice MIDI range over the accepted chorales as written.
    std::array<VoiceRange, kNumVoices> ranges() const;
    std::size_t total_ticks() const;
};

/// Reads every .mxl/.musicxml/.xml file directly in `folder` (sorted by
/// name), accepting those to_chorale() takes. Throws Error only when the
/// folder cannot be read.
Corpus load_corpus(const std::filesystem::path& folder, const CorpusOptions& options = {},
                   const ProgressFn& progress = {});

/// SHA-256 of bytes, as 64 lower-case hex digits.
std::string sha256_hex(std::string_view bytes);

/// The semitone shifts (sorted, 0 included when it fits) that keep every
/// voice of the chorale inside `ranges` and every key within 7 sharps or
/// flats.
std::vector<int> valid_shifts(const Chorale& chorale, const std::array<VoiceRange, kNumVoices>& ranges);

/// A voice's tokens and their dense indices, in a fixed order: START, END,
/// rest, hold ("__"), then pitches sorted by MIDI number, then spelling
/// (line of fifths, flats first).
class Vocabulary {
public:
    Vocabulary() = default;
    /// Builds from any tokens (duplicates fine); the specials are always in.
    explicit Vocabulary(const std::vector<Token>& tokens);

    int size() const { return static_cast<int>(tokens_.size()); }
    Token token(int index) const { return tokens_.at(static_cast<size_t>(index)); }
    const std::vector<Token>& tokens() const { return tokens_; }
    /// Dense index of a token, or -1 when it is not in the vocabulary.
    int index(Token t) const { return (t >= 0 && t < token::kCount) ? index_[static_cast<size_t>(t)] : -1; }
    bool contains(Token t) const { return index(t) >= 0; }
    /// Names in order ("START", "END", "rest", "__", "C2", ...).
    std::vector<std::string> names() const;
    static Vocabulary from_names(const std::vector<std::string>& names);

    friend bool operator==(const Vocabulary& a, const Vocabulary& b) { return a.tokens_ == b.tokens_; }

private:
    std::vector<Token> tokens_;
    std::vector<int> index_ = std::vector<int>(token::kCount, -1);
};

/// Per-voice vocabularies holding every token of every chorale under every
/// valid shift.
std::array<Vocabulary, kNumVoices> build_vocabularies(const Corpus& corpus);

/// Every pitch of a MIDI range in each spelling with at most one sharp or
/// flat (C#4 and Db4; E#4, F4 and Gbb4 no), with the four special tokens: a
/// vocabulary for a model made without a corpus (test fixtures, tools).
Vocabulary spelled_vocabulary(const VoiceRange& range);

/// The MIDI ranges of the voices in Bach's chorales under every valid
/// transposition of them (S A3..A5, A F3..D5, T C3..A4, B C2..E4), for
/// models made without a corpus.
constexpr std::array<VoiceRange, kNumVoices> kChoraleRanges{
    {VoiceRange{57, 81}, VoiceRange{53, 74}, VoiceRange{48, 69}, VoiceRange{36, 64}}};

/// A split of chorale indices, by chorale (all transpositions of a chorale
/// fall in the same part).
struct Split {
    std::vector<int> train, valid, test;
};
/// Shuffles 0..n-1 with `seed` and cuts it by the fractions (the test part
/// takes the rest). Deterministic for a seed on every platform.
Split split_chorales(int n, std::uint64_t seed, double train_fraction = 0.85, double valid_fraction = 0.10);

/// Padding around each sequence of the dataset: as many START ticks before
/// and END ticks after as the widest context needs.
constexpr int kDatasetPadding = 16;

/// The training set: every chorale of the corpus under every valid shift,
/// encoded with the per-voice vocabularies, padded with START/END, with its
/// metadata. Windows (a target tick and the ticks around it) are cut from
/// these sequences on the fly: sequence s, tick t in [0, length(s)).
struct Dataset {
    std::string corpus_checksum;
    std::uint64_t split_seed = 0;
    std::array<Vocabulary, kNumVoices> vocabularies;
    std::array<VoiceRange, kNumVoices> ranges;
    Split split;  ///< over chorales

    struct Sequence {
        std::int32_t chorale = 0;  ///< index into the corpus
        std::int32_t shift = 0;    ///< semitones
        std::int64_t offset = 0;   ///< first padded tick in the arrays below
        std::int32_t length = 0;   ///< ticks of music (padding excluded)
    };
    std::vector<Sequence> sequences;

    /// Padded ticks of all sequences back to back, each sequence with
    /// kDatasetPadding START ticks before and kDatasetPadding END ticks after.
    /// notes[v] holds voice v's vocabulary indices.
    std::array<std::vector<std::int16_t>, kNumVoices> notes;
    std::vector<std::uint8_t> fermata;
    std::vector<std::uint8_t> beat_position;
    std::vector<std::int8_t> key_fifths;

    /// Number of training targets (ticks of music) in the sequences of the
    /// chorales listed.
    std::int64_t count_ticks(const std::vector<int>& chorales) const;
    /// Sequence indices whose chorale is in `chorales`.
    std::vector<int> sequences_of(const std::vector<int>& chorales) const;
};

struct DatasetOptions {
    std::uint64_t split_seed = 1;
    int threads = 1;
};

Dataset build_dataset(const Corpus& corpus, const DatasetOptions& options = {},
                      const ProgressFn& progress = {});

/// Binary cache of a dataset (little-endian, versioned, checksummed).
void save_dataset(const Dataset& dataset, const std::filesystem::path& path);
/// Throws Error for a truncated, corrupt or other-version file.
Dataset load_dataset(const std::filesystem::path& path);

/// The cache file for a corpus: `cache_dir`/dataset-<checksum[0:16]>-<seed>.bin.
/// Default cache_dir: $DEEPBACH_CACHE, else $XDG_CACHE_HOME/deepbach, else ~/.cache/deepbach.
std::filesystem::path dataset_cache_path(const std::string& corpus_checksum, std::uint64_t split_seed,
                                         const std::filesystem::path& cache_dir = {});

/// Loads the cached dataset for this corpus or builds and caches it.
Dataset load_or_build_dataset(const Corpus& corpus, const DatasetOptions& options = {},
                              const ProgressFn& progress = {}, const std::filesystem::path& cache_dir = {});

}  // namespace deepbach
