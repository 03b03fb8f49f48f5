// Zip archives in memory: round trips, the stored .mxl mimetype entry, and
// archives that are broken, lying or built to explode.
#include "io/zip.hpp"

#include <deepbach/error.hpp>

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace deepbach::detail {
namespace {

const std::string kMimetype = "application/vnd.recordare.musicxml";

// Message of the Error `action` throws, or a failure when it throws none.
template <typename Action>
std::string error_of(Action action) {
    try {
        action();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "no Error thrown";
    return {};
}

std::string sample_archive() {
    return zip_create({{"mimetype", kMimetype, false},
                       {"META-INF/container.xml", "<container/>", true},
                       {"score.xml", std::string(5000, 'x') + "<end/>", true}});
}

std::uint32_t read_le32(const std::string& bytes, std::size_t at) {
    std::uint32_t value = 0;
    for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
    return value;
}

void write_le32(std::string& bytes, std::size_t at, std::uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

TEST(Zip, LooksLikeZip) {
    EXPECT_TRUE(looks_like_zip(sample_archive()));
    EXPECT_TRUE(looks_like_zip(zip_create({})));
    EXPECT_FALSE(looks_like_zip("<?xml version=\"1.0\"?>"));
    EXPECT_FALSE(looks_like_zip("PK"));
    EXPECT_FALSE(looks_like_zip(""));
}

TEST(Zip, RoundTripKeepsOrderAndBytes) {
    const std::string zip = sample_archive();
    EXPECT_EQ(zip_entry_names(zip, "a.mxl"),
              (std::vector<std::string>{"mimetype", "META-INF/container.xml", "score.xml"}));
    EXPECT_EQ(zip_read_entry(zip, "mimetype", {}, "a.mxl"), kMimetype);
    EXPECT_EQ(zip_read_entry(zip, "META-INF/container.xml", {}, "a.mxl"), "<container/>");
    EXPECT_EQ(zip_read_entry(zip, "score.xml", {}, "a.mxl"), std::string(5000, 'x') + "<end/>");
}

TEST(Zip, MimetypeIsFirstAndStored) {
    const std::string zip = sample_archive();
    ASSERT_GT(zip.size(), 30 + 8 + kMimetype.size());
    EXPECT_EQ(zip.substr(0, 4), std::string("PK\x03\x04", 4));
    EXPECT_EQ(zip[8], 0);  // compression method 0: stored
    EXPECT_EQ(zip[9], 0);
    const std::size_t name_length = static_cast<unsigned char>(zip[26]);
    const std::size_t extra_length = static_cast<unsigned char>(zip[28]);
    EXPECT_EQ(zip.substr(30, name_length), "mimetype");
    EXPECT_EQ(zip.substr(30 + name_length + extra_length, kMimetype.size()), kMimetype);
}

TEST(Zip, CreateIsReproducible) {
    EXPECT_EQ(sample_archive(), sample_archive());
}

TEST(Zip, EmptyArchive) {
    EXPECT_TRUE(zip_entry_names(zip_create({}), "e.zip").empty());
}

TEST(Zip, DuplicateNamesAreAnError) {
    EXPECT_THROW(zip_create({{"a", "1", true}, {"a", "2", true}}), Error);
}

TEST(Zip, NotAZip) {
    const std::string message = error_of([] { zip_entry_names("just some text, no zip", "x.mxl"); });
    EXPECT_EQ(message.rfind("x.mxl: not a zip archive", 0), 0u) << message;
}

TEST(Zip, MissingEntry) {
    const std::string message = error_of([] { zip_read_entry(sample_archive(), "other.xml", {}, "x.mxl"); });
    EXPECT_EQ(message, "x.mxl: the archive has no entry 'other.xml'");
}

TEST(Zip, TruncatedArchive) {
    const std::string zip = sample_archive();
    for (std::size_t keep : {std::size_t{4}, std::size_t{30}, zip.size() / 2, zip.size() - 1}) {
        const std::string message = error_of([&] {
            zip_entry_names(std::string_view(zip).substr(0, keep), "cut.mxl");
            zip_read_entry(std::string_view(zip).substr(0, keep), "score.xml", {}, "cut.mxl");
        });
        EXPECT_EQ(message.rfind("cut.mxl: ", 0), 0u) << message;
    }
}

TEST(Zip, EntryLargerThanLimit) {
    const std::string zip = zip_create({{"big.xml", std::string(100000, 'a'), false}});
    ZipLimits limits;
    limits.max_entry_bytes = 1000;
    const std::string message = error_of([&] { zip_read_entry(zip, "big.xml", limits, "big.mxl"); });
    EXPECT_EQ(message, "big.mxl: entry 'big.xml' decompresses to more than 1000 bytes (zip bomb?)");
}

TEST(Zip, CompressionRatioLimit) {
    // 32 MB of zeros deflates about 1000:1, far past the default ratio of 200.
    const std::string zip = zip_create({{"score.xml", std::string(32u << 20, '\0'), true}});
    EXPECT_LT(zip.size(), 200000u);
    const std::string message = error_of([&] { zip_read_entry(zip, "score.xml", {}, "bomb.mxl"); });
    EXPECT_EQ(message.rfind("bomb.mxl: entry 'score.xml' expands more than 200 times (zip bomb?)", 0), 0u)
        << message;
}

TEST(Zip, SmallEntriesMayCompressWell) {
    const std::string zip = zip_create({{"pad.xml", std::string(20000, ' '), true}});
    EXPECT_EQ(zip_read_entry(zip, "pad.xml", {}, "pad.mxl").size(), 20000u);
}

// A header that understates the size must not let more bytes through: the
// limit is enforced while inflating too.
TEST(Zip, LyingSizeHeaderIsCaught) {
    std::string zip = zip_create({{"score.xml", std::string(1u << 20, 'b'), true}});
    const std::size_t local = 0;
    const std::size_t central = zip.find(std::string("PK\x01\x02", 4));
    ASSERT_NE(central, std::string::npos);
    ASSERT_EQ(read_le32(zip, local + 22), 1u << 20);
    write_le32(zip, local + 22, 100);
    write_le32(zip, central + 24, 100);
    ZipLimits limits;
    limits.max_entry_bytes = 1000;
    limits.max_ratio = 1000000;
    const std::string message = error_of([&] { zip_read_entry(zip, "score.xml", limits, "liar.mxl"); });
    EXPECT_EQ(message, "liar.mxl: entry 'score.xml' decompresses to more than 1000 bytes (zip bomb?)");
}

// Random corruption must end in an Error or in bytes, never in a crash.
TEST(Zip, CorruptedBytesNeverCrash) {
    const std::string zip = sample_archive();
    std::mt19937 random(42);
    int errors = 0;
    for (int round = 0; round < 300; ++round) {
        std::string broken = zip;
        for (int flips = 0; flips < 4; ++flips)
            broken[random() % broken.size()] = static_cast<char>(random() & 0xff);
        try {
            for (const std::string& name : zip_entry_names(broken, "fuzz.mxl"))
                zip_read_entry(broken, name, {}, "fuzz.mxl");
        } catch (const Error& e) {
            ++errors;
            EXPECT_EQ(std::string(e.what()).rfind("fuzz.mxl: ", 0), 0u) << e.what();
        }
    }
    EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace deepbach::detail
