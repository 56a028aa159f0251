// Inference per question (batch 1) of a trained MemN2N in each scheme:
// model/<scheme>/task:<t>. A model per scheme is trained at start-up on a
// built-in task (task 1: bAbI task 1's shapes; task 2: longer stories,
// 3 hops, d = 20): float as trained, the integer schemes trained
// quantization-aware and exported to qmann::quantized_memn2n<Scheme>, which
// is what runs here (integer kernels only). The test questions are answered
// one at a time; items/s = questions per second; test_error is the error
// over the questions answered while timing. The .../counted variants count
// every operation (babi_qa --energy); the others use the default no-op
// counting policy.
#include <benchmark/benchmark.h>

#include <qmann/qmann.hpp>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

const qmann::data::encoded_task& task(int number) {
  static std::map<int, qmann::data::encoded_task> cache;
  auto found = cache.find(number);
  if (found != cache.end()) return found->second;
  std::istringstream train_text(qmann::data::synthetic_babi(number, 1000, 1));
  std::istringstream test_text(qmann::data::synthetic_babi(number, 1000, 2));
  const auto all = qmann::data::parse_babi(train_text, "train");
  const std::vector<qmann::data::question> train(all.begin(), all.end() - 100), validation(all.end() - 100, all.end());
  return cache.emplace(number, qmann::data::encode_task(train, validation, qmann::data::parse_babi(test_text, "test")))
      .first->second;
}

// Trains (quantization-aware for an integer scheme) with a short schedule.
qmann::memn2n trained_model(const qmann::data::encoded_task& t, const qmann::memn2n_quantization& q, bool per_hop) {
  qmann::memn2n_config config;
  config.memory_size = t.memory_size;
  qmann::memn2n model(config, t.vocab.size(), t.sentence_size, 1);
  model.set_quantization(q);
  qmann::train_config tc;
  tc.linear_start_epochs = 5;
  tc.float_epochs = q.enabled ? 5 : 0;
  tc.epochs = 25;
  tc.per_hop_formats = per_hop;
  qmann::train(model, t.train, t.validation, tc);
  return model;
}

template <class Predict>
void answer_all(benchmark::State& state, const qmann::data::encoded_set& test, Predict&& predict) {
  std::size_t e = 0, wrong = 0;
  for (auto _ : state) {
    const qmann::memn2n_input in{test.story(e), static_cast<std::size_t>(test.sentences[e]), test.query(e)};
    const auto answer = predict(in);
    wrong += answer != test.answers[e];
    benchmark::DoNotOptimize(answer);
    if (++e == test.size()) e = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["test_error"] = static_cast<double>(wrong) / static_cast<double>(state.iterations());
}

void model_float(benchmark::State& state) {
  const auto& t = task(static_cast<int>(state.range(0)));
  static std::map<int, std::unique_ptr<qmann::memn2n>> models;
  auto& model = models[static_cast<int>(state.range(0))];
  if (!model) model = std::make_unique<qmann::memn2n>(trained_model(t, {}, false));
  qmann::memn2n::workspace ws;
  answer_all(state, t.test, [&](const qmann::memn2n_input& in) { return model->predict(in, ws); });
}

template <class Scheme, class Counter = qmann::energy::no_count>
void model_integer(benchmark::State& state) {
  const auto& t = task(static_cast<int>(state.range(0)));
  static std::map<int, std::unique_ptr<qmann::quantized_memn2n<Scheme>>> models;
  auto& model = models[static_cast<int>(state.range(0))];
  if (!model)
    model = std::make_unique<qmann::quantized_memn2n<Scheme>>(
        trained_model(t, Scheme::quantization(2.0f), Scheme::hamming));
  typename qmann::quantized_memn2n<Scheme>::workspace ws;
  Counter count;  // no_count: the default path; op_counter: what counting costs
  answer_all(state, t.test, [&](const qmann::memn2n_input& in) { return model->predict(in, ws, count); });
  if constexpr (Counter::counts)
    state.counters["ops"] = static_cast<double>(count.total()) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(model_float)->Name("model/float")->ArgName("task")->Arg(1)->Arg(2);
BENCHMARK(model_integer<qmann::fixed8_dot>)->Name("model/fixed8-dot")->ArgName("task")->Arg(1)->Arg(2);
BENCHMARK(model_integer<qmann::fixed8_hamming>)->Name("model/fixed8-hamming")->ArgName("task")->Arg(1)->Arg(2);
BENCHMARK(model_integer<qmann::binary_dot>)->Name("model/binary-dot")->ArgName("task")->Arg(1)->Arg(2);
BENCHMARK(model_integer<qmann::binary_hamming>)->Name("model/binary-hamming")->ArgName("task")->Arg(1)->Arg(2);
// With the operation counter of --energy (energy/operations.hpp).
BENCHMARK(model_integer<qmann::fixed8_hamming, qmann::energy::op_counter>)
    ->Name("model/fixed8-hamming/counted")->ArgName("task")->Arg(1);
BENCHMARK(model_integer<qmann::binary_hamming, qmann::energy::op_counter>)
    ->Name("model/binary-hamming/counted")->ArgName("task")->Arg(1);
