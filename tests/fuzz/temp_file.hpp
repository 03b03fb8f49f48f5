// The fuzz input written to a file of this process (read_score and
// Model::load take paths); the folder is removed at exit.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace deepbach::fuzz {

inline std::filesystem::path& temp_dir() {
    static std::filesystem::path dir;
    return dir;
}

inline std::filesystem::path temp_file(const std::uint8_t* data, std::size_t size,
                                       const std::string& extension) {
    if (temp_dir().empty()) {
        const char* tmp = std::getenv("TMPDIR");
        temp_dir() = std::filesystem::path(tmp && *tmp ? tmp : "/tmp") /
                     ("deepbach-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(temp_dir());
        std::atexit([] {
            std::error_code ec;
            std::filesystem::remove_all(temp_dir(), ec);
        });
    }
    const auto path = temp_dir() / ("input" + extension);
    std::ofstream(path, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return path;
}

}  // namespace deepbach::fuzz
