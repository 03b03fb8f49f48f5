// Model parameters, initialization and the safetensors model file.
#include <deepbach/error.hpp>
#include <deepbach/model.hpp>

#include "model/half.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>

#include <unistd.h>

using namespace deepbach;
namespace fs = std::filesystem;

namespace {

std::array<Vocabulary, kNumVoices> small_vocabularies() {
    const std::vector<std::vector<std::string>> pitches = {
        {"C5", "D5", "E5", "F#5"}, {"G4", "A4"}, {"C4", "E4", "G4"}, {"C3", "G2"}};
    std::array<Vocabulary, kNumVoices> out;
    for (int v = 0; v < kNumVoices; ++v) {
        std::vector<Token> tokens;
        for (const auto& name : pitches[static_cast<size_t>(v)]) tokens.push_back(token::parse(name));
        out[static_cast<size_t>(v)] = Vocabulary(tokens);
    }
    return out;
}

ModelConfig small_config() {
    ModelConfig c;
    c.mode = ContextMode::window;
    c.note_embedding = 3;
    c.meta_embedding = 2;
    c.lstm_hidden = 6;
    c.lstm_layers = 2;
    c.mlp_hidden = 5;
    return c;
}

Model small_model(std::uint64_t seed = 1) {
    Model m = Model::initialize(small_config(), small_vocabularies(), {}, seed);
    m.ranges = {VoiceRange{60, 81}, VoiceRange{53, 74}, VoiceRange{48, 69}, VoiceRange{36, 62}};
    m.training.corpus_checksum = "abc123";
    m.training.epochs = 3;
    m.training.validation[2].nll = 1.25;
    m.training.validation[2].targets = 777;
    m.training.device = "cpu";
    return m;
}

fs::path temp_dir() {
    const fs::path dir = fs::temp_directory_path() / ("deepbach_model_test_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir;
}

std::string read_bytes(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}
void write_bytes(const fs::path& p, const std::string& bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

/// Splits a model file into its header JSON and its data bytes.
std::pair<nlohmann::json, std::string> split_file(const std::string& bytes) {
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
    return {nlohmann::json::parse(bytes.substr(8, n)), bytes.substr(8 + n)};
}
std::string join_file(const nlohmann::json& header, const std::string& data) {
    std::string text = header.dump();
    while (text.size() % 8) text.push_back(' ');
    std::string out;
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((text.size() >> (8 * i)) & 0xff));
    return out + text + data;
}

void expect_load_error(const fs::path& p, const std::string& fragment) {
    try {
        Model::load(p);
        ADD_FAILURE() << "no error for " << fragment;
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find(p.string()), std::string::npos) << what;
        EXPECT_NE(what.find(fragment), std::string::npos) << what;
    }
}

}  // namespace

TEST(ModelShapes, DefaultConfig) {
    Model m;
    m.vocabularies = small_vocabularies();
    const auto shapes = m.expected_shapes();
    // Per voice: 4 note + 3 meta embeddings, 2 LSTMs x 2 layers x 4, 4 center, 4 head.
    EXPECT_EQ(shapes.size(), 4u * (7 + 16 + 8));
    EXPECT_EQ(shapes.at("voices.0.note_embeddings.1.weight"), (std::vector<std::int64_t>{6, 20}));
    EXPECT_EQ(shapes.at("voices.2.meta_embeddings.key.weight"), (std::vector<std::int64_t>{15, 20}));
    EXPECT_EQ(shapes.at("voices.1.past_lstm.weight_ih_l0"), (std::vector<std::int64_t>{1024, 140}));
    EXPECT_EQ(shapes.at("voices.1.future_lstm.weight_ih_l1"), (std::vector<std::int64_t>{1024, 256}));
    EXPECT_EQ(shapes.at("voices.3.future_lstm.bias_hh_l1"), (std::vector<std::int64_t>{1024}));
    EXPECT_EQ(shapes.at("voices.0.center.0.weight"), (std::vector<std::int64_t>{256, 120}));
    EXPECT_EQ(shapes.at("voices.0.head.0.weight"), (std::vector<std::int64_t>{256, 768}));
    EXPECT_EQ(shapes.at("voices.3.head.2.weight"), (std::vector<std::int64_t>{6, 256}));
    EXPECT_EQ(shapes.at("voices.3.head.2.bias"), (std::vector<std::int64_t>{6}));
}

TEST(ModelShapes, ContextModeText) {
    EXPECT_STREQ(to_string(ContextMode::window), "window");
    EXPECT_EQ(parse_context_mode("full"), ContextMode::full);
    EXPECT_THROW(parse_context_mode("both"), Error);
}

TEST(ModelInit, DeterministicPerSeed) {
    const Model a = small_model(5), b = small_model(5), c = small_model(6);
    a.validate();
    ASSERT_EQ(a.weights.size(), b.weights.size());
    bool differs = false;
    for (const auto& [name, t] : a.weights) {
        EXPECT_EQ(t.data, b.weights.at(name).data) << name;
        differs |= t.data != c.weights.at(name).data;
    }
    EXPECT_TRUE(differs);
    // LSTM weights within +-1/sqrt(H); linear within +-1/sqrt(fan_in).
    for (float x : a.weights.at("voices.0.past_lstm.weight_hh_l1").data)
        EXPECT_LE(std::abs(x), 1 / std::sqrt(6.0f));
    for (float x : a.weights.at("voices.0.head.0.weight").data) EXPECT_LE(std::abs(x), 1 / std::sqrt(17.0f));
    // Embeddings standard normal-ish: not all within a small bound.
    float biggest = 0;
    for (float x : a.weights.at("voices.0.meta_embeddings.key.weight").data)
        biggest = std::max(biggest, std::abs(x));
    EXPECT_GT(biggest, 1.0f);
}

TEST(ModelValidate, CatchesProblems) {
    Model m = small_model();
    m.weights.at("voices.1.head.2.weight").shape = {4, 5};
    EXPECT_THROW(m.validate(), Error);
    m = small_model();
    m.weights.at("voices.0.center.0.bias").data[2] = std::numeric_limits<float>::quiet_NaN();
    EXPECT_THROW(m.validate(), Error);
    m = small_model();
    m.weights["voices.0.extra"] = Tensor{{1}, {0.0f}};
    EXPECT_THROW(m.validate(), Error);
    m = small_model();
    m.weights.erase("voices.2.future_lstm.bias_ih_l1");
    EXPECT_THROW(m.validate(), Error);
    m = small_model();
    m.config.lstm_layers = 9;
    EXPECT_THROW(m.validate(), Error);
    m = small_model();
    m.config.dropout = 1.0f;
    EXPECT_THROW(m.validate(), Error);
    m = small_model();
    m.config.window_past = 0;
    EXPECT_THROW(m.validate(), Error);
}

TEST(ModelFile, SaveLoadExactFloat32) {
    const fs::path p = temp_dir() / "m32.safetensors";
    const Model a = small_model(3);
    a.save(p);
    const Model b = Model::load(p);
    EXPECT_EQ(b.config.mode, a.config.mode);
    EXPECT_EQ(b.config.lstm_hidden, 6);
    EXPECT_EQ(b.config.dropout, a.config.dropout);
    for (int v = 0; v < kNumVoices; ++v) {
        EXPECT_EQ(b.vocabularies[static_cast<size_t>(v)], a.vocabularies[static_cast<size_t>(v)]);
        EXPECT_EQ(b.ranges[static_cast<size_t>(v)].lowest, a.ranges[static_cast<size_t>(v)].lowest);
        EXPECT_EQ(b.ranges[static_cast<size_t>(v)].highest, a.ranges[static_cast<size_t>(v)].highest);
    }
    EXPECT_EQ(b.training.corpus_checksum, "abc123");
    EXPECT_EQ(b.training.seed, 3u);
    EXPECT_EQ(b.training.validation[2].nll, 1.25);
    EXPECT_EQ(b.training.validation[2].targets, 777);
    ASSERT_EQ(b.weights.size(), a.weights.size());
    for (const auto& [name, t] : a.weights) {
        const Tensor& u = b.weights.at(name);
        EXPECT_EQ(u.shape, t.shape);
        ASSERT_EQ(u.data.size(), t.data.size());
        EXPECT_EQ(std::memcmp(u.data.data(), t.data.data(), 4 * t.data.size()), 0) << name;
    }
    // The header is padded to 8 bytes; metadata values are strings.
    const auto [header, data] = split_file(read_bytes(p));
    for (const auto& [key, value] : header.at("__metadata__").items()) EXPECT_TRUE(value.is_string()) << key;
    EXPECT_EQ(header.at("__metadata__").at("format_version"), "1");
    std::uint64_t end = 0;
    for (const auto& [name, entry] : header.items()) {
        if (name == "__metadata__") continue;
        EXPECT_EQ(entry.at("data_offsets")[0].get<std::uint64_t>(), end) << name;  // sorted, contiguous
        end = entry.at("data_offsets")[1].get<std::uint64_t>();
    }
    EXPECT_EQ(end, data.size());
}

TEST(ModelFile, SaveLoadFloat16) {
    const fs::path dir = temp_dir();
    Model a = small_model(4);
    a.config.note_embedding = 40;  // enough weights that the header is small beside them
    a = Model::initialize(a.config, a.vocabularies, a.ranges, 4);
    a.save(dir / "full.safetensors");
    a.save(dir / "half.safetensors", true);
    const Model b = Model::load(dir / "half.safetensors");
    for (const auto& [name, t] : a.weights) {
        const Tensor& u = b.weights.at(name);
        for (size_t i = 0; i < t.data.size(); ++i) {
            EXPECT_NEAR(u.data[i], t.data[i], std::abs(t.data[i]) / 1024 + 1e-7) << name;
        }
    }
    const double full = static_cast<double>(fs::file_size(dir / "full.safetensors"));
    const double half = static_cast<double>(fs::file_size(dir / "half.safetensors"));
    EXPECT_LT(half, 0.62 * full);
    EXPECT_GT(half, 0.45 * full);
}

TEST(Half, Conversions) {
    using detail::float_to_half;
    using detail::half_to_float;
    EXPECT_EQ(float_to_half(0.0f), 0x0000);
    EXPECT_EQ(float_to_half(-0.0f), 0x8000);
    EXPECT_EQ(float_to_half(1.0f), 0x3c00);
    EXPECT_EQ(float_to_half(-2.0f), 0xc000);
    EXPECT_EQ(float_to_half(65504.0f), 0x7bff);
    EXPECT_EQ(float_to_half(65520.0f), 0x7c00);  // ties to even: infinity
    EXPECT_EQ(float_to_half(std::numeric_limits<float>::infinity()), 0x7c00);
    EXPECT_EQ(float_to_half(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
    EXPECT_EQ(float_to_half(std::ldexp(1.0f, -25)), 0x0000);  // tie to even
    EXPECT_EQ(float_to_half(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_EQ(float_to_half(std::ldexp(1.0f, -14)), 0x0400);             // smallest normal
    EXPECT_EQ(float_to_half(1.0f + std::ldexp(1.0f, -11)), 0x3c00);      // tie to even, down
    EXPECT_EQ(float_to_half(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);  // tie to even, up
    EXPECT_TRUE(std::isnan(half_to_float(float_to_half(std::numeric_limits<float>::quiet_NaN()))));
    EXPECT_TRUE(std::isinf(half_to_float(0xfc00)));
    // Every finite half survives half -> float -> half.
    for (std::uint32_t h = 0; h < 0x10000; ++h) {
        if ((h & 0x7c00) == 0x7c00) continue;
        const float f = half_to_float(static_cast<std::uint16_t>(h));
        ASSERT_EQ(float_to_half(f), h) << h;
    }
    EXPECT_EQ(half_to_float(0x0001), std::ldexp(1.0f, -24));
    EXPECT_EQ(half_to_float(0x03ff), std::ldexp(1023.0f, -24));
}

TEST(ModelFile, CorruptFilesNameTheFile) {
    const fs::path dir = temp_dir();
    const fs::path good = dir / "good.safetensors";
    small_model().save(good);
    const std::string bytes = read_bytes(good);
    const fs::path p = dir / "bad.safetensors";

    write_bytes(p, "abc");
    expect_load_error(p, "shorter");
    write_bytes(p, bytes.substr(0, 200));
    expect_load_error(p, "truncated");
    std::string huge = bytes;
    huge[6] = 1;  // header length ~ 2^48
    write_bytes(p, huge);
    expect_load_error(p, "absurd");
    std::string not_json = bytes;
    not_json[8] = 'x';
    write_bytes(p, not_json);
    expect_load_error(p, "not JSON");
    expect_load_error(dir / "missing.safetensors", "missing.safetensors");

    auto edit = [&](const std::function<void(nlohmann::json&, std::string&)>& change,
                    const std::string& fragment) {
        auto [header, data] = split_file(bytes);
        change(header, data);
        write_bytes(p, join_file(header, data));
        expect_load_error(p, fragment);
    };
    edit([](auto& h, auto&) { h["__metadata__"]["format_version"] = "2"; },
         "model format version 2, this libdeepbach reads version 1");
    edit([](auto& h, auto&) { h["__metadata__"]["format"] = "other"; }, "format");
    edit([](auto& h, auto&) { h.erase("__metadata__"); }, "__metadata__");
    edit([](auto& h, auto&) { h["__metadata__"]["config"] = "{"; }, "config");
    edit([](auto& h, auto&) { h["__metadata__"]["vocab_alto"] = "[\"START\"]"; }, "vocab");
    edit([](auto& h, auto&) { h["voices.0.head.2.bias"]["dtype"] = "I64"; }, "dtype I64");
    edit([](auto& h, auto&) { h["voices.0.head.2.bias"]["data_offsets"][1] = 1u << 30; }, "outside");
    edit([](auto& h, auto&) { h["voices.0.head.2.bias"]["shape"] = {9}; }, "calls for");
    edit([](auto& h, auto&) { h.erase("voices.1.center.2.bias"); }, "'voices.1.center.2.bias' is missing");
    edit(
        [](auto& h, auto&) {
            // As many values, another shape.
            h["voices.1.head.2.weight"]["shape"] = {5, 6};
        },
        "tensor 'voices.1.head.2.weight' has shape [5, 6], expected [6, 5]");
    edit(
        [](auto& h, auto&) {
            auto entry = h["voices.0.head.2.bias"];
            h["voices.0.extra"] = entry;
        },
        "unexpected tensor 'voices.0.extra'");
    edit(
        [](auto& h, auto&) {
            // Point one tensor at the bytes of another of the same size.
            h["voices.2.head.0.bias"]["data_offsets"] = h["voices.3.head.0.bias"]["data_offsets"];
        },
        "overlap");
    edit(
        [](auto& h, std::string& data) {
            const std::uint64_t at =
                h["voices.0.head.2.bias"]["data_offsets"][0].template get<std::uint64_t>();
            const float nan = std::numeric_limits<float>::quiet_NaN();
            std::memcpy(&data[at], &nan, 4);
        },
        "non-finite");
    edit([](auto& h, auto&) { h["voices.0.head.2.bias"] = 3; }, "malformed");
    // Numbers of the metadata that do not fit their fields (issue 15's
    // fuzzing: they were read unchecked).
    auto meta_edit = [&](const char* key, const std::function<void(nlohmann::json&)>& change,
                         const std::string& fragment) {
        edit(
            [&](auto& h, auto&) {
                nlohmann::json j = nlohmann::json::parse(h["__metadata__"][key].template get<std::string>());
                change(j);
                h["__metadata__"][key] = j.dump();
            },
            fragment);
    };
    meta_edit(
        "training", [](nlohmann::json& j) { j["epochs"] = 1e30; }, "training record 'epochs'");
    meta_edit(
        "training", [](nlohmann::json& j) { j["steps"] = 1e30; }, "training record 'steps'");
    meta_edit(
        "training", [](nlohmann::json& j) { j["batch_size"] = 4294967296LL; },
        "training record 'batch_size' is 4294967296, out of range");
    meta_edit(
        "training", [](nlohmann::json& j) { j["seed"] = -1; }, "training record 'seed' is -1, out of range");
    meta_edit(
        "training", [](nlohmann::json& j) { j["device"] = 3; }, "'device' is not a string");
    meta_edit(
        "training", [](nlohmann::json& j) { j["validation"][0]["targets"] = 0.5; }, "'targets'");
    meta_edit(
        "voice_ranges", [](nlohmann::json& j) { j[0]["lowest"] = 1e30; },
        "voice_ranges[0] 'lowest' is 1e+30, not a whole number");
    meta_edit(
        "voice_ranges", [](nlohmann::json& j) { j[1]["highest"] = 300; },
        "voice_ranges[1] 'highest' is 300, out of range");
    meta_edit(
        "voice_ranges", [](nlohmann::json& j) { j[2]["lowest"] = 100; }, "lowest is above highest");
    // One checked reader for every number: signed and unsigned JSON
    // integers, floats and strings where a whole number belongs, and the
    // config's numbers (dropout was cast to float unchecked: 1e300 is
    // undefined behaviour).
    meta_edit(
        "training", [](nlohmann::json& j) { j["epochs"] = 1e30; }, "'epochs' is 1e+30, not a whole number");
    meta_edit(
        "training", [](nlohmann::json& j) { j["epochs"] = "7"; }, "'epochs' is a string, not a whole number");
    meta_edit(
        "training", [](nlohmann::json& j) { j["batch_size"] = -5; }, "'batch_size' is -5, out of range");
    meta_edit(
        "training", [](nlohmann::json& j) { j["validation"][3]["onset_targets"] = 1e19; },
        "'onset_targets' is 1e+19, not a whole number");
    meta_edit(
        "voice_ranges", [](nlohmann::json& j) { j[3]["lowest"] = 4294967296ULL; },
        "voice_ranges[3] 'lowest' is 4294967296, out of range");
    meta_edit(
        "config", [](nlohmann::json& j) { j["dropout"] = 1e300; }, "config 'dropout' is 1e+300, outside");
    meta_edit(
        "config", [](nlohmann::json& j) { j["lstm_hidden"] = 1e30; },
        "config 'lstm_hidden' is 1e+30, not a whole number");
    meta_edit(
        "config", [](nlohmann::json& j) { j["mlp_hidden"] = 4294967296ULL; },
        "config 'mlp_hidden' is 4294967296, out of range");

    // Random garbage never crashes.
    std::uint64_t state = 1;
    for (int trial = 0; trial < 300; ++trial) {
        std::string junk = bytes;
        for (int i = 0; i < 4; ++i) {
            state = state * 6364136223846793005ull + 1442695040888963407ull;
            junk[static_cast<size_t>((state >> 33) % junk.size())] = static_cast<char>(state >> 20);
        }
        write_bytes(p, junk);
        try {
            Model::load(p);
        } catch (const Error&) {
        }
    }
}

TEST(ModelFile, SaveIsAtomicAndRejectsInvalid) {
    const fs::path p = temp_dir() / "invalid.safetensors";
    Model m = small_model();
    m.weights.erase("voices.0.head.2.bias");
    EXPECT_THROW(m.save(p), Error);
    EXPECT_FALSE(fs::exists(p));
}
