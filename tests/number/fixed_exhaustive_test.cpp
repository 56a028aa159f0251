// Every pair of 8-bit fixed values, for every F in [0, 8) and both overflow
// policies: +, -, * and narrowing of the product, against an integer (or
// exactly representable double) reference written independently of fixed.hpp.
#include <doctest/doctest.h>

#include <qmann/number/fixed.hpp>
#include <qmann/number/ostream.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <utility>

namespace {

// Brings an integer into int8 range: clamp, or keep the low 8 bits.
template <class O>
int fit8(long long v) {
  if constexpr (std::is_same_v<O, qmann::overflow::saturate>) {
    return v < -128 ? -128 : (v > 127 ? 127 : static_cast<int>(v));
  } else {
    long long m = ((v % 256) + 256) % 256;
    return static_cast<int>(m >= 128 ? m - 256 : m);
  }
}

// Counts mismatches, keeps the first for the report.
struct tally {
  long long mismatches = 0;
  std::string first;
  template <class A, class B>
  void check(bool ok, const char* op, A a, B b, long long got, long long want) {
    if (ok) return;
    if (mismatches++ == 0) {
      std::ostringstream s;
      s << op << " of " << a << " and " << b << ": got raw " << got << ", want raw " << want;
      first = s.str();
    }
  }
};

template <int F, class O, class R>
void check_all_pairs() {
  using q = qmann::fixed<8, F, O, R>;
  tally t;
  for (int ra = -128; ra <= 127; ++ra) {
    for (int rb = -128; rb <= 127; ++rb) {
      const q a = q::from_raw(static_cast<std::int8_t>(ra));
      const q b = q::from_raw(static_cast<std::int8_t>(rb));

      const int sum = (a + b).raw();
      t.check(sum == fit8<O>(ra + rb), "+", a, b, sum, fit8<O>(ra + rb));
      const int diff = (a - b).raw();
      t.check(diff == fit8<O>(ra - rb), "-", a, b, diff, fit8<O>(ra - rb));

      // The product is exact and wide: 16 bits, 2F fractional.
      const auto p = a * b;
      static_assert(std::is_same_v<decltype(p), const qmann::fixed<16, 2 * F, O, R>>);
      t.check(p.raw() == ra * rb, "*", a, b, p.raw(), ra * rb);

      // Narrowing back to 8 bits: value ra*rb / 2^F rounded by R, then O.
      const double exact = std::ldexp(static_cast<double>(ra) * rb, -F);
      const double rounded =
          std::is_same_v<R, qmann::rounding::nearest> ? std::round(exact) : std::trunc(exact);
      const int want = fit8<O>(static_cast<long long>(rounded));
      const int narrow = qmann::fixed_cast<q>(p).raw();
      t.check(narrow == want, "narrow(*)", a, b, narrow, want);
    }
    // Negation is 0 - a.
    const q a = q::from_raw(static_cast<std::int8_t>(ra));
    t.check((-a).raw() == fit8<O>(-ra), "negate", a, a, (-a).raw(), fit8<O>(-ra));
  }
  INFO("F = ", F, ": first mismatch: ", t.first);
  CHECK(t.mismatches == 0);
}

template <class O, class R, int... F>
void check_every_format(std::integer_sequence<int, F...>) {
  (check_all_pairs<F, O, R>(), ...);
}

}  // namespace

TEST_CASE("fixed<8,F>: every pair, saturating, rounding to nearest") {
  check_every_format<qmann::overflow::saturate, qmann::rounding::nearest>(
      std::make_integer_sequence<int, 8>{});
}

TEST_CASE("fixed<8,F>: every pair, wrapping, rounding to nearest") {
  check_every_format<qmann::overflow::wrap, qmann::rounding::nearest>(
      std::make_integer_sequence<int, 8>{});
}

TEST_CASE("fixed<8,F>: every pair, saturating, truncating") {
  check_every_format<qmann::overflow::saturate, qmann::rounding::truncate>(
      std::make_integer_sequence<int, 8>{});
}

TEST_CASE("fixed<8,F>: every pair, wrapping, truncating") {
  check_every_format<qmann::overflow::wrap, qmann::rounding::truncate>(
      std::make_integer_sequence<int, 8>{});
}
