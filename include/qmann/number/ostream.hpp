// Stream output of qmann's number types, for diagnostics and test failures:
// a fixed prints its value and its raw bits ("0.75 (fixed<8,5> raw 0x18)"),
// a binary prints +1 or -1.
#pragma once

#include <ios>
#include <ostream>
#include <type_traits>

#include "qmann/number/binary.hpp"
#include "qmann/number/fixed.hpp"

namespace qmann {

template <int W, int F, class O, class R>
std::ostream& operator<<(std::ostream& os, fixed<W, F, O, R> x) {
  using unsigned_storage = std::make_unsigned_t<typename fixed<W, F, O, R>::storage_type>;
  const auto bits = static_cast<unsigned long long>(static_cast<unsigned_storage>(x.raw()));
  const auto flags = os.flags();
  os << static_cast<double>(x) << " (fixed<" << W << ',' << F << "> raw 0x" << std::hex << bits
     << ')';
  os.flags(flags);
  return os;
}

inline std::ostream& operator<<(std::ostream& os, binary b) {
  return os << (b.bit() ? "-1" : "+1");
}

}  // namespace qmann
