// qmann::memn2n: End-To-End Memory Network (Sukhbaatar, Szlam, Weston,
// Fergus 2015) for bAbI, in float, with a hand-written backward pass, and
// quantization-aware training (QAT) of the 8-bit and binary schemes.
//
// For one question with story sentences x_i (word ids x_ij) and query q:
//   m_i^k = sum_j l_j * A^k[x_ij] + T_A^k[t_i]     memory keys    (eq. 1, PE, TE)
//   c_i^k = sum_j l_j * C^k[x_ij] + T_C^k[t_i]     memory values
//   u^1   = sum_j l_j * B[q_j]
//   p^k   = softmax(u^k . m_i^k)                    (linear start: p = u . m)
//   o^k   = sum_i p_i^k c_i^k                       (eq. 2)
//   u^k+1 = u^k + o^k        (adjacent tying)       or H u^k + o^k (layer-wise)
//   a     = softmax(W u^K+1)                        (eq. 3)
// l_j is the position encoding of the authors' code,
//   l_kj = 1 + 4 (k - (d+1)/2) (j - (J+1)/2) / (d J),  J = sentence_size + 1,
// which ../shared/design/PAPER.md found to matter (task 16). t_i counts back
// from the most recent sentence (0). Time embeddings are extra rows (after
// the V word rows) of the embedding matrices, tied with them.
// Tying: adjacent: A^k+1 = C^k, B = A^1, W^T = C^K, so K + 1 matrices E_0..E_K
// with B = E_0, A^k = E_k-1, C^k = E_k, W = E_K; layer-wise: A^k = A,
// C^k = C, and B, W and the controller's linear map H of their own (the
// controller that the Q-MANN reference code quantizes per hop).
// Word ids 0 (padding) and 1 (unknown) have zero embeddings and are never
// answers.
//
// QAT: with quantization() enabled, the forward pass is the integer pass of
// the exported model (integer_forward.hpp, the scheme at
// memn2n_quantization), run with the scalar kernels on tables quantized from
// the float weights; the backward pass sees its values as floats and passes
// the gradient through every rounding unchanged (straight-through), so the
// float weights keep learning below the 8-bit resolution, but stops it at
// values that saturated (the clamp's gradient; clip_saturated_gradients,
// without which the conventional schemes' weights grow until nearly every
// value saturates: docs/RESULTS.md). The Hamming
// similarity h = sign(a) sign(b) (M - min(|a - b|, M)) is dominated by its
// sign product, so its surrogate gradient differentiates both factors: each
// sign straight-through with slope 1/window inside |x| < window raw units
// (window = a quarter of the range, 32 for 8 bits), the closeness by its
// slope -+sign(a - b) while |a - b| < M. Binary memories alpha sign(x) pass
// the gradient of sign(x) straight through (times alpha's own); the key's
// sign gets the same windowed slope as above.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "qmann/data/encode.hpp"
#include "qmann/energy/operations.hpp"
#include "qmann/kernels/scalar.hpp"
#include "qmann/model/integer_forward.hpp"
#include "qmann/model/memn2n_config.hpp"
#include "qmann/number/rescale.hpp"

namespace qmann {

class memn2n {
 public:
  /// Parameters are initialized from N(0, init_stddev) with `seed`.
  memn2n(const memn2n_config& config, std::size_t vocabulary_size, std::size_t sentence_size,
         std::uint64_t seed)
      : shape_{config, vocabulary_size, sentence_size} {
    if (config.dim == 0 || config.dim > memn2n_max_dim)
      throw std::invalid_argument("qmann::memn2n: dim must be in [1, " +
                                  std::to_string(memn2n_max_dim) + "], got " + std::to_string(config.dim));
    if (config.hops == 0 || config.hops > memn2n_max_hops)
      throw std::invalid_argument("qmann::memn2n: hops must be in [1, " +
                                  std::to_string(memn2n_max_hops) + "], got " + std::to_string(config.hops));
    if (config.memory_size == 0)
      throw std::invalid_argument("qmann::memn2n: memory_size must be > 0");
    if (vocabulary_size < 3)
      throw std::invalid_argument("qmann::memn2n: vocabulary needs words besides padding and unknown");
    if (sentence_size == 0) throw std::invalid_argument("qmann::memn2n: sentence_size must be > 0");
    const std::size_t d = config.dim, rows = shape_.table_rows();
    params_.resize(shape_.parameter_matrices());
    for (std::size_t p = 0; p < params_.size(); ++p)
      params_[p].resize(shape_.adjacent() || p != shape_.h_param() ? rows * d : d * d);
    std::mt19937_64 gen(seed);
    std::normal_distribution<float> normal(0.0f, config.init_stddev);
    for (auto& p : params_)
      for (float& x : p) x = normal(gen);
    zero_reserved_rows(params_);
    // Position encoding l[j][k]: j < sentence_size for words, j = sentence_size
    // for the time word of a memory (J = sentence_size + 1, as the authors' code).
    pe_.assign((sentence_size + 1) * d, 1.0f);
    if (config.position_encoding) {
      const double big_j = static_cast<double>(sentence_size + 1);
      for (std::size_t j = 0; j <= sentence_size; ++j)
        for (std::size_t k = 0; k < d; ++k)
          pe_[j * d + k] = static_cast<float>(
              1.0 + 4.0 * (static_cast<double>(k + 1) - (static_cast<double>(d) + 1) / 2) *
                        (static_cast<double>(j + 1) - (big_j + 1) / 2) / (static_cast<double>(d) * big_j));
    }
    pe_raw_.resize(pe_.size());
    for (std::size_t i = 0; i < pe_.size(); ++i)
      pe_raw_[i] = static_cast<std::int8_t>(quantize_raw(pe_[i], memn2n_pe_frac, 8));
  }

  const memn2n_config& config() const noexcept { return shape_.config; }
  const memn2n_shape& shape() const noexcept { return shape_; }
  const memn2n_quantization& quantization() const noexcept { return quantization_; }
  /// Throws std::invalid_argument for a format out of range.
  void set_quantization(const memn2n_quantization& q) {
    if (q.enabled) {
      const auto bad = [](const std::string& what, int v) {
        throw std::invalid_argument("qmann::memn2n::set_quantization: " + what + " " + std::to_string(v) +
                                    " out of range");
      };
      if (q.memory_width < 2 || q.memory_width > 8) bad("memory_width", q.memory_width);
      const int memory_bits = q.binary_memory ? 8 : q.memory_width;
      for (std::size_t e = 0; e < distinct_memories(); ++e)
        if (q.memory_frac[e] < 0 || q.memory_frac[e] >= memory_bits) bad("memory_frac", q.memory_frac[e]);
      for (std::size_t k = 0; k <= config().hops; ++k)
        if (q.controller_frac[k] < 0 || q.controller_frac[k] > 7) bad("controller_frac", q.controller_frac[k]);
      for (std::size_t p = 0; p < params_.size(); ++p)
        if (q.table_frac[p] < 0 || q.table_frac[p] > 7) bad("table_frac", q.table_frac[p]);
      if (!(q.beta > 0.0f) || q.beta > 255.0f) bad("beta (x 256)", static_cast<int>(q.beta * 256));
    }
    quantization_ = q;
    quantize_tables();
  }

  /// Makes the int8 weight tables that the quantized forward pass reads
  /// from the float parameters. set_quantization() and the trainer (after
  /// every update) call it; call it after changing parameters() of a
  /// quantized model yourself.
  void quantize_tables() {
    if (!quantization_.enabled) {
      tables_.clear();
      return;
    }
    tables_.resize(params_.size());
    dequantized_.resize(params_.size());
    for (std::size_t p = 0; p < params_.size(); ++p) {
      const int frac = quantization_.table_frac[p];
      const float unit = std::ldexp(1.0f, -frac);
      tables_[p].resize(params_[p].size());
      for (std::size_t i = 0; i < params_[p].size(); ++i)
        tables_[p][i] = static_cast<std::int8_t>(quantize_raw(params_[p][i], frac, 8));
      // W and H as the backward pass sees them (the straight-through weights).
      const bool backward_reads = p == shape_.w_param() || (!shape_.adjacent() && p == shape_.h_param());
      dequantized_[p].clear();
      if (backward_reads)
        for (std::int8_t x : tables_[p]) dequantized_[p].push_back(static_cast<float>(x) * unit);
    }
  }
  /// The int8 tables of the last quantize_tables() (raw fixed<8, table_frac[p]>).
  const std::vector<std::vector<std::int8_t>>& quantized_tables() const noexcept { return tables_; }
  /// Embedded memories: adjacent K + 1 (E_0..E_K), layer-wise 2 (A, C).
  std::size_t distinct_memories() const noexcept { return shape_.distinct_memories(); }
  std::size_t vocabulary_size() const noexcept { return shape_.vocabulary_size; }
  std::size_t sentence_size() const noexcept { return shape_.sentence_size; }
  /// The position encoding, quantized (fixed<8, memn2n_pe_frac>), (J x d).
  const std::vector<std::int8_t>& quantized_position_encoding() const noexcept { return pe_raw_; }

  /// The parameter matrices (row-major, dim columns): adjacent: E_0..E_K
  /// ((V + M) x d each); layer-wise: B, A, C, W ((V + M) x d) and H (d x d).
  std::vector<std::vector<float>>& parameters() noexcept { return params_; }
  const std::vector<std::vector<float>>& parameters() const noexcept { return params_; }

  /// Scratch space of one forward/backward pass; one per thread.
  struct workspace {
    std::vector<float> memory;   // embeddings of the story per distinct matrix: e x n x d
    std::vector<float> u;        // (K + 1) x d controller states
    std::vector<float> p;        // K x n attention
    std::vector<float> logits;   // V answer scores, then probabilities
    std::vector<float> keys;     // K x d: u re-expressed in the key memory's format (Hamming)
    std::vector<float> du, dmem, dp;
    std::vector<std::int32_t> time;
    detail::integer_workspace integer;  // the integer values of a quantized pass
  };

  /// Forward pass: fills `ws`, returns the argmax answer id (never 0 or 1).
  /// `linear` removes the attention softmax (linear start; float only).
  /// Throws std::out_of_range for a word id outside [0, vocabulary_size())
  /// (0 is padding); any number of sentences is fine (time indices beyond
  /// the memory share its last time embedding).
  std::int32_t forward(const memn2n_input& in, workspace& ws, bool linear = false) const {
    energy::no_count none;
    return forward(in, ws, linear, none);
  }

  /// The same, reporting its operations to `count` (energy/operations.hpp).
  template <class Counter>
  std::int32_t forward(const memn2n_input& in, workspace& ws, bool linear, Counter& count) const {
    if (quantization_.enabled) {
      if (linear) throw std::logic_error("qmann::memn2n: the linear start has no quantized forward pass");
      return forward_quantized(in, ws, count);
    }
    using energy::component;
    using energy::op;
    auto tally = [&](component c, op o, std::size_t n) {
      count(c, o, energy::arithmetic::floating, 32, static_cast<std::uint64_t>(n));
    };
    auto words_of = [&](const std::int32_t* ids) {
      std::size_t w = 0;
      for (std::size_t j = 0; j < sentence_size(); ++j) w += ids[j] != 0;
      return w;
    };
    const std::size_t d = config().dim, n = in.sentences, hops = config().hops;
    const std::size_t embedded = distinct_memories();
    ws.memory.assign(embedded * n * d, 0.0f);
    ws.u.assign((hops + 1) * d, 0.0f);
    ws.p.assign(hops * n, 0.0f);
    ws.logits.assign(vocabulary_size(), 0.0f);
    ws.time.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      ws.time[i] = in.time ? in.time[i] : static_cast<std::int32_t>(n - 1 - i);

    for (std::size_t e = 0; e < embedded; ++e) {
      const float* table = params_[shape_.memory_param(e)].data();
      for (std::size_t i = 0; i < n; ++i) {
        float* m = ws.memory.data() + (e * n + i) * d;
        embed(table, in.story + i * sentence_size(), m);
        if (config().temporal_encoding) add_time(table, ws.time[i], m);
        if constexpr (Counter::counts) {
          const std::size_t words = words_of(in.story + i * sentence_size()) + (config().temporal_encoding ? 1 : 0);
          tally(component::embedding, op::multiply, words * d);
          tally(component::embedding, op::add, words * d);
        }
      }
    }
    embed(params_[shape_.b_param()].data(), in.query, ws.u.data());
    if constexpr (Counter::counts) {
      tally(component::embedding, op::multiply, words_of(in.query) * d);
      tally(component::embedding, op::add, words_of(in.query) * d);
    }
    for (std::size_t k = 0; k < hops; ++k) {
      const float* u = ws.u.data() + k * d;
      float* next = ws.u.data() + (k + 1) * d;
      const float* keys = ws.memory.data() + shape_.key_memory(k) * n * d;
      const float* values = ws.memory.data() + shape_.value_memory(k) * n * d;
      float* p = ws.p.data() + k * n;
      for (std::size_t i = 0; i < n; ++i) p[i] = dot(u, keys + i * d, d);
      if (!linear) softmax(p, n, shape_.padding_slots(n));
      if constexpr (Counter::counts) {
        // Scores; the softmax (softmax() below): maximum, n exp(s - max),
        // one more for the empty slots and its multiple, the sum, n divisions.
        const std::size_t padding = shape_.padding_slots(n) > 0 ? 1 : 0;
        tally(component::addressing, op::multiply, n * d);
        tally(component::addressing, op::add, n * d);
        tally(component::addressing, op::compare, n > 0 ? n - 1 + padding : 0);
        tally(component::addressing, op::add, 2 * n + padding);
        tally(component::addressing, op::exp, n + padding);
        tally(component::addressing, op::multiply, padding);
        tally(component::addressing, op::divide, n);
      }
      if (!shape_.adjacent()) {
        const float* h = params_[shape_.h_param()].data();
        for (std::size_t r = 0; r < d; ++r) next[r] = dot(h + r * d, u, d);
      } else {
        std::copy(u, u + d, next);
      }
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t r = 0; r < d; ++r) next[r] += p[i] * values[i * d + r];
      if constexpr (Counter::counts) {
        tally(component::read, op::multiply, n * d);
        tally(component::read, op::add, n * d);
        if (!shape_.adjacent()) {
          tally(component::controller, op::multiply, d * d);  // H u
          tally(component::controller, op::add, d * d);
        }
      }
    }
    const float* w = params_[shape_.w_param()].data();
    const float* u_last = ws.u.data() + hops * d;
    std::int32_t best = first_answer_id;
    for (std::size_t v = first_answer_id; v < vocabulary_size(); ++v) {
      ws.logits[v] = dot(w + v * d, u_last, d);
      if (ws.logits[v] > ws.logits[static_cast<std::size_t>(best)]) best = static_cast<std::int32_t>(v);
    }
    if constexpr (Counter::counts) {
      const std::size_t answers = vocabulary_size() - first_answer_id;
      tally(component::answer, op::multiply, answers * d);
      tally(component::answer, op::add, answers * d);
      tally(component::answer, op::compare, answers - 1);
    }
    return best;
  }

  /// Backward pass of the cross-entropy loss -log a[answer] after forward()
  /// on the same input and workspace: adds the gradient to `grad` (shaped as
  /// parameters()). Returns the loss.
  float backward(const memn2n_input& in, std::int32_t answer, workspace& ws,
                 std::vector<std::vector<float>>& grad, bool linear = false) const {
    const std::size_t d = config().dim, n = in.sentences, hops = config().hops;
    const std::size_t vocab = vocabulary_size();
    const bool quantized = quantization_.enabled;
    // Answer softmax over the real words (ids >= 2).
    float* z = ws.logits.data();
    float max = z[first_answer_id];
    for (std::size_t v = first_answer_id; v < vocab; ++v) max = std::max(max, z[v]);
    float sum = 0.0f;
    for (std::size_t v = first_answer_id; v < vocab; ++v) sum += (z[v] = std::exp(z[v] - max));
    for (std::size_t v = first_answer_id; v < vocab; ++v) z[v] /= sum;
    const float loss = -std::log(std::max(z[static_cast<std::size_t>(answer)], 1e-30f));
    z[static_cast<std::size_t>(answer)] -= 1.0f;  // dz = a - onehot

    ws.du.assign(d, 0.0f);
    ws.dmem.assign(distinct_memories() * n * d, 0.0f);
    ws.dp.assign(n, 0.0f);
    float* du = ws.du.data();
    const std::size_t wp = shape_.w_param();
    const float* w = quantized ? dequantized_[wp].data() : params_[wp].data();
    float* dw = grad[wp].data();
    const float* u_last = ws.u.data() + hops * d;
    for (std::size_t v = first_answer_id; v < vocab; ++v) {
      const float dz = z[v];
      for (std::size_t r = 0; r < d; ++r) {
        dw[v * d + r] += dz * u_last[r];
        du[r] += dz * w[v * d + r];
      }
    }
    const bool hamming = quantized && quantization_.similarity == memn2n_similarity::hamming;
    // d(softmax argument) / d(score): the integer softmax is 2^(beta s) = e^(beta ln2 s).
    const float softmax_slope =
        quantized ? static_cast<float>(detail::softmax_beta_raw(quantization_)) / 256.0f * std::log(2.0f) : 1.0f;
    const bool clip = quantized && quantization_.clip_saturated_gradients;
    const detail::integer_workspace& iw = ws.integer;
    // The clamp's gradient: 0 where a narrowed value sits at its format's limit.
    auto at_limit = [](std::int32_t raw, int width) { return raw >= raw_max(width) || raw <= raw_min(width); };
    auto clip_controller = [&](std::size_t k) {
      if (clip)
        for (std::size_t r = 0; r < d; ++r)
          if (at_limit(iw.u[k * d + r], 8)) du[r] = 0.0f;
    };
    for (std::size_t k = hops; k-- > 0;) {
      // du holds dL/du^(k+1); u^(k+1) = (u^k or H u^k) + o^k.
      clip_controller(k + 1);
      const float* u = ws.u.data() + k * d;
      const float* keys = ws.memory.data() + shape_.key_memory(k) * n * d;
      const float* values = ws.memory.data() + shape_.value_memory(k) * n * d;
      float* dkeys = ws.dmem.data() + shape_.key_memory(k) * n * d;
      float* dvalues = ws.dmem.data() + shape_.value_memory(k) * n * d;
      const float* p = ws.p.data() + k * n;
      float* dp = ws.dp.data();
      for (std::size_t i = 0; i < n; ++i) {
        dp[i] = dot(du, values + i * d, d);                               // dL/dp_i = do . c_i
        for (std::size_t r = 0; r < d; ++r) dvalues[i * d + r] += p[i] * du[r];  // dL/dc_i = p_i do
      }
      // Through the softmax: ds_i = p_i (dp_i - sum_j p_j dp_j); linear: ds = dp.
      if (!linear) {
        float weighted = 0.0f;
        for (std::size_t i = 0; i < n; ++i) weighted += p[i] * dp[i];
        for (std::size_t i = 0; i < n; ++i) dp[i] = p[i] * (dp[i] - weighted) * softmax_slope;
      }
      if (clip && !hamming)  // dot scores narrowed to 8 bits
        for (std::size_t i = 0; i < n; ++i)
          if (at_limit(iw.scores[k * n + i], 8)) dp[i] = 0.0f;
      // s_i = u . m_i: dm_i += ds_i u, du^k gets sum ds_i m_i plus the
      // controller's own path.
      float next_du[memn2n_max_dim];
      if (!shape_.adjacent()) {
        const std::size_t hp = shape_.h_param();
        const float* h = quantized ? dequantized_[hp].data() : params_[hp].data();
        float* dh = grad[hp].data();
        for (std::size_t c = 0; c < d; ++c) next_du[c] = 0.0f;
        for (std::size_t r = 0; r < d; ++r)
          for (std::size_t c = 0; c < d; ++c) {
            dh[r * d + c] += du[r] * u[c];
            next_du[c] += h[r * d + c] * du[r];
          }
      } else {
        std::copy(du, du + d, next_du);
      }
      if (hamming && quantization_.binary_memory) {
        // s_i = sum_r (1 + sign(u_r) sign(m_ir)) / 2 (softmax_slope applied).
        const float window = std::ldexp(32.0f, -quantization_.controller_frac[k]);
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t r = 0; r < d; ++r) {
            const float su = u[r] < 0.0f ? -1.0f : 1.0f, sm = keys[i * d + r] < 0.0f ? -1.0f : 1.0f;
            if (std::abs(u[r]) < window) next_du[r] += dp[i] * 0.5f * sm / window;
            dkeys[i * d + r] += dp[i] * 0.5f * su;
          }
      } else if (hamming) {
        // s_i = 2^-(W-1) sum_r h(a_r, b_ir), h = sign(a) sign(b) g(|a - b|)
        // in raw units (a: the key, b: the memory); surrogate in the header.
        const int width = quantization_.memory_width;
        const float scale = std::ldexp(1.0f, quantization_.memory_frac[shape_.key_memory(k)]);
        const float unit = scale * std::ldexp(1.0f, 1 - width);
        const float top = std::ldexp(1.0f, width - 1) - 1.0f;  // M
        const float window = std::ldexp(1.0f, width - 3);      // 32 for 8 bits
        const float* key = ws.keys.data() + k * d;
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t r = 0; r < d; ++r) {
            const float a = key[r], b = keys[i * d + r];
            const float diff = (a - b) * scale;
            const float closeness = top - std::min(std::abs(diff), top);  // g(|a - b|)
            const float sa = a < 0.0f ? -1.0f : 1.0f, sb = b < 0.0f ? -1.0f : 1.0f;
            // Window: 8 to 32 raw units measured alike at 8 bits, 64 and 127 worse.
            const float slope = (std::abs(diff) >= top || diff == 0.0f) ? 0.0f : (diff > 0.0f ? 1.0f : -1.0f);
            const bool key_clipped = clip && at_limit(iw.key[k * d + r], width);
            const float ste_a = !key_clipped && std::abs(a * scale) < window ? 1.0f / window : 0.0f;
            const float ste_b = std::abs(b * scale) < window ? 1.0f / window : 0.0f;
            const float dha = sb * closeness * ste_a - (key_clipped ? 0.0f : sa * sb * slope);
            const float dhb = sa * closeness * ste_b + sa * sb * slope;
            next_du[r] += dp[i] * unit * dha;
            dkeys[i * d + r] += dp[i] * unit * dhb;
          }
      } else {
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t r = 0; r < d; ++r) {
            dkeys[i * d + r] += dp[i] * u[r];
            next_du[r] += dp[i] * keys[i * d + r];
          }
      }
      std::copy(next_du, next_du + d, du);
    }
    clip_controller(0);
    if (clip && !quantization_.binary_memory)
      for (std::size_t i = 0; i < ws.dmem.size(); ++i)
        if (at_limit(iw.memory[i], quantization_.memory_width)) ws.dmem[i] = 0.0f;
    // Embedding gradients: memory rows, then the query.
    for (std::size_t e = 0; e < distinct_memories(); ++e) {
      float* g = grad[shape_.memory_param(e)].data();
      for (std::size_t i = 0; i < n; ++i) {
        const float* dm = ws.dmem.data() + (e * n + i) * d;
        scatter(g, in.story + i * sentence_size(), dm);
        if (config().temporal_encoding) {
          float* row = g + shape_.time_row(ws.time[i]) * d;
          const float* l = pe_.data() + sentence_size() * d;
          for (std::size_t r = 0; r < d; ++r) row[r] += l[r] * dm[r];
        }
      }
    }
    scatter(grad[shape_.b_param()].data(), in.query, du);
    zero_reserved_rows(grad);
    return loss;
  }

  /// The answer id of one question (forward pass only), optionally
  /// reporting the operations to `count`.
  std::int32_t predict(const memn2n_input& in, workspace& ws) const { return forward(in, ws); }
  template <class Counter>
  std::int32_t predict(const memn2n_input& in, workspace& ws, Counter& count) const {
    return forward(in, ws, false, count);
  }

  /// Sets the rows of padding and unknown words to zero in every embedding
  /// matrix (of the parameters or of a gradient shaped like them).
  void zero_reserved_rows(std::vector<std::vector<float>>& matrices) const {
    const std::size_t d = config().dim;
    const std::size_t embeddings = shape_.adjacent() ? matrices.size() : 4;
    for (std::size_t p = 0; p < embeddings; ++p)
      std::fill(matrices[p].begin(), matrices[p].begin() + static_cast<std::ptrdiff_t>(first_answer_id * d), 0.0f);
  }

  static constexpr std::size_t first_answer_id = 2;  // ids 0 and 1: padding, unknown

 private:

  // The integer pass, then its values as floats for backward().
  template <class Counter>
  std::int32_t forward_quantized(const memn2n_input& in, workspace& ws, Counter& count) const {
    const auto& q = quantization_;
    auto tables = [&](std::size_t p, std::size_t row) { return tables_[p].data() + row * config().dim; };
    const std::int32_t answer = detail::with_integer_scheme(q, [&](auto scheme) {
      return detail::integer_forward(scheme, detail::scalar_kernels{}, shape_, q, tables, pe_raw_.data(), in,
                                     ws.integer, count);
    });
    const detail::integer_workspace& iw = ws.integer;
    const std::size_t d = config().dim, n = in.sentences, hops = config().hops;
    ws.time = iw.time;
    ws.memory.resize(distinct_memories() * n * d);
    // Scales are powers of two: every product below is exact.
    auto unit = [](int frac) { return std::ldexp(1.0f, -frac); };
    for (std::size_t e = 0; e < distinct_memories(); ++e) {
      const float scale = unit(q.memory_frac[e]);
      for (std::size_t i = 0; i < n; ++i) {
        const float alpha = q.binary_memory ? static_cast<float>(iw.alpha[e * n + i]) * scale : scale;
        for (std::size_t r = 0; r < d; ++r) {
          const std::size_t at = (e * n + i) * d + r;
          ws.memory[at] = alpha * static_cast<float>(iw.memory[at]);
        }
      }
    }
    ws.u.resize((hops + 1) * d);
    for (std::size_t k = 0; k <= hops; ++k) {
      const float scale = unit(q.controller_frac[k]);
      for (std::size_t r = 0; r < d; ++r) ws.u[k * d + r] = static_cast<float>(iw.u[k * d + r]) * scale;
    }
    ws.p.resize(hops * n);
    ws.keys.resize(hops * d);
    const float q14 = unit(kernels::probability_frac_bits);
    for (std::size_t k = 0; k < hops; ++k) {
      for (std::size_t i = 0; i < n; ++i) ws.p[k * n + i] = static_cast<float>(iw.p[k * n + i]) * q14;
      const float scale = unit(q.memory_frac[shape_.key_memory(k)]);
      for (std::size_t r = 0; r < d; ++r) ws.keys[k * d + r] = static_cast<float>(iw.key[k * d + r]) * scale;
    }
    const float logit_scale = unit(q.table_frac[shape_.w_param()] + q.controller_frac[hops]);
    ws.logits.resize(vocabulary_size());
    for (std::size_t v = 0; v < vocabulary_size(); ++v) ws.logits[v] = static_cast<float>(iw.logits[v]) * logit_scale;
    return answer;
  }

  static float dot(const float* a, const float* b, std::size_t n) noexcept {
    float s = 0.0f;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
  // Softmax over the n scores and `padding` more slots of score 0 (empty
  // memories, whose values are 0): they only share the normalization.
  static void softmax(float* s, std::size_t n, std::size_t padding) noexcept {
    if (n == 0) return;
    float max = *std::max_element(s, s + n);
    if (padding > 0) max = std::max(max, 0.0f);
    float sum = static_cast<float>(padding) * std::exp(-max);
    for (std::size_t i = 0; i < n; ++i) sum += (s[i] = std::exp(s[i] - max));
    for (std::size_t i = 0; i < n; ++i) s[i] /= sum;
  }
  // out += l_J * table[time row t]: the time word, last in its sentence.
  void add_time(const float* table, std::int32_t t, float* out) const noexcept {
    const std::size_t d = config().dim;
    const float* row = table + shape_.time_row(t) * d;
    const float* l = pe_.data() + sentence_size() * d;
    for (std::size_t r = 0; r < d; ++r) out[r] += l[r] * row[r];
  }
  // out = sum_j l_j * table[ids[j]] over the non-padding words.
  void embed(const float* table, const std::int32_t* ids, float* out) const {
    const std::size_t d = config().dim;
    std::fill(out, out + d, 0.0f);
    for (std::size_t j = 0; j < sentence_size(); ++j) {
      const auto id = static_cast<std::size_t>(ids[j]);
      if (id == 0) continue;
      if (ids[j] < 0 || id >= vocabulary_size()) detail::throw_bad_word(ids[j], vocabulary_size());
      const float* row = table + id * d;
      const float* l = pe_.data() + j * d;
      for (std::size_t r = 0; r < d; ++r) out[r] += l[r] * row[r];
    }
  }
  // The transpose of embed: grad[ids[j]] += l_j * g.
  void scatter(float* grad, const std::int32_t* ids, const float* g) const noexcept {
    const std::size_t d = config().dim;
    for (std::size_t j = 0; j < sentence_size(); ++j) {
      const auto id = static_cast<std::size_t>(ids[j]);
      if (id == 0) continue;
      float* row = grad + id * d;
      const float* l = pe_.data() + j * d;
      for (std::size_t r = 0; r < d; ++r) row[r] += l[r] * g[r];
    }
  }

  memn2n_shape shape_;
  memn2n_quantization quantization_;
  std::vector<std::vector<float>> params_;
  std::vector<float> pe_;
  std::vector<std::int8_t> pe_raw_;
  std::vector<std::vector<std::int8_t>> tables_;  // quantize_tables()
  std::vector<std::vector<float>> dequantized_;   // of W and H, for backward()
};

}  // namespace qmann
