// quickstart: the three number types of qmann side by side.
//
// A memory-augmented network scores memory rows against a key with products
// and sums. This example converts a few values to float, 8-bit fixed point
// and binary, multiplies them, and shows what each type keeps of the exact
// result, including what saturation and wrap-around do to a dot product: the
// failure that Q-MANN's bounded similarity avoids, and ends with content-based
// addressing in float, conventional fixed point and Q-MANN fixed point.
#include <qmann/qmann.hpp>

#include <cstdio>
#include <vector>

namespace {

using fixed8 = qmann::fixed<8, 5>;  // 1 sign bit, 2 integer bits, 5 fractional: [-4, 3.97]
using fixed8_wrap = qmann::fixed<8, 5, qmann::overflow::wrap>;

template <class T>
float dot_narrowed(const std::vector<float>& a, const std::vector<float>& b) {
  // Conventional quantized dot product: exact products, summed in the
  // product format, narrowed back to 8 bits.
  using product = decltype(T{} * T{});
  product sum{};
  for (std::size_t i = 0; i < a.size(); ++i) sum += T{a[i]} * T{b[i]};
  return static_cast<float>(qmann::fixed_cast<T>(sum));
}

}  // namespace

int main() {
  std::printf("qmann %d.%d.%d quickstart\n\n", qmann::version.major, qmann::version.minor,
              qmann::version.patch);

  const float xs[] = {0.75f, -1.3f, 2.9f, -3.2f, 0.01f};
  const float ys[] = {1.5f, 0.6f, 1.2f, -1.1f, -0.02f};
  std::printf("%8s %8s | %10s | %18s | %6s\n", "x", "y", "float x*y", "fixed<8,5> x*y",
              "binary");
  for (std::size_t i = 0; i < std::size(xs); ++i) {
    const float x = xs[i], y = ys[i];
    const auto fx = qmann::quantize<fixed8>(x), fy = qmann::quantize<fixed8>(y);
    const auto fp = qmann::fixed_cast<fixed8>(fx * fy);  // exact product, narrowed explicitly
    const auto bp = qmann::quantize<qmann::binary>(x) * qmann::quantize<qmann::binary>(y);
    std::printf("%8.3f %8.3f | %10.4f | %8.4f (raw %4d) | %+6.0f\n", static_cast<double>(x),
                static_cast<double>(y), static_cast<double>(x * y),
                static_cast<double>(static_cast<float>(fp)), fp.raw(),
                static_cast<double>(static_cast<float>(bp)));
  }

  // A dot product of 16 elements of 1.5 each: 36 in float, far outside fixed<8,5>.
  const std::vector<float> a(16, 1.5f), b(16, 1.5f);
  float exact = 0;
  for (std::size_t i = 0; i < a.size(); ++i) exact += a[i] * b[i];
  std::printf("\ndot of 16 x (1.5 * 1.5): float %.4f, fixed<8,5> saturating %.4f, wrapping %.4f\n",
              static_cast<double>(exact), static_cast<double>(dot_narrowed<fixed8>(a, b)),
              static_cast<double>(dot_narrowed<fixed8_wrap>(a, b)));

  // Binary vectors pack 64 elements per word; their dot product is a count.
  const auto pa = qmann::quantize<qmann::binary>(std::vector<float>{1, -1, 1, 1, -1});
  const auto pb = qmann::quantize<qmann::binary>(std::vector<float>{1, 1, 1, -1, -1});
  int dot = 0;
  for (std::size_t i = 0; i < pa.size(); ++i) dot += (pa[i] * pb[i]).value();
  std::printf("binary dot of (+ - + + -) and (+ + + - -): %d, packed in %zu word(s)\n", dot,
              pa.storage().size());

  // Content-based addressing: four memory slots, a key near slot 2. The
  // conventional fixed-point dot saturates and spreads its attention; the
  // Q-MANN weighted-bit Hamming similarity stays bounded and finds the slot.
  const std::size_t dim = 16;
  const float slots[4][2] = {{1.0f, -0.5f}, {-1.2f, 0.8f}, {1.5f, 1.2f}, {1.4f, 1.3f}};
  std::vector<float> row(dim), key_f(dim);
  qmann::memory<float> mem_f(4, dim);
  qmann::memory<fixed8> mem_q(4, dim);
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t d = 0; d < dim; ++d) row[d] = slots[i][d % 2];
    mem_f.write(i, row);
    mem_q.write(i, row);
  }
  for (std::size_t d = 0; d < dim; ++d) key_f[d] = d % 2 ? 1.15f : 1.55f;
  const auto key_q = qmann::quantize<fixed8>(key_f);

  qmann::content_addressing<qmann::memory<float>, qmann::dot_similarity, qmann::exp_softmax> float_dot;
  qmann::content_addressing<qmann::memory<fixed8>, qmann::dot_similarity, qmann::exp_softmax> fixed_dot;
  qmann::content_addressing<qmann::memory<fixed8>, qmann::hamming_similarity, qmann::base2_softmax>
      fixed_hamming;
  const auto& pf = float_dot.address(mem_f, qmann::quantize<float>(key_f));
  const auto& pd = fixed_dot.address(mem_q, key_q);
  const auto& ph = fixed_hamming.address(mem_q, key_q);
  std::printf("\nattention over 4 slots (key nearest slot 2):\n");
  std::printf("  float dot             %.3f %.3f %.3f %.3f\n", static_cast<double>(pf[0]),
              static_cast<double>(pf[1]), static_cast<double>(pf[2]), static_cast<double>(pf[3]));
  std::printf("  fixed<8,5> dot        %.3f %.3f %.3f %.3f   (scores saturate at 3.97)\n",
              static_cast<double>(pd[0]), static_cast<double>(pd[1]), static_cast<double>(pd[2]),
              static_cast<double>(pd[3]));
  std::printf("  fixed<8,5> Hamming    %.3f %.3f %.3f %.3f   (integer-only)\n",
              static_cast<double>(static_cast<float>(ph[0])), static_cast<double>(static_cast<float>(ph[1])),
              static_cast<double>(static_cast<float>(ph[2])), static_cast<double>(static_cast<float>(ph[3])));
  return 0;
}
