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

/// An integer similarity score: a binary or fixed<32,0> count.
using count_score = fixed<32, 0>;

struct dot_similarity {
  template <class T>
  struct score_of;
  template <class T>
  using score_type = typename score_of<T>::type;

  template <number T>
  static score_type<T> score(const storage_t<T>* key, const storage_t<T>* row,
                             std::size_t dim) noexcept {
    if constexpr (std::same_as<T, float>) {
      return kernels::dot(key, row, dim);
    } else if constexpr (std::same_as<T, binary>) {
      const auto differing = kernels::xor_popcount(key, row, storage_units<binary>(dim));
      return count_score::from_raw(static_cast<std::int32_t>(dim) - 2 * static_cast<std::int32_t>(differing));
    } else {
      // Exact in int32 with 2F fractional bits, then narrowed by T's policies.
      using wide = fixed<32, 2 * T::frac_bits, typename T::overflow_type, typename T::rounding_type>;
      return fixed_cast<T>(wide::from_raw(kernels::dot(key, row, dim)));
    }
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
  static float score(const float* key, const float* row, std::size_t dim) noexcept {
    const float norms = kernels::squared_norm(key, dim) * kernels::squared_norm(row, dim);
    return norms > 0.0f ? kernels::dot(key, row, dim) / std::sqrt(norms) : 0.0f;
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
  static score_type<T> score(const storage_t<T>* key, const storage_t<T>* row,
                             std::size_t dim) noexcept {
    if constexpr (std::same_as<T, binary>) {
      const auto differing = kernels::xor_popcount(key, row, storage_units<binary>(dim));
      return count_score::from_raw(static_cast<std::int32_t>(dim - differing));
    } else {
      return score_type<T>::from_raw(kernels::weighted_hamming<T::word_bits>(key, row, dim));
    }
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
    number<T> && requires(const storage_t<T>* key, const storage_t<T>* row, std::size_t dim) {
      typename S::template score_type<T>;
      { S::template score<T>(key, row, dim) } -> std::same_as<typename S::template score_type<T>>;
    };

}  // namespace qmann
