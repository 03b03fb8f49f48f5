// SHA-256 (FIPS 180-4), incremental, for checksums of corpus files and of
// the dataset cache. Written here rather than taken from a crypto library:
// it is ~100 lines and the project needs nothing else from one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace deepbach::detail {

class Sha256 {
public:
    using Digest = std::array<std::uint8_t, 32>;

    Sha256();
    void update(const void* data, std::size_t size);
    void update(std::string_view bytes) { update(bytes.data(), bytes.size()); }
    /// Pads, finishes and returns the digest. The object must not be used afterwards.
    Digest finish();

    static std::string to_hex(const Digest& digest);

private:
    void compress(const std::uint8_t* block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::uint8_t, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

}  // namespace deepbach::detail
