// IEEE 754 binary16 <-> binary32 conversion, portable and exact:
// float -> half rounds to nearest, ties to even; subnormals, infinities and
// NaNs (quieted, payload kept where it fits) are handled.
#pragma once

#include <cstdint>
#include <cstring>

namespace deepbach::detail {

inline std::uint16_t float_to_half(float value) {
    std::uint32_t x;
    std::memcpy(&x, &value, 4);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) {  // inf or NaN
        if (abs == 0x7f800000u) return sign | 0x7c00u;
        return static_cast<std::uint16_t>(sign | 0x7e00u | ((abs >> 13) & 0x3ffu));
    }
    if (abs >= 0x477ff000u) return sign | 0x7c00u;       // >= 65520 rounds to infinity
    if (abs >= 0x38800000u) {                            // normal half
        const std::uint32_t rebias = abs - 0x38000000u;  // exponent 127 -> 15
        const std::uint32_t rounded = rebias + 0xfffu + ((rebias >> 13) & 1u);
        return static_cast<std::uint16_t>(sign | (rounded >> 13));
    }
    const std::uint32_t exponent = abs >> 23;
    if (exponent < 102) return sign;  // below half the smallest subnormal
    const std::uint32_t mantissa = (abs & 0x7fffffu) | 0x800000u;
    const std::uint32_t shift = 126 - exponent;  // 14..24
    std::uint32_t q = mantissa >> shift;
    const std::uint32_t rest = mantissa & ((1u << shift) - 1);
    const std::uint32_t halfway = 1u << (shift - 1);
    if (rest > halfway || (rest == halfway && (q & 1u))) ++q;
    return static_cast<std::uint16_t>(sign | q);
}

inline float half_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t exponent = (h >> 10) & 0x1fu;
    const std::uint32_t mantissa = h & 0x3ffu;
    std::uint32_t bits;
    if (exponent == 0) {
        if (mantissa == 0) {
            bits = sign;
        } else {  // subnormal: mantissa * 2^-24, normalized
            int e = -1;
            std::uint32_t m = mantissa;
            do {
                ++e;
                m <<= 1;
            } while ((m & 0x400u) == 0);
            bits = sign | ((112u - static_cast<std::uint32_t>(e)) << 23) | ((m & 0x3ffu) << 13);
        }
    } else if (exponent == 31) {
        bits = sign | 0x7f800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    }
    float out;
    std::memcpy(&out, &bits, 4);
    return out;
}

}  // namespace deepbach::detail
