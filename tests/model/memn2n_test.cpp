#include <doctest/doctest.h>

#include <qmann/model/memn2n.hpp>
#include <qmann/train/trainer.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace {

// A hand-made question: 4 sentences of up to 4 words, vocabulary of 9.
struct toy {
  std::vector<std::int32_t> story = {2, 3, 4, 0,  5, 6, 0, 0,  2, 7, 8, 3,  4, 4, 5, 0};
  std::vector<std::int32_t> query = {6, 2, 8, 0};
  std::int32_t answer = 7;
  qmann::memn2n_input input() const { return {story.data(), 4, query.data()}; }
};

float loss_of(const qmann::memn2n& model, const qmann::memn2n_input& in, std::int32_t answer, bool linear) {
  qmann::memn2n::workspace ws;
  std::vector<std::vector<float>> scratch;
  for (const auto& p : model.parameters()) scratch.emplace_back(p.size(), 0.0f);
  model.forward(in, ws, linear);
  return model.backward(in, answer, ws, scratch, linear);
}

}  // namespace

TEST_CASE("memn2n: gradients agree with finite differences") {
  for (auto tying : {qmann::weight_tying::adjacent, qmann::weight_tying::layer_wise})
    for (bool linear : {false, true}) {
      qmann::memn2n_config config;
      config.dim = 5;
      config.hops = 2;
      config.memory_size = 6;
      config.tying = tying;
      config.init_stddev = 0.3f;
      qmann::memn2n model(config, 9, 4, 17);
      const toy t;
      const auto in = t.input();
      qmann::memn2n::workspace ws;
      std::vector<std::vector<float>> grad;
      for (const auto& p : model.parameters()) grad.emplace_back(p.size(), 0.0f);
      model.forward(in, ws, linear);
      model.backward(in, t.answer, ws, grad, linear);

      int checked = 0, far = 0;
      std::mt19937 gen(3);
      for (std::size_t p = 0; p < model.parameters().size(); ++p) {
        auto& param = model.parameters()[p];
        for (int trial = 0; trial < 25; ++trial) {
          const std::size_t i = gen() % param.size();
          if (i < qmann::memn2n::first_answer_id * config.dim && p != 4) continue;  // fixed rows
          const float saved = param[i], h = 1e-2f;
          param[i] = saved + h;
          const float up = loss_of(model, in, t.answer, linear);
          param[i] = saved - h;
          const float down = loss_of(model, in, t.answer, linear);
          param[i] = saved;
          const float numeric = (up - down) / (2 * h);
          ++checked;
          if (std::abs(numeric - grad[p][i]) > 2e-3f + 2e-2f * std::abs(numeric)) {
            ++far;
            MESSAGE("matrix ", p, " entry ", i, ": analytic ", grad[p][i], ", numeric ", numeric);
          }
        }
      }
      INFO("tying ", tying == qmann::weight_tying::adjacent ? "adjacent" : "layer-wise",
           linear ? ", linear start" : ", softmax");
      CHECK(checked > 40);
      CHECK(far == 0);
    }
}

TEST_CASE("memn2n: bad shapes are clear errors") {
  qmann::memn2n_config config;
  config.hops = 0;
  CHECK_THROWS_WITH_AS(qmann::memn2n(config, 10, 4, 1), "qmann::memn2n: hops must be in [1, 16], got 0",
                       std::invalid_argument);
  config.hops = 3;
  config.dim = 0;
  CHECK_THROWS_AS(qmann::memn2n(config, 10, 4, 1), std::invalid_argument);
  config.dim = 20;
  CHECK_THROWS_AS(qmann::memn2n(config, 2, 4, 1), std::invalid_argument);
}

TEST_CASE("memn2n: the same seed gives the same model") {
  qmann::memn2n_config config;
  const qmann::memn2n a(config, 30, 6, 5), b(config, 30, 6, 5), c(config, 30, 6, 6);
  CHECK(a.parameters() == b.parameters());
  CHECK(a.parameters() != c.parameters());
}
