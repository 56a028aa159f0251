// A container of a type that is not a qmann number fails at the constraint.
#include <qmann/qmann.hpp>

#include <string>

int main() {
#ifdef QMANN_COMPILE_FAIL
  qmann::vector<std::string> v(3);
#else
  qmann::vector<qmann::fixed<8, 5>> v(3);
#endif
  return static_cast<int>(v.size()) - 3;
}
