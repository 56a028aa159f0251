// The integer-only forward pass of a quantized MemN2N (no float operation):
// quantization-aware training runs it with the scalar kernels and tables
// quantized on the fly from the float weights; the exported model
// (quantized_memn2n.hpp) runs the same function with the SIMD kernels and
// its int8 tables. The quantization it computes is described at
// memn2n_quantization (memn2n_config.hpp); the equations are memn2n.hpp's.
//
// Formats (fractional bits) of the intermediate sums, all exact:
//   embedding sum    sum_j l_j E[x_j]      6 + table_frac[p]     (int32)
//   dot score        u . m                 cf_k + mf_k           (int32)
//   read             sum_i p_i c_i         14 + mf_v             (int32)
//   next controller  (u or H u) + o        14 + mf_v             (int64)
//   logits           W u                   table_frac[W] + cf_K  (int32)
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "qmann/kernels/binary.hpp"
#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/scalar.hpp"
#include "qmann/model/memn2n_config.hpp"
#include "qmann/number/rescale.hpp"

namespace qmann::detail {

/// Scratch and results of one integer forward pass; one per thread.
struct integer_workspace {
  std::vector<std::int8_t> memory;    // e x n x d raw (binary: -1 or +1)
  std::vector<std::uint64_t> bits;    // binary: e x n x words, bit set = negative
  std::vector<std::int32_t> alpha;    // binary: e x n, raw in fixed<8, memory_frac[e]>
  std::vector<std::int32_t> u;        // (K + 1) x d raw controller states
  std::vector<std::int8_t> key;       // K x d: u in the key memory's format (or u)
  std::vector<std::uint64_t> key_bits;
  std::vector<std::int32_t> scores;   // n + padding
  std::vector<std::uint32_t> counts;  // binary hamming: differing bits per slot
  std::vector<std::int16_t> p;        // K x (n + padding) attention, Q14
  std::vector<std::int32_t> read;     // d
  std::vector<std::int32_t> logits;   // V, raw with table_frac[W] + cf_K bits
  std::vector<std::int32_t> time;
  std::vector<std::int32_t> sum;      // d, an embedding sum
  std::size_t slots = 0;              // n + padding of the last pass
};

/// The kernels the integer pass calls: the scalar oracle or the SIMD twins.
struct scalar_kernels {
  static void dot_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n, std::size_t dim,
                       std::int32_t* out) noexcept {
    kernels::scalar::dot_rows(key, rows, n, dim, dim, out);
  }
  template <int W>
  static void weighted_hamming_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n,
                                    std::size_t dim, std::int32_t* out) noexcept {
    kernels::scalar::weighted_hamming_rows<W>(key, rows, n, dim, dim, out);
  }
  static void xor_popcount_rows(const std::uint64_t* key, const std::uint64_t* rows, std::size_t n,
                                std::size_t words, std::uint32_t* out) noexcept {
    kernels::scalar::xor_popcount_rows(key, rows, n, words, words, out);
  }
  static void softmax_base2(const std::int32_t* s, std::size_t n, int frac, std::uint16_t beta,
                            std::int16_t* p) noexcept {
    kernels::scalar::softmax_base2(s, n, frac, beta, p);
  }
  static void read(const std::int16_t* p, const std::int8_t* rows, std::size_t n, std::size_t dim,
                   std::int32_t* out) noexcept {
    kernels::scalar::read(p, rows, n, dim, dim, out);
  }
};

struct simd_kernels {
  static void dot_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n, std::size_t dim,
                       std::int32_t* out) noexcept {
    kernels::dot_rows(key, rows, n, dim, dim, out);
  }
  template <int W>
  static void weighted_hamming_rows(const std::int8_t* key, const std::int8_t* rows, std::size_t n,
                                    std::size_t dim, std::int32_t* out) noexcept {
    kernels::weighted_hamming_rows<W>(key, rows, n, dim, dim, out);
  }
  static void xor_popcount_rows(const std::uint64_t* key, const std::uint64_t* rows, std::size_t n,
                                std::size_t words, std::uint32_t* out) noexcept {
    kernels::xor_popcount_rows(key, rows, n, words, words, out);
  }
  static void softmax_base2(const std::int32_t* s, std::size_t n, int frac, std::uint16_t beta,
                            std::int16_t* p) noexcept {
    kernels::softmax_base2(s, n, frac, beta, p);
  }
  static void read(const std::int16_t* p, const std::int8_t* rows, std::size_t n, std::size_t dim,
                   std::int32_t* out) noexcept {
    kernels::read(p, rows, n, dim, dim, out);
  }
};

/// The compile-time part of an integer scheme: memory width W (fixed-point
/// memories), binary memories, Hamming or dot scores.
template <int W, bool Binary, bool Hamming>
struct integer_scheme_tag {
  static_assert(W >= 2 && W <= 8, "integer memories are 2 to 8 bits wide");
};

/// The forward pass. `tables(p, row)` gives row `row` of parameter matrix p
/// as something indexable by r < d yielding its raw int8 value (in
/// fixed<8, q.table_frac[p]>); `pe` is the raw position encoding,
/// (sentence_size + 1) x d in fixed<8, memn2n_pe_frac>. Returns the answer
/// id (the argmax of ws.logits over ids >= 2).
template <int W, bool Binary, bool Hamming, class Kernels, class Tables>
std::int32_t integer_forward(integer_scheme_tag<W, Binary, Hamming>, Kernels, const memn2n_shape& shape,
                             const memn2n_quantization& q, const Tables& tables, const std::int8_t* pe,
                             const memn2n_input& in, integer_workspace& ws) {
  const std::size_t d = shape.config.dim, n = in.sentences, hops = shape.config.hops;
  const std::size_t sentence = shape.sentence_size, words = (d + 63) / 64;
  const std::size_t memories = shape.distinct_memories();
  const std::size_t slots = n + shape.padding_slots(n);
  ws.slots = slots;
  ws.memory.assign(memories * n * d, 0);
  if constexpr (Binary) {
    ws.bits.assign(memories * n * words, 0);
    ws.alpha.assign(memories * n, 0);
    ws.key_bits.assign(words, 0);
    ws.counts.resize(n);
  }
  ws.u.assign((hops + 1) * d, 0);
  ws.key.assign(hops * d, 0);
  ws.scores.assign(slots, 0);
  ws.p.assign(hops * slots, 0);
  ws.read.assign(d, 0);
  ws.logits.assign(shape.vocabulary_size, 0);
  ws.sum.resize(d);
  ws.time.resize(n);
  for (std::size_t i = 0; i < n; ++i) ws.time[i] = in.time ? in.time[i] : static_cast<std::int32_t>(n - 1 - i);

  // sum_j l_j E_p[ids_j] (+ l_J T_p[t]) in 6 + table_frac[p] bits: exact.
  auto embed = [&](std::size_t p, const std::int32_t* ids, const std::int32_t* time) {
    std::fill(ws.sum.begin(), ws.sum.end(), 0);
    for (std::size_t j = 0; j < sentence; ++j) {
      const auto id = static_cast<std::size_t>(ids[j]);
      if (id == 0) continue;
      const auto row = tables(p, id);
      const std::int8_t* l = pe + j * d;
      for (std::size_t r = 0; r < d; ++r) ws.sum[r] += std::int32_t{l[r]} * std::int32_t{row[r]};
    }
    if (time && shape.config.temporal_encoding) {
      const auto row = tables(p, shape.time_row(*time));
      const std::int8_t* l = pe + sentence * d;
      for (std::size_t r = 0; r < d; ++r) ws.sum[r] += std::int32_t{l[r]} * std::int32_t{row[r]};
    }
    return memn2n_pe_frac + q.table_frac[p];
  };

  for (std::size_t e = 0; e < memories; ++e) {
    const int mf = q.memory_frac[e];
    for (std::size_t i = 0; i < n; ++i) {
      const int frac = embed(shape.memory_param(e), in.story + i * sentence, &ws.time[i]);
      std::int8_t* m = ws.memory.data() + (e * n + i) * d;
      if constexpr (Binary) {
        // alpha sign(x), alpha = mean |x| (rounded), sign(0) = +1.
        std::int64_t magnitude = 0;
        std::uint64_t* bits = ws.bits.data() + (e * n + i) * words;
        for (std::size_t r = 0; r < d; ++r) {
          magnitude += std::abs(ws.sum[r]);
          m[r] = ws.sum[r] < 0 ? -1 : 1;
          if (ws.sum[r] < 0) bits[r / 64] |= std::uint64_t{1} << (r % 64);
        }
        const auto count = static_cast<std::int64_t>(d);
        ws.alpha[e * n + i] = rescale_raw((magnitude + count / 2) / count, frac, mf, 8);
      } else {
        for (std::size_t r = 0; r < d; ++r) m[r] = static_cast<std::int8_t>(rescale_raw(ws.sum[r], frac, mf, W));
      }
    }
  }
  {
    const int frac = embed(shape.b_param(), in.query, nullptr);
    for (std::size_t r = 0; r < d; ++r) ws.u[r] = rescale_raw(ws.sum[r], frac, q.controller_frac[0], 8);
  }

  const std::uint16_t beta = softmax_beta_raw(q);
  for (std::size_t k = 0; k < hops; ++k) {
    const std::int32_t* u = ws.u.data() + k * d;
    std::int32_t* next = ws.u.data() + (k + 1) * d;
    const std::size_t ek = shape.key_memory(k), ev = shape.value_memory(k);
    const int cf = q.controller_frac[k], mf = q.memory_frac[ek], vf = q.memory_frac[ev];
    std::int8_t* key = ws.key.data() + k * d;
    std::int32_t* s = ws.scores.data();
    std::fill(ws.scores.begin(), ws.scores.end(), 0);  // empty slots score 0
    int score_frac = 0;
    if constexpr (Hamming && Binary) {
      // Q-MANN binary: the number of dimensions whose signs agree.
      std::fill(ws.key_bits.begin(), ws.key_bits.end(), 0);
      for (std::size_t r = 0; r < d; ++r) {
        key[r] = u[r] < 0 ? -1 : 1;
        if (u[r] < 0) ws.key_bits[r / 64] |= std::uint64_t{1} << (r % 64);
      }
      if (n > 0) Kernels::xor_popcount_rows(ws.key_bits.data(), ws.bits.data() + ek * n * words, n, words, ws.counts.data());
      for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<std::int32_t>(d - ws.counts[i]);
    } else if constexpr (Hamming) {
      // Q-MANN: u in the memory's format, weighted-bit Hamming similarity.
      for (std::size_t r = 0; r < d; ++r) key[r] = static_cast<std::int8_t>(rescale_raw(u[r], cf, mf, W));
      if (n > 0) Kernels::template weighted_hamming_rows<W>(key, ws.memory.data() + ek * n * d, n, d, s);
      score_frac = W - 1;
    } else if constexpr (Binary) {
      // Conventional binary: alpha_i sum_r u_r sign(m_ir), narrowed to 8 bits.
      for (std::size_t r = 0; r < d; ++r) key[r] = static_cast<std::int8_t>(u[r]);
      for (std::size_t i = 0; i < n; ++i) {
        const std::int8_t* m = ws.memory.data() + (ek * n + i) * d;
        std::int32_t dot = 0;
        for (std::size_t r = 0; r < d; ++r) dot += m[r] * u[r];
        s[i] = rescale_raw(std::int64_t{dot} * ws.alpha[ek * n + i], cf + mf, cf, 8);
      }
      score_frac = cf;
    } else {
      // Conventional fixed point: the exact u . m narrowed to 8 bits.
      for (std::size_t r = 0; r < d; ++r) key[r] = static_cast<std::int8_t>(u[r]);
      if (n > 0) Kernels::dot_rows(key, ws.memory.data() + ek * n * d, n, d, s);
      for (std::size_t i = 0; i < n; ++i) s[i] = rescale_raw(s[i], cf + mf, cf, 8);
      score_frac = cf;
    }
    std::int16_t* p = ws.p.data() + k * slots;
    if (slots > 0) Kernels::softmax_base2(s, slots, score_frac, beta, p);

    // o = sum_i p_i c_i, exact with 14 + vf fractional bits.
    const int read_frac = kernels::probability_frac_bits + vf;
    if constexpr (Binary) {
      std::fill(ws.read.begin(), ws.read.end(), 0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::int32_t weight = std::int32_t{p[i]} * ws.alpha[ev * n + i];
        const std::int8_t* c = ws.memory.data() + (ev * n + i) * d;
        for (std::size_t r = 0; r < d; ++r) ws.read[r] += c[r] * weight;
      }
    } else if (n > 0) {
      Kernels::read(p, ws.memory.data() + ev * n * d, n, d, ws.read.data());
    }
    // u^k+1 = (u^k or H u^k) + o, narrowed to the next hop's format.
    for (std::size_t r = 0; r < d; ++r) {
      std::int64_t carried = 0;
      if (shape.adjacent()) {
        carried = std::int64_t{u[r]} << (read_frac - cf);
      } else {
        const std::size_t hp = shape.h_param();
        const auto row = tables(hp, r);
        std::int64_t hu = 0;
        for (std::size_t c = 0; c < d; ++c) hu += std::int64_t{row[c]} * u[c];
        carried = hu << (read_frac - cf - q.table_frac[hp]);
      }
      next[r] = rescale_raw(carried + ws.read[r], read_frac, q.controller_frac[k + 1], 8);
    }
  }

  const std::int32_t* last = ws.u.data() + hops * d;
  std::size_t best = 2;
  for (std::size_t v = 2; v < shape.vocabulary_size; ++v) {
    const auto row = tables(shape.w_param(), v);
    std::int32_t z = 0;
    for (std::size_t r = 0; r < d; ++r) z += std::int32_t{row[r]} * last[r];
    ws.logits[v] = z;
    if (z > ws.logits[best]) best = v;
  }
  return static_cast<std::int32_t>(best);
}

/// Calls f(integer_scheme_tag<W, Binary, Hamming>{}) for the runtime
/// description q (QAT picks the scheme at run time, the export at compile time).
template <class F>
decltype(auto) with_integer_scheme(const memn2n_quantization& q, F&& f) {
  const bool hamming = q.similarity == memn2n_similarity::hamming;
  if (q.binary_memory)
    return hamming ? f(integer_scheme_tag<8, true, true>{}) : f(integer_scheme_tag<8, true, false>{});
  auto fixed_width = [&]<int W>() -> decltype(auto) {
    return hamming ? f(integer_scheme_tag<W, false, true>{}) : f(integer_scheme_tag<W, false, false>{});
  };
  switch (q.memory_width) {
    case 2: return fixed_width.template operator()<2>();
    case 3: return fixed_width.template operator()<3>();
    case 4: return fixed_width.template operator()<4>();
    case 5: return fixed_width.template operator()<5>();
    case 6: return fixed_width.template operator()<6>();
    case 7: return fixed_width.template operator()<7>();
    default: return fixed_width.template operator()<8>();
  }
}

}  // namespace qmann::detail
