// Every SIMD kernel against its scalar twin, on random data of awkward
// sizes (not multiples of any vector width), at misaligned starts. Integer
// kernels must match bit for bit; float kernels within a bound derived from
// the operation. This file is compiled once per instruction set the machine
// has (see tests/CMakeLists.txt), so each path is tested where it runs.
#include <doctest/doctest.h>

#include <qmann/kernels/binary.hpp>
#include <qmann/kernels/fixed.hpp>
#include <qmann/kernels/float.hpp>
#include <qmann/kernels/scalar.hpp>
#include <qmann/number/rescale.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

namespace k = qmann::kernels;
namespace scalar = qmann::kernels::scalar;

namespace {

constexpr float eps = std::numeric_limits<float>::epsilon();

// Sizes around every vector width (4, 8, 16 floats; 16, 32, 64 bytes; 4, 8 words).
const std::vector<std::size_t> awkward = {1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 64, 65,
                                          100, 127, 129, 255, 257, 511, 513, 1000, 1100};

template <class T>
std::vector<T> random_values(std::mt19937& gen, std::size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(dist(gen));
  return v;
}

std::vector<float> random_floats(std::mt19937& gen, std::size_t n) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

}  // namespace

TEST_CASE("kernels: report the instruction sets under test") {
  const std::string isa = std::string("integer kernels: ") + k::integer_isa() + ", float kernels: " + k::float_isa();
  MESSAGE(isa);
  CHECK(k::integer_isa() != nullptr);
}

TEST_CASE("kernels: weighted-bit Hamming, bit-level definition == closed form, all pairs") {
  // For every W the definition is written for, and every 8-bit format
  // fixed<8,F> (F only scales the result, the raw computation is the same).
  auto check_width = [&]<int W>() {
    const int lo = -(1 << (W - 1)), hi = (1 << (W - 1)) - 1;
    int mismatches = 0;
    for (int a = lo; a <= hi; ++a)
      for (int b = lo; b <= hi; ++b) {
        const int literal = scalar::weighted_hamming_term<W>(a, b);
        mismatches += literal != k::detail::weighted_hamming_closed<W>(a, b);
        // Bounded by the sum of the bit weights, negative only when the signs differ.
        mismatches += std::abs(literal) > hi;
        mismatches += literal < 0 && ((a < 0) == (b < 0));
      }
    INFO("W = ", W);
    CHECK(mismatches == 0);
  };
  check_width.operator()<2>();
  check_width.operator()<3>();
  check_width.operator()<4>();
  check_width.operator()<5>();
  check_width.operator()<6>();
  check_width.operator()<7>();
  check_width.operator()<8>();
  // Worked examples at W = 8 (units of 2^-7): identical values agree on every bit.
  CHECK(scalar::weighted_hamming_term<8>(37, 37) == 127);
  CHECK(scalar::weighted_hamming_term<8>(-37, -37) == 127);
  CHECK(scalar::weighted_hamming_term<8>(0, 64) == 63);    // only the top magnitude bit differs
  CHECK(scalar::weighted_hamming_term<8>(1, -1) == -125);  // opposite signs, close: strongly negative
  CHECK(scalar::weighted_hamming_term<8>(100, -100) == 0); // |a - b| = 200 saturates: no agreement
  CHECK(scalar::weighted_hamming_term<8>(-128, 127) == 0);
}

TEST_CASE("kernels: the ranges of the similarities at their extremes") {
  for (std::size_t n : {1u, 17u, 1100u}) {
    const std::vector<std::int8_t> hi(n, 127), lo(n, -128), zero(n, 0);
    // Weighted Hamming: +n M for identical vectors, -n M for sign-flipped near-equal ones.
    CHECK(k::weighted_hamming<8>(hi.data(), hi.data(), n) == static_cast<int>(n) * 127);
    CHECK(k::weighted_hamming<8>(lo.data(), lo.data(), n) == static_cast<int>(n) * 127);
    const std::vector<std::int8_t> minus_zero(n, -1);
    CHECK(k::weighted_hamming<8>(zero.data(), minus_zero.data(), n) == -static_cast<int>(n) * 126);
    // Dot is unbounded in the format: n * 2^14 at the extreme, far beyond 8 bits.
    CHECK(k::dot(lo.data(), lo.data(), n) == static_cast<int>(n) * 16384);
    CHECK(k::dot(lo.data(), hi.data(), n) == -static_cast<int>(n) * 16256);
    // Binary Hamming distance in [0, n]: D - popcount is the similarity.
    const std::size_t words = (n + 63) / 64;
    std::vector<std::uint64_t> ones(words, ~std::uint64_t{0}), none(words, 0);
    if (n % 64) ones.back() = (std::uint64_t{1} << (n % 64)) - 1;  // padding bits stay zero
    CHECK(k::xor_popcount(ones.data(), none.data(), words) == n);
    CHECK(k::xor_popcount(ones.data(), ones.data(), words) == 0);
  }
}

TEST_CASE("kernels: int8 dot and weighted Hamming == scalar, bit for bit") {
  std::mt19937 gen(1);
  int mismatches = 0;
  for (std::size_t n : awkward)
    for (std::size_t offset : {0u, 1u, 3u}) {
      const auto a = random_values<std::int8_t>(gen, n + offset, -128, 127);
      const auto b = random_values<std::int8_t>(gen, n + offset, -128, 127);
      mismatches += k::dot(a.data() + offset, b.data() + offset, n) !=
                    scalar::dot(a.data() + offset, b.data() + offset, n);
      mismatches += k::weighted_hamming<8>(a.data() + offset, b.data() + offset, n) !=
                    scalar::weighted_hamming<8>(a.data() + offset, b.data() + offset, n);
      // A narrower format stored in int8 (fixed<6,F>: values in [-32, 31]).
      const auto c = random_values<std::int8_t>(gen, n, -32, 31);
      const auto d = random_values<std::int8_t>(gen, n, -32, 31);
      mismatches += k::weighted_hamming<6>(c.data(), d.data(), n) !=
                    scalar::weighted_hamming<6>(c.data(), d.data(), n);
    }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: row kernels (one key, n rows) == scalar") {
  std::mt19937 gen(12);
  int mismatches = 0;
  for (std::size_t n : {1u, 3u, 4u, 5u, 8u, 9u, 17u, 33u})
    for (std::size_t dim : {1u, 7u, 63u, 64u, 65u, 128u, 200u, 256u, 300u}) {
      const std::size_t stride = dim + (dim % 3);  // dense and padded rows
      const auto key = random_values<std::int8_t>(gen, dim, -128, 127);
      const auto rows = random_values<std::int8_t>(gen, n * stride, -128, 127);
      std::vector<std::int32_t> simd(n), ref(n);
      k::dot_rows(key.data(), rows.data(), n, dim, stride, simd.data());
      scalar::dot_rows(key.data(), rows.data(), n, dim, stride, ref.data());
      mismatches += simd != ref;
      k::weighted_hamming_rows<8>(key.data(), rows.data(), n, dim, stride, simd.data());
      scalar::weighted_hamming_rows<8>(key.data(), rows.data(), n, dim, stride, ref.data());
      mismatches += simd != ref;
      k::weighted_hamming_rows<5>(key.data(), rows.data(), n, dim, stride, simd.data());  // any int8 input
      scalar::weighted_hamming_rows<5>(key.data(), rows.data(), n, dim, stride, ref.data());
      mismatches += simd != ref;

      const auto fkey = random_floats(gen, dim);
      const auto frows = random_floats(gen, n * stride);
      std::vector<float> fsimd(n), fref(n);
      k::dot_rows(fkey.data(), frows.data(), n, dim, stride, fsimd.data());
      scalar::dot_rows(fkey.data(), frows.data(), n, dim, stride, fref.data());
      for (std::size_t i = 0; i < n; ++i) {
        double magnitude = 0;
        for (std::size_t d = 0; d < dim; ++d) magnitude += std::abs(double{fkey[d]} * frows[i * stride + d]);
        mismatches += std::abs(double{fsimd[i]} - fref[i]) > 2.0 * dim * eps * magnitude;
      }
    }
  // Binary rows: dense (stride == words, the fast paths for 1, 2, 4 words) and padded.
  std::mt19937_64 bits(13);
  for (std::size_t n : {1u, 7u, 8u, 9u, 16u, 31u, 100u})
    for (std::size_t words : {1u, 2u, 3u, 4u, 5u, 8u, 16u})
      for (std::size_t pad : {0u, 1u}) {
        const std::size_t stride = words + pad;
        std::vector<std::uint64_t> key(words), rows(n * stride);
        for (auto& w : key) w = bits();
        for (auto& w : rows) w = bits();
        std::vector<std::uint32_t> simd(n), ref(n);
        k::xor_popcount_rows(key.data(), rows.data(), n, words, stride, simd.data());
        scalar::xor_popcount_rows(key.data(), rows.data(), n, words, stride, ref.data());
        INFO("n = ", n, ", words = ", words, ", stride = ", stride);
        CHECK(simd == ref);
      }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: xor_popcount == scalar for every word count 1..40") {
  std::mt19937_64 gen(2);
  int mismatches = 0;
  for (std::size_t words = 1; words <= 40; ++words) {
    std::vector<std::uint64_t> a(words + 1), b(words + 1);
    for (auto& x : a) x = gen();
    for (auto& x : b) x = gen();
    mismatches += k::xor_popcount(a.data() + 1, b.data() + 1, words) !=
                  scalar::xor_popcount(a.data() + 1, b.data() + 1, words);
  }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: float dot within the summation-order bound") {
  std::mt19937 gen(3);
  for (std::size_t n : awkward) {
    const auto a = random_floats(gen, n + 1), b = random_floats(gen, n + 1);
    double magnitude = 0;
    for (std::size_t i = 0; i < n; ++i) magnitude += std::abs(double{a[i + 1]} * b[i + 1]);
    // Each order's error is at most n eps sum|a b|; two orders differ by at most twice that.
    const double bound = 2.0 * static_cast<double>(n) * eps * magnitude;
    INFO("n = ", n);
    CHECK(std::abs(double{k::dot(a.data() + 1, b.data() + 1, n)} -
                   double{scalar::dot(a.data() + 1, b.data() + 1, n)}) <= bound);
  }
}

TEST_CASE("kernels: float softmax == scalar within the exp and sum bounds") {
  std::mt19937 gen(4);
  for (std::size_t n : awkward) {
    auto s = random_floats(gen, n);
    for (auto& x : s) x *= 10.0f;
    auto simd = s, ref = s;
    k::softmax(simd.data(), n, 1.5f);
    scalar::softmax(ref.data(), n, 1.5f);
    // exp within a few ulp in both, the sums within n eps each.
    int out_of_bound = 0;
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      out_of_bound += std::abs(simd[i] - ref[i]) > (16.0f + 2.0f * n) * eps * ref[i] + 1e-30f;
      total += simd[i];
    }
    INFO("n = ", n);
    CHECK(out_of_bound == 0);
    CHECK(std::abs(total - 1.0) <= 2.0 * n * eps);
  }
}

TEST_CASE("kernels: float read within the accumulation bound") {
  std::mt19937 gen(5);
  for (std::size_t n : {1u, 3u, 17u, 300u})
    for (std::size_t dim : {1u, 5u, 16u, 63u, 65u, 200u}) {
      const std::size_t stride = dim + 3;
      const auto rows = random_floats(gen, n * stride);
      auto p = random_floats(gen, n);
      std::vector<float> simd(dim), ref(dim);
      k::read(p.data(), rows.data(), n, dim, stride, simd.data());
      scalar::read(p.data(), rows.data(), n, dim, stride, ref.data());
      int out_of_bound = 0;
      for (std::size_t d = 0; d < dim; ++d) {
        double magnitude = 0;
        for (std::size_t i = 0; i < n; ++i) magnitude += std::abs(double{p[i]} * rows[i * stride + d]);
        out_of_bound += std::abs(double{simd[d]} - ref[d]) > 2.0 * n * eps * magnitude;
      }
      INFO("n = ", n, ", dim = ", dim);
      CHECK(out_of_bound == 0);
    }
}

TEST_CASE("kernels: fixed and binary reads == scalar, bit for bit") {
  std::mt19937 gen(6);
  int mismatches = 0;
  for (std::size_t n : {1u, 2u, 3u, 17u, 300u})
    for (std::size_t dim : {1u, 5u, 16u, 31u, 33u, 63u, 64u, 65u, 200u, 1100u}) {
      const auto p = random_values<std::int16_t>(gen, n, 0, 16384);
      const std::size_t stride = dim + 5;
      const auto rows = random_values<std::int8_t>(gen, n * stride, -128, 127);
      std::vector<std::int32_t> simd(dim, -7), ref(dim, 7);
      k::read(p.data(), rows.data(), n, dim, stride, simd.data());
      scalar::read(p.data(), rows.data(), n, dim, stride, ref.data());
      mismatches += simd != ref;

      const std::size_t words = (dim + 63) / 64;
      std::mt19937_64 bits(gen());
      std::vector<std::uint64_t> packed(n * words);
      for (auto& w : packed) w = bits();
      if (dim % 64)
        for (std::size_t i = 0; i < n; ++i) packed[i * words + words - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
      std::vector<std::int32_t> bsimd(dim, -7), bref(dim, 7);
      k::read(p.data(), packed.data(), n, dim, words, bsimd.data());
      scalar::read(p.data(), packed.data(), n, dim, words, bref.data());
      mismatches += bsimd != bref;
    }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: reads with sparse weights (zero rows skipped) == scalar") {
  // Several chunks of 1024 rows, some without any nonzero weight, and all-zero weights.
  std::mt19937 gen(14);
  int mismatches = 0;
  for (int pattern = 0; pattern < 4; ++pattern) {
    const std::size_t n = 3000, dim = 70, words = 2;
    std::vector<std::int16_t> p(n, 0);
    if (pattern == 1) p[5] = 16384;
    if (pattern == 2) { p[3] = 100; p[2100] = 9000; p[2999] = 7284; }  // chunk 1 empty
    if (pattern == 3) for (std::size_t i = 0; i < n; i += 7) p[i] = static_cast<std::int16_t>(gen() % 300);
    const auto rows = random_values<std::int8_t>(gen, n * dim, -128, 127);
    std::vector<std::int32_t> simd(dim, -1), ref(dim, 1);
    k::read(p.data(), rows.data(), n, dim, dim, simd.data());
    scalar::read(p.data(), rows.data(), n, dim, dim, ref.data());
    mismatches += simd != ref;
    std::mt19937_64 bits(gen());
    std::vector<std::uint64_t> packed(n * words);
    for (std::size_t i = 0; i < n; ++i) {
      packed[i * words] = bits();
      packed[i * words + 1] = bits() & ((std::uint64_t{1} << (dim - 64)) - 1);  // padding bits zero
    }
    k::read(p.data(), packed.data(), n, dim, words, simd.data());
    scalar::read(p.data(), packed.data(), n, dim, words, ref.data());
    mismatches += simd != ref;
  }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: base-2 softmax sums to one, is monotone, never overflows") {
  std::mt19937 gen(7);
  for (std::size_t n : awkward) {
    for (int frac : {0, 7, 10, 20}) {
      auto s = random_values<std::int32_t>(gen, n, -100000, 100000);
      std::vector<std::int16_t> p(n), ref(n);
      k::softmax_base2(s.data(), n, frac, 256, p.data());
      scalar::softmax_base2(s.data(), n, frac, 256, ref.data());
      CHECK(p == ref);
      long total = 0;
      int not_monotone = 0;
      for (std::size_t i = 0; i < n; ++i) {
        total += p[i];
        for (std::size_t j = 0; j < n && n <= 300; ++j)
          not_monotone += s[i] < s[j] && p[i] > p[j];
      }
      INFO("n = ", n, ", frac = ", frac);
      CHECK(std::abs(total - 16384) <= static_cast<long>(n / 2 + 1));
      CHECK(not_monotone == 0);
    }
  }
  // Extreme inputs of an int32 score.
  const std::int32_t extreme[] = {std::numeric_limits<std::int32_t>::min(),
                                  std::numeric_limits<std::int32_t>::max(), 0,
                                  std::numeric_limits<std::int32_t>::max()};
  std::int16_t p[4];
  k::softmax_base2(extreme, 4, 0, std::numeric_limits<std::uint16_t>::max(), p);
  CHECK(p[0] == 0);
  CHECK(p[1] == 8192);
  CHECK(p[2] == 0);
  CHECK(p[3] == 8192);
}

TEST_CASE("kernels: base-2 softmax against 2^x in double") {
  // Scores with 8 fractional bits, beta = 1: p_i ~ 2^(s_i - max) / sum.
  std::mt19937 gen(8);
  const std::size_t n = 50;
  auto s = random_values<std::int32_t>(gen, n, -2000, 2000);
  std::vector<std::int16_t> p(n);
  k::softmax_base2(s.data(), n, 8, 256, p.data());
  const double max = *std::max_element(s.begin(), s.end());
  double sum = 0;
  for (auto x : s) sum += std::exp2((x - max) / 256.0);
  int far = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double want = std::exp2((s[i] - max) / 256.0) / sum;
    // Table error 2^-13 relative, 10-bit fraction 2^-10 ln 2, plus half a Q14 step and the shifts.
    far += std::abs(p[i] / 16384.0 - want) > want * 2e-3 + 2.0 / 16384;
  }
  CHECK(far == 0);
}

TEST_CASE("kernels: the exp2 tables are what they claim") {
  for (int j = 0; j < 32; ++j) {
    CHECK(k::exp2_coarse_q15[j] == static_cast<std::uint32_t>(std::lround(32768 * std::exp2(-j / 32.0))));
    CHECK(k::exp2_fine_q15[j] == static_cast<std::uint32_t>(std::lround(32768 * std::exp2(-j / 1024.0))));
  }
}

// ---- element-wise kernels of the integer forward pass of a model ------------

TEST_CASE("kernels: sum_of_products (embedding sums) == scalar") {
  std::mt19937 gen(21);
  int mismatches = 0;
  for (std::size_t n : awkward)
    for (std::size_t count : {0u, 1u, 2u, 7u, 13u}) {
      const auto a = random_values<std::int8_t>(gen, count * (n + 3), -128, 127);
      const auto b = random_values<std::int8_t>(gen, count * (n + 3), -128, 127);
      std::vector<const std::int8_t*> pa, pb;
      for (std::size_t j = 0; j < count; ++j) {
        pa.push_back(a.data() + j * (n + 3) + 1);  // misaligned
        pb.push_back(b.data() + j * (n + 3) + 2);
      }
      std::vector<std::int32_t> simd(n, -7), ref(n, 7);
      k::sum_of_products(pa.data(), pb.data(), count, n, simd.data());
      scalar::sum_of_products(pa.data(), pb.data(), count, n, ref.data());
      mismatches += simd != ref;
    }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: rescale (narrowing to fixed<W,F>) == scalar == rescale_raw") {
  std::mt19937 gen(22);
  int mismatches = 0;
  for (std::size_t n : awkward)
    for (const auto& [from, to, width] : {std::tuple{13, 5, 8}, std::tuple{20, 7, 8}, std::tuple{9, 3, 6},
                                          std::tuple{4, 0, 2}, std::tuple{3, 7, 8}, std::tuple{5, 5, 4}}) {
      // Values around every rounding tie and the saturation edges.
      auto in = random_values<std::int32_t>(gen, n, -(1 << 22), 1 << 22);
      for (std::size_t i = 0; i < n; i += 3) in[i] = (in[i] >> 12) * (1 << std::max(from - to, 0)) / 2;
      if (to > from)
        for (auto& x : in) x >>= 16;  // the widening precondition
      std::vector<std::int8_t> simd(n, 9), ref(n, -9);
      k::rescale(in.data(), simd.data(), n, from, to, width);
      scalar::rescale(in.data(), ref.data(), n, from, to, width);
      mismatches += simd != ref;
      for (std::size_t i = 0; i < n; ++i) mismatches += ref[i] != qmann::rescale_raw(in[i], from, to, width);
    }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: binarize, binary dot_rows and the int32-weighted binary read == scalar") {
  std::mt19937 gen(23);
  int mismatches = 0;
  for (std::size_t dim : awkward) {
    const std::size_t words = (dim + 63) / 64;
    const auto in = random_values<std::int32_t>(gen, dim, -(1 << 25), (1 << 25) - 1);
    std::vector<std::uint64_t> bits(words, ~0ULL), bits_ref(words, 0);
    std::vector<std::int8_t> signs(dim, 5), signs_ref(dim, -5);
    mismatches += k::binarize(in.data(), dim, bits.data(), signs.data()) !=
                  scalar::binarize(in.data(), dim, bits_ref.data(), signs_ref.data());
    mismatches += bits != bits_ref;
    mismatches += signs != signs_ref;

    for (std::size_t n : {1u, 3u, 17u, 50u}) {
      const std::size_t stride = words + 1;
      std::mt19937_64 g64(gen());
      std::vector<std::uint64_t> rows(n * stride);
      for (auto& w : rows) w = g64();
      for (std::size_t i = 0; i < n; ++i)
        if (dim % 64) rows[i * stride + words - 1] &= (std::uint64_t{1} << (dim % 64)) - 1;
      const auto key = random_values<std::int8_t>(gen, dim, -128, 127);
      std::vector<std::int32_t> simd(n, -1), ref(n, 1);
      k::dot_rows(key.data(), rows.data(), n, dim, stride, simd.data());
      scalar::dot_rows(key.data(), rows.data(), n, dim, stride, ref.data());
      mismatches += simd != ref;

      auto w = random_values<std::int32_t>(gen, n, -(1 << 21), 1 << 21);
      w[0] = 0;  // skipped rows
      std::vector<std::int32_t> out(dim, -3), out_ref(dim, 3);
      k::read(w.data(), rows.data(), n, dim, stride, out.data());
      scalar::read(w.data(), rows.data(), n, dim, stride, out_ref.data());
      mismatches += out != out_ref;
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("kernels: base-2 softmax with empty slots == explicit zero scores, SIMD == scalar") {
  std::mt19937 gen(24);
  int mismatches = 0;
  for (std::size_t n : {0u, 1u, 3u, 15u, 16u, 17u, 40u, 100u})
    for (std::size_t padding : {0u, 1u, 7u, 50u}) {
      if (n + padding == 0) continue;
      const auto scores = random_values<std::int32_t>(gen, n, -3000, 3000);
      std::vector<std::int32_t> explicit_zeros = scores;
      explicit_zeros.resize(n + padding, 0);
      std::vector<std::int16_t> with_padding(n + 1, -1), reference(n + padding), simd(n + 1, -2);
      scalar::softmax_base2(scores.data(), n, 7, 300, with_padding.data(), padding);
      scalar::softmax_base2(explicit_zeros.data(), n + padding, 7, 300, reference.data());
      k::softmax_base2(scores.data(), n, 7, 300, simd.data(), padding);
      for (std::size_t i = 0; i < n; ++i) {
        mismatches += with_padding[i] != reference[i];
        mismatches += simd[i] != with_padding[i];
      }
      mismatches += with_padding[n] != -1;  // nothing written for the empty slots
    }
  CHECK(mismatches == 0);
}
