// Round trip of a corpus through the writers, for CTest (tests/corpus_roundtrip.cmake).
//
//   corpus_roundtrip CORPUS_DIR OUT_DIR [--min-accepted N] [--midi-expect N]
//
// For every score of CORPUS_DIR: read_score -> to_chorale (scores it rejects
// are skipped with a note) -> to_score -> write OUT_DIR/musicxml/NAME.musicxml
// -> read_score -> to_chorale, and the two chorales must agree in tokens and
// every piece of metadata. Every 25th chorale also goes through .mxl. Each
// chorale is written as OUT_DIR/midi/NAME.mid; for the first N of them a
// NAME.expected.csv lists "track,tick,key" of every note-on, taken from the
// grid itself, for check_midi.cmake to compare with what midicsv decodes.
#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace deepbach;

namespace {

template <typename T>
std::string join(const std::vector<T>& v) {
    std::ostringstream out;
    for (size_t i = 0; i < v.size(); ++i) out << (i ? "," : "") << +v[i];
    return out.str();
}

/// The first difference between two chorales, or "" when they agree.
std::string first_difference(const Chorale& a, const Chorale& b) {
    if (a.num_ticks != b.num_ticks)
        return "num_ticks " + std::to_string(a.num_ticks) + " != " + std::to_string(b.num_ticks);
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < a.num_ticks; ++t)
            if (a.at(v, t) != b.at(v, t))
                return std::string("token of ") + voice_name(v) + " at tick " + std::to_string(t) + " (bar " +
                       a.bar_at(t) + "): " + token::name(a.at(v, t)) + " != " + token::name(b.at(v, t));
    auto per_tick = [&](const char* what, const auto& x, const auto& y) -> std::string {
        for (int t = 0; t < a.num_ticks; ++t)
            if (x[t] != y[t])
                return std::string(what) + " at tick " + std::to_string(t) + ": " + std::to_string(+x[t]) +
                       " != " + std::to_string(+y[t]);
        return "";
    };
    if (auto d = per_tick("fermata", a.fermata, b.fermata); !d.empty()) return d;
    if (auto d = per_tick("beat_position", a.beat_position, b.beat_position); !d.empty()) return d;
    if (auto d = per_tick("key_fifths", a.key_fifths, b.key_fifths); !d.empty()) return d;
    if (a.measure_ticks != b.measure_ticks)
        return "measure_ticks [" + join(a.measure_ticks) + "] != [" + join(b.measure_ticks) + "]";
    if (a.measure_numbers != b.measure_numbers) return "measure_numbers differ";
    if (a.times.size() != b.times.size()) return "number of time signatures differs";
    for (size_t i = 0; i < a.times.size(); ++i)
        if (a.times[i].tick != b.times[i].tick || a.times[i].beats != b.times[i].beats ||
            a.times[i].beat_type != b.times[i].beat_type)
            return "time signature " + std::to_string(i) + " differs";
    if (a.keys.size() != b.keys.size()) return "number of key signatures differs";
    for (size_t i = 0; i < a.keys.size(); ++i)
        if (a.keys[i].tick != b.keys[i].tick || a.keys[i].fifths != b.keys[i].fifths ||
            a.keys[i].mode != b.keys[i].mode)
            return "key signature " + std::to_string(i) + " differs (" + std::to_string(a.keys[i].fifths) +
                   " " + a.keys[i].mode + " at " + std::to_string(a.keys[i].tick) + " vs " +
                   std::to_string(b.keys[i].fifths) + " " + b.keys[i].mode + " at " +
                   std::to_string(b.keys[i].tick) + ")";
    return "";
}

/// Every note-on the MIDI file of `c` must hold: "track,tick,key", track 2
/// being the first part as midicsv counts (track 1 is the tempo track).
std::string expected_note_ons(const Chorale& c, int ticks_per_quarter) {
    std::vector<std::string> lines;
    for (int v = 0; v < kNumVoices; ++v)
        for (int t = 0; t < c.num_ticks; ++t)
            if (token::is_pitch(c.at(v, t)))
                lines.push_back(std::to_string(v + 2) + "," +
                                std::to_string(t * ticks_per_quarter / kTicksPerQuarter) + "," +
                                std::to_string(token::to_pitch(c.at(v, t)).midi()));
    std::sort(lines.begin(), lines.end());
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

bool is_score_file(const fs::path& p) {
    const std::string e = p.extension().string();
    return e == ".mxl" || e == ".xml" || e == ".musicxml";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: corpus_roundtrip CORPUS_DIR OUT_DIR [--min-accepted N] [--midi-expect N]\n";
        return 2;
    }
    const fs::path corpus = argv[1], out = argv[2];
    int min_accepted = 1, midi_expect = 5;
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string opt = argv[i];
        if (opt == "--min-accepted")
            min_accepted = std::atoi(argv[i + 1]);
        else if (opt == "--midi-expect")
            midi_expect = std::atoi(argv[i + 1]);
        else {
            std::cerr << "unknown option " << opt << "\n";
            return 2;
        }
    }
    if (!fs::is_directory(corpus)) {
        std::cerr << "corpus folder not found: " << corpus << " (set DEEPBACH_CORPUS_DIR)\n";
        return 1;
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(corpus))
        if (e.is_regular_file() && is_score_file(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());

    // Start from empty folders so the schema check sees only this run's files.
    try {
        for (const char* sub : {"musicxml", "midi", "mxl"}) {
            fs::remove_all(out / sub);
            fs::create_directories(out / sub);
        }
    } catch (const fs::filesystem_error& e) {
        std::cerr << "cannot prepare the output folder: " << e.what() << "\n";
        return 1;
    }

    const MidiOptions midi;
    int accepted = 0, rejected = 0, failed = 0, expected_written = 0;
    for (size_t i = 0; i < files.size(); ++i) {
        const fs::path& file = files[i];
        const std::string name = file.stem().string();
        Chorale original;
        try {
            original = to_chorale(read_score(file));
        } catch (const Error& e) {
            std::cout << "skipped: " << e.what() << "\n";
            ++rejected;
            continue;
        }
        ++accepted;
        std::vector<fs::path> outputs{out / "musicxml" / (name + ".musicxml")};
        if (i % 25 == 0) outputs.push_back(out / "mxl" / (name + ".mxl"));
        try {
            const Score score = to_score(original);
            for (const fs::path& written : outputs) {
                write_musicxml(score, written);
                const Chorale again = to_chorale(read_score(written));
                const std::string diff = first_difference(original, again);
                if (!diff.empty()) {
                    if (failed < 20) std::cout << "MISMATCH " << written.string() << ": " << diff << "\n";
                    ++failed;
                    break;
                }
            }
            write_midi(score, out / "midi" / (name + ".mid"), midi);
            if (expected_written < midi_expect) {
                std::ofstream(out / "midi" / (name + ".expected.csv"))
                    << expected_note_ons(original, midi.ticks_per_quarter);
                ++expected_written;
            }
        } catch (const Error& e) {
            if (failed < 20) std::cout << "FAILED " << file.string() << ": " << e.what() << "\n";
            ++failed;
        }
    }
    std::cout << files.size() << " files, " << accepted << " accepted as chorales, " << rejected
              << " skipped, " << (accepted - failed) << " round-tripped exactly, " << failed << " failed\n";
    if (failed > 0) return 1;
    if (accepted < min_accepted) {
        std::cout << "too few chorales accepted: " << accepted << " < " << min_accepted << "\n";
        return 1;
    }
    return 0;
}
