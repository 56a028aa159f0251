// Overflow and rounding policies of qmann::fixed.
//
// Policies are empty tag types (as CNL composes its scaled_integer): a fixed
// type names its behaviour in its type, so a saturating and a wrapping
// fixed<8,5> are different types and cannot be mixed by accident.
#pragma once

#include <concepts>
#include <cstdint>

namespace qmann {

namespace overflow {

/// Out-of-range results clamp to the nearest representable value
/// (two's-complement range: [-2^(W-1), 2^(W-1) - 1] raw).
struct saturate {};

/// Out-of-range results keep their low W bits (two's-complement wrap-around),
/// as plain integer hardware does. Exists so that the failure of
/// conventionally quantized addressing can be shown, not hidden.
struct wrap {};

}  // namespace overflow

namespace rounding {

/// Round to nearest, ties away from zero (the same rule for float conversion
/// and for dropping fractional bits).
struct nearest {};

/// Truncate toward zero, as the Q-MANN reference code does.
struct truncate {};

/// Round down or up at random, up with probability equal to the dropped
/// fraction, so the rounding is unbiased in expectation. Draws from a
/// per-thread generator; seed it with `stochastic::seed` for reproducible runs.
struct stochastic {
  static void seed(std::uint64_t s) noexcept;
};

}  // namespace rounding

template <class P>
concept overflow_policy =
    std::same_as<P, overflow::saturate> || std::same_as<P, overflow::wrap>;

template <class P>
concept rounding_policy = std::same_as<P, rounding::nearest> ||
                          std::same_as<P, rounding::truncate> ||
                          std::same_as<P, rounding::stochastic>;

namespace detail {

/// splitmix64: small, fast, and good enough to draw rounding offsets.
struct splitmix64 {
  std::uint64_t state;
  constexpr std::uint64_t next() noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
};

inline splitmix64& stochastic_source() noexcept {
  thread_local splitmix64 source{0x5EEDULL};
  return source;
}

}  // namespace detail

inline void rounding::stochastic::seed(std::uint64_t s) noexcept {
  detail::stochastic_source().state = s;
}

}  // namespace qmann
