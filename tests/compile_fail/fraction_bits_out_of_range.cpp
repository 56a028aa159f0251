// F must be in [0, W): the error message says so.
#include <qmann/qmann.hpp>

int main() {
#ifdef QMANN_COMPILE_FAIL
  qmann::fixed<8, 8> x{0.5f};
#else
  qmann::fixed<8, 7> x{0.5f};
#endif
  return x.raw() == 64 ? 0 : 1;
}
