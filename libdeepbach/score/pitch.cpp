#include <deepbach/error.hpp>
#include <deepbach/pitch.hpp>

#include <cstdlib>
#include <limits>

namespace deepbach {

namespace {

// Semitones above C and line-of-fifths position of the natural steps C..B.
constexpr int kStepSemitones[7] = {0, 2, 4, 5, 7, 9, 11};
constexpr int kStepFifths[7] = {0, 2, 4, -1, 1, 3, 5};
constexpr char kStepLetters[] = "CDEFGAB";

int floor_div(int a, int b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace

int Pitch::midi() const {
    return (octave + 1) * 12 + kStepSemitones[step] + alter;
}

int Pitch::fifths() const {
    return kStepFifths[step] + 7 * alter;
}

char Pitch::step_letter() const {
    return kStepLetters[step];
}

std::string Pitch::name() const {
    std::string out(1, step_letter());
    if (alter > 0) out.append(static_cast<size_t>(alter), '#');
    if (alter < 0) out.append(static_cast<size_t>(-alter), 'b');
    out += std::to_string(octave);
    return out;
}

Pitch Pitch::parse(std::string_view text) {
    auto bad = [&]() -> Pitch {
        throw Error("not a pitch: '" + std::string(text) + "' (expected e.g. C4, F#3, Bb2)");
    };
    if (text.size() < 2) return bad();
    Pitch p;
    const char letter = static_cast<char>(text[0] >= 'a' && text[0] <= 'z' ? text[0] - 32 : text[0]);
    int step = -1;
    for (int i = 0; i < 7; ++i)
        if (kStepLetters[i] == letter) step = i;
    if (step < 0) return bad();
    p.step = static_cast<std::int8_t>(step);
    size_t i = 1;
    int alter = 0;
    while (i < text.size() && (text[i] == '#' || text[i] == 'b')) {
        alter += text[i] == '#' ? 1 : -1;
        if ((text[i] == '#') != (text[1] == '#')) return bad();  // "#b" mixes
        ++i;
    }
    if (alter < -2 || alter > 2) return bad();
    p.alter = static_cast<std::int8_t>(alter);
    std::string_view oct = text.substr(i);
    if (oct.empty() || oct.size() > 2) return bad();
    int octave = 0;
    bool negative = false;
    size_t j = 0;
    if (oct[0] == '-') {
        negative = true;
        j = 1;
    }
    if (j >= oct.size()) return bad();
    for (; j < oct.size(); ++j) {
        if (oct[j] < '0' || oct[j] > '9') return bad();
        octave = octave * 10 + (oct[j] - '0');
    }
    if (negative) octave = -octave;
    if (octave < -1 || octave > 9) return bad();
    p.octave = static_cast<std::int8_t>(octave);
    return p;
}

Pitch Pitch::from_fifths_and_midi(int fifths, int midi) {
    const int alter = floor_div(fifths + 1, 7);
    const int natural = fifths - 7 * alter;  // in -1..5
    int step = 0;
    for (int s = 0; s < 7; ++s)
        if (kStepFifths[s] == natural) step = s;
    if (alter < -2 || alter > 2)
        throw Error("pitch with MIDI number " + std::to_string(midi) +
                    " would need more than two accidentals");
    const int octave = floor_div(midi - kStepSemitones[step] - alter, 12) - 1;
    if (octave < -1 || octave > 9)
        throw Error("pitch with MIDI number " + std::to_string(midi) + " is outside octaves -1..9");
    Pitch p;
    p.step = static_cast<std::int8_t>(step);
    p.alter = static_cast<std::int8_t>(alter);
    p.octave = static_cast<std::int8_t>(octave);
    return p;
}

Pitch Pitch::from_midi(int midi) {
    static constexpr int kFifths[12] = {0, 7, 2, -3, 4, -1, 6, 1, 8, 3, -2, 5};
    return from_fifths_and_midi(kFifths[((midi % 12) + 12) % 12], midi);
}

bool operator<(const Pitch& a, const Pitch& b) {
    if (a.midi() != b.midi()) return a.midi() < b.midi();
    return a.fifths() < b.fifths();
}

Pitch transpose(const Pitch& p, const Interval& by) {
    try {
        return Pitch::from_fifths_and_midi(p.fifths() + by.fifths, p.midi() + by.semitones);
    } catch (const Error&) {
        throw Error("transposing " + p.name() + " by " + std::to_string(by.semitones) +
                    " semitones needs more than two accidentals or leaves octaves -1..9");
    }
}

Interval Interval::for_shift(int semitones, int key_fifths) {
    return for_shift(semitones, key_fifths, key_fifths);
}

Interval Interval::for_shift(int semitones, int min_key_fifths, int max_key_fifths) {
    // A shift of s semitones moves along the line of fifths by f with 7f = s (mod 12),
    // i.e. f = 7s (mod 12); the candidates differ by 12 fifths (enharmonic respellings).
    const int base = ((7 * semitones) % 12 + 12) % 12;
    Interval best{semitones, 0};
    int best_cost = std::numeric_limits<int>::max();
    for (int f = base - 24; f <= base + 24; f += 12) {
        const int lo = min_key_fifths + f, hi = max_key_fifths + f;
        if (lo < -7 || hi > 7) continue;
        // Fewest accidentals in the widest key, then the smallest move.
        const int cost = std::max(std::abs(lo), std::abs(hi)) * 100 + std::abs(f);
        if (cost < best_cost) {
            best_cost = cost;
            best.fifths = f;
        }
    }
    if (best_cost == std::numeric_limits<int>::max())
        throw Error("no spelling of a shift of " + std::to_string(semitones) +
                    " semitones keeps the key signature within 7 sharps or flats");
    return best;
}

}  // namespace deepbach
