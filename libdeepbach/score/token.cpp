#include <deepbach/chorale.hpp>
#include <deepbach/error.hpp>

namespace deepbach::token {

// Pitch tokens: kFirstPitch + ((octave + 1) * 7 + step) * 5 + (alter + 2).
Token from_pitch(const Pitch& p) {
    if (p.octave < -1 || p.octave > 9 || p.alter < -2 || p.alter > 2 || p.step < 0 || p.step > 6)
        throw Error("pitch out of the representable range: octave " + std::to_string(p.octave));
    return static_cast<Token>(kFirstPitch + ((p.octave + 1) * 7 + p.step) * 5 + (p.alter + 2));
}

bool is_pitch(Token t) {
    return t >= kFirstPitch && t < kCount;
}

Pitch to_pitch(Token t) {
    if (!is_pitch(t)) throw Error("token " + std::to_string(t) + " is not a pitch");
    const int code = t - kFirstPitch;
    Pitch p;
    p.alter = static_cast<std::int8_t>(code % 5 - 2);
    p.step = static_cast<std::int8_t>((code / 5) % 7);
    p.octave = static_cast<std::int8_t>(code / 35 - 1);
    return p;
}

std::string name(Token t) {
    switch (t) {
        case kHold:
            return "__";
        case kRest:
            return "rest";
        case kStart:
            return "START";
        case kEnd:
            return "END";
        default:
            break;
    }
    if (!is_pitch(t)) return "<" + std::to_string(t) + ">";
    return to_pitch(t).name();
}

Token parse(std::string_view text) {
    if (text == "__") return kHold;
    if (text == "rest") return kRest;
    if (text == "START") return kStart;
    if (text == "END") return kEnd;
    return from_pitch(Pitch::parse(text));
}

}  // namespace deepbach::token
