// Similarities of content-based addressing: how well a key matches one
// memory slot. Each is a type that content_addressing takes; each says for
// every number type T what its score is (score_type<T>) and computes it
// from T's storage with the kernels of that type.
//
//   dot_similarity      float: sum k_i m_i (unbounded)
//                       fixed<W<=8,F>: the exact sum, narrowed to fixed<W,F>
//                         by the type's rounding and overflow policy. This is
//                         the "conventional" quantized path that Park et al.
//                         show failing: the sum leaves the 8-bit range and
//                         saturates (or wraps), and ranking is lost.
//                       binary: D - 2 popcount(k xor m), in [-D, D]
//   cosine_similarity   float only: k.m / (|k| |m|), in [-1, 1] (0 if a norm is 0)
//   hamming_similarity  binary: D - popcount(k xor m), in [0, D]
//                       fixed<W<=8,F>: Q-MANN's Hamming similarity with
//                         weighted bits (kernels::scalar::weighted_hamming_term),
//                         sum over D elements in units of 2^-(W-1), as
//                         fixed<32, W-1>: in [-D (1 - 2^-(W-1)), D (1 - 2^-(W-1))],
//                         bounded, so an int32 holds it for D < 2^24.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "qmann/container/vector.hpp"
#include "qmann/kernels/binary.hpp"
#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/float.hpp"
#include "qmann/number/traits.hpp"

namespace qmann {

template <class T>
using storage_t = typename number_traits<T>::storage;

namespace detail {
template <class T>
inline constexpr bool is_fixed8_v = false;
template <int W, int F, class O, class R>
inline constexpr bool is_fixed8_v<fixed<W, F, O, R>> = (W <= 8);
}  // namespace detail

/// An integer similarity score: a count, as fixed<32,0>.
using count_score = fixed<32, 0>;

/// What the row kernels write per slot: float for float scores, the raw
/// int32 of a fixed-point score otherwise.
template <class Score>
using raw_score_t = std::conditional_t<std::same_as<Score, float>, float, std::int32_t>;

namespace detail {

/// score() of one pair through a similarity's score_rows.
template <class S, class T>
typename S::template score_type<T> score_one(const storage_t<T>* key, const storage_t<T>* row,
                                             std::size_t dim) noexcept {
  using score = typename S::template score_type<T>;
  raw_score_t<score> raw{};
  S::template score_rows<T>(key, row, 1, dim, storage_units<T>(dim), &raw);
  if constexpr (std::same_as<score, float>)
    return raw;
  else
    return score::from_raw(static_cast<typename score::storage_type>(raw));
}

}  // namespace detail

struct dot_similarity {
  template <class T>
  struct score_of;
  template <class T>
  using score_type = typename score_of<T>::type;

  /// out[i] = score of row i (rows `stride` storage units apart), raw.
  template <number T>
  static void score_rows(const storage_t<T>* key, const storage_t<T>* rows, std::size_t n,
                         std::size_t dim, std::size_t stride,
                         raw_score_t<score_type<T>>* out) noexcept {
    if constexpr (std::same_as<T, float>) {
      kernels::dot_rows(key, rows, n, dim, stride, out);
    } else if constexpr (std::same_as<T, binary>) {
      auto* differing = reinterpret_cast<std::uint32_t*>(out);  // same size, read before written
      kernels::xor_popcount_rows(key, rows, n, storage_units<binary>(dim), stride, differing);
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::int32_t>(dim) - 2 * static_cast<std::int32_t>(differing[i]);
    } else {
      // Exact in int32 with 2F fractional bits, then narrowed by T's policies.
      using wide = fixed<32, 2 * T::frac_bits, typename T::overflow_type, typename T::rounding_type>;
      kernels::dot_rows(key, rows, n, dim, stride, out);
      for (std::size_t i = 0; i < n; ++i) out[i] = fixed_cast<T>(wide::from_raw(out[i])).raw();
    }
  }

  template <number T>
  static score_type<T> score(const storage_t<T>* key, const storage_t<T>* row, std::size_t dim) noexcept {
    return detail::score_one<dot_similarity, T>(key, row, dim);
  }
};
template <>
struct dot_similarity::score_of<float> { using type = float; };
template <>
struct dot_similarity::score_of<binary> { using type = count_score; };
template <int W, int F, class O, class R>
struct dot_similarity::score_of<fixed<W, F, O, R>> {
  static_assert(W <= 8, "dot_similarity: fixed-point memories of at most 8 bits");
  using type = fixed<W, F, O, R>;
};

struct cosine_similarity {
  template <class T>
  struct score_of {
    static_assert(std::same_as<T, float>, "cosine_similarity: float memories only");
    using type = float;
  };
  template <class T>
  using score_type = typename score_of<T>::type;

  template <number T>
  static void score_rows(const float* key, const float* rows, std::size_t n, std::size_t dim,
                         std::size_t stride, float* out) noexcept {
    const float key_norm = kernels::squared_norm(key, dim);
    kernels::dot_rows(key, rows, n, dim, stride, out);
    for (std::size_t i = 0; i < n; ++i) {
      const float norms = key_norm * kernels::squared_norm(rows + i * stride, dim);
      out[i] = norms > 0.0f ? out[i] / std::sqrt(norms) : 0.0f;
    }
  }

  template <number T>
  static float score(const float* key, const float* row, std::size_t dim) noexcept {
    return detail::score_one<cosine_similarity, T>(key, row, dim);
  }
};

struct hamming_similarity {
  template <class T>
  struct score_of {
    static_assert(!std::same_as<T, float>,
                  "hamming_similarity: binary or fixed-point memories (a float has no bits to weigh)");
  };
  template <class T>
  using score_type = typename score_of<T>::type;

  template <number T>
  static void score_rows(const storage_t<T>* key, const storage_t<T>* rows, std::size_t n,
                         std::size_t dim, std::size_t stride, std::int32_t* out) noexcept {
    if constexpr (std::same_as<T, binary>) {
      auto* differing = reinterpret_cast<std::uint32_t*>(out);
      kernels::xor_popcount_rows(key, rows, n, storage_units<binary>(dim), stride, differing);
      for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::int32_t>(dim) - static_cast<std::int32_t>(differing[i]);
    } else {
      kernels::weighted_hamming_rows<T::word_bits>(key, rows, n, dim, stride, out);
    }
  }

  template <number T>
  static score_type<T> score(const storage_t<T>* key, const storage_t<T>* row, std::size_t dim) noexcept {
    return detail::score_one<hamming_similarity, T>(key, row, dim);
  }
};
template <>
struct hamming_similarity::score_of<binary> { using type = count_score; };
template <int W, int F, class O, class R>
struct hamming_similarity::score_of<fixed<W, F, O, R>> {
  static_assert(W <= 8, "hamming_similarity: fixed-point memories of at most 8 bits");
  using type = fixed<32, W - 1>;
};

/// S scores keys against slots of a memory of T.
template <class S, class T>
concept similarity_for =
    number<T> && requires(const storage_t<T>* key, const storage_t<T>* rows, std::size_t n,
                          raw_score_t<typename S::template score_type<T>>* out) {
      S::template score_rows<T>(key, rows, n, n, n, out);
      { S::template score<T>(key, rows, n) } -> std::same_as<typename S::template score_type<T>>;
    };

}  // namespace qmann
