// Kernels on packed binary data (64 elements per word, bit 1 = -1): XOR +
// popcount for the Hamming similarity, and the read of a binary memory with
// Q14 probabilities. Exact; they match their scalar twins bit for bit.
// AVX-512 VPOPCNTDQ when targeted, AVX2 (nibble-table popcount) otherwise,
// scalar popcount last.
#pragma once

#include <algorithm>
#include <array>
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

/// out[i] = differing bits of key and row i, for n rows of `words` words,
/// `stride_words` apart.
inline void xor_popcount_rows(const std::uint64_t* key, const std::uint64_t* rows, std::size_t n,
                              std::size_t words, std::size_t stride_words,
                              std::uint32_t* out) noexcept {
#if defined(__AVX512VPOPCNTDQ__) && defined(__AVX512F__)
  // Short, densely packed rows (D <= 256): a register holds 8 / words whole
  // rows, the key repeated to match; the per-word counts of each row are
  // then summed by unpack/shuffle adds instead of one reduction per row.
  if (stride_words == words && (words == 1 || words == 2 || words == 4)) {
    __m512i pattern;
    if (words == 1) pattern = _mm512_set1_epi64(static_cast<long long>(key[0]));
    else if (words == 2) pattern = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(key)));
    else pattern = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(key)));
    auto counts = [&](std::size_t word) {
      return _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(rows + word), pattern));
    };
    std::size_t i = 0;
    for (; n - i >= 8; i += 8) {
      const std::size_t first = i * words;
      __m512i sums;  // qword lane j: the count of row i + j
      if (words == 1) {
        sums = counts(first);
      } else if (words == 2) {
        // Lane L of c0 holds row i+L, of c1 row i+4+L; adding the two words of
        // each row leaves [row i+L, row i+4+L] in 128-bit lane L.
        const __m512i c0 = counts(first), c1 = counts(first + 8);
        const __m512i t = _mm512_add_epi64(_mm512_unpacklo_epi64(c0, c1), _mm512_unpackhi_epi64(c0, c1));
        sums = _mm512_permutexvar_epi64(_mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7), t);
      } else {
        // Two rows per register: pairwise adds within 128-bit lanes, then
        // across neighbouring lanes, leave row sums in qwords 0, 1, 4, 5.
        auto pair_sums = [](__m512i c0, __m512i c1) {
          const __m512i t = _mm512_add_epi64(_mm512_unpacklo_epi64(c0, c1), _mm512_unpackhi_epi64(c0, c1));
          return _mm512_add_epi64(t, _mm512_shuffle_i64x2(t, t, _MM_SHUFFLE(2, 3, 0, 1)));
        };
        const __m512i u0 = pair_sums(counts(first), counts(first + 8));
        const __m512i u1 = pair_sums(counts(first + 16), counts(first + 24));
        sums = _mm512_permutex2var_epi64(u0, _mm512_setr_epi64(0, 4, 1, 5, 8, 12, 9, 13), u1);
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm512_cvtepi64_epi32(sums));
    }
    for (; i < n; ++i) out[i] = xor_popcount(key, rows + i * stride_words, words);
    return;
  }
  // Longer rows: eight rows at a time, each summed over its 8-word chunks
  // into one register of counts, then the eight registers are reduced
  // together by a tree of unpack/shuffle adds (21 operations for 8 rows
  // instead of a full horizontal reduction per row).
  std::size_t i = 0;
  for (; n - i >= 8; i += 8) {
    __m512i v[8];
    for (std::size_t w = 0; w < words; w += 8) {
      const auto k = static_cast<__mmask8>(words - w >= 8 ? 0xFF : (1U << (words - w)) - 1);
      const __m512i vk = _mm512_maskz_loadu_epi64(k, key + w);
      for (int r = 0; r < 8; ++r) {
        const __m512i x = _mm512_maskz_loadu_epi64(k, rows + (i + r) * stride_words + w);
        const __m512i c = _mm512_popcnt_epi64(_mm512_xor_si512(x, vk));
        v[r] = w == 0 ? c : _mm512_add_epi64(v[r], c);
      }
    }
    // Level 1: 128-bit lane L of t[j] holds [row 2j, row 2j+1] partial sums of lane L.
    __m512i t[4];
    for (int j = 0; j < 4; ++j)
      t[j] = _mm512_add_epi64(_mm512_unpacklo_epi64(v[2 * j], v[2 * j + 1]),
                              _mm512_unpackhi_epi64(v[2 * j], v[2 * j + 1]));
    // Level 2: lanes [rows 0-1 of L0+L1, rows 0-1 of L2+L3, rows 2-3 ..., ...].
    auto fold = [](__m512i a, __m512i b) {
      return _mm512_add_epi64(_mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                              _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
    };
    const __m512i u0 = fold(t[0], t[1]), u1 = fold(t[2], t[3]);
    // Level 3: qword r holds row i + r's total.
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), _mm512_cvtepi64_epi32(fold(u0, u1)));
  }
  for (; i < n; ++i) out[i] = xor_popcount(key, rows + i * stride_words, words);
#else
  for (std::size_t i = 0; i < n; ++i) out[i] = xor_popcount(key, rows + i * stride_words, words);
#endif
}

/// out[d] = sum_i p[i] * (bit d of row i ? -1 : +1), p in Q14: exact.
/// Rows with p[i] == 0 are skipped.
inline void read(const std::int16_t* p, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride_words, std::int32_t* out) noexcept {
#if defined(__AVX512BW__)
  // Sum p over the rows whose bit is set, 16 dims per masked add: the row's
  // bits are the mask. Then out = sum p - 2 * that.
  std::int32_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += p[i];
  detail::for_nonzero_weights(p, n, [&](const std::uint32_t* active, std::size_t count, bool first) {
    for (std::size_t d = 0; d < dim; d += 64) {
      __m512i acc[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                        _mm512_setzero_si512()};
      for (std::size_t j = 0; j < count; ++j) {
        const std::uint32_t i = active[j];
        const std::uint64_t bits = rows[i * stride_words + d / 64];
        const __m512i pi = _mm512_set1_epi32(p[i]);
        for (int b = 0; b < 4; ++b)
          acc[b] = _mm512_mask_add_epi32(acc[b], static_cast<__mmask16>(bits >> (16 * b)), acc[b], pi);
      }
      for (std::size_t b = 0; b < 4 && d + 16 * b < dim; ++b) {
        const std::size_t left = dim - d - 16 * b;
        const auto k = static_cast<__mmask16>(left >= 16 ? 0xFFFF : (1U << left) - 1);
        // Partial sums of set-bit weights live in `out` between chunks.
        __m512i set_sum = acc[b];
        if (!first) set_sum = _mm512_add_epi32(set_sum, _mm512_maskz_loadu_epi32(k, out + d + 16 * b));
        _mm512_mask_storeu_epi32(out + d + 16 * b, k, set_sum);
      }
    }
  });
  for (std::size_t d = 0; d < dim; ++d) out[d] = total - 2 * out[d];
#elif defined(__AVX2__)
  // Eight dims per add: a 256-entry table turns a byte of a row into eight
  // lane masks, which select p into the sums of set-bit weights.
  alignas(32) static const auto byte_masks = [] {
    std::array<std::array<std::int32_t, 8>, 256> t{};
    for (int b = 0; b < 256; ++b)
      for (int i = 0; i < 8; ++i) t[static_cast<std::size_t>(b)][static_cast<std::size_t>(i)] = (b >> i) & 1 ? -1 : 0;
    return t;
  }();
  std::int32_t total = 0;
  for (std::size_t i = 0; i < n; ++i) total += p[i];
  const std::size_t groups = dim / 8;
  detail::for_nonzero_weights(p, n, [&](const std::uint32_t* active, std::size_t count, bool first) {
    for (std::size_t g = 0; g < groups; g += 4) {  // 32 dims in four registers
      const std::size_t live = std::min<std::size_t>(4, groups - g);
      __m256i acc[4];
      for (std::size_t b = 0; b < live; ++b)
        acc[b] = first ? _mm256_setzero_si256()
                       : _mm256_loadu_si256(reinterpret_cast<const __m256i*>(out + (g + b) * 8));
      for (std::size_t j = 0; j < count; ++j) {
        const std::uint32_t i = active[j];
        const __m256i pi = _mm256_set1_epi32(p[i]);
        const auto* bytes = reinterpret_cast<const unsigned char*>(rows + i * stride_words);
        for (std::size_t b = 0; b < live; ++b) {
          const __m256i mask = _mm256_load_si256(reinterpret_cast<const __m256i*>(byte_masks[bytes[g + b]].data()));
          acc[b] = _mm256_add_epi32(acc[b], _mm256_and_si256(mask, pi));
        }
      }
      for (std::size_t b = 0; b < live; ++b)
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + (g + b) * 8), acc[b]);
    }
    for (std::size_t d = groups * 8; d < dim; ++d) {
      std::int32_t sum = first ? 0 : out[d];
      for (std::size_t j = 0; j < count; ++j)
        if ((rows[active[j] * stride_words + d / 64] >> (d % 64)) & 1U) sum += p[active[j]];
      out[d] = sum;
    }
  });
  for (std::size_t d = 0; d < dim; ++d) out[d] = total - 2 * out[d];
#else
  scalar::read(p, rows, n, dim, stride_words, out);
#endif
}

/// Signs of in[0..n) packed and as -1 / +1, returns sum |in| (see scalar::binarize).
inline std::int64_t binarize(const std::int32_t* in, std::size_t n, std::uint64_t* bits,
                             std::int8_t* signs) noexcept {
#if defined(__AVX512BW__)
  std::fill(bits, bits + (n + 63) / 64, std::uint64_t{0});
  const __m512i plus = _mm512_set1_epi32(1), minus = _mm512_set1_epi32(-1);
  std::int64_t magnitude = 0;
  for (std::size_t i = 0; i < n; i += 16) {
    const auto k = static_cast<__mmask16>(detail::tail_mask64(n - i));
    const __m512i x = _mm512_maskz_loadu_epi32(k, in + i);
    const __mmask16 negative = _mm512_cmplt_epi32_mask(x, _mm512_setzero_si512());
    bits[i / 64] |= std::uint64_t{negative} << (i % 64);
    _mm512_mask_cvtepi32_storeu_epi8(signs + i, k, _mm512_mask_blend_epi32(negative, plus, minus));
    magnitude += _mm512_reduce_add_epi32(_mm512_abs_epi32(x));  // < 16 x 2^26: no overflow
  }
  return magnitude;
#else
  return scalar::binarize(in, n, bits, signs);
#endif
}

/// out[i] = sum_d key[d] * (bit d of row i ? -1 : +1) (see scalar::dot_rows).
inline void dot_rows(const std::int8_t* key, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                     std::size_t stride_words, std::int32_t* out) noexcept {
#if defined(__AVX512BW__)
  // sum key - 2 (sum of key over set bits); the masked sum with the
  // unsigned trick: key + 128 summed by SAD, minus 128 per set bit.
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  const std::size_t words = (dim + 63) / 64;
  std::int64_t total = 0;
  for (std::size_t d = 0; d < dim; ++d) total += key[d];
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t set_sum = 0;
    for (std::size_t w = 0; w < words; ++w) {
      const __mmask64 k = detail::tail_mask64(dim - 64 * w);
      const std::uint64_t b = rows[i * stride_words + w] & k;
      const __m512i biased = _mm512_xor_si512(_mm512_maskz_loadu_epi8(k, key + 64 * w), flip);
      const __m512i sums = _mm512_sad_epu8(_mm512_maskz_mov_epi8(b, biased), _mm512_setzero_si512());
      set_sum += detail::reduce_add_epi64(sums) - 128 * std::popcount(b);
    }
    out[i] = static_cast<std::int32_t>(total - 2 * set_sum);
  }
#else
  scalar::dot_rows(key, rows, n, dim, stride_words, out);
#endif
}

/// out[d] = sum_i w[i] * (bit d of row i ? -1 : +1), int32 weights (see
/// scalar::read). Rows with w[i] == 0 are skipped.
inline void read(const std::int32_t* w, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                 std::size_t stride_words, std::int32_t* out) noexcept {
#if defined(__AVX512BW__)
  // Per 16 dims: add w, subtract it where the row's bit is set (the mask).
  for (std::size_t d = 0; d < dim; d += 16) {
    const auto k = static_cast<__mmask16>(detail::tail_mask64(dim - d));
    __m512i acc = _mm512_setzero_si512();
    for (std::size_t i = 0; i < n; ++i) {
      if (w[i] == 0) continue;
      const __m512i wi = _mm512_set1_epi32(w[i]);
      const auto set = static_cast<__mmask16>(rows[i * stride_words + d / 64] >> (d % 64));
      acc = _mm512_mask_sub_epi32(_mm512_add_epi32(acc, wi), set, acc, wi);
    }
    _mm512_mask_storeu_epi32(out + d, k, acc);
  }
#else
  scalar::read(w, rows, n, dim, stride_words, out);
#endif
}

}  // namespace qmann::kernels
