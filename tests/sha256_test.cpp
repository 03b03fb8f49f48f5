// SHA-256 against the FIPS 180-4 / NIST example vectors, padding edge
// cases, incremental hashing, and the corpus's published checksums.
#include "corpus/sha256.hpp"

#include <deepbach/corpus.hpp>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using deepbach::sha256_hex;

TEST(Sha256, StandardVectors) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(
        sha256_hex(
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrs"
            "mnopqrstnopqrstu"),
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the 56-byte padding boundary and block boundaries
// (expected values from Python's hashlib).
TEST(Sha256, PaddingBoundaries) {
    const std::pair<int, const char*> cases[] = {
        {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
        {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
        {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
        {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
        {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
        {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
        {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
    };
    for (const auto& [n, hex] : cases)
        EXPECT_EQ(sha256_hex(std::string(static_cast<size_t>(n), 'a')), hex) << n;
}

TEST(Sha256, IncrementalEqualsOneShot) {
    std::string data;
    for (int i = 0; i < 1000; ++i) data += static_cast<char>((i * 37 + 11) & 0xff);
    const std::string expected = sha256_hex(data);
    for (size_t piece : {1u, 3u, 63u, 64u, 65u, 200u}) {
        deepbach::detail::Sha256 hasher;
        for (size_t at = 0; at < data.size(); at += piece)
            hasher.update(std::string_view(data).substr(at, piece));
        EXPECT_EQ(deepbach::detail::Sha256::to_hex(hasher.finish()), expected) << piece;
    }
}

// The corpus folder ships SHA256SUMS made with sha256sum: every line must agree.
TEST(Sha256, MatchesCorpusChecksums) {
    const std::filesystem::path sums =
        std::filesystem::path(DEEPBACH_CORPUS_DIR).parent_path() / "SHA256SUMS";
    std::ifstream in(sums);
    if (!in) GTEST_SKIP() << "no " << sums;
    std::string line;
    int checked = 0;
    while (std::getline(in, line) && checked < 40) {
        const std::string hex = line.substr(0, 64);
        const std::filesystem::path file = sums.parent_path() / line.substr(66);
        std::ifstream f(file, std::ios::binary);
        ASSERT_TRUE(f) << file;
        std::ostringstream bytes;
        bytes << f.rdbuf();
        EXPECT_EQ(sha256_hex(bytes.str()), hex) << file;
        ++checked;
    }
    EXPECT_GT(checked, 0);
}
