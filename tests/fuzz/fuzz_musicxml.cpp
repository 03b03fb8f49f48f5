// MusicXML text from a buffer: parse_musicxml(), then what a front end does
// with the score (exercise.hpp).
#include "exercise.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deepbach;
    Score score;
    try {
        score = parse_musicxml(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.musicxml");
    } catch (const Error&) {
        return 0;
    }
    fuzz::exercise(score);
    return 0;
}
