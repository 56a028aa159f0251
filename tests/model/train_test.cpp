// End-to-end: reading, encoding, training and evaluating a MemN2N.
#include <doctest/doctest.h>

#include <qmann/data/babi.hpp>
#include <qmann/data/encode.hpp>
#include <qmann/data/synthetic.hpp>
#include <qmann/data/vocabulary.hpp>
#include <qmann/model/memn2n.hpp>
#include <qmann/train/trainer.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {

struct trained {
  float test_error;
  qmann::train_result result;
  std::vector<std::vector<float>> parameters;
};

trained train_on(const std::vector<qmann::data::question>& train_questions,
                 const std::vector<qmann::data::question>& test_questions, std::size_t ls_epochs,
                 std::size_t epochs, std::uint64_t seed) {
  const std::vector<qmann::data::question> train(train_questions.begin(), train_questions.end() - 100);
  const std::vector<qmann::data::question> validation(train_questions.end() - 100, train_questions.end());
  const auto t = qmann::data::encode_task(train, validation, test_questions);
  qmann::memn2n_config config;
  config.memory_size = t.memory_size;
  qmann::memn2n model(config, t.vocab.size(), t.sentence_size, seed);
  qmann::train_config tc;
  tc.linear_start_epochs = ls_epochs;
  tc.epochs = epochs;
  tc.seed = seed;
  const auto result = qmann::train(model, t.train, t.validation, tc);
  return {qmann::error_rate(model, t.test), result, model.parameters()};
}

std::vector<qmann::data::question> synthetic(int task, std::size_t n, std::uint64_t seed) {
  std::istringstream text(qmann::data::synthetic_babi(task, n, seed));
  return qmann::data::parse_babi(text, "synthetic");
}

}  // namespace

TEST_CASE("train: MemN2N learns the built-in single-supporting-fact task") {
  // 10 linear-start + 30 epochs: below 5% test error (measured: 0-1%).
  const auto result = train_on(synthetic(1, 1000, 11), synthetic(1, 500, 12), 10, 30, 3);
  CHECK(result.test_error < 0.05f);
  CHECK(result.result.validation_error < 0.05f);
  CHECK(result.result.epochs_run == 40);
  CHECK(result.result.best_epoch > 10);  // never a linear-start model
}

TEST_CASE("train: a fixed seed gives the same model, another seed another") {
  const auto questions = synthetic(2, 400, 5), test = synthetic(2, 100, 6);
  const auto a = train_on(questions, test, 2, 3, 9);
  const auto b = train_on(questions, test, 2, 3, 9);
  const auto c = train_on(questions, test, 2, 3, 10);
  CHECK(a.parameters == b.parameters);
  CHECK(a.test_error == b.test_error);
  CHECK(a.parameters != c.parameters);
}

#ifdef QMANN_BABI_DIR
TEST_CASE("train: real bAbI task 1 (1k), a few epochs, below 10% error") {
  const auto files = qmann::data::find_task(std::string(QMANN_BABI_DIR) + "/en", 1);
  const auto result = train_on(qmann::data::read_babi_file(files.train),
                               qmann::data::read_babi_file(files.test), 5, 15, 1);
  MESSAGE("task 1 test error after 5 + 15 epochs: ", result.test_error);
  CHECK(result.test_error < 0.10f);
}
#endif

TEST_CASE("train: words never seen in training are the unknown id and answer nothing") {
  auto train_q = synthetic(1, 200, 21);
  std::vector<qmann::data::question> test(train_q.begin(), train_q.begin() + 5);
  test[0].story[0] = {"zorg", "flew", "to", "the", "moon"};
  test[0].words = {"where", "is", "zorg"};
  test[0].answer = "moon";
  qmann::data::vocabulary vocab;
  qmann::data::add_words(vocab, train_q);
  const auto set = qmann::data::encode(test, vocab, 50, 8);
  CHECK(set.story(0)[0] == qmann::data::vocabulary::unknown);
  CHECK(set.query(0)[2] == qmann::data::vocabulary::unknown);
  CHECK(set.answers[0] == qmann::data::vocabulary::unknown);
  const qmann::memn2n model(qmann::memn2n_config{}, vocab.size(), 8, 1);
  qmann::memn2n::workspace ws;
  const auto answer = model.predict({set.story(0), static_cast<std::size_t>(set.sentences[0]), set.query(0)}, ws);
  CHECK(answer >= 2);  // a real word: an unknown answer always counts as an error
  CHECK(qmann::error_rate(model, set) >= 0.2f);
}

TEST_CASE("train: Inf or NaN parameters stop training with the epoch named, also when the loss stays finite") {
  // A quantized forward pass saturates, so its loss stays finite while the
  // float weights overflow: the parameter check must catch it.
  const auto questions = synthetic(1, 300, 41);
  std::vector<qmann::data::question> train(questions.begin(), questions.end() - 100);
  std::vector<qmann::data::question> validation(questions.end() - 100, questions.end());
  qmann::data::vocabulary vocab;
  qmann::data::add_words(vocab, questions);
  const std::size_t s = qmann::data::longest_sentence({&questions});
  qmann::memn2n_config config;
  config.memory_size = 20;
  const auto train_set = qmann::data::encode(train, vocab, 20, s);
  const auto validation_set = qmann::data::encode(validation, vocab, 20, s);
  qmann::memn2n model(config, vocab.size(), s, 1);
  qmann::memn2n_quantization q;
  q.enabled = true;
  q.similarity = qmann::memn2n_similarity::hamming;
  model.set_quantization(q);
  qmann::train_config tc;
  tc.linear_start_epochs = 0;
  tc.epochs = 3;
  tc.learning_rate = 1e38f;
  tc.max_grad_norm = 1e38f;
  std::string message;
  try {
    qmann::train(model, train_set, validation_set, tc);
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK(message.find("in epoch 1") != std::string::npos);
  CHECK((message.find("a parameter became Inf or NaN") != std::string::npos ||
         message.find("the loss became") != std::string::npos));
  MESSAGE(message);
}
