#include <doctest/doctest.h>

#include <qmann/addressing/content.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>
#include <random>
#include <vector>

using qmann::binary;
using qmann::fixed;
using fixed8 = fixed<8, 5>;

namespace {

template <class T>
qmann::memory<T> random_memory(std::mt19937& gen, std::size_t n, std::size_t dim, float sd = 1.0f) {
  std::normal_distribution<float> dist(0.0f, sd);
  qmann::memory<T> mem(n, dim);
  std::vector<float> row(dim);
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& x : row) x = dist(gen);
    mem.write(i, row);
  }
  return mem;
}


template <class A>
std::size_t argmax_weight(const A& weights) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < weights.size(); ++i)
    if (qmann::to_float(weights[i]) > qmann::to_float(weights[best])) best = i;
  return best;
}

}  // namespace

TEST_CASE("similarity: ranges at the extremes") {
  const std::size_t dim = 100;
  // Binary Hamming in [0, D], binary dot in [-D, D].
  qmann::vector<binary> plus(dim), minus(dim, binary{-1.0f});
  using H = qmann::hamming_similarity;
  using Dot = qmann::dot_similarity;
  CHECK(H::score<binary>(plus.storage().data(), plus.storage().data(), dim).raw() == 100);
  CHECK(H::score<binary>(plus.storage().data(), minus.storage().data(), dim).raw() == 0);
  CHECK(Dot::score<binary>(plus.storage().data(), minus.storage().data(), dim).raw() == -100);
  // Weighted Hamming on fixed<8,5>: at most D (1 - 2^-7), as fixed<32,7>.
  qmann::vector<fixed8> hi(dim, fixed8{3.9f}), lo(dim, fixed8{-0.03125f}), zero(dim);
  const auto top = H::score<fixed8>(hi.storage().data(), hi.storage().data(), dim);
  static_assert(std::is_same_v<decltype(top), const fixed<32, 7>>);
  CHECK(static_cast<double>(top) == doctest::Approx(100 * (1 - 1.0 / 128)));
  CHECK(H::score<fixed8>(zero.storage().data(), lo.storage().data(), dim).raw() == -100 * 126);
  // The conventional fixed dot saturates at the format's max: 100 * 3.9^2 >> 3.97.
  const auto dot = Dot::score<fixed8>(hi.storage().data(), hi.storage().data(), dim);
  CHECK(dot == qmann::number_traits<fixed8>::max());
  // Cosine in [-1, 1].
  qmann::vector<float> f(dim, 2.0f), g(dim, -3.0f);
  CHECK(qmann::cosine_similarity::score<float>(f.storage().data(), g.storage().data(), dim) ==
        doctest::Approx(-1.0f));
}

TEST_CASE("hamming_similarity on fixed<8,F> == the bit-level definition, all pairs, every F") {
  // Through the library's similarity (SIMD kernels), one element per vector,
  // against kernels::scalar::weighted_hamming_term.
  auto check_format = [&]<int F>() {
    using q = fixed<8, F>;
    qmann::vector<q> a(1), b(1);
    int mismatches = 0;
    for (int ra = -128; ra <= 127; ++ra)
      for (int rb = -128; rb <= 127; ++rb) {
        a.set(0, q::from_raw(static_cast<std::int8_t>(ra)));
        b.set(0, q::from_raw(static_cast<std::int8_t>(rb)));
        const auto s = qmann::hamming_similarity::score<q>(a.storage().data(), b.storage().data(), 1);
        mismatches += s.raw() != qmann::kernels::scalar::weighted_hamming_term<8>(ra, rb);
      }
    INFO("F = ", F);
    CHECK(mismatches == 0);
  };
  [&]<int... F>(std::integer_sequence<int, F...>) {
    (check_format.template operator()<F>(), ...);
  }(std::make_integer_sequence<int, 8>{});
}

TEST_CASE("exp_softmax: extreme float scores neither overflow nor lose the maximum") {
  const float big = std::numeric_limits<float>::max();
  std::vector<float> s = {big, -big, 0.0f, big};
  qmann::exp_softmax{1.0f}(s.data(), s.size());
  CHECK(s[0] == doctest::Approx(0.5f));
  CHECK(s[1] == 0.0f);
  CHECK(s[2] == 0.0f);
  CHECK(s[3] == doctest::Approx(0.5f));
  std::vector<float> sharp = {1.0f, 2.0f, 3.0f};
  qmann::exp_softmax{100.0f}(sharp.data(), sharp.size());
  CHECK(sharp[2] == doctest::Approx(1.0f));
  CHECK(sharp[0] < sharp[1]);
}

TEST_CASE("conventional fixed-point dot loses the ranking that weighted Hamming keeps") {
  // Two slots, both close to the key in float; the dot of each saturates
  // fixed<8,5> so both score the same and the softmax cannot choose.
  const std::size_t dim = 16;
  qmann::memory<fixed8> mem(2, dim);
  std::vector<float> key_f(dim, 1.5f), near(dim, 1.5f), farther(dim, 1.0f);
  mem.write(0, farther);
  mem.write(1, near);
  const auto key = qmann::quantize<fixed8>(key_f);

  qmann::content_addressing<qmann::memory<fixed8>, qmann::dot_similarity, qmann::exp_softmax> dot;
  const auto& pd = dot.address(mem, key);
  CHECK(pd[0] == doctest::Approx(0.5f));  // saturated: a coin toss

  qmann::content_addressing<qmann::memory<fixed8>, qmann::hamming_similarity, qmann::base2_softmax> hamming;
  const auto& ph = hamming.address(mem, key);
  // Scores 16 (1 - 2^-7) and 16 (1 - 17 / 128): 2 apart, so p = 2^2 / (2^2 + 1) = 0.8.
  CHECK(static_cast<float>(ph[1]) == doctest::Approx(0.8f).epsilon(0.001));
}

TEST_CASE_TEMPLATE("content_addressing: a slot used as key gets the largest weight", Scheme,
                   std::pair<float, qmann::dot_similarity>, std::pair<float, qmann::cosine_similarity>,
                   std::pair<fixed8, qmann::dot_similarity>, std::pair<fixed8, qmann::hamming_similarity>,
                   std::pair<binary, qmann::hamming_similarity>, std::pair<binary, qmann::dot_similarity>) {
  using T = typename Scheme::first_type;
  using S = typename Scheme::second_type;
  std::mt19937 gen(10);
  // Values small enough that the conventional fixed dot does not saturate here.
  auto mem = random_memory<T>(gen, 50, 37, std::is_same_v<T, fixed8> ? 0.3f : 1.0f);
  qmann::content_addressing<qmann::memory<T>, S, qmann::exp_softmax> exp_addressing(qmann::exp_softmax{4.0f});
  for (std::size_t slot : {0u, 17u, 49u}) {
    const auto key = mem.slot(slot);
    CHECK(argmax_weight(exp_addressing.address(mem, key)) == slot);
  }
  if constexpr (!std::is_same_v<T, float>) {
    qmann::content_addressing<qmann::memory<T>, S, qmann::base2_softmax> base2;
    for (std::size_t slot : {0u, 17u, 49u}) {
      const auto key = mem.slot(slot);
      CHECK(argmax_weight(base2.address(mem, key)) == slot);
    }
  }
}

TEST_CASE_TEMPLATE("content_addressing: read is sum_i p_i c_i", T, float, fixed8, binary) {
  std::mt19937 gen(11);
  const std::size_t n = 40, dim = 70;
  auto keys = random_memory<T>(gen, n, dim, 0.5f);
  auto values = random_memory<T>(gen, n, dim, 0.5f);
  const auto key = keys.slot(3);
  using S = std::conditional_t<std::is_same_v<T, float>, qmann::dot_similarity, qmann::hamming_similarity>;
  using M = std::conditional_t<std::is_same_v<T, float>, qmann::exp_softmax, qmann::base2_softmax>;
  qmann::content_addressing<qmann::memory<T>, S, M> addressing;
  qmann::vector<qmann::read_type_t<T>> out;
  addressing(keys, key, values, out);
  const auto& p = addressing.address(keys, key);
  REQUIRE(out.size() == dim);
  // The read's output format is the tolerance: one step of it (float: 1e-5).
  const double step = std::is_same_v<T, float> ? 1e-5 : std::is_same_v<T, fixed8> ? 1.0 / 32 : 1.0 / 16384;
  int far = 0;
  for (std::size_t d = 0; d < dim; ++d) {
    double want = 0;
    for (std::size_t i = 0; i < n; ++i) want += double{qmann::to_float(p[i])} * qmann::to_float(values(i, d));
    far += std::abs(qmann::to_float(out[d]) - want) > step;
  }
  CHECK(far == 0);
}

TEST_CASE("content_addressing: shape errors") {
  qmann::memory<float> mem(4, 8), other(5, 8);
  qmann::content_addressing<qmann::memory<float>, qmann::dot_similarity, qmann::exp_softmax> addressing;
  CHECK_THROWS_AS(addressing.address(mem, qmann::vector<float>(7)), std::invalid_argument);
  addressing.address(mem, qmann::vector<float>(8));
  qmann::vector<float> out;
  CHECK_THROWS_AS(addressing.read(other, out), std::invalid_argument);
  CHECK_THROWS_AS(qmann::base2_softmax(fixed<16, 8>{-1.0f}), std::invalid_argument);
}
