// Export: a model trained with quantization-aware training becomes an
// integer-only quantized_memn2n that answers as the training forward pass
// does, with bit-identical integers (SIMD kernels against the scalar ones).
#include <doctest/doctest.h>

#include <qmann/data/babi.hpp>
#include <qmann/data/encode.hpp>
#include <qmann/data/synthetic.hpp>
#include <qmann/data/vocabulary.hpp>
#include <qmann/model/memn2n.hpp>
#include <qmann/model/quantized_memn2n.hpp>
#include <qmann/model/scheme.hpp>
#include <qmann/number/rescale.hpp>
#include <qmann/train/trainer.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace {

template <int W, int F>
void check_quantize_raw() {
  using T = qmann::fixed<W, F>;
  int mismatches = 0;
  for (int i = -5000; i <= 5000; ++i) {
    const double x = i / 37.0;
    mismatches += qmann::quantize_raw(x, F, W) != T{x}.raw();
    mismatches += qmann::quantize_raw(x + 0.5 / (1 << F), F, W) != T{x + 0.5 / (1 << F)}.raw();  // ties
  }
  CHECK(mismatches == 0);
}

template <int From, int To, int W>
void check_rescale_raw() {
  using source = qmann::fixed<32, From>;
  using target = qmann::fixed<W, To>;
  int mismatches = 0;
  for (std::int64_t raw = -70000; raw <= 70000; raw += 7)
    mismatches += qmann::rescale_raw(raw, From, To, W) !=
                  qmann::fixed_cast<target>(source::from_raw(static_cast<std::int32_t>(raw))).raw();
  CHECK(mismatches == 0);
}

// The last 100 training questions are held out for validation.
qmann::data::encoded_task encode(std::vector<qmann::data::question> train_questions,
                                 const std::vector<qmann::data::question>& test_questions) {
  const std::vector<qmann::data::question> train(train_questions.begin(), train_questions.end() - 100);
  const std::vector<qmann::data::question> validation(train_questions.end() - 100, train_questions.end());
  return qmann::data::encode_task(train, validation, test_questions);
}

std::vector<qmann::data::question> synthetic(int task, std::size_t n, std::uint64_t seed) {
  std::istringstream text(qmann::data::synthetic_babi(task, n, seed));
  return qmann::data::parse_babi(text, "synthetic");
}

template <class Scheme>
qmann::memn2n train_in(const qmann::data::encoded_task& t, qmann::weight_tying tying, std::size_t epochs) {
  qmann::memn2n_config config;
  config.memory_size = t.memory_size;
  config.tying = tying;
  qmann::memn2n model(config, t.vocab.size(), t.sentence_size, 5);
  model.set_quantization(Scheme::quantization(2.0f));
  qmann::train_config tc;
  tc.linear_start_epochs = 5;
  tc.float_epochs = 10;
  tc.epochs = epochs;
  tc.per_hop_formats = Scheme::hamming;
  qmann::train(model, t.train, t.validation, tc);
  return model;
}

struct agreement {
  std::size_t questions = 0, same_answer = 0, same_integers = 0, correct = 0;
};

// Every test question through both paths: answers, attention and logits.
template <class Scheme>
agreement compare(const qmann::memn2n& model, const qmann::quantized_memn2n<Scheme>& exported,
                  const qmann::data::encoded_set& set) {
  agreement a;
  qmann::memn2n::workspace ws;
  typename qmann::quantized_memn2n<Scheme>::workspace iw;
  for (std::size_t e = 0; e < set.size(); ++e) {
    const qmann::memn2n_input in{set.story(e), static_cast<std::size_t>(set.sentences[e]), set.query(e)};
    const auto trained_answer = model.forward(in, ws);
    const auto exported_answer = exported.predict(in, iw);
    ++a.questions;
    a.same_answer += trained_answer == exported_answer;
    a.same_integers += ws.integer.logits == iw.logits && ws.integer.p == iw.p && ws.integer.u == iw.u &&
                       ws.integer.memory == iw.memory;
    a.correct += exported_answer == set.answers[e];
  }
  return a;
}

template <class Scheme>
void check_export(const qmann::data::encoded_task& t, qmann::weight_tying tying, std::size_t epochs, float max_error) {
  const auto model = train_in<Scheme>(t, tying, epochs);
  const qmann::quantized_memn2n<Scheme> exported(model);
  const auto a = compare(model, exported, t.test);
  MESSAGE(a.correct, " of ", a.questions, " correct; same answer ", a.same_answer, ", same integers ",
          a.same_integers);
  CHECK(a.same_answer == a.questions);
  CHECK(a.same_integers == a.questions);
  CHECK(1.0f - static_cast<float>(a.correct) / static_cast<float>(a.questions) <= max_error);
}

}  // namespace

TEST_CASE("rescale: quantize_raw is fixed<W,F>'s float constructor") {
  check_quantize_raw<8, 0>();
  check_quantize_raw<8, 3>();
  check_quantize_raw<8, 7>();
  check_quantize_raw<6, 3>();
  check_quantize_raw<16, 8>();
}

TEST_CASE("rescale: rescale_raw is fixed_cast between formats") {
  check_rescale_raw<13, 5, 8>();
  check_rescale_raw<20, 7, 8>();
  check_rescale_raw<21, 0, 8>();
  check_rescale_raw<7, 3, 6>();
  check_rescale_raw<3, 7, 8>();   // widening
  check_rescale_raw<14, 14, 16>();
}

TEST_CASE("rescale: rescale_raw_n is rescale_raw on every element") {
  std::vector<std::int32_t> in32;
  std::vector<std::int64_t> in64;
  for (std::int64_t raw = -300000; raw <= 300000; raw += 13) {
    in32.push_back(static_cast<std::int32_t>(raw));
    in64.push_back(raw * 1001);
  }
  std::vector<std::int8_t> out8(in32.size());
  std::vector<std::int32_t> out32(in32.size());
  int mismatches = 0;
  for (const auto& [from, to, width] : {std::tuple{13, 5, 8}, std::tuple{21, 7, 8}, std::tuple{9, 3, 6},
                                       std::tuple{10, 0, 4}, std::tuple{2, 5, 8}, std::tuple{6, 6, 8}}) {
    qmann::rescale_raw_n(in32.data(), out8.data(), in32.size(), from, to, width);
    qmann::rescale_raw_n(in64.data(), out32.data(), in64.size(), from + 10, to, width);
    for (std::size_t i = 0; i < in32.size(); ++i) {
      mismatches += out8[i] != qmann::rescale_raw(in32[i], from, to, width);
      mismatches += out32[i] != qmann::rescale_raw(in64[i], from + 10, to, width);
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("export: every scheme answers as its training forward pass, bit for bit") {
  const auto t = encode(synthetic(1, 600, 31), synthetic(1, 300, 32));
  // Trained a little (5 LS + 10 float + 10 quantized epochs); the error bound
  // only shows the model learned something (chance is about 5 in 6 wrong).
  SUBCASE("fixed8-dot") { check_export<qmann::fixed8_dot>(t, qmann::weight_tying::adjacent, 20, 0.5f); }
  SUBCASE("fixed8-hamming") { check_export<qmann::fixed8_hamming>(t, qmann::weight_tying::adjacent, 20, 0.5f); }
  SUBCASE("binary-dot") { check_export<qmann::binary_dot>(t, qmann::weight_tying::adjacent, 20, 0.7f); }
  SUBCASE("binary-hamming") { check_export<qmann::binary_hamming>(t, qmann::weight_tying::adjacent, 20, 0.7f); }
  SUBCASE("fixed<6,3> memory, Hamming") {
    check_export<qmann::scheme<qmann::fixed<6, 3>, qmann::hamming_similarity>>(t, qmann::weight_tying::adjacent, 20,
                                                                              0.7f);
  }
  SUBCASE("fixed8-hamming, layer-wise tying") {
    check_export<qmann::fixed8_hamming>(t, qmann::weight_tying::layer_wise, 20, 0.7f);
  }
}

TEST_CASE("export: a model of another scheme is refused") {
  const auto t = encode(synthetic(1, 200, 33), synthetic(1, 50, 34));
  qmann::memn2n model(qmann::memn2n_config{}, t.vocab.size(), t.sentence_size, 1);
  CHECK_THROWS_WITH_AS(qmann::quantized_memn2n<qmann::fixed8_hamming>{model},
                       "qmann::quantized_memn2n: the model was not trained in this scheme (its quantization "
                       "is float)",
                       std::invalid_argument);
  model.set_quantization(qmann::fixed8_dot::quantization());
  CHECK_THROWS_WITH_AS(qmann::quantized_memn2n<qmann::fixed8_hamming>{model},
                       "qmann::quantized_memn2n: the model was not trained in this scheme (its quantization "
                       "is fixed8-dot)",
                       std::invalid_argument);
  CHECK_THROWS_AS(qmann::quantized_memn2n<qmann::binary_dot>{model}, std::invalid_argument);
  CHECK_NOTHROW(qmann::quantized_memn2n<qmann::fixed8_dot>{model});
  model.set_quantization(qmann::scheme<qmann::fixed<6, 2>, qmann::hamming_similarity>::quantization());
  CHECK_THROWS_WITH_AS((qmann::quantized_memn2n<qmann::scheme<qmann::fixed<6, 3>, qmann::hamming_similarity>>{model}),
                       "qmann::quantized_memn2n: memory format 2 differs from the scheme's 3", std::invalid_argument);
}

TEST_CASE("export: the exported model computes no float (integer tables and formats only)") {
  const auto t = encode(synthetic(1, 200, 35), synthetic(1, 50, 36));
  qmann::memn2n model(qmann::memn2n_config{}, t.vocab.size(), t.sentence_size, 2);
  model.set_quantization(qmann::fixed8_hamming::quantization());
  qmann::calibrate(model, t.train, true);
  const qmann::quantized_memn2n<qmann::fixed8_hamming> exported(model);
  // The tables are int8 quantizations of the weights in their formats.
  const auto& q = exported.formats();
  int off = 0;
  for (std::size_t p = 0; p < model.parameters().size(); ++p)
    for (std::size_t i = 0; i < model.parameters()[p].size(); ++i) {
      const float w = model.parameters()[p][i];
      const float back = std::ldexp(static_cast<float>(exported.table(p)[i]), -q.table_frac[p]);
      off += std::abs(w - back) > std::ldexp(0.5f, -q.table_frac[p]) + 1e-7f;
    }
  CHECK(off == 0);
  CHECK(exported.parameter_bytes() > 0);
}

#ifdef QMANN_BABI_DIR
TEST_CASE("export: real bAbI task 1 (1k), fixed8-hamming and binary-hamming, same answers") {
  const auto files = qmann::data::find_task(std::string(QMANN_BABI_DIR) + "/en", 1);
  const auto t = encode(qmann::data::read_babi_file(files.train), qmann::data::read_babi_file(files.test));
  check_export<qmann::fixed8_hamming>(t, qmann::weight_tying::adjacent, 20, 0.4f);
  check_export<qmann::binary_hamming>(t, qmann::weight_tying::adjacent, 20, 0.6f);
}
#endif

TEST_CASE("export: word ids outside the vocabulary are an error, not a read out of bounds") {
  const auto t = encode(synthetic(1, 200, 37), synthetic(1, 50, 38));
  qmann::memn2n model(qmann::memn2n_config{}, t.vocab.size(), t.sentence_size, 3);
  std::vector<std::int32_t> story(t.sentence_size, 2), query(t.sentence_size, 2);
  query[0] = static_cast<std::int32_t>(t.vocab.size());  // one past the last word
  const qmann::memn2n_input in{story.data(), 1, query.data()};
  qmann::memn2n::workspace ws;
  const std::string message = "qmann::memn2n: word id " + std::to_string(t.vocab.size()) +
                              " outside the vocabulary [0, " + std::to_string(t.vocab.size()) + ")";
  CHECK_THROWS_WITH_AS(model.predict(in, ws), message.c_str(), std::out_of_range);
  model.set_quantization(qmann::fixed8_hamming::quantization());
  CHECK_THROWS_WITH_AS(model.predict(in, ws), message.c_str(), std::out_of_range);
  const qmann::quantized_memn2n<qmann::fixed8_hamming> exported(model);
  qmann::quantized_memn2n<qmann::fixed8_hamming>::workspace iw;
  CHECK_THROWS_WITH_AS(exported.predict(in, iw), message.c_str(), std::out_of_range);
  query[0] = -5;
  CHECK_THROWS_AS(exported.predict(in, iw), std::out_of_range);
}
