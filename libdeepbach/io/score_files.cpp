#include <deepbach/error.hpp>
#include <deepbach/io.hpp>

#include <algorithm>
#include <cctype>

namespace deepbach {

namespace fs = std::filesystem;

namespace {

bool is_score_file(const fs::path& p) {
    std::string ext = p.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return ext == ".mxl" || ext == ".musicxml" || ext == ".xml";
}

}  // namespace

std::vector<fs::path> score_files(const std::vector<fs::path>& inputs) {
    std::vector<fs::path> files;
    for (const auto& in : inputs) {
        std::error_code ec;
        if (fs::is_directory(in, ec)) {
            std::vector<fs::path> found;
            for (const auto& e : fs::directory_iterator(in))
                if (e.is_regular_file() && is_score_file(e.path())) found.push_back(e.path());
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(in, ec)) {
            files.push_back(in);
        } else {
            throw Error(in.string() + ": no such file or folder");
        }
    }
    return files;
}

}  // namespace deepbach
