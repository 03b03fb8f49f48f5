// Writing files so that no reader ever sees half of one.
#pragma once

#include <filesystem>
#include <string_view>

namespace deepbach::detail {

/// Writes `bytes` to a temporary file in the same folder as `path`, flushes
/// it, and renames it onto `path`. On any failure the temporary file is
/// removed and Error is thrown naming `path`; `path` is left as it was.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes);

/// Reads a whole file, refusing files larger than `max_bytes`.
/// Throws Error naming the file.
std::string read_file(const std::filesystem::path& path, std::size_t max_bytes);

}  // namespace deepbach::detail
