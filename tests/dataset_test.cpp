// The training set built from a few real chorales: contents against the
// reference transposition, padding, metadata, thread independence, and the
// binary cache (round trip, damage detection, reuse).
#include "util/atomic_file.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

namespace db = deepbach;
namespace fs = std::filesystem;

namespace {

// A fresh, empty folder under the system's temporary folder; the random
// suffix keeps test programs run in parallel (ctest -j) apart.
fs::path temp_folder(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() /
                         ("deepbach-dataset-test-" + name + "-" + std::to_string(std::random_device{}()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

void expect_same(const db::Dataset& a, const db::Dataset& b) {
    EXPECT_EQ(a.corpus_checksum, b.corpus_checksum);
    EXPECT_EQ(a.split_seed, b.split_seed);
    for (int v = 0; v < db::kNumVoices; ++v) {
        EXPECT_EQ(a.vocabularies[v], b.vocabularies[v]) << v;
        EXPECT_EQ(a.ranges[v].lowest, b.ranges[v].lowest);
        EXPECT_EQ(a.ranges[v].highest, b.ranges[v].highest);
        EXPECT_EQ(a.notes[v], b.notes[v]) << v;
    }
    EXPECT_EQ(a.split.train, b.split.train);
    EXPECT_EQ(a.split.valid, b.split.valid);
    EXPECT_EQ(a.split.test, b.split.test);
    ASSERT_EQ(a.sequences.size(), b.sequences.size());
    for (size_t i = 0; i < a.sequences.size(); ++i) {
        EXPECT_EQ(a.sequences[i].chorale, b.sequences[i].chorale);
        EXPECT_EQ(a.sequences[i].shift, b.sequences[i].shift);
        EXPECT_EQ(a.sequences[i].offset, b.sequences[i].offset);
        EXPECT_EQ(a.sequences[i].length, b.sequences[i].length);
    }
    EXPECT_EQ(a.fermata, b.fermata);
    EXPECT_EQ(a.beat_position, b.beat_position);
    EXPECT_EQ(a.key_fifths, b.key_fifths);
}

std::string read_bytes(const fs::path& path) {
    return db::detail::read_file(path, size_t{1} << 30);
}
void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Six real chorales, linked (never copied) into a folder of their own.
class SmallCorpus : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!fs::is_directory(DEEPBACH_CORPUS_DIR)) return;
        folder_ = new fs::path(temp_folder("corpus"));
        // Some of these carry key changes and pickups; bwv27.6 has 5 parts
        // and must be rejected.
        for (const char* name : {"bwv10.7.mxl", "bwv101.7.mxl", "bwv103.6.mxl", "bwv104.6.mxl",
                                 "bwv108.6.mxl", "bwv11.6.mxl", "bwv27.6.mxl"}) {
            const fs::path target = fs::path(DEEPBACH_CORPUS_DIR) / name;
            if (fs::exists(target)) fs::create_symlink(target, *folder_ / name);
        }
        corpus_ = new db::Corpus(db::load_corpus(*folder_));
        dataset_ = new db::Dataset(db::build_dataset(*corpus_, {5, 1}));
    }
    static void TearDownTestSuite() {
        if (folder_) fs::remove_all(*folder_);
        delete dataset_;
        delete corpus_;
        delete folder_;
        dataset_ = nullptr;
        corpus_ = nullptr;
        folder_ = nullptr;
    }
    void SetUp() override {
        if (!corpus_) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
        ASSERT_GE(corpus_->chorales.size(), 5u);
    }
    static fs::path* folder_;
    static db::Corpus* corpus_;
    static db::Dataset* dataset_;
};
fs::path* SmallCorpus::folder_ = nullptr;
db::Corpus* SmallCorpus::corpus_ = nullptr;
db::Dataset* SmallCorpus::dataset_ = nullptr;

TEST_F(SmallCorpus, RejectsTheFivePartFile) {
    ASSERT_EQ(corpus_->rejected.size(), 1u);
    EXPECT_EQ(corpus_->rejected[0].file, "bwv27.6.mxl");
    EXPECT_NE(corpus_->rejected[0].reason.find("5 parts"), std::string::npos) << corpus_->rejected[0].reason;
}

TEST_F(SmallCorpus, SequencesDecodeToTheTransposedChorales) {
    const db::Dataset& d = *dataset_;
    const int P = db::kDatasetPadding;
    EXPECT_EQ(d.corpus_checksum, corpus_->checksum);
    EXPECT_EQ(d.split_seed, 5u);
    const auto ranges = corpus_->ranges();
    for (int v = 0; v < db::kNumVoices; ++v) {
        EXPECT_EQ(d.ranges[v].lowest, ranges[v].lowest);
        EXPECT_EQ(d.ranges[v].highest, ranges[v].highest);
    }
    const auto vocabularies = db::build_vocabularies(*corpus_);
    for (int v = 0; v < db::kNumVoices; ++v) EXPECT_EQ(d.vocabularies[v], vocabularies[v]);

    // Sequences: chorale by chorale, each with exactly its valid shifts, sorted.
    size_t s = 0;
    std::int64_t offset = 0;
    for (size_t c = 0; c < corpus_->chorales.size(); ++c) {
        const db::Chorale& chorale = corpus_->chorales[c];
        for (int shift : db::valid_shifts(chorale, ranges)) {
            ASSERT_LT(s, d.sequences.size());
            const db::Dataset::Sequence& seq = d.sequences[s];
            EXPECT_EQ(seq.chorale, static_cast<int>(c));
            EXPECT_EQ(seq.shift, shift);
            EXPECT_EQ(seq.offset, offset);
            EXPECT_EQ(seq.length, chorale.num_ticks);
            offset += chorale.num_ticks + 2 * P;
            ++s;
        }
    }
    EXPECT_EQ(s, d.sequences.size());
    EXPECT_GT(d.sequences.size(), 3 * corpus_->chorales.size());
    const size_t ticks = static_cast<size_t>(offset);
    for (int v = 0; v < db::kNumVoices; ++v) EXPECT_EQ(d.notes[v].size(), ticks);
    EXPECT_EQ(d.fermata.size(), ticks);
    EXPECT_EQ(d.beat_position.size(), ticks);
    EXPECT_EQ(d.key_fifths.size(), ticks);

    // Every tick against the library's own transpose() of the chorale.
    for (const db::Dataset::Sequence& seq : d.sequences) {
        const db::Chorale& original = corpus_->chorales[static_cast<size_t>(seq.chorale)];
        const db::Chorale expected = db::transpose(original, db::interval_for_shift(original, seq.shift));
        const size_t o = static_cast<size_t>(seq.offset);
        for (int v = 0; v < db::kNumVoices; ++v) {
            const db::Vocabulary& vocab = d.vocabularies[v];
            for (int p = 0; p < P; ++p) {
                EXPECT_EQ(vocab.token(d.notes[v][o + p]), db::token::kStart);
                EXPECT_EQ(vocab.token(d.notes[v][o + P + seq.length + p]), db::token::kEnd);
            }
            for (int t = 0; t < seq.length; ++t) {
                ASSERT_EQ(vocab.token(d.notes[v][o + P + t]), expected.at(v, t))
                    << original.source << " shift " << seq.shift << " voice " << v << " tick " << t;
            }
        }
        for (int t = 0; t < seq.length; ++t) {
            const size_t i = o + P + t;
            ASSERT_EQ(d.fermata[i], expected.fermata[t]);
            ASSERT_EQ(d.beat_position[i], expected.beat_position[t]);
            ASSERT_EQ(d.key_fifths[i], expected.key_fifths[t]);
        }
        // Padding: no fermata, the beat grid running on, the first and last keys.
        for (int p = 0; p < P; ++p) {
            EXPECT_EQ(d.fermata[o + p], 0);
            EXPECT_EQ(d.fermata[o + P + seq.length + p], 0);
            EXPECT_EQ(d.key_fifths[o + p], expected.key_fifths.front());
            EXPECT_EQ(d.key_fifths[o + P + seq.length + p], expected.key_fifths.back());
        }
        for (size_t i = o; i + 1 < o + seq.length + 2 * P; ++i) {
            EXPECT_EQ((d.beat_position[i] + 1) % db::kTicksPerQuarter,
                      d.beat_position[i + 1] % db::kTicksPerQuarter)
                << "tick " << i - o;
            if (HasFailure()) break;
        }
    }
}

TEST_F(SmallCorpus, CountsAndSplit) {
    const db::Dataset& d = *dataset_;
    const int n = static_cast<int>(corpus_->chorales.size());
    const db::Split expected = db::split_chorales(n, 5);
    EXPECT_EQ(d.split.train, expected.train);
    EXPECT_EQ(d.split.valid, expected.valid);
    EXPECT_EQ(d.split.test, expected.test);
    std::vector<int> all(static_cast<size_t>(n));
    for (int c = 0; c < n; ++c) all[static_cast<size_t>(c)] = c;
    std::int64_t music = 0;
    for (const auto& s : d.sequences) music += s.length;
    EXPECT_EQ(d.count_ticks(all), music);
    EXPECT_EQ(d.count_ticks(d.split.train) + d.count_ticks(d.split.valid) + d.count_ticks(d.split.test),
              music);
    EXPECT_EQ(d.sequences_of(all).size(), d.sequences.size());
    const std::vector<int> of_first = d.sequences_of({0});
    EXPECT_EQ(of_first.size(), db::valid_shifts(corpus_->chorales[0], corpus_->ranges()).size());
    for (int i : of_first) EXPECT_EQ(d.sequences[static_cast<size_t>(i)].chorale, 0);
    EXPECT_TRUE(d.sequences_of({}).empty());
    EXPECT_EQ(d.count_ticks({n + 10}), 0);
}

TEST_F(SmallCorpus, SameDatasetOnAnyNumberOfThreads) {
    expect_same(db::build_dataset(*corpus_, {5, 2}), *dataset_);
    expect_same(db::build_dataset(*corpus_, {5, 3}), *dataset_);
}

TEST_F(SmallCorpus, ProgressAndCancel) {
    size_t calls = 0;
    db::build_dataset(*corpus_, {5, 2}, [&](size_t done, size_t total, std::string_view) {
        EXPECT_EQ(done, ++calls);
        EXPECT_EQ(total, corpus_->chorales.size());
        return true;
    });
    EXPECT_EQ(calls, corpus_->chorales.size());
    EXPECT_THROW(db::build_dataset(*corpus_, {5, 1}, [](size_t, size_t, std::string_view) { return false; }),
                 db::Cancelled);
}

TEST_F(SmallCorpus, CacheRoundTripIsExact) {
    const fs::path dir = temp_folder("roundtrip");
    const fs::path path = dir / "sub" / "d.bin";  // the folder is created on saving
    db::save_dataset(*dataset_, path);
    expect_same(db::load_dataset(path), *dataset_);
    // Saving is deterministic: the same bytes again.
    const std::string first = read_bytes(path);
    db::save_dataset(*dataset_, path);
    EXPECT_EQ(read_bytes(path), first);
    // No temporary file is left behind.
    EXPECT_EQ(std::distance(fs::directory_iterator(dir / "sub"), fs::directory_iterator()), 1);
    fs::remove_all(dir);
}

TEST_F(SmallCorpus, DamagedCachesAreErrorsNamingTheFile) {
    const fs::path dir = temp_folder("damage");
    const fs::path good = dir / "good.bin";
    db::save_dataset(*dataset_, good);
    const std::string bytes = read_bytes(good);

    auto expect_error = [&](const std::string& damaged, const std::string& what) {
        const fs::path bad = dir / "bad.bin";
        write_bytes(bad, damaged);
        try {
            db::load_dataset(bad);
            ADD_FAILURE() << what << ": no error";
        } catch (const db::Error& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find("bad.bin"), std::string::npos) << what << ": " << message;
        }
    };
    expect_error(bytes.substr(0, bytes.size() - 1), "one byte short");
    expect_error(bytes.substr(0, bytes.size() / 2), "half");
    expect_error(bytes.substr(0, 10), "header only");
    expect_error("", "empty");
    expect_error(bytes + "x", "one byte more");
    for (size_t at : {size_t{3}, size_t{9}, size_t{25}, bytes.size() / 3, bytes.size() - 5}) {
        std::string flipped = bytes;
        flipped[at] = static_cast<char>(flipped[at] ^ 0x40);
        expect_error(flipped, "flipped byte at " + std::to_string(at));
    }
    // Another format version says so.
    std::string other = bytes;
    other[8] = 9;
    try {
        const fs::path bad = dir / "version.bin";
        write_bytes(bad, other);
        db::load_dataset(bad);
        ADD_FAILURE() << "other version: no error";
    } catch (const db::Error& e) {
        EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
    }
    EXPECT_THROW(db::load_dataset(dir / "missing.bin"), db::Error);
    fs::remove_all(dir);
}

TEST_F(SmallCorpus, LoadOrBuildReusesTheCache) {
    const fs::path dir = temp_folder("cache");
    const fs::path path = db::dataset_cache_path(corpus_->checksum, 5, dir);
    EXPECT_EQ(path.parent_path(), dir);
    EXPECT_EQ(path.filename().string(), "dataset-" + corpus_->checksum.substr(0, 16) + "-5.bin");
    ASSERT_FALSE(fs::exists(path));

    expect_same(db::load_or_build_dataset(*corpus_, {5, 1}, {}, dir), *dataset_);
    ASSERT_TRUE(fs::exists(path));
    const auto written = fs::last_write_time(path);
    const std::string bytes = read_bytes(path);

    // The second time the file is read, not rebuilt (no progress calls) nor rewritten.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    size_t calls = 0;
    const db::ProgressFn count = [&](size_t, size_t, std::string_view) { return ++calls, true; };
    expect_same(db::load_or_build_dataset(*corpus_, {5, 1}, count, dir), *dataset_);
    EXPECT_EQ(calls, 0u);
    EXPECT_EQ(fs::last_write_time(path), written);

    // Another seed is another file.
    const db::Dataset other = db::load_or_build_dataset(*corpus_, {6, 1}, {}, dir);
    EXPECT_EQ(other.split_seed, 6u);
    EXPECT_TRUE(fs::exists(db::dataset_cache_path(corpus_->checksum, 6, dir)));

    // A damaged cache is rebuilt and replaced.
    write_bytes(path, bytes.substr(0, bytes.size() / 2));
    calls = 0;
    expect_same(db::load_or_build_dataset(*corpus_, {5, 1}, count, dir), *dataset_);
    EXPECT_GT(calls, 0u);
    EXPECT_EQ(read_bytes(path), bytes);

    // A cache for the same files but another conversion (here: other
    // tokens) is not trusted.
    db::Corpus changed = *corpus_;
    changed.chorales[0].at(db::kSoprano, 0) = db::token::kRest;
    calls = 0;
    const db::Dataset rebuilt = db::load_or_build_dataset(changed, {5, 1}, count, dir);
    EXPECT_GT(calls, 0u);
    EXPECT_EQ(rebuilt.vocabularies[0].token(rebuilt.notes[0][db::kDatasetPadding]), db::token::kRest);
    fs::remove_all(dir);
}

TEST_F(SmallCorpus, UnwritableCacheIsNotFatal) {
    // A cache folder that cannot be created: a file stands in its way.
    const fs::path dir = temp_folder("unwritable");
    write_bytes(dir / "blocker", "x");
    std::string said;
    const db::Dataset d = db::load_or_build_dataset(
        *corpus_, {5, 1},
        [&](size_t, size_t, std::string_view what) {
            said = std::string(what);
            return true;
        },
        dir / "blocker" / "cache");
    expect_same(d, *dataset_);
    EXPECT_NE(said.find("cache"), std::string::npos) << said;
    fs::remove_all(dir);
}

}  // namespace

TEST(DatasetCachePath, FollowsTheEnvironment) {
    const char* saved = std::getenv("DEEPBACH_CACHE");
    const std::string restore = saved ? saved : "";
    ::setenv("DEEPBACH_CACHE", "/tmp/deepbach-cache-env", 1);
    EXPECT_EQ(db::dataset_cache_path(std::string(64, 'a'), 3),
              fs::path("/tmp/deepbach-cache-env") / ("dataset-" + std::string(16, 'a') + "-3.bin"));
    ::unsetenv("DEEPBACH_CACHE");
    ::setenv("XDG_CACHE_HOME", "/tmp/xdg", 1);
    EXPECT_EQ(db::dataset_cache_path("0123456789abcdef0123", 1),
              fs::path("/tmp/xdg/deepbach/dataset-0123456789abcdef-1.bin"));
    ::unsetenv("XDG_CACHE_HOME");
    EXPECT_EQ(db::dataset_cache_path("ff", 1, "/x").filename().string(), "dataset-ff-1.bin");
    if (saved) ::setenv("DEEPBACH_CACHE", restore.c_str(), 1);
}

TEST(Dataset, EmptyCorpus) {
    const db::Corpus corpus;
    const db::Dataset d = db::build_dataset(corpus);
    EXPECT_TRUE(d.sequences.empty());
    EXPECT_TRUE(d.fermata.empty());
    for (const auto& v : d.vocabularies) EXPECT_EQ(v.size(), 4);
    const fs::path dir = temp_folder("empty");
    db::save_dataset(d, dir / "e.bin");
    expect_same(db::load_dataset(dir / "e.bin"), d);
    fs::remove_all(dir);
}
