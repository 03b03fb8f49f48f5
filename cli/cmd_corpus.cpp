// deepbach corpus: what a folder of chorales holds for training.
#include "commands.hpp"
#include "progress.hpp"

#include <deepbach/corpus.hpp>
#include <deepbach/pitch.hpp>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <iostream>

namespace deepbach::cli {

namespace {

// "C4" for 60, for ranges.
std::string midi_name(int midi) {
    return Pitch::from_midi(midi).name();
}

int run_corpus(const std::string& folder, bool json, int threads) {
    Corpus corpus;
    {
        TerminalProgress progress("reading corpus");
        CorpusOptions options;
        options.threads = threads;
        corpus = load_corpus(folder, options, progress.callback());
    }
    std::array<Vocabulary, kNumVoices> vocabularies;
    if (!corpus.chorales.empty()) vocabularies = build_vocabularies(corpus);
    const auto ranges = corpus.ranges();
    const size_t total = corpus.chorales.size() + corpus.rejected.size();

    if (json) {
        nlohmann::json out;
        out["folder"] = folder;
        out["files"] = total;
        out["accepted"] = corpus.chorales.size();
        out["rejected"] = nlohmann::json::array();
        for (const auto& r : corpus.rejected)
            out["rejected"].push_back({{"file", r.file}, {"reason", r.reason}});
        out["ticks"] = corpus.total_ticks();
        out["checksum"] = corpus.checksum;
        out["voices"] = nlohmann::json::array();
        for (int v = 0; v < kNumVoices; ++v) {
            nlohmann::json voice{{"name", voice_name(v)}, {"vocabulary_size", vocabularies[v].size()}};
            if (!ranges[v].empty()) {
                voice["lowest_midi"] = ranges[v].lowest;
                voice["highest_midi"] = ranges[v].highest;
                voice["lowest"] = midi_name(ranges[v].lowest);
                voice["highest"] = midi_name(ranges[v].highest);
            }
            out["voices"].push_back(voice);
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    fmt::print("folder:   {}\n", folder);
    fmt::print("accepted: {} of {} files\n", corpus.chorales.size(), total);
    fmt::print("rejected: {}\n", corpus.rejected.size());
    for (const auto& r : corpus.rejected) fmt::print("  {}: {}\n", r.file, r.reason);
    fmt::print("ticks:    {} ({} per quarter)\n", corpus.total_ticks(), kTicksPerQuarter);
    fmt::print("checksum: {}\n", corpus.checksum);
    fmt::print("{:<8} {:>10}  {}\n", "voice", "vocabulary", "range");
    for (int v = 0; v < kNumVoices; ++v) {
        const std::string range =
            ranges[v].empty()
                ? "-"
                : fmt::format("{} .. {} (MIDI {}..{})", midi_name(ranges[v].lowest),
                              midi_name(ranges[v].highest), ranges[v].lowest, ranges[v].highest);
        fmt::print("{:<8} {:>10}  {}\n", voice_name(v), vocabularies[v].size(), range);
    }
    return 0;
}

}  // namespace

void add_corpus_command(CLI::App& app, Action& action) {
    auto* cmd = app.add_subcommand(
        "corpus", "Scan a folder of chorales: accepted and rejected files, ticks, vocabularies, ranges");
    auto folder = std::make_shared<std::string>();
    auto json = std::make_shared<bool>(false);
    auto threads = std::make_shared<int>(0);
    cmd->add_option("DIR", *folder, "Folder of MusicXML chorales")->required();
    cmd->add_flag("--json", *json, "Print one JSON object");
    cmd->add_option("--threads", *threads, "Threads for reading (0: all cores)")->capture_default_str();
    cmd->callback([&action, folder, json, threads] {
        action = [folder, json, threads] { return run_corpus(*folder, *json, *threads); };
    });
}

}  // namespace deepbach::cli
