// Compressed MusicXML (.mxl: a zip with META-INF/container.xml) from a
// file: read_score(), then what a front end does with the score.
#include "exercise.hpp"
#include "temp_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace deepbach;
    const auto path = fuzz::temp_file(data, size, ".mxl");
    Score score;
    try {
        score = read_score(path);
    } catch (const Error&) {
        return 0;
    }
    fuzz::exercise(score);
    return 0;
}
