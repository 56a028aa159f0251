// Construction from float is explicit.
#include <qmann/qmann.hpp>

int main() {
#ifdef QMANN_COMPILE_FAIL
  qmann::fixed<8, 5> x = 0.75f;
#else
  qmann::fixed<8, 5> x{0.75f};
#endif
  return x.raw() == 24 ? 0 : 1;
}
