// Counting the operations of inference: the policy the inference paths
// (memn2n::predict, quantized_memn2n<Scheme>::predict) take as a template
// parameter. Each stage of the forward pass reports what it computed, by
// component, kind of operation, integer or float, and bit width, as the
// arithmetic of the algorithm (what a hardware implementation must do), not
// the instructions of one CPU. With no_count every call compiles away.
//
// Bit widths are the operands' (an int8 x int8 multiply is 8-bit, its int32
// accumulation a 32-bit add) and round up to 1, 8, 16, 32 or 64.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qmann::energy {

enum class op { add, multiply, compare, shift, logic, popcount, lookup, exp, divide };
inline constexpr std::size_t op_kinds = 9;
enum class arithmetic { integer, floating };
/// Where an operation belongs in the MemN2N: the embedding sums (memories
/// and query), the addressing (scores and softmax), the read, the
/// controller update, the answer layer.
enum class component { embedding, addressing, read, controller, answer };
inline constexpr std::size_t components = 5;

inline constexpr std::array<int, 5> widths = {1, 8, 16, 32, 64};

constexpr std::size_t width_index(int bits) noexcept {
  return bits <= 1 ? 0 : bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 3 : 4;
}

constexpr std::string_view name(op o) noexcept {
  constexpr std::array<std::string_view, op_kinds> names = {"add",      "multiply", "compare", "shift", "logic",
                                                          "popcount", "lookup",   "exp",     "divide"};
  return names[static_cast<std::size_t>(o)];
}
constexpr std::string_view name(component c) noexcept {
  constexpr std::array<std::string_view, components> names = {"embedding", "addressing", "read", "controller",
                                                               "answer"};
  return names[static_cast<std::size_t>(c)];
}

/// The default policy: counts nothing, costs nothing.
struct no_count {
  static constexpr bool counts = false;
  constexpr void operator()(component, op, arithmetic, int, std::uint64_t) const noexcept {}
};

/// Tallies operations by component, kind, arithmetic and bit width.
class op_counter {
 public:
  static constexpr bool counts = true;

  void operator()(component c, op o, arithmetic a, int bits, std::uint64_t n) noexcept {
    counts_[index(c, o, a, width_index(bits))] += n;
  }

  /// Operations of one kind, arithmetic and width (rounded up as above) in
  /// one component, or in all of them.
  std::uint64_t count(component c, op o, arithmetic a, int bits) const noexcept {
    return counts_[index(c, o, a, width_index(bits))];
  }
  std::uint64_t count(op o, arithmetic a, int bits) const noexcept {
    std::uint64_t n = 0;
    for (std::size_t c = 0; c < components; ++c) n += count(static_cast<component>(c), o, a, bits);
    return n;
  }
  std::uint64_t total() const noexcept {
    std::uint64_t n = 0;
    for (auto x : counts_) n += x;
    return n;
  }

  op_counter& operator+=(const op_counter& other) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    return *this;
  }
  friend bool operator==(const op_counter&, const op_counter&) = default;

 private:
  static constexpr std::size_t index(component c, op o, arithmetic a, std::size_t w) noexcept {
    return ((static_cast<std::size_t>(c) * op_kinds + static_cast<std::size_t>(o)) * 2 +
            static_cast<std::size_t>(a)) * widths.size() + w;
  }
  std::array<std::uint64_t, components * op_kinds * 2 * widths.size()> counts_{};
};

}  // namespace qmann::energy
