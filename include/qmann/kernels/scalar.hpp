// Scalar reference kernels: the oracle every SIMD kernel is tested against,
// and the portable fallback. Plain loops, written to be read, not to be fast.
//
// Kernels work on storage units (see number_traits): float, raw int8 of a
// fixed<W<=8,F>, or 64-bit words of packed binary. Integer kernels are exact;
// the SIMD twins must match them bit for bit.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "qmann/number/rescale.hpp"

namespace qmann::kernels {

/// Q15 tables of the base-2 softmax: kExp2Coarse[j] = round(2^15 * 2^(-j/32)),
/// kExp2Fine[j] = round(2^15 * 2^(-j/1024)); together they give 2^-f for a
/// 10-bit fraction f with a relative error below 2^-13 (tested).
inline constexpr std::array<std::uint32_t, 32> exp2_coarse_q15 = {
    32768, 32066, 31379, 30706, 30048, 29405, 28774, 28158, 27554, 26964, 26386,
    25821, 25268, 24726, 24196, 23678, 23170, 22674, 22188, 21713, 21247, 20792,
    20347, 19911, 19484, 19066, 18658, 18258, 17867, 17484, 17109, 16743};
inline constexpr std::array<std::uint32_t, 32> exp2_fine_q15 = {
    32768, 32746, 32724, 32702, 32679, 32657, 32635, 32613, 32591, 32569, 32547,
    32525, 32503, 32481, 32459, 32437, 32415, 32393, 32371, 32349, 32327, 32306,
    32284, 32262, 32240, 32218, 32196, 32175, 32153, 32131, 32109, 32088};

/// Fractional bits of the base-2 softmax's probabilities: p = raw * 2^-14,
/// so 1.0 is 16384 and fits an int16 (qmann::fixed<16,14>).
inline constexpr int probability_frac_bits = 14;
/// Fractional bits of the sharpening factor beta of the base-2 softmax.
inline constexpr int beta_frac_bits = 8;
/// Most scores one base-2 softmax takes: keeps its sum of Q15 terms in 2^31.
inline constexpr std::size_t softmax_base2_max_size = std::size_t{1} << 16;

namespace detail {

/// 2^-(u / 2^frac) in Q15 (u >= 0), by shift for the integer part and the
/// two tables for the top 10 bits of the fraction. Shared by the scalar and
/// the SIMD kernels so that both compute the same integers.
constexpr std::uint32_t exp2_negative_q15(std::uint64_t u, int frac) noexcept {
  const std::uint64_t whole = u >> frac;
  if (whole >= 15) return 0;
  const std::uint64_t fraction = u & ((std::uint64_t{1} << frac) - 1);
  const auto f10 = static_cast<std::uint32_t>(frac >= 10 ? fraction >> (frac - 10)
                                                         : fraction << (10 - frac));
  const std::uint32_t mantissa =
      (exp2_coarse_q15[f10 >> 5] * exp2_fine_q15[f10 & 31] + (1U << 14)) >> 15;
  return mantissa >> whole;
}

/// Per element of the Q-MANN weighted-bit Hamming similarity, closed form:
/// s * (M - min(|a - b|, M)), M = 2^(W-1) - 1, s = -1 when the signs differ.
/// Units of 2^-(W-1). See scalar::weighted_hamming_term for the definition.
template <int W>
constexpr int weighted_hamming_closed(int a, int b) noexcept {
  constexpr int m = (1 << (W - 1)) - 1;
  const int d = std::min(a > b ? a - b : b - a, m);
  return ((a < 0) != (b < 0)) ? d - m : m - d;
}

}  // namespace detail

namespace scalar {

// ---- similarities of one key against one row ------------------------------

inline float dot(const float* a, const float* b, std::size_t n) noexcept {
  float sum = 0.0f;
  for (std::size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

/// Sum of squares, for cosine similarity.
inline float squared_norm(const float* a, std::size_t n) noexcept { return dot(a, a, n); }

/// Exact dot product of raw 8-bit values (the "conventional" quantized
/// similarity before it is narrowed). |sum| <= n * 2^14, exact for n < 2^17.
inline std::int32_t dot(const std::int8_t* a, const std::int8_t* b, std::size_t n) noexcept {
  std::int32_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::int32_t{a[i]} * std::int32_t{b[i]};
  return sum;
}

/// The Q-MANN "Hamming similarity with weighted bits" of one element pair of
/// W-bit two's-complement values (W <= 8), written as the bit-level
/// definition (Park et al. 2018; the reference code's attention mode 3):
///  1. take sign and magnitude of each value;
///  2. remove the pair's common magnitude: with equal signs both lose the
///     smaller magnitude, with opposite signs the larger keeps the sum of
///     both and the other becomes 0 (so one magnitude is 0, the other |a-b|);
///  3. the magnitude field has W-1 bits: a magnitude above 2^(W-1) - 1
///     saturates there (qmann's choice; the reference code let it carry into
///     the sign bit, a bug for opposite-signed values of large magnitude);
///  4. every magnitude bit i below the sign (i = 1 .. W-1) that is equal in
///     both contributes 2^-i;
///  5. the term is negated when the signs differ.
/// Result in units of 2^-(W-1), in [-(2^(W-1) - 1), 2^(W-1) - 1]: bounded by
/// the sum of the bit weights, 1 - 2^-(W-1).
template <int W>
constexpr int weighted_hamming_term(int a, int b) noexcept {
  static_assert(W >= 2 && W <= 8, "weighted_hamming_term: W in [2, 8]");
  constexpr int magnitude_bits = W - 1;
  constexpr int magnitude_max = (1 << magnitude_bits) - 1;
  const bool negative_a = a < 0, negative_b = b < 0;
  int ma = negative_a ? -a : a;
  int mb = negative_b ? -b : b;
  const int common = std::min(ma, mb);
  if (negative_a == negative_b) {
    ma -= common;
    mb -= common;
  } else if (ma >= mb) {
    ma += common;
    mb = 0;
  } else {
    mb += common;
    ma = 0;
  }
  ma = std::min(ma, magnitude_max);
  mb = std::min(mb, magnitude_max);
  int sum = 0;
  for (int i = 1; i <= magnitude_bits; ++i) {
    const int bit = magnitude_bits - i;  // bit i below the sign has weight 2^-i
    if (((ma >> bit) & 1) == ((mb >> bit) & 1)) sum += 1 << bit;
  }
  return negative_a == negative_b ? sum : -sum;
}

/// Sum of weighted_hamming_term over n element pairs, in units of 2^-(W-1).
/// |sum| <= n * (2^(W-1) - 1): an int32 never overflows for n < 2^24.
template <int W>
std::int32_t weighted_hamming(const std::int8_t* a, const std::int8_t* b, std::size_t n) noexcept {
  std::int32_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += weighted_hamming_term<W>(a[i], b[i]);
  return sum;
}

/// Number of differing bits of two packed binary vectors of `words` words.
/// Padding bits are zero in both, so they never differ.
inline std::uint32_t xor_popcount(const std::uint64_t* a, const std::uint64_t* b,
                                  std::size_t words) noexcept {
  std::uint32_t count = 0;
  for (std::size_t w = 0; w < words; ++w)
    count += static_cast<std::uint32_t>(std::popcount(a[w] ^ b[w]));
  return count;
}

// ---- one key against n rows (row i at rows + i * stride) ---------------------

inline void dot_rows(const float* key, const float* rows, std::size_t n, std::size_t dim,
                     std::size_t stride, float* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = dot(key, rows + i * stride, dim);
}

inline void dot_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n,
                     std::size_t dim, std::size_t stride, std::int32_t* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = dot(key, rows + i * stride, dim);
}

template <int W>
void weighted_hamming_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n,
                           std::size_t dim, std::size_t stride, std::int32_t* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = weighted_hamming<W>(key, rows + i * stride, dim);
}

/// out[i] = differing bits of key and row i (`words` words each).
inline void xor_popcount_rows(const std::uint64_t* key, const std::uint64_t* rows, std::size_t n,
                              std::size_t words, std::size_t stride_words,
                              std::uint32_t* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = xor_popcount(key, rows + i * stride_words, words);
}

// ---- softmax ----------------------------------------------------------------

/// p_i = exp(beta (s_i - max s)) / sum_j exp(beta (s_j - max s)), in place.
/// Subtracting the maximum keeps every exponent <= 0: no overflow for any
/// finite input, and the largest term is exactly 1, so the sum is >= 1.
inline void softmax(float* s, std::size_t n, float beta = 1.0f) noexcept {
  if (n == 0) return;
  float max = s[0];
  for (std::size_t i = 1; i < n; ++i) max = std::max(max, s[i]);
  float sum = 0.0f;
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = std::exp(beta * (s[i] - max));
    sum += s[i];
  }
  const float inverse = 1.0f / sum;
  for (std::size_t i = 0; i < n; ++i) s[i] *= inverse;
}

/// The fixed-point base-2 softmax: no float anywhere.
///   scores  raw int32 scores with any number of fractional bits `frac`
///   beta    sharpening factor, raw with beta_frac_bits (256 = 1.0)
///   p       out: probabilities in Q14 (fixed<16,14>), p_i ~ 2^(beta (s_i - max)) / sum
/// e_i = 2^-(beta (max - s_i)) in Q15 (exp2_negative_q15), S = sum e_i
/// (>= 2^15, the maximum's own term), R = floor(2^46 / S),
/// p_i = (e_i R + 2^31) >> 32. Then |sum p - 1| <= (n/2 + 1) 2^-14.
/// `padding` more slots of score 0 (empty memories) share the
/// normalization; their weights, all equal, are not written (the same p as
/// with explicit zero scores, at the cost of one term).
/// Precondition: 1 <= n + padding <= softmax_base2_max_size.
inline void softmax_base2(const std::int32_t* scores, std::size_t n, int frac,
                          std::uint16_t beta, std::int16_t* p, std::size_t padding = 0) noexcept {
  std::int32_t max = n > 0 ? scores[0] : 0;
  for (std::size_t i = 1; i < n; ++i) max = std::max(max, scores[i]);
  if (padding > 0) max = std::max(max, 0);
  const int exponent_frac = frac + beta_frac_bits;
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto u = static_cast<std::uint64_t>(std::int64_t{max} - scores[i]) * beta;
    const std::uint32_t e = detail::exp2_negative_q15(u, exponent_frac);
    p[i] = static_cast<std::int16_t>(e);  // held until the sum is known (e <= 2^15)
    sum += e;
  }
  if (padding > 0)
    sum += padding * detail::exp2_negative_q15(static_cast<std::uint64_t>(max) * beta, exponent_frac);
  const std::uint64_t reciprocal = (std::uint64_t{1} << 46) / sum;
  for (std::size_t i = 0; i < n; ++i) {
    const auto e = static_cast<std::uint64_t>(static_cast<std::uint16_t>(p[i]));
    p[i] = static_cast<std::int16_t>((e * reciprocal + (std::uint64_t{1} << 31)) >> 32);
  }
}

// ---- element-wise, for the integer forward pass of a model -------------------

/// out[i] = sum_j a[j][i] * b[j][i] for i < n over `count` pairs of int8
/// rows, exact in int32 (|out| <= count 2^14): the embedding sums
/// sum_j l_j E[x_j] of the quantized MemN2N.
inline void sum_of_products(const std::int8_t* const* a, const std::int8_t* const* b, std::size_t count,
                            std::size_t n, std::int32_t* out) noexcept {
  std::fill(out, out + n, 0);
  for (std::size_t j = 0; j < count; ++j) {
    // __restrict: int8 data may alias anything; this lets the compiler vectorize.
    const std::int8_t* __restrict x = a[j];
    const std::int8_t* __restrict y = b[j];
    std::int32_t* __restrict sum = out;
    for (std::size_t i = 0; i < n; ++i) sum[i] += std::int32_t{x[i]} * std::int32_t{y[i]};
  }
}

/// out[i] = rescale_raw(in[i], from, to, width) for i < n: raw values with
/// `from` fractional bits narrowed to fixed<width, to> (round to nearest,
/// ties away from zero; saturate). Preconditions: 2 <= width <= 8,
/// |in[i]| < 2^30, and |in[i]| 2^(to - from) < 2^31 when to > from.
inline void rescale(const std::int32_t* in, std::int8_t* out, std::size_t n, int from, int to,
                    int width) noexcept {
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::int8_t>(rescale_raw(in[i], from, to, width));
}

/// Packs the signs of in[0..n) (bit set = negative, sign(0) = +1) into
/// `bits` (ceil(n / 64) words, padding bits 0), writes them as -1 / +1 to
/// `signs`, and returns sum |in[i]| (for the scale alpha of a binary
/// memory). Precondition: |in[i]| < 2^26.
inline std::int64_t binarize(const std::int32_t* in, std::size_t n, std::uint64_t* bits,
                             std::int8_t* signs) noexcept {
  std::fill(bits, bits + (n + 63) / 64, std::uint64_t{0});
  std::int64_t magnitude = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const bool negative = in[i] < 0;
    magnitude += negative ? -std::int64_t{in[i]} : std::int64_t{in[i]};
    signs[i] = negative ? -1 : 1;
    bits[i / 64] |= std::uint64_t{negative} << (i % 64);
  }
  return magnitude;
}

/// out[i] = sum_d key[d] * (bit d of row i ? -1 : +1): an int8 key against
/// packed binary rows (the conventional binary score before its scale).
inline void dot_rows(const std::int8_t* key, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                     std::size_t stride_words, std::int32_t* out) noexcept {
  for (std::size_t i = 0; i < n; ++i) {
    std::int32_t sum = 0;
    for (std::size_t d = 0; d < dim; ++d)
      sum += ((rows[i * stride_words + d / 64] >> (d % 64)) & 1U) ? -key[d] : key[d];
    out[i] = sum;
  }
}

// ---- read: o = sum_i p_i row_i ----------------------------------------------

/// out[d] = sum_i p[i] * rows[i * stride + d], d < dim.
inline void read(const float* p, const float* rows, std::size_t n, std::size_t dim,
                 std::size_t stride, float* out) noexcept {
  std::fill(out, out + dim, 0.0f);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dim; ++d) out[d] += p[i] * rows[i * stride + d];
}

/// out[d] = sum_i p[i] * rows[i][d], p in Q14, rows raw int8: exact int32
/// (|out| <= 2^7 * sum p <= 2^7 * 2^14 * (1 + n 2^-14)).
inline void read(const std::int16_t* p, const std::int8_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride, std::int32_t* out) noexcept {
  std::fill(out, out + dim, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dim; ++d)
      out[d] += std::int32_t{p[i]} * std::int32_t{rows[i * stride + d]};
}

/// Binary memory with int32 weights (probability times a row's scale):
/// out[d] = sum_i w[i] * (bit d of row i ? -1 : +1). Exact while
/// sum |w| < 2^31.
inline void read(const std::int32_t* w, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride_words, std::int32_t* out) noexcept {
  std::fill(out, out + dim, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dim; ++d)
      out[d] += ((rows[i * stride_words + d / 64] >> (d % 64)) & 1U) ? -w[i] : w[i];
}

/// Binary memory: out[d] = sum_i p[i] * (+1 or -1) = sum p - 2 * (sum of p
/// over the rows whose bit d is set, i.e. whose element d is -1). Exact.
inline void read(const std::int16_t* p, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride_words, std::int32_t* out) noexcept {
  std::int32_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += p[i];
  std::fill(out, out + dim, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t d = 0; d < dim; ++d)
      if ((rows[i * stride_words + d / 64] >> (d % 64)) & 1U) out[d] += p[i];
  for (std::size_t d = 0; d < dim; ++d) out[d] = total - 2 * out[d];
}

}  // namespace scalar
}  // namespace qmann::kernels
