// check_edit: compares a chorale before and after an edit of some ticks and
// voices (the MuseScore plugin's test). Exit 0 when, outside the edit, every
// voice sounds the same pitches (or rests) at every sixteenth and starts its
// notes at the same ticks (the first tick after the edit excepted: a note
// held into it may be struck again there), and inside it at least one cell
// of the edited voices changed. Otherwise one line on stderr and exit 1.
//
//   check_edit BEFORE AFTER A-B VOICES      A-B: MuseScore ticks (480 a quarter); VOICES: e.g. ATB
#include <deepbach/chorale.hpp>
#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <cstdio>
#include <string>
#include <vector>

using namespace deepbach;

namespace {

// The MIDI key sounding in each cell of a voice (-1: a rest).
std::vector<int> sounding(const Chorale& c, int v) {
    std::vector<int> out(static_cast<size_t>(c.num_ticks), -1);
    int now = -1;
    for (int t = 0; t < c.num_ticks; ++t) {
        const Token tok = c.at(v, t);
        if (tok == token::kRest)
            now = -1;
        else if (tok != token::kHold)
            now = token::to_pitch(tok).midi();
        out[static_cast<size_t>(t)] = now;
    }
    return out;
}

std::string key_text(int midi) {
    return midi < 0 ? "a rest" : "MIDI " + std::to_string(midi);
}

int run(const std::string& before_file, const std::string& after_file, const std::string& ticks,
        const std::string& voices_text) {
    const Chorale before = to_chorale(read_score(before_file)), after = to_chorale(read_score(after_file));
    if (before.num_ticks != after.num_ticks)
        throw Error(after_file + ": " + std::to_string(after.num_ticks) + " ticks, " + before_file + " has " +
                    std::to_string(before.num_ticks));
    const auto dash = ticks.find('-');
    const int from = std::stoi(ticks.substr(0, dash)) / 120, to = std::stoi(ticks.substr(dash + 1)) / 120;
    const auto voices = parse_voices(voices_text);
    int changed = 0;
    for (int v = 0; v < kNumVoices; ++v) {
        const auto a = sounding(before, v), b = sounding(after, v);
        const bool edited = voices[static_cast<size_t>(v)];
        for (int t = 0; t < before.num_ticks; ++t) {
            const bool inside = edited && t >= from && t < to;
            const bool onset_a = before.at(v, t) != token::kHold, onset_b = after.at(v, t) != token::kHold;
            if (inside) {
                changed += a[static_cast<size_t>(t)] != b[static_cast<size_t>(t)] || onset_a != onset_b;
                continue;
            }
            if (a[static_cast<size_t>(t)] != b[static_cast<size_t>(t)] ||
                (onset_a != onset_b && !(edited && t == to && onset_b)))
                fail({after_file, after.bar_at(t), voice_name(v)},
                     "changed outside the edit (tick " + std::to_string(t * 120) +
                         "): " + key_text(b[static_cast<size_t>(t)]) + (onset_b ? " starting" : " held") +
                         ", before " + key_text(a[static_cast<size_t>(t)]) +
                         (onset_a ? " starting" : " held"));
        }
    }
    if (changed == 0) throw Error(after_file + ": nothing changed inside ticks " + ticks + " " + voices_text);
    std::printf("outside the edit: the same; inside: %d of %d cells changed\n", changed,
                (to - from) * static_cast<int>(voices_text.size()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 5) {
        std::fprintf(stderr, "usage: check_edit BEFORE AFTER A-B VOICES\n");
        return 2;
    }
    try {
        return run(argv[1], argv[2], argv[3], argv[4]);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "check_edit: %s\n", e.what());
        return 1;
    }
}
