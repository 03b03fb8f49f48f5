// Eigen inference of the voice networks (see inference.hpp and
// docs/model-format.md for the computation).
//
// Layout: every activation buffer has rows padded to a multiple of 16 floats
// (64 bytes), and the four LSTM gates each start on such a boundary, so the
// elementwise Eigen expressions see the same alignment on every row. Matrix
// products use the small kernel of inference_kernel.inc, which accumulates
// each output element over its inputs in order, one multiply-add at a time:
// an output row is the same bits whatever rows are computed beside it. The
// kernel exists twice, baseline and AVX2 + FMA (compiled with a target
// attribute, so the build needs no -m flags); an engine picks one at
// construction (kernel_path(), docs/benchmarks.md) and uses it for every row.
#include "nn/inference.hpp"

#include "nn/relational.hpp"

#include <deepbach/error.hpp>

#include "util/parallel.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#include <cpuid.h>
#include <immintrin.h>
#define DEEPBACH_DISPATCH 1
#endif

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <numeric>
#include <string>
#include <vector>

namespace deepbach::nn {

namespace {

constexpr int kStrip = 8;   // output columns per packed strip
constexpr int kAlign = 16;  // floats per row-padding unit
constexpr int kChunk = 64;  // rows per task
/// 8-bit weight matrices: columns per group of strips (Packed::q8).
constexpr int kGroup = 32;

int pad(int n) {
    return (n + kAlign - 1) / kAlign * kAlign;
}

using Buffer = std::vector<float, Eigen::aligned_allocator<float>>;

/// A weight matrix packed for `matmul_acc`: K inputs x N outputs in strips
/// of kStrip output columns, each strip K x kStrip contiguous.
struct Packed {
    int K = 0, N = 0;
    Buffer data;
    /// The same weights as IEEE half floats, when every one of them is one
    /// exactly (a model saved with --float16): the AVX2 kernel reads these,
    /// half the bytes per pass for the same products bit for bit (the
    /// recurrent matrices of one voice fit in a core's L2 cache then).
    std::vector<std::uint16_t> half;

    /// The weights as 7-bit integers in bytes (-63..63), for the AVX2
    /// kernel's unsigned-by-signed byte products: in groups of 4 strips (32
    /// columns), inputs in quads; quad p of a group is 128 bytes, strip j's 32
    /// at j * 32, column c's 4 inputs at c * 4. Weight (k, c) is about
    /// q8 x scale[c] (scale[c]: the column's largest magnitude / 63);
    /// colsum[c] is the column's sum of q8 (the kernel's inputs are offset
    /// by 128). Empty unless packed with `int8_ok` (then the AVX2 kernel reads
    /// these alone, its inputs rounded to 8 bits).
    std::vector<std::int8_t> q8;
    Buffer scale;
    std::vector<std::int32_t> colsum;
    int K4 = 0;  // K rounded up to a multiple of 4

    /// half_ok: keep half floats instead where every weight is one exactly
    /// (then `data` stays empty: the AVX2 kernel reads `half` alone).
    /// int8_ok: keep 8-bit weights (q8) instead.
    template <class Get>  // get(out, in) -> weight
    void pack(int k, int n, Get get, bool half_ok, bool int8_ok = false) {
        K = k;
        N = n;
        const int strips = (N + kStrip - 1) / kStrip;
        const size_t size = static_cast<size_t>(strips) * K * kStrip;
        q8.clear();
        scale.clear();
        colsum.clear();
        if (int8_ok) {
            K4 = (K + 3) / 4 * 4;
            const int groups = (N + kGroup - 1) / kGroup;
            q8.assign(static_cast<size_t>(groups) * K4 * kGroup, 0);
            scale.assign(static_cast<size_t>(groups) * kGroup, 0.0f);
            colsum.assign(static_cast<size_t>(groups) * kGroup, 0);
            // A column's weights, padded with zeros to a whole number of quads.
            std::vector<float> column(static_cast<size_t>(K4), 0.0f);
            std::vector<std::int8_t> bytes(static_cast<size_t>(K4));
            for (int col = 0; col < N; ++col) {
                for (int kk = 0; kk < K; ++kk) column[static_cast<size_t>(kk)] = get(col, kk);
                // Four running maxima (independent chains, vectorizable).
                float m[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (int kk = 0; kk < K4; kk += 4)
                    for (int i = 0; i < 4; ++i)
                        m[i] = std::max(m[i], std::fabs(column[static_cast<size_t>(kk + i)]));
                const float max = std::max(std::max(m[0], m[1]), std::max(m[2], m[3]));
                const float step = max > 0.0f ? max / 63.0f : 1.0f, inv = 1.0f / step;
                scale[static_cast<size_t>(col)] = step;
                std::int32_t sum = 0;
                for (int kk = 0; kk < K4; ++kk) {
                    // Rounded to nearest even without a branch or a libm call
                    // (2 million weights a voice): adding 1.5 x 2^23 leaves no
                    // fraction bits.
                    const float x = std::max(-63.0f, std::min(63.0f, column[static_cast<size_t>(kk)] * inv));
                    const auto v = static_cast<std::int8_t>((x + 12582912.0f) - 12582912.0f);
                    bytes[static_cast<size_t>(kk)] = v;
                    sum += v;
                }
                colsum[static_cast<size_t>(col)] = sum;
                // Group g, strip j in it, column c in the strip: quad q's 4 bytes at q * 128.
                const int g = col / kGroup, j = (col % kGroup) / kStrip, c = col % kStrip;
                std::int8_t* dst = q8.data() + static_cast<size_t>(g) * K4 * kGroup + j * 32 + c * 4;
                for (int q = 0; q < K4 / 4; ++q)
                    std::memcpy(dst + static_cast<size_t>(q) * 128, bytes.data() + 4 * q, 4);
            }
            data.clear();
            half.clear();
            return;
        }
        // Element (strip s, input kk, column c) of the packed layout, or 0 past N.
        auto each = [&](auto&& put) {
            for (int s = 0; s < strips; ++s)
                for (int kk = 0; kk < K; ++kk)
                    for (int c = 0; c < kStrip; ++c) {
                        const float w = s * kStrip + c < N ? get(s * kStrip + c, kk) : 0.0f;
                        if (!put((static_cast<size_t>(s) * K + kk) * kStrip + c, w)) return false;
                    }
            return true;
        };
        data.clear();
        half.clear();
        if (half_ok) {
            half.resize(size);
            if (each([&](size_t i, float w) { return exact_half(w, half[i]); })) return;
            half.clear();
        }
        data.assign(size, 0.0f);
        each([&](size_t i, float w) {
            data[i] = w;
            return true;
        });
    }

    /// Whether f is a half float exactly, and its bits in h if so.
    static bool exact_half(float f, std::uint16_t& h) {
        std::uint32_t b;
        std::memcpy(&b, &f, sizeof b);
        const auto sign = static_cast<std::uint16_t>((b >> 16) & 0x8000u);
        const int biased = static_cast<int>((b >> 23) & 0xffu);
        const std::uint32_t mantissa = b & 0x7fffffu;
        if (biased == 0 && mantissa == 0) {
            h = sign;
            return true;
        }
        if (biased == 0 || biased == 0xff) return false;  // float subnormals, infinities, NaN
        const int e = biased - 127;
        if (e > 15 || e < -24) return false;
        if (e >= -14) {  // a normal half: the low 13 mantissa bits must be zero
            if (mantissa & 0x1fffu) return false;
            h = static_cast<std::uint16_t>(sign | ((e + 15) << 10) | (mantissa >> 13));
            return true;
        }
        // A subnormal half: m x 2^-24 with m = significand x 2^(e + 1).
        const std::uint32_t significand = mantissa | 0x800000u;
        const int shift = -(e + 1);
        if (significand & ((1u << shift) - 1)) return false;
        h = static_cast<std::uint16_t>(sign | (significand >> shift));
        return true;
    }
};

#if defined(__GNUC__) || defined(__clang__)
typedef float v8 __attribute__((vector_size(32)));
#define DEEPBACH_VECTOR 1
#endif

/// One LSTM step's state update from its gates g (i, f, g, o at 0, Hp,
/// 2 Hp, 3 Hp): c = sigmoid(f) c + sigmoid(i) tanh(g), h = sigmoid(o) tanh(c),
/// over the first H units. Eigen's rational approximations of the logistic
/// function and tanh; the AVX2 copy evaluates the same ones 8 lanes at a time.
using LstmCellFn = void (*)(const float* g, float* c, float* h, int H, int Hp);

void lstm_cell_baseline(const float* g, float* c, float* h, int H, int Hp) {
    using Map = Eigen::Map<Eigen::ArrayXf>;
    using ConstMap = Eigen::Map<const Eigen::ArrayXf>;
    Map cb(c, H), hb(h, H);
    cb = ConstMap(g + Hp, H).logistic() * cb + ConstMap(g, H).logistic() * ConstMap(g + 2 * Hp, H).tanh();
    hb = ConstMap(g + 3 * Hp, H).logistic() * cb.tanh();
}

// The kernel in two copies: baseline (the build's own flags, SSE2 on
// x86-64) and, on x86 with GCC or Clang, AVX2 with FMA, chosen at run time
// (kernel_path()). One engine uses one copy for all its rows.
namespace baseline {
#define DEEPBACH_KERNEL_TARGET
#define DEEPBACH_KERNEL_MADD(a, s, w) ((a) += (s) * (w))
#define DEEPBACH_KERNEL_STRIPS 1
#include "nn/inference_kernel.inc"
#undef DEEPBACH_KERNEL_TARGET
#undef DEEPBACH_KERNEL_MADD
#undef DEEPBACH_KERNEL_STRIPS
}  // namespace baseline

#ifdef DEEPBACH_DISPATCH
namespace avx2 {
#define DEEPBACH_KERNEL_TARGET __attribute__((target("avx2,fma,f16c")))

/// Rows [0, R) of the byte inputs xq (quads as 32-bit words, ldx quads a
/// row; unsigned, offset by 128) times S strips of 7-bit weights (packed as
/// Packed::q8; w at strip 0's first quad, strips 32 bytes apart, quads 128),
/// scaled by row and column and added to y; the last strip has n columns.
/// The sums are exact integers: the same bits whatever rows are beside.
template <int R, int S>
DEEPBACH_KERNEL_TARGET void kernel_q8(const std::int8_t* w, int quads, const std::int32_t* xq, int ldx,
                                      const float* xscale, const float* scale, const std::int32_t* colsum,
                                      float* y, int ldy, int n) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256i even[R * S], odd[R * S];
    for (int i = 0; i < R * S; ++i) even[i] = odd[i] = _mm256_setzero_si256();
#define DEEPBACH_Q8_WEIGHTS(j, p) \
    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + (j)*32 + static_cast<size_t>(p) * 128))
    int p = 0;
    for (; p + 2 <= quads; p += 2) {
        for (int j = 0; j < S; ++j) {
            const __m256i w0 = DEEPBACH_Q8_WEIGHTS(j, p), w1 = DEEPBACH_Q8_WEIGHTS(j, p + 1);
            for (int r = 0; r < R; ++r) {
                // Byte products summed in pairs (at most 2 x 255 x 63: no
                // saturation), then in quads as 32-bit integers.
                even[r * S + j] = _mm256_add_epi32(
                    even[r * S + j],
                    _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi32(xq[r * ldx + p]), w0), ones));
                odd[r * S + j] = _mm256_add_epi32(
                    odd[r * S + j],
                    _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi32(xq[r * ldx + p + 1]), w1),
                                      ones));
            }
        }
    }
    for (; p < quads; ++p) {
        for (int j = 0; j < S; ++j) {
            const __m256i w0 = DEEPBACH_Q8_WEIGHTS(j, p);
            for (int r = 0; r < R; ++r)
                even[r * S + j] = _mm256_add_epi32(
                    even[r * S + j],
                    _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi32(xq[r * ldx + p]), w0), ones));
        }
    }
#undef DEEPBACH_Q8_WEIGHTS
    for (int j = 0; j < S; ++j) {
        const __m256 sc = _mm256_loadu_ps(scale + j * kStrip);
        // The inputs' offset of 128 times the column's weights.
        const __m256i offset =
            _mm256_slli_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(colsum + j * kStrip)), 7);
        const int cols = j + 1 == S ? n : kStrip;
        for (int r = 0; r < R; ++r) {
            const __m256i total = _mm256_sub_epi32(_mm256_add_epi32(even[r * S + j], odd[r * S + j]), offset);
            // One explicit multiply-add into y (no contraction left to the
            // compiler, which could differ between these instantiations).
            const __m256 scaled = _mm256_mul_ps(_mm256_cvtepi32_ps(total), sc);
            float* dst = y + r * ldy + j * kStrip;
            if (cols == kStrip) {
                _mm256_storeu_ps(dst,
                                 _mm256_fmadd_ps(scaled, _mm256_set1_ps(xscale[r]), _mm256_loadu_ps(dst)));
            } else {
                float tmp[kStrip] = {};
                std::copy(dst, dst + cols, tmp);
                _mm256_storeu_ps(tmp,
                                 _mm256_fmadd_ps(scaled, _mm256_set1_ps(xscale[r]), _mm256_loadu_ps(tmp)));
                std::copy(tmp, tmp + cols, dst);
            }
        }
    }
}

/// y[r, 0:N] += x[r, 0:K] * W for rows r in [0, rows), W 7-bit (W.q8): each
/// row of x is rounded to integers in -127..127 first, scaled by its largest
/// magnitude (so the row's scale depends on that row alone), and offset by
/// 128 into bytes.
DEEPBACH_KERNEL_TARGET void matmul_q8(const Packed& W, const float* x, int ldx, int rows, float* y, int ldy) {
    const int quads = W.K4 / 4;
    thread_local std::vector<std::int32_t> words;
    thread_local std::vector<float> row_scale;
    words.assign(static_cast<size_t>(rows) * quads, static_cast<std::int32_t>(0x80808080u));
    row_scale.assign(static_cast<size_t>(rows), 0.0f);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7), bias = _mm256_set1_epi8(-128);
    for (int r = 0; r < rows; ++r) {
        auto* q = reinterpret_cast<std::uint8_t*>(words.data() + static_cast<size_t>(r) * quads);
        const float* xr = x + static_cast<size_t>(r) * ldx;
        __m256 m8 = _mm256_setzero_ps();
        int k = 0;
        for (; k + 8 <= W.K; k += 8) m8 = _mm256_max_ps(m8, _mm256_andnot_ps(sign, _mm256_loadu_ps(xr + k)));
        alignas(32) float lanes[8];
        _mm256_store_ps(lanes, m8);
        float max = 0.0f;
        for (float v : lanes) max = std::max(max, v);
        for (; k < W.K; ++k) max = std::max(max, std::fabs(xr[k]));
        if (!(max > 0.0f) || !std::isfinite(max)) {
            if (max == 0.0f) continue;  // a zero row adds nothing
            throw Error("inference: a non-finite value in a network's activations");
        }
        const float to_q = 127.0f / max;
        row_scale[static_cast<size_t>(r)] = max / 127.0f;
        const __m256 to = _mm256_set1_ps(to_q);
        k = 0;
        for (; k + 32 <= W.K; k += 32) {
            // Rounded to nearest even (the default rounding mode), as lrint.
            const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + k), to));
            const __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + k + 8), to));
            const __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + k + 16), to));
            const __m256i d = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(xr + k + 24), to));
            // packs works within 128-bit lanes: put the quads back in order.
            const __m256i bytes = _mm256_permutevar8x32_epi32(
                _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d)), order);
            _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + k), _mm256_xor_si256(bytes, bias));
        }
        for (; k < W.K; ++k) q[k] = static_cast<std::uint8_t>(std::lrint(xr[k] * to_q) + 128);
    }
    const int strips = (W.N + kStrip - 1) / kStrip;
    const std::int32_t* xq = words.data();
    const size_t group_size = static_cast<size_t>(W.K4) * kGroup;
    const int N = W.N;
    auto cols = [N](int s) { return std::min(kStrip, N - s * kStrip); };
    auto at = [&](int s) { return W.q8.data() + (s / 4) * group_size + (s % 4) * 32; };
    const int full = rows / 4 * 4;
    for (int s = 0; s < strips; ++s) {
        for (int b = 0; b < full; b += 4)
            kernel_q8<4, 1>(at(s), quads, xq + static_cast<size_t>(b) * quads, quads, row_scale.data() + b,
                            W.scale.data() + s * kStrip, W.colsum.data() + s * kStrip,
                            y + b * ldy + s * kStrip, ldy, cols(s));
    }
    for (int b = full; b < rows; ++b) {
        const std::int32_t* xb = xq + static_cast<size_t>(b) * quads;
        const float* xs = row_scale.data() + b;
        float* yb = y + static_cast<size_t>(b) * ldy;
        int s = 0;
        for (; s + 4 <= strips; s += 4)
            kernel_q8<1, 4>(at(s), quads, xb, quads, xs, W.scale.data() + s * kStrip,
                            W.colsum.data() + s * kStrip, yb + s * kStrip, ldy, cols(s + 3));
        for (; s < strips; ++s)
            kernel_q8<1, 1>(at(s), quads, xb, quads, xs, W.scale.data() + s * kStrip,
                            W.colsum.data() + s * kStrip, yb + s * kStrip, ldy, cols(s));
    }
}

/// Eigen's logistic function (its FMA variant), 8 lanes: a rational
/// approximation, exp(x) below -9.
DEEPBACH_KERNEL_TARGET inline __m256 logistic8(__m256 in) {
    const __m256 x = _mm256_min_ps(in, _mm256_set1_ps(15.7243833541870117f));
    const __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p =
        _mm256_fmadd_ps(x2, _mm256_set1_ps(4.37031012579801e-11f), _mm256_set1_ps(1.15627324459942e-07f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(6.08574864600143e-05f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(8.51377133304701e-03f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(2.48287947061529e-01f));
    p = _mm256_mul_ps(x, p);
    __m256 q =
        _mm256_fmadd_ps(x2, _mm256_set1_ps(6.10247389755681e-13f), _mm256_set1_ps(5.76102136993427e-09f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(6.29106785017040e-06f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(1.70198817374094e-03f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(1.16817656904453e-01f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(9.93151921023180e-01f));
    __m256 out = _mm256_add_ps(_mm256_div_ps(p, q), _mm256_set1_ps(0.5f));
    const __m256 small = _mm256_cmp_ps(in, _mm256_set1_ps(-9.0f), _CMP_LT_OQ);
    if (_mm256_movemask_ps(small) != 0) {
        alignas(32) float v[8], o[8];
        _mm256_store_ps(v, in);
        _mm256_store_ps(o, out);
        for (int i = 0; i < 8; ++i)
            if (v[i] < -9.0f) o[i] = std::exp(v[i]);
        out = _mm256_load_ps(o);
    }
    return out;
}

/// Eigen's tanh (its FMA variant), 8 lanes: a rational approximation on
/// [-7.9988, 7.9988], x itself below 0.0004 in magnitude.
DEEPBACH_KERNEL_TARGET inline __m256 tanh8(__m256 in) {
    const __m256 c = _mm256_set1_ps(7.99881172180175781f);
    const __m256 x = _mm256_max_ps(_mm256_min_ps(in, c), _mm256_sub_ps(_mm256_setzero_ps(), c));
    const __m256 abs = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), in);
    const __m256 tiny = _mm256_cmp_ps(abs, _mm256_set1_ps(0.0004f), _CMP_LT_OQ);
    const __m256 x2 = _mm256_mul_ps(x, x);
    __m256 p =
        _mm256_fmadd_ps(x2, _mm256_set1_ps(-2.76076847742355e-16f), _mm256_set1_ps(2.00018790482477e-13f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(-8.60467152213735e-11f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(5.12229709037114e-08f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(1.48572235717979e-05f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(6.37261928875436e-04f));
    p = _mm256_fmadd_ps(x2, p, _mm256_set1_ps(4.89352455891786e-03f));
    p = _mm256_mul_ps(x, p);
    __m256 q =
        _mm256_fmadd_ps(x2, _mm256_set1_ps(1.19825839466702e-06f), _mm256_set1_ps(1.18534705686654e-04f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(2.26843463243900e-03f));
    q = _mm256_fmadd_ps(x2, q, _mm256_set1_ps(4.89352518554385e-03f));
    return _mm256_blendv_ps(_mm256_div_ps(p, q), x, tiny);
}

DEEPBACH_KERNEL_TARGET void lstm_cell(const float* g, float* c, float* h, int H, int Hp) {
    int j = 0;
    for (; j + 8 <= H; j += 8) {
        const __m256 i = logistic8(_mm256_loadu_ps(g + j));
        const __m256 f = logistic8(_mm256_loadu_ps(g + Hp + j));
        const __m256 gg = tanh8(_mm256_loadu_ps(g + 2 * Hp + j));
        const __m256 o = logistic8(_mm256_loadu_ps(g + 3 * Hp + j));
        const __m256 cn = _mm256_add_ps(_mm256_mul_ps(f, _mm256_loadu_ps(c + j)), _mm256_mul_ps(i, gg));
        _mm256_storeu_ps(c + j, cn);
        _mm256_storeu_ps(h + j, _mm256_mul_ps(o, tanh8(cn)));
    }
    if (j < H) {  // the last units, as the baseline computes them
        float gt[4][8] = {}, ct[8] = {}, ht[8] = {};
        for (int q = 0; q < 4; ++q) std::copy(g + q * Hp + j, g + q * Hp + H, gt[q]);
        std::copy(c + j, c + H, ct);
        const __m256 i = logistic8(_mm256_loadu_ps(gt[0])), f = logistic8(_mm256_loadu_ps(gt[1]));
        const __m256 gg = tanh8(_mm256_loadu_ps(gt[2])), o = logistic8(_mm256_loadu_ps(gt[3]));
        const __m256 cn = _mm256_add_ps(_mm256_mul_ps(f, _mm256_loadu_ps(ct)), _mm256_mul_ps(i, gg));
        _mm256_storeu_ps(ct, cn);
        _mm256_storeu_ps(ht, _mm256_mul_ps(o, tanh8(cn)));
        std::copy(ct, ct + (H - j), c + j);
        std::copy(ht, ht + (H - j), h + j);
    }
}
#define DEEPBACH_KERNEL_Q8 1
#define DEEPBACH_KERNEL_MADD(a, s, w) ((a) = _mm256_fmadd_ps(_mm256_set1_ps(s), (w), (a)))
#define DEEPBACH_KERNEL_STRIPS 4
#define DEEPBACH_KERNEL_HALF 1
#include "nn/inference_kernel.inc"
#undef DEEPBACH_KERNEL_Q8
#undef DEEPBACH_KERNEL_HALF
#undef DEEPBACH_KERNEL_TARGET
#undef DEEPBACH_KERNEL_MADD
#undef DEEPBACH_KERNEL_STRIPS
}  // namespace avx2
#endif

using MatmulFn = void (*)(const Packed&, const float*, int, int, float*, int);

MatmulFn matmul_of(KernelPath path) {
#ifdef DEEPBACH_DISPATCH
    if (path == KernelPath::avx2) return avx2::matmul_acc;
#endif
    (void)path;
    return baseline::matmul_acc;
}

LstmCellFn lstm_cell_of(KernelPath path) {
#ifdef DEEPBACH_DISPATCH
    if (path == KernelPath::avx2) return avx2::lstm_cell;
#endif
    (void)path;
    return lstm_cell_baseline;
}

/// Whether the environment variable is set to anything but "" or "0" (the
/// engine's switches: DEEPBACH_NO_SIMD_DISPATCH, _NO_HALF_WEIGHTS, _NO_INT8_WEIGHTS).
bool env_set(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
}

KernelPath detect_kernel_path() {
    if (env_set("DEEPBACH_NO_SIMD_DISPATCH")) return KernelPath::baseline;
    return kernel_path_supported(KernelPath::avx2) ? KernelPath::avx2 : KernelPath::baseline;
}

std::atomic<KernelPath>& current_kernel_path() {
    static std::atomic<KernelPath> path{detect_kernel_path()};
    return path;
}

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

const Tensor& weight(const Model& model, const std::string& name) {
    return model.weights.at(name);
}

/// Rows of `emb` (n x width) times columns [col0, col0+width) of W^T, as a
/// table of n rows of `out` floats (padded to `ld`), via `column(j)` mapping
/// output column j (< out) to the row of W. Computed in double.
Buffer table(const Tensor& emb, const Tensor& W, int col0, int out, int ld,
             const std::function<int(int)>& place) {
    const int n = static_cast<int>(emb.shape[0]);
    const int width = static_cast<int>(emb.shape[1]);
    const int in = static_cast<int>(W.shape[1]);
    Buffer t(static_cast<size_t>(n) * ld, 0.0f);
    // W's columns col0.. as rows (width x out), so that each output row
    // accumulates over e in order (the same sums as a dot product per
    // element) with its inner loop running along contiguous memory.
    std::vector<double> wt(static_cast<size_t>(width) * out);
    for (int j = 0; j < out; ++j)
        for (int e = 0; e < width; ++e)
            wt[static_cast<size_t>(e) * out + j] = W.data[static_cast<size_t>(j) * in + col0 + e];
    std::vector<int> places(static_cast<size_t>(out));
    for (int j = 0; j < out; ++j) places[static_cast<size_t>(j)] = place(j);
    std::vector<double> sum(static_cast<size_t>(out));
    for (int r = 0; r < n; ++r) {
        std::fill(sum.begin(), sum.end(), 0.0);
        for (int e = 0; e < width; ++e) {
            const double x = emb.data[static_cast<size_t>(r) * width + e];
            const double* w = wt.data() + static_cast<size_t>(e) * out;
            for (int j = 0; j < out; ++j) sum[static_cast<size_t>(j)] += x * w[j];
        }
        for (int j = 0; j < out; ++j)
            t[static_cast<size_t>(r) * ld + places[static_cast<size_t>(j)]] =
                static_cast<float>(sum[static_cast<size_t>(j)]);
    }
    return t;
}

struct Cell {
    const SequenceView* seq = nullptr;
    int index = 0;  // padded tick
};

/// row[j] += src[0][j], then += src[1][j], ...: the sums of N separate
/// passes, in one pass over the row.
template <int N>
void add_rows(float* row, const float* const* src, int width) {
    for (int j = 0; j < width; ++j) {
        float sum = row[j];
        for (int q = 0; q < N; ++q) sum += src[q][j];
        row[j] = sum;
    }
}

[[noreturn]] void bad_input(const std::string& what, int index) {
    throw Error("inference: " + what + " at padded tick " + std::to_string(index));
}

}  // namespace

/// One voice's network, with its weights packed and its embeddings folded
/// into the first layers.
class VoiceNetwork {
public:
    VoiceNetwork(const Model& model, int voice, KernelPath path);

    int vocabulary_size() const { return V_; }

    /// Runs one LSTM (0 past, 1 future) over `rows` rows for `steps` steps;
    /// at step s the first active(s) rows read the input at cell(b, s) and,
    /// after the step, emit(s, n, h, ldh) receives their top hidden state.
    /// With `reuse` and one row, the steps whose inputs are those of the
    /// last such run (of this network and direction) are not run again:
    /// their states are restored bit for bit (a sampler's pass changes a
    /// few cells; reharmonizing a region changes none before it).
    void lstm(int which, int rows, int steps, const std::function<int(int)>& active,
              const std::function<Cell(int, int)>& cell,
              const std::function<void(int, int, const float*, int)>& emit, bool reuse = false) const;

    /// Logits (rows x V, leading dimension ldl) of the targets at `cells`,
    /// given their past and future hidden states (rows x Hp, leading Hp).
    void head(int rows, const Cell* cells, const float* past, const float* future, float* logits,
              int ldl) const;

    int hp() const { return Hp_; }
    /// Whether the recurrent matrices are read as half floats.
    bool half() const { return !lstm_[0].recurrent.empty() && !lstm_[0].recurrent[0].half.empty(); }
    /// Whether the matrices are read as 8-bit integers.
    bool int8() const { return !lstm_[0].recurrent.empty() && !lstm_[0].recurrent[0].q8.empty(); }

private:
    struct Lstm {
        std::array<Buffer, kNumVoices + kMetadataInputs> tables;  // x_s -> gates of layer 0
        std::vector<Buffer> bias;                                 // per layer, 4*Hp
        std::vector<Packed> recurrent;  // per layer: h_k (Hp) -> gates (the recurrence)
        std::vector<Packed> input;  // layer k >= 1: h_{k-1} (Hp) -> gates (every step at once); [0] unused
    };
    void add_inputs(const std::array<Buffer, kNumVoices + kMetadataInputs>& tables, int skip_voice,
                    const Cell& cell, float* row, int width) const;

    /// The states after the first kDatasetPadding steps of an LSTM, which
    /// read only padding (START before the music for the past LSTM, END
    /// after it for the future one) and so are the same at every pass of a
    /// sampling run: kept per input signature, restored bit for bit.
    struct PaddingState {
        std::vector<int> signature;
        std::vector<Buffer> hidden, cells;  // per layer, one row (Hp)
    };
    static constexpr std::size_t kPaddingStates = 16;
    mutable std::mutex padding_mutex_;
    mutable std::vector<PaddingState> padding_[2];

    /// The last one-row run of each direction: its inputs per step
    /// (kStepInputs values) and every layer's h and c at every step.
    struct Prefix {
        std::vector<int> inputs;
        std::vector<Buffer> hidden, cells;  // per layer, steps x Hp
        int steps = 0;
    };
    static constexpr int kStepInputs = kNumVoices + kMetadataInputs;
    mutable std::mutex prefix_mutex_[2];
    mutable Prefix prefix_[2];

    MatmulFn matmul_;
    LstmCellFn cell_;
    int voice_, V_, H_, Hp_, C_, Cp_, L_;
    std::array<int, kNumVoices> vocab_sizes_{};
    Lstm lstm_[2];
    std::array<Buffer, kNumVoices + kMetadataInputs> center_tables_;  // voice_'s slot unused
    Buffer center_bias1_, center_bias2_, head_bias1_, head_bias2_;
    Packed center2_, head1_, head2_;
};

VoiceNetwork::VoiceNetwork(const Model& model, int voice, KernelPath path)
    : matmul_(matmul_of(path)),
      cell_(lstm_cell_of(path)),
      voice_(voice),
      V_(model.vocabularies[static_cast<size_t>(voice)].size()),
      H_(model.config.lstm_hidden),
      Hp_(pad(model.config.lstm_hidden)),
      C_(model.config.mlp_hidden),
      Cp_(pad(model.config.mlp_hidden)),
      L_(model.config.lstm_layers) {
    // Half floats only serve the AVX2 kernel (the baseline one reads floats).
    const bool half_ok = path == KernelPath::avx2 && half_weights();
    // 8-bit weights serve the AVX2 kernel too (int8_weights()).
    const bool int8_ok = path == KernelPath::avx2 && int8_weights();
    const int E = model.config.note_embedding, M = model.config.meta_embedding;
    const std::string p = "voices." + std::to_string(voice) + ".";
    for (int u = 0; u < kNumVoices; ++u)
        vocab_sizes_[static_cast<size_t>(u)] =
            model.vocabularies[static_cast<size_t>(u)].size() + (model.config.mask ? 1 : 0);
    // Each voice's token embedding; with a shared pitch table, plus the
    // pitch table's row of the token's MIDI number (folded here once).
    std::array<Tensor, kNumVoices> note_tables;
    for (int u = 0; u < kNumVoices; ++u) {
        Tensor t = weight(model, p + "note_embeddings." + std::to_string(u) + ".weight");
        if (model.config.shared_pitch) {
            const Tensor& pitch = weight(model, p + "pitch_embeddings.weight");
            const std::vector<int> codes = pitch_codes(model.vocabularies[static_cast<size_t>(u)]);
            for (size_t r = 0; r < codes.size(); ++r)
                for (int e = 0; e < E; ++e)
                    t.data[r * static_cast<size_t>(E) + static_cast<size_t>(e)] +=
                        pitch.data[static_cast<size_t>(codes[r]) * static_cast<size_t>(E) +
                                   static_cast<size_t>(e)];
        }
        if (model.config.mask) {
            // Row V_u: the voice's mask embedding (a masked cell's input).
            const Tensor& mask = weight(model, p + "mask_embeddings.weight");
            t.shape[0] += 1;
            t.data.insert(t.data.end(), mask.data.begin() + static_cast<std::ptrdiff_t>(u * E),
                          mask.data.begin() + static_cast<std::ptrdiff_t>((u + 1) * E));
            if (model.config.shared_pitch) {  // the mask has no pitch: row kNoPitchCode
                const Tensor& pitch = weight(model, p + "pitch_embeddings.weight");
                float* row = t.data.data() + (t.data.size() - static_cast<size_t>(E));
                for (int e = 0; e < E; ++e)
                    row[e] += pitch.data[static_cast<size_t>(kNoPitchCode) * static_cast<size_t>(E) +
                                         static_cast<size_t>(e)];
            }
        }
        note_tables[static_cast<size_t>(u)] = std::move(t);
    }
    auto note_emb = [&](int u) -> const Tensor& { return note_tables[static_cast<size_t>(u)]; };
    auto meta_emb = [&](int m) -> const Tensor& {
        return weight(model, p + "meta_embeddings." + kMetadataNames[static_cast<size_t>(m)] + ".weight");
    };
    const int H = H_, Hp = Hp_;
    // Gate column j of PyTorch (gate j / H, unit j % H) goes to gate * Hp + unit.
    auto gate_place = [H, Hp](int j) { return (j / H) * Hp + j % H; };
    for (int which = 0; which < 2; ++which) {
        const std::string q = p + (which == 0 ? "past_lstm." : "future_lstm.");
        Lstm& lstm = lstm_[which];
        const Tensor& wih0 = weight(model, q + "weight_ih_l0");
        for (int u = 0; u < kNumVoices; ++u) {
            lstm.tables[static_cast<size_t>(u)] = table(note_emb(u), wih0, u * E, 4 * H, 4 * Hp, gate_place);
        }
        for (int m = 0; m < kMetadataInputs; ++m) {
            lstm.tables[static_cast<size_t>(kNumVoices + m)] =
                table(meta_emb(m), wih0, 4 * E + m * M, 4 * H, 4 * Hp, gate_place);
        }
        for (int k = 0; k < L_; ++k) {
            const std::string l = "_l" + std::to_string(k);
            const Tensor& bih = weight(model, q + "bias_ih" + l);
            const Tensor& bhh = weight(model, q + "bias_hh" + l);
            Buffer bias(static_cast<size_t>(4 * Hp), 0.0f);
            for (int j = 0; j < 4 * H; ++j)
                bias[static_cast<size_t>(gate_place(j))] =
                    bih.data[static_cast<size_t>(j)] + bhh.data[static_cast<size_t>(j)];
            lstm.bias.push_back(std::move(bias));
            const Tensor& whh = weight(model, q + "weight_hh" + l);
            // Gate row out (gate * Hp + unit) of input i of a PyTorch (4H x H) matrix.
            auto packed_of = [&](const Tensor& w) {
                Packed packed;
                packed.pack(
                    Hp, 4 * Hp,
                    [&](int out, int in) -> float {
                        const int g = out / Hp, unit = out % Hp;
                        if (unit >= H || in >= H) return 0.0f;
                        return w.data[static_cast<size_t>(g * H + unit) * H + in];
                    },
                    half_ok, int8_ok);
                return packed;
            };
            lstm.input.push_back(k == 0 ? Packed{} : packed_of(weight(model, q + "weight_ih" + l)));
            Packed packed = packed_of(whh);
            lstm.recurrent.push_back(std::move(packed));
        }
    }
    // Center MLP: the other voices' notes and the metadata, folded into layer 1.
    const Tensor& c1 = weight(model, p + "center.0.weight");
    auto identity = [](int j) { return j; };
    int slot = 0;
    for (int u = 0; u < kNumVoices; ++u) {
        if (u == voice) continue;
        center_tables_[static_cast<size_t>(u)] = table(note_emb(u), c1, slot * E, C_, Cp_, identity);
        ++slot;
    }
    for (int m = 0; m < kMetadataInputs; ++m) {
        center_tables_[static_cast<size_t>(kNumVoices + m)] =
            table(meta_emb(m), c1, 3 * E + m * M, C_, Cp_, identity);
    }
    auto bias_of = [&](const std::string& name, int n, int ld) {
        const Tensor& t = weight(model, name);
        Buffer b(static_cast<size_t>(ld), 0.0f);
        std::copy(t.data.begin(), t.data.begin() + n, b.begin());
        return b;
    };
    center_bias1_ = bias_of(p + "center.0.bias", C_, Cp_);
    center_bias2_ = bias_of(p + "center.2.bias", C_, Cp_);
    head_bias1_ = bias_of(p + "head.0.bias", C_, Cp_);
    head_bias2_ = bias_of(p + "head.2.bias", V_, pad(V_));
    const Tensor& c2 = weight(model, p + "center.2.weight");
    const int C = C_;
    center2_.pack(
        Cp_, C_, [&](int out, int in) { return in < C ? c2.data[static_cast<size_t>(out) * C + in] : 0.0f; },
        half_ok, int8_ok);
    // Head layer 1 reads z = [h_past (Hp) | center (Cp) | h_future (Hp)].
    const Tensor& h1 = weight(model, p + "head.0.weight");
    const int Cp = Cp_;
    head1_.pack(
        2 * Hp + Cp_, C_,
        [&](int out, int in) -> float {
            const size_t row = static_cast<size_t>(out) * (2 * H + C);
            if (in < Hp) return in < H ? h1.data[row + in] : 0.0f;
            if (in < Hp + Cp) return in - Hp < C ? h1.data[row + H + (in - Hp)] : 0.0f;
            const int i = in - Hp - Cp;
            return i < H ? h1.data[row + H + C + i] : 0.0f;
        },
        half_ok, int8_ok);
    const Tensor& h2 = weight(model, p + "head.2.weight");
    head2_.pack(
        Cp_, V_, [&](int out, int in) { return in < C ? h2.data[static_cast<size_t>(out) * C + in] : 0.0f; },
        half_ok, int8_ok);
}

void VoiceNetwork::add_inputs(const std::array<Buffer, kNumVoices + kMetadataInputs>& tables, int skip_voice,
                              const Cell& cell, float* row, int width) const {
    const SequenceView& s = *cell.seq;
    const int i = cell.index;
    // The table rows to add, in order, then added in one pass over the row.
    std::array<const float*, kNumVoices + kMetadataInputs> src{};
    int count = 0;
    auto add = [&](const Buffer& t, int r) {
        src[static_cast<size_t>(count++)] = t.data() + static_cast<size_t>(r) * width;
    };
    for (int u = 0; u < kNumVoices; ++u) {
        if (u == skip_voice) continue;
        const int note = s.notes[static_cast<size_t>(u)][i];
        if (note < 0 || note >= vocab_sizes_[static_cast<size_t>(u)]) {
            bad_input(std::string(voice_name(u)) + " note index " + std::to_string(note) +
                          " outside the vocabulary",
                      i);
        }
        add(tables[static_cast<size_t>(u)], note);
    }
    const int fermata = s.fermata[i], beat = s.beat[i], key = s.key_fifths[i] + 7;
    if (fermata > 1) bad_input("fermata " + std::to_string(fermata), i);
    if (beat > 3) bad_input("beat position " + std::to_string(beat), i);
    if (key < 0 || key > 14) bad_input("key signature " + std::to_string(key - 7), i);
    add(tables[kNumVoices + 0], fermata);
    add(tables[kNumVoices + 1], beat);
    add(tables[kNumVoices + 2], key);
    if (count == kNumVoices + kMetadataInputs) {
        add_rows<kNumVoices + kMetadataInputs>(row, src.data(), width);
    } else {
        add_rows<kNumVoices - 1 + kMetadataInputs>(row, src.data(), width);
    }
}

void VoiceNetwork::lstm(int which, int rows, int steps, const std::function<int(int)>& active,
                        const std::function<Cell(int, int)>& cell,
                        const std::function<void(int, int, const float*, int)>& emit, bool reuse) const {
    // Layer by layer: each layer's recurrence over every step (a matrix-
    // vector product per step, h_k's weights alone), then the next layer's
    // input products for every step at once (a matrix product, its weights
    // read once for many rows). Row b of step s is sequence b at that step.
    const Lstm& net = lstm_[which];
    const int Hp = Hp_, H = H_, G = 4 * Hp;
    const size_t stride = static_cast<size_t>(rows) * Hp;  // one step of a layer's outputs
    // out[k]: layer k's h at every step; the states of the running layer.
    std::vector<Buffer> out(static_cast<size_t>(L_));
    Buffer h(stride), c(stride), gates(static_cast<size_t>(rows) * G);
    // One row: the steps whose inputs the last run saw are restored.
    const bool single = reuse && rows == 1 && active(steps - 1) == 1;
    std::vector<int> inputs;
    std::vector<Buffer> cell_steps;  // single: every layer's c at every step
    int first_step = 0;
    if (single) {
        inputs.resize(static_cast<size_t>(steps) * kStepInputs);
        for (int s = 0; s < steps; ++s) {
            const Cell cl = cell(0, s);
            int* in = inputs.data() + static_cast<size_t>(s) * kStepInputs;
            for (int u = 0; u < kNumVoices; ++u) in[u] = cl.seq->notes[static_cast<size_t>(u)][cl.index];
            in[kNumVoices] = cl.seq->fermata[cl.index];
            in[kNumVoices + 1] = cl.seq->beat[cl.index];
            in[kNumVoices + 2] = cl.seq->key_fifths[cl.index];
        }
        // The last run's states are taken over (not copied): its steps before
        // the first changed one are this run's; the rest is overwritten. A run
        // of the same direction beside this one finds none and runs in full.
        Prefix p;
        {
            std::lock_guard<std::mutex> lock(prefix_mutex_[which]);
            std::swap(p, prefix_[which]);
        }
        const int n = std::min(p.steps, steps);
        int same = 0;
        while (same < n && std::equal(inputs.begin() + static_cast<std::ptrdiff_t>(same) * kStepInputs,
                                      inputs.begin() + static_cast<std::ptrdiff_t>(same + 1) * kStepInputs,
                                      p.inputs.begin() + static_cast<std::ptrdiff_t>(same) * kStepInputs))
            ++same;
        if (same == steps) --same;  // run the last step again: a run always computes one
        if (p.steps > 0) {
            out = std::move(p.hidden);
            cell_steps = std::move(p.cells);
        } else {
            cell_steps.resize(static_cast<size_t>(L_));
        }
        for (int k = 0; k < L_; ++k) {
            out[static_cast<size_t>(k)].resize(static_cast<size_t>(steps) * Hp);
            cell_steps[static_cast<size_t>(k)].resize(static_cast<size_t>(steps) * Hp);
        }
        first_step = same;
    } else {
        for (auto& o : out) o.assign(static_cast<size_t>(steps) * stride, 0.0f);
    }
    // The padding steps: restored when every row's were seen before.
    const int P = kDatasetPadding;
    const bool padded = !single && steps > P && active(P - 1) == rows;
    std::vector<std::vector<int>> signatures;
    std::vector<const PaddingState*> found;
    if (padded) {
        signatures.resize(static_cast<size_t>(rows));
        for (int b = 0; b < rows; ++b) {
            auto& sig = signatures[static_cast<size_t>(b)];
            for (int s = 0; s < P; ++s) {
                const Cell cl = cell(b, s);
                for (int u = 0; u < kNumVoices; ++u)
                    sig.push_back(cl.seq->notes[static_cast<size_t>(u)][cl.index]);
                sig.push_back(cl.seq->fermata[cl.index]);
                sig.push_back(cl.seq->beat[cl.index]);
                sig.push_back(cl.seq->key_fifths[cl.index]);
            }
        }
        std::lock_guard<std::mutex> lock(padding_mutex_);
        const auto& cache = padding_[which];
        for (const auto& sig : signatures) {
            const auto it = std::find_if(cache.begin(), cache.end(),
                                         [&](const PaddingState& p) { return p.signature == sig; });
            if (it == cache.end()) break;
            found.push_back(&*it);
        }
        if (static_cast<int>(found.size()) == rows) {
            first_step = P;
        } else {
            found.clear();
        }
    }
    // The states after the padding steps, per layer, to keep for the next pass.
    std::vector<PaddingState> keep(first_step == 0 && padded ? static_cast<size_t>(rows) : 0);
    for (int k = 0; k < L_; ++k) {
        const size_t ks = static_cast<size_t>(k);
        const Buffer& bias = net.bias[ks];
        Buffer& o = out[ks];
        if (single && first_step > 0) {  // restore h and c at the step before the first one run
            const size_t at = static_cast<size_t>(first_step - 1) * Hp;
            std::copy(o.begin() + static_cast<std::ptrdiff_t>(at),
                      o.begin() + static_cast<std::ptrdiff_t>(at + Hp), h.begin());
            std::copy(cell_steps[ks].begin() + static_cast<std::ptrdiff_t>(at),
                      cell_steps[ks].begin() + static_cast<std::ptrdiff_t>(at + Hp), c.begin());
        } else if (padded && first_step == P) {  // restore h and c at step P - 1
            for (int b = 0; b < rows; ++b) {
                const PaddingState& p = *found[static_cast<size_t>(b)];
                std::copy(p.hidden[ks].begin(), p.hidden[ks].end(), h.data() + static_cast<size_t>(b) * Hp);
                std::copy(p.cells[ks].begin(), p.cells[ks].end(), c.data() + static_cast<size_t>(b) * Hp);
            }
            std::copy(h.begin(), h.end(), o.data() + static_cast<size_t>(P - 1) * stride);
        } else {
            std::fill(h.begin(), h.end(), 0.0f);
            std::fill(c.begin(), c.end(), 0.0f);
        }
        // Layer k >= 1: its input products at every step, with the bias, in
        // place of the step's gates (one matrix product over all rows).
        Buffer pre;
        if (k > 0) {
            const int n_rows = (steps - first_step) * rows;
            pre.resize(static_cast<size_t>(n_rows) * G);
            for (int r = 0; r < n_rows; ++r)
                std::copy(bias.begin(), bias.end(), pre.data() + static_cast<size_t>(r) * G);
            matmul_(net.input[ks], out[ks - 1].data() + static_cast<size_t>(first_step) * stride, Hp, n_rows,
                    pre.data(), G);
        }
        for (int s = first_step; s < steps; ++s) {
            if (!keep.empty() && s == P) {
                for (int b = 0; b < rows; ++b) {
                    const float* hb = h.data() + static_cast<size_t>(b) * Hp;
                    const float* cb = c.data() + static_cast<size_t>(b) * Hp;
                    keep[static_cast<size_t>(b)].hidden.emplace_back(hb, hb + Hp);
                    keep[static_cast<size_t>(b)].cells.emplace_back(cb, cb + Hp);
                }
            }
            const int n = active(s);
            // The step's gates: layer 0 from its tables, layer k >= 1 in place
            // in its input products (the active rows come first).
            float* step_gates =
                k == 0 ? gates.data() : pre.data() + static_cast<size_t>(s - first_step) * rows * G;
            if (k == 0) {
                for (int b = 0; b < n; ++b) {
                    float* g = gates.data() + static_cast<size_t>(b) * G;
                    std::copy(bias.begin(), bias.end(), g);
                    add_inputs(net.tables, -1, cell(b, s), g, G);
                }
            }
            matmul_(net.recurrent[ks], h.data(), Hp, n, step_gates, G);
            for (int b = 0; b < n; ++b) {
                cell_(step_gates + static_cast<size_t>(b) * G, c.data() + static_cast<size_t>(b) * Hp,
                      h.data() + static_cast<size_t>(b) * Hp, H, Hp);
            }
            std::copy(h.data(), h.data() + static_cast<size_t>(n) * Hp,
                      o.data() + static_cast<size_t>(s) * stride);
            if (single)
                std::copy(c.data(), c.data() + Hp, cell_steps[ks].data() + static_cast<size_t>(s) * Hp);
        }
    }
    if (!keep.empty()) {
        std::lock_guard<std::mutex> lock(padding_mutex_);
        auto& cache = padding_[which];
        for (int b = 0; b < rows; ++b) {
            PaddingState& p = keep[static_cast<size_t>(b)];
            if (static_cast<int>(p.hidden.size()) != L_) continue;
            p.signature = signatures[static_cast<size_t>(b)];
            if (std::any_of(cache.begin(), cache.end(),
                            [&](const PaddingState& q) { return q.signature == p.signature; }))
                continue;
            if (cache.size() >= kPaddingStates) cache.erase(cache.begin());
            cache.push_back(std::move(p));
        }
    }
    const Buffer& top = out[static_cast<size_t>(L_ - 1)];
    const int from = single ? 0 : (first_step == P ? P - 1 : 0);
    for (int s = from; s < steps; ++s)
        emit(s, !single && s == P - 1 && first_step == P ? rows : active(s),
             top.data() + static_cast<size_t>(s) * stride, Hp);
    if (single) {
        std::lock_guard<std::mutex> lock(prefix_mutex_[which]);
        Prefix& p = prefix_[which];
        p.inputs = std::move(inputs);
        p.hidden = std::move(out);
        p.cells = std::move(cell_steps);
        p.steps = steps;
    }
}

void VoiceNetwork::head(int rows, const Cell* cells, const float* past, const float* future, float* logits,
                        int ldl) const {
    const int Hp = Hp_, Cp = Cp_, Z = 2 * Hp + Cp;
    Buffer hidden(static_cast<size_t>(rows) * Cp);
    Buffer z(static_cast<size_t>(rows) * Z, 0.0f);
    for (int b = 0; b < rows; ++b) {
        float* row = hidden.data() + static_cast<size_t>(b) * Cp;
        std::copy(center_bias1_.begin(), center_bias1_.end(), row);
        add_inputs(center_tables_, voice_, cells[b], row, Cp);
        for (int j = 0; j < Cp; ++j) row[j] = std::max(row[j], 0.0f);
        float* zr = z.data() + static_cast<size_t>(b) * Z;
        std::copy(past + static_cast<size_t>(b) * Hp, past + static_cast<size_t>(b + 1) * Hp, zr);
        std::copy(center_bias2_.begin(), center_bias2_.end(), zr + Hp);
        std::copy(future + static_cast<size_t>(b) * Hp, future + static_cast<size_t>(b + 1) * Hp,
                  zr + Hp + Cp);
    }
    matmul_(center2_, hidden.data(), Cp, rows, z.data() + Hp, Z);
    for (int b = 0; b < rows; ++b) {
        float* row = hidden.data() + static_cast<size_t>(b) * Cp;
        std::copy(head_bias1_.begin(), head_bias1_.end(), row);
    }
    matmul_(head1_, z.data(), Z, rows, hidden.data(), Cp);
    for (float& x : hidden) x = std::max(x, 0.0f);
    for (int b = 0; b < rows; ++b)
        std::copy(head_bias2_.begin(), head_bias2_.begin() + V_, logits + static_cast<size_t>(b) * ldl);
    matmul_(head2_, hidden.data(), Cp, rows, logits, ldl);
}

SequenceView view_of(const Dataset& dataset, int sequence) {
    if (sequence < 0 || static_cast<size_t>(sequence) >= dataset.sequences.size()) {
        throw Error("inference: no sequence " + std::to_string(sequence) + " in the dataset");
    }
    const Dataset::Sequence& s = dataset.sequences[static_cast<size_t>(sequence)];
    SequenceView view;
    for (int v = 0; v < kNumVoices; ++v)
        view.notes[static_cast<size_t>(v)] = dataset.notes[static_cast<size_t>(v)].data() + s.offset;
    view.fermata = dataset.fermata.data() + s.offset;
    view.beat = dataset.beat_position.data() + s.offset;
    view.key_fifths = dataset.key_fifths.data() + s.offset;
    view.length = s.length;
    return view;
}

void log_softmax_rows(Eigen::MatrixXf& logits) {
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
        auto row = logits.row(r);
        const float max = row.maxCoeff();
        double sum = 0;
        for (Eigen::Index c = 0; c < row.size(); ++c) sum += std::exp(static_cast<double>(row(c) - max));
        const float shift = max + static_cast<float>(std::log(sum));
        row.array() -= shift;
    }
}

bool kernel_path_supported(KernelPath path) {
    if (path == KernelPath::baseline) return true;
#ifdef DEEPBACH_DISPATCH
    if (path == KernelPath::avx2) {
        __builtin_cpu_init();
        // F16C from CPUID (leaf 1, ECX): clang before 15 has no "f16c" for
        // __builtin_cpu_supports, and the library did not build with it.
        unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
        const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) != 0 && (ecx & bit_F16C) != 0;
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
    }
#endif
    return false;
}

KernelPath kernel_path() {
    return current_kernel_path().load();
}

namespace {
std::atomic<bool>& current_half_weights() {
    static std::atomic<bool> on{!env_set("DEEPBACH_NO_HALF_WEIGHTS")};
    return on;
}
}  // namespace

bool half_weights() {
    return current_half_weights().load();
}

namespace {
std::atomic<bool>& current_int8_weights() {
    static std::atomic<bool> on{!env_set("DEEPBACH_NO_INT8_WEIGHTS")};
    return on;
}
}  // namespace

bool int8_weights() {
    return current_int8_weights().load();
}

void set_int8_weights(bool on) {
    current_int8_weights().store(on);
}

void set_half_weights(bool on) {
    current_half_weights().store(on);
}

bool InferenceEngine::half_weights() const {
    for (const auto& v : voices_)
        if (v) return v->half();
    return false;
}

bool InferenceEngine::int8_weights() const {
    for (const auto& v : voices_)
        if (v) return v->int8();
    return false;
}

const VoiceNetwork& InferenceEngine::network(int voice) const {
    if (voice < 0 || voice >= kNumVoices) throw Error("inference: no voice " + std::to_string(voice));
    const auto& net = voices_[static_cast<size_t>(voice)];
    if (!net)
        throw Error(std::string("inference: the ") + voice_name(voice) +
                    " network was not built in this engine (its voices were chosen at construction)");
    return *net;
}

bool set_kernel_path(KernelPath path) {
    if (!kernel_path_supported(path)) return false;
    current_kernel_path().store(path);
    return true;
}

const char* kernel_path_name(KernelPath path) {
    switch (path) {
        case KernelPath::avx2:
            return "avx2";
        case KernelPath::baseline:
        default:
            return "baseline";
    }
}

InferenceEngine::InferenceEngine(const Model& model, int threads, const std::array<bool, kNumVoices>* voices)
    : config_(model.config), kernel_path_(nn::kernel_path()) {
    model.validate();
    set_threads(threads);
    for (int v = 0; v < kNumVoices; ++v) {
        vocabulary_sizes_[static_cast<size_t>(v)] = model.vocabularies[static_cast<size_t>(v)].size();
        if (voices == nullptr || (*voices)[static_cast<size_t>(v)])
            voices_[static_cast<size_t>(v)] = std::make_unique<VoiceNetwork>(model, v, kernel_path_);
    }
    if (config_.relational) {
        relational_ = std::make_unique<Relational>(model.vocabularies, model.config);
        for (int v = 0; v < kNumVoices; ++v)
            relational_tables_[static_cast<size_t>(v)] =
                weight(model, "voices." + std::to_string(v) + ".relational").data;
    }
}

InferenceEngine::~InferenceEngine() = default;

void InferenceEngine::set_threads(int threads) {
    threads_ = detail::resolve_threads(threads);
}

int InferenceEngine::vocabulary_size(int voice) const {
    if (voice < 0 || voice >= kNumVoices) throw Error("inference: no voice " + std::to_string(voice));
    return vocabulary_sizes_[static_cast<size_t>(voice)];
}

void InferenceEngine::window_logits(int voice, const std::vector<Target>& targets,
                                    Eigen::MatrixXf& out) const {
    const int V = vocabulary_size(voice);
    const VoiceNetwork& net = network(voice);
    const int rows = static_cast<int>(targets.size());
    for (const Target& t : targets) {
        if (t.tick < 0 || t.tick >= t.sequence.length) {
            throw Error("inference: target tick " + std::to_string(t.tick) + " outside a sequence of " +
                        std::to_string(t.sequence.length) + " ticks");
        }
    }
    out.resize(rows, V);
    if (rows == 0) return;
    const int Hp = net.hp(), P = kDatasetPadding, wp = config_.window_past, wf = config_.window_future;
    Buffer hidden[2] = {Buffer(static_cast<size_t>(rows) * Hp), Buffer(static_cast<size_t>(rows) * Hp)};
    const int chunks = (rows + kChunk - 1) / kChunk;
    detail::parallel_for(static_cast<size_t>(2 * chunks), threads_, [&](size_t task) {
        const int which = static_cast<int>(task % 2), chunk = static_cast<int>(task / 2);
        const int b0 = chunk * kChunk, n = std::min(kChunk, rows - b0);
        const int steps = which == 0 ? wp : wf;
        net.lstm(
            which, n, steps, [n](int) { return n; },
            [&](int b, int s) {
                const Target& t = targets[static_cast<size_t>(b0 + b)];
                return Cell{&t.sequence, which == 0 ? t.tick + P - wp + s : t.tick + P + wf - s};
            },
            [&](int s, int active, const float* h, int ldh) {
                if (s != steps - 1) return;
                for (int b = 0; b < active; ++b) {
                    std::copy(h + static_cast<size_t>(b) * ldh, h + static_cast<size_t>(b) * ldh + Hp,
                              hidden[which].data() + static_cast<size_t>(b0 + b) * Hp);
                }
            });
    });
    const int ldl = pad(V);
    Buffer logits(static_cast<size_t>(rows) * ldl);
    detail::parallel_for(static_cast<size_t>(chunks), threads_, [&](size_t chunk) {
        const int b0 = static_cast<int>(chunk) * kChunk, n = std::min(kChunk, rows - b0);
        std::vector<Cell> cells(static_cast<size_t>(n));
        for (int b = 0; b < n; ++b) {
            const Target& t = targets[static_cast<size_t>(b0 + b)];
            cells[static_cast<size_t>(b)] = {&t.sequence, t.tick + P};
        }
        net.head(n, cells.data(), hidden[0].data() + static_cast<size_t>(b0) * Hp,
                 hidden[1].data() + static_cast<size_t>(b0) * Hp,
                 logits.data() + static_cast<size_t>(b0) * ldl, ldl);
    });
    for (int b = 0; b < rows; ++b) {
        for (int j = 0; j < V; ++j) out(b, j) = logits[static_cast<size_t>(b) * ldl + j];
    }
}

void InferenceEngine::full_logits(int voice, const std::vector<SequenceView>& sequences,
                                  std::vector<Eigen::MatrixXf>& out,
                                  const std::vector<const std::vector<int>*>* ticks) const {
    const int V = vocabulary_size(voice);
    const VoiceNetwork& net = network(voice);
    const int count = static_cast<int>(sequences.size());
    for (const SequenceView& s : sequences) {
        if (s.length < 1) throw Error("inference: empty sequence");
    }
    if (ticks && ticks->size() != sequences.size())
        throw Error("inference: " + std::to_string(ticks->size()) + " tick lists for " +
                    std::to_string(sequences.size()) + " sequences");
    out.assign(static_cast<size_t>(count), Eigen::MatrixXf());
    if (count == 0) return;
    const int Hp = net.hp(), P = kDatasetPadding;
    // Rows of music ticks: sequence q's tick i is row first[q] + i.
    std::vector<std::int64_t> first(static_cast<size_t>(count) + 1, 0);
    for (int q = 0; q < count; ++q)
        first[static_cast<size_t>(q) + 1] =
            first[static_cast<size_t>(q)] + sequences[static_cast<size_t>(q)].length;
    const std::int64_t total = first.back();
    // Longest first, so that the rows still running at a step are a prefix.
    std::vector<int> order(static_cast<size_t>(count));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
        return sequences[static_cast<size_t>(a)].length > sequences[static_cast<size_t>(b)].length;
    });
    Buffer hidden[2] = {Buffer(static_cast<size_t>(total) * Hp), Buffer(static_cast<size_t>(total) * Hp)};
    // The rows the head will read (with a list of ticks, only those are kept).
    std::vector<char> needed(static_cast<size_t>(total), ticks ? 0 : 1);
    if (ticks) {
        for (int q = 0; q < count; ++q) {
            const std::vector<int>* list = (*ticks)[static_cast<size_t>(q)];
            const int len = sequences[static_cast<size_t>(q)].length;
            if (!list) {
                std::fill_n(needed.begin() + first[static_cast<size_t>(q)], len, 1);
                continue;
            }
            for (int t : *list)
                if (t >= 0 && t < len) needed[static_cast<size_t>(first[static_cast<size_t>(q)] + t)] = 1;
        }
    }
    // Tasks: {past, future} x groups of sequences (rows are independent, so
    // the grouping does not change the results).
    const int groups = std::max(1, std::min(count, (threads_ + 1) / 2));
    detail::parallel_for(static_cast<size_t>(2 * groups), threads_, [&](size_t task) {
        const int which = static_cast<int>(task % 2), group = static_cast<int>(task / 2);
        const int g0 = group * count / groups, g1 = (group + 1) * count / groups;
        const int n = g1 - g0;
        if (n == 0) return;
        auto seq = [&](int b) -> const SequenceView& {
            return sequences[static_cast<size_t>(order[static_cast<size_t>(g0 + b)])];
        };
        // Steps 0 .. length + P - 2 give the states needed for ticks 0..length-1.
        int steps = seq(0).length + P - 1;
        // One sequence with a list of ticks: the past LSTM need not go past
        // the last of them, nor the future one (which runs backwards) past the first.
        if (n == 1 && ticks) {
            const std::vector<int>* list = (*ticks)[static_cast<size_t>(order[static_cast<size_t>(g0)])];
            if (list && !list->empty()) {
                const auto [lo, hi] = std::minmax_element(list->begin(), list->end());
                steps = which == 0 ? std::min(steps, *hi + P) : std::min(steps, seq(0).length + P - 1 - *lo);
            }
        }
        net.lstm(
            which, n, steps,
            [&](int s) {
                int active = n;
                while (active > 0 && seq(active - 1).length + P - 1 <= s) --active;
                return active;
            },
            [&](int b, int s) {
                const SequenceView& v = seq(b);
                return Cell{&v, which == 0 ? s : v.padded_length() - 1 - s};
            },
            [&](int s, int active, const float* h, int ldh) {
                for (int b = 0; b < active; ++b) {
                    const SequenceView& v = seq(b);
                    const int tick = which == 0 ? s + 1 - P : v.length + P - 2 - s;
                    if (tick < 0 || tick >= v.length) continue;
                    const std::int64_t row =
                        first[static_cast<size_t>(order[static_cast<size_t>(g0 + b)])] + tick;
                    if (!needed[static_cast<size_t>(row)]) continue;
                    std::copy(h + static_cast<size_t>(b) * ldh, h + static_cast<size_t>(b) * ldh + Hp,
                              hidden[which].data() + static_cast<size_t>(row) * Hp);
                }
            },
            true);
    });
    // The rows the head computes: every tick, or the ticks asked for.
    std::vector<std::int64_t> wanted;  // rows of `hidden`, in order
    if (ticks) {
        for (int q = 0; q < count; ++q) {
            const std::vector<int>* list = (*ticks)[static_cast<size_t>(q)];
            if (!list) {
                for (int i = 0; i < sequences[static_cast<size_t>(q)].length; ++i)
                    wanted.push_back(first[static_cast<size_t>(q)] + i);
                continue;
            }
            for (int t : *list) {
                if (t < 0 || t >= sequences[static_cast<size_t>(q)].length)
                    throw Error("inference: tick " + std::to_string(t) + " outside a sequence of " +
                                std::to_string(sequences[static_cast<size_t>(q)].length) + " ticks");
                wanted.push_back(first[static_cast<size_t>(q)] + t);
            }
        }
        // The wanted rows gathered in place of the whole (head rows are independent).
        Buffer past(wanted.size() * static_cast<size_t>(Hp)), future(wanted.size() * static_cast<size_t>(Hp));
        for (size_t r = 0; r < wanted.size(); ++r) {
            const size_t from = static_cast<size_t>(wanted[r]) * Hp;
            std::copy(hidden[0].data() + from, hidden[0].data() + from + Hp, past.data() + r * Hp);
            std::copy(hidden[1].data() + from, hidden[1].data() + from + Hp, future.data() + r * Hp);
        }
        hidden[0].swap(past);
        hidden[1].swap(future);
    }
    const std::int64_t head_rows = ticks ? static_cast<std::int64_t>(wanted.size()) : total;
    auto row_of = [&](std::int64_t r) { return ticks ? wanted[static_cast<size_t>(r)] : r; };
    const int ldl = pad(V);
    Buffer logits(static_cast<size_t>(head_rows) * ldl);
    const std::int64_t chunks = (head_rows + kChunk - 1) / kChunk;
    detail::parallel_for(static_cast<size_t>(chunks), threads_, [&](size_t chunk) {
        const std::int64_t r0 = static_cast<std::int64_t>(chunk) * kChunk;
        const int n = static_cast<int>(std::min<std::int64_t>(kChunk, head_rows - r0));
        std::vector<Cell> cells(static_cast<size_t>(n));
        for (int b = 0; b < n; ++b) {
            const std::int64_t row = row_of(r0 + b);
            const int q =
                static_cast<int>(std::upper_bound(first.begin(), first.end(), row) - first.begin()) - 1;
            cells[static_cast<size_t>(b)] = {&sequences[static_cast<size_t>(q)],
                                             static_cast<int>(row - first[static_cast<size_t>(q)]) + P};
        }
        net.head(n, cells.data(), hidden[0].data() + static_cast<size_t>(r0) * Hp,
                 hidden[1].data() + static_cast<size_t>(r0) * Hp,
                 logits.data() + static_cast<size_t>(r0) * ldl, ldl);
    });
    for (int q = 0; q < count; ++q) {
        Eigen::MatrixXf& m = out[static_cast<size_t>(q)];
        const int len = sequences[static_cast<size_t>(q)].length;
        if (ticks) {
            m.setZero(len, V);
        } else {
            m.resize(len, V);
        }
    }
    for (std::int64_t r = 0; r < head_rows; ++r) {
        const std::int64_t row = row_of(r);
        const int q = static_cast<int>(std::upper_bound(first.begin(), first.end(), row) - first.begin()) - 1;
        Eigen::MatrixXf& m = out[static_cast<size_t>(q)];
        const int i = static_cast<int>(row - first[static_cast<size_t>(q)]);
        const float* src = logits.data() + static_cast<size_t>(r) * ldl;
        for (int j = 0; j < V; ++j) m(i, j) = src[j];
    }
    if (relational_)
        for (int q = 0; q < count; ++q)
            relational_->add(relational_tables_[static_cast<size_t>(voice)].data(),
                             sequences[static_cast<size_t>(q)], voice, out[static_cast<size_t>(q)],
                             ticks ? (*ticks)[static_cast<size_t>(q)] : nullptr);
}

}  // namespace deepbach::nn
