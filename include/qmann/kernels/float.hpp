// Float kernels on xsimd batches: dot product (FMA), softmax, read.
// Each has a scalar twin in scalar.hpp; results differ from it only by the
// rounding of a different summation order and of FMA (bounds in the tests).
#pragma once

#include <algorithm>
#include <cstddef>

#include "qmann/kernels/scalar.hpp"
#include "qmann/kernels/simd.hpp"

namespace qmann::kernels {

inline float dot(const float* a, const float* b, std::size_t n) noexcept {
  using vec = detail::batch<float>;
  constexpr std::size_t w = vec::size;
  // Four independent accumulators hide the FMA latency.
  vec acc0(0.0f), acc1(0.0f), acc2(0.0f), acc3(0.0f);
  std::size_t i = 0;
  for (; n - i >= 4 * w; i += 4 * w) {
    acc0 = xsimd::fma(vec::load_unaligned(a + i), vec::load_unaligned(b + i), acc0);
    acc1 = xsimd::fma(vec::load_unaligned(a + i + w), vec::load_unaligned(b + i + w), acc1);
    acc2 = xsimd::fma(vec::load_unaligned(a + i + 2 * w), vec::load_unaligned(b + i + 2 * w), acc2);
    acc3 = xsimd::fma(vec::load_unaligned(a + i + 3 * w), vec::load_unaligned(b + i + 3 * w), acc3);
  }
  for (; n - i >= w; i += w)
    acc0 = xsimd::fma(vec::load_unaligned(a + i), vec::load_unaligned(b + i), acc0);
  float sum = xsimd::hadd((acc0 + acc1) + (acc2 + acc3));
  for (; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

inline float squared_norm(const float* a, std::size_t n) noexcept { return dot(a, a, n); }

/// out[i] = dot(key, row i) for n rows of `dim` floats, `stride` apart. Four
/// rows at a time share each load of the key.
inline void dot_rows(const float* key, const float* rows, std::size_t n, std::size_t dim,
                     std::size_t stride, float* out) noexcept {
  using vec = detail::batch<float>;
  constexpr std::size_t w = vec::size;
  std::size_t i = 0;
  for (; n - i >= 4; i += 4) {
    const float* r0 = rows + i * stride;
    const float* r1 = r0 + stride;
    const float* r2 = r1 + stride;
    const float* r3 = r2 + stride;
    vec a0(0.0f), a1(0.0f), a2(0.0f), a3(0.0f);
    std::size_t d = 0;
    for (; dim - d >= w; d += w) {
      const vec k = vec::load_unaligned(key + d);
      a0 = xsimd::fma(k, vec::load_unaligned(r0 + d), a0);
      a1 = xsimd::fma(k, vec::load_unaligned(r1 + d), a1);
      a2 = xsimd::fma(k, vec::load_unaligned(r2 + d), a2);
      a3 = xsimd::fma(k, vec::load_unaligned(r3 + d), a3);
    }
    float s0 = xsimd::hadd(a0), s1 = xsimd::hadd(a1), s2 = xsimd::hadd(a2), s3 = xsimd::hadd(a3);
    for (; d < dim; ++d) {
      s0 += key[d] * r0[d];
      s1 += key[d] * r1[d];
      s2 += key[d] * r2[d];
      s3 += key[d] * r3[d];
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  for (; i < n; ++i) out[i] = dot(key, rows + i * stride, dim);
}

/// p_i = exp(beta (s_i - max)) / sum, in place (see scalar::softmax).
inline void softmax(float* s, std::size_t n, float beta = 1.0f) noexcept {
  using vec = detail::batch<float>;
  constexpr std::size_t w = vec::size;
  if (n == 0) return;
  float max = s[0];
  std::size_t i = 0;
  if (n >= w) {
    vec m = vec::load_unaligned(s);
    for (i = w; i + w <= n; i += w) m = xsimd::max(m, vec::load_unaligned(s + i));
    alignas(64) float lanes[w];
    m.store_aligned(lanes);
    max = *std::max_element(lanes, lanes + w);
  }
  for (; i < n; ++i) max = std::max(max, s[i]);

  const vec vbeta(beta), vmax(max);
  vec vsum(0.0f);
  float sum = 0.0f;
  for (i = 0; i + w <= n; i += w) {
    const vec e = xsimd::exp(vbeta * (vec::load_unaligned(s + i) - vmax));
    e.store_unaligned(s + i);
    vsum += e;
  }
  sum = xsimd::hadd(vsum);
  for (; i < n; ++i) {
    s[i] = std::exp(beta * (s[i] - max));
    sum += s[i];
  }
  const float inverse = 1.0f / sum;
  const vec vinverse(inverse);
  for (i = 0; i + w <= n; i += w) (vec::load_unaligned(s + i) * vinverse).store_unaligned(s + i);
  for (; i < n; ++i) s[i] *= inverse;
}

/// out[d] = sum_i p[i] * rows[i * stride + d]. Blocks of columns stay in
/// registers while all rows stream past, so `out` is written once.
inline void read(const float* p, const float* rows, std::size_t n, std::size_t dim,
                 std::size_t stride, float* out) noexcept {
  using vec = detail::batch<float>;
  constexpr std::size_t w = vec::size;
  std::size_t d = 0;
  for (; d + 4 * w <= dim; d += 4 * w) {
    vec acc0(0.0f), acc1(0.0f), acc2(0.0f), acc3(0.0f);
    for (std::size_t i = 0; i < n; ++i) {
      const vec pi(p[i]);
      const float* row = rows + i * stride + d;
      acc0 = xsimd::fma(pi, vec::load_unaligned(row), acc0);
      acc1 = xsimd::fma(pi, vec::load_unaligned(row + w), acc1);
      acc2 = xsimd::fma(pi, vec::load_unaligned(row + 2 * w), acc2);
      acc3 = xsimd::fma(pi, vec::load_unaligned(row + 3 * w), acc3);
    }
    acc0.store_unaligned(out + d);
    acc1.store_unaligned(out + d + w);
    acc2.store_unaligned(out + d + 2 * w);
    acc3.store_unaligned(out + d + 3 * w);
  }
  for (; d + w <= dim; d += w) {
    vec acc(0.0f);
    for (std::size_t i = 0; i < n; ++i)
      acc = xsimd::fma(vec(p[i]), vec::load_unaligned(rows + i * stride + d), acc);
    acc.store_unaligned(out + d);
  }
  if (d < dim) {
    std::fill(out + d, out + dim, 0.0f);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t e = d; e < dim; ++e) out[e] += p[i] * rows[i * stride + e];
  }
}

}  // namespace qmann::kernels
