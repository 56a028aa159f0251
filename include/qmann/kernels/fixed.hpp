// Kernels on raw 8-bit fixed-point data (fixed<W<=8,F>): exact int8 dot
// product, the Q-MANN weighted-bit Hamming similarity, the read with Q14
// probabilities, and the base-2 softmax. All exact: they match their scalar
// twins bit for bit. AVX-512BW (+VNNI) or AVX2 intrinsics when the target has
// them (xsimd 8.1 has no sum of absolute differences or int8 dot product),
// the scalar kernels otherwise.
#pragma once

#include <algorithm>
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
/// The sums of four vectors' int32 lanes, as the four lanes of one __m128i.
inline __m128i reduce4_add_epi32(__m512i a, __m512i b, __m512i c, __m512i d) noexcept {
  auto fold = [](__m512i v) {
    return _mm256_add_epi32(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
  };
  const __m256i ab = _mm256_hadd_epi32(fold(a), fold(b));
  const __m256i cd = _mm256_hadd_epi32(fold(c), fold(d));
  const __m256i abcd = _mm256_hadd_epi32(ab, cd);
  return _mm_add_epi32(_mm256_castsi256_si128(abcd), _mm256_extracti128_si256(abcd, 1));
}
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
    // |a - b| as an unsigned byte, saturated at 128: exact below 127, and
    // M -sat d is 0 from 127 on, so the saturation never shows.
    const __m512i d = _mm512_abs_epi8(_mm512_subs_epi8(va, vb));
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
    const __m256i d = _mm256_abs_epi8(_mm256_subs_epi8(va, vb));
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

/// out[i] = dot(key, row i) (exact int32) for n rows of raw int8.
inline void dot_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n,
                     std::size_t dim, std::size_t stride, std::int32_t* out) noexcept {
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
  // dpbusd takes the row as unsigned (row + 128, by flipping the top bit) and
  // the key as signed: sum (row + 128) key = dot + 128 sum(key), the latter
  // once per key. Four rows share each key load; one reduction serves four.
  std::int32_t key_sum = 0;
  for (std::size_t d = 0; d < dim; ++d) key_sum += key[d];
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  std::size_t i = 0;
  for (; n - i >= 4; i += 4) {
    const std::int8_t* r = rows + i * stride;
    __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
    for (std::size_t d = 0; d < dim; d += 64) {
      const __mmask64 k = detail::tail_mask64(dim - d);
      const __m512i vk = _mm512_maskz_loadu_epi8(k, key + d);
      a0 = _mm512_dpbusd_epi32(a0, _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, r + d), flip), vk);
      a1 = _mm512_dpbusd_epi32(a1, _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, r + stride + d), flip), vk);
      a2 = _mm512_dpbusd_epi32(a2, _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, r + 2 * stride + d), flip), vk);
      a3 = _mm512_dpbusd_epi32(a3, _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, r + 3 * stride + d), flip), vk);
    }
    const __m128i sums = _mm_sub_epi32(detail::reduce4_add_epi32(a0, a1, a2, a3),
                                       _mm_set1_epi32(128 * key_sum));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), sums);
  }
  for (; i < n; ++i) out[i] = dot(key, rows + i * stride, dim);
#else
  for (std::size_t i = 0; i < n; ++i) out[i] = dot(key, rows + i * stride, dim);
#endif
}

/// out[i] = weighted_hamming<W>(key, row i) for n rows of raw int8.
template <int W>
void weighted_hamming_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n,
                           std::size_t dim, std::size_t stride, std::int32_t* out) noexcept {
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
  // Per element s t with t = M -sat |row - key| (see weighted_hamming):
  // negate t where the signs differ, then one dpbusd against ones adds four
  // signed bytes into each int32 lane. Four rows share each key load.
  const __m512i m = _mm512_set1_epi8(static_cast<char>((1 << (W - 1)) - 1));
  const __m512i ones = _mm512_set1_epi8(1);
  const __m512i zero = _mm512_setzero_si512();
  auto term = [&](__m512i row, __m512i vk, __mmask64 k) {
    const __m512i t = _mm512_maskz_subs_epu8(k, m, _mm512_abs_epi8(_mm512_subs_epi8(row, vk)));
    const __mmask64 signs_differ = _mm512_movepi8_mask(_mm512_xor_si512(row, vk));
    return _mm512_mask_sub_epi8(t, signs_differ, zero, t);
  };
  std::size_t i = 0;
  for (; n - i >= 4; i += 4) {
    const std::int8_t* r = rows + i * stride;
    __m512i a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    for (std::size_t d = 0; d < dim; d += 64) {
      const __mmask64 k = detail::tail_mask64(dim - d);
      const __m512i vk = _mm512_maskz_loadu_epi8(k, key + d);
      a0 = _mm512_dpbusd_epi32(a0, ones, term(_mm512_maskz_loadu_epi8(k, r + d), vk, k));
      a1 = _mm512_dpbusd_epi32(a1, ones, term(_mm512_maskz_loadu_epi8(k, r + stride + d), vk, k));
      a2 = _mm512_dpbusd_epi32(a2, ones, term(_mm512_maskz_loadu_epi8(k, r + 2 * stride + d), vk, k));
      a3 = _mm512_dpbusd_epi32(a3, ones, term(_mm512_maskz_loadu_epi8(k, r + 3 * stride + d), vk, k));
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), detail::reduce4_add_epi32(a0, a1, a2, a3));
  }
  for (; i < n; ++i) out[i] = weighted_hamming<W>(key, rows + i * stride, dim);
#else
  for (std::size_t i = 0; i < n; ++i) out[i] = weighted_hamming<W>(key, rows + i * stride, dim);
#endif
}

namespace detail {

/// Calls f(rows, count, first) for the indices i with p[i] != 0, in chunks
/// of at most 1024 (first: whether this is the first call). A weight of
/// exactly zero adds nothing to a read, and the base-2 softmax gives exact
/// zeros to every slot 15 or more binary orders of magnitude below the best,
/// so a focused read touches few rows.
template <class F>
void for_nonzero_weights(const std::int16_t* p, std::size_t n, F&& f) {
  constexpr std::size_t chunk = 1024;
  std::uint32_t rows[chunk];
  bool first = true;
  for (std::size_t begin = 0; begin < n; begin += chunk) {
    const std::size_t end = std::min(n, begin + chunk);
    std::size_t count = 0;
    std::size_t i = begin;
#if defined(__AVX512BW__)
    const __m512i lane = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    for (; end - i >= 16; i += 16) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i));
      const __mmask16 nonzero = _mm256_test_epi16_mask(w, w);
      _mm512_mask_compressstoreu_epi32(rows + count, nonzero,
                                       _mm512_add_epi32(lane, _mm512_set1_epi32(static_cast<int>(i))));
      count += static_cast<std::size_t>(__builtin_popcount(nonzero));
    }
#endif
    for (; i < end; ++i) {
      rows[count] = static_cast<std::uint32_t>(i);
      count += p[i] != 0;
    }
    if (count > 0 || (first && end == n)) {
      f(static_cast<const std::uint32_t*>(rows), count, first);
      first = false;
    }
  }
  if (first) f(static_cast<const std::uint32_t*>(rows), std::size_t{0}, true);
}

}  // namespace detail

/// out[i] = sum_j a[j][i] * b[j][i] (see scalar::sum_of_products).
inline void sum_of_products(const std::int8_t* const* a, const std::int8_t* const* b, std::size_t count,
                            std::size_t n, std::int32_t* out) noexcept {
#if defined(__AVX512BW__)
  // 32 lanes a step, the tail masked: int8 x int8 products are exact int16
  // (one mullo for 32 dims), widened into two int32 accumulators.
  for (std::size_t i = 0; i < n; i += 32) {
    const auto k = static_cast<__mmask32>(detail::tail_mask64(n - i));
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
    for (std::size_t j = 0; j < count; ++j) {
      const __m512i a16 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, a[j] + i));
      const __m512i b16 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, b[j] + i));
      const __m512i product = _mm512_mullo_epi16(a16, b16);
      lo = _mm512_add_epi32(lo, _mm512_cvtepi16_epi32(_mm512_castsi512_si256(product)));
      hi = _mm512_add_epi32(hi, _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(product, 1)));
    }
    _mm512_mask_storeu_epi32(out + i, static_cast<__mmask16>(k), lo);
    if (n - i > 16) _mm512_mask_storeu_epi32(out + i + 16, static_cast<__mmask16>(k >> 16), hi);
  }
#elif defined(__AVX2__)
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256i acc = _mm256_setzero_si256();
    for (std::size_t j = 0; j < count; ++j) {
      const __m256i a32 = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a[j] + i)));
      const __m256i b32 = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b[j] + i)));
      acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(a32, b32));
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), acc);
  }
  for (; i < n; ++i) {
    std::int32_t acc = 0;
    for (std::size_t j = 0; j < count; ++j) acc += std::int32_t{a[j][i]} * std::int32_t{b[j][i]};
    out[i] = acc;
  }
#else
  scalar::sum_of_products(a, b, count, n, out);
#endif
}

/// out[i] = in[i] narrowed to fixed<width, to> (see scalar::rescale).
inline void rescale(const std::int32_t* in, std::int8_t* out, std::size_t n, int from, int to,
                    int width) noexcept {
#if defined(__AVX512BW__)
  const __m512i hi = _mm512_set1_epi32(static_cast<std::int32_t>(raw_max(width)));
  const __m512i lo = _mm512_set1_epi32(static_cast<std::int32_t>(raw_min(width)));
  const int shift = to >= from ? to - from : from - to;
  const __m128i count = _mm_cvtsi32_si128(shift);
  const __m512i half = _mm512_set1_epi32(to >= from ? 0 : std::int32_t{1} << (shift - 1));
  for (std::size_t i = 0; i < n; i += 16) {
    const auto k = static_cast<__mmask16>(detail::tail_mask64(n - i));
    const __m512i x = _mm512_maskz_loadu_epi32(k, in + i);
    __m512i r;
    if (to >= from) {
      r = _mm512_sll_epi32(x, count);
    } else {  // round the magnitude (ties away from zero), restore the sign
      const __m512i sign = _mm512_srai_epi32(x, 31);
      r = _mm512_srl_epi32(_mm512_add_epi32(_mm512_abs_epi32(x), half), count);
      r = _mm512_sub_epi32(_mm512_xor_si512(r, sign), sign);
    }
    _mm512_mask_cvtepi32_storeu_epi8(out + i, k, _mm512_min_epi32(_mm512_max_epi32(r, lo), hi));
  }
#elif defined(__AVX2__)
  const __m256i hi = _mm256_set1_epi32(static_cast<std::int32_t>(raw_max(width)));
  const __m256i lo = _mm256_set1_epi32(static_cast<std::int32_t>(raw_min(width)));
  const int shift = to >= from ? to - from : from - to;
  const __m128i count = _mm_cvtsi32_si128(shift);
  const __m256i half = _mm256_set1_epi32(to >= from ? 0 : std::int32_t{1} << (shift - 1));
  // Byte 0 of each int32 to the front of its 128-bit lane, then both lanes' dwords together.
  const __m256i low_bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                             0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    __m256i r;
    if (to >= from) {
      r = _mm256_sll_epi32(x, count);
    } else {
      const __m256i sign = _mm256_srai_epi32(x, 31);
      r = _mm256_srl_epi32(_mm256_add_epi32(_mm256_abs_epi32(x), half), count);
      r = _mm256_sub_epi32(_mm256_xor_si256(r, sign), sign);
    }
    r = _mm256_shuffle_epi8(_mm256_min_epi32(_mm256_max_epi32(r, lo), hi), low_bytes);
    r = _mm256_permutevar8x32_epi32(r, _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + i), _mm256_castsi256_si128(r));
  }
  scalar::rescale(in + i, out + i, n - i, from, to, width);
#else
  scalar::rescale(in, out, n, from, to, width);
#endif
}

/// out[d] = sum_i p[i] * rows[i * stride + d], p in Q14, rows raw int8: exact.
/// Rows with p[i] == 0 are skipped.
inline void read(const std::int16_t* p, const std::int8_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride, std::int32_t* out) noexcept {
#if defined(__AVX512BW__)
  // Two rows at a time: their widened int16 elements interleave into pairs
  // (row a, row b) that one madd multiplies by (p_a, p_b) and adds. The
  // unpack works within 128-bit lanes, so the dims come out permuted; the
  // final permutex2var puts them back in order.
  detail::for_nonzero_weights(p, n, [&](const std::uint32_t* active, std::size_t count, bool first) {
    for (std::size_t d = 0; d < dim; d += 32) {
      const auto k = static_cast<__mmask32>(detail::tail_mask64(dim - d));
      __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
      std::size_t j = 0;
      for (; j + 2 <= count; j += 2) {
        const std::uint32_t a = active[j], b = active[j + 1];
        const __m512i r0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, rows + a * stride + d));
        const __m512i r1 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, rows + b * stride + d));
        const __m512i pp = _mm512_set1_epi32(static_cast<std::int32_t>(
            static_cast<std::uint32_t>(static_cast<std::uint16_t>(p[a])) |
            (static_cast<std::uint32_t>(static_cast<std::uint16_t>(p[b])) << 16)));
#if defined(__AVX512VNNI__)
        lo = _mm512_dpwssd_epi32(lo, _mm512_unpacklo_epi16(r0, r1), pp);
        hi = _mm512_dpwssd_epi32(hi, _mm512_unpackhi_epi16(r0, r1), pp);
#else
        lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(r0, r1), pp));
        hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(r0, r1), pp));
#endif
      }
      if (j < count) {  // odd count: pair the last row with a zero row
        const std::uint32_t a = active[j];
        const __m512i r0 = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(k, rows + a * stride + d));
        const __m512i pp = _mm512_set1_epi32(static_cast<std::uint16_t>(p[a]));
        const __m512i z = _mm512_setzero_si512();
        lo = _mm512_add_epi32(lo, _mm512_madd_epi16(_mm512_unpacklo_epi16(r0, z), pp));
        hi = _mm512_add_epi32(hi, _mm512_madd_epi16(_mm512_unpackhi_epi16(r0, z), pp));
      }
      // lo holds dims {0-3, 8-11, 16-19, 24-27}, hi {4-7, 12-15, 20-23, 28-31}.
      __m512i first16 = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi);
      __m512i second16 = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15), hi);
      const auto k0 = static_cast<__mmask16>(k), k1 = static_cast<__mmask16>(k >> 16);
      if (!first) {
        first16 = _mm512_add_epi32(first16, _mm512_maskz_loadu_epi32(k0, out + d));
        second16 = _mm512_add_epi32(second16, _mm512_maskz_loadu_epi32(k1, out + d + 16));
      }
      _mm512_mask_storeu_epi32(out + d, k0, first16);
      _mm512_mask_storeu_epi32(out + d + 16, k1, second16);
    }
  });
#elif defined(__AVX2__)
  // As the AVX-512 path, 16 dims at a time; the last dim % 16 in scalar.
  const std::size_t blocks = dim / 16 * 16;
  detail::for_nonzero_weights(p, n, [&](const std::uint32_t* active, std::size_t count, bool first) {
    for (std::size_t d = 0; d < blocks; d += 16) {
      __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
      for (std::size_t j = 0; j < count; j += 2) {
        const std::uint32_t a = active[j];
        const bool pair = j + 1 < count;
        const std::uint32_t b = pair ? active[j + 1] : a;
        const __m256i r0 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows + a * stride + d)));
        const __m256i r1 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows + b * stride + d)));
        const std::uint32_t pb = pair ? static_cast<std::uint16_t>(p[b]) : 0U;  // a lone row pairs with weight 0
        const __m256i pp = _mm256_set1_epi32(static_cast<std::int32_t>(static_cast<std::uint16_t>(p[a]) | (pb << 16)));
        lo = _mm256_add_epi32(lo, _mm256_madd_epi16(_mm256_unpacklo_epi16(r0, r1), pp));
        hi = _mm256_add_epi32(hi, _mm256_madd_epi16(_mm256_unpackhi_epi16(r0, r1), pp));
      }
      // lo holds dims {0-3, 8-11}, hi {4-7, 12-15}.
      __m256i first8 = _mm256_permute2x128_si256(lo, hi, 0x20);
      __m256i second8 = _mm256_permute2x128_si256(lo, hi, 0x31);
      if (!first) {
        first8 = _mm256_add_epi32(first8, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(out + d)));
        second8 = _mm256_add_epi32(second8, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(out + d + 8)));
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + d), first8);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + d + 8), second8);
    }
    for (std::size_t d = blocks; d < dim; ++d) {
      std::int32_t sum = first ? 0 : out[d];
      for (std::size_t j = 0; j < count; ++j)
        sum += std::int32_t{p[active[j]]} * std::int32_t{rows[active[j] * stride + d]};
      out[d] = sum;
    }
  });
#else
  scalar::read(p, rows, n, dim, stride, out);
#endif
}

/// The fixed-point base-2 softmax (see scalar::softmax_base2): no float,
/// and the same integers as the scalar kernel.
inline void softmax_base2(const std::int32_t* scores, std::size_t n, int frac, std::uint16_t beta,
                          std::int16_t* p, std::size_t padding = 0) noexcept {
#if defined(__AVX512BW__)
  // In 32-bit lanes: a difference from the max of D_zero = ceil(15 2^(frac+8)
  // / beta) or more gives 0 anyway, so differences clamp there and
  // u = diff * beta stays below 2^32 when frac <= 19 (every qmann
  // similarity's scores have frac <= 7). Wider fractions take the scalar path.
  const int exponent_frac = frac + beta_frac_bits;
  if (frac < 0 || frac > 19 || n < 16) return scalar::softmax_base2(scores, n, frac, beta, p, padding);
  const std::uint64_t zero_from = ((std::uint64_t{15} << exponent_frac) + beta - 1) / beta;
  std::int32_t max = scores[0];
  {
    __m512i m = _mm512_set1_epi32(scores[0]);
    std::size_t i = 0;
    for (; n - i >= 16; i += 16) m = _mm512_max_epi32(m, _mm512_loadu_si512(scores + i));
    max = _mm512_reduce_max_epi32(m);
    for (; i < n; ++i) max = std::max(max, scores[i]);
    if (padding > 0) max = std::max(max, 0);  // empty slots score 0
  }
  const __m512i coarse_lo = _mm512_loadu_si512(exp2_coarse_q15.data());
  const __m512i coarse_hi = _mm512_loadu_si512(exp2_coarse_q15.data() + 16);
  const __m512i fine_lo = _mm512_loadu_si512(exp2_fine_q15.data());
  const __m512i fine_hi = _mm512_loadu_si512(exp2_fine_q15.data() + 16);
  const __m512i vmax = _mm512_set1_epi32(max);
  const __m512i vbeta = _mm512_set1_epi32(beta);
  const __m512i vzero_from = _mm512_set1_epi32(static_cast<std::int32_t>(zero_from));
  const __m512i thirty_one = _mm512_set1_epi32(31);
  const __m128i whole_shift = _mm_cvtsi32_si128(exponent_frac);
  const __m128i f10_shift = _mm_cvtsi32_si128(exponent_frac >= 10 ? exponent_frac - 10 : 0);
  const __m128i f10_left = _mm_cvtsi32_si128(exponent_frac >= 10 ? 0 : 10 - exponent_frac);
  const __m512i f10_mask = _mm512_set1_epi32(1023);
  auto exp2_q15 = [&](__m512i s) {
    // max - s >= 0 as unsigned; clamp where the result is 0 regardless.
    const __m512i diff = _mm512_min_epu32(_mm512_sub_epi32(vmax, s), vzero_from);
    const __m512i u = _mm512_mullo_epi32(diff, vbeta);
    const __m512i whole = _mm512_srl_epi32(u, whole_shift);
    const __m512i f10 = _mm512_and_si512(_mm512_sll_epi32(_mm512_srl_epi32(u, f10_shift), f10_left), f10_mask);
    const __m512i c = _mm512_permutex2var_epi32(coarse_lo, _mm512_srli_epi32(f10, 5), coarse_hi);
    const __m512i f = _mm512_permutex2var_epi32(fine_lo, _mm512_and_si512(f10, thirty_one), fine_hi);
    const __m512i mantissa = _mm512_srli_epi32(
        _mm512_add_epi32(_mm512_mullo_epi32(c, f), _mm512_set1_epi32(1 << 14)), 15);
    // srlv gives 0 for shifts >= 32; whole >= 15 must give 0 too.
    const __mmask16 live = _mm512_cmplt_epu32_mask(whole, _mm512_set1_epi32(15));
    return _mm512_maskz_srlv_epi32(live, mantissa, whole);
  };
  __m512i lane_sums = _mm512_setzero_si512();  // <= n/16 * 2^15 per lane
  std::size_t i = 0;
  for (; n - i >= 16; i += 16) {
    const __m512i e = exp2_q15(_mm512_loadu_si512(scores + i));
    lane_sums = _mm512_add_epi32(lane_sums, e);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p + i), _mm512_cvtepi32_epi16(e));
  }
  std::uint64_t sum = 0;
  alignas(64) std::uint32_t lanes[16];
  _mm512_store_si512(lanes, lane_sums);
  for (std::uint32_t x : lanes) sum += x;
  for (; i < n; ++i) {
    const auto u = static_cast<std::uint64_t>(std::int64_t{max} - scores[i]) * beta;
    const std::uint32_t e = detail::exp2_negative_q15(u, exponent_frac);
    p[i] = static_cast<std::int16_t>(e);
    sum += e;
  }
  if (padding > 0)
    sum += padding * detail::exp2_negative_q15(static_cast<std::uint64_t>(max) * beta, exponent_frac);
  // p = (e R + 2^31) >> 32, e <= 2^15 and R < 2^32: eight 64-bit lanes at a time.
  const std::uint64_t reciprocal = (std::uint64_t{1} << 46) / sum;
  const __m512i vr = _mm512_set1_epi64(static_cast<long long>(reciprocal));
  const __m512i half = _mm512_set1_epi64(1LL << 31);
  for (i = 0; n - i >= 8; i += 8) {
    const __m512i e = _mm512_cvtepu16_epi64(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    const __m512i q = _mm512_srli_epi64(_mm512_add_epi64(_mm512_mul_epu32(e, vr), half), 32);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), _mm512_cvtepi64_epi16(q));
  }
  for (; i < n; ++i) {
    const auto e = static_cast<std::uint64_t>(static_cast<std::uint16_t>(p[i]));
    p[i] = static_cast<std::int16_t>((e * reciprocal + (std::uint64_t{1} << 31)) >> 32);
  }
#else
  scalar::softmax_base2(scores, n, frac, beta, p, padding);
#endif
}

}  // namespace qmann::kernels
