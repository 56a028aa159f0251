#include <doctest/doctest.h>

#include <qmann/container/vector.hpp>

#include <bit>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

using qmann::binary;
using qmann::fixed;

TEST_CASE_TEMPLATE("vector: zero-initialized, aligned, value access", T, float, fixed<8, 5>,
                   fixed<16, 8>, binary) {
  for (std::size_t n : {0u, 1u, 7u, 64u, 65u, 1000u}) {
    qmann::vector<T> v(n);
    CHECK(v.size() == n);
    CHECK(v.storage().size() == qmann::storage_units<T>(n));
    if (n > 0) {
      CHECK(reinterpret_cast<std::uintptr_t>(v.storage().data()) % qmann::storage_alignment == 0);
      CHECK(v[n - 1] == T{});
      v.set(n - 1, qmann::quantize<T>(-1.0f));
      CHECK(v[n - 1] == qmann::quantize<T>(-1.0f));
      CHECK_THROWS_AS((void)v.at(n), std::out_of_range);
    }
    const qmann::vector<T> copy = v;
    CHECK(copy == v);
    qmann::vector<T> moved = std::move(v);
    CHECK(moved == copy);
  }
}

TEST_CASE_TEMPLATE("vector: quantize and to_floats", T, float, fixed<8, 5>, binary) {
  const std::vector<float> values = {0.5f, -1.25f, 3.0f, -0.0f, 100.0f};
  const auto v = qmann::quantize<T>(values);
  const auto back = qmann::to_floats(v);
  REQUIRE(back.size() == values.size());
  for (std::size_t i = 0; i < values.size(); ++i)
    CHECK(back[i] == qmann::to_float(qmann::quantize<T>(values[i])));
}

TEST_CASE("vector<binary>: packing for every size 1..200, padding bits stay zero") {
  std::mt19937 gen(3);
  for (std::size_t n = 1; n <= 200; ++n) {
    qmann::vector<binary> v(n);
    REQUIRE(v.storage().size() == (n + 63) / 64);
    std::vector<int> expected(n);
    // Set, then overwrite some elements both ways, so clearing is exercised too.
    for (int round = 0; round < 3; ++round)
      for (std::size_t i = 0; i < n; ++i) {
        expected[i] = (gen() & 1U) ? -1 : 1;
        v.set(i, binary{static_cast<float>(expected[i])});
      }
    int mismatches = 0;
    long negatives = 0;
    for (std::size_t i = 0; i < n; ++i) {
      mismatches += v[i].value() != expected[i];
      negatives += expected[i] < 0;
      // Element i is bit i % 64 of word i / 64; 1 means -1.
      const bool bit = ((v.storage()[i / 64] >> (i % 64)) & 1U) != 0;
      mismatches += bit != (expected[i] < 0);
    }
    INFO("n = ", n);
    CHECK(mismatches == 0);
    const std::uint64_t last = v.storage().back();
    const std::size_t used = n % 64 == 0 ? 64 : n % 64;
    CHECK((used == 64 || (last >> used) == 0));
    // A result computed from whole words (a popcount of the sign bits) counts
    // exactly the -1 elements: the padding contributes nothing.
    long popcount = 0;
    for (std::uint64_t w : v.storage()) popcount += std::popcount(w);
    CHECK(popcount == negatives);
  }
}

TEST_CASE("vector: equality compares sizes and values") {
  qmann::vector<binary> a(70), b(70), c(71);
  CHECK(a == b);
  CHECK_FALSE(a == c);
  b.set(69, binary{-1.0f});
  CHECK_FALSE(a == b);
  qmann::vector<fixed<8, 5>> x(3, fixed<8, 5>{0.5f});
  CHECK(x[2] == fixed<8, 5>{0.5f});
}
