// qmann::binary: a one-bit number, +1 or -1.
//
// The bit is a sign bit: 1 means -1, 0 means +1 (the same convention as the
// sign bit of two's complement, so the sign plane of a fixed-point vector is
// its binary quantization). Conversion takes the sign of its input with
// sign(0) = +1 (and NaN -> +1). The product of two +/-1 values is XNOR of
// the values, which on sign bits is XOR: that is what the packed kernels
// compute, 64 elements per word. In packed vectors the padding bits past the
// last element are 0 (+1) and never change a result.
#pragma once

#include <compare>
#include <concepts>

namespace qmann {

class binary {
 public:
  constexpr binary() noexcept = default;  // +1

  template <std::floating_point T>
  explicit constexpr binary(T x) noexcept : negative_(x < T(0)) {}

  template <std::integral T>
    requires(!std::same_as<T, bool>)
  explicit constexpr binary(T x) noexcept : negative_(x < T(0)) {}

  /// The value whose sign bit is `negative` (true: -1).
  static constexpr binary from_bit(bool negative) noexcept {
    binary b;
    b.negative_ = negative;
    return b;
  }
  /// The sign bit: true for -1.
  constexpr bool bit() const noexcept { return negative_; }
  /// +1 or -1.
  constexpr int value() const noexcept { return negative_ ? -1 : 1; }

  explicit constexpr operator float() const noexcept { return negative_ ? -1.0f : 1.0f; }
  explicit constexpr operator double() const noexcept { return negative_ ? -1.0 : 1.0; }

  /// (+1/-1) x (+1/-1): XNOR of the values, XOR of the sign bits.
  friend constexpr binary operator*(binary a, binary b) noexcept {
    return from_bit(a.negative_ != b.negative_);
  }
  friend constexpr binary operator-(binary a) noexcept { return from_bit(!a.negative_); }

  friend constexpr bool operator==(binary a, binary b) noexcept = default;
  friend constexpr std::strong_ordering operator<=>(binary a, binary b) noexcept {
    return a.value() <=> b.value();
  }

 private:
  bool negative_ = false;
};

}  // namespace qmann
