// The corpus pipeline's building blocks: vocabularies, splits, valid
// transpositions, and loading a folder of chorales (the real Bach corpus
// when it is present).
#include <deepbach/chorale.hpp>
#include <deepbach/corpus.hpp>
#include <deepbach/error.hpp>
#include <deepbach/pitch.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <string>

namespace db = deepbach;
namespace fs = std::filesystem;

namespace {

db::Token tok(const char* name) {
    return db::token::from_pitch(db::Pitch::parse(name));
}

std::array<db::VoiceRange, db::kNumVoices> make_ranges(std::initializer_list<db::VoiceRange> list) {
    std::array<db::VoiceRange, db::kNumVoices> out;
    std::copy(list.begin(), list.end(), out.begin());
    return out;
}

// A fresh, empty folder under the system's temporary folder; the random
// suffix keeps test programs run in parallel (ctest -j) apart.
fs::path temp_folder(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() /
                         ("deepbach-corpus-test-" + name + "-" + std::to_string(std::random_device{}()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

bool have_corpus() {
    return fs::is_directory(DEEPBACH_CORPUS_DIR);
}

}  // namespace

// ---- Vocabulary -------------------------------------------------------------

TEST(Vocabulary, SpecialsFirstThenPitchesByMidiThenFifths) {
    // B#3, C4 and Dbb4 are all MIDI 60; flats first along the line of fifths.
    const db::Vocabulary v(
        {tok("C4"), tok("B#3"), tok("Dbb4"), tok("Cb4"), tok("C#4"), tok("Db4"), tok("C4")});
    const std::vector<std::string> expected = {"START", "END", "rest", "__",  "Cb4",
                                               "Dbb4",  "C4",  "B#3",  "Db4", "C#4"};
    EXPECT_EQ(v.names(), expected);
    EXPECT_EQ(v.size(), 10);
    EXPECT_EQ(v.index(db::token::kStart), 0);
    EXPECT_EQ(v.index(db::token::kEnd), 1);
    EXPECT_EQ(v.index(db::token::kRest), 2);
    EXPECT_EQ(v.index(db::token::kHold), 3);
    EXPECT_EQ(v.index(tok("Dbb4")), 5);
    EXPECT_EQ(v.token(7), tok("B#3"));
    EXPECT_EQ(v.index(tok("D4")), -1);
    EXPECT_FALSE(v.contains(tok("D4")));
    EXPECT_EQ(v.index(-5), -1);
    EXPECT_EQ(v.index(db::token::kCount), -1);
}

TEST(Vocabulary, OrderDoesNotDependOnInput) {
    std::vector<db::Token> tokens = {tok("G2"),  tok("E5"),  db::token::kHold,
                                     tok("F#3"), tok("Gb3"), tok("A4")};
    const db::Vocabulary a(tokens);
    std::reverse(tokens.begin(), tokens.end());
    const db::Vocabulary b(tokens);
    EXPECT_EQ(a, b);
    EXPECT_EQ(db::Vocabulary(std::vector<db::Token>{}).names(),
              (std::vector<std::string>{"START", "END", "rest", "__"}));
    EXPECT_THROW(db::Vocabulary({db::token::kCount}), db::Error);
}

TEST(Vocabulary, NamesRoundTrip) {
    const db::Vocabulary v({tok("C4"), tok("Bb3"), tok("A#3"), tok("E##4"), tok("Fbb2")});
    const db::Vocabulary back = db::Vocabulary::from_names(v.names());
    EXPECT_EQ(back, v);
    for (int i = 0; i < v.size(); ++i) EXPECT_EQ(back.index(v.token(i)), i);
}

TEST(Vocabulary, FromNamesRejectsBadLists) {
    using V = db::Vocabulary;
    EXPECT_THROW(V::from_names({}), db::Error);
    EXPECT_THROW(V::from_names({"START", "END", "rest"}), db::Error);
    // Specials in the wrong order or missing.
    EXPECT_THROW(V::from_names({"END", "START", "rest", "__", "C4"}), db::Error);
    EXPECT_THROW(V::from_names({"C4", "START", "END", "rest", "__"}), db::Error);
    // Unknown names.
    EXPECT_THROW(V::from_names({"START", "END", "rest", "__", "H4"}), db::Error);
    EXPECT_THROW(V::from_names({"START", "END", "rest", "__", ""}), db::Error);
    // Duplicates, of a pitch or of a special.
    EXPECT_THROW(V::from_names({"START", "END", "rest", "__", "C4", "C4"}), db::Error);
    EXPECT_THROW(V::from_names({"START", "END", "rest", "__", "C4", "rest"}), db::Error);
    // Pitches out of the fixed order would give the network's outputs the wrong notes.
    EXPECT_THROW(V::from_names({"START", "END", "rest", "__", "D4", "C4"}), db::Error);
    try {
        V::from_names({"START", "END", "rest", "__", "Q9"});
        FAIL();
    } catch (const db::Error& e) {
        EXPECT_NE(std::string(e.what()).find("Q9"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(V::from_names({"START", "END", "rest", "__", "Dbb4", "C4", "B#3"}));
}

// ---- split_chorales ---------------------------------------------------------

TEST(Split, SizesDisjointSortedComplete) {
    for (int n : {0, 1, 2, 7, 20, 318}) {
        const db::Split s = db::split_chorales(n, 42);
        EXPECT_EQ(static_cast<long>(s.train.size()), std::lround(n * 0.85)) << n;
        EXPECT_EQ(static_cast<long>(s.valid.size()),
                  std::min<long>(n - std::lround(n * 0.85), std::lround(n * 0.10)))
            << n;
        EXPECT_EQ(static_cast<int>(s.train.size() + s.valid.size() + s.test.size()), n);
        EXPECT_TRUE(std::is_sorted(s.train.begin(), s.train.end()));
        EXPECT_TRUE(std::is_sorted(s.valid.begin(), s.valid.end()));
        EXPECT_TRUE(std::is_sorted(s.test.begin(), s.test.end()));
        std::set<int> all;
        for (const auto* part : {&s.train, &s.valid, &s.test}) all.insert(part->begin(), part->end());
        EXPECT_EQ(static_cast<int>(all.size()), n);
        if (n > 0) {
            EXPECT_EQ(*all.begin(), 0);
            EXPECT_EQ(*all.rbegin(), n - 1);
        }
    }
    const db::Split s = db::split_chorales(318, 1);
    EXPECT_EQ(s.train.size(), 270u);
    EXPECT_EQ(s.valid.size(), 32u);
    EXPECT_EQ(s.test.size(), 16u);
}

TEST(Split, DeterministicPerSeed) {
    const db::Split a = db::split_chorales(100, 7);
    const db::Split b = db::split_chorales(100, 7);
    EXPECT_EQ(a.train, b.train);
    EXPECT_EQ(a.valid, b.valid);
    EXPECT_EQ(a.test, b.test);
    const db::Split c = db::split_chorales(100, 8);
    EXPECT_NE(a.valid, c.valid);
    // Pinned: the shuffle is our own code, so this must hold on every
    // platform and compiler. A change here changes every model's split.
    // (Checked against an independent Python transcription of the algorithm.)
    const db::Split pinned = db::split_chorales(10, 1, 0.6, 0.2);
    EXPECT_EQ(pinned.train, (std::vector<int>{0, 2, 3, 5, 8, 9}));
    EXPECT_EQ(pinned.valid, (std::vector<int>{4, 6}));
    EXPECT_EQ(pinned.test, (std::vector<int>{1, 7}));
    EXPECT_EQ(db::split_chorales(318, 1).test, (std::vector<int>{24, 94, 116, 151, 165, 176, 178, 188, 193,
                                                                 198, 230, 231, 238, 251, 253, 285}));
}

TEST(Split, CustomFractionsAndErrors) {
    const db::Split s = db::split_chorales(10, 3, 0.5, 0.5);
    EXPECT_EQ(s.train.size(), 5u);
    EXPECT_EQ(s.valid.size(), 5u);
    EXPECT_TRUE(s.test.empty());
    EXPECT_THROW(db::split_chorales(-1, 1), db::Error);
    EXPECT_THROW(db::split_chorales(10, 1, 0.9, 0.2), db::Error);
    EXPECT_THROW(db::split_chorales(10, 1, -0.1, 0.2), db::Error);
}

// ---- valid_shifts -----------------------------------------------------------

TEST(ValidShifts, StaysInsideRanges) {
    db::Chorale c = db::Chorale::empty(16);
    c.at(db::kSoprano, 0) = tok("C4");  // 60
    c.at(db::kSoprano, 4) = tok("G4");  // 67
    c.at(db::kBass, 0) = tok("C3");     // 48
    // Soprano 57..69 allows -3..+2; bass 45..50 allows -3..+2; alto and tenor rest.
    const auto ranges = make_ranges({{57, 69}, {55, 70}, {48, 65}, {45, 50}});
    EXPECT_EQ(db::valid_shifts(c, ranges), (std::vector<int>{-3, -2, -1, 0, 1, 2}));
    // A narrower bass range cuts it further.
    EXPECT_EQ(db::valid_shifts(c, make_ranges({{57, 69}, {55, 70}, {48, 65}, {47, 49}})),
              (std::vector<int>{-1, 0, 1}));
    // A voice with notes but an empty range, or notes outside: nothing fits.
    EXPECT_TRUE(db::valid_shifts(c, make_ranges({{57, 69}, {55, 70}, {48, 65}, {}})).empty());
    EXPECT_TRUE(db::valid_shifts(c, make_ranges({{70, 80}, {55, 70}, {48, 65}, {45, 50}})).empty());
}

TEST(ValidShifts, ExcludesTripleAccidentals) {
    db::Chorale c = db::Chorale::empty(8);
    c.at(db::kSoprano, 0) = tok("B##3");  // 61, at the sharp end of the line of fifths
    const auto ranges = make_ranges({{55, 70}, {}, {}, {}});
    const std::vector<int> shifts = db::valid_shifts(c, ranges);
    // Up a whole tone is spelled as a major second in C major (to D major):
    // B## would become C###. Up a semitone goes to Db major: C##, fine.
    EXPECT_EQ(std::count(shifts.begin(), shifts.end(), 2), 0);
    EXPECT_EQ(std::count(shifts.begin(), shifts.end(), 1), 1);
    EXPECT_EQ(std::count(shifts.begin(), shifts.end(), 0), 1);
    EXPECT_TRUE(std::is_sorted(shifts.begin(), shifts.end()));
    for (int s : shifts) {
        EXPECT_NO_THROW(db::transpose(c, db::interval_for_shift(c, s))) << s;
    }
}

TEST(ValidShifts, KeysMustStayWithinSevenAccidentals) {
    // Cb major then C# major: only a shift that keeps both keys, i.e. no
    // move along the line of fifths at all, is possible.
    db::Chorale c = db::Chorale::empty(16);
    c.at(db::kSoprano, 0) = tok("Cb4");
    c.at(db::kSoprano, 8) = tok("C#4");
    c.keys = {{0, -7, "major"}, {8, 7, "major"}};
    for (int t = 0; t < 16; ++t) c.key_fifths[static_cast<size_t>(t)] = t < 8 ? -7 : 7;
    EXPECT_EQ(db::valid_shifts(c, make_ranges({{50, 70}, {}, {}, {}})), (std::vector<int>{0}));
    // In C major all of them work.
    db::Chorale plain = db::Chorale::empty(16);
    plain.at(db::kSoprano, 0) = tok("C4");
    EXPECT_EQ(db::valid_shifts(plain, make_ranges({{55, 65}, {}, {}, {}})).size(), 11u);
}

TEST(ValidShifts, RestsOnlySearchesAnOctaveEachWay) {
    const db::Chorale c = db::Chorale::empty(4);
    const std::vector<int> shifts = db::valid_shifts(c, make_ranges({{60, 70}, {}, {}, {}}));
    ASSERT_EQ(shifts.size(), 25u);
    EXPECT_EQ(shifts.front(), -12);
    EXPECT_EQ(shifts.back(), 12);
}

// ---- load_corpus on small folders --------------------------------------------

TEST(LoadCorpus, MissingFolderIsAnError) {
    EXPECT_THROW(db::load_corpus("/nonexistent/deepbach/folder"), db::Error);
}

TEST(LoadCorpus, RejectsWhatItCannotReadWithAReason) {
    const fs::path dir = temp_folder("junk");
    std::ofstream(dir / "broken.xml") << "<score-partwise><part";
    std::ofstream(dir / "notes.txt") << "not a score";
    std::ofstream(dir / ".hidden.xml") << "skipped";
    std::ofstream(dir / "empty.mxl") << "";
    fs::create_directories(dir / "folder.xml");
    const db::Corpus corpus = db::load_corpus(dir);
    EXPECT_TRUE(corpus.files.empty());
    EXPECT_TRUE(corpus.chorales.empty());
    ASSERT_EQ(corpus.rejected.size(), 2u);
    EXPECT_EQ(corpus.rejected[0].file, "broken.xml");
    EXPECT_EQ(corpus.rejected[1].file, "empty.mxl");
    for (const auto& r : corpus.rejected) {
        EXPECT_FALSE(r.reason.empty());
        EXPECT_EQ(r.reason.find('\n'), std::string::npos);
    }
    // Both files were readable, so both are in the checksum.
    const std::string lines = "broken.xml " + db::sha256_hex("<score-partwise><part") + "\n" + "empty.mxl " +
                              db::sha256_hex("") + "\n";
    EXPECT_EQ(corpus.checksum, db::sha256_hex(lines));
    EXPECT_EQ(corpus.total_ticks(), 0u);
    for (const auto& r : corpus.ranges()) EXPECT_TRUE(r.empty());
    fs::remove_all(dir);
}

// ---- the real corpus ------------------------------------------------------------

class RealCorpus : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (have_corpus()) corpus_ = new db::Corpus(db::load_corpus(DEEPBACH_CORPUS_DIR, {1}));
    }
    static void TearDownTestSuite() {
        delete corpus_;
        corpus_ = nullptr;
    }
    void SetUp() override {
        if (!corpus_) GTEST_SKIP() << "no corpus at " << DEEPBACH_CORPUS_DIR;
    }
    static db::Corpus* corpus_;
};
db::Corpus* RealCorpus::corpus_ = nullptr;

TEST_F(RealCorpus, AcceptsMostFilesAndExplainsTheRest) {
    const db::Corpus& c = *corpus_;
    EXPECT_EQ(c.files.size() + c.rejected.size(), 318u);
    EXPECT_GE(c.files.size(), 300u);
    EXPECT_EQ(c.files.size(), c.chorales.size());
    EXPECT_TRUE(std::is_sorted(c.files.begin(), c.files.end()));
    EXPECT_TRUE(std::is_sorted(c.rejected.begin(), c.rejected.end(),
                               [](const auto& a, const auto& b) { return a.file < b.file; }));
    for (const auto& r : c.rejected) {
        EXPECT_FALSE(r.reason.empty()) << r.file;
        std::cout << "rejected " << r.file << ": " << r.reason << "\n";
    }
    for (const auto& chorale : c.chorales) EXPECT_NO_THROW(chorale.validate()) << chorale.source;
    EXPECT_GT(c.total_ticks(), 300u * 100u);
    const auto ranges = c.ranges();
    for (int v = 0; v < db::kNumVoices; ++v) {
        EXPECT_FALSE(ranges[static_cast<size_t>(v)].empty());
        EXPECT_LT(ranges[static_cast<size_t>(v)].highest - ranges[static_cast<size_t>(v)].lowest, 36) << v;
    }
    // The soprano sits above the bass.
    EXPECT_GT(ranges[0].highest, ranges[3].highest);
    EXPECT_GT(ranges[0].lowest, ranges[3].lowest);
}

TEST_F(RealCorpus, ChecksumAgreesWithSha256Sums) {
    std::ifstream in(fs::path(DEEPBACH_CORPUS_DIR).parent_path() / "SHA256SUMS");
    if (!in) GTEST_SKIP() << "no SHA256SUMS";
    std::map<std::string, std::string> sums;
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 67) continue;
        sums[fs::path(line.substr(66)).filename().string()] = line.substr(0, 64);
    }
    std::string lines;
    for (const auto& [name, hex] : sums) lines += name + " " + hex + "\n";
    EXPECT_EQ(corpus_->checksum, db::sha256_hex(lines));
}

TEST_F(RealCorpus, SameResultOnTwoThreads) {
    const db::Corpus two = db::load_corpus(DEEPBACH_CORPUS_DIR, {2});
    EXPECT_EQ(two.files, corpus_->files);
    EXPECT_EQ(two.checksum, corpus_->checksum);
    ASSERT_EQ(two.rejected.size(), corpus_->rejected.size());
    for (size_t i = 0; i < two.rejected.size(); ++i) {
        EXPECT_EQ(two.rejected[i].file, corpus_->rejected[i].file);
        EXPECT_EQ(two.rejected[i].reason, corpus_->rejected[i].reason);
    }
    ASSERT_EQ(two.chorales.size(), corpus_->chorales.size());
    for (size_t i = 0; i < two.chorales.size(); ++i) {
        EXPECT_EQ(two.chorales[i].tokens, corpus_->chorales[i].tokens) << two.files[i];
        EXPECT_EQ(two.chorales[i].key_fifths, corpus_->chorales[i].key_fifths);
    }
}

TEST_F(RealCorpus, ProgressIsReportedInOrderAndCanCancel) {
    std::vector<size_t> seen;
    // A folder of links to a few files keeps this quick.
    const fs::path dir = temp_folder("progress");
    for (size_t i = 0; i < 5; ++i) {
        const std::string name = corpus_->files[i];
        fs::create_symlink(fs::path(DEEPBACH_CORPUS_DIR) / name, dir / name);
    }
    const db::ProgressFn count5 = [&](size_t done, size_t total, std::string_view what) {
        EXPECT_EQ(total, 5u);
        EXPECT_FALSE(what.empty());
        seen.push_back(done);
        return true;
    };
    const db::Corpus small = db::load_corpus(dir, {2}, count5);
    EXPECT_EQ(seen, (std::vector<size_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(small.files.size(), 5u);
    int calls = 0;
    const db::ProgressFn cancel = [&](size_t, size_t, std::string_view) { return ++calls < 2; };
    EXPECT_THROW(db::load_corpus(dir, {1}, cancel), db::Cancelled);
    EXPECT_EQ(calls, 2);
    fs::remove_all(dir);
}

TEST_F(RealCorpus, EveryChoraleHasShiftZeroAndSeveralOthers) {
    const auto ranges = corpus_->ranges();
    size_t total = 0;
    for (const auto& chorale : corpus_->chorales) {
        const std::vector<int> shifts = db::valid_shifts(chorale, ranges);
        EXPECT_TRUE(std::binary_search(shifts.begin(), shifts.end(), 0)) << chorale.source;
        total += shifts.size();
    }
    const double mean = static_cast<double>(total) / static_cast<double>(corpus_->chorales.size());
    std::cout << "mean valid shifts per chorale: " << mean << "\n";
    EXPECT_GT(mean, 4.0);
}
