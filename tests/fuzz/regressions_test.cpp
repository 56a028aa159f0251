// Every input kept in tests/fuzz/regressions (crashers the fuzzers found,
// and hand-made hostile inputs) goes through the fuzz targets again in the
// normal test suite (and under ASan and UBSan in CI).
#include <doctest/doctest.h>

#include "targets.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

std::vector<std::vector<std::uint8_t>> inputs(const std::string& folder) {
  std::vector<std::vector<std::uint8_t>> all;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(QMANN_FUZZ_REGRESSIONS) + "/" + folder)) {
    std::ifstream in(entry.path(), std::ios::binary);
    all.emplace_back((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  return all;
}

}  // namespace

TEST_CASE("fuzz regressions: bAbI inputs are read or rejected cleanly") {
  const auto all = inputs("babi");
  CHECK(all.size() >= 3);
  for (const auto& bytes : all) qmann::fuzz::babi_input(bytes.data(), bytes.size());
}

TEST_CASE("fuzz regressions: model files are loaded and used, or rejected cleanly") {
  const auto all = inputs("model");
  CHECK(all.size() >= 2);
  for (const auto& bytes : all) qmann::fuzz::model_file_input(bytes.data(), bytes.size());
}
