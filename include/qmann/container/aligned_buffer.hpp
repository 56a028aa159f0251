// detail::aligned_buffer: the zero-filled, 64-byte aligned storage behind
// qmann's vector and matrix. 64 bytes is one AVX-512 register and one cache
// line, so SIMD kernels may use aligned loads at the start of every buffer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

namespace qmann {

/// Alignment, in bytes, of the storage of every qmann container.
inline constexpr std::size_t storage_alignment = 64;

namespace detail {

template <class S>
class aligned_buffer {
  static_assert(std::is_trivially_copyable_v<S>, "aligned_buffer holds plain storage units");

 public:
  aligned_buffer() noexcept = default;
  explicit aligned_buffer(std::size_t n) : size_(n) {
    if (n == 0) return;
    data_ = static_cast<S*>(::operator new(n * sizeof(S), std::align_val_t{storage_alignment}));
    std::fill_n(data_, n, S{});
  }
  aligned_buffer(const aligned_buffer& other) : aligned_buffer(other.size_) {
    std::copy_n(other.data_, size_, data_);
  }
  aligned_buffer(aligned_buffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  aligned_buffer& operator=(aligned_buffer other) noexcept {
    swap(other);
    return *this;
  }
  ~aligned_buffer() { release(); }

  void swap(aligned_buffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

  S* data() noexcept { return data_; }
  const S* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }
  std::span<S> span() noexcept { return {data_, size_}; }
  std::span<const S> span() const noexcept { return {data_, size_}; }

 private:
  void release() noexcept {
    if (data_) ::operator delete(data_, std::align_val_t{storage_alignment});
  }

  S* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace detail
}  // namespace qmann
