// Reads a chorale, prints its grid as DeepBach sees it, and writes it
// transposed by a number of semitones as MusicXML and MIDI.
//
//   inspect_chorale CHORALE [SEMITONES] [OUT_BASENAME]
//   inspect_chorale ../shared/corpus/bach/bwv10.7.mxl 2 /tmp/bwv10.7-up2
#include <deepbach/deepbach.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CHORALE [SEMITONES] [OUT_BASENAME]\n", argv[0]);
        return 2;
    }
    try {
        const deepbach::Score score = deepbach::read_score(argv[1]);
        const deepbach::Chorale chorale = deepbach::to_chorale(score);
        std::printf("%s: %d ticks, %zu bars\n", argv[1], chorale.num_ticks, chorale.measure_ticks.size());

        // The first two bars, one column per tick.
        const int shown =
            std::min(chorale.num_ticks,
                     chorale.measure_ticks.size() > 2 ? chorale.measure_ticks[2] : chorale.num_ticks);
        for (int v = 0; v < deepbach::kNumVoices; ++v) {
            std::printf("%-8s", deepbach::voice_name(v));
            for (int t = 0; t < shown; ++t)
                std::printf(" %-5s", deepbach::token::name(chorale.at(v, t)).c_str());
            std::printf("\n");
        }
        std::printf("%-8s", "fermata");
        for (int t = 0; t < shown; ++t) std::printf(" %-5d", chorale.fermata[t]);
        std::printf("\n%-8s", "beat");
        for (int t = 0; t < shown; ++t) std::printf(" %-5d", chorale.beat_position[t]);
        std::printf("\n%-8s", "key");
        for (int t = 0; t < shown; ++t) std::printf(" %-5d", chorale.key_fifths[t]);
        std::printf("\n");

        if (argc >= 3) {
            const int semitones = std::atoi(argv[2]);
            const deepbach::Interval by = deepbach::interval_for_shift(chorale, semitones);
            const deepbach::Chorale moved = deepbach::transpose(chorale, by);
            std::printf("transposed by %d semitones: key %+d -> %+d fifths\n", semitones,
                        chorale.key_fifths[0], moved.key_fifths[0]);
            const std::string base = argc >= 4 ? argv[3] : "transposed";
            deepbach::write_musicxml(deepbach::to_score(moved), base + ".musicxml");
            deepbach::write_midi(deepbach::to_score(moved), base + ".mid");
            std::printf("wrote %s.musicxml and %s.mid\n", base.c_str(), base.c_str());
        }
    } catch (const deepbach::Error& e) {
        std::fprintf(stderr, "inspect_chorale: %s\n", e.what());
        return 1;
    }
    return 0;
}
