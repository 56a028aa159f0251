// Operation counts of inference for a model small enough to count by hand:
// vocabulary 5 (3 real words), d = 4, 1 hop, memory of N = 3 slots,
// sentences of 3 ids; the story has 3 sentences of 2, 3 and 1 words, the
// query 2 words; temporal encoding adds one (time) word per sentence.
// Adjacent tying: 2 embedded memories (keys E0, values E1), B = E0, W = E1.
#include <doctest/doctest.h>

#include <qmann/energy/energy_table.hpp>
#include <qmann/energy/operations.hpp>
#include <qmann/model/memn2n.hpp>
#include <qmann/model/quantized_memn2n.hpp>
#include <qmann/model/scheme.hpp>

#include <cstdint>
#include <vector>

namespace {

using qmann::energy::arithmetic;
using qmann::energy::component;
using qmann::energy::op;
constexpr auto I = arithmetic::integer;
constexpr auto F = arithmetic::floating;
constexpr auto E = component::embedding;
constexpr auto A = component::addressing;
constexpr auto R = component::read;
constexpr auto C = component::controller;
constexpr auto Y = component::answer;  // the answer layer

const std::vector<std::int32_t> story = {2, 3, 0,   // 2 words
                                         4, 2, 3,   // 3 words
                                         4, 0, 0};  // 1 word
const std::vector<std::int32_t> query = {2, 4, 0};  // 2 words

qmann::memn2n tiny_model() {
  qmann::memn2n_config config;
  config.dim = 4;
  config.hops = 1;
  config.memory_size = 3;
  config.init_stddev = 0.5f;
  return qmann::memn2n(config, 5, 3, 7);
}

template <class Scheme>
qmann::memn2n tiny_quantized() {
  auto model = tiny_model();
  auto q = Scheme::quantization();
  q.memory_frac = {5, 5};
  q.controller_frac = {5, 5};
  q.table_frac = {6, 6};
  model.set_quantization(q);
  return model;
}

const qmann::memn2n_input input{story.data(), 3, query.data()};

// Embedding sums: (2 + 1) + (3 + 1) + (1 + 1) = 9 words x 2 memories, and
// the query's 2: 20 words, 20 x 4 = 80 products and adds. Narrowed values:
// 2 memories x 3 sentences x 4 + the query's 4 = 28 (3 adds, 1 shift,
// 2 compares each).
void expect_fixed_embedding(qmann::energy::op_counter& e) {
  e(E, op::multiply, I, 8, 80);
  e(E, op::add, I, 32, 80 + 3 * 28);
  e(E, op::shift, I, 32, 28);
  e(E, op::compare, I, 32, 2 * 28);
}

// The same sums; each of the 6 memory vectors binarized (4 sign compares,
// 2 x 4 + 1 adds, a division, its scale narrowed); the query narrowed (4).
void expect_binary_embedding(qmann::energy::op_counter& e) {
  e(E, op::multiply, I, 8, 80);
  e(E, op::add, I, 32, 80 + 6 * 9 + 3 * (6 + 4));
  e(E, op::compare, I, 32, 6 * 4 + 2 * (6 + 4));
  e(E, op::divide, I, 32, 6);
  e(E, op::shift, I, 32, 6 + 4);
}

// Base-2 softmax over 3 slots (no empty slot: N = 3 sentences).
void expect_softmax(qmann::energy::op_counter& e) {
  e(A, op::compare, I, 32, 2);
  e(A, op::add, I, 32, 9);
  e(A, op::multiply, I, 32, 3);
  e(A, op::shift, I, 32, 12);
  e(A, op::lookup, I, 16, 6);
  e(A, op::multiply, I, 16, 3);
  e(A, op::divide, I, 64, 1);
  e(A, op::multiply, I, 64, 3);
  e(A, op::add, I, 64, 3);
  e(A, op::shift, I, 64, 3);
}

// u + o aligned (4 shifts, 4 adds) and narrowed (4 values); the answer:
// 3 words x 4 products and adds, 2 compares.
void expect_controller_and_answer(qmann::energy::op_counter& e) {
  e(C, op::shift, I, 32, 4 + 4);
  e(C, op::add, I, 32, 4 + 3 * 4);
  e(C, op::compare, I, 32, 2 * 4);
  e(Y, op::multiply, I, 8, 12);
  e(Y, op::add, I, 32, 12);
  e(Y, op::compare, I, 32, 2);
}

template <class Scheme>
void check_counts(const qmann::energy::op_counter& expected) {
  const auto model = tiny_quantized<Scheme>();
  qmann::memn2n::workspace ws;
  qmann::energy::op_counter trained;
  model.predict(input, ws, trained);
  const qmann::quantized_memn2n<Scheme> exported(model);
  typename qmann::quantized_memn2n<Scheme>::workspace iw;
  qmann::energy::op_counter counted;
  exported.predict(input, iw, counted);
  CHECK(counted == expected);
  CHECK(trained == expected);  // the training forward pass counts the same
  // Two questions count twice as much.
  exported.predict(input, iw, counted);
  auto twice = expected;
  twice += expected;
  CHECK(counted == twice);
}

}  // namespace

TEST_CASE("energy: fixed8-hamming operations, counted by hand") {
  qmann::energy::op_counter e;
  expect_fixed_embedding(e);
  // Key narrowed (4); per slot and element: 4 8-bit adds, a compare, a sign
  // XNOR and the int32 sum: 3 x 4 = 12 elements.
  e(A, op::add, I, 32, 3 * 4 + 12);
  e(A, op::shift, I, 32, 4);
  e(A, op::compare, I, 32, 2 * 4);
  e(A, op::add, I, 8, 4 * 12);
  e(A, op::compare, I, 8, 12);
  e(A, op::logic, I, 1, 12);
  expect_softmax(e);
  e(R, op::multiply, I, 16, 12);  // Q14 x int8, 3 slots x 4
  e(R, op::add, I, 32, 12);
  expect_controller_and_answer(e);
  check_counts<qmann::fixed8_hamming>(e);
}

TEST_CASE("energy: fixed8-dot operations, counted by hand") {
  qmann::energy::op_counter e;
  expect_fixed_embedding(e);
  e(A, op::multiply, I, 8, 12);  // 3 slots x 4
  e(A, op::add, I, 32, 12 + 3 * 3);
  e(A, op::shift, I, 32, 3);  // 3 scores narrowed
  e(A, op::compare, I, 32, 2 * 3);
  expect_softmax(e);
  e(R, op::multiply, I, 16, 12);
  e(R, op::add, I, 32, 12);
  expect_controller_and_answer(e);
  check_counts<qmann::fixed8_dot>(e);
}

TEST_CASE("energy: binary-hamming operations, counted by hand") {
  qmann::energy::op_counter e;
  expect_binary_embedding(e);
  e(A, op::compare, I, 32, 4);   // the key's signs
  e(A, op::logic, I, 64, 3);     // one word per slot
  e(A, op::popcount, I, 64, 3);
  e(A, op::add, I, 32, 3);
  expect_softmax(e);
  e(R, op::multiply, I, 32, 3);  // p_i alpha_i
  e(R, op::add, I, 32, 12);
  expect_controller_and_answer(e);
  check_counts<qmann::binary_hamming>(e);
}

TEST_CASE("energy: binary-dot operations, counted by hand") {
  qmann::energy::op_counter e;
  expect_binary_embedding(e);
  e(A, op::add, I, 8, 12);  // +-u_r
  e(A, op::add, I, 32, 12 + 3 * 3);
  e(A, op::multiply, I, 32, 3);  // x alpha_i
  e(A, op::shift, I, 32, 3);
  e(A, op::compare, I, 32, 2 * 3);
  expect_softmax(e);
  e(R, op::multiply, I, 32, 3);
  e(R, op::add, I, 32, 12);
  expect_controller_and_answer(e);
  check_counts<qmann::binary_dot>(e);
}

TEST_CASE("energy: float operations, counted by hand") {
  const auto model = tiny_model();
  qmann::memn2n::workspace ws;
  qmann::energy::op_counter counted;
  model.predict(input, ws, counted);
  qmann::energy::op_counter e;
  e(E, op::multiply, F, 32, 80);
  e(E, op::add, F, 32, 80);
  e(A, op::multiply, F, 32, 12);
  e(A, op::add, F, 32, 12 + 2 * 3);  // scores; s - max and the sum
  e(A, op::compare, F, 32, 2);
  e(A, op::exp, F, 32, 3);
  e(A, op::divide, F, 32, 3);
  e(R, op::multiply, F, 32, 12);
  e(R, op::add, F, 32, 12);
  e(Y, op::multiply, F, 32, 12);
  e(Y, op::add, F, 32, 12);
  e(Y, op::compare, F, 32, 2);
  CHECK(counted == e);
}

TEST_CASE("energy: empty memory slots are one more softmax term, not one per slot") {
  // Memory of 6 slots for 3 sentences: the softmax has 3 + 1 terms.
  qmann::memn2n_config config;
  config.dim = 4;
  config.hops = 1;
  config.memory_size = 6;
  qmann::memn2n model(config, 5, 3, 7);
  auto q = qmann::fixed8_hamming::quantization();
  q.memory_frac = {5, 5};
  q.controller_frac = {5, 5};
  q.table_frac = {6, 6};
  model.set_quantization(q);
  const qmann::quantized_memn2n<qmann::fixed8_hamming> exported(model);
  qmann::quantized_memn2n<qmann::fixed8_hamming>::workspace iw;
  qmann::energy::op_counter counted;
  exported.predict(input, iw, counted);
  CHECK(counted.count(A, op::lookup, I, 16) == 2 * 4);
  CHECK(counted.count(A, op::multiply, I, 64) == 3);  // normalization of the 3 sentences only
  CHECK(counted.count(A, op::multiply, I, 32) == 4 + 1);  // x beta per term, x the 3 empty slots
  CHECK(counted.count(A, op::compare, I, 32) == 3 + 2 * 4);  // max over 4 terms; the key narrowed
}

TEST_CASE("energy: the Horowitz table and its costing rules") {
  const auto t = qmann::energy::energy_table::horowitz_45nm();
  CHECK(t.pj(op::add, I, 8) == 0.03);
  CHECK(t.pj(op::add, I, 32) == 0.1);
  CHECK(t.pj(op::multiply, I, 8) == 0.2);
  CHECK(t.pj(op::multiply, I, 16) == 3.1);  // costed as 32-bit: never flattering
  CHECK(t.pj(op::multiply, F, 32) == 3.7);
  CHECK(t.pj(op::add, F, 32) == 0.9);
  CHECK(t.pj(op::popcount, I, 64) == doctest::Approx(1.2));
  CHECK(t.pj(op::exp, F, 32) == doctest::Approx(4.6));
  qmann::energy::op_counter c;
  c(E, op::multiply, F, 32, 10);
  c(A, op::add, I, 8, 100);
  CHECK(t.energy_pj(c) == doctest::Approx(37.0 + 3.0));
  CHECK(t.energy_pj(c, A) == doctest::Approx(3.0));
  qmann::energy::energy_table mine;  // a user's own table
  mine.set(op::add, I, 8, 1.0);
  CHECK(mine.energy_pj(c) == doctest::Approx(100.0));
}
