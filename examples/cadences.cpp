// cadences: fermatas and cadence types. A chorale phrase ends under a
// fermata with a cadence; here we choose which one, harmonize, and show from
// the result that each cadence got the chord it asked for.
//
//   cadences [MELODY] [--cadence BEAT:TYPE]... [-o OUT.musicxml] [--model FILE] [--seed N]
//            [--iterations N]
//
//   MELODY        a one-part MusicXML file; default: examples/melodies/old-hundredth.musicxml
//   --cadence     a cadence at a beat ("N": quarter N of the piece, pickup included, or
//                 "BAR.BEAT"), of a TYPE: authentic (V-I), half (ends on V), plagal (IV-I) or
//                 deceptive (V-vi). The beat gets a fermata when it has none. Repeatable.
//   -o            where to write the chorale (default: cadences.musicxml)
//   --model, --seed, --iterations: as in harmonize_melody
//
// Every fermata of the melody not named by --cadence gets a cadence too: the
// last an authentic one, the others a half cadence where the melody note
// belongs to the dominant chord (it must: every voice sounds a tone of the
// cadence's chord), else an authentic one.
//
//   cadences                                       # Old Hundredth: authentic, half, authentic, authentic
//   cadences --cadence 6.3:deceptive               # the third phrase ends deceptively instead
//   cadences examples/melodies/tallis-canon.musicxml --cadence 7.2:half   # a fermata added mid-phrase
//   cadences examples/melodies/st-anne.musicxml --cadence 8.1:plagal      # an "Amen" ending
#include <deepbach/deepbach.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace {

const char* const kDefaultMelody = DEEPBACH_EXAMPLES_DIR "/melodies/old-hundredth.musicxml";

std::uint64_t parse_count(const char* option, const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
        throw deepbach::Error(std::string(option) + ": expected a whole number, got '" + text + "'");
    return std::stoull(text);
}

int pitch_class(int midi) {
    return (midi % 12 + 12) % 12;
}

// "bar 4 beat 3" for a tick of the grid (4 ticks per quarter).
std::string beat_name(const deepbach::Chorale& grid, int tick) {
    const int bar = grid.measure_index_at(tick);
    const int quarter = (tick - grid.measure_ticks[bar]) / deepbach::kTicksPerQuarter + 1;
    return "bar " + grid.measure_numbers[bar] + " beat " + std::to_string(quarter);
}

// The key at a tick, as the library reads it for a cadence: the signature in
// force there and its written mode; an unwritten mode is minor when the
// melody ends on the relative minor's tonic.
struct Key {
    int tonic = 0;  // pitch class, C = 0
    bool minor = false;
};
Key key_at(const deepbach::Chorale& melody, int tick) {
    const int fifths = melody.key_fifths[tick];
    const int major_tonic = pitch_class(7 * fifths);  // a fifth is 7 semitones
    std::string mode;
    int section_end = melody.num_ticks;
    for (const deepbach::GridKeySignature& k : melody.keys) {
        if (k.tick <= tick) {
            mode = k.mode;
        } else {
            section_end = k.tick;
            break;
        }
    }
    bool minor = mode == "minor";
    if (mode.empty())
        for (int t = section_end - 1; t >= 0; --t)
            if (const auto p = melody.sounding(deepbach::kSoprano, t)) {
                minor = pitch_class(p->midi()) == pitch_class(major_tonic + 9);
                break;
            }
    return {minor ? pitch_class(major_tonic + 9) : major_tonic, minor};
}

// What a cadence type asks for, in semitones above the tonic: the chord at the
// cadence (its root first, for the bass) and the bass a quarter before (-1: free).
struct CadenceChord {
    const char* name;  // the chord as a Roman numeral
    std::array<int, 3> tones;
    int bass_before;
};
CadenceChord cadence_chord(deepbach::CadenceType type, bool minor) {
    using deepbach::CadenceType;
    switch (type) {
        case CadenceType::authentic:  // V - I: the tonic chord, the dominant before
            return minor ? CadenceChord{"i", {0, 3, 7}, 7} : CadenceChord{"I", {0, 4, 7}, 7};
        case CadenceType::plagal:  // IV - I: the tonic chord, the subdominant before
            return minor ? CadenceChord{"i", {0, 3, 7}, 5} : CadenceChord{"I", {0, 4, 7}, 5};
        case CadenceType::half:  // ends on V (major in minor keys too: the raised leading tone)
            return {"V", {7, 11, 2}, -1};
        case CadenceType::deceptive:  // V - vi (VI in minor)
            return minor ? CadenceChord{"VI", {8, 0, 3}, 7} : CadenceChord{"vi", {9, 0, 4}, 7};
    }
    return {"?", {0, 0, 0}, -1};
}

bool chord_tone(const CadenceChord& chord, const Key& key, int midi) {
    for (int tone : chord.tones)
        if (pitch_class(midi) == pitch_class(key.tonic + tone)) return true;
    return false;
}

int usage(const char* program) {
    std::fprintf(stderr,
                 "usage: %s [MELODY] [--cadence BEAT:TYPE]... [-o OUT.musicxml] [--model FILE] [--seed N] "
                 "[--iterations N]\n",
                 program);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace deepbach;
    try {
        std::filesystem::path melody_file = kDefaultMelody;
        std::filesystem::path out = "cadences.musicxml";
        std::vector<std::string> asked;  // the --cadence arguments, read once we have the melody
        SamplingOptions options;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "--cadence" && has_value) {
                asked.push_back(argv[++i]);
            } else if (arg == "-o" && has_value) {
                out = argv[++i];
            } else if (arg == "--model" && has_value) {
                options.model_path = argv[++i];
            } else if (arg == "--seed" && has_value) {
                options.seed = parse_count("--seed", argv[++i]);
            } else if (arg == "--iterations" && has_value) {
                options.iterations = static_cast<int>(parse_count("--iterations", argv[++i]));
            } else if (arg.empty() || arg[0] == '-') {
                return usage(argv[0]);
            } else {
                melody_file = arg;
            }
        }

        const Score melody = read_score(melody_file);
        // The melody on DeepBach's grid: positions below are ticks of it.
        const Chorale grid = melody_chorale(melody);

        // 1. The cadences asked for on the command line. beat_tick() reads a
        //    beat as people write it; fermata_span() is what a fermata there
        //    covers (the melody note sounding at the beat).
        Constraints constraints;
        for (const std::string& text : asked) {
            const auto colon = text.find(':');
            if (colon == std::string::npos)
                throw Error("--cadence " + text + ": expected BEAT:TYPE, e.g. 8.3:authentic");
            const int tick = beat_tick(grid, text.substr(0, colon));
            const CadenceType type = parse_cadence_type(text.substr(colon + 1));
            if (!grid.fermata[tick]) constraints.fermatas.push_back(fermata_span(grid, tick, true));
            constraints.cadences.push_back({tick, type});
        }

        // 2. A cadence at every other fermata of the melody: where a fermata
        //    note starts (Chorale::fermata flags every tick it sounds).
        std::vector<int> phrase_ends;
        for (int t = 0; t < grid.num_ticks; ++t)
            if (grid.fermata[t] && (t == 0 || !grid.fermata[t - 1] || grid.at(kSoprano, t) != token::kHold))
                phrase_ends.push_back(t);
        for (int tick : phrase_ends) {
            bool named = false;
            for (const Cadence& c : constraints.cadences) named = named || c.tick == tick;
            if (named) continue;
            const Key key = key_at(grid, tick);
            const auto note = grid.sounding(kSoprano, tick);
            const bool fits_v =
                note && chord_tone(cadence_chord(CadenceType::half, key.minor), key, note->midi());
            const bool last = tick == phrase_ends.back();
            constraints.cadences.push_back(
                {tick, !last && fits_v ? CadenceType::half : CadenceType::authentic});
        }
        std::sort(constraints.cadences.begin(), constraints.cadences.end(),
                  [](const Cadence& a, const Cadence& b) { return a.tick < b.tick; });
        if (constraints.cadences.empty())
            throw Error(melody_file.string() + " has no fermata: name a cadence with --cadence BEAT:TYPE");

        // 3. Harmonize under the constraints. A cadence the melody contradicts
        //    (a melody note outside the chord) is an Error before any sampling,
        //    naming the bar.
        const Harmonization h = harmonize(melody, constraints, options);
        const Chorale& result = h.chorale;

        // 4. Show each cadence: the four voices at its beat (bass first), the
        //    chord it asked for, and the bass a quarter before.
        std::printf("%s: %zu cadences, pseudo-log-likelihood %.4f\n", melody_file.filename().string().c_str(),
                    constraints.cadences.size(), h.pseudo_log_likelihood);
        int broken = 0;
        for (const Cadence& c : constraints.cadences) {
            const Key key = key_at(grid, c.tick);
            const CadenceChord chord = cadence_chord(c.type, key.minor);
            std::string voices;
            bool held = true;
            for (int v = kBass; v >= kSoprano; --v) {
                const auto p = result.sounding(v, c.tick);
                voices += " " + (p ? p->name() : std::string("rest"));
                if (!p || !chord_tone(chord, key, p->midi())) held = false;
                if (v == kBass && p && pitch_class(p->midi()) != pitch_class(key.tonic + chord.tones[0]))
                    held = false;  // the bass takes the root
            }
            std::string before;
            const int t_before = c.tick - kTicksPerQuarter;
            if (chord.bass_before >= 0 && t_before >= 0) {
                const auto b = result.sounding(kBass, t_before);
                before = ", bass before " + (b ? b->name() : std::string("rest")) +
                         (chord.bass_before == 7 ? " (V)" : " (IV)");
                if (!b || pitch_class(b->midi()) != pitch_class(key.tonic + chord.bass_before)) held = false;
            }
            std::printf("  %-14s %-10s chord %-3s (B A T S:%s)%s  %s\n", beat_name(result, c.tick).c_str(),
                        to_string(c.type).c_str(), chord.name, voices.c_str(), before.c_str(),
                        held ? "ok" : "NOT HELD");
            broken += held ? 0 : 1;
        }

        write_musicxml(h.score(), out);
        std::printf("wrote %s\n", out.string().c_str());
        if (broken) {
            std::fprintf(stderr, "cadences: %d cadences did not hold\n", broken);
            return 1;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "cadences: %s\n", e.what());
        return 1;
    }
    return 0;
}
