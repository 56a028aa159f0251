// The one header that names xsimd (Debian's 8.1) and x86 intrinsics. Kernels
// are chosen at compile time from what the compiler targets (-march): xsimd's
// best architecture for float work, and AVX-512 (BW, VNNI, VPOPCNTDQ) or AVX2
// intrinsics for the integer operations xsimd 8.1 lacks (popcount, sum of
// absolute differences, int8 dot products). A newer xsimd touches only this
// file.
#pragma once

#include <cstddef>

#if defined(__x86_64__) || defined(__i386__)
// GCC 12's AVX-512 intrinsics start from an undefined vector and warn about
// it once inlined (GCC bug 105593, fixed in GCC 13): silence that warning for
// the intrinsic headers only, before xsimd includes them.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

#include <xsimd/xsimd.hpp>

namespace qmann::kernels {

namespace detail {

/// xsimd's best architecture for this translation unit's target.
using simd_arch = xsimd::default_arch;
template <class T>
using batch = xsimd::batch<T, simd_arch>;

#if defined(__AVX512BW__)
inline constexpr bool has_avx512bw = true;
#else
inline constexpr bool has_avx512bw = false;
#endif
#if defined(__AVX2__)
inline constexpr bool has_avx2 = true;
#else
inline constexpr bool has_avx2 = false;
#endif

}  // namespace detail

/// What the integer kernels of this build run on, for reports and tests.
constexpr const char* integer_isa() noexcept {
#if defined(__AVX512BW__) && defined(__AVX512VNNI__) && defined(__AVX512VPOPCNTDQ__)
  return "avx512bw+vnni+vpopcntdq";
#elif defined(__AVX512BW__)
  return "avx512bw";
#elif defined(__AVX2__)
  return "avx2";
#else
  return "scalar";
#endif
}

/// xsimd's architecture for float kernels (e.g. "sse2", "avx2", "avx512bw").
inline const char* float_isa() noexcept { return detail::simd_arch::name(); }

}  // namespace qmann::kernels
