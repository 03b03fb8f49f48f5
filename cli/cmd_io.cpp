// deepbach info, deepbach convert.
#include "commands.hpp"

#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <iostream>

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

int run_convert(const std::string& in, const std::string& out) {
    write_score(read_score(in), out);
    return 0;
}

}  // namespace

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
    auto* cmd =
        app.add_subcommand("convert", "Convert a score to .musicxml, .mxl or .mid (by OUT's extension)");
    auto in = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    cmd->add_option("IN", *in, "Input score (.musicxml, .xml, .mxl)")->required();
    cmd->add_option("OUT", *out, "Output file (.musicxml, .xml, .mxl, .mid)")->required();
    cmd->callback([&action, in, out] { action = [in, out] { return run_convert(*in, *out); }; });
}

}  // namespace deepbach::cli
