// Cadence types, their chords in a key, and the key a cadence is heard in.
#include "sample/cadence.hpp"

#include <deepbach/error.hpp>

#include <algorithm>
#include <cctype>

namespace deepbach {

std::string to_string(CadenceType type) {
    switch (type) {
        case CadenceType::authentic:
            return "authentic";
        case CadenceType::half:
            return "half";
        case CadenceType::plagal:
            return "plagal";
        case CadenceType::deceptive:
            return "deceptive";
    }
    return "authentic";
}

CadenceType parse_cadence_type(std::string_view text) {
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "authentic" || lower == "perfect") return CadenceType::authentic;
    if (lower == "half") return CadenceType::half;
    if (lower == "plagal") return CadenceType::plagal;
    if (lower == "deceptive" || lower == "interrupted") return CadenceType::deceptive;
    throw Error("unknown cadence type '" + std::string(text) +
                "' (expected authentic, half, plagal or deceptive)");
}

namespace sample {

namespace {

int floor_div(int a, int b) {
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

// Steps along the line of fifths: a major third is 4 fifths up, a minor third 3 down.
constexpr int kFifth = 1;
constexpr int kMajorThird = 4;
constexpr int kMinorThird = -3;

std::array<int, 3> major_triad(int root) {
    return {root, root + kMajorThird, root + kFifth};
}
std::array<int, 3> minor_triad(int root) {
    return {root, root + kMinorThird, root + kFifth};
}

}  // namespace

int pitch_class(int fifths) {
    return ((fifths * 7) % 12 + 12) % 12;
}

std::string spelled_name(int fifths) {
    // Naturals run F C G D A E B (positions -1..5); each 7 further is one more sharp.
    static constexpr char kLetters[] = "FCGDAEB";
    const int alter = floor_div(fifths + 1, 7);
    std::string out(1, kLetters[fifths + 1 - 7 * alter]);
    if (alter > 0) out.append(static_cast<size_t>(alter), '#');
    if (alter < 0) out.append(static_cast<size_t>(-alter), 'b');
    return out;
}

std::string Key::name() const {
    return spelled_name(tonic()) + (minor ? " minor" : " major");
}

bool CadenceChord::contains(int midi) const {
    const int pc = ((midi % 12) + 12) % 12;
    return std::any_of(tones.begin(), tones.end(), [pc](int f) { return pitch_class(f) == pc; });
}

std::string CadenceChord::spelled() const {
    return spelled_name(tones[0]) + " " + spelled_name(tones[1]) + " " + spelled_name(tones[2]);
}

CadenceChord cadence_chord(CadenceType type, const Key& key) {
    const int tonic = key.tonic();
    const int dominant = tonic + kFifth;
    const int subdominant = tonic - kFifth;
    CadenceChord chord;
    switch (type) {
        case CadenceType::authentic:
        case CadenceType::plagal:
            chord.tones = key.minor ? minor_triad(tonic) : major_triad(tonic);
            chord.has_bass_before = true;
            chord.bass_before = type == CadenceType::authentic ? dominant : subdominant;
            break;
        case CadenceType::half:
            // The dominant is major in both modes (harmonic minor's raised leading tone).
            chord.tones = major_triad(dominant);
            break;
        case CadenceType::deceptive:
            // vi in major (a minor third below the tonic), VI in minor (a major third below).
            chord.tones = key.minor ? major_triad(tonic - kMajorThird) : minor_triad(tonic - kMinorThird);
            chord.has_bass_before = true;
            chord.bass_before = dominant;
            break;
    }
    return chord;
}

Key key_at(const Chorale& grid, int tick) {
    Key key;
    key.fifths = grid.key_fifths.at(static_cast<size_t>(tick));
    // The signature change in force at the tick, and where its section ends.
    const GridKeySignature* in_force = nullptr;
    int section_end = grid.num_ticks;
    for (const auto& k : grid.keys) {
        if (k.tick <= tick)
            in_force = &k;
        else {
            section_end = k.tick;
            break;
        }
    }
    const std::string mode = in_force ? in_force->mode : std::string();
    if (mode == "minor" || mode == "major") {
        key.minor = mode == "minor";
        return key;
    }
    // Unwritten mode: chorales end a section on the tonic in the bass, so the
    // last bass note tells the relative minor from the major.
    for (int voice : {static_cast<int>(kBass), static_cast<int>(kSoprano)}) {
        for (int t = section_end - 1; t >= 0; --t) {
            const Token tok = grid.at(voice, t);
            if (!token::is_pitch(tok)) continue;
            const int pc = ((token::to_pitch(tok).midi() % 12) + 12) % 12;
            key.minor = pc == pitch_class(key.fifths + 3);
            return key;
        }
    }
    return key;
}

}  // namespace sample
}  // namespace deepbach
