// harmonize_melody: the first thing to try with libdeepbach. Reads a melody,
// has the model write alto, tenor and bass under it, and saves the chorale as
// MusicXML (for a score editor) and MIDI (to listen to).
//
//   harmonize_melody [MELODY] [-o OUT.musicxml] [--model FILE] [--seed N] [--iterations N]
//
//   MELODY        a one-part MusicXML file (or a chorale: its soprano is taken);
//                 default: examples/melodies/old-hundredth.musicxml
//   -o            where to write the MusicXML; the MIDI and the piano roll (SVG) go next to it
//                 (default: harmonized.musicxml in the current folder)
//   --model       a model file (default: the shipped model, see default_model_path())
//   --seed        the random seed; the same seed gives the same chorale (default 1)
//   --iterations  sampler iterations, 0 for DeepBach's budget (default 0)
#include <deepbach/deepbach.hpp>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

namespace {

// The default melody lives in the source tree; CMake tells us where.
const char* const kDefaultMelody = DEEPBACH_EXAMPLES_DIR "/melodies/old-hundredth.musicxml";

// A non-negative whole number from the command line; a deepbach::Error otherwise,
// so that main() reports it like any other problem.
std::uint64_t parse_count(const char* option, const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 18)
        throw deepbach::Error(std::string(option) + ": expected a whole number, got '" + text + "'");
    return std::stoull(text);
}

int usage(const char* program) {
    std::fprintf(stderr, "usage: %s [MELODY] [-o OUT.musicxml] [--model FILE] [--seed N] [--iterations N]\n",
                 program);
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        // 1. The command line. Everything the library needs goes into
        //    SamplingOptions; fields we do not touch keep good defaults.
        std::filesystem::path melody_file = kDefaultMelody;
        std::filesystem::path out = "harmonized.musicxml";
        deepbach::SamplingOptions options;  // no model set: default_model_path() is used
        for (int i = 1; i < argc; ++i) {
            const std::string arg = argv[i];
            const bool has_value = i + 1 < argc;
            if (arg == "-o" && has_value) {
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

        // 2. Read the melody. read_score() takes .musicxml, .xml and .mxl and
        //    throws deepbach::Error (naming file and bar) for anything it cannot read.
        const deepbach::Score melody = deepbach::read_score(melody_file);
        // The grid view of it (4 ticks per quarter), only to report its size here.
        const deepbach::Chorale grid = deepbach::melody_chorale(melody);
        const std::string title = melody.title.empty() ? melody_file.filename().string() : melody.title;
        std::printf("melody: %s%s%s, %zu bars, %d quarters\n", title.c_str(),
                    melody.composer.empty() ? "" : " by ", melody.composer.c_str(), grid.measure_ticks.size(),
                    grid.num_ticks / deepbach::kTicksPerQuarter);
        const std::filesystem::path model =
            options.model_path.empty() ? deepbach::default_model_path() : options.model_path;
        std::printf("model:  %s\n", model.string().c_str());

        // 3. Harmonize. The soprano of the result is the melody, note for note;
        //    alto, tenor and bass are sampled. No constraints: {}.
        const deepbach::Harmonization h = deepbach::harmonize(melody, {}, options);

        // 4. What the sampler did. The pseudo-log-likelihood is the mean
        //    log-probability the model gives each sampled cell given all the
        //    others: closer to 0 means the model likes the result more.
        std::printf("harmonized with seed %llu: %d iterations of %d positions in %.2f s (%s)\n",
                    static_cast<unsigned long long>(options.seed), h.iterations, h.positions, h.seconds,
                    h.backend.c_str());
        std::printf("pseudo-log-likelihood: %.4f\n", h.pseudo_log_likelihood);
        // The result's grid, h.chorale: 4 voices x ticks of tokens, a token
        // being a note's start (its pitch), a hold ("__") or a rest.
        for (int v = 0; v < deepbach::kNumVoices; ++v) {
            int notes = 0;
            deepbach::Pitch low, high;
            for (int t = 0; t < h.chorale.num_ticks; ++t) {
                const deepbach::Token token = h.chorale.at(v, t);
                if (!deepbach::token::is_pitch(token)) continue;
                const deepbach::Pitch p = deepbach::token::to_pitch(token);
                if (notes == 0 || p.midi() < low.midi()) low = p;
                if (notes == 0 || p.midi() > high.midi()) high = p;
                ++notes;
            }
            std::printf("  %-8s %3d notes, %s to %s\n", deepbach::voice_name(v), notes, low.name().c_str(),
                        high.name().c_str());
        }

        // 5. Write the chorale: Harmonization::score() is the four-part Score.
        //    Both writers are atomic (a temporary file, then a rename).
        const deepbach::Score chorale = h.score();
        std::filesystem::path midi = out;
        midi.replace_extension(".mid");
        deepbach::write_musicxml(chorale, out);
        deepbach::MidiOptions midi_options;
        midi_options.tempo_bpm = 72;        // a chorale tempo
        midi_options.fermata_holds = true;  // hold the fermatas, as a choir would
        deepbach::write_midi(chorale, midi, midi_options);
        // And a piano roll to look at in a browser: h.fixed says which cells
        // were given (the melody) and which the model wrote.
        std::filesystem::path svg = out;
        svg.replace_extension(".svg");
        deepbach::write_piano_roll_svg(h.chorale, svg, &h.fixed);
        std::printf("wrote %s, %s and %s\n", out.string().c_str(), midi.string().c_str(),
                    svg.string().c_str());
    } catch (const deepbach::Error& e) {
        // Every problem the library reports (a bad file, a missing model, a
        // constraint that cannot hold) is a deepbach::Error with a one-line message.
        std::fprintf(stderr, "harmonize_melody: %s\n", e.what());
        return 1;
    }
    return 0;
}
