// regenerate_bars: keep a harmonization but redraw part of it. Harmonizes a
// melody, then reharmonizes a range of bars in some voices with another seed,
// writes both versions, and lists the cells that changed. Everything outside
// the region must be exactly as it was: the program checks that and exits 1
// if it is not.
//
//   regenerate_bars [MELODY] [--bars FIRST-LAST] [--voices ATB] [-o OUT_BASENAME] [--model FILE]
//                   [--seed N] [--iterations N]
//
//   MELODY        a one-part MusicXML file; default: examples/melodies/old-hundredth.musicxml
//   --bars        the bars to redraw, numbers as written in the score (default 2-3)
//   --voices      the voices to redraw, letters of SATB (default ATB: the melody stays)
//   -o            writes OUT_BASENAME-first.musicxml and OUT_BASENAME-second.musicxml
//                 (default: regenerated)
//   --seed        seed of the first harmonization; the second uses seed + 1 (default 1)
//   --model, --iterations: as in harmonize_melody
#include <deepbach/deepbach.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

namespace {

const char* const kDefaultMelody = DEEPBACH_EXAMPLES_DIR "/melodies/old-hundredth.musicxml";

std::uint64_t parse_count(const char* option, const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
        throw deepbach::Error(std::string(option) + ": expected a whole number, got '" + text + "'");
    return std::stoull(text);
}

// "bar 2 beat 1.5": where a tick lies (4 ticks per quarter), beats counted
// in quarters from 1 within the bar.
std::string position(const deepbach::Chorale& grid, int tick) {
    const int bar = grid.measure_index_at(tick);
    const int offset = tick - grid.measure_ticks[bar];
    char beat[32];
    std::snprintf(beat, sizeof beat, "%g", 1.0 + static_cast<double>(offset) / deepbach::kTicksPerQuarter);
    return "bar " + grid.measure_numbers[bar] + " beat " + beat;
}

int usage(const char* program) {
    std::fprintf(stderr,
                 "usage: %s [MELODY] [--bars FIRST-LAST] [--voices ATB] [-o OUT_BASENAME] [--model FILE] "
                 "[--seed N] [--iterations N]\n",
                 program);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace deepbach;
    try {
        std::filesystem::path melody_file = kDefaultMelody;
        std::string bars = "2-3", voices = "ATB", out = "regenerated";
        std::filesystem::path model_path;
        SamplingOptions options;
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "--bars" && has_value) {
                bars = argv[++i];
            } else if (arg == "--voices" && has_value) {
                voices = argv[++i];
            } else if (arg == "-o" && has_value) {
                out = argv[++i];
            } else if (arg == "--model" && has_value) {
                model_path = argv[++i];
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

        // Two sampling calls with one model: load it once and share it
        // (SamplingOptions::model) instead of naming the file each time.
        options.model = std::make_shared<const Model>(
            Model::load(model_path.empty() ? default_model_path() : model_path));

        // 1. The first harmonization.
        const Score melody = read_score(melody_file);
        const Harmonization first = harmonize(melody, {}, options);
        write_musicxml(first.score(), out + "-first.musicxml");
        std::printf("first:  seed %llu, pseudo-log-likelihood %.4f, wrote %s-first.musicxml\n",
                    static_cast<unsigned long long>(options.seed), first.pseudo_log_likelihood, out.c_str());

        // 2. The region to redraw: ticks (from the bar numbers as written)
        //    times voices.
        //    `before` is the grid of the score reharmonized below (a rest the
        //    sampler wrote after a rest reads back as one longer rest).
        const Chorale before = to_chorale(first.score());
        const auto dash = bars.find('-');
        Region region;
        region.ticks =
            bar_ticks(before, bars.substr(0, dash), dash == std::string::npos ? bars : bars.substr(dash + 1));
        region.voices = {false, false, false, false};
        for (char letter : voices) region.voices[parse_voice(std::string(1, letter))] = true;

        // 3. Reharmonize the four-part score of the first result: only the
        //    region's cells are sampled again, with another seed.
        options.seed += 1;
        const Harmonization second = reharmonize(first.score(), {region}, options);
        write_musicxml(second.score(), out + "-second.musicxml");
        std::printf("second: seed %llu, pseudo-log-likelihood %.4f, wrote %s-second.musicxml\n",
                    static_cast<unsigned long long>(options.seed), second.pseudo_log_likelihood, out.c_str());

        // 4. Compare the grids cell by cell: a token is a note's start (its
        //    pitch), "__" (the note goes on) or "rest".
        const Chorale& after = second.chorale;
        if (after.num_ticks != before.num_ticks) throw Error("the reharmonization changed the length");
        int changed = 0, outside = 0;
        std::printf("bars %s, voices %s redrawn; cells that changed:\n", bars.c_str(), voices.c_str());
        for (int v = 0; v < kNumVoices; ++v)
            for (int t = 0; t < before.num_ticks; ++t) {
                if (before.at(v, t) == after.at(v, t)) continue;
                const bool inside = region.voices[v] && region.ticks.contains(t);
                (inside ? changed : outside) += 1;
                std::printf("  %-7s %-16s %-5s -> %-5s%s\n", voice_name(v), position(before, t).c_str(),
                            token::name(before.at(v, t)).c_str(), token::name(after.at(v, t)).c_str(),
                            inside ? "" : "  OUTSIDE THE REGION");
            }
        std::printf("%d cells changed inside the region, %d outside\n", changed, outside);
        if (outside > 0) {
            std::fprintf(stderr, "regenerate_bars: %d cells outside the region changed\n", outside);
            return 1;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "regenerate_bars: %s\n", e.what());
        return 1;
    }
    return 0;
}
