#include <doctest/doctest.h>

#include <qmann/io/model_file.hpp>
#include <qmann/model/quantized_memn2n.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

fs::path temp_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / "qmann_model_file_test";
  fs::create_directories(dir);
  return dir / name;
}

std::vector<char> bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& p, const std::vector<char>& b) {
  std::ofstream out(p, std::ios::binary);
  out.write(b.data(), static_cast<std::streamsize>(b.size()));
}

qmann::io::stored_model sample(int task, qmann::weight_tying tying) {
  qmann::data::vocabulary v;
  for (const char* w : {"mary", "went", "to", "kitchen", "where", "is"}) v.add(w);
  qmann::memn2n_config c;
  c.dim = 6;
  c.hops = 2;
  c.memory_size = 7;
  c.tying = tying;
  c.position_encoding = task % 2 == 0;
  return {task, qmann::memn2n(c, v.size(), 5, static_cast<std::uint64_t>(task) + 3), v};
}

}  // namespace

TEST_CASE("model file: save and load give the same models") {
  const auto path = temp_file("round_trip.qmann");
  std::vector<qmann::io::stored_model> models;
  models.push_back(sample(1, qmann::weight_tying::adjacent));
  models.push_back(sample(4, qmann::weight_tying::layer_wise));
  qmann::io::save_models(path, "float", models);
  CHECK_FALSE(fs::exists(path.string() + ".tmp"));
  const auto loaded = qmann::io::load_models(path, "float");
  REQUIRE(loaded.size() == 2);
  for (std::size_t m = 0; m < 2; ++m) {
    CHECK(loaded[m].task == models[m].task);
    CHECK(loaded[m].model.parameters() == models[m].model.parameters());
    CHECK(loaded[m].model.config().tying == models[m].model.config().tying);
    CHECK(loaded[m].model.config().position_encoding == models[m].model.config().position_encoding);
    CHECK(loaded[m].model.sentence_size() == 5);
    CHECK(loaded[m].vocabulary.size() == models[m].vocabulary.size());
    CHECK(loaded[m].vocabulary.id("kitchen") == models[m].vocabulary.id("kitchen"));
  }
}

TEST_CASE("model file: quantized models keep their scheme's formats") {
  const auto path = temp_file("quantized.qmann");
  auto m = sample(3, qmann::weight_tying::adjacent);
  qmann::memn2n_quantization q;
  q.enabled = true;
  q.similarity = qmann::memn2n_similarity::hamming;
  q.beta = 2.0f;
  q.memory_frac = {5, 4, 6};
  q.controller_frac = {7, 6, 5};
  q.table_frac = {6, 3, 7};
  q.memory_width = 7;
  m.model.set_quantization(q);
  const qmann::quantized_memn2n<qmann::scheme<qmann::calibrated_fixed<7>, qmann::hamming_similarity>> before(m.model);
  std::vector<qmann::io::stored_model> models;
  models.push_back(std::move(m));
  qmann::io::save_models(path, "fixed8-hamming", models);
  const auto loaded = qmann::io::load_models(path, "fixed8-hamming");
  const auto& lq = loaded.front().model.quantization();
  CHECK(lq.memory_width == 7);
  CHECK(lq.table_frac[0] == 6);
  CHECK(lq.table_frac[2] == 7);
  // The loaded model exports to the same int8 tables.
  const qmann::quantized_memn2n<qmann::scheme<qmann::calibrated_fixed<7>, qmann::hamming_similarity>> after(
      loaded.front().model);
  for (std::size_t p = 0; p < 3; ++p) CHECK(after.table(p) == before.table(p));
  CHECK(lq.enabled);
  CHECK(lq.similarity == qmann::memn2n_similarity::hamming);
  CHECK_FALSE(lq.binary_memory);
  CHECK(lq.beta == 2.0f);
  CHECK(lq.memory_frac[1] == 4);
  CHECK(lq.controller_frac[2] == 5);
  CHECK_THROWS_AS(qmann::io::load_models(path, "float"), qmann::io::model_file_error);
}

TEST_CASE("model file: damaged, truncated, foreign and other-scheme files are clear errors") {
  const auto path = temp_file("good.qmann");
  qmann::io::save_models(path, "float", {sample(2, qmann::weight_tying::adjacent)});
  const auto good = bytes_of(path);
  const auto bad = temp_file("bad.qmann");
  auto expect = [&](const std::vector<char>& content, const std::string& message) {
    write_bytes(bad, content);
    CHECK_THROWS_WITH_AS(qmann::io::load_models(bad, "float"), (bad.string() + ": " + message).c_str(),
                         qmann::io::model_file_error);
  };
  auto flipped = good;
  flipped[flipped.size() / 2] ^= 0x10;
  expect(flipped, "damaged (checksum mismatch)");
  expect(std::vector<char>(good.begin(), good.begin() + 40), "damaged (checksum mismatch)");
  expect(std::vector<char>(good.begin(), good.begin() + 10), "truncated (header)");
  expect({'h', 'e', 'l', 'l', 'o', '\n'}, "not a qmann model file (no QMANNMOD magic)");
  expect({}, "not a qmann model file (no QMANNMOD magic)");
  auto newer = good;
  newer[8] = static_cast<char>(qmann::io::model_file_version + 1);
  expect(newer, "format version " + std::to_string(qmann::io::model_file_version + 1) +
                    ", this qmann reads version " + std::to_string(qmann::io::model_file_version));
  auto older = good;
  older[8] = 1;  // version 1 had no table formats: refused, not misread
  expect(older, "format version 1, this qmann reads version " + std::to_string(qmann::io::model_file_version));
  CHECK_THROWS_WITH_AS(qmann::io::load_models(path, "fixed8-hamming"),
                       (path.string() + ": holds scheme 'float', expected 'fixed8-hamming'").c_str(),
                       qmann::io::model_file_error);
  CHECK_THROWS_AS(qmann::io::load_models(temp_file("missing.qmann"), "float"), qmann::io::model_file_error);
  CHECK_THROWS_AS(qmann::io::load_models(fs::temp_directory_path(), "float"), qmann::io::model_file_error);
}

TEST_CASE("model file: every single-byte corruption is caught") {
  const auto path = temp_file("corrupt_each.qmann");
  qmann::io::save_models(path, "float", {sample(1, qmann::weight_tying::layer_wise)});
  const auto good = bytes_of(path);
  const auto bad = temp_file("corrupt_one.qmann");
  int accepted = 0;
  for (std::size_t i = 0; i < good.size(); i += 7) {
    auto b = good;
    b[i] = static_cast<char>(b[i] ^ 0x5A);
    write_bytes(bad, b);
    try {
      (void)qmann::io::load_models(bad, "float");
      ++accepted;
    } catch (const qmann::io::model_file_error&) {
    }
  }
  CHECK(accepted == 0);
}
