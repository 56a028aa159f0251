// Kernels on packed binary data (64 elements per word, bit 1 = -1): XOR +
// popcount for the Hamming similarity, and the read of a binary memory with
// Q14 probabilities. Exact; they match their scalar twins bit for bit.
// AVX-512 VPOPCNTDQ when targeted, AVX2 (nibble-table popcount) otherwise,
// scalar popcount last.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/scalar.hpp"
#include "qmann/kernels/simd.hpp"

namespace qmann::kernels {

/// Number of differing bits of two packed vectors of `words` words.
inline std::uint32_t xor_popcount(const std::uint64_t* a, const std::uint64_t* b,
                                  std::size_t words) noexcept {
#if defined(__AVX512VPOPCNTDQ__) && defined(__AVX512F__)
  __m512i acc = _mm512_setzero_si512();
  for (std::size_t w = 0; w < words; w += 8) {
    const auto k = static_cast<__mmask8>(words - w >= 8 ? 0xFF : (1U << (words - w)) - 1);
    const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi64(k, a + w),
                                       _mm512_maskz_loadu_epi64(k, b + w));
    acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(x));
  }
  return static_cast<std::uint32_t>(_mm512_reduce_add_epi64(acc));
#elif defined(__AVX2__)
  // Popcount of each nibble by table lookup (pshufb), bytes summed by psadbw.
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low = _mm256_set1_epi8(0x0F);
  __m256i acc = _mm256_setzero_si256();
  std::size_t w = 0;
  for (; w + 4 <= words; w += 4) {
    const __m256i x = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + w)),
                                       _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + w)));
    const __m256i counts =
        _mm256_add_epi8(_mm256_shuffle_epi8(table, _mm256_and_si256(x, low)),
                        _mm256_shuffle_epi8(table, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
    acc = _mm256_add_epi64(acc, _mm256_sad_epu8(counts, _mm256_setzero_si256()));
  }
  return static_cast<std::uint32_t>(detail::reduce_add_epi64(acc)) +
         scalar::xor_popcount(a + w, b + w, words - w);
#else
  return scalar::xor_popcount(a, b, words);
#endif
}

/// out[d] = sum_i p[i] * (bit d of row i ? -1 : +1), p in Q14: exact.
inline void read(const std::int16_t* p, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride_words, std::int32_t* out) noexcept {
#if defined(__AVX512F__)
  // Sum p over the rows whose bit is set, 16 dims per masked add: the row's
  // bits are the mask. Then out = sum p - 2 * that.
  std::int32_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += p[i];
  const __m512i vtotal = _mm512_set1_epi32(total);
  for (std::size_t d = 0; d < dim; d += 64) {
    __m512i acc0 = _mm512_setzero_si512(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t bits = rows[i * stride_words + d / 64];
      const __m512i pi = _mm512_set1_epi32(p[i]);
      acc0 = _mm512_mask_add_epi32(acc0, static_cast<__mmask16>(bits), acc0, pi);
      acc1 = _mm512_mask_add_epi32(acc1, static_cast<__mmask16>(bits >> 16), acc1, pi);
      acc2 = _mm512_mask_add_epi32(acc2, static_cast<__mmask16>(bits >> 32), acc2, pi);
      acc3 = _mm512_mask_add_epi32(acc3, static_cast<__mmask16>(bits >> 48), acc3, pi);
    }
    const __m512i acc[4] = {acc0, acc1, acc2, acc3};
    for (std::size_t b = 0; b < 4 && d + 16 * b < dim; ++b) {
      const std::size_t left = dim - d - 16 * b;
      const auto k = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1U << left) - 1);
      _mm512_mask_storeu_epi32(out + d + 16 * b, k,
                               _mm512_sub_epi32(vtotal, _mm512_slli_epi32(acc[b], 1)));
    }
  }
#else
  scalar::read(p, rows, n, dim, stride_words, out);
#endif
}

}  // namespace qmann::kernels
