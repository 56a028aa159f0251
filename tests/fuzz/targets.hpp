// What the fuzzers feed qmann, shared by the libFuzzer harnesses (built with
// -DQMANN_FUZZ=ON and clang) and by the regression test that replays every
// input kept in tests/fuzz/regressions (built always).
//
// An input may be rejected only with the documented error type
// (data::babi_error, io::model_file_error); any other exception, a crash, a
// hang or a sanitizer report is a bug. What is accepted is then used: the
// questions are encoded, a loaded model answers a question in float and, for
// an integer scheme, through its integer export.
#pragma once

#include <qmann/data/babi.hpp>
#include <qmann/data/encode.hpp>
#include <qmann/data/vocabulary.hpp>
#include <qmann/io/model_file.hpp>
#include <qmann/model/quantized_memn2n.hpp>
#include <qmann/model/scheme.hpp>

#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace qmann::fuzz {

inline void babi_input(const std::uint8_t* data, std::size_t size) {
  std::istringstream text(std::string(reinterpret_cast<const char*>(data), size));
  std::vector<data::question> questions;
  try {
    questions = data::parse_babi(text, "fuzz");
  } catch (const data::babi_error&) {
    return;
  }
  data::vocabulary vocabulary;
  data::add_words(vocabulary, questions);
  const std::size_t sentence = data::longest_sentence({&questions});
  const auto set = data::encode(questions, vocabulary, 50, sentence);
  if (set.size() != questions.size()) __builtin_trap();
}

template <class Scheme>
void answer_with_export(const memn2n& model, const memn2n_input& in) {
  if (!Scheme::matches(model.quantization())) return;
  const quantized_memn2n<Scheme> exported(model);
  typename quantized_memn2n<Scheme>::workspace ws;
  const auto answer = exported.predict(in, ws);
  if (answer < 2 || static_cast<std::size_t>(answer) >= model.vocabulary_size()) __builtin_trap();
}

inline void load_and_use(const std::vector<unsigned char>& bytes);

/// The bytes as they are, and again with their checksum made right, so that
/// mutations reach the parser behind the CRC check.
inline void model_file_input(const std::uint8_t* data, std::size_t size) {
  std::vector<unsigned char> bytes(data, data + size);
  load_and_use(bytes);
  if (size < 4) return;
  const std::uint32_t crc = io::detail::crc32(bytes.data(), size - 4);
  for (std::size_t i = 0; i < 4; ++i) bytes[size - 4 + i] = static_cast<unsigned char>(crc >> (8 * i));
  load_and_use(bytes);
}

inline void load_and_use(const std::vector<unsigned char>& bytes) {
  for (const char* scheme : {"float", "fixed8-dot", "fixed8-hamming", "binary-dot", "binary-hamming"}) {
    std::vector<io::stored_model> models;
    try {
      models = io::load_models_from_bytes(bytes, "fuzz", scheme);
    } catch (const io::model_file_error&) {
      continue;
    }
    for (const auto& m : models) {
      // One question of one sentence: every word of the vocabulary once.
      const std::size_t sentence = m.model.sentence_size();
      std::vector<std::int32_t> story(sentence, 0), query(sentence, 0);
      for (std::size_t j = 0; j < sentence; ++j)
        story[j] = query[j] = static_cast<std::int32_t>(2 + j % (m.model.vocabulary_size() - 2));
      const memn2n_input in{story.data(), 1, query.data()};
      memn2n::workspace ws;
      const auto answer = m.model.predict(in, ws);
      if (answer < 2 || static_cast<std::size_t>(answer) >= m.model.vocabulary_size()) __builtin_trap();
      answer_with_export<fixed8_dot>(m.model, in);
      answer_with_export<fixed8_hamming>(m.model, in);
      answer_with_export<binary_dot>(m.model, in);
      answer_with_export<binary_hamming>(m.model, in);
    }
  }
}

}  // namespace qmann::fuzz
