#include <doctest/doctest.h>

#include <qmann/memory/memory.hpp>

#include <random>
#include <stdexcept>
#include <vector>

using qmann::binary;
using qmann::fixed;

TEST_CASE_TEMPLATE("memory: write and NTM erase/add against a naive loop", T, float, fixed<8, 5>,
                   fixed<8, 3, qmann::overflow::wrap>, binary) {
  std::mt19937 gen(9);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::uniform_real_distribution<float> unit(0.0f, 1.0f);
  for (std::size_t n : {1u, 5u, 33u})
    for (std::size_t dim : {1u, 7u, 64u, 65u, 130u}) {
      qmann::memory<T> mem(n, dim);
      std::vector<std::vector<float>> naive(n, std::vector<float>(dim));
      for (std::size_t i = 0; i < n; ++i) {
        std::vector<float> row(dim);
        for (auto& x : row) x = dist(gen);
        mem.write(i, row);
        for (std::size_t d = 0; d < dim; ++d) naive[i][d] = qmann::to_float(qmann::quantize<T>(row[d]));
      }
      std::vector<float> w(n), e(dim), a(dim);
      for (auto& x : w) x = unit(gen);
      w[0] = 0.0f;  // an untouched slot
      for (auto& x : e) x = unit(gen);
      for (auto& x : a) x = dist(gen);
      mem.erase_add(w, e, a);
      int mismatches = 0;
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d = 0; d < dim; ++d) {
          const float want = qmann::to_float(
              qmann::quantize<T>(naive[i][d] * (1.0f - w[i] * e[d]) + w[i] * a[d]));
          mismatches += qmann::to_float(mem(i, d)) != want;
        }
      INFO("n = ", n, ", dim = ", dim);
      CHECK(mismatches == 0);
    }
}

TEST_CASE("memory: bad shapes are clear errors") {
  qmann::memory<float> mem(3, 4);
  CHECK_THROWS_AS(mem.write(3, std::vector<float>(4)), std::out_of_range);
  CHECK_THROWS_WITH_AS(mem.write(0, std::vector<float>(5)),
                       "qmann::memory::write: 5 values for dim 4", std::invalid_argument);
  CHECK_THROWS_AS(mem.erase_add(std::vector<float>(2), std::vector<float>(4), std::vector<float>(4)),
                  std::invalid_argument);
  CHECK_THROWS_AS(qmann::memory<float>(3, 0), std::invalid_argument);
}
