// qmann::fixed<W, F, Overflow, Rounding>: signed two's-complement fixed point.
//
// A value is raw * 2^-F, raw a W-bit signed integer held in the smallest
// standard signed integer type with at least W bits (sizeof(fixed<8,5>) == 1).
// What it does:
//   - explicit conversion from and to float (and double, and integers by
//     value), rounding by `Rounding` and handling overflow by `Overflow`;
//     NaN becomes 0, +/-inf saturate whatever the overflow policy;
//   - + and - in the same format, saturating or wrapping;
//   - * of any two formats with the same policies gives the exact product in
//     fixed<W1+W2, F1+F2>; getting back to a narrow format is an explicit
//     `fixed_cast<To>(x)`, which rounds and overflows by To's policies;
//   - comparisons within one format.
// What it does not do: implicit conversions of any kind, mixed-format + or -,
// division. Those are places where precision silently disappears; here the
// caller must say `fixed_cast` and pick the format.
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "qmann/number/policies.hpp"

namespace qmann {

namespace detail {

template <int W>
using fixed_storage_t = std::conditional_t<
    (W <= 8), std::int8_t,
    std::conditional_t<(W <= 16), std::int16_t,
                       std::conditional_t<(W <= 32), std::int32_t, std::int64_t>>>;

template <int W>
inline constexpr std::int64_t raw_max_v =
    W == 64 ? std::numeric_limits<std::int64_t>::max()
            : static_cast<std::int64_t>((std::uint64_t{1} << (W - 1)) - 1);
template <int W>
inline constexpr std::int64_t raw_min_v = -raw_max_v<W> - 1;

/// Brings an integer into W-bit two's-complement range by policy O.
template <int W, class O>
constexpr std::int64_t fit_bits(std::int64_t v) noexcept {
  if constexpr (W == 64) {
    return v;
  } else if constexpr (std::same_as<O, overflow::saturate>) {
    return v < raw_min_v<W> ? raw_min_v<W> : (v > raw_max_v<W> ? raw_max_v<W> : v);
  } else {
    constexpr std::uint64_t mask = (std::uint64_t{1} << W) - 1;
    constexpr std::uint64_t sign = std::uint64_t{1} << (W - 1);
    std::uint64_t u = static_cast<std::uint64_t>(v) & mask;
    if (u & sign) u |= ~mask;  // sign-extend the low W bits
    return static_cast<std::int64_t>(u);
  }
}

/// a + b in W bits by policy O (the int64 sum itself can only overflow at W = 64).
template <int W, class O>
constexpr std::int64_t add_bits(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r) && std::same_as<O, overflow::saturate>)
    return a < 0 ? raw_min_v<64> : raw_max_v<64>;
  return fit_bits<W, O>(r);
}

template <int W, class O>
constexpr std::int64_t sub_bits(std::int64_t a, std::int64_t b) noexcept {
  std::int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r) && std::same_as<O, overflow::saturate>)
    return a < 0 ? raw_min_v<64> : raw_max_v<64>;
  return fit_bits<W, O>(r);
}

/// v * 2^s (s >= 0) in W bits by policy O.
template <int W, class O>
constexpr std::int64_t shift_left_bits(std::int64_t v, int s) noexcept {
  if (s == 0) return fit_bits<W, O>(v);
  const bool overflows = s >= 63 || v > (raw_max_v<64> >> s) || v < (raw_min_v<64> >> s);
  if (overflows && std::same_as<O, overflow::saturate>)
    return v == 0 ? 0 : (v < 0 ? raw_min_v<W> : raw_max_v<W>);
  // Wrap: the low 64 bits of the shifted value are exact, so its low W bits are too.
  return fit_bits<W, O>(
      static_cast<std::int64_t>(s >= 64 ? 0 : static_cast<std::uint64_t>(v) << s));
}

/// v / 2^s (0 <= s < 64), rounded by policy R. Exact in integers.
template <class R>
constexpr std::int64_t shift_right_rounded(std::int64_t v, int s) noexcept {
  if (s == 0) return v;
  if constexpr (std::same_as<R, rounding::stochastic>) {
    const std::int64_t down = v >> s;  // floor (arithmetic shift)
    const std::uint64_t dropped =
        static_cast<std::uint64_t>(v) - (static_cast<std::uint64_t>(down) << s);
    const std::uint64_t draw = stochastic_source().next() >> (64 - s);  // uniform in [0, 2^s)
    return down + (draw < dropped ? 1 : 0);
  } else {
    // Work on the magnitude so that both policies are symmetric about zero.
    std::uint64_t mag = v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v)
                              : static_cast<std::uint64_t>(v);
    if constexpr (std::same_as<R, rounding::nearest>)
      mag = (mag >> s) + ((mag >> (s - 1)) & 1U);  // ties away from zero
    else
      mag >>= s;  // truncate toward zero
    return v < 0 ? -static_cast<std::int64_t>(mag) : static_cast<std::int64_t>(mag);
  }
}

constexpr double pow2(int e) noexcept {
  double p = 1.0;
  for (; e > 0; --e) p *= 2.0;
  for (; e < 0; ++e) p *= 0.5;
  return p;
}

/// The raw W-bit integer nearest (by R) to x * 2^F, overflowing by O.
/// NaN -> 0. Values beyond the int64 range (and +/-inf) saturate under
/// either policy: wrapping is defined on integers, not on infinities.
template <int W, int F, class O, class R>
constexpr std::int64_t raw_from_double(double x) noexcept {
  if (x != x) return 0;
  const double scaled = x * pow2(F);  // exact: a power-of-two scale
  constexpr double two63 = 9223372036854775808.0;
  if (!(scaled < two63)) return fit_bits<W, overflow::saturate>(raw_max_v<64>);
  if (scaled < -two63) return fit_bits<W, overflow::saturate>(raw_min_v<64>);
  const auto whole = static_cast<std::int64_t>(scaled);  // toward zero
  const double frac = scaled - static_cast<double>(whole);  // exact, in (-1, 1)
  std::int64_t r = whole;
  if constexpr (std::same_as<R, rounding::nearest>) {
    if (frac >= 0.5) ++r;
    if (frac <= -0.5) --r;
  } else if constexpr (std::same_as<R, rounding::stochastic>) {
    const std::int64_t down = frac < 0 ? whole - 1 : whole;
    const double up_probability = frac < 0 ? frac + 1.0 : frac;
    const double draw = static_cast<double>(stochastic_source().next() >> 11) * pow2(-53);
    r = down + (draw < up_probability ? 1 : 0);
  }
  return fit_bits<W, O>(r);
}

}  // namespace detail

template <int W, int F, class Overflow = overflow::saturate, class Rounding = rounding::nearest>
class fixed {
  static_assert(W >= 2 && W <= 64, "qmann::fixed<W, F>: W (total bits) must be in [2, 64]");
  static_assert(F >= 0 && F < W, "qmann::fixed<W, F>: F (fractional bits) must be in [0, W)");
  static_assert(overflow_policy<Overflow>,
                "qmann::fixed: Overflow must be qmann::overflow::saturate or ::wrap");
  static_assert(rounding_policy<Rounding>,
                "qmann::fixed: Rounding must be qmann::rounding::nearest, ::truncate or "
                "::stochastic");

 public:
  using storage_type = detail::fixed_storage_t<W>;
  using overflow_type = Overflow;
  using rounding_type = Rounding;
  static constexpr int word_bits = W;
  static constexpr int frac_bits = F;
  static constexpr int int_bits = W - 1 - F;  // bits left of the point, sign excluded
  static constexpr storage_type raw_max = static_cast<storage_type>(detail::raw_max_v<W>);
  static constexpr storage_type raw_min = static_cast<storage_type>(detail::raw_min_v<W>);

  constexpr fixed() noexcept = default;

  /// Rounds x * 2^F by Rounding, overflows by Overflow; NaN -> 0, inf saturates.
  template <std::floating_point T>
  explicit constexpr fixed(T x) noexcept
      : raw_(static_cast<storage_type>(
            detail::raw_from_double<W, F, Overflow, Rounding>(static_cast<double>(x)))) {}

  /// The integer value x (not raw bits: see from_raw), overflowing by Overflow.
  template <std::integral T>
    requires(!std::same_as<T, bool>)
  explicit constexpr fixed(T x) noexcept
      : raw_(static_cast<storage_type>(detail::shift_left_bits<W, Overflow>(clamp_to_int64(x), F))) {}

  /// The value whose two's-complement bits are `raw`.
  static constexpr fixed from_raw(storage_type raw) noexcept {
    fixed f;
    f.raw_ = raw;
    return f;
  }
  constexpr storage_type raw() const noexcept { return raw_; }

  explicit constexpr operator double() const noexcept {
    return static_cast<double>(raw_) * detail::pow2(-F);
  }
  /// Exact for W <= 24; rounded to nearest float otherwise.
  explicit constexpr operator float() const noexcept {
    return static_cast<float>(static_cast<double>(*this));
  }

  friend constexpr fixed operator+(fixed a, fixed b) noexcept {
    return from_raw(static_cast<storage_type>(detail::add_bits<W, Overflow>(a.raw_, b.raw_)));
  }
  friend constexpr fixed operator-(fixed a, fixed b) noexcept {
    return from_raw(static_cast<storage_type>(detail::sub_bits<W, Overflow>(a.raw_, b.raw_)));
  }
  /// -min saturates to max (saturate) or stays min (wrap).
  friend constexpr fixed operator-(fixed a) noexcept { return fixed{} - a; }
  friend constexpr fixed operator+(fixed a) noexcept { return a; }
  constexpr fixed& operator+=(fixed b) noexcept { return *this = *this + b; }
  constexpr fixed& operator-=(fixed b) noexcept { return *this = *this - b; }

  friend constexpr bool operator==(fixed, fixed) noexcept = default;
  friend constexpr auto operator<=>(fixed, fixed) noexcept = default;

 private:
  template <std::integral T>
  static constexpr std::int64_t clamp_to_int64(T x) noexcept {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t))
      if (x > static_cast<T>(detail::raw_max_v<64>)) return detail::raw_max_v<64>;
    return static_cast<std::int64_t>(x);
  }

  storage_type raw_{};
};

template <class T>
struct is_fixed_point : std::false_type {};
template <int W, int F, class O, class R>
struct is_fixed_point<fixed<W, F, O, R>> : std::true_type {};
template <class T>
inline constexpr bool is_fixed_point_v = is_fixed_point<std::remove_cv_t<T>>::value;

/// Exact product: raw_a * raw_b fits W1 + W2 bits and has F1 + F2 fractional bits.
template <int W1, int F1, int W2, int F2, class O, class R>
  requires(W1 + W2 <= 64)
constexpr fixed<W1 + W2, F1 + F2, O, R> operator*(fixed<W1, F1, O, R> a,
                                                  fixed<W2, F2, O, R> b) noexcept {
  using result = fixed<W1 + W2, F1 + F2, O, R>;
  return result::from_raw(static_cast<typename result::storage_type>(
      static_cast<std::int64_t>(a.raw()) * static_cast<std::int64_t>(b.raw())));
}

/// Converts between fixed formats: fractional bits dropped are rounded by
/// To's rounding policy, and a value out of To's range overflows by To's
/// overflow policy. Widening conversions are exact.
template <class To, int W, int F, class O, class R>
  requires is_fixed_point_v<To>
constexpr To fixed_cast(fixed<W, F, O, R> x) noexcept {
  constexpr int shift = F - To::frac_bits;
  std::int64_t raw = x.raw();
  if constexpr (shift > 0)
    raw = detail::fit_bits<To::word_bits, typename To::overflow_type>(
        detail::shift_right_rounded<typename To::rounding_type>(raw, shift));
  else
    raw = detail::shift_left_bits<To::word_bits, typename To::overflow_type>(raw, -shift);
  return To::from_raw(static_cast<typename To::storage_type>(raw));
}

}  // namespace qmann
