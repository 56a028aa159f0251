// Training of a float memn2n by SGD, with the schedule and tricks of
// Sukhbaatar et al. 2015 and the details of the authors' code that
// ../shared/design/PAPER.md lists:
//   - linear start (LS): the first `linear_start_epochs` epochs without the
//     attention softmax, at linear_start_rate; the main phase then starts at
//     that same rate (the authors' code) and halves it at its epochs
//     anneal_every, 2 anneal_every, ...;
//   - random noise (RN): time indices jittered as if up to `random_noise` x n
//     empty memories had been inserted among the n sentences;
//   - the loss summed over a batch, each gradient matrix clipped to
//     max_grad_norm, the best model on the validation set kept.
// Deterministic: a seed gives the same model on every platform (the
// shuffles and draws use only the raw 64-bit output of std::mt19937_64).
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "qmann/data/encode.hpp"
#include "qmann/model/memn2n.hpp"

namespace qmann {

struct train_config {
  std::size_t epochs = 100;               // main phase
  std::size_t linear_start_epochs = 20;   // 0: no linear start
  float learning_rate = 0.01f;            // main-phase start without linear start
  float linear_start_rate = 0.005f;       // linear start, and the main-phase start after it
  std::size_t anneal_every = 25;          // main-phase epochs per halving of the rate
  std::size_t batch_size = 32;
  float max_grad_norm = 40.0f;
  float random_noise = 0.1f;              // RN: fraction of empty memories, 0 = off
  /// The authors' code draws every batch at random with replacement,
  /// floor(n / batch_size) batches an epoch; otherwise each epoch is one
  /// pass over a shuffled order.
  bool sample_with_replacement = true;
  /// With a model whose quantization() is enabled (quantization-aware
  /// training): MQ, fixed-point formats per hop and per memory; otherwise one
  /// format for every quantized value, as the conventional scheme.
  bool per_hop_formats = true;
  /// Measure the formats before every quantized epoch, or once, before the
  /// first (then they stay fixed, so the model can settle into them).
  bool recalibrate_every_epoch = false;
  /// Main-phase epochs trained in float before quantization-aware training
  /// starts (the linear start is always float).
  std::size_t float_epochs = 0;
  /// Early stopping (ES): stop after this many candidate epochs (main
  /// phase; quantized ones in quantization-aware training) without a new
  /// best validation error. 0: run every epoch.
  std::size_t patience = 0;
  std::uint64_t seed = 1;
};

/// What one epoch did, for progress reports.
struct epoch_report {
  std::size_t epoch;        // 1-based, linear start included
  std::size_t epochs;       // total
  bool linear_start;
  float learning_rate;
  float train_loss;         // mean per question
  float train_error;        // fraction, during the epoch
  float validation_error;   // fraction, after the epoch
};

struct train_result {
  float validation_error = 1.0f;  // of the kept (best) model
  std::size_t best_epoch = 0;
  std::size_t epochs_run = 0;
};

/// Fraction of wrong answers of `model` on `set`.
inline float error_rate(const memn2n& model, const data::encoded_set& set) {
  if (set.size() == 0) return 0.0f;
  memn2n::workspace ws;
  std::size_t wrong = 0;
  for (std::size_t e = 0; e < set.size(); ++e) {
    const memn2n_input in{set.story(e), static_cast<std::size_t>(set.sentences[e]), set.query(e)};
    wrong += model.predict(in, ws) != set.answers[e];
  }
  return static_cast<float>(wrong) / static_cast<float>(set.size());
}

/// The formats of the weight matrices (embedding tables, W, H): for each,
/// F = 7 - ceil(log2 max|w|) in fixed<8,F>. Weights, not data: measured
/// again before every quantized epoch, as training moves them.
inline void calibrate_tables(const memn2n& model, memn2n_quantization& q) {
  for (std::size_t p = 0; p < model.parameters().size(); ++p) {
    float max = 0.0f;
    for (float x : model.parameters()[p]) max = std::max(max, std::abs(x));
    q.table_frac[p] = detail::frac_bits_for(max);
  }
}

/// The formats of a quantized model, measured on (up to the first 512
/// questions of) a training set with the model's float forward pass: for
/// each embedded memory, F = (W - 1) - ceil(log2 max|x|) in the memory's
/// width W (8 for the scale of binary memories; a pinned format is kept),
/// for each controller state the same in 8 bits, and the table formats
/// (calibrate_tables). Without per_hop, one format for every memory and
/// controller state (the conventional scheme). Never measured on test data.
inline memn2n_quantization calibrate(memn2n& model, const data::encoded_set& set, bool per_hop) {
  memn2n_quantization q = model.quantization();
  model.set_quantization({});
  std::array<float, memn2n_max_hops + 1> memory_max{}, controller_max{};
  memn2n::workspace ws;
  const std::size_t d = model.config().dim, hops = model.config().hops;
  for (std::size_t e = 0; e < std::min<std::size_t>(set.size(), 512); ++e) {
    const auto n = static_cast<std::size_t>(set.sentences[e]);
    model.forward({set.story(e), n, set.query(e)}, ws);
    for (std::size_t m = 0; m < model.distinct_memories(); ++m)
      for (std::size_t i = 0; i < n * d; ++i)
        memory_max[m] = std::max(memory_max[m], std::abs(ws.memory[m * n * d + i]));
    for (std::size_t k = 0; k <= hops; ++k)
      for (std::size_t r = 0; r < d; ++r)
        controller_max[k] = std::max(controller_max[k], std::abs(ws.u[k * d + r]));
  }
  const int memory_width = q.binary_memory ? 8 : q.memory_width;
  for (std::size_t m = 0; m < model.distinct_memories(); ++m)
    q.memory_frac[m] = q.pinned_memory_frac >= 0 ? q.pinned_memory_frac
                                                 : detail::frac_bits_for(memory_max[m], memory_width);
  for (std::size_t k = 0; k <= hops; ++k) q.controller_frac[k] = detail::frac_bits_for(controller_max[k]);
  if (!per_hop) {
    int common = 7;
    for (std::size_t m = 0; m < model.distinct_memories(); ++m) common = std::min(common, q.memory_frac[m]);
    for (std::size_t k = 0; k <= hops; ++k) common = std::min(common, q.controller_frac[k]);
    if (q.pinned_memory_frac < 0) q.memory_frac.fill(common);
    q.controller_frac.fill(common);
  }
  calibrate_tables(model, q);
  model.set_quantization(q);
  return q;
}

namespace detail {

/// Uniform in [0, bound) from raw 64-bit draws (portable, unlike std::
/// distributions); the modulo bias is below 2^-40 for the bounds used here.
inline std::size_t draw_below(std::mt19937_64& gen, std::size_t bound) {
  return static_cast<std::size_t>(gen() % bound);
}

template <class T>
void shuffle(std::vector<T>& v, std::mt19937_64& gen) {
  for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[draw_below(gen, i)]);
}

/// RN: time indices of n sentences (oldest first) as if up to ceil(fraction n)
/// empty memories were interleaved: the n largest-first of a random subset
/// of [0, n + blanks), clamped to the memory size.
inline void jittered_time(std::size_t n, float fraction, std::size_t memory_size,
                          std::mt19937_64& gen, std::vector<std::int32_t>& time,
                          std::vector<std::int32_t>& scratch) {
  const auto most = static_cast<std::size_t>(std::ceil(static_cast<float>(n) * fraction));
  const std::size_t blanks = draw_below(gen, most + 1);
  scratch.resize(n + blanks);
  for (std::size_t i = 0; i < scratch.size(); ++i) scratch[i] = static_cast<std::int32_t>(i);
  for (std::size_t i = 0; i < n; ++i)  // partial Fisher-Yates: n distinct picks
    std::swap(scratch[i], scratch[i + draw_below(gen, scratch.size() - i)]);
  time.assign(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(n));
  std::sort(time.begin(), time.end(), std::greater<>());
  for (auto& t : time) t = std::min(t, static_cast<std::int32_t>(memory_size - 1));
}

}  // namespace detail

/// Trains `model` on `train`, choosing by `validation`; on return the model
/// holds the parameters of the epoch with the lowest validation error.
/// `on_epoch(const epoch_report&)` is called after every epoch.
/// Throws std::runtime_error, naming the epoch, if the loss or a parameter
/// becomes NaN or infinite.
template <class OnEpoch>
train_result train(memn2n& model, const data::encoded_set& train, const data::encoded_set& validation,
                   const train_config& config, OnEpoch&& on_epoch) {
  if (train.size() == 0) throw std::invalid_argument("qmann::train: no training questions");
  if (config.batch_size == 0) throw std::invalid_argument("qmann::train: batch_size must be > 0");
  if (model.quantization().enabled && config.float_epochs >= config.epochs)
    throw std::invalid_argument("qmann::train: float_epochs (" + std::to_string(config.float_epochs) +
                                ") must be below epochs (" + std::to_string(config.epochs) +
                                ") for quantization-aware training");
  std::mt19937_64 gen(config.seed ^ 0x7261696E5EEDULL);
  auto& params = model.parameters();
  std::vector<std::vector<float>> grad(params.size());
  for (std::size_t p = 0; p < params.size(); ++p) grad[p].assign(params[p].size(), 0.0f);
  std::vector<std::vector<float>> best = params;
  train_result result;
  float best_loss = std::numeric_limits<float>::infinity();
  memn2n_quantization best_quantization = model.quantization();

  std::vector<std::size_t> order(train.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  memn2n::workspace ws;
  std::vector<std::int32_t> time, scratch;
  const std::size_t total = config.linear_start_epochs + config.epochs;
  // Quantization-aware training: the linear start and `float_epochs` in
  // float, then quantized epochs with formats measured on the training data
  // before the first of them (or before each, recalibrate_every_epoch).
  const memn2n_quantization target = model.quantization();
  memn2n_quantization calibrated = target;
  const std::size_t first_quantized = config.linear_start_epochs + config.float_epochs + 1;
  std::size_t last_improvement = 0;  // ES: the last epoch with a new best (or before the first candidate)
  bool seen_candidate = false;
  for (std::size_t epoch = 1; epoch <= total; ++epoch) {
    const bool linear = epoch <= config.linear_start_epochs;
    const bool quantized = target.enabled && epoch >= first_quantized;
    if (target.enabled) {
      model.set_quantization(quantized ? calibrated : memn2n_quantization{});
      if (quantized && (config.recalibrate_every_epoch || epoch == first_quantized)) {
        calibrated = calibrate(model, train, config.per_hop_formats);
      } else if (quantized) {
        calibrate_tables(model, calibrated);
        model.set_quantization(calibrated);
      }
    }
    float rate = config.linear_start_epochs > 0 ? config.linear_start_rate : config.learning_rate;
    if (!linear) {
      const std::size_t main_epoch = epoch - config.linear_start_epochs;  // 1-based
      for (std::size_t h = 0; config.anneal_every > 0 && h < main_epoch / config.anneal_every; ++h)
        rate *= 0.5f;
    }
    std::size_t batches = (order.size() + config.batch_size - 1) / config.batch_size;
    if (config.sample_with_replacement) {
      batches = std::max<std::size_t>(1, order.size() / config.batch_size);
      for (auto& e : order) e = detail::draw_below(gen, train.size());
    } else {
      detail::shuffle(order, gen);
    }
    double loss_sum = 0.0;
    std::size_t wrong = 0, seen = 0;
    for (std::size_t batch = 0; batch < batches; ++batch) {
      const std::size_t start = batch * config.batch_size;
      const std::size_t end = std::min(order.size(), start + config.batch_size);
      seen += end - start;
      for (auto& g : grad) std::fill(g.begin(), g.end(), 0.0f);
      for (std::size_t b = start; b < end; ++b) {
        const std::size_t e = order[b];
        const auto n = static_cast<std::size_t>(train.sentences[e]);
        memn2n_input in{train.story(e), n, train.query(e)};
        if (config.random_noise > 0.0f && model.config().temporal_encoding) {
          detail::jittered_time(n, config.random_noise, model.config().memory_size, gen, time, scratch);
          in.time = time.data();
        }
        wrong += model.forward(in, ws, linear) != train.answers[e];
        loss_sum += model.backward(in, train.answers[e], ws, grad, linear);
      }
      if (!std::isfinite(loss_sum))
        throw std::runtime_error("qmann::train: the loss became " + std::to_string(loss_sum) +
                                 " in epoch " + std::to_string(epoch));
      for (std::size_t p = 0; p < params.size(); ++p) {
        double norm2 = 0.0;
        for (float g : grad[p]) norm2 += double{g} * g;
        const double norm = std::sqrt(norm2);
        const float scale = norm > config.max_grad_norm ? config.max_grad_norm / static_cast<float>(norm) : 1.0f;
        const float step = rate * scale;
        float poison = 0.0f;  // stays 0 unless a value is Inf or NaN (x * 0 is then NaN)
        for (std::size_t i = 0; i < params[p].size(); ++i) {
          params[p][i] -= step * grad[p][i];
          poison += params[p][i] * 0.0f;
        }
        if (!(norm == norm) || poison != 0.0f)
          throw std::runtime_error("qmann::train: a parameter became Inf or NaN in epoch " + std::to_string(epoch) +
                                   " (learning rate " + std::to_string(rate) + ")");
      }
      if (quantized) model.quantize_tables();
    }
    const float validation_error = error_rate(model, validation);
    const float mean_loss = static_cast<float>(loss_sum / static_cast<double>(seen));
    // Keep the best validation error; among equal ones, the lower training
    // loss. Linear-start epochs are not candidates: their model has no
    // attention softmax.
    const bool candidate = (!linear || config.epochs == 0) && (quantized || !target.enabled);
    if (candidate && (validation_error < result.validation_error ||
                      (validation_error == result.validation_error && mean_loss < best_loss))) {
      result.validation_error = validation_error;
      result.best_epoch = epoch;
      best_loss = mean_loss;
      best = params;
      best_quantization = model.quantization();
    }
    result.epochs_run = epoch;
    on_epoch(epoch_report{epoch, total, linear, rate, mean_loss,
                          static_cast<float>(wrong) / static_cast<float>(seen), validation_error});
    if (candidate && !seen_candidate) last_improvement = epoch - 1;  // ES counts from the first candidate
    seen_candidate = seen_candidate || candidate;
    if (result.best_epoch == epoch) last_improvement = epoch;
    if (candidate && config.patience > 0 && epoch - last_improvement >= config.patience) break;
  }
  params = best;
  model.set_quantization(best_quantization);
  return result;
}

inline train_result train(memn2n& model, const data::encoded_set& train_set,
                          const data::encoded_set& validation, const train_config& config) {
  return train(model, train_set, validation, config, [](const epoch_report&) {});
}

}  // namespace qmann
