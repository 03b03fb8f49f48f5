// Tests of write_wav: the header is parsed back here, the length must be the
// score's duration at the tempo plus the tail, exactly, and the same score
// must give the same bytes. Skipped (with the reason) where the build has no
// fluidsynth or the machine no soundfont; the error those cases give is tested.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <gtest/gtest.h>

#include <unistd.h>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace fs = std::filesystem;
using namespace deepbach;

namespace {

const fs::path kMelody = fs::path(DEEPBACH_SOURCE_DIR) / "examples/melodies/old-hundredth.musicxml";

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::uint32_t le(const std::string& b, size_t at, int n) {
    std::uint32_t v = 0;
    for (int i = n - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(b.at(at + static_cast<size_t>(i)));
    return v;
}

bool have_soundfont() {
    try {
        default_soundfont();
        return true;
    } catch (const Error&) {
        return false;
    }
}

#define NEEDS_SOUND()                                                                       \
    do {                                                                                    \
        if (!wav_supported()) GTEST_SKIP() << "this build has no libfluidsynth";            \
        if (!have_soundfont()) GTEST_SKIP() << "no soundfont (Debian: timgm6mb-soundfont)"; \
    } while (0)

fs::path temp_dir() {
    const fs::path dir = fs::temp_directory_path() / ("deepbach-wav-test-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir;
}

}  // namespace

TEST(Wav, FramesAreTheDurationAtTheTempoPlusTheTail) {
    const Score score = read_score(kMelody);
    WavOptions o;
    const double seconds = score.length().to_double() * 60.0 / o.tempo_bpm;
    EXPECT_EQ(wav_frames(score, o), std::llround(seconds * 44100) + 44100);
    o.tail_seconds = 0;
    o.tempo_bpm = 120;
    o.sample_rate = 8000;
    EXPECT_EQ(wav_frames(score, o), std::llround(score.length().to_double() * 0.5 * 8000));
    o.sample_rate = 7;
    EXPECT_THROW(wav_frames(score, o), Error);
}

TEST(Wav, HeaderAndLengthMatchTheScore) {
    NEEDS_SOUND();
    const Score score = read_score(kMelody);
    const fs::path out = temp_dir() / "melody.wav";
    write_wav(score, out);
    const std::string b = slurp(out);
    const std::int64_t frames = wav_frames(score);
    ASSERT_EQ(b.size(), 44u + static_cast<size_t>(frames) * 4);
    EXPECT_EQ(b.substr(0, 4), "RIFF");
    EXPECT_EQ(le(b, 4, 4), b.size() - 8);
    EXPECT_EQ(b.substr(8, 8), "WAVEfmt ");
    EXPECT_EQ(le(b, 16, 4), 16u);
    EXPECT_EQ(le(b, 20, 2), 1u);  // PCM
    EXPECT_EQ(le(b, 22, 2), 2u);  // stereo
    EXPECT_EQ(le(b, 24, 4), 44100u);
    EXPECT_EQ(le(b, 28, 4), 44100u * 4);
    EXPECT_EQ(le(b, 32, 2), 4u);
    EXPECT_EQ(le(b, 34, 2), 16u);
    EXPECT_EQ(b.substr(36, 4), "data");
    EXPECT_EQ(le(b, 40, 4), static_cast<std::uint32_t>(frames * 4));
    // It sounds: the first second is not silent, and the end of the tail is quieter than the music.
    auto peak = [&](std::int64_t from, std::int64_t to) {
        int p = 0;
        for (std::int64_t f = from; f < to; ++f)
            p = std::max(p, std::abs(static_cast<int>(
                                static_cast<std::int16_t>(le(b, 44 + static_cast<size_t>(f) * 4, 2)))));
        return p;
    };
    EXPECT_GT(peak(0, 44100), 500);
    EXPECT_LT(peak(frames - 100, frames), peak(0, 44100));
    fs::remove_all(out.parent_path());
}

TEST(Wav, SameScoreSameBytes) {
    NEEDS_SOUND();
    const Score score = read_score(kMelody);
    WavOptions o;
    o.tail_seconds = 0.25;
    EXPECT_EQ(to_wav(score, o), to_wav(score, o));
}

TEST(Wav, WriteScoreTakesTheWavExtension) {
    NEEDS_SOUND();
    const Score score = read_score(kMelody);
    const fs::path out = temp_dir() / "by-extension.WAV";
    write_score(score, out);
    EXPECT_EQ(fs::file_size(out), 44u + static_cast<std::uintmax_t>(wav_frames(score)) * 4);
    fs::remove_all(out.parent_path());
}

TEST(Wav, ErrorsNameTheFileAndWriteNothing) {
    const Score score = read_score(kMelody);
    const fs::path dir = temp_dir();
    WavOptions o;
    o.soundfont = dir / "missing.sf2";
    try {
        write_wav(score, dir / "a.wav", o);
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("a.wav"), std::string::npos) << text;
        EXPECT_NE(text.find(wav_supported() ? "missing.sf2" : "libfluidsynth"), std::string::npos) << text;
    }
    EXPECT_FALSE(fs::exists(dir / "a.wav"));
    // Not a soundfont.
    { std::ofstream(dir / "bad.sf2") << "not a soundfont"; }
    o.soundfont = dir / "bad.sf2";
    EXPECT_THROW(write_wav(score, dir / "b.wav", o), Error);
    EXPECT_FALSE(fs::exists(dir / "b.wav"));
    if (wav_supported() && have_soundfont()) {
        // A folder that does not exist.
        EXPECT_THROW(write_wav(score, dir / "no-folder" / "c.wav"), Error);
        EXPECT_FALSE(fs::exists(dir / "no-folder"));
    }
    // Only temporary files would be left: none.
    for (const auto& entry : fs::directory_iterator(dir)) EXPECT_EQ(entry.path().filename(), "bad.sf2");
    fs::remove_all(dir);
}
