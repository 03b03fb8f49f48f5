// Zip archives in memory, for compressed MusicXML (.mxl). Built on libzip;
// careful with untrusted archives (sizes, ratios, names).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace deepbach::detail {

struct ZipLimits {
    std::size_t max_entry_bytes = 128u << 20;  ///< decompressed size of one entry
    std::size_t max_ratio = 200;               ///< decompressed / compressed size of one entry
};

/// True when the bytes start like a zip archive ("PK\x03\x04" or an empty archive).
bool looks_like_zip(std::string_view bytes);

/// Names of the entries of a zip held in memory, in archive order.
/// Throws Error ("<source>: not a zip archive: ...") when it is not one.
std::vector<std::string> zip_entry_names(std::string_view zip_bytes, const std::string& source);

/// The decompressed bytes of entry `name`. Throws Error naming `source` when
/// the entry is missing, is larger than the limits allow (checked on the
/// declared size and again while decompressing, so a lying header cannot
/// get past), or is corrupt.
std::string zip_read_entry(std::string_view zip_bytes, const std::string& name, const ZipLimits& limits,
                           const std::string& source);

struct ZipEntry {
    std::string name;
    std::string bytes;
    bool compress = true;  ///< false stores it (the "mimetype" entry of a .mxl must be stored)
};

/// A zip archive holding the entries in order. Throws Error on failure.
std::string zip_create(const std::vector<ZipEntry>& entries);

}  // namespace deepbach::detail
