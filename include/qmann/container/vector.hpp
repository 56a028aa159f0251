// qmann::vector<T>: an owning, fixed-size, 64-byte aligned vector of a number
// type. Values live in T's storage units (number_traits<T>::storage): floats,
// raw fixed-point integers, or for binary 64 elements per 64-bit word, bit i
// of word w holding element 64w + i. Storage past the last element is zero
// and stays zero (for binary: padding bits are +1 and never change a result,
// because kernels count with the element count, not the word count).
//
// Element access is by value for every T (`v[i]`, `v.set(i, x)`), since a
// packed binary element has no address; kernels take `storage()` spans.
#pragma once

#include <cassert>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "qmann/container/aligned_buffer.hpp"
#include "qmann/number/traits.hpp"

namespace qmann {

/// Storage units needed for n elements of T.
template <number T>
constexpr std::size_t storage_units(std::size_t n) noexcept {
  constexpr std::size_t per = number_traits<T>::elements_per_storage;
  return (n + per - 1) / per;
}

template <number T>
class vector {
  using traits = number_traits<T>;

 public:
  using value_type = T;
  using storage_type = typename traits::storage;

  vector() = default;
  /// n elements, each T{} (0, or +1 for binary).
  explicit vector(std::size_t n) : buffer_(storage_units<T>(n)), size_(n) {}
  vector(std::size_t n, T value) : vector(n) {
    for (std::size_t i = 0; i < n; ++i) set(i, value);
  }

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  /// Element i; precondition i < size() (checked by assert in debug builds).
  T operator[](std::size_t i) const noexcept {
    assert(i < size_);
    return traits::load(buffer_.data(), i);
  }
  /// Element i; throws std::out_of_range when i >= size().
  T at(std::size_t i) const {
    check(i);
    return (*this)[i];
  }
  /// Sets element i; precondition i < size().
  void set(std::size_t i, T value) noexcept {
    assert(i < size_);
    traits::store(buffer_.data(), i, value);
  }

  /// The storage units, padding included (storage_units<T>(size()) of them).
  std::span<storage_type> storage() noexcept { return buffer_.span(); }
  std::span<const storage_type> storage() const noexcept { return buffer_.span(); }

  friend bool operator==(const vector& a, const vector& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t u = 0; u < a.buffer_.size(); ++u)
      if (!(a.buffer_.data()[u] == b.buffer_.data()[u])) return false;
    return true;
  }

 private:
  void check(std::size_t i) const {
    if (i >= size_)
      throw std::out_of_range("qmann::vector: index " + std::to_string(i) + " >= size " +
                              std::to_string(size_));
  }

  detail::aligned_buffer<storage_type> buffer_;
  std::size_t size_ = 0;
};

/// Each value quantized to T by T's rounding and overflow rules.
template <number T>
vector<T> quantize(std::span<const float> values) {
  vector<T> v(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) v.set(i, quantize<T>(values[i]));
  return v;
}

template <number T>
std::vector<float> to_floats(const vector<T>& v) {
  std::vector<float> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) out[i] = to_float(v[i]);
  return out;
}

}  // namespace qmann
