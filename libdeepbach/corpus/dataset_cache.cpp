// The dataset cache file: building the training set takes seconds, reading
// it back milliseconds.
//
// Layout (all integers little-endian):
//   8 bytes  magic "DBDSET\0\x1a"
//   u32      format version (kFormatVersion)
//   u64      content length L (bytes from here up to the checksum)
//   L bytes  content:
//     str    corpus checksum          (u32 length + bytes)
//     u64    split seed
//     4 x    vocabulary: u32 count, then count names (str)
//     4 x    range: i32 lowest, i32 highest
//     3 x    split list (train, valid, test): u32 count, count x i32
//     u32    sequence count S, then S x (i32 chorale, i32 shift, i64 offset, i32 length)
//     u64    padded tick count N, then notes 4 x N x i16, fermata N x u8,
//            beat position N x u8, key fifths N x i8
//   32 bytes SHA-256 of everything before it
#include "corpus/sha256.hpp"
#include "util/atomic_file.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <system_error>

namespace deepbach {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'D', 'B', 'D', 'S', 'E', 'T', '\0', '\x1a'};
constexpr std::uint32_t kFormatVersion = 1;
constexpr size_t kHeaderBytes = sizeof(kMagic) + 4 + 8;
constexpr size_t kChecksumBytes = 32;
// A cache of the Bach corpus is about 30 MB; refuse anything absurd before
// reading it into memory.
constexpr size_t kMaxFileBytes = size_t{4} << 30;

class Writer {
public:
    void u8(std::uint8_t x) { out_.push_back(static_cast<char>(x)); }
    void u32(std::uint32_t x) { put(x, 4); }
    void u64(std::uint64_t x) { put(x, 8); }
    void i32(std::int32_t x) { u32(static_cast<std::uint32_t>(x)); }
    void i64(std::int64_t x) { u64(static_cast<std::uint64_t>(x)); }
    void str(const std::string& s) {
        u32(static_cast<std::uint32_t>(s.size()));
        out_ += s;
    }
    void i16s(const std::vector<std::int16_t>& values) {
        const size_t at = out_.size();
        out_.resize(at + 2 * values.size());
        char* p = &out_[at];
        for (std::int16_t v : values) {
            const auto u = static_cast<std::uint16_t>(v);
            *p++ = static_cast<char>(u & 0xff);
            *p++ = static_cast<char>(u >> 8);
        }
    }
    template <class Byte>
    void bytes(const std::vector<Byte>& values) {
        static_assert(sizeof(Byte) == 1, "one byte per value");
        out_.append(reinterpret_cast<const char*>(values.data()), values.size());
    }
    std::string& buffer() { return out_; }

private:
    void put(std::uint64_t x, int n) {
        for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((x >> (8 * i)) & 0xff));
    }
    std::string out_;
};

// Reads the content, checking every length against what is left so that a
// corrupt count fails cleanly instead of asking for gigabytes.
class Reader {
public:
    Reader(std::string_view data, const fs::path& path) : data_(data), path_(path) {}

    std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
    std::uint64_t u64() { return get(8); }
    std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    std::string str() {
        const std::uint32_t n = u32();
        return std::string(take(n));
    }
    /// A count of items of `item_bytes` each that must fit in what is left.
    size_t count(std::uint64_t n, size_t item_bytes, const char* what) {
        if (n > (data_.size() - pos_) / item_bytes) {
            fail(std::string(what) + " count " + std::to_string(n) + " exceeds the file");
        }
        return static_cast<size_t>(n);
    }
    void i16s(std::vector<std::int16_t>& out, size_t n) {
        const std::string_view raw = take(2 * n);
        out.resize(n);
        for (size_t i = 0; i < n; ++i) {
            const auto lo = static_cast<std::uint8_t>(raw[2 * i]);
            const auto hi = static_cast<std::uint8_t>(raw[2 * i + 1]);
            out[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(lo | (hi << 8)));
        }
    }
    template <class Byte>
    void bytes(std::vector<Byte>& out, size_t n) {
        const std::string_view raw = take(n);
        out.resize(n);
        if (n > 0) std::memcpy(out.data(), raw.data(), n);
    }
    bool at_end() const { return pos_ == data_.size(); }
    [[noreturn]] void fail(const std::string& why) const {
        throw Error(path_.string() + ": corrupt dataset cache: " + why);
    }

private:
    std::string_view take(size_t n) {
        if (n > data_.size() - pos_) fail("truncated content");
        const std::string_view out = data_.substr(pos_, n);
        pos_ += n;
        return out;
    }
    std::uint64_t get(int n) {
        const std::string_view raw = take(static_cast<size_t>(n));
        std::uint64_t x = 0;
        for (int i = 0; i < n; ++i)
            x |= std::uint64_t{static_cast<std::uint8_t>(raw[static_cast<size_t>(i)])} << (8 * i);
        return x;
    }
    std::string_view data_;
    size_t pos_ = 0;
    const fs::path& path_;
};

std::string encode_content(const Dataset& d) {
    Writer w;
    size_t ticks = d.fermata.size();
    w.buffer().reserve(256 + ticks * (2 * kNumVoices + 3) + d.sequences.size() * 20);
    w.str(d.corpus_checksum);
    w.u64(d.split_seed);
    for (const Vocabulary& vocabulary : d.vocabularies) {
        const std::vector<std::string> names = vocabulary.names();
        w.u32(static_cast<std::uint32_t>(names.size()));
        for (const std::string& name : names) w.str(name);
    }
    for (const VoiceRange& r : d.ranges) {
        w.i32(r.lowest);
        w.i32(r.highest);
    }
    for (const std::vector<int>* part : {&d.split.train, &d.split.valid, &d.split.test}) {
        w.u32(static_cast<std::uint32_t>(part->size()));
        for (int c : *part) w.i32(c);
    }
    w.u32(static_cast<std::uint32_t>(d.sequences.size()));
    for (const Dataset::Sequence& s : d.sequences) {
        w.i32(s.chorale);
        w.i32(s.shift);
        w.i64(s.offset);
        w.i32(s.length);
    }
    w.u64(ticks);
    for (const auto& notes : d.notes) w.i16s(notes);
    w.bytes(d.fermata);
    w.bytes(d.beat_position);
    w.bytes(d.key_fifths);
    return std::move(w.buffer());
}

// Checks the invariants the training code relies on, so that a cache that
// passed its checksum but was written by a buggy build still cannot index
// out of bounds.
void check_consistency(const Dataset& d, const Reader& r) {
    const auto ticks = static_cast<std::int64_t>(d.fermata.size());
    for (const auto& notes : d.notes) {
        if (static_cast<std::int64_t>(notes.size()) != ticks) r.fail("array sizes disagree");
    }
    for (const Dataset::Sequence& s : d.sequences) {
        // Written so that no sum can overflow whatever the stored values.
        const std::int64_t padded = std::int64_t{s.length} + 2 * kDatasetPadding;
        if (s.chorale < 0 || s.length < 0 || s.offset < 0 || padded > ticks || s.offset > ticks - padded) {
            r.fail("a sequence lies outside the ticks");
        }
    }
    for (const std::vector<int>* part : {&d.split.train, &d.split.valid, &d.split.test}) {
        for (int c : *part) {
            if (c < 0) r.fail("negative chorale index in the split");
        }
    }
    for (int v = 0; v < kNumVoices; ++v) {
        const int size = d.vocabularies[static_cast<size_t>(v)].size();
        for (std::int16_t x : d.notes[static_cast<size_t>(v)]) {
            if (x < 0 || x >= size)
                r.fail(std::string("a note outside the ") + voice_name(v) + " vocabulary");
        }
    }
    for (size_t i = 0; i < d.fermata.size(); ++i) {
        if (d.fermata[i] > 1 || d.beat_position[i] >= kTicksPerQuarter || d.key_fifths[i] < -7 ||
            d.key_fifths[i] > 7) {
            r.fail("metadata out of range");
        }
    }
}

// Whether a cached dataset was built from these chorales by this code. The
// corpus checksum covers the files' bytes, not how this build converts
// them: a cache written by an older conversion must not be trusted, so the
// untransposed sequences are compared with the chorales tick by tick (a
// linear pass, far cheaper than a rebuild).
bool matches_corpus(const Dataset& d, const Corpus& corpus) {
    const size_t n = corpus.chorales.size();
    if (d.split.train.size() + d.split.valid.size() + d.split.test.size() != n) return false;
    const auto ranges = corpus.ranges();
    for (int v = 0; v < kNumVoices; ++v) {
        const VoiceRange a = d.ranges[static_cast<size_t>(v)], b = ranges[static_cast<size_t>(v)];
        if (a.lowest != b.lowest || a.highest != b.highest) return false;
    }
    for (const Dataset::Sequence& s : d.sequences) {
        if (static_cast<size_t>(s.chorale) >= n) return false;
        const Chorale& chorale = corpus.chorales[static_cast<size_t>(s.chorale)];
        if (s.length != chorale.num_ticks) return false;
        if (s.shift != 0) continue;
        const size_t first = static_cast<size_t>(s.offset) + kDatasetPadding;
        for (int t = 0; t < chorale.num_ticks; ++t) {
            const size_t i = first + static_cast<size_t>(t);
            for (int v = 0; v < kNumVoices; ++v) {
                if (d.vocabularies[static_cast<size_t>(v)].token(d.notes[static_cast<size_t>(v)][i]) !=
                    chorale.at(v, t))
                    return false;
            }
            if (d.fermata[i] != chorale.fermata[static_cast<size_t>(t)] ||
                d.beat_position[i] != chorale.beat_position[static_cast<size_t>(t)] ||
                d.key_fifths[i] != chorale.key_fifths[static_cast<size_t>(t)])
                return false;
        }
    }
    return true;
}

}  // namespace

void save_dataset(const Dataset& dataset, const fs::path& path) {
    const std::string content = encode_content(dataset);
    std::string file;
    file.reserve(kHeaderBytes + content.size() + kChecksumBytes);
    Writer header;
    header.buffer().append(kMagic, sizeof(kMagic));
    header.u32(kFormatVersion);
    header.u64(content.size());
    file += header.buffer();
    file += content;
    detail::Sha256 hasher;
    hasher.update(file);
    const detail::Sha256::Digest digest = hasher.finish();
    file.append(reinterpret_cast<const char*>(digest.data()), digest.size());

    if (path.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        if (ec) throw Error(path.string() + ": cannot create the folder: " + ec.message());
    }
    detail::write_file_atomically(path, file);
}

Dataset load_dataset(const fs::path& path) {
    const std::string file = detail::read_file(path, kMaxFileBytes);
    const std::string name = path.string();
    if (file.size() < sizeof(kMagic) || std::memcmp(file.data(), kMagic, sizeof(kMagic)) != 0) {
        throw Error(name + ": not a libdeepbach dataset cache (wrong magic bytes)");
    }
    if (file.size() < kHeaderBytes + kChecksumBytes) throw Error(name + ": truncated dataset cache");
    Reader header(std::string_view(file).substr(sizeof(kMagic), 12), path);
    const std::uint32_t version = header.u32();
    if (version != kFormatVersion) {
        throw Error(name + ": dataset cache format version " + std::to_string(version) +
                    "; this build reads version " + std::to_string(kFormatVersion));
    }
    const std::uint64_t content_bytes = header.u64();
    if (content_bytes != file.size() - kHeaderBytes - kChecksumBytes) {
        throw Error(name + ": truncated or corrupt dataset cache (" + std::to_string(file.size()) +
                    " bytes; the header announces " +
                    std::to_string(content_bytes + kHeaderBytes + kChecksumBytes) + ")");
    }
    detail::Sha256 hasher;
    hasher.update(file.data(), file.size() - kChecksumBytes);
    const detail::Sha256::Digest digest = hasher.finish();
    if (std::memcmp(digest.data(), file.data() + file.size() - kChecksumBytes, kChecksumBytes) != 0) {
        throw Error(name + ": corrupt dataset cache (checksum mismatch)");
    }

    Reader r(std::string_view(file).substr(kHeaderBytes, static_cast<size_t>(content_bytes)), path);
    Dataset d;
    d.corpus_checksum = r.str();
    d.split_seed = r.u64();
    for (Vocabulary& vocabulary : d.vocabularies) {
        const size_t n = r.count(r.u32(), 4, "vocabulary");
        std::vector<std::string> names;
        names.reserve(n);
        for (size_t i = 0; i < n; ++i) names.push_back(r.str());
        try {
            vocabulary = Vocabulary::from_names(names);
        } catch (const Error& e) {
            r.fail(e.what());
        }
    }
    for (VoiceRange& range : d.ranges) {
        range.lowest = r.i32();
        range.highest = r.i32();
    }
    for (std::vector<int>* part : {&d.split.train, &d.split.valid, &d.split.test}) {
        const size_t n = r.count(r.u32(), 4, "split");
        part->resize(n);
        for (int& c : *part) c = r.i32();
    }
    const size_t num_sequences = r.count(r.u32(), 20, "sequence");
    d.sequences.resize(num_sequences);
    for (Dataset::Sequence& s : d.sequences) {
        s.chorale = r.i32();
        s.shift = r.i32();
        s.offset = r.i64();
        s.length = r.i32();
    }
    const size_t ticks = r.count(r.u64(), 2 * kNumVoices + 3, "tick");
    for (auto& notes : d.notes) r.i16s(notes, ticks);
    r.bytes(d.fermata, ticks);
    r.bytes(d.beat_position, ticks);
    r.bytes(d.key_fifths, ticks);
    if (!r.at_end()) r.fail("unexpected bytes after the data");
    check_consistency(d, r);
    return d;
}

fs::path dataset_cache_path(const std::string& corpus_checksum, std::uint64_t split_seed,
                            const fs::path& cache_dir) {
    fs::path dir = cache_dir;
    if (dir.empty()) {
        const char* deepbach_cache = std::getenv("DEEPBACH_CACHE");
        const char* xdg = std::getenv("XDG_CACHE_HOME");
        const char* home = std::getenv("HOME");
        if (deepbach_cache && *deepbach_cache) {
            dir = deepbach_cache;
        } else if (xdg && *xdg) {
            dir = fs::path(xdg) / "deepbach";
        } else if (home && *home) {
            dir = fs::path(home) / ".cache" / "deepbach";
        } else {
            // No home (a service account): the temporary folder still works.
            dir = fs::temp_directory_path() / "deepbach";
        }
    }
    return dir / ("dataset-" + corpus_checksum.substr(0, 16) + "-" + std::to_string(split_seed) + ".bin");
}

Dataset load_or_build_dataset(const Corpus& corpus, const DatasetOptions& options, const ProgressFn& progress,
                              const fs::path& cache_dir) {
    const fs::path path = dataset_cache_path(corpus.checksum, options.split_seed, cache_dir);
    std::error_code ec;
    if (fs::exists(path, ec)) {
        try {
            Dataset cached = load_dataset(path);
            // The file name holds only 16 hex digits of the checksum: compare
            // all of it, and the seed, before trusting the file.
            if (cached.corpus_checksum == corpus.checksum && cached.split_seed == options.split_seed &&
                matches_corpus(cached, corpus)) {
                return cached;
            }
        } catch (const Error&) {
            // A stale or damaged cache is rebuilt and overwritten below.
        }
    }
    Dataset dataset = build_dataset(corpus, options, progress);
    try {
        save_dataset(dataset, path);
    } catch (const Error& e) {
        // The cache only saves time next run; say why it was not written but
        // do not fail (a read-only home, a full disk). The callback's answer
        // is ignored: the work it could cancel is done.
        if (progress)
            progress(corpus.chorales.size(), corpus.chorales.size(),
                     std::string("dataset cache not saved: ") + e.what());
    }
    return dataset;
}

}  // namespace deepbach
