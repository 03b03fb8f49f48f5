// The training set of the first few corpus chorales, built once per test
// program (a temporary folder of links to them).
#pragma once

#include <deepbach/corpus.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace deepbach::test_data {

inline Dataset dataset_of_first_chorales(std::size_t count, const std::string& tag) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("deepbach-" + tag + "-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(DEEPBACH_CORPUS_DIR))
        if (e.path().extension() == ".mxl" || e.path().extension() == ".xml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (std::size_t i = 0; i < count && i < files.size(); ++i)
        fs::create_symlink(files[i], dir / files[i].filename());
    Dataset d = build_dataset(load_corpus(dir));
    fs::remove_all(dir);
    return d;
}

}  // namespace deepbach::test_data
