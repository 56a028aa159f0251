#include <doctest/doctest.h>

#include <qmann/number/binary.hpp>
#include <qmann/number/ostream.hpp>

#include <limits>
#include <sstream>

using qmann::binary;

static_assert(binary{}.value() == 1);
static_assert(binary{-0.5f}.value() == -1);
static_assert((binary{-1.0f} * binary{-1.0f}).value() == 1);

TEST_CASE("binary: the sign of its input, 0 -> +1") {
  CHECK(binary{0.0f}.value() == 1);
  CHECK(binary{-0.0f}.value() == 1);
  CHECK(binary{1e-30f}.value() == 1);
  CHECK(binary{-1e-30f}.value() == -1);
  CHECK(binary{std::numeric_limits<float>::infinity()}.value() == 1);
  CHECK(binary{-std::numeric_limits<float>::infinity()}.value() == -1);
  CHECK(binary{std::numeric_limits<float>::quiet_NaN()}.value() == 1);
  CHECK(binary{-3}.value() == -1);
  CHECK(binary{0}.value() == 1);
  CHECK(static_cast<float>(binary{-2.0f}) == -1.0f);
  CHECK(static_cast<float>(binary{2.0f}) == 1.0f);
  CHECK(binary{-2.0}.bit());
  CHECK_FALSE(binary{2.0}.bit());
}

TEST_CASE("binary: multiplication is XNOR of the values, XOR of the sign bits") {
  for (int a = 0; a < 2; ++a)
    for (int b = 0; b < 2; ++b) {
      const binary x = binary::from_bit(a != 0), y = binary::from_bit(b != 0);
      CHECK((x * y).value() == x.value() * y.value());
      CHECK((x * y).bit() == ((a ^ b) != 0));
    }
  CHECK((-binary{1.0f}).value() == -1);
  CHECK(binary{-1.0f} < binary{1.0f});
  std::ostringstream s;
  s << binary{-1.0f} << ' ' << binary{1.0f};
  CHECK(s.str() == "-1 +1");
}
