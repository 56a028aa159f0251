#include <doctest/doctest.h>

#include <qmann/number/fixed.hpp>
#include <qmann/number/ostream.hpp>
#include <qmann/number/traits.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>

using qmann::fixed;
using qmann::fixed_cast;
namespace overflow = qmann::overflow;
namespace rounding = qmann::rounding;

// Storage is the smallest signed integer with W bits.
static_assert(sizeof(fixed<8, 5>) == 1);
static_assert(sizeof(fixed<2, 0>) == 1);
static_assert(sizeof(fixed<12, 4>) == 2);
static_assert(sizeof(fixed<16, 8>) == 2);
static_assert(sizeof(fixed<17, 8>) == 4);
static_assert(sizeof(fixed<32, 16>) == 4);
static_assert(sizeof(fixed<64, 32>) == 8);
static_assert(std::is_same_v<fixed<8, 5>::storage_type, std::int8_t>);
static_assert(fixed<8, 5>::int_bits == 2);
// Arithmetic is constexpr.
static_assert((fixed<8, 5>{0.5f} + fixed<8, 5>{0.25f}).raw() == 24);
static_assert(fixed_cast<fixed<8, 5>>(fixed<8, 5>{0.5f} * fixed<8, 5>{-0.5f}).raw() == -8);
static_assert(fixed<8, 5>{3.99f}.raw() == 127);  // saturates at (2^7 - 1) / 2^5

TEST_CASE("fixed: conversion from float rounds to nearest, ties away from zero") {
  using q = fixed<8, 2>;  // step 0.25
  CHECK(q{0.125f}.raw() == 1);     // tie -> away from zero
  CHECK(q{-0.125f}.raw() == -1);
  CHECK(q{0.124f}.raw() == 0);
  CHECK(q{0.376f}.raw() == 2);
  CHECK(q{-0.376f}.raw() == -2);
  CHECK(q{1.0f}.raw() == 4);
}

TEST_CASE("fixed: truncation toward zero, as the reference code") {
  using q = fixed<8, 2, overflow::saturate, rounding::truncate>;
  CHECK(q{0.49f}.raw() == 1);
  CHECK(q{-0.49f}.raw() == -1);
  CHECK(q{0.24f}.raw() == 0);
  CHECK(q{-0.24f}.raw() == 0);
}

TEST_CASE("fixed: float round trips at the edges") {
  using q = fixed<8, 5>;
  using traits = qmann::number_traits<q>;
  const float max = static_cast<float>(traits::max());
  const float lowest = static_cast<float>(traits::lowest());
  const float eps = static_cast<float>(traits::epsilon());
  CHECK(max == 127.0f / 32);
  CHECK(lowest == -4.0f);
  CHECK(eps == 1.0f / 32);
  CHECK(q{max} == traits::max());
  CHECK(q{lowest} == traits::lowest());
  CHECK(q{eps}.raw() == 1);
  CHECK(q{-eps}.raw() == -1);
  CHECK(q{eps / 2}.raw() == 1);           // half a step: tie, away from zero
  CHECK(q{eps / 2 * 0.99f}.raw() == 0);   // below half a step
  CHECK(q{max + eps}.raw() == 127);       // just past max saturates
  CHECK(q{lowest - eps}.raw() == -128);
  CHECK(q{std::numeric_limits<float>::quiet_NaN()}.raw() == 0);
  CHECK(q{-std::numeric_limits<float>::quiet_NaN()}.raw() == 0);
  CHECK(q{std::numeric_limits<float>::infinity()}.raw() == 127);
  CHECK(q{-std::numeric_limits<float>::infinity()}.raw() == -128);
  CHECK(q{std::numeric_limits<float>::max()}.raw() == 127);
  CHECK(q{std::numeric_limits<float>::denorm_min()}.raw() == 0);
  // Every 8-bit value survives float and back.
  for (int r = -128; r <= 127; ++r) {
    const q x = q::from_raw(static_cast<std::int8_t>(r));
    CHECK(q{static_cast<float>(x)} == x);
  }
}

TEST_CASE("fixed: wrapping conversion keeps the low W bits, infinities still saturate") {
  using q = fixed<8, 0, overflow::wrap>;
  CHECK(q{128.0f}.raw() == -128);
  CHECK(q{129.0f}.raw() == -127);
  CHECK(q{256.0f}.raw() == 0);
  CHECK(q{-129.0f}.raw() == 127);
  CHECK(q{std::numeric_limits<float>::infinity()}.raw() == 127);
  CHECK(q{-std::numeric_limits<float>::infinity()}.raw() == -128);
  CHECK(q{std::numeric_limits<float>::quiet_NaN()}.raw() == 0);
}

TEST_CASE("fixed: conversion from float against a reference, every format of 8 and 16 bits") {
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> dist(-300.0f, 300.0f);
  auto check_format = [&]<int W, int F>() {
    using q = fixed<W, F>;
    const double hi = std::ldexp(1.0, W - 1) - 1, lo = -std::ldexp(1.0, W - 1);
    int mismatches = 0;
    for (int i = 0; i < 2000; ++i) {
      const float x = dist(gen) / static_cast<float>(1 << (i % 9));
      double want = std::round(std::ldexp(static_cast<double>(x), F));
      want = want < lo ? lo : (want > hi ? hi : want);
      if (q{x}.raw() != static_cast<long long>(want)) ++mismatches;
    }
    INFO("W = ", W, ", F = ", F);
    CHECK(mismatches == 0);
  };
  [&]<int... F>(std::integer_sequence<int, F...>) {
    (check_format.template operator()<8, F>(), ...);
    (check_format.template operator()<16, F * 2>(), ...);
  }(std::make_integer_sequence<int, 8>{});
}

TEST_CASE("fixed: construction from integers is by value") {
  CHECK(fixed<8, 5>{1}.raw() == 32);
  CHECK(fixed<8, 5>{-4}.raw() == -128);
  CHECK(fixed<8, 5>{4}.raw() == 127);      // saturates
  CHECK(fixed<8, 5>{1000000}.raw() == 127);
  CHECK(fixed<8, 5, overflow::wrap>{4}.raw() == -128);  // 128 wraps
  CHECK(fixed<16, 0>{-40000}.raw() == -32768);
  CHECK(fixed<32, 4>{std::numeric_limits<std::uint64_t>::max()}.raw() ==
        std::numeric_limits<std::int32_t>::max());
}

TEST_CASE("fixed: saturating and wrapping add in 16 and 32 bits") {
  using s16 = fixed<16, 8>;
  using w16 = fixed<16, 8, overflow::wrap>;
  CHECK((s16::from_raw(32767) + s16::from_raw(1)).raw() == 32767);
  CHECK((w16::from_raw(32767) + w16::from_raw(1)).raw() == -32768);
  CHECK((s16::from_raw(-32768) - s16::from_raw(1)).raw() == -32768);
  CHECK((-s16::from_raw(-32768)).raw() == 32767);
  CHECK((-w16::from_raw(-32768)).raw() == -32768);
  using s32 = fixed<32, 16>;
  CHECK((s32::from_raw(2147483647) + s32::from_raw(5)).raw() == 2147483647);
  using s64 = fixed<64, 0>;
  CHECK((s64::from_raw(std::numeric_limits<std::int64_t>::max()) + s64::from_raw(1)).raw() ==
        std::numeric_limits<std::int64_t>::max());
  using w64 = fixed<64, 0, overflow::wrap>;
  CHECK((w64::from_raw(std::numeric_limits<std::int64_t>::max()) + w64::from_raw(1)).raw() ==
        std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("fixed: products of wide formats are exact and narrow back correctly") {
  std::mt19937_64 gen(11);
  using a_t = fixed<32, 16>;
  using b_t = fixed<16, 12>;
  int mismatches = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto ra = static_cast<std::int32_t>(gen());
    const auto rb = static_cast<std::int16_t>(gen());
    const auto p = a_t::from_raw(ra) * b_t::from_raw(rb);
    static_assert(std::is_same_v<decltype(p), const fixed<48, 28>>);
    if (p.raw() != static_cast<std::int64_t>(ra) * rb) ++mismatches;
    // Back to fixed<32,16>: drop 12 fractional bits, nearest, saturate.
    const long double exact = std::ldexp(static_cast<long double>(ra) * rb, -12);
    long double want = std::round(exact);
    want = std::clamp(want, -2147483648.0L, 2147483647.0L);
    if (fixed_cast<a_t>(p).raw() != static_cast<std::int64_t>(want)) ++mismatches;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("fixed_cast: widening is exact, narrowing rounds and saturates") {
  const fixed<8, 5> x{-1.40625f};  // raw -45
  CHECK(fixed_cast<fixed<16, 10>>(x).raw() == -45 * 32);
  CHECK(fixed_cast<fixed<8, 3>>(x).raw() == -11);  // -11.25 -> -11
  CHECK(fixed_cast<fixed<8, 3, overflow::saturate, rounding::truncate>>(x).raw() == -11);
  CHECK(fixed_cast<fixed<8, 2>>(fixed<8, 5>::from_raw(-4)).raw() == -1);  // -0.5 -> -1 (tie)
  CHECK(fixed_cast<fixed<8, 7>>(fixed<8, 0>{100}).raw() == 127);       // saturates
  CHECK(fixed_cast<fixed<8, 7, overflow::wrap>>(fixed<8, 0, overflow::wrap>{1}).raw() == -128);
}

TEST_CASE("fixed: comparisons and stream output") {
  using q = fixed<8, 5>;
  CHECK(q{0.5f} < q{0.75f});
  CHECK(q{-0.5f} < q{0.0f});
  CHECK(q{0.5f} == q{0.5f});
  CHECK(q{0.5f} != q{0.53125f});
  std::ostringstream s;
  s << q{-0.75f};
  CHECK(s.str() == "-0.75 (fixed<8,5> raw 0xe8)");
}

TEST_CASE("fixed: stochastic rounding is unbiased and reproducible from a seed") {
  using q = fixed<8, 0, overflow::saturate, rounding::stochastic>;
  qmann::rounding::stochastic::seed(42);
  const int n = 20000;
  long long sum = 0;
  for (int i = 0; i < n; ++i) {
    const int r = q{2.25f}.raw();
    REQUIRE((r == 2 || r == 3));
    sum += r;
  }
  const double mean = static_cast<double>(sum) / n;
  // Bernoulli(0.25): sd of the mean = sqrt(0.1875 / n) ~ 0.0031; 5 sd.
  CHECK(std::abs(mean - 2.25) < 0.016);

  long long negative_sum = 0;
  for (int i = 0; i < n; ++i) negative_sum += q{-2.25f}.raw();
  CHECK(std::abs(static_cast<double>(negative_sum) / n + 2.25) < 0.016);

  // Narrowing of a product is stochastic too: 0.75 in fixed<8,0> is 1 with p = 0.75.
  using w = fixed<8, 2, overflow::saturate, rounding::stochastic>;
  long long ones = 0;
  for (int i = 0; i < n; ++i)
    ones += fixed_cast<q>(w{1.5f} * w{0.5f}).raw();
  CHECK(std::abs(static_cast<double>(ones) / n - 0.75) < 0.016);

  // 64 roundings of 0.5 (each 0 or 1) as the bits of one word.
  auto draw = [] {
    std::uint64_t bits = 0;
    for (int i = 0; i < 64; ++i) bits = (bits << 1) | static_cast<std::uint64_t>(q{0.5f}.raw());
    return bits;
  };
  qmann::rounding::stochastic::seed(7);
  const std::uint64_t first = draw();
  qmann::rounding::stochastic::seed(7);
  CHECK(draw() == first);
  CHECK(draw() != first);
}
