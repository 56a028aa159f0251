// Energy per operation, and the energy of counted operations.
//
// The default is Horowitz, "Computing's energy problem" (ISSCC 2014), 45 nm,
// the basis of Park et al.'s 22x: integer add 8-bit 0.03 pJ, 16-bit 0.05 pJ,
// 32-bit 0.1 pJ; integer multiply 8-bit 0.2 pJ, 32-bit 3.1 pJ; float add
// 16-bit 0.4 pJ, 32-bit 0.9 pJ; float multiply 16-bit 1.1 pJ, 32-bit 3.7 pJ.
// What Horowitz does not list is costed so as never to flatter the integer
// schemes: integer operations by an upper bound, float ones by a lower one.
//   - a width between listed ones costs the next wider listed one (a 16-bit
//     integer multiply costs 3.1 pJ, like a 32-bit one; 1-bit ops cost 8-bit
//     ones); 64-bit integer add 0.2 pJ (two 32-bit adds), multiply 12.4 pJ
//     (four 32-bit multiplies);
//   - integer compare, shift and logic (XOR, XNOR, AND, select) cost an
//     integer add of their width (each is at most an adder's work);
//   - popcount of w bits costs log2(w) integer adds of w bits (an adder
//     tree; 64 bits: 6 x 0.2 = 1.2 pJ);
//   - a table lookup (the base-2 softmax's 32-entry, 16-bit tables) costs a
//     32-bit integer multiply, 3.1 pJ, far above a 64-byte ROM read;
//   - integer division (one 64-bit per softmax) costs 64 64-bit adds
//     (restoring division), 12.8 pJ;
//   - float compare costs a 32-bit integer add (0.1 pJ), float exp one float
//     multiply and one float add (4.6 pJ: a lower bound, a real exp needs a
//     polynomial), float divide one float multiply (3.7 pJ).
// Users may pass a table of their own.
#pragma once

#include <array>
#include <cstddef>

#include "qmann/energy/operations.hpp"

namespace qmann::energy {

class energy_table {
 public:
  /// All zero; set entries with set().
  energy_table() = default;

  /// Picojoules of one operation of kind o, arithmetic a, `bits` wide.
  double pj(op o, arithmetic a, int bits) const noexcept { return pj_[index(o, a, width_index(bits))]; }
  void set(op o, arithmetic a, int bits, double picojoules) noexcept {
    pj_[index(o, a, width_index(bits))] = picojoules;
  }

  /// The energy of everything `counts` holds, or of one component, in pJ.
  double energy_pj(const op_counter& counts) const noexcept {
    double sum = 0.0;
    for (std::size_t c = 0; c < components; ++c) sum += energy_pj(counts, static_cast<component>(c));
    return sum;
  }
  double energy_pj(const op_counter& counts, component c) const noexcept {
    double sum = 0.0;
    for (std::size_t o = 0; o < op_kinds; ++o)
      for (auto a : {arithmetic::integer, arithmetic::floating})
        for (int bits : widths)
          sum += static_cast<double>(counts.count(c, static_cast<op>(o), a, bits)) * pj(static_cast<op>(o), a, bits);
    return sum;
  }

  /// Horowitz 45 nm with the costing rules above.
  static energy_table horowitz_45nm() noexcept {
    energy_table t;
    constexpr auto I = arithmetic::integer, F = arithmetic::floating;
    const std::array<double, 5> int_add = {0.03, 0.03, 0.05, 0.1, 0.2};   // 1, 8, 16, 32, 64 bits
    const std::array<double, 5> int_mul = {0.2, 0.2, 3.1, 3.1, 12.4};
    const std::array<double, 5> float_add = {0.4, 0.4, 0.4, 0.9, 0.9};    // 64-bit float: as 32 (unused)
    const std::array<double, 5> float_mul = {1.1, 1.1, 1.1, 3.7, 3.7};
    for (std::size_t w = 0; w < widths.size(); ++w) {
      const int bits = widths[w];
      t.set(op::add, I, bits, int_add[w]);
      t.set(op::multiply, I, bits, int_mul[w]);
      for (op o : {op::compare, op::shift, op::logic}) t.set(o, I, bits, int_add[w]);
      int levels = 0;
      for (int x = bits; x > 1; x /= 2) ++levels;
      t.set(op::popcount, I, bits, (levels > 0 ? levels : 1) * int_add[w]);
      t.set(op::lookup, I, bits, 3.1);
      t.set(op::divide, I, bits, 64 * 0.2);
      t.set(op::add, F, bits, float_add[w]);
      t.set(op::multiply, F, bits, float_mul[w]);
      t.set(op::compare, F, bits, 0.1);
      t.set(op::exp, F, bits, float_mul[w] + float_add[w]);
      t.set(op::divide, F, bits, float_mul[w]);
    }
    return t;
  }

 private:
  static constexpr std::size_t index(op o, arithmetic a, std::size_t w) noexcept {
    return (static_cast<std::size_t>(o) * 2 + static_cast<std::size_t>(a)) * widths.size() + w;
  }
  std::array<double, op_kinds * 2 * widths.size()> pj_{};
};

}  // namespace qmann::energy
