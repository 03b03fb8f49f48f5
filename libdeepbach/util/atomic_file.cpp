#include "util/atomic_file.hpp"

#include <deepbach/error.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include <fcntl.h>
#include <unistd.h>

namespace deepbach::detail {

namespace fs = std::filesystem;

namespace {
std::string errno_text() {
    return std::strerror(errno);
}
}  // namespace

void write_file_atomically(const fs::path& path, std::string_view bytes) {
    const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
    std::random_device rd;
    const fs::path tmp = folder / ("." + path.filename().string() + ".tmp" + std::to_string(rd() % 1000000));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(path.string() + ": cannot write: " + errno_text());
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            std::string why = errno_text();
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(path.string() + ": cannot write: " + why);
        }
        done += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error(path.string() + ": cannot write: " + why);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error(path.string() + ": cannot write: " + why);
    }
}

std::string read_file(const fs::path& path, std::size_t max_bytes) {
    std::error_code ec;
    if (!fs::exists(path, ec)) throw Error(path.string() + ": no such file");
    if (fs::is_directory(path, ec)) throw Error(path.string() + ": is a folder, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path.string() + ": cannot open: " + errno_text());
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::streamoff>(in.tellg());
    if (size < 0) throw Error(path.string() + ": cannot read");
    if (static_cast<std::size_t>(size) > max_bytes)
        throw Error(path.string() + ": file too large (" + std::to_string(size) + " bytes, limit " +
                    std::to_string(max_bytes) + ")");
    std::string bytes(static_cast<size_t>(size), '\0');
    in.seekg(0);
    in.read(bytes.data(), size);
    if (in.gcount() != size) throw Error(path.string() + ": cannot read the whole file");
    return bytes;
}

}  // namespace deepbach::detail
