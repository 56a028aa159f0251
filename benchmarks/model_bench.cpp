// Inference per question of a trained MemN2N (batch 1): model/<scheme>.
// The model is trained at start-up on the built-in single-supporting-fact
// task (bAbI task 1's shapes: 3 hops, d = 20), then answers the test
// questions one at a time; items/s = questions answered per second.
// Only the float scheme has an inference path so far; the quantized schemes'
// integer-only paths will be added here (issue 5).
#include <benchmark/benchmark.h>

#include <qmann/qmann.hpp>

#include <sstream>
#include <vector>

namespace {

struct trained_task {
  qmann::data::encoded_set test;
  std::vector<qmann::memn2n> models;
};

trained_task& task() {
  static trained_task t = [] {
    std::istringstream train_text(qmann::data::synthetic_babi(1, 1000, 1));
    std::istringstream test_text(qmann::data::synthetic_babi(1, 1000, 2));
    auto train_q = qmann::data::parse_babi(train_text, "train");
    const auto test_q = qmann::data::parse_babi(test_text, "test");
    const std::vector<qmann::data::question> validation_q(train_q.end() - 100, train_q.end());
    train_q.resize(train_q.size() - 100);
    qmann::data::vocabulary vocab;
    qmann::data::add_words(vocab, train_q);
    const std::size_t s = qmann::data::longest_sentence({&train_q, &validation_q, &test_q});
    qmann::memn2n_config config;
    std::size_t longest = 1;
    for (const auto& q : train_q) longest = std::max(longest, q.story.size());
    config.memory_size = std::min<std::size_t>(50, longest);
    const auto train = qmann::data::encode(train_q, vocab, config.memory_size, s);
    const auto validation = qmann::data::encode(validation_q, vocab, config.memory_size, s);
    trained_task result{qmann::data::encode(test_q, vocab, config.memory_size, s), {}};
    qmann::memn2n model(config, vocab.size(), s, 1);
    qmann::train_config tc;
    tc.linear_start_epochs = 5;
    tc.epochs = 20;
    qmann::train(model, train, validation, tc);
    result.models.push_back(std::move(model));
    return result;
  }();
  return t;
}

void model_float(benchmark::State& state) {
  auto& t = task();
  const auto& model = t.models.front();
  qmann::memn2n::workspace ws;
  std::size_t e = 0, wrong = 0;
  for (auto _ : state) {
    const qmann::memn2n_input in{t.test.story(e), static_cast<std::size_t>(t.test.sentences[e]), t.test.query(e)};
    const auto answer = model.predict(in, ws);
    wrong += answer != t.test.answers[e];
    benchmark::DoNotOptimize(answer);
    if (++e == t.test.size()) e = 0;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["test_error"] = static_cast<double>(wrong) / static_cast<double>(state.iterations());
}

}  // namespace

BENCHMARK(model_float)->Name("model/float");
