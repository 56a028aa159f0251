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
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "qmann/energy/operations.hpp"
#include "qmann/kernels/binary.hpp"
#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/scalar.hpp"
#include "qmann/model/memn2n_config.hpp"
#include "qmann/number/rescale.hpp"

namespace qmann {

/// Saturation, the failure the paper is about: per layer, how many values
/// were narrowed to a fixed-point format and how many of them did not fit
/// (clamped to the format's largest or smallest value). Filled by an
/// integer forward pass whose workspace points to it (babi_qa --stats).
struct saturation_stats {
  struct tally {
    std::uint64_t values = 0, saturated = 0;
    double fraction() const noexcept {
      return values ? static_cast<double>(saturated) / static_cast<double>(values) : 0.0;
    }
    tally& operator+=(const tally& o) noexcept {
      values += o.values;
      saturated += o.saturated;
      return *this;
    }
  };
  std::array<tally, memn2n_max_hops + 1> memory{};      // embedded memory e (binary: its scales)
  std::array<tally, memn2n_max_hops + 1> controller{};  // u^k
  std::array<tally, memn2n_max_hops> key{};             // u^k in the key memory's format (Hamming)
  std::array<tally, memn2n_max_hops> score{};           // scores narrowed to 8 bits (dot)

  saturation_stats& operator+=(const saturation_stats& o) noexcept {
    for (std::size_t i = 0; i < memory.size(); ++i) memory[i] += o.memory[i], controller[i] += o.controller[i];
    for (std::size_t i = 0; i < key.size(); ++i) key[i] += o.key[i], score[i] += o.score[i];
    return *this;
  }
};

}  // namespace qmann

namespace qmann::detail {

/// Adds to `t` the n values of `in` (with `from` fractional bits) that
/// narrowing to fixed<width, to> saturates.
template <class In>
void count_saturation(saturation_stats::tally& t, const In* in, std::size_t n, int from, int to, int width) {
  t.values += n;
  for (std::size_t i = 0; i < n; ++i) {
    const std::int64_t wide = rescale_raw(in[i], from, to, 32);
    t.saturated += wide > raw_max(width) || wide < raw_min(width);
  }
}

[[noreturn]] inline void throw_bad_word(std::int32_t id, std::size_t vocabulary) {
  throw std::out_of_range("qmann::memn2n: word id " + std::to_string(id) + " outside the vocabulary [0, " +
                          std::to_string(vocabulary) + ")");
}

/// Scratch and results of one integer forward pass; one per thread.
struct integer_workspace {
  std::vector<std::int8_t> memory;    // e x n x d raw (binary: -1 or +1)
  std::vector<std::uint64_t> bits;    // binary: e x n x words, bit set = negative
  std::vector<std::int32_t> alpha;    // binary: e x n, raw in fixed<8, memory_frac[e]>
  std::vector<std::int32_t> u;        // (K + 1) x d raw controller states
  std::vector<std::int8_t> key;       // K x d: u in the key memory's format (or u)
  std::vector<std::uint64_t> key_bits;
  std::vector<std::int32_t> scores;   // K x n, the scores of every hop (the backward pass reads them)
  std::vector<std::uint32_t> counts;  // binary hamming: differing bits per slot
  std::vector<std::int16_t> p;        // K x n attention, Q14 (empty slots' not stored)
  std::vector<std::int32_t> read;     // d
  std::vector<std::int32_t> logits;   // V, raw with table_frac[W] + cf_K bits
  std::vector<std::int32_t> time;
  std::vector<std::int32_t> sum;      // d, an embedding sum
  std::vector<const std::int8_t*> weights, rows;  // its position encodings and table rows
  std::vector<std::int32_t> wide;     // n, exact dot products before narrowing
  std::vector<std::int64_t> next;     // d, u^k+1 before narrowing
  std::vector<std::int8_t> last;      // d, u^K+1 as int8 for the answer layer
  saturation_stats* stats = nullptr;  // if set, saturation is counted into it
};

/// The kernels the integer pass calls: the scalar oracle or the SIMD twins.
struct scalar_kernels {
  static std::int64_t binarize(const std::int32_t* in, std::size_t n, std::uint64_t* bits,
                               std::int8_t* signs) noexcept {
    return kernels::scalar::binarize(in, n, bits, signs);
  }
  static void dot_rows(const std::int8_t* key, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                       std::int32_t* out) noexcept {
    kernels::scalar::dot_rows(key, rows, n, dim, (dim + 63) / 64, out);
  }
  static void read(const std::int32_t* w, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                   std::int32_t* out) noexcept {
    kernels::scalar::read(w, rows, n, dim, (dim + 63) / 64, out);
  }
  static void sum_of_products(const std::int8_t* const* a, const std::int8_t* const* b, std::size_t count,
                              std::size_t n, std::int32_t* out) noexcept {
    kernels::scalar::sum_of_products(a, b, count, n, out);
  }
  static void rescale(const std::int32_t* in, std::int8_t* out, std::size_t n, int from, int to,
                      int width) noexcept {
    kernels::scalar::rescale(in, out, n, from, to, width);
  }
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
                            std::int16_t* p, std::size_t padding) noexcept {
    kernels::scalar::softmax_base2(s, n, frac, beta, p, padding);
  }
  static void read(const std::int16_t* p, const std::int8_t* rows, std::size_t n, std::size_t dim,
                   std::int32_t* out) noexcept {
    kernels::scalar::read(p, rows, n, dim, dim, out);
  }
};

struct simd_kernels {
  static std::int64_t binarize(const std::int32_t* in, std::size_t n, std::uint64_t* bits,
                               std::int8_t* signs) noexcept {
    return kernels::binarize(in, n, bits, signs);
  }
  static void dot_rows(const std::int8_t* key, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                       std::int32_t* out) noexcept {
    kernels::dot_rows(key, rows, n, dim, (dim + 63) / 64, out);
  }
  static void read(const std::int32_t* w, const std::uint64_t* rows, std::size_t n, std::size_t dim,
                   std::int32_t* out) noexcept {
    kernels::read(w, rows, n, dim, (dim + 63) / 64, out);
  }
  static void sum_of_products(const std::int8_t* const* a, const std::int8_t* const* b, std::size_t count,
                              std::size_t n, std::int32_t* out) noexcept {
    kernels::sum_of_products(a, b, count, n, out);
  }
  static void rescale(const std::int32_t* in, std::int8_t* out, std::size_t n, int from, int to,
                      int width) noexcept {
    kernels::rescale(in, out, n, from, to, width);
  }
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
                            std::int16_t* p, std::size_t padding) noexcept {
    kernels::softmax_base2(s, n, frac, beta, p, padding);
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

/// The forward pass, reporting its operations to `count` (an energy::
/// no_count or op_counter: see energy/operations.hpp). `tables(p, row)` gives row `row` of parameter matrix p
/// as something indexable by r < d yielding its raw int8 value (in
/// fixed<8, q.table_frac[p]>); `pe` is the raw position encoding,
/// (sentence_size + 1) x d in fixed<8, memn2n_pe_frac>. Returns the answer
/// id (the argmax of ws.logits over ids >= 2).
template <int W, bool Binary, bool Hamming, class Kernels, class Tables, class Counter>
std::int32_t integer_forward(integer_scheme_tag<W, Binary, Hamming>, Kernels, const memn2n_shape& shape,
                             const memn2n_quantization& q, const Tables& tables, const std::int8_t* pe,
                             const memn2n_input& in, integer_workspace& ws, Counter& count) {
  using energy::component;
  using energy::op;
  auto tally = [&](component c, op o, int bits, std::size_t n) {
    count(c, o, energy::arithmetic::integer, bits, static_cast<std::uint64_t>(n));
  };
  // Narrowing n values: round (magnitude, + half, sign back), shift, saturate.
  auto tally_rescale = [&](component c, std::size_t n) {
    tally(c, op::add, 32, 3 * n);
    tally(c, op::shift, 32, n);
    tally(c, op::compare, 32, 2 * n);
  };
  const std::size_t d = shape.config.dim, n = in.sentences, hops = shape.config.hops;
  const std::size_t sentence = shape.sentence_size, words = (d + 63) / 64;
  const std::size_t memories = shape.distinct_memories();
  const std::size_t padding = shape.padding_slots(n);
  ws.memory.assign(memories * n * d, 0);
  if constexpr (Binary) {
    ws.bits.resize(memories * n * words);  // binarize writes every word
    ws.alpha.assign(memories * n, 0);
    ws.key_bits.resize(words);
    ws.counts.resize(n);
  }
  ws.u.assign((hops + 1) * d, 0);
  ws.key.assign(hops * d, 0);
  ws.scores.assign(hops * n, 0);
  ws.p.assign(hops * n, 0);
  ws.read.assign(d, 0);
  ws.logits.assign(shape.vocabulary_size, 0);
  ws.sum.resize(d);
  ws.weights.resize(sentence + 1);
  ws.rows.resize(sentence + 1);
  ws.next.resize(d);
  ws.last.resize(d);
  ws.time.resize(n);
  for (std::size_t i = 0; i < n; ++i) ws.time[i] = in.time ? in.time[i] : static_cast<std::int32_t>(n - 1 - i);

  // sum_j l_j E_p[ids_j] (+ l_J T_p[t]) in 6 + table_frac[p] bits: exact.
  auto embed = [&](std::size_t p, const std::int32_t* ids, const std::int32_t* time) {
    std::size_t words = 0;
    for (std::size_t j = 0; j < sentence; ++j) {
      const auto id = static_cast<std::size_t>(ids[j]);
      if (id == 0) continue;
      if (ids[j] < 0 || id >= shape.vocabulary_size) throw_bad_word(ids[j], shape.vocabulary_size);
      ws.weights[words] = pe + j * d;
      ws.rows[words++] = &tables(p, id)[0];
    }
    if (time && shape.config.temporal_encoding) {
      ws.weights[words] = pe + sentence * d;
      ws.rows[words++] = &tables(p, shape.time_row(*time))[0];
    }
    Kernels::sum_of_products(ws.weights.data(), ws.rows.data(), words, d, ws.sum.data());
    tally(component::embedding, op::multiply, 8, words * d);  // l_j x E[x_j], int8 x int8
    tally(component::embedding, op::add, 32, words * d);
    return memn2n_pe_frac + q.table_frac[p];
  };

  for (std::size_t e = 0; e < memories; ++e) {
    const int mf = q.memory_frac[e];
    for (std::size_t i = 0; i < n; ++i) {
      const int frac = embed(shape.memory_param(e), in.story + i * sentence, &ws.time[i]);
      std::int8_t* m = ws.memory.data() + (e * n + i) * d;
      if constexpr (Binary) {
        // alpha sign(x), alpha = mean |x| (rounded), sign(0) = +1.
        const std::int64_t magnitude = Kernels::binarize(ws.sum.data(), d, ws.bits.data() + (e * n + i) * words, m);
        const auto dims = static_cast<std::int64_t>(d);
        const std::int64_t mean = (magnitude + dims / 2) / dims;
        ws.alpha[e * n + i] = rescale_raw(mean, frac, mf, 8);
        if (ws.stats) count_saturation(ws.stats->memory[e], &mean, 1, frac, mf, 8);
        tally(component::embedding, op::compare, 32, d);  // signs
        tally(component::embedding, op::add, 32, 2 * d + 1);  // |x|, its sum, + d/2
        tally(component::embedding, op::divide, 32, 1);
        tally_rescale(component::embedding, 1);
      } else {
        Kernels::rescale(ws.sum.data(), m, d, frac, mf, W);
        tally_rescale(component::embedding, d);
        if (ws.stats) count_saturation(ws.stats->memory[e], ws.sum.data(), d, frac, mf, W);
      }
    }
  }
  {
    const int frac = embed(shape.b_param(), in.query, nullptr);
    rescale_raw_n(ws.sum.data(), ws.u.data(), d, frac, q.controller_frac[0], 8);
    tally_rescale(component::embedding, d);
    if (ws.stats) count_saturation(ws.stats->controller[0], ws.sum.data(), d, frac, q.controller_frac[0], 8);
  }

  const std::uint16_t beta = softmax_beta_raw(q);
  for (std::size_t k = 0; k < hops; ++k) {
    const std::int32_t* u = ws.u.data() + k * d;
    std::int32_t* next = ws.u.data() + (k + 1) * d;
    const std::size_t ek = shape.key_memory(k), ev = shape.value_memory(k);
    const int cf = q.controller_frac[k], mf = q.memory_frac[ek], vf = q.memory_frac[ev];
    std::int8_t* key = ws.key.data() + k * d;
    std::int32_t* s = ws.scores.data() + k * n;
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
      tally(component::addressing, op::compare, 32, d);  // the key's signs
      tally(component::addressing, op::logic, 64, n * words);  // XNOR
      tally(component::addressing, op::popcount, 64, n * words);
      tally(component::addressing, op::add, 32, n);
    } else if constexpr (Hamming) {
      // Q-MANN: u in the memory's format, weighted-bit Hamming similarity.
      Kernels::rescale(u, key, d, cf, mf, W);
      if (ws.stats) count_saturation(ws.stats->key[k], u, d, cf, mf, W);
      if (n > 0) Kernels::template weighted_hamming_rows<W>(key, ws.memory.data() + ek * n * d, n, d, s);
      score_frac = W - 1;
      // Per element (closed form): a - b, |.|, min(., M), M - ., sign
      // agreement, conditional negation; then the int32 sum.
      tally_rescale(component::addressing, d);
      tally(component::addressing, op::add, W, 4 * n * d);
      tally(component::addressing, op::compare, W, n * d);
      tally(component::addressing, op::logic, 1, n * d);
      tally(component::addressing, op::add, 32, n * d);
    } else if constexpr (Binary) {
      // Conventional binary: alpha_i sum_r u_r sign(m_ir), narrowed to 8 bits.
      for (std::size_t r = 0; r < d; ++r) key[r] = static_cast<std::int8_t>(u[r]);
      ws.wide.resize(n);
      if (n > 0) Kernels::dot_rows(key, ws.bits.data() + ek * n * words, n, d, ws.wide.data());
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t score = std::int64_t{ws.wide[i]} * ws.alpha[ek * n + i];
        s[i] = rescale_raw(score, cf + mf, cf, 8);
        if (ws.stats) count_saturation(ws.stats->score[k], &score, 1, cf + mf, cf, 8);
      }
      score_frac = cf;
      tally(component::addressing, op::add, 8, n * d);  // +u_r or -u_r
      tally(component::addressing, op::add, 32, n * d);
      tally(component::addressing, op::multiply, 32, n);  // x alpha_i
      tally_rescale(component::addressing, n);
    } else {
      // Conventional fixed point: the exact u . m narrowed to 8 bits.
      for (std::size_t r = 0; r < d; ++r) key[r] = static_cast<std::int8_t>(u[r]);
      ws.wide.resize(n);
      if (n > 0) Kernels::dot_rows(key, ws.memory.data() + ek * n * d, n, d, ws.wide.data());
      rescale_raw_n(ws.wide.data(), s, n, cf + mf, cf, 8);
      if (ws.stats) count_saturation(ws.stats->score[k], ws.wide.data(), n, cf + mf, cf, 8);
      score_frac = cf;
      tally(component::addressing, op::multiply, 8, n * d);
      tally(component::addressing, op::add, 32, n * d);
      tally_rescale(component::addressing, n);
    }
    std::int16_t* p = ws.p.data() + k * n;
    if (n + padding > 0) {
      // Empty slots score 0: they share the normalization as one term.
      Kernels::softmax_base2(s, n, score_frac, beta, p, padding);
      // kernels::scalar::softmax_base2: the maximum; per term max - s,
      // x beta, split, two table lookups and their product, rounding,
      // shifts, the sum (the empty slots' term times their number); one
      // division; per slot the product with it, rounding, shift.
      const std::size_t terms = n + (padding > 0 ? 1 : 0);
      tally(component::addressing, op::compare, 32, terms - 1);
      tally(component::addressing, op::add, 32, 3 * terms);
      tally(component::addressing, op::multiply, 32, terms + (padding > 0 ? 1 : 0));
      tally(component::addressing, op::shift, 32, 4 * terms);
      tally(component::addressing, op::lookup, 16, 2 * terms);
      tally(component::addressing, op::multiply, 16, terms);
      tally(component::addressing, op::divide, 64, 1);
      tally(component::addressing, op::multiply, 64, n);
      tally(component::addressing, op::add, 64, n);
      tally(component::addressing, op::shift, 64, n);
    }

    // o = sum_i p_i c_i, exact with 14 + vf fractional bits.
    const int read_frac = kernels::probability_frac_bits + vf;
    if constexpr (Binary) {
      // Row i's value is alpha_i sign(c_i): weights p_i alpha_i.
      ws.wide.resize(n);
      for (std::size_t i = 0; i < n; ++i) ws.wide[i] = std::int32_t{p[i]} * ws.alpha[ev * n + i];
      Kernels::read(ws.wide.data(), ws.bits.data() + ev * n * words, n, d, ws.read.data());
      tally(component::read, op::multiply, 32, n);     // p_i alpha_i
      tally(component::read, op::add, 32, n * d);      // +w_i or -w_i
    } else if (n > 0) {
      Kernels::read(p, ws.memory.data() + ev * n * d, n, d, ws.read.data());
      tally(component::read, op::multiply, 16, n * d);  // Q14 x int8
      tally(component::read, op::add, 32, n * d);
    }
    // u^k+1 = (u^k or H u^k) + o, narrowed to the next hop's format.
    if (shape.adjacent()) {
      const int shift = read_frac - cf;
      for (std::size_t r = 0; r < d; ++r) ws.next[r] = (std::int64_t{u[r]} << shift) + ws.read[r];
    } else {
      const std::size_t hp = shape.h_param();
      const int shift = read_frac - cf - q.table_frac[hp];
      for (std::size_t r = 0; r < d; ++r) {
        const auto row = tables(hp, r);
        std::int64_t hu = 0;
        for (std::size_t c = 0; c < d; ++c) hu += std::int64_t{row[c]} * u[c];
        ws.next[r] = (hu << shift) + ws.read[r];
      }
    }
    rescale_raw_n(ws.next.data(), next, d, read_frac, q.controller_frac[k + 1], 8);
    if (ws.stats) count_saturation(ws.stats->controller[k + 1], ws.next.data(), d, read_frac, q.controller_frac[k + 1], 8);
    if (!shape.adjacent()) {
      tally(component::controller, op::multiply, 8, d * d);  // H u
      tally(component::controller, op::add, 32, d * d);
    }
    tally(component::controller, op::shift, 32, d);  // aligned with o
    tally(component::controller, op::add, 32, d);
    tally_rescale(component::controller, d);
  }

  // The answer: argmax over ids >= 2 of the exact int32 W u^K+1.
  const std::int32_t* last = ws.u.data() + hops * d;
  for (std::size_t r = 0; r < d; ++r) ws.last[r] = static_cast<std::int8_t>(last[r]);
  const std::size_t answers = shape.vocabulary_size - 2;
  Kernels::dot_rows(ws.last.data(), &tables(shape.w_param(), 2)[0], answers, d, ws.logits.data() + 2);
  std::size_t best = 2;
  for (std::size_t v = 3; v < shape.vocabulary_size; ++v)
    if (ws.logits[v] > ws.logits[best]) best = v;
  tally(component::answer, op::multiply, 8, answers * d);
  tally(component::answer, op::add, 32, answers * d);
  tally(component::answer, op::compare, 32, answers - 1);
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
