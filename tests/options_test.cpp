// deepbach/options.hpp: the closed sets, the defaults and the checks every
// front end shares. tests/data/bad_options.json is the table the command
// and the Python package are held to as well (bindings/python/tests/test_options.py):
// the same bad option gives the same error text in all three.
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/options.hpp>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

using namespace deepbach;

namespace {

// The option of one table row set on SamplingOptions as a C++ caller would:
// numbers into their fields, names through the parse functions.
void set_option(SamplingOptions& o, const std::string& name, const nlohmann::json& value) {
    if (name == "chains") o.chains = value.get<int>();
    if (name == "threads") o.threads = value.get<int>();
    if (name == "sweeps") o.sweeps = value.get<int>();
    if (name == "iterations") o.iterations = value.get<int>();
    if (name == "positions") o.positions = value.get<int>();
    if (name == "temperature") o.temperature = value.get<double>();
    if (name == "voice_leading") o.voice_leading = value.get<double>();
    if (name == "schedule") o.schedule = parse_schedule(value.get<std::string>());
    if (name == "backend") o.backend = parse_backend(value.get<std::string>());
    if (name == "device") o.device = parse_device(value.get<std::string>());
}

}  // namespace

TEST(Options, TheSharedTableOfBadOptions) {
    std::ifstream in(std::string(DEEPBACH_TEST_DATA_DIR) + "/bad_options.json");
    ASSERT_TRUE(in) << "tests/data/bad_options.json";
    const nlohmann::json table = nlohmann::json::parse(in);
    ASSERT_GE(table.size(), 10u);
    for (const auto& row : table) {
        SamplingOptions o;
        std::string got = "no error";
        try {
            set_option(o, row["option"].get<std::string>(), row["value"]);
            validate(o);
        } catch (const Error& e) {
            got = e.what();
        }
        EXPECT_EQ(got, row["error"].get<std::string>()) << row.dump();
    }
}

TEST(Options, SweepsOrIterationsNotBoth) {
    SamplingOptions o;
    o.sweeps = 4;
    EXPECT_NO_THROW(validate(o));
    o.iterations = 10;
    try {
        validate(o);
        FAIL() << "sweeps and iterations together were accepted";
    } catch (const Error& e) {
        EXPECT_STREQ(e.what(), "sweeps 4 and iterations 10: give one of them, not both");
    }
}

TEST(Options, DefaultsAreValidAndShared) {
    const SamplingOptions o;
    EXPECT_NO_THROW(validate(o));
    EXPECT_EQ(o.seed, defaults::kSeed);
    EXPECT_EQ(o.threads, defaults::kThreads);
    EXPECT_EQ(o.chains, 1);
    EXPECT_EQ(o.schedule, Schedule::automatic);
    EXPECT_EQ(o.backend, Backend::eigen);
    EXPECT_EQ(o.device, Device::cpu);
}

TEST(Options, NamesRoundTripAndIgnoreCase) {
    for (Schedule s : {Schedule::automatic, Schedule::blocked, Schedule::sweep, Schedule::uniform})
        EXPECT_EQ(parse_schedule(to_string(s)), s);
    for (Backend b : {Backend::eigen, Backend::torch}) EXPECT_EQ(parse_backend(to_string(b)), b);
    for (Device d : {Device::automatic, Device::cpu, Device::cuda}) EXPECT_EQ(parse_device(to_string(d)), d);
    EXPECT_EQ(parse_device(" CUDA "), Device::cuda);
    EXPECT_EQ(parse_schedule("Sweep"), Schedule::sweep);
}

TEST(Options, TextIsParsedWithOneMessagePerMistake) {
    EXPECT_EQ(parse_count("chains", " 12 ", 1), 12);
    EXPECT_EQ(parse_seed("seed", "18446744073709551615"), 18446744073709551615ull);
    EXPECT_DOUBLE_EQ(parse_number("temperature", "0.5"), 0.5);
    auto message = [](auto&& fn) {
        try {
            fn();
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message([] { parse_count("chains", "many", 1); }),
              "chains 'many': expected a whole number of at least 1");
    EXPECT_EQ(message([] { parse_seed("seed", "-3"); }),
              "seed '-3': expected a whole number from 0 to 18446744073709551615");
    EXPECT_EQ(message([] { parse_number("temperature", "warm"); }), "temperature 'warm': expected a number");
    EXPECT_EQ(
        message([] { parse_time_signature("5/7"); }),
        "time '5/7': expected a time signature like 4/4, 3/4 or 3/2 (up to 32 beats of halves, quarters or "
        "eighths)");
}
