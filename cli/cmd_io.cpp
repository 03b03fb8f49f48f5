// deepbach info, deepbach convert.
#include "commands.hpp"
#include "sampling_args.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <tuple>

namespace deepbach::cli {

namespace {

// "Bb major", "G minor", or "2 flats" when the mode is not known.
std::string key_name(int fifths, const std::string& mode) {
    const bool minor = mode == "minor";
    const int lof = fifths + (minor ? 3 : 0);
    const int alter = (lof + 1 >= 0) ? (lof + 1) / 7 : -((-(lof + 1) + 6) / 7);
    const int natural = lof - 7 * alter;
    static const char letters[] = "FCGDAEB";  // line of fifths from -1
    std::string name(1, letters[natural + 1]);
    name += alter > 0 ? std::string(static_cast<size_t>(alter), '#')
                      : std::string(static_cast<size_t>(-alter), 'b');
    if (mode == "major" || mode == "minor") return name + " " + mode;
    if (fifths == 0) return "no sharps or flats";
    return fmt::format("{} {}{}", std::abs(fifths), fifths > 0 ? "sharp" : "flat",
                       std::abs(fifths) == 1 ? "" : "s");
}

struct FermataAt {
    std::string bar;
    Rational onset;
};

int run_info(const std::string& file, bool json) {
    const Score score = read_score(file);
    std::string grid_error;
    int ticks = -1;
    try {
        ticks = to_chorale(score).num_ticks;
    } catch (const Error& e) {
        grid_error = e.what();
    }
    std::vector<FermataAt> fermatas;
    if (!score.parts.empty())
        for (const auto& n : score.parts.front().notes)
            if (n.fermata) fermatas.push_back(FermataAt{score.bar_at(n.onset), n.onset});

    if (json) {
        nlohmann::json out;
        out["file"] = file;
        out["title"] = score.title;
        out["composer"] = score.composer;
        out["parts"] = nlohmann::json::array();
        for (const auto& p : score.parts)
            out["parts"].push_back({{"id", p.id}, {"name", p.name}, {"notes", p.notes.size()}});
        out["keys"] = nlohmann::json::array();
        for (const auto& k : score.keys)
            out["keys"].push_back({{"bar", score.bar_at(k.onset)},
                                   {"fifths", k.fifths},
                                   {"mode", k.mode},
                                   {"name", key_name(k.fifths, k.mode)}});
        out["times"] = nlohmann::json::array();
        for (const auto& t : score.times)
            out["times"].push_back(
                {{"bar", score.bar_at(t.onset)}, {"beats", t.beats}, {"beat_type", t.beat_type}});
        out["bars"] = score.measures.size();
        out["pickup_quarters"] = score.pickup().to_double();
        out["length_quarters"] = score.length().to_double();
        out["ticks"] = ticks >= 0 ? nlohmann::json(ticks) : nlohmann::json(nullptr);
        out["grid_error"] = grid_error.empty() ? nlohmann::json(nullptr) : nlohmann::json(grid_error);
        out["fermatas"] = nlohmann::json::array();
        for (const auto& f : fermatas)
            out["fermatas"].push_back({{"bar", f.bar},
                                       {"onset_quarters", f.onset.to_double()},
                                       {"tick", (f.onset * Rational(kTicksPerQuarter)).to_double()}});
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    std::string part_names;
    for (const auto& p : score.parts)
        part_names += (part_names.empty() ? "" : ", ") + (p.name.empty() ? p.id : p.name);
    fmt::print("file:     {}\n", file);
    if (!score.title.empty()) fmt::print("title:    {}\n", score.title);
    if (!score.composer.empty()) fmt::print("composer: {}\n", score.composer);
    fmt::print("parts:    {} ({})\n", score.parts.size(), part_names);
    for (size_t i = 0; i < score.keys.size(); ++i)
        fmt::print("{}{} (from bar {})\n", i == 0 ? "key:      " : "          ",
                   key_name(score.keys[i].fifths, score.keys[i].mode), score.bar_at(score.keys[i].onset));
    for (size_t i = 0; i < score.times.size(); ++i)
        fmt::print("{}{}/{} (from bar {})\n", i == 0 ? "time:     " : "          ", score.times[i].beats,
                   score.times[i].beat_type, score.bar_at(score.times[i].onset));
    fmt::print("bars:     {}{}\n", score.measures.size(),
               score.pickup() > Rational(0)
                   ? fmt::format(" (pickup of {} quarters)", score.pickup().to_string())
                   : "");
    fmt::print("length:   {} quarters\n", score.length().to_string());
    if (ticks >= 0)
        fmt::print("ticks:    {} ({} per quarter)\n", ticks, kTicksPerQuarter);
    else
        fmt::print("ticks:    not a chorale grid: {}\n", grid_error);
    std::string bars;
    for (const auto& f : fermatas) bars += (bars.empty() ? "" : ", ") + f.bar;
    fmt::print("fermatas: {}{}\n", fermatas.size(), fermatas.empty() ? "" : " (bars " + bars + ")");
    return 0;
}

bool is_wav(const std::string& path) {
    std::string ext = std::filesystem::path(path).extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".wav";
}

int run_convert(const std::string& in, const std::string& out, const std::string& soundfont) {
    if (!is_wav(out)) {
        if (!soundfont.empty())
            throw Error("--soundfont '" + soundfont + "': only a .wav OUT uses a soundfont");
        write_score(read_score(in), out);
        return 0;
    }
    const WavOptions options = wav_options(soundfont);  // before reading: a missing soundfont says so first
    write_wav(read_score(in), out, options);
    return 0;
}

// MuseScore ticks of a score time; the reader keeps times on a grid of at
// most 2^20 per quarter, so anything finer than 1/480 is rounded.
long long ms_ticks(const Rational& t) {
    return std::llround(t.to_double() * kMuseScoreDivision);
}

int run_notes(const std::string& file, const std::string& ticks, bool json) {
    const Score score = read_score(file);
    const long long length = ms_ticks(score.length());
    long long from = 0, to = length;
    if (!ticks.empty()) std::tie(from, to) = parse_musescore_span(ticks, length);

    nlohmann::json parts = nlohmann::json::array();
    for (std::size_t pi = 0; pi < score.parts.size(); ++pi) {
        const Part& part = score.parts[pi];
        nlohmann::json notes = nlohmann::json::array();
        for (const Note& n : part.notes) {
            long long start = ms_ticks(n.onset), end = ms_ticks(n.end());
            if (end <= from || start >= to) continue;
            bool tie_stop = n.tie_stop, tie_start = n.tie_start;
            if (start < from) start = from, tie_stop = !n.is_rest();  // goes on from before the range
            if (end > to) end = to, tie_start = !n.is_rest();         // and past it
            nlohmann::json j{{"tick", start}, {"length", end - start}, {"voice", n.voice}};
            if (n.is_rest()) {
                j["rest"] = true;
            } else {
                j["rest"] = false;
                j["midi"] = n.pitch->midi();
                j["name"] = n.pitch->name();
                j["tpc"] = 14 + n.pitch->fifths();  // MuseScore's tonal pitch class: C = 14, G = 15, F = 13
                j["tie_start"] = tie_start;
                j["tie_stop"] = tie_stop;
            }
            j["fermata"] = n.fermata;
            notes.push_back(std::move(j));
        }
        parts.push_back({{"index", pi}, {"id", part.id}, {"name", part.name}, {"notes", std::move(notes)}});
    }
    if (json) {
        nlohmann::json measures = nlohmann::json::array();
        for (const Measure& m : score.measures)
            measures.push_back(
                {{"number", m.number}, {"tick", ms_ticks(m.onset)}, {"length", ms_ticks(m.duration)}});
        const nlohmann::json out{{"file", file},
                                 {"division", kMuseScoreDivision},
                                 {"from", from},
                                 {"to", to},
                                 {"length", length},
                                 {"measures", std::move(measures)},
                                 {"parts", std::move(parts)}};
        std::cout << out.dump(1) << "\n";
        return 0;
    }
    for (const auto& p : parts) {
        const std::string name =
            p["name"].get<std::string>().empty() ? p["id"].get<std::string>() : p["name"].get<std::string>();
        for (const auto& n : p["notes"])
            fmt::print("{}\t{}\t{}\t{}{}{}\n", name, n["tick"].get<long long>(), n["length"].get<long long>(),
                       n["rest"].get<bool>() ? "rest" : n["name"].get<std::string>(),
                       !n["rest"].get<bool>() && n["tie_stop"].get<bool>() ? " (tied from before)" : "",
                       !n["rest"].get<bool>() && n["tie_start"].get<bool>() ? " (tied on)" : "");
    }
    return 0;
}

}  // namespace

void add_notes_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "notes", "List every note of a score in MuseScore ticks (480 a quarter): for plugins and scripts");
    auto file = std::make_shared<std::string>();
    auto ticks = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("FILE", *file, "MusicXML file (.musicxml, .xml, .mxl)")->required();
    cmd->add_option("--ticks", *ticks,
                    "Only the notes sounding in [A, B), MuseScore ticks, cut to the range (multiples of 120)")
        ->type_name("A-B");
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([&action, file, ticks, json] {
        action = [file, ticks, json] { return run_notes(*file, *ticks, *json); };
    });
}

void add_info_command(CLI::App& app, Action& action) {
    auto* cmd =
        app.add_subcommand("info", "Describe a score: parts, key, time, length in bars and ticks, fermatas");
    auto file = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    cmd->add_option("FILE", *file, "MusicXML file (.musicxml, .xml, .mxl)")->required();
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->callback([&action, file, json] { action = [file, json] { return run_info(*file, *json); }; });
}

void add_convert_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand("convert",
                                   "Convert a score to .musicxml, .mxl, .mid or .wav (by OUT's extension)");
    auto in = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto soundfont = std::make_shared<std::string>();
    cmd->add_option("IN", *in, "Input score (.musicxml, .xml, .mxl)")->required();
    cmd->add_option("OUT", *out, "Output file (.musicxml, .xml, .mxl, .mid, .wav)")->required();
    cmd->add_option("--soundfont", *soundfont,
                    "General MIDI soundfont for a .wav OUT; default: $DEEPBACH_SOUNDFONT, else Debian's "
                    "TimGM6mb (timgm6mb-soundfont)")
        ->type_name("SF2");
    cmd->callback([&action, in, out, soundfont] {
        action = [in, out, soundfont] { return run_convert(*in, *out, *soundfont); };
    });
}

}  // namespace deepbach::cli
