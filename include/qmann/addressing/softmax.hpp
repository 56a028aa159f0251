// Softmaxes of content-based addressing: scores to weights that sum to one.
//
//   exp_softmax    p_i = exp(beta (s_i - max)) / sum, in float (max-subtracted,
//                  stable for every finite score). Takes float or fixed scores
//                  (fixed ones are converted, as the conventional quantized
//                  MANN does).
//   base2_softmax  p_i ~ 2^(beta (s_i - max)) / sum with no float at all:
//                  a shift for the integer part of the exponent, two 32-entry
//                  tables for its fraction (kernels::scalar::softmax_base2).
//                  Takes fixed-point scores; weights are fixed<16,14>
//                  (1.0 = 16384), |sum - 1| <= (N/2 + 1) 2^-14.
// beta is the sharpening factor: larger beta, sharper focus. Base 2 instead of
// e only rescales beta (2^x = e^(x ln 2)).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/float.hpp"
#include "qmann/number/traits.hpp"

namespace qmann {

/// Weights of the integer addressing path: Q14, 1.0 = 16384.
using probability = fixed<16, kernels::probability_frac_bits>;

struct exp_softmax {
  using probability_type = float;
  float beta = 1.0f;

  /// p[i] from float scores.
  void operator()(float* scores_in_p_out, std::size_t n) const noexcept {
    kernels::softmax(scores_in_p_out, n, beta);
  }
};

struct base2_softmax {
  using probability_type = probability;
  /// Sharpening factor, raw with kernels::beta_frac_bits (1.0 by default).
  fixed<16, kernels::beta_frac_bits> beta{1.0f};

  base2_softmax() = default;
  /// Throws std::invalid_argument for beta <= 0.
  explicit base2_softmax(fixed<16, kernels::beta_frac_bits> b) : beta(b) {
    if (b.raw() <= 0)
      throw std::invalid_argument("qmann::base2_softmax: beta must be > 0, got " +
                                  std::to_string(static_cast<double>(b)));
  }

  /// p (raw Q14) from raw int32 scores with `frac` fractional bits.
  /// Precondition: 1 <= n <= kernels::softmax_base2_max_size.
  void operator()(const std::int32_t* scores, std::size_t n, int frac,
                  std::int16_t* p) const noexcept {
    kernels::softmax_base2(scores, n, frac, static_cast<std::uint16_t>(beta.raw()), p);
  }
};

}  // namespace qmann
