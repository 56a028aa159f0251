// Quantization-aware training of memn2n: the forward pass lands exactly on
// the fixed<8,F> grid, the Hamming scores are the library's kernel, and the
// formats come from the training data.
#include <doctest/doctest.h>

#include <qmann/kernels/fixed.hpp>
#include <qmann/model/memn2n.hpp>
#include <qmann/train/trainer.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

namespace {

struct toy {
  std::vector<std::int32_t> story = {2, 3, 4, 0, 5, 6, 0, 0, 2, 7, 8, 3};
  std::vector<std::int32_t> query = {6, 2, 8, 0};
  qmann::memn2n_input input() const { return {story.data(), 3, query.data()}; }
};

bool on_grid(float x, int frac) {
  const float raw = std::ldexp(x, frac);
  return raw == std::round(raw) && raw >= -128.0f && raw <= 127.0f;
}

qmann::memn2n quantized_model(qmann::memn2n_similarity similarity) {
  qmann::memn2n_config config;
  config.dim = 8;
  config.hops = 2;
  config.memory_size = 5;
  config.init_stddev = 0.5f;
  qmann::memn2n model(config, 9, 4, 21);
  qmann::memn2n_quantization q;
  q.enabled = true;
  q.similarity = similarity;
  q.memory_frac = {5, 4, 6};
  q.controller_frac = {4, 5, 3};
  model.set_quantization(q);
  return model;
}

}  // namespace

TEST_CASE("quantization: memories and controller states are fixed<8,F> values") {
  for (auto similarity : {qmann::memn2n_similarity::dot, qmann::memn2n_similarity::hamming}) {
    const auto model = quantized_model(similarity);
    const toy t;
    qmann::memn2n::workspace ws;
    model.forward(t.input(), ws);
    const auto& q = model.quantization();
    int off_grid = 0;
    for (std::size_t e = 0; e < model.distinct_memories(); ++e)
      for (std::size_t i = 0; i < 3 * 8; ++i) off_grid += !on_grid(ws.memory[e * 3 * 8 + i], q.memory_frac[e]);
    for (std::size_t k = 0; k <= 2; ++k)
      for (std::size_t r = 0; r < 8; ++r) off_grid += !on_grid(ws.u[k * 8 + r], q.controller_frac[k]);
    CHECK(off_grid == 0);
  }
}

TEST_CASE("quantization: the attention is the base-2 softmax of weighted-bit Hamming scores") {
  auto model = quantized_model(qmann::memn2n_similarity::hamming);
  const toy t;
  qmann::memn2n::workspace ws;
  model.forward(t.input(), ws);
  const auto& q = model.quantization();
  const auto& iw = ws.integer;
  REQUIRE(iw.p.size() == 2 * 3);  // 2 hops x 3 sentences (the 2 empty slots of memory_size 5 are not stored)
  for (std::size_t k = 0; k < 2; ++k) {
    std::vector<std::int8_t> key(8), row(8);
    for (std::size_t r = 0; r < 8; ++r)
      key[r] = static_cast<std::int8_t>(std::ldexp(ws.keys[k * 8 + r], q.memory_frac[k]));
    std::vector<std::int32_t> scores(5, 0);  // empty slots score 0
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t r = 0; r < 8; ++r)
        row[r] = static_cast<std::int8_t>(std::ldexp(ws.memory[(k * 3 + i) * 8 + r], q.memory_frac[k]));
      scores[i] = qmann::kernels::scalar::weighted_hamming<8>(key.data(), row.data(), 8);
    }
    std::vector<std::int16_t> p(5);
    qmann::kernels::scalar::softmax_base2(scores.data(), 5, 7, 256, p.data());
    for (std::size_t i = 0; i < 3; ++i) CHECK(iw.p[k * 3 + i] == p[i]);  // as with explicit zero scores
    for (std::size_t i = 0; i < 3; ++i) CHECK(ws.p[k * 3 + i] == std::ldexp(static_cast<float>(p[i]), -14));
  }
}

TEST_CASE("quantization: formats are measured from the data") {
  CHECK(qmann::detail::frac_bits_for(0.9f) == 7);
  CHECK(qmann::detail::frac_bits_for(1.0f) == 6);  // fixed<8,7> stops at 127/128
  CHECK(qmann::detail::frac_bits_for(1.5f) == 6);
  CHECK(qmann::detail::frac_bits_for(3.2f) == 5);
  CHECK(qmann::detail::frac_bits_for(100.0f) == 0);
  CHECK(qmann::detail::frac_bits_for(0.0f) == 7);
  qmann::data::encoded_set set;
  set.memory_size = 5;
  set.sentence_size = 4;
  const toy t;
  set.stories = t.story;
  set.stories.resize(5 * 4, 0);
  set.sentences = {3};
  set.queries = t.query;
  set.answers = {7};
  auto model = quantized_model(qmann::memn2n_similarity::dot);
  const auto q = qmann::calibrate(model, set, /*per_hop=*/false);
  // One format for everything (conventional), and every float value of the
  // measured pass fits it.
  for (std::size_t k = 0; k <= 2; ++k) CHECK(q.controller_frac[k] == q.memory_frac[0]);
  auto float_model = model;
  float_model.set_quantization({});
  qmann::memn2n::workspace ws;
  float_model.forward(t.input(), ws);
  float max = 0;
  for (float x : ws.memory) max = std::max(max, std::abs(x));
  for (float x : ws.u) max = std::max(max, std::abs(x));
  CHECK(max <= std::ldexp(128.0f, -q.memory_frac[0]));
}

TEST_CASE("quantization: binary memories are alpha sign(x); their Hamming score counts matching signs") {
  auto model = quantized_model(qmann::memn2n_similarity::hamming);
  auto q = model.quantization();
  q.binary_memory = true;
  model.set_quantization(q);
  const toy t;
  qmann::memn2n::workspace ws;
  model.forward(t.input(), ws, /*linear=*/true);
  int wrong = 0;
  for (std::size_t v = 0; v < model.distinct_memories() * 3; ++v) {
    const float* m = ws.memory.data() + v * 8;
    for (std::size_t r = 0; r < 8; ++r) wrong += std::abs(m[r]) != std::abs(m[0]) || m[0] == 0.0f;
  }
  CHECK(wrong == 0);
  for (std::size_t k = 0; k < 2; ++k)
    for (std::size_t i = 0; i < 3; ++i) {
      int matches = 0;
      for (std::size_t r = 0; r < 8; ++r)
        matches += (ws.u[k * 8 + r] < 0.0f) == (ws.memory[(k * 3 + i) * 8 + r] < 0.0f);
      CHECK(ws.p[k * 3 + i] == doctest::Approx(std::log(2.0f) * static_cast<float>(matches)));
    }
}

TEST_CASE("quantization: the clipped straight-through gradient stops at saturated values") {
  for (bool clip : {true, false}) {
    qmann::memn2n_config config;
    config.dim = 8;
    config.hops = 2;
    config.memory_size = 5;
    config.init_stddev = 2.0f;  // large weights: many memory values saturate at fixed<8,7>
    qmann::memn2n model(config, 9, 4, 21);
    qmann::memn2n_quantization q;
    q.enabled = true;
    q.memory_frac = {7, 7, 7};
    q.controller_frac = {4, 4, 4};
    q.table_frac = {5, 5, 5};
    q.clip_saturated_gradients = clip;
    model.set_quantization(q);
    const toy t;
    qmann::memn2n::workspace ws;
    model.forward(t.input(), ws);
    std::vector<std::vector<float>> grad;
    for (const auto& p : model.parameters()) grad.emplace_back(p.size(), 0.0f);
    model.backward(t.input(), 3, ws, grad);
    int saturated = 0, passed_through = 0, inside_with_gradient = 0;
    for (std::size_t i = 0; i < ws.dmem.size(); ++i) {
      const int raw = ws.integer.memory[i];
      if (raw == 127 || raw == -128) {
        ++saturated;
        passed_through += ws.dmem[i] != 0.0f;
      } else {
        inside_with_gradient += ws.dmem[i] != 0.0f;
      }
    }
    REQUIRE(saturated > 0);
    CHECK(inside_with_gradient > 0);
    if (clip) CHECK(passed_through == 0);
    else CHECK(passed_through > 0);
  }
}
