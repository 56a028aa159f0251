// qmann::matrix<T>: an owning rows x cols matrix of a number type, row-major,
// 64-byte aligned. Each row starts on a storage unit (for binary: a 64-bit
// word), rows are packed densely otherwise: row_stride() units per row, so a
// memory of N slots reads as one contiguous stream. Storage past the last
// column of a row is zero and stays zero, as in qmann::vector.
#pragma once

#include <cassert>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

#include "qmann/container/aligned_buffer.hpp"
#include "qmann/container/vector.hpp"
#include "qmann/number/traits.hpp"

namespace qmann {

template <number T>
class matrix {
  using traits = number_traits<T>;

 public:
  using value_type = T;
  using storage_type = typename traits::storage;

  matrix() = default;
  /// rows x cols elements, each T{} (0, or +1 for binary).
  matrix(std::size_t rows, std::size_t cols)
      : buffer_(rows * storage_units<T>(cols)), rows_(rows), cols_(cols),
        stride_(storage_units<T>(cols)) {}

  std::size_t rows() const noexcept { return rows_; }
  std::size_t cols() const noexcept { return cols_; }
  /// Storage units from the start of one row to the start of the next.
  std::size_t row_stride() const noexcept { return stride_; }

  /// Element (r, c); precondition r < rows(), c < cols().
  T operator()(std::size_t r, std::size_t c) const noexcept {
    assert(r < rows_ && c < cols_);
    return traits::load(buffer_.data() + r * stride_, c);
  }
  /// Element (r, c); throws std::out_of_range when out of bounds.
  T at(std::size_t r, std::size_t c) const {
    if (r >= rows_ || c >= cols_)
      throw std::out_of_range("qmann::matrix: element (" + std::to_string(r) + ", " +
                              std::to_string(c) + ") outside " + std::to_string(rows_) + " x " +
                              std::to_string(cols_));
    return (*this)(r, c);
  }
  void set(std::size_t r, std::size_t c, T value) noexcept {
    assert(r < rows_ && c < cols_);
    traits::store(buffer_.data() + r * stride_, c, value);
  }

  /// Row r's storage units (row_stride() of them, padding included).
  std::span<storage_type> row(std::size_t r) noexcept {
    assert(r < rows_);
    return {buffer_.data() + r * stride_, stride_};
  }
  std::span<const storage_type> row(std::size_t r) const noexcept {
    assert(r < rows_);
    return {buffer_.data() + r * stride_, stride_};
  }

  /// All storage units, rows one after another.
  std::span<storage_type> storage() noexcept { return buffer_.span(); }
  std::span<const storage_type> storage() const noexcept { return buffer_.span(); }

  friend bool operator==(const matrix& a, const matrix& b) noexcept {
    if (a.rows_ != b.rows_ || a.cols_ != b.cols_) return false;
    for (std::size_t u = 0; u < a.buffer_.size(); ++u)
      if (!(a.buffer_.data()[u] == b.buffer_.data()[u])) return false;
    return true;
  }

 private:
  detail::aligned_buffer<storage_type> buffer_;
  std::size_t rows_ = 0;
  std::size_t cols_ = 0;
  std::size_t stride_ = 0;
};

/// A rows x cols matrix of T from row-major floats, each quantized by T's rules.
/// Throws std::invalid_argument when values.size() != rows * cols.
template <number T>
matrix<T> quantize(std::span<const float> values, std::size_t rows, std::size_t cols) {
  if (values.size() != rows * cols)
    throw std::invalid_argument("qmann::quantize: " + std::to_string(values.size()) +
                                " values for a " + std::to_string(rows) + " x " +
                                std::to_string(cols) + " matrix");
  matrix<T> m(rows, cols);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c) m.set(r, c, quantize<T>(values[r * cols + c]));
  return m;
}

}  // namespace qmann
