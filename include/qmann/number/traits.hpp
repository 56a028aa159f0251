// number_traits<T> and the `number` concept: what every template of qmann
// that stores or computes values requires of its number type.
//
// A number type T (float, fixed<W,F,...>, binary) says through its traits:
//   storage               the unit in which containers keep values (float,
//                         the raw integer of a fixed, a 64-bit word of bits)
//   elements_per_storage  1, or 64 for binary (bit i of word w is element 64w+i)
//   accumulator           the type that kernels sum products in (raw units)
//   bits                  bits of one element
//   quantize(float)       the nearest T by T's own rounding and overflow rules
//   to_float(T)           its value as float
//   load(p, i) / store(p, i, v)   element i of a storage array
//   lowest() / max()      the most negative and the largest value
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "qmann/number/binary.hpp"
#include "qmann/number/fixed.hpp"

namespace qmann {

/// Specialize for a new number type; the primary template is left undefined
/// so that a type without traits is not a `number`.
template <class T>
struct number_traits;

template <>
struct number_traits<float> {
  using storage = float;
  using accumulator = float;
  static constexpr int bits = 32;
  static constexpr std::size_t elements_per_storage = 1;

  static constexpr float quantize(float x) noexcept { return x; }
  static constexpr float to_float(float x) noexcept { return x; }
  static constexpr float load(const storage* p, std::size_t i) noexcept { return p[i]; }
  static constexpr void store(storage* p, std::size_t i, float v) noexcept { p[i] = v; }
  static constexpr float lowest() noexcept { return std::numeric_limits<float>::lowest(); }
  static constexpr float max() noexcept { return std::numeric_limits<float>::max(); }
  /// The distance from 1 to the next float (as std::numeric_limits).
  static constexpr float epsilon() noexcept { return std::numeric_limits<float>::epsilon(); }
};

template <int W, int F, class O, class R>
struct number_traits<fixed<W, F, O, R>> {
  using value_type = fixed<W, F, O, R>;
  using storage = typename value_type::storage_type;
  /// Sums of products in raw units. For W <= 8 an int32 holds 2^16 products
  /// of the worst case (-2^7)^2 = 2^14; wider formats sum in int64.
  using accumulator = std::conditional_t<(W <= 8), std::int32_t, std::int64_t>;
  static constexpr int bits = W;
  static constexpr std::size_t elements_per_storage = 1;

  static constexpr value_type quantize(float x) noexcept { return value_type{x}; }
  static constexpr float to_float(value_type x) noexcept { return static_cast<float>(x); }
  static constexpr value_type load(const storage* p, std::size_t i) noexcept {
    return value_type::from_raw(p[i]);
  }
  static constexpr void store(storage* p, std::size_t i, value_type v) noexcept { p[i] = v.raw(); }
  static constexpr value_type lowest() noexcept { return value_type::from_raw(value_type::raw_min); }
  static constexpr value_type max() noexcept { return value_type::from_raw(value_type::raw_max); }
  /// The smallest positive value, 2^-F: one step of the format.
  static constexpr value_type epsilon() noexcept { return value_type::from_raw(1); }
};

template <>
struct number_traits<binary> {
  using storage = std::uint64_t;
  /// Binary sums are counts of matching bits: D - 2 * popcount fits int32.
  using accumulator = std::int32_t;
  static constexpr int bits = 1;
  static constexpr std::size_t elements_per_storage = 64;

  static constexpr binary quantize(float x) noexcept { return binary{x}; }
  static constexpr float to_float(binary x) noexcept { return static_cast<float>(x); }
  static constexpr binary load(const storage* p, std::size_t i) noexcept {
    return binary::from_bit(((p[i / 64] >> (i % 64)) & 1U) != 0);
  }
  static constexpr void store(storage* p, std::size_t i, binary v) noexcept {
    const storage mask = storage{1} << (i % 64);
    p[i / 64] = v.bit() ? (p[i / 64] | mask) : (p[i / 64] & ~mask);
  }
  static constexpr binary lowest() noexcept { return binary::from_bit(true); }
  static constexpr binary max() noexcept { return binary::from_bit(false); }
};

/// A type that qmann can store and compute in: float, fixed<W,F,...>, binary,
/// or a user type with a complete number_traits specialization.
template <class T>
concept number = std::regular<T> && requires(float f, T x, typename number_traits<T>::storage* p,
                                             const typename number_traits<T>::storage* cp,
                                             std::size_t i) {
  typename number_traits<T>::accumulator;
  { number_traits<T>::bits } -> std::convertible_to<int>;
  { number_traits<T>::elements_per_storage } -> std::convertible_to<std::size_t>;
  { number_traits<T>::quantize(f) } -> std::same_as<T>;
  { number_traits<T>::to_float(x) } -> std::same_as<float>;
  { number_traits<T>::load(cp, i) } -> std::same_as<T>;
  number_traits<T>::store(p, i, x);
  { number_traits<T>::lowest() } -> std::same_as<T>;
  { number_traits<T>::max() } -> std::same_as<T>;
};

/// The T nearest to x by T's rounding and overflow rules.
template <number T>
constexpr T quantize(float x) noexcept {
  return number_traits<T>::quantize(x);
}

template <number T>
constexpr float to_float(T x) noexcept {
  return number_traits<T>::to_float(x);
}

}  // namespace qmann
