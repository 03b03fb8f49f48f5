// The constraint and option text people type (the command's --fermata,
// --cadence, --fix, --rhythm, --key, --range, regions, --ticks, --seed, ...;
// the Python package's strings), parsed on a generated piece. Input: byte 0
// picks the piece (bars, time signature, melody or not), byte 1 the parser,
// the rest is the text. Besides crashes and sanitizer reports, a parser that
// returns a position outside the piece or a value outside its range is a
// finding (std::abort): issue 15's beat overflow returned one silently.
#include "sampling_args.hpp"  // cli: parse_musescore_ticks (--ticks)

#include <deepbach/constraints.hpp>
#include <deepbach/error.hpp>
#include <deepbach/harmonize.hpp>
#include <deepbach/options.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace deepbach;

void check(bool ok) {
    if (!ok) std::abort();
}

void check_range(const Chorale& base, TickRange r) {
    check(r.begin >= 0 && r.begin < r.end && r.end <= base.num_ticks);
}

const Chorale& piece(std::uint8_t pick) {
    static const std::vector<Chorale> pieces = [] {
        std::vector<Chorale> out;
        const std::pair<int, int> times[] = {{4, 4}, {3, 4}, {3, 2}, {6, 8}};
        for (int bars : {1, 3, 8})
            for (const auto& [beats, type] : times) {
                PieceShape shape;
                shape.bars = bars;
                shape.beats = beats;
                shape.beat_type = type;
                out.push_back(piece_grid(shape));
            }
        return out;
    }();
    return pieces[pick % pieces.size()];
}

void parse(const Chorale& base, bool melody, int parser, const std::string& text) {
    switch (parser) {
        case 0:
            for (const TickRange& r : parse_fermatas(base, text, melody)) check_range(base, r);
            break;
        case 1:
            check(parse_cadence(base, text).tick >= 0);
            check(parse_cadence(base, text).tick < base.num_ticks);
            break;
        case 2: {
            const FixedNote f = parse_fix(base, text);
            check_range(base, f.ticks);
            check(f.voice >= 0 && f.voice < kNumVoices);
            break;
        }
        case 3:
            check_range(base, parse_rhythm(base, text).ticks);
            break;
        case 4: {
            const KeyChange k = parse_key_change(base, text);
            check(k.tick >= 0 && k.tick < base.num_ticks && k.fifths >= -7 && k.fifths <= 7);
            break;
        }
        case 5: {
            const auto [voice, range] = parse_range(text);
            check(voice >= 0 && voice < kNumVoices && range.lowest >= 0 && range.highest <= 127);
            break;
        }
        case 6:
            check_range(base, parse_region(base, text).ticks);
            break;
        case 7: {
            const KeyName k = parse_key(text);
            check(k.fifths >= -7 && k.fifths <= 7);
            break;
        }
        case 8:
            for (int t : beat_ticks(base, text)) check(t >= 0 && t < base.num_ticks);
            break;
        case 9:
            check_range(base, parse_bars(base, text));
            break;
        case 10:
            (void)parse_voices(text);
            break;
        case 11: {
            const int m = parse_midi(text);
            check(m >= 0 && m <= 127);
            break;
        }
        case 12:
            (void)parse_fix_token(text);
            break;
        case 13: {
            const VoiceRange r = parse_voice_range(text);
            check(r.lowest >= 0 && r.highest <= 127);
            break;
        }
        case 14: {
            const auto [beats, type] = parse_time_signature(text);
            check(beats >= 1 && beats <= 32);
            (void)type;
            break;
        }
        case 15: {
            const long long n = parse_count("count", text, 1, 1000);
            check(n >= 1 && n <= 1000);
            break;
        }
        case 16:
            (void)parse_seed("seed", text);
            break;
        case 17:
            (void)parse_number("number", text);
            break;
        case 18:
            (void)parse_cadence_type(text);
            break;
        case 19:
            (void)parse_backend(text);
            (void)parse_device(text);
            (void)parse_schedule(text);
            break;
        case 20:
            check_range(base, cli::parse_musescore_ticks(base, text));
            break;
        default: {
            // All of them at once: one form a line, its first character says which.
            ConstraintText c;
            std::size_t start = 0;
            while (start <= text.size()) {
                const auto end = std::min(text.find('\n', start), text.size());
                const std::string line = text.substr(start, end - start);
                start = end + 1;
                if (line.empty()) continue;
                const std::string value = line.substr(1);
                switch (line[0] % 7) {
                    case 0:
                        c.fermatas.push_back(value);
                        break;
                    case 1:
                        c.cadences.push_back(value);
                        break;
                    case 2:
                        c.fixes.push_back(value);
                        break;
                    case 3:
                        c.rhythms.push_back(value);
                        break;
                    case 4:
                        c.keys.push_back(value);
                        break;
                    case 5:
                        c.ranges.push_back(value);
                        break;
                    default:
                        c.regions.push_back(value);
                        break;
                }
            }
            (void)parse_constraints(base, c, melody);
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const Chorale& base = piece(data[0]);
    const std::string text(reinterpret_cast<const char*>(data) + 2, size - 2);
    try {
        parse(base, (data[0] & 0x80) != 0, data[1] % 22, text);
    } catch (const Error&) {
    }
    return 0;
}
