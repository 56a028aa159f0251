// content_addressing<Memory, Similarity, Softmax>: score a key against every
// slot, normalize, read. In MemN2N terms (Sukhbaatar et al. 2015, eq. 1-2):
//   p_i = Softmax(similarity(u, m_i)),   o = sum_i p_i c_i
// with the keys m_i and values c_i in two memories (or one).
//
// Types flow from the choices: the memory's number type T picks the
// kernels, the similarity's score_type<T> is float or fixed-point, the
// softmax makes float or Q14 weights, and the read returns
//   float memory   -> float
//   fixed memory   -> T (the exact Q14 x raw sum, rounded and saturated by T)
//   binary memory  -> qmann::probability (fixed<16,14>): o_d in [-1, 1]
// Fixed and binary memories always read with Q14 weights (float weights are
// quantized first), so their read is integer-only.
//
// An object keeps scratch buffers between calls (no allocation once sized):
// use one object per thread.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "qmann/addressing/similarity.hpp"
#include "qmann/addressing/softmax.hpp"
#include "qmann/container/vector.hpp"
#include "qmann/kernels/binary.hpp"
#include "qmann/kernels/fixed.hpp"
#include "qmann/kernels/float.hpp"
#include "qmann/memory/memory.hpp"

namespace qmann {

template <class T>
struct read_type_of {
  using type = T;  // fixed: the memory's own format
};
template <>
struct read_type_of<binary> {
  using type = probability;
};
template <class T>
using read_type_t = typename read_type_of<T>::type;

template <class S>
concept softmax_policy = std::same_as<S, exp_softmax> || std::same_as<S, base2_softmax>;

template <class Memory, class Similarity, class Softmax>
class content_addressing;

template <number T, class Similarity, class Softmax>
  requires similarity_for<Similarity, T> && softmax_policy<Softmax>
class content_addressing<memory<T>, Similarity, Softmax> {
 public:
  using memory_type = memory<T>;
  using value_type = T;
  using score_type = typename Similarity::template score_type<T>;
  using probability_type = typename Softmax::probability_type;
  using read_type = read_type_t<T>;
  using raw_score = raw_score_t<score_type>;

  static_assert(!(std::same_as<Softmax, base2_softmax> && std::same_as<score_type, float>),
                "content_addressing: base2_softmax needs fixed-point scores; use exp_softmax "
                "with a float similarity");

  explicit content_addressing(Softmax softmax = {}) : softmax_(softmax) {}

  const Softmax& softmax() const noexcept { return softmax_; }

  /// s_i = similarity(key, M_i) for every slot i, as raw scores: floats, or
  /// the raw int32 of fixed-point scores (score_type::from_raw gives them a type).
  void similarities(const memory_type& keys, const vector<T>& key, std::vector<raw_score>& out) const {
    check_key(keys, key);
    out.resize(keys.slots());
    Similarity::template score_rows<T>(key.storage().data(), keys.rows().storage().data(),
                                       keys.slots(), keys.dim(), keys.rows().row_stride(), out.data());
  }

  /// The weights p = softmax(s) over all slots (kept for read()).
  const vector<probability_type>& address(const memory_type& keys, const vector<T>& key) {
    check_key(keys, key);
    const std::size_t n = keys.slots();
    if (n == 0) throw std::invalid_argument("qmann::content_addressing: memory has no slots");
    if (weights_.size() != n) weights_ = vector<probability_type>(n);
    if constexpr (std::same_as<Softmax, base2_softmax>)
      if (n > kernels::softmax_base2_max_size)
        throw std::invalid_argument("qmann::content_addressing: base2_softmax takes at most " +
                                    std::to_string(kernels::softmax_base2_max_size) + " slots");
    if constexpr (std::same_as<raw_score, float>) {  // float scores, softmax in place
      float* p = weights_.storage().data();
      Similarity::template score_rows<T>(key.storage().data(), keys.rows().storage().data(), n,
                                         keys.dim(), keys.rows().row_stride(), p);
      softmax_(p, n);
    } else if constexpr (std::same_as<Softmax, exp_softmax>) {
      // The conventional quantized path: fixed-point scores into a float softmax.
      similarities(keys, key, raw_scores_);
      float* p = weights_.storage().data();
      for (std::size_t i = 0; i < n; ++i)
        p[i] = static_cast<float>(
            score_type::from_raw(static_cast<typename score_type::storage_type>(raw_scores_[i])));
      softmax_(p, n);
    } else {
      similarities(keys, key, raw_scores_);
      softmax_(raw_scores_.data(), n, score_type::frac_bits, weights_.storage().data());
    }
    return weights_;
  }

  /// o = sum_i p_i c_i with the weights of the last address().
  void read(const memory_type& values, vector<read_type>& out) {
    const std::size_t n = values.slots(), dim = values.dim();
    if (n != weights_.size())
      throw std::invalid_argument("qmann::content_addressing::read: " + std::to_string(n) +
                                  " value slots, " + std::to_string(weights_.size()) + " weights");
    if (out.size() != dim) out = vector<read_type>(dim);
    const auto rows = values.rows().storage().data();
    const std::size_t stride = values.rows().row_stride();
    if constexpr (std::same_as<T, float>) {
      kernels::read(float_weights(), rows, n, dim, stride, out.storage().data());
    } else {
      const std::int16_t* p = q14_weights();
      wide_.resize(dim);
      kernels::read(p, rows, n, dim, stride, wide_.data());
      auto* o = out.storage().data();
      if constexpr (std::same_as<T, binary>) {
        for (std::size_t d = 0; d < dim; ++d)
          o[d] = fixed_cast<probability>(fixed<32, kernels::probability_frac_bits>::from_raw(wide_[d])).raw();
      } else {
        using wide = fixed<32, kernels::probability_frac_bits + T::frac_bits,
                           typename T::overflow_type, typename T::rounding_type>;
        for (std::size_t d = 0; d < dim; ++d) o[d] = fixed_cast<T>(wide::from_raw(wide_[d])).raw();
      }
    }
  }

  /// address() then read(): the whole content-based addressing of one key.
  void operator()(const memory_type& keys, const vector<T>& key, const memory_type& values,
                  vector<read_type>& out) {
    address(keys, key);
    read(values, out);
  }

 private:
  static void check_key(const memory_type& keys, const vector<T>& key) {
    if (key.size() != keys.dim())
      throw std::invalid_argument("qmann::content_addressing: key of size " +
                                  std::to_string(key.size()) + " for memory dim " +
                                  std::to_string(keys.dim()));
  }

  const float* float_weights() {
    if constexpr (std::same_as<probability_type, float>) {
      return weights_.storage().data();
    } else {
      float_scratch_.resize(weights_.size());
      for (std::size_t i = 0; i < weights_.size(); ++i) float_scratch_[i] = to_float(weights_[i]);
      return float_scratch_.data();
    }
  }

  const std::int16_t* q14_weights() {
    if constexpr (std::same_as<probability_type, probability>) {
      return weights_.storage().data();
    } else {
      q14_scratch_.resize(weights_.size());
      for (std::size_t i = 0; i < weights_.size(); ++i)
        q14_scratch_[i] = quantize<probability>(weights_[i]).raw();
      return q14_scratch_.data();
    }
  }

  Softmax softmax_;
  vector<probability_type> weights_;
  std::vector<raw_score> raw_scores_;
  std::vector<std::int32_t> wide_;
  std::vector<float> float_scratch_;
  std::vector<std::int16_t> q14_scratch_;
};

}  // namespace qmann
