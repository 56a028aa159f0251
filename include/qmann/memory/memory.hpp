// qmann::memory<T>: N slots of D elements of a number type, the external
// memory of a memory-augmented network. Row-major (one slot per row) for
// every T, bit-packed for binary, on qmann::matrix storage; the addressing
// kernels stream it row by row.
//
// Operations: write a slot; the NTM erase/add update
//   M_i <- M_i * (1 - w_i e) + w_i a        (Graves et al. 2014, eq. 3-4)
// and the read o = sum_i p_i M_i (content.hpp, with the probabilities of the
// addressing).
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

#include "qmann/container/matrix.hpp"
#include "qmann/container/vector.hpp"
#include "qmann/number/traits.hpp"

namespace qmann {

template <number T>
class memory {
  using traits = number_traits<T>;

 public:
  using value_type = T;
  using storage_type = typename traits::storage;

  memory() = default;
  /// slots x dim elements, each T{}. Throws std::invalid_argument for dim 0.
  memory(std::size_t slots, std::size_t dim) : rows_(slots, dim) {
    if (dim == 0) throw std::invalid_argument("qmann::memory: dim must be > 0");
  }

  std::size_t slots() const noexcept { return rows_.rows(); }
  std::size_t dim() const noexcept { return rows_.cols(); }
  const matrix<T>& rows() const noexcept { return rows_; }

  T operator()(std::size_t slot, std::size_t d) const { return rows_.at(slot, d); }

  /// A copy of slot `slot`, e.g. to use it as a key.
  vector<T> slot(std::size_t slot) const {
    check_slot(slot, "slot");
    vector<T> v(dim());
    const auto row = rows_.row(slot);
    std::copy(row.begin(), row.end(), v.storage().begin());
    return v;
  }

  /// Slot `slot` takes `values`, each quantized by T's rules.
  void write(std::size_t slot, std::span<const float> values) {
    check_slot(slot, "write");
    check_size(values.size(), "write");
    for (std::size_t d = 0; d < dim(); ++d) rows_.set(slot, d, quantize<T>(values[d]));
  }
  void write(std::size_t slot, const vector<T>& values) {
    check_slot(slot, "write");
    check_size(values.size(), "write");
    for (std::size_t d = 0; d < dim(); ++d) rows_.set(slot, d, values[d]);
  }

  /// NTM erase/add: M_i[d] <- M_i[d] (1 - w_i e[d]) + w_i a[d] for every slot,
  /// computed in float from the stored values and quantized back by T's rules
  /// (for binary: the sign of the result).
  void erase_add(std::span<const float> w, std::span<const float> erase,
                 std::span<const float> add) {
    if (w.size() != slots())
      throw std::invalid_argument("qmann::memory::erase_add: " + std::to_string(w.size()) +
                                  " weights for " + std::to_string(slots()) + " slots");
    check_size(erase.size(), "erase_add (erase vector)");
    check_size(add.size(), "erase_add (add vector)");
    for (std::size_t i = 0; i < slots(); ++i) {
      if (w[i] == 0.0f) continue;  // untouched slots keep their bits exactly
      for (std::size_t d = 0; d < dim(); ++d) {
        const float m = to_float(rows_(i, d));
        rows_.set(i, d, quantize<T>(m * (1.0f - w[i] * erase[d]) + w[i] * add[d]));
      }
    }
  }

 private:
  void check_slot(std::size_t slot, const char* what) const {
    if (slot >= slots())
      throw std::out_of_range(std::string("qmann::memory::") + what + ": slot " +
                              std::to_string(slot) + " >= " + std::to_string(slots()));
  }
  void check_size(std::size_t size, const char* what) const {
    if (size != dim())
      throw std::invalid_argument(std::string("qmann::memory::") + what + ": " +
                                  std::to_string(size) + " values for dim " + std::to_string(dim()));
  }

  matrix<T> rows_;
};

}  // namespace qmann
