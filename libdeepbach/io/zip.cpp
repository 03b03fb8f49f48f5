// Zip archives in memory with libzip. Archives come from untrusted files, so
// every size is checked before and while decompressing, and no libzip handle
// outlives the call that opened it.
#include "io/zip.hpp"

#include <deepbach/error.hpp>

#include <zip.h>

#include <algorithm>
#include <memory>
#include <string>

namespace deepbach::detail {

namespace {

// Entries that decompress to less than this are never treated as bombs: they
// cannot hurt, and tiny repetitive files (padding, whitespace) may legitimately
// compress better than any sensible ratio limit.
constexpr std::size_t kRatioCheckFloor = 64u << 10;
constexpr std::size_t kReadChunk = 64u << 10;

struct ArchiveCloser {
    void operator()(zip_t* archive) const { zip_discard(archive); }
};
struct EntryCloser {
    void operator()(zip_file_t* file) const { zip_fclose(file); }
};
using ArchivePtr = std::unique_ptr<zip_t, ArchiveCloser>;
using EntryPtr = std::unique_ptr<zip_file_t, EntryCloser>;

// Owns a zip_error_t so that its message buffer is always released.
class ZipErrorText {
public:
    ZipErrorText() { zip_error_init(&error_); }
    ~ZipErrorText() { zip_error_fini(&error_); }
    ZipErrorText(const ZipErrorText&) = delete;
    ZipErrorText& operator=(const ZipErrorText&) = delete;

    zip_error_t* get() { return &error_; }
    std::string text() { return zip_error_strerror(&error_); }

private:
    zip_error_t error_;
};

[[noreturn]] void fail_source(const std::string& source, const std::string& message) {
    fail(Location{source, "", ""}, message);
}

// Opens a read-only archive over bytes the caller keeps alive.
ArchivePtr open_archive(std::string_view zip_bytes, const std::string& source) {
    ZipErrorText error;
    zip_source_t* buffer = zip_source_buffer_create(zip_bytes.data(), zip_bytes.size(), 0, error.get());
    if (!buffer) fail_source(source, "not a zip archive: " + error.text());
    zip_t* archive = zip_open_from_source(buffer, ZIP_RDONLY, error.get());
    if (!archive) {
        zip_source_free(buffer);
        fail_source(source, "not a zip archive: " + error.text());
    }
    return ArchivePtr(archive);
}

// True when `size` bytes out of `compressed` bytes is a larger ratio than allowed.
bool exceeds_ratio(std::size_t size, std::size_t compressed, std::size_t max_ratio) {
    if (size <= kRatioCheckFloor) return false;
    const std::size_t base = std::max<std::size_t>(compressed, 1);
    // size > base * max_ratio, without the multiplication overflowing.
    return size / base > max_ratio || (size / base == max_ratio && size % base != 0);
}

std::string too_large_message(const std::string& name, std::size_t limit) {
    return "entry '" + name + "' decompresses to more than " + std::to_string(limit) + " bytes (zip bomb?)";
}

std::string ratio_message(const std::string& name, std::size_t max_ratio) {
    return "entry '" + name + "' expands more than " + std::to_string(max_ratio) + " times (zip bomb?)";
}

// Checks what the archive declares before a single byte is inflated.
zip_stat_t stat_entry(zip_t* archive, zip_uint64_t index, const std::string& name, const ZipLimits& limits,
                      const std::string& source) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive, index, 0, &stat) != 0)
        fail_source(source, "entry '" + name + "' is corrupt: " + zip_strerror(archive));
    if ((stat.valid & ZIP_STAT_SIZE) && stat.size > limits.max_entry_bytes)
        fail_source(source, too_large_message(name, limits.max_entry_bytes));
    if ((stat.valid & ZIP_STAT_SIZE) && (stat.valid & ZIP_STAT_COMP_SIZE) &&
        exceeds_ratio(stat.size, stat.comp_size, limits.max_ratio))
        fail_source(source, ratio_message(name, limits.max_ratio));
    return stat;
}

// Inflates in chunks and stops as soon as a limit is passed, whatever the
// header claimed. libzip reads no more than the compressed size from the
// archive, so the ratio is measured against that.
std::string inflate_entry(zip_t* archive, zip_uint64_t index, const zip_stat_t& stat, const std::string& name,
                          const ZipLimits& limits, const std::string& source) {
    EntryPtr file(zip_fopen_index(archive, index, 0));
    if (!file) fail_source(source, "cannot read entry '" + name + "': " + zip_strerror(archive));
    const std::size_t compressed = (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : 0;
    std::string out;
    if (stat.valid & ZIP_STAT_SIZE) out.reserve(static_cast<std::size_t>(stat.size));
    char chunk[kReadChunk];
    for (;;) {
        const zip_int64_t got = zip_fread(file.get(), chunk, sizeof chunk);
        if (got < 0) fail_source(source, "entry '" + name + "' is corrupt: " + zip_file_strerror(file.get()));
        if (got == 0) break;
        out.append(chunk, static_cast<std::size_t>(got));
        if (out.size() > limits.max_entry_bytes)
            fail_source(source, too_large_message(name, limits.max_entry_bytes));
        if (exceeds_ratio(out.size(), compressed, limits.max_ratio))
            fail_source(source, ratio_message(name, limits.max_ratio));
    }
    return out;
}

// Reads a whole zip_source written by libzip back into a string.
std::string read_back(zip_source_t* written) {
    if (zip_source_open(written) != 0) throw Error("cannot build zip archive: cannot reopen the buffer");
    std::string out;
    char chunk[kReadChunk];
    for (;;) {
        const zip_int64_t got = zip_source_read(written, chunk, sizeof chunk);
        if (got < 0) {
            zip_source_close(written);
            throw Error("cannot build zip archive: cannot read the buffer back");
        }
        if (got == 0) break;
        out.append(chunk, static_cast<std::size_t>(got));
    }
    zip_source_close(written);
    return out;
}

// A fixed timestamp keeps archives byte-for-byte reproducible (noon, so that no
// time zone pushes it before 1980, the earliest date a zip can hold).
constexpr time_t kEntryTime = 1577880000;  // 2020-01-01 12:00 UTC

void add_entry(zip_t* archive, const ZipEntry& entry) {
    zip_source_t* data = zip_source_buffer(archive, entry.bytes.data(), entry.bytes.size(), 0);
    if (!data) throw Error("cannot build zip archive: " + std::string(zip_strerror(archive)));
    const zip_int64_t index = zip_file_add(archive, entry.name.c_str(), data, ZIP_FL_ENC_UTF_8);
    if (index < 0) {
        zip_source_free(data);
        throw Error("cannot build zip archive: entry '" + entry.name + "': " + zip_strerror(archive));
    }
    const auto at = static_cast<zip_uint64_t>(index);
    const zip_int32_t method = entry.compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE;
    if (zip_set_file_compression(archive, at, method, 0) != 0 ||
        zip_file_set_mtime(archive, at, kEntryTime, 0) != 0)
        throw Error("cannot build zip archive: entry '" + entry.name + "': " + zip_strerror(archive));
}

// An archive with no entries: just the end-of-central-directory record
// (libzip writes nothing at all for it).
std::string empty_archive() {
    return std::string("PK\x05\x06", 4) + std::string(18, '\0');
}

}  // namespace

bool looks_like_zip(std::string_view bytes) {
    if (bytes.size() < 4) return false;
    const std::string_view magic = bytes.substr(0, 4);
    return magic == std::string_view("PK\x03\x04", 4) || magic == std::string_view("PK\x05\x06", 4);
}

std::vector<std::string> zip_entry_names(std::string_view zip_bytes, const std::string& source) {
    ArchivePtr archive = open_archive(zip_bytes, source);
    const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
    std::vector<std::string> names;
    names.reserve(static_cast<std::size_t>(std::max<zip_int64_t>(count, 0)));
    for (zip_int64_t i = 0; i < count; ++i) {
        const char* name = zip_get_name(archive.get(), static_cast<zip_uint64_t>(i), 0);
        if (!name) fail_source(source, "not a zip archive: " + std::string(zip_strerror(archive.get())));
        names.emplace_back(name);
    }
    return names;
}

std::string zip_read_entry(std::string_view zip_bytes, const std::string& name, const ZipLimits& limits,
                           const std::string& source) {
    ArchivePtr archive = open_archive(zip_bytes, source);
    const zip_int64_t found = zip_name_locate(archive.get(), name.c_str(), 0);
    if (found < 0) fail_source(source, "the archive has no entry '" + name + "'");
    const auto index = static_cast<zip_uint64_t>(found);
    const zip_stat_t stat = stat_entry(archive.get(), index, name, limits, source);
    return inflate_entry(archive.get(), index, stat, name, limits, source);
}

std::string zip_create(const std::vector<ZipEntry>& entries) {
    if (entries.empty()) return empty_archive();
    ZipErrorText error;
    zip_source_t* written = zip_source_buffer_create(nullptr, 0, 0, error.get());
    if (!written) throw Error("cannot build zip archive: " + error.text());
    // Keep the buffer alive past zip_close, which is where the archive is written.
    zip_source_keep(written);
    zip_t* archive = zip_open_from_source(written, ZIP_CREATE | ZIP_TRUNCATE, error.get());
    if (!archive) {
        zip_source_free(written);
        throw Error("cannot build zip archive: " + error.text());
    }
    try {
        for (const ZipEntry& entry : entries) add_entry(archive, entry);
    } catch (...) {
        zip_discard(archive);
        zip_source_free(written);
        throw;
    }
    if (zip_close(archive) != 0) {
        const std::string why = zip_strerror(archive);
        zip_discard(archive);
        zip_source_free(written);
        throw Error("cannot build zip archive: " + why);
    }
    std::string bytes;
    try {
        bytes = read_back(written);
    } catch (...) {
        zip_source_free(written);
        throw;
    }
    zip_source_free(written);
    return bytes;
}

}  // namespace deepbach::detail
