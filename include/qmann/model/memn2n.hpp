// qmann::memn2n: End-To-End Memory Network (Sukhbaatar, Szlam, Weston,
// Fergus 2015) for bAbI, in float, with a hand-written backward pass, and
// quantization-aware simulation of the 8-bit and binary schemes (below).
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
#include "qmann/kernels/scalar.hpp"
#include "qmann/number/fixed.hpp"

namespace qmann {

enum class weight_tying { adjacent, layer_wise };
/// dot: u . m; hamming: Q-MANN's bounded similarity, weighted-bit Hamming
/// on fixed-point memories and plain Hamming (matching signs) on binary ones.
enum class memn2n_similarity { dot, hamming };

struct memn2n_config {
  std::size_t dim = 20;          // d, the embedding size
  std::size_t hops = 3;          // K
  std::size_t memory_size = 50;  // M, sentences in memory (and time embeddings)
  weight_tying tying = weight_tying::adjacent;
  bool position_encoding = true;  // PE; otherwise bag of words (l = 1)
  bool temporal_encoding = true;  // TE
  float init_stddev = 0.1f;       // weights ~ N(0, init_stddev)
  /// The authors' code does not mask empty memory slots: they score 0 and
  /// take part in the attention softmax (with value 0). Set memory_size to
  /// the longest story of the task (at most 50) to reproduce it.
  bool attend_to_empty_slots = true;
};

/// Limits of the model's shapes (checked by the constructor).
inline constexpr std::size_t memn2n_max_hops = 16;
inline constexpr std::size_t memn2n_max_dim = 1024;

/// Quantization-aware training of an 8-bit scheme: the forward pass rounds
/// and saturates, exactly as qmann::fixed<8,F> (nearest, saturate) does,
///   - every memory vector m_i, c_i to fixed<8, memory_frac[e]> (e: which
///     embedded memory, see memn2n),
///   - the controller state u^k to fixed<8, controller_frac[k]>,
///   - with `dot`, each score u . m_i to fixed<8, controller_frac[k]> (the
///     conventional quantized MANN: the sum saturates),
///   - with `hamming`, the score is Q-MANN's bounded similarity
///     sum_d h(u_d, m_id) 2^-7 of u re-expressed in the memory's format,
///     and the attention is the base-2 softmax p ~ 2^(beta s).
/// With binary_memory, memory vectors are alpha sign(x) instead (alpha = the
/// vector's mean |x|, as XNOR-Net scales binary weights); `dot` then scores
/// u . m saturating in 8 bits (conventional binary), `hamming` counts the
/// dimensions where sign(u) = sign(m) (Q-MANN binary), with the surrogate
/// gradient of (1 + sign(u) sign(m)) / 2 through straight-through signs
/// (u's of slope 1/32 per raw unit inside |u| < 32 raw units).
/// The backward pass is a straight-through estimator (each rounding passes
/// the gradient unchanged). The Hamming similarity h = sign(a) sign(b)
/// (M - min(|a - b|, M)) is dominated by its sign product, so its surrogate
/// gradient differentiates both factors: each sign straight-through with
/// slope 1/32 per raw unit inside |x| < 32, and the closeness by its slope
/// -+sign(a - b) while |a - b| < M. The answer layer stays float here.
struct memn2n_quantization {
  bool enabled = false;
  memn2n_similarity similarity = memn2n_similarity::dot;
  bool binary_memory = false;
  float beta = 1.0f;  // base-2 softmax sharpness (hamming)
  std::array<int, memn2n_max_hops + 1> memory_frac{};
  std::array<int, memn2n_max_hops + 1> controller_frac{};
};

namespace detail {

/// x rounded and saturated as qmann::fixed<8, frac> (nearest, saturate).
inline float quantize8(float x, int frac) noexcept {
  switch (frac) {
    case 0: return static_cast<float>(fixed<8, 0>{x});
    case 1: return static_cast<float>(fixed<8, 1>{x});
    case 2: return static_cast<float>(fixed<8, 2>{x});
    case 3: return static_cast<float>(fixed<8, 3>{x});
    case 4: return static_cast<float>(fixed<8, 4>{x});
    case 5: return static_cast<float>(fixed<8, 5>{x});
    case 6: return static_cast<float>(fixed<8, 6>{x});
    default: return static_cast<float>(fixed<8, 7>{x});
  }
}

/// The fractional bits that fit `max_abs` into 8 bits: 7 - ceil(log2(max)).
inline int frac_bits_for(float max_abs) noexcept {
  if (!(max_abs > 0.0f)) return 7;
  const int integer_bits = static_cast<int>(std::ceil(std::log2(max_abs + 1e-6f)));
  return std::clamp(7 - std::max(integer_bits, 0), 0, 7);
}

}  // namespace detail

/// One question, as the model reads it (views into a data::encoded_set).
struct memn2n_input {
  const std::int32_t* story;  // sentences x sentence_size ids, oldest first
  std::size_t sentences;
  const std::int32_t* query;  // sentence_size ids
  const std::int32_t* time = nullptr;  // per sentence time index, or null: sentences-1-i
};

class memn2n {
 public:
  /// Parameters are initialized from N(0, init_stddev) with `seed`.
  memn2n(const memn2n_config& config, std::size_t vocabulary_size, std::size_t sentence_size,
         std::uint64_t seed)
      : config_(config), vocab_(vocabulary_size), sentence_size_(sentence_size) {
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
    const std::size_t d = config.dim, rows = vocab_ + config.memory_size;
    if (config.tying == weight_tying::adjacent) {
      for (std::size_t k = 0; k <= config.hops; ++k) params_.emplace_back(rows * d);
    } else {
      params_.resize(5);  // B, A, C, W (rows x d) and H (d x d)
      for (std::size_t p = 0; p < 4; ++p) params_[p].resize(rows * d);
      params_[h_index].resize(d * d);
    }
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
  }

  const memn2n_config& config() const noexcept { return config_; }
  const memn2n_quantization& quantization() const noexcept { return quantization_; }
  void set_quantization(const memn2n_quantization& q) noexcept { quantization_ = q; }
  /// Embedded memories: adjacent K + 1 (E_0..E_K), layer-wise 2 (A, C).
  std::size_t distinct_memories() const noexcept {
    return config_.tying == weight_tying::adjacent ? config_.hops + 1 : 2;
  }
  std::size_t vocabulary_size() const noexcept { return vocab_; }
  std::size_t sentence_size() const noexcept { return sentence_size_; }

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
  };

  /// Forward pass: fills `ws`, returns the argmax answer id (never 0 or 1).
  /// `linear` removes the attention softmax (linear start).
  std::int32_t forward(const memn2n_input& in, workspace& ws, bool linear = false) const {
    const std::size_t d = config_.dim, n = in.sentences, hops = config_.hops;
    const std::size_t embedded = distinct_memories();
    ws.memory.assign(embedded * n * d, 0.0f);
    ws.u.assign((hops + 1) * d, 0.0f);
    ws.p.assign(hops * n, 0.0f);
    ws.logits.assign(vocab_, 0.0f);
    ws.time.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      ws.time[i] = in.time ? in.time[i] : static_cast<std::int32_t>(n - 1 - i);

    for (std::size_t e = 0; e < embedded; ++e) {
      const float* table = params_[memory_param(e)].data();
      for (std::size_t i = 0; i < n; ++i) {
        float* m = ws.memory.data() + (e * n + i) * d;
        embed(table, in.story + i * sentence_size_, m);
        if (config_.temporal_encoding) add_time(table, ws.time[i], m);
        if (quantization_.enabled) {
          if (quantization_.binary_memory) binarize(m, d);
          else quantize(m, d, quantization_.memory_frac[e]);
        }
      }
    }
    embed(params_[b_param()].data(), in.query, ws.u.data());
    if (quantization_.enabled) quantize(ws.u.data(), d, quantization_.controller_frac[0]);
    const bool hamming = quantization_.enabled && quantization_.similarity == memn2n_similarity::hamming;
    if (hamming) ws.keys.assign(hops * d, 0.0f);
    const float base2 = quantization_.beta * std::log(2.0f);  // 2^(beta s) = e^(beta ln2 s)

    for (std::size_t k = 0; k < hops; ++k) {
      const float* u = ws.u.data() + k * d;
      float* next = ws.u.data() + (k + 1) * d;
      const float* keys = ws.memory.data() + key_memory(k) * n * d;
      const float* values = ws.memory.data() + value_memory(k) * n * d;
      float* p = ws.p.data() + k * n;
      if (hamming && quantization_.binary_memory) {
        // Q-MANN binary: the number of dimensions whose signs match.
        for (std::size_t i = 0; i < n; ++i) {
          int matches = 0;
          for (std::size_t r = 0; r < d; ++r) matches += (u[r] < 0.0f) == (keys[i * d + r] < 0.0f);
          p[i] = base2 * static_cast<float>(matches);
        }
      } else if (hamming) {
        // Q-MANN: the key in the memory's format, the bounded similarity of
        // raw values (units of 2^-7; the closed form, proven equal to the
        // bit-level definition in the kernel tests), and p ~ 2^(beta s).
        const int frac = quantization_.memory_frac[key_memory(k)];
        float* key = ws.keys.data() + k * d;
        for (std::size_t r = 0; r < d; ++r) key[r] = detail::quantize8(u[r], frac);
        const float scale = std::ldexp(1.0f, frac);
        for (std::size_t i = 0; i < n; ++i) {
          int sum = 0;
          for (std::size_t r = 0; r < d; ++r)
            sum += kernels::detail::weighted_hamming_closed<8>(static_cast<int>(key[r] * scale),
                                                               static_cast<int>(keys[i * d + r] * scale));
          p[i] = base2 * static_cast<float>(sum) / 128.0f;
        }
      } else {
        for (std::size_t i = 0; i < n; ++i) p[i] = dot(u, keys + i * d, d);
        if (quantization_.enabled)  // the conventional path: the score saturates in 8 bits
          for (std::size_t i = 0; i < n; ++i) p[i] = detail::quantize8(p[i], quantization_.controller_frac[k]);
      }
      if (!linear) softmax(p, n, padding_slots(n));
      if (config_.tying == weight_tying::layer_wise) {
        const float* h = params_[h_index].data();
        for (std::size_t r = 0; r < d; ++r) next[r] = dot(h + r * d, u, d);
      } else {
        std::copy(u, u + d, next);
      }
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t r = 0; r < d; ++r) next[r] += p[i] * values[i * d + r];
      if (quantization_.enabled) quantize(next, d, quantization_.controller_frac[k + 1]);
    }
    const float* w = params_[w_param()].data();
    const float* u_last = ws.u.data() + hops * d;
    std::int32_t best = first_answer_id;
    for (std::size_t v = first_answer_id; v < vocab_; ++v) {
      ws.logits[v] = dot(w + v * d, u_last, d);
      if (ws.logits[v] > ws.logits[static_cast<std::size_t>(best)]) best = static_cast<std::int32_t>(v);
    }
    return best;
  }

  /// Backward pass of the cross-entropy loss -log a[answer] after forward()
  /// on the same input and workspace: adds the gradient to `grad` (shaped as
  /// parameters()). Returns the loss.
  float backward(const memn2n_input& in, std::int32_t answer, workspace& ws,
                 std::vector<std::vector<float>>& grad, bool linear = false) const {
    const std::size_t d = config_.dim, n = in.sentences, hops = config_.hops;
    // Answer softmax over the real words (ids >= 2).
    float* z = ws.logits.data();
    float max = z[first_answer_id];
    for (std::size_t v = first_answer_id; v < vocab_; ++v) max = std::max(max, z[v]);
    float sum = 0.0f;
    for (std::size_t v = first_answer_id; v < vocab_; ++v) sum += (z[v] = std::exp(z[v] - max));
    for (std::size_t v = first_answer_id; v < vocab_; ++v) z[v] /= sum;
    const float loss = -std::log(std::max(z[static_cast<std::size_t>(answer)], 1e-30f));
    z[static_cast<std::size_t>(answer)] -= 1.0f;  // dz = a - onehot

    ws.du.assign(d, 0.0f);
    ws.dmem.assign(distinct_memories() * n * d, 0.0f);
    ws.dp.assign(n, 0.0f);
    float* du = ws.du.data();
    const float* w = params_[w_param()].data();
    float* dw = grad[w_param()].data();
    const float* u_last = ws.u.data() + hops * d;
    for (std::size_t v = first_answer_id; v < vocab_; ++v) {
      const float dz = z[v];
      for (std::size_t r = 0; r < d; ++r) {
        dw[v * d + r] += dz * u_last[r];
        du[r] += dz * w[v * d + r];
      }
    }
    for (std::size_t k = hops; k-- > 0;) {
      // du holds dL/du^(k+1); u^(k+1) = (u^k or H u^k) + o^k.
      const float* u = ws.u.data() + k * d;
      const float* keys = ws.memory.data() + key_memory(k) * n * d;
      const float* values = ws.memory.data() + value_memory(k) * n * d;
      float* dkeys = ws.dmem.data() + key_memory(k) * n * d;
      float* dvalues = ws.dmem.data() + value_memory(k) * n * d;
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
        for (std::size_t i = 0; i < n; ++i) dp[i] = p[i] * (dp[i] - weighted);
      }
      const bool hamming =
          quantization_.enabled && quantization_.similarity == memn2n_similarity::hamming;
      // s_i = u . m_i: dm_i += ds_i u, du^k gets sum ds_i m_i plus the
      // controller's own path.
      float next_du[memn2n_max_dim];
      if (config_.tying == weight_tying::layer_wise) {
        const float* h = params_[h_index].data();
        float* dh = grad[h_index].data();
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
        // s_i = beta ln2 sum_r (1 + sign(u_r) sign(m_ir)) / 2.
        // sign(u) straight-through inside 32 raw units of u's format (as for
        // fixed8-hamming); m's sign passes through alpha sign(x).
        const float half = quantization_.beta * std::log(2.0f) / 2.0f;
        const float window = std::ldexp(32.0f, -quantization_.controller_frac[k]);
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t r = 0; r < d; ++r) {
            const float su = u[r] < 0.0f ? -1.0f : 1.0f, sm = keys[i * d + r] < 0.0f ? -1.0f : 1.0f;
            if (std::abs(u[r]) < window) next_du[r] += dp[i] * half * sm / window;
            dkeys[i * d + r] += dp[i] * half * su;
          }
      } else if (hamming) {
        // s_i = beta ln2 2^-7 sum_r h(a_r, b_ir), h = sign(a) sign(b) g(|a - b|)
        // in raw units (a: the key, b: the memory); surrogate below.
        const int frac = quantization_.memory_frac[key_memory(k)];
        const float scale = std::ldexp(1.0f, frac);
        const float unit = quantization_.beta * std::log(2.0f) * scale / 128.0f;
        const float* key = ws.keys.data() + k * d;
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t r = 0; r < d; ++r) {
            const float a = key[r], b = keys[i * d + r];
            const float diff = (a - b) * scale;
            const float closeness = 127.0f - std::min(std::abs(diff), 127.0f);  // g(|a - b|)
            const float sa = a < 0.0f ? -1.0f : 1.0f, sb = b < 0.0f ? -1.0f : 1.0f;
            // h = sa sb g(|a - b|). The sign product dominates h, so its
            // surrogate matters most: a straight-through sign of slope
            // 1/window for |x| < window raw units (window = 32, a quarter of
            // the range; 8 to 32 measured alike, 64 and 127 worse), and the
            // closeness by its own slope.
            constexpr float window = 32.0f;
            const float slope = (std::abs(diff) >= 127.0f || diff == 0.0f) ? 0.0f : (diff > 0.0f ? 1.0f : -1.0f);
            const float ste_a = std::abs(a * scale) < window ? 1.0f / window : 0.0f;
            const float ste_b = std::abs(b * scale) < window ? 1.0f / window : 0.0f;
            const float dha = sb * closeness * ste_a - sa * sb * slope;
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
    // Embedding gradients: memory rows, then the query.
    for (std::size_t e = 0; e < distinct_memories(); ++e) {
      float* g = grad[memory_param(e)].data();
      for (std::size_t i = 0; i < n; ++i) {
        const float* dm = ws.dmem.data() + (e * n + i) * d;
        scatter(g, in.story + i * sentence_size_, dm);
        if (config_.temporal_encoding) {
          float* row = g + (vocab_ + time_row(ws.time[i])) * d;
          const float* l = pe_.data() + sentence_size_ * d;
          for (std::size_t r = 0; r < d; ++r) row[r] += l[r] * dm[r];
        }
      }
    }
    scatter(grad[b_param()].data(), in.query, du);
    zero_reserved_rows(grad);
    return loss;
  }

  /// The answer id of one question (forward pass only).
  std::int32_t predict(const memn2n_input& in, workspace& ws) const { return forward(in, ws); }

  /// Sets the rows of padding and unknown words to zero in every embedding
  /// matrix (of the parameters or of a gradient shaped like them).
  void zero_reserved_rows(std::vector<std::vector<float>>& matrices) const {
    const std::size_t d = config_.dim;
    const std::size_t embeddings = config_.tying == weight_tying::adjacent ? matrices.size() : 4;
    for (std::size_t p = 0; p < embeddings; ++p)
      std::fill(matrices[p].begin(), matrices[p].begin() + static_cast<std::ptrdiff_t>(first_answer_id * d), 0.0f);
  }

  static constexpr std::size_t first_answer_id = 2;  // ids 0 and 1: padding, unknown

 private:
  static constexpr std::size_t h_index = 4;

  // Which embedded memory hop k (0-based) uses as keys (A) and values (C).
  std::size_t key_memory(std::size_t k) const noexcept {
    return config_.tying == weight_tying::adjacent ? k : 0;
  }
  std::size_t value_memory(std::size_t k) const noexcept {
    return config_.tying == weight_tying::adjacent ? k + 1 : 1;
  }
  // The parameter matrix behind embedded memory e, B and W.
  std::size_t memory_param(std::size_t e) const noexcept {
    return config_.tying == weight_tying::adjacent ? e : 1 + e;  // layer-wise: A = 1, C = 2
  }
  std::size_t b_param() const noexcept { return 0; }
  std::size_t w_param() const noexcept {
    return config_.tying == weight_tying::adjacent ? config_.hops : 3;
  }
  std::size_t time_row(std::int32_t t) const noexcept {
    return std::min(static_cast<std::size_t>(t), config_.memory_size - 1);
  }

  static float dot(const float* a, const float* b, std::size_t n) noexcept {
    float s = 0.0f;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * b[i];
    return s;
  }
  // Softmax over the n scores and `padding` more slots of score 0 (empty
  // memories, whose values are 0): they only share the normalization.
  // x <- alpha sign(x), alpha = mean |x| (sign(0) = +1).
  static void binarize(float* x, std::size_t n) noexcept {
    float alpha = 0.0f;
    for (std::size_t i = 0; i < n; ++i) alpha += std::abs(x[i]);
    alpha /= static_cast<float>(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = x[i] < 0.0f ? -alpha : alpha;
  }
  static void quantize(float* x, std::size_t n, int frac) noexcept {
    for (std::size_t i = 0; i < n; ++i) x[i] = detail::quantize8(x[i], frac);
  }
  static void softmax(float* s, std::size_t n, std::size_t padding) noexcept {
    if (n == 0) return;
    float max = *std::max_element(s, s + n);
    if (padding > 0) max = std::max(max, 0.0f);
    float sum = static_cast<float>(padding) * std::exp(-max);
    for (std::size_t i = 0; i < n; ++i) sum += (s[i] = std::exp(s[i] - max));
    for (std::size_t i = 0; i < n; ++i) s[i] /= sum;
  }
  std::size_t padding_slots(std::size_t n) const noexcept {
    return config_.attend_to_empty_slots && n < config_.memory_size ? config_.memory_size - n : 0;
  }
  // out += l_J * table[time row t]: the time word, last in its sentence.
  void add_time(const float* table, std::int32_t t, float* out) const noexcept {
    const std::size_t d = config_.dim;
    const float* row = table + (vocab_ + time_row(t)) * d;
    const float* l = pe_.data() + sentence_size_ * d;
    for (std::size_t r = 0; r < d; ++r) out[r] += l[r] * row[r];
  }
  // out = sum_j l_j * table[ids[j]] over the non-padding words.
  void embed(const float* table, const std::int32_t* ids, float* out) const noexcept {
    const std::size_t d = config_.dim;
    std::fill(out, out + d, 0.0f);
    for (std::size_t j = 0; j < sentence_size_; ++j) {
      const auto id = static_cast<std::size_t>(ids[j]);
      if (id == 0) continue;
      const float* row = table + id * d;
      const float* l = pe_.data() + j * d;
      for (std::size_t r = 0; r < d; ++r) out[r] += l[r] * row[r];
    }
  }
  // The transpose of embed: grad[ids[j]] += l_j * g.
  void scatter(float* grad, const std::int32_t* ids, const float* g) const noexcept {
    const std::size_t d = config_.dim;
    for (std::size_t j = 0; j < sentence_size_; ++j) {
      const auto id = static_cast<std::size_t>(ids[j]);
      if (id == 0) continue;
      float* row = grad + id * d;
      const float* l = pe_.data() + j * d;
      for (std::size_t r = 0; r < d; ++r) row[r] += l[r] * g[r];
    }
  }

  memn2n_config config_;
  memn2n_quantization quantization_;
  std::size_t vocab_;
  std::size_t sentence_size_;
  std::vector<std::vector<float>> params_;
  std::vector<float> pe_;
};

}  // namespace qmann
