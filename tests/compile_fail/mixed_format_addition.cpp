// Adding two formats needs an explicit fixed_cast: precision is never lost silently.
#include <qmann/qmann.hpp>

int main() {
  const qmann::fixed<8, 5> a{0.5f};
  const qmann::fixed<8, 4> b{0.5f};
#ifdef QMANN_COMPILE_FAIL
  const auto sum = a + b;
#else
  const auto sum = a + qmann::fixed_cast<qmann::fixed<8, 5>>(b);
#endif
  return sum.raw() == 32 ? 0 : 1;
}
