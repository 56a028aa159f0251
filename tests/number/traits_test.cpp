#include <doctest/doctest.h>

#include <qmann/number/traits.hpp>

#include <cstdint>
#include <string>
#include <vector>

using qmann::binary;
using qmann::fixed;
using qmann::number;
using qmann::number_traits;

// The concept accepts the three kinds of number and rejects everything else.
static_assert(number<float>);
static_assert(number<binary>);
static_assert(number<fixed<8, 5>>);
static_assert(number<fixed<16, 8, qmann::overflow::wrap, qmann::rounding::truncate>>);
static_assert(!number<double>);
static_assert(!number<int>);
static_assert(!number<std::string>);
static_assert(!number<std::vector<float>>);
static_assert(!number<fixed<8, 5>*>);

static_assert(number_traits<float>::bits == 32);
static_assert(number_traits<fixed<8, 5>>::bits == 8);
static_assert(number_traits<binary>::bits == 1);
static_assert(number_traits<binary>::elements_per_storage == 64);
static_assert(std::is_same_v<number_traits<fixed<8, 5>>::storage, std::int8_t>);
static_assert(std::is_same_v<number_traits<fixed<8, 5>>::accumulator, std::int32_t>);
static_assert(std::is_same_v<number_traits<fixed<16, 8>>::accumulator, std::int64_t>);
static_assert(std::is_same_v<number_traits<binary>::storage, std::uint64_t>);

// A user's own number type joins by specializing number_traits.
namespace user {
struct half_step {
  int twice = 0;
  bool operator==(const half_step&) const = default;
};
}  // namespace user
template <>
struct qmann::number_traits<user::half_step> {
  using storage = int;
  using accumulator = long;
  static constexpr int bits = 32;
  static constexpr std::size_t elements_per_storage = 1;
  static constexpr user::half_step quantize(float x) { return {static_cast<int>(x * 2)}; }
  static constexpr float to_float(user::half_step x) { return static_cast<float>(x.twice) / 2; }
  static constexpr user::half_step load(const int* p, std::size_t i) { return {p[i]}; }
  static constexpr void store(int* p, std::size_t i, user::half_step v) { p[i] = v.twice; }
  static constexpr user::half_step lowest() { return {-1000}; }
  static constexpr user::half_step max() { return {1000}; }
};
static_assert(number<user::half_step>);

TEST_CASE_TEMPLATE("number_traits: quantize and to_float agree with the type", T, float,
                   fixed<8, 5>, fixed<8, 2>, fixed<16, 8>, binary) {
  for (float x : {-3.0f, -0.75f, -0.0f, 0.0f, 0.3f, 1.0f, 2.5f}) {
    const T q = qmann::quantize<T>(x);
    CHECK(q == T{x});
    CHECK(qmann::to_float(q) == static_cast<float>(T{x}));
  }
  CHECK(qmann::to_float(number_traits<T>::lowest()) < qmann::to_float(number_traits<T>::max()));
}

TEST_CASE("number_traits: storage access of fixed and float") {
  std::int8_t raw[3] = {1, -2, 3};
  using t = number_traits<fixed<8, 1>>;
  CHECK(static_cast<float>(t::load(raw, 1)) == -1.0f);
  t::store(raw, 2, fixed<8, 1>{-0.5f});
  CHECK(raw[2] == -1);
  float f[2] = {0, 0};
  number_traits<float>::store(f, 1, 2.5f);
  CHECK(number_traits<float>::load(f, 1) == 2.5f);
}
