// Writing a score in the format its file name asks for.
#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <cctype>
#include <string>

namespace deepbach {

void write_score(const Score& score, const std::filesystem::path& path) {
    std::string ext = path.extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".musicxml" || ext == ".xml" || ext == ".mxl") {
        write_musicxml(score, path);
    } else if (ext == ".mid" || ext == ".midi") {
        write_midi(score, path);
    } else if (ext == ".wav") {
        write_wav(score, path);
    } else {
        throw Error(path.string() + ": cannot tell the format from the extension " +
                    (ext.empty() ? std::string("(none)") : "\"" + ext + "\"") +
                    "; use .musicxml, .xml, .mxl, .mid, .midi or .wav");
    }
}

}  // namespace deepbach
