// binary has a product (XNOR) but no sum: sums of +/-1 values are integers,
// computed by the kernels as counts, never as a binary.
#include <qmann/qmann.hpp>

int main() {
  const qmann::binary a{1.0f};
  const qmann::binary b{-1.0f};
#ifdef QMANN_COMPILE_FAIL
  const auto r = a + b;
#else
  const auto r = a * b;
#endif
  return r.value() == -1 ? 0 : 1;
}
