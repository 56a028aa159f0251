// quantized_memn2n<Scheme>: the integer-only inference model of a MemN2N
// trained with quantization-aware training in Scheme (scheme.hpp).
//
// Export copies the weight tables as raw int8 (fixed<8, table_frac[p]>)
// and keeps the formats; predict() runs the integer forward pass
// (integer_forward.hpp) with the SIMD kernels of the scheme's memory type:
// embeddings, memories, scores, the base-2 softmax, the read, the controller
// and the answer (the argmax of int32 logits) without one float operation.
// It computes the same integers as the training forward pass (the scalar
// kernels): same scores, same weights, same logits, bit for bit.
//
// Formats are values here, not template arguments: MQ measures them per
// hop after training started. The scheme's types fix what is compile-time:
// memory width, binary or fixed-point, the similarity, hence the kernels.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "qmann/model/integer_forward.hpp"
#include "qmann/model/memn2n.hpp"
#include "qmann/model/scheme.hpp"
#include "qmann/number/rescale.hpp"

namespace qmann {

template <class Scheme>
class quantized_memn2n {
  using tag = detail::integer_scheme_tag<Scheme::memory_width, Scheme::binary_memory, Scheme::hamming>;

 public:
  using scheme_type = Scheme;
  using workspace = detail::integer_workspace;

  /// Exports `trained`. Throws std::invalid_argument if its quantization
  /// is not of Scheme (e.g. a float model, or another similarity).
  explicit quantized_memn2n(const memn2n& trained)
      : shape_(trained.shape()), quantization_(trained.quantization()),
        pe_(trained.quantized_position_encoding()) {
    if (!Scheme::matches(quantization_))
      throw std::invalid_argument("qmann::quantized_memn2n: the model was not trained in this scheme "
                                  "(its quantization is " + describe(quantization_) + ")");
    if (Scheme::pinned_memory_frac >= 0)
      for (std::size_t e = 0; e < shape_.distinct_memories(); ++e)
        if (quantization_.memory_frac[e] != Scheme::pinned_memory_frac)
          throw std::invalid_argument("qmann::quantized_memn2n: memory format " +
                                      std::to_string(quantization_.memory_frac[e]) + " differs from the scheme's " +
                                      std::to_string(Scheme::pinned_memory_frac));
    tables_ = trained.quantized_tables();
  }

  const memn2n_shape& shape() const noexcept { return shape_; }
  /// The formats (fractional bits per memory, hop and table).
  const memn2n_quantization& formats() const noexcept { return quantization_; }
  /// Raw int8 weights of parameter matrix p (shaped as memn2n::parameters()).
  const std::vector<std::int8_t>& table(std::size_t p) const { return tables_.at(p); }

  /// The answer id of one question; ws.logits holds the int32 scores
  /// (table_frac[W] + controller_frac[K] fractional bits).
  /// Throws std::out_of_range for a word id outside the vocabulary.
  std::int32_t predict(const memn2n_input& in, workspace& ws) const {
    energy::no_count none;
    return predict(in, ws, none);
  }
  /// The same, reporting every operation to `count` (energy/operations.hpp).
  template <class Counter>
  std::int32_t predict(const memn2n_input& in, workspace& ws, Counter& count) const {
    auto tables = [this](std::size_t p, std::size_t row) {
      return tables_[p].data() + row * shape_.config.dim;
    };
    return detail::integer_forward(tag{}, detail::simd_kernels{}, shape_, quantization_, tables, pe_.data(), in,
                                   ws, count);
  }

  /// Bytes of the model's parameters (int8 tables and position encoding).
  std::size_t parameter_bytes() const noexcept {
    std::size_t bytes = pe_.size();
    for (const auto& t : tables_) bytes += t.size();
    return bytes;
  }

 private:
  static std::string describe(const memn2n_quantization& q) {
    if (!q.enabled) return "float";
    return std::string(q.binary_memory ? "binary" : "fixed" + std::to_string(q.memory_width)) +
           (q.similarity == memn2n_similarity::hamming ? "-hamming" : "-dot");
  }

  memn2n_shape shape_;
  memn2n_quantization quantization_;
  std::vector<std::int8_t> pe_;
  std::vector<std::vector<std::int8_t>> tables_;
};

}  // namespace qmann
