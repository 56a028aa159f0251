// Built by tests/package/run_consumer.cmake as an outside project would.
#include <qmann/qmann.hpp>

#include <cstdio>

int main() {
  const qmann::fixed<8, 5> a{0.75f};
  const qmann::fixed<8, 4> b{-1.5f};
  const auto product = qmann::fixed_cast<qmann::fixed<8, 5>>(a * b);
  const qmann::vector<qmann::binary> bits(100, qmann::binary{-1.0f});
  if (bits.storage().size() != 2 || static_cast<float>(bits[99]) != -1.0f) return 1;
  std::printf("qmann consumer ok: %g x %g = %g (qmann %d.%d.%d)\n", static_cast<double>(a),
              static_cast<double>(b), static_cast<double>(product), qmann::version.major,
              qmann::version.minor, qmann::version.patch);
  return 0;
}
