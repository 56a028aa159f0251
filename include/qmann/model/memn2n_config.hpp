// The shape of a MemN2N and the description of its quantization: shared by
// the float model with quantization-aware training (memn2n.hpp), the
// integer forward pass (integer_forward.hpp) and the exported integer model
// (quantized_memn2n.hpp).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "qmann/number/rescale.hpp"

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

/// Quantization of an integer scheme (8-bit or binary memories), simulated
/// exactly by quantization-aware training and run by the exported model:
///   - embedding tables, W and H in fixed<8, table_frac[p]> (p: parameter
///     matrix), the position encoding in fixed<8, 6> (l is in (0, 2));
///   - every memory vector m_i, c_i in fixed<memory_width, memory_frac[e]>
///     (e: embedded memory), or, with binary_memory, alpha_i sign(x) with
///     alpha_i = mean |x| in fixed<8, memory_frac[e]> (XNOR-Net's scale);
///   - the controller state u^k in fixed<8, controller_frac[k]>;
///   - scores: `dot` narrows the exact u . m to fixed<8, controller_frac[k]>
///     (the conventional quantized MANN: the sum saturates); `hamming` is
///     Q-MANN's bounded similarity, the weighted-bit Hamming of u
///     re-expressed in the memory's format (units of 2^-(W-1)), or on
///     binary memories the number of dimensions whose signs agree;
///   - the attention is the integer base-2 softmax (Q14 weights) with beta
///     for `hamming` and log2(e) for `dot` (so that 2^(beta s) = e^s as in
///     the float model); empty memory slots score 0, as in the float model;
///   - the read sum_i p_i c_i is exact (Q14 x raw) and u^k+1 is narrowed to
///     its format; the answer is the argmax of the exact int32 W u^K+1.
/// Every conversion rounds to nearest (ties away from zero) and saturates.
struct memn2n_quantization {
  bool enabled = false;
  memn2n_similarity similarity = memn2n_similarity::dot;
  bool binary_memory = false;
  float beta = 1.0f;      // base-2 softmax sharpness (hamming), taken in Q8
  int memory_width = 8;   // W of the memory vectors, 2..8 (fixed-point memories)
  /// >= 0: the memory format is fixed (a scheme's fixed<W,F>), not measured.
  int pinned_memory_frac = -1;
  std::array<int, memn2n_max_hops + 1> memory_frac{};
  std::array<int, memn2n_max_hops + 1> controller_frac{};
  std::array<int, memn2n_max_hops + 1> table_frac{};
  /// Training only (not stored in model files): the straight-through
  /// gradient stops at values that saturated (at their format's largest or
  /// smallest value), as the gradient of the clamp does, instead of passing
  /// every rounding unchanged. Without it, weights can grow without bound
  /// once their values saturate.
  bool clip_saturated_gradients = true;
};

/// Fractional bits of the quantized position encoding: l in (0, 2).
inline constexpr int memn2n_pe_frac = 6;
/// beta of the integer softmax of the `dot` schemes: log2(e) in Q8
/// (369 / 256 = 1.4414), so that 2^(beta s) ~ e^s.
inline constexpr std::uint16_t memn2n_dot_beta_raw = 369;

namespace detail {

/// The fractional bits that fit `max_abs` into `width` bits:
/// (width - 1) - ceil(log2(max)), clamped to [0, width - 1].
inline int frac_bits_for(float max_abs, int width = 8) noexcept {
  if (!(max_abs > 0.0f)) return width - 1;
  const int integer_bits = static_cast<int>(std::ceil(std::log2(max_abs + 1e-6f)));
  return std::clamp(width - 1 - std::max(integer_bits, 0), 0, width - 1);
}

/// beta of the integer softmax, raw in Q8 (at least 1).
inline std::uint16_t softmax_beta_raw(const memn2n_quantization& q) noexcept {
  if (q.similarity == memn2n_similarity::dot) return memn2n_dot_beta_raw;
  return static_cast<std::uint16_t>(std::max(quantize_raw(q.beta, 8, 17), 1));
}

}  // namespace detail

/// Which parameter matrix and embedded memory each part of the model uses.
/// Adjacent tying: K + 1 matrices E_0..E_K with B = E_0, A^k = E_k-1,
/// C^k = E_k, W = E_K; layer-wise: B, A, C, W and H.
struct memn2n_shape {
  memn2n_config config;
  std::size_t vocabulary_size = 0;
  std::size_t sentence_size = 0;

  bool adjacent() const noexcept { return config.tying == weight_tying::adjacent; }
  /// Embedded memories: adjacent K + 1 (E_0..E_K), layer-wise 2 (A, C).
  std::size_t distinct_memories() const noexcept { return adjacent() ? config.hops + 1 : 2; }
  std::size_t parameter_matrices() const noexcept { return adjacent() ? config.hops + 1 : 5; }
  /// The embedded memory hop k (0-based) uses as keys (A) and as values (C).
  std::size_t key_memory(std::size_t k) const noexcept { return adjacent() ? k : 0; }
  std::size_t value_memory(std::size_t k) const noexcept { return adjacent() ? k + 1 : 1; }
  /// The parameter matrix behind embedded memory e, B, W and H.
  std::size_t memory_param(std::size_t e) const noexcept { return adjacent() ? e : 1 + e; }
  std::size_t b_param() const noexcept { return 0; }
  std::size_t w_param() const noexcept { return adjacent() ? config.hops : 3; }
  std::size_t h_param() const noexcept { return 4; }  // layer-wise only
  /// Rows of an embedding matrix: V words, then M time embeddings.
  std::size_t table_rows() const noexcept { return vocabulary_size + config.memory_size; }
  std::size_t time_row(std::int32_t t) const noexcept {
    return vocabulary_size + std::min(static_cast<std::size_t>(t), config.memory_size - 1);
  }
  /// Empty slots that share the attention softmax with n sentences.
  std::size_t padding_slots(std::size_t n) const noexcept {
    return config.attend_to_empty_slots && n < config.memory_size ? config.memory_size - n : 0;
  }
};

/// One question, as the model reads it (views into a data::encoded_set).
struct memn2n_input {
  const std::int32_t* story;  // sentences x sentence_size ids, oldest first
  std::size_t sentences;
  const std::int32_t* query;  // sentence_size ids
  const std::int32_t* time = nullptr;  // per sentence time index, or null: sentences-1-i
};

}  // namespace qmann
