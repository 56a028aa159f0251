#include <doctest/doctest.h>

#include <qmann/container/matrix.hpp>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

using qmann::binary;
using qmann::fixed;

TEST_CASE_TEMPLATE("matrix: layout, access and quantize", T, float, fixed<8, 5>, binary) {
  std::mt19937 gen(5);
  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  for (std::size_t rows : {1u, 3u, 17u})
    for (std::size_t cols : {1u, 63u, 64u, 65u, 130u}) {
      std::vector<float> values(rows * cols);
      for (float& x : values) x = dist(gen);
      const auto m = qmann::quantize<T>(values, rows, cols);
      REQUIRE(m.rows() == rows);
      REQUIRE(m.cols() == cols);
      CHECK(m.row_stride() == qmann::storage_units<T>(cols));
      CHECK(m.storage().size() == rows * m.row_stride());
      CHECK(reinterpret_cast<std::uintptr_t>(m.storage().data()) % qmann::storage_alignment == 0);
      int mismatches = 0;
      for (std::size_t r = 0; r < rows; ++r) {
        CHECK(m.row(r).data() == m.storage().data() + r * m.row_stride());
        for (std::size_t c = 0; c < cols; ++c)
          mismatches += !(m(r, c) == qmann::quantize<T>(values[r * cols + c]));
      }
      CHECK(mismatches == 0);
      CHECK_THROWS_AS((void)m.at(rows, 0), std::out_of_range);
      CHECK_THROWS_AS((void)m.at(0, cols), std::out_of_range);
    }
  CHECK_THROWS_AS(qmann::quantize<T>(std::vector<float>(5), 2, 3), std::invalid_argument);
}

TEST_CASE("matrix<binary>: rows start on words, padding bits stay zero") {
  qmann::matrix<binary> m(4, 70);
  CHECK(m.row_stride() == 2);
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 70; ++c) m.set(r, c, binary{-1.0f});
  for (std::size_t r = 0; r < 4; ++r) {
    CHECK(m.row(r)[0] == ~std::uint64_t{0});
    CHECK(m.row(r)[1] == (std::uint64_t{1} << 6) - 1);  // 6 used bits, 58 zero
  }
  m.set(2, 69, binary{1.0f});
  CHECK(m(2, 69).value() == 1);
  CHECK(m(3, 69).value() == -1);
}
