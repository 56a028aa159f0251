// Quantization schemes of a MemN2N, chosen at compile time:
//   scheme<Memory, Similarity>
// Memory is the number type of the memory vectors:
//   binary                 alpha sign(x), packed 64 per word
//   fixed<W,F> (W <= 8)    every memory in that one format (round to
//                          nearest, saturate)
//   calibrated_fixed<W>    fixed<W,F> with F measured on training data per
//                          embedded memory (MQ) or once for all, by the trainer
// Similarity is dot_similarity (the conventional quantized MANN) or
// hamming_similarity (Q-MANN's bounded similarity). The controller, the
// weight tables and the answer layer are fixed<8,F> with F measured on
// training data (memn2n_quantization says exactly what is quantized how).
//
// A scheme gives the quantization-aware training set-up (quantization()),
// and quantized_memn2n<Scheme> (quantized_memn2n.hpp) is its integer-only
// inference model with the scheme's kernels.
#pragma once

#include <concepts>
#include <string>

#include "qmann/addressing/similarity.hpp"
#include "qmann/model/memn2n_config.hpp"
#include "qmann/number/binary.hpp"
#include "qmann/number/fixed.hpp"

namespace qmann {

/// fixed<W,F> memories whose F the trainer measures on training data.
template <int W>
struct calibrated_fixed {
  static_assert(W >= 2 && W <= 8, "qmann::calibrated_fixed<W>: W must be in [2, 8]");
  static constexpr int width = W;
};

namespace detail {

template <class T>
struct scheme_memory_traits {
  static constexpr bool valid = false;
};
template <>
struct scheme_memory_traits<binary> {
  static constexpr bool valid = true, binary = true;
  static constexpr int width = 8, pinned_frac = -1;  // 8: the scale alpha
};
template <int W>
struct scheme_memory_traits<calibrated_fixed<W>> {
  static constexpr bool valid = true, binary = false;
  static constexpr int width = W, pinned_frac = -1;
};
template <int W, int F>
struct scheme_memory_traits<fixed<W, F, overflow::saturate, rounding::nearest>> {
  static constexpr bool valid = W <= 8, binary = false;
  static constexpr int width = W, pinned_frac = F;
};

}  // namespace detail

/// The number type of a scheme's memories: binary, calibrated_fixed<W> or
/// fixed<W<=8, F> with the default policies (saturate, round to nearest).
template <class T>
concept scheme_memory = detail::scheme_memory_traits<T>::valid;

/// A similarity of the integer schemes.
template <class S>
concept scheme_similarity = std::same_as<S, dot_similarity> || std::same_as<S, hamming_similarity>;

template <scheme_memory Memory, scheme_similarity Similarity>
struct scheme {
  using memory_number = Memory;
  using similarity = Similarity;
  static constexpr bool binary_memory = detail::scheme_memory_traits<Memory>::binary;
  static constexpr bool hamming = std::same_as<Similarity, hamming_similarity>;
  /// W of the memory vectors (for binary memories: of their scale alpha).
  static constexpr int memory_width = detail::scheme_memory_traits<Memory>::width;
  /// F of the memory vectors if the type fixes it, else -1 (measured).
  static constexpr int pinned_memory_frac = detail::scheme_memory_traits<Memory>::pinned_frac;

  /// The quantization-aware training set-up: the trainer's calibrate()
  /// fills in the measured formats. beta: the base-2 softmax's sharpness
  /// (Hamming schemes; dot schemes use log2(e)).
  static memn2n_quantization quantization(float beta = 1.0f) {
    memn2n_quantization q;
    q.enabled = true;
    q.similarity = hamming ? memn2n_similarity::hamming : memn2n_similarity::dot;
    q.binary_memory = binary_memory;
    q.beta = beta;
    q.memory_width = memory_width;
    q.pinned_memory_frac = pinned_memory_frac;
    if (pinned_memory_frac >= 0) q.memory_frac.fill(pinned_memory_frac);
    return q;
  }

  /// Whether a model quantized by q is of this scheme.
  static bool matches(const memn2n_quantization& q) noexcept {
    return q.enabled && (q.similarity == memn2n_similarity::hamming) == hamming &&
           q.binary_memory == binary_memory && (binary_memory || q.memory_width == memory_width);
  }
};

/// The schemes of Park et al. 2018 (babi_qa --schemes): conventional
/// quantization (dot) against Q-MANN (Hamming), 8-bit and binary.
using fixed8_dot = scheme<calibrated_fixed<8>, dot_similarity>;
using fixed8_hamming = scheme<calibrated_fixed<8>, hamming_similarity>;
using binary_dot = scheme<binary, dot_similarity>;
using binary_hamming = scheme<binary, hamming_similarity>;

}  // namespace qmann
