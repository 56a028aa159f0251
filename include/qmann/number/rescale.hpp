// Fixed-point conversions whose format is a value, not a type: for formats
// measured on training data (MQ chooses the fractional bits F of every hop
// after training has started, so F cannot be a template argument of the
// exported model). Both round to nearest with ties away from zero and
// saturate: the default policies of qmann::fixed, and bit for bit what
// fixed<W,F>{x} and fixed_cast<fixed<W,F>> compute (tested over all formats).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "qmann/number/fixed.hpp"

namespace qmann {

/// Largest and smallest raw value of a signed `width`-bit integer (2..32).
constexpr std::int64_t raw_max(int width) noexcept { return (std::int64_t{1} << (width - 1)) - 1; }
constexpr std::int64_t raw_min(int width) noexcept { return -(std::int64_t{1} << (width - 1)); }

/// The raw value of x in fixed<width, frac> (round to nearest, ties away
/// from zero; saturate; NaN -> 0). Precondition: 2 <= width <= 32, 0 <= frac < 32.
inline std::int32_t quantize_raw(double x, int frac, int width) noexcept {
  if (x != x) return 0;
  const double scaled = x * detail::pow2(frac);  // exact: a power-of-two scale
  const double limit = static_cast<double>(raw_max(width));
  if (scaled >= limit) return static_cast<std::int32_t>(raw_max(width));
  if (scaled <= -limit - 1.0) return static_cast<std::int32_t>(raw_min(width));
  const auto whole = static_cast<std::int64_t>(scaled);  // toward zero
  const double rest = scaled - static_cast<double>(whole);
  const std::int64_t r = whole + (rest >= 0.5 ? 1 : 0) - (rest <= -0.5 ? 1 : 0);
  return static_cast<std::int32_t>(std::clamp(r, raw_min(width), raw_max(width)));
}

/// A raw value with `from` fractional bits, re-expressed with `to`
/// fractional bits in `width` bits: fixed_cast between runtime formats.
/// Preconditions: 2 <= width <= 32, 0 <= from, to < 63, and when to > from,
/// |raw| 2^(to - from) < 2^62 (true for every use in qmann: |raw| < 2^40).
constexpr std::int32_t rescale_raw(std::int64_t raw, int from, int to, int width) noexcept {
  const std::int64_t r = to >= from ? raw * (std::int64_t{1} << (to - from))
                                    : detail::shift_right_rounded<rounding::nearest>(raw, from - to);
  return static_cast<std::int32_t>(std::clamp(r, raw_min(width), raw_max(width)));
}

/// out[i] = rescale_raw(in[i], from, to, width) for i < n, written without
/// branches so that the compiler vectorizes it (the integer forward pass
/// narrows whole vectors). In: int32 or int64 raw values; Out: any signed
/// integer type that holds `width` bits. Same preconditions as rescale_raw.
/// `in` and `out` must not overlap (they are __restrict: an int8 output
/// could otherwise alias anything and stop the vectorizer).
template <class In, class Out>
void rescale_raw_n(const In* __restrict in, Out* __restrict out, std::size_t n, int from, int to,
                   int width) noexcept {
  const auto hi = static_cast<In>(raw_max(width)), lo = static_cast<In>(raw_min(width));
  if (to >= from) {
    const int shift = to - from;
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(std::clamp<In>(in[i] * (In{1} << shift), lo, hi));
    return;
  }
  const int shift = from - to;
  const In half = In{1} << (shift - 1);
  for (std::size_t i = 0; i < n; ++i) {
    // Round the magnitude (ties away from zero), then restore the sign.
    const In sign = in[i] >> (sizeof(In) * 8 - 1);  // 0 or -1
    const In magnitude = (in[i] ^ sign) - sign;
    const In rounded = (((magnitude + half) >> shift) ^ sign) - sign;
    out[i] = static_cast<Out>(std::clamp<In>(rounded, lo, hi));
  }
}

}  // namespace qmann
