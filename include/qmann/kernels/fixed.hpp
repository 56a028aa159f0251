// Kernels on raw 8-bit fixed-point data (fixed<W<=8,F>): exact int8 dot
// product, the Q-MANN weighted-bit Hamming similarity, the read with Q14
// probabilities, and the base-2 softmax. All exact: they match their scalar
// twins bit for bit. AVX-512BW (+VNNI) or AVX2 intrinsics when the target has
// them (xsimd 8.1 has no sum of absolute differences or int8 dot product),
// the scalar kernels otherwise.
#pragma once

#include <cstddef>
#include <cstdint>

#include "qmann/kernels/scalar.hpp"
#include "qmann/kernels/simd.hpp"

namespace qmann::kernels {

namespace detail {

#if defined(__AVX512BW__)
/// Lanes [0, n) of a 64-byte block set, n <= 64.
inline __mmask64 tail_mask64(std::size_t n) noexcept {
  return n >= 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1);
}
inline std::int64_t reduce_add_epi64(__m512i v) noexcept { return _mm512_reduce_add_epi64(v); }
#endif

#if defined(__AVX2__)
inline std::int64_t reduce_add_epi64(__m256i v) noexcept {
  const __m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return _mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1);
}
inline std::int32_t reduce_add_epi32(__m256i v) noexcept {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4E));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xB1));
  return _mm_cvtsi128_si32(s);
}
#endif

}  // namespace detail

/// Exact sum of a[i] * b[i] over raw int8 values (see scalar::dot).
inline std::int32_t dot(const std::int8_t* a, const std::int8_t* b, std::size_t n) noexcept {
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
  // dpbusd multiplies unsigned by signed bytes: (a + 128) * b summed, minus
  // 128 * sum(b), which a second dpbusd against ones counts.
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const __m512i ones = _mm512_set1_epi8(1);
  __m512i acc = _mm512_setzero_si512(), acc_b = _mm512_setzero_si512();
  for (std::size_t i = 0; i < n; i += 64) {
    const __mmask64 k = detail::tail_mask64(n - i);
    const __m512i va = _mm512_maskz_loadu_epi8(k, a + i);
    const __m512i vb = _mm512_maskz_loadu_epi8(k, b + i);
    acc = _mm512_dpbusd_epi32(acc, _mm512_maskz_mov_epi8(k, _mm512_xor_si512(va, flip)), vb);
    acc_b = _mm512_dpbusd_epi32(acc_b, ones, vb);
  }
  return _mm512_reduce_add_epi32(acc) - 128 * _mm512_reduce_add_epi32(acc_b);
#elif defined(__AVX512BW__)
  __m512i acc = _mm512_setzero_si512();
  for (std::size_t i = 0; i < n; i += 32) {
    const auto k = static_cast<__mmask32>(detail::tail_mask64(n - i));
    const __m512i va = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, a + i));
    const __m512i vb = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, b + i));
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(va, vb));
  }
  return _mm512_reduce_add_epi32(acc);
#elif defined(__AVX2__)
  __m256i acc = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256i va = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)));
    const __m256i vb = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(va, vb));
  }
  return detail::reduce_add_epi32(acc) + scalar::dot(a + i, b + i, n - i);
#else
  return scalar::dot(a, b, n);
#endif
}

/// The Q-MANN weighted-bit Hamming similarity of two raw W-bit vectors,
/// sum_i s_i (M - min(|a_i - b_i|, M)), M = 2^(W-1) - 1, s_i = -1 where the
/// signs differ; units of 2^-(W-1). Equal to scalar::weighted_hamming (the
/// bit-level definition) for every input; |result| <= n M.
///
/// Per element t = M -sat |a - b| (unsigned saturating subtraction: for equal
/// signs |a - b| <= M anyway, for opposite signs it is the min(., M) of the
/// definition). Then sum = sum(t) - 2 sum(t where signs differ), both sums by
/// psadbw against zero, which adds bytes into 64-bit lanes in one instruction.
template <int W>
std::int32_t weighted_hamming(const std::int8_t* a, const std::int8_t* b, std::size_t n) noexcept {
  static_assert(W >= 2 && W <= 8, "weighted_hamming: W in [2, 8]");
  [[maybe_unused]] constexpr int magnitude_max = (1 << (W - 1)) - 1;
#if defined(__AVX512BW__)
  const __m512i m = _mm512_set1_epi8(static_cast<char>(magnitude_max));
  const __m512i zero = _mm512_setzero_si512();
  __m512i all = zero, differing = zero;
  for (std::size_t i = 0; i < n; i += 64) {
    const __mmask64 k = detail::tail_mask64(n - i);
    const __m512i va = _mm512_maskz_loadu_epi8(k, a + i);
    const __m512i vb = _mm512_maskz_loadu_epi8(k, b + i);
    // |a - b| as an unsigned byte: max - min never exceeds 255.
    const __m512i d = _mm512_sub_epi8(_mm512_max_epi8(va, vb), _mm512_min_epi8(va, vb));
    const __m512i t = _mm512_maskz_subs_epu8(k, m, d);  // padding lanes count 0
    const __mmask64 signs_differ = _mm512_movepi8_mask(_mm512_xor_si512(va, vb));
    all = _mm512_add_epi64(all, _mm512_sad_epu8(t, zero));
    differing = _mm512_add_epi64(differing, _mm512_sad_epu8(_mm512_maskz_mov_epi8(signs_differ, t), zero));
  }
  return static_cast<std::int32_t>(detail::reduce_add_epi64(all) -
                                   2 * detail::reduce_add_epi64(differing));
#elif defined(__AVX2__)
  const __m256i m = _mm256_set1_epi8(static_cast<char>(magnitude_max));
  const __m256i zero = _mm256_setzero_si256();
  __m256i all = zero, differing = zero;
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    const __m256i va = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i));
    const __m256i vb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i));
    const __m256i d = _mm256_sub_epi8(_mm256_max_epi8(va, vb), _mm256_min_epi8(va, vb));
    const __m256i t = _mm256_subs_epu8(m, d);
    const __m256i signs_differ = _mm256_cmpgt_epi8(zero, _mm256_xor_si256(va, vb));
    all = _mm256_add_epi64(all, _mm256_sad_epu8(t, zero));
    differing = _mm256_add_epi64(differing, _mm256_sad_epu8(_mm256_and_si256(signs_differ, t), zero));
  }
  std::int64_t sum = detail::reduce_add_epi64(all) - 2 * detail::reduce_add_epi64(differing);
  for (; i < n; ++i) sum += detail::weighted_hamming_closed<W>(a[i], b[i]);
  return static_cast<std::int32_t>(sum);
#else
  std::int32_t sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += detail::weighted_hamming_closed<W>(a[i], b[i]);
  return sum;
#endif
}

/// out[d] = sum_i p[i] * rows[i * stride + d], p in Q14, rows raw int8: exact.
inline void read(const std::int16_t* p, const std::int8_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride, std::int32_t* out) noexcept {
#if defined(__AVX512BW__)
  // Two rows at a time: their widened int16 elements interleave into pairs
  // (row i, row i+1) that one madd multiplies by (p_i, p_i+1) and adds. The
  // unpack works within 128-bit lanes, so the dims come out permuted; the
  // final permutex2var puts them back in order.
  std::size_t d = 0;
  for (; d < dim; d += 32) {
    const auto k = static_cast<__mmask32>(detail::tail_mask64(dim - d));
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    std::size_t i = 0;
    for (; i + 2 <= n; i += 2) {
      const __m512i r0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, rows + i * stride + d));
      const __m512i r1 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, rows + (i + 1) * stride + d));
      const __m512i pp = _mm512_set1_epi32(static_cast<std::int32_t>(
          static_cast<std::uint32_t>(static_cast<std::uint16_t>(p[i])) |
          (static_cast<std::uint32_t>(static_cast<std::uint16_t>(p[i + 1])) << 16)));
#if defined(__AVX512VNNI__)
      lo = _mm512_dpwssd_epi32(lo, _mm512_unpacklo_epi16(r0, r1), pp);
      hi = _mm512_dpwssd_epi32(hi, _mm512_unpackhi_epi16(r0, r1), pp);
#else
      lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(r0, r1), pp));
      hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(r0, r1), pp));
#endif
    }
    if (i < n) {  // odd row count: pair the last row with a zero row
      const __m512i r0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, rows + i * stride + d));
      const __m512i pp = _mm512_set1_epi32(static_cast<std::uint16_t>(p[i]));
      lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(r0, _mm512_setzero_si512()), pp));
      hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(r0, _mm512_setzero_si512()), pp));
    }
    // lo holds dims {0-3, 8-11, 16-19, 24-27}, hi {4-7, 12-15, 20-23, 28-31}.
    const __m512i first = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi);
    const __m512i second = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15), hi);
    _mm512_mask_storeu_epi32(out + d, static_cast<__mmask16>(k), first);
    if (dim - d > 16) _mm512_mask_storeu_epi32(out + d + 16, static_cast<__mmask16>(k >> 16), second);
  }
#else
  scalar::read(p, rows, n, dim, stride, out);
#endif
}

/// The fixed-point base-2 softmax (see scalar::softmax_base2): no float.
inline void softmax_base2(const std::int32_t* scores, std::size_t n, int frac, std::uint16_t beta,
                          std::int16_t* p) noexcept {
  scalar::softmax_base2(scores, n, frac, beta, p);
}

}  // namespace qmann::kernels
