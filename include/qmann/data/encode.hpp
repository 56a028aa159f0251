// Encoding bAbI questions as fixed-size arrays of word ids for a MemN2N:
// each example keeps the last `memory_size` statements of its story (oldest
// first), every sentence padded with id 0 to `sentence_size` words.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "qmann/data/babi.hpp"
#include "qmann/data/vocabulary.hpp"

namespace qmann::data {

struct encoded_set {
  std::size_t memory_size = 0;    // M: sentences kept per story
  std::size_t sentence_size = 0;  // S: words per sentence (padded)
  std::vector<std::int32_t> stories;    // size() x M x S ids, row i = i-th kept statement
  std::vector<std::int32_t> sentences;  // per example: statements kept (<= M)
  std::vector<std::int32_t> queries;    // size() x S ids
  std::vector<std::int32_t> answers;    // per example: the answer's id (unknown if unseen)

  std::size_t size() const noexcept { return answers.size(); }
  const std::int32_t* story(std::size_t e) const noexcept {
    return stories.data() + e * memory_size * sentence_size;
  }
  const std::int32_t* query(std::size_t e) const noexcept { return queries.data() + e * sentence_size; }
};

/// Longest statement or question, in words, over some question sets.
inline std::size_t longest_sentence(const std::vector<const std::vector<question>*>& sets) {
  std::size_t longest = 1;
  for (const auto* set : sets)
    for (const question& q : *set) {
      longest = std::max(longest, q.words.size());
      for (const auto& s : q.story) longest = std::max(longest, s.size());
    }
  return longest;
}

/// Encodes `questions` with `vocab` (words it lacks become vocabulary::unknown).
/// Throws std::invalid_argument for memory_size or sentence_size 0, or a
/// sentence longer than sentence_size.
inline encoded_set encode(const std::vector<question>& questions, const vocabulary& vocab,
                          std::size_t memory_size, std::size_t sentence_size) {
  if (memory_size == 0 || sentence_size == 0)
    throw std::invalid_argument("qmann::data::encode: memory_size and sentence_size must be > 0");
  encoded_set set;
  set.memory_size = memory_size;
  set.sentence_size = sentence_size;
  set.stories.assign(questions.size() * memory_size * sentence_size, vocabulary::padding);
  set.queries.assign(questions.size() * sentence_size, vocabulary::padding);
  set.sentences.reserve(questions.size());
  set.answers.reserve(questions.size());
  auto put = [&](const std::vector<std::string>& words, std::int32_t* out) {
    if (words.size() > sentence_size)
      throw std::invalid_argument("qmann::data::encode: a sentence of " +
                                  std::to_string(words.size()) + " words, longer than " +
                                  std::to_string(sentence_size));
    for (std::size_t j = 0; j < words.size(); ++j) out[j] = vocab.id(words[j]);
  };
  for (std::size_t e = 0; e < questions.size(); ++e) {
    const question& q = questions[e];
    const std::size_t kept = std::min(q.story.size(), memory_size);
    const std::size_t first = q.story.size() - kept;  // the last `kept` statements
    std::int32_t* story = set.stories.data() + e * memory_size * sentence_size;
    for (std::size_t i = 0; i < kept; ++i) put(q.story[first + i], story + i * sentence_size);
    put(q.words, set.queries.data() + e * sentence_size);
    set.sentences.push_back(static_cast<std::int32_t>(kept));
    set.answers.push_back(vocab.id(q.answer));
  }
  return set;
}

/// A task as a model reads it: the vocabulary of its training and
/// validation questions, all three sets encoded with sentences as long as
/// the longest of any set and `memory_size` slots: the longest training
/// story, at most `max_memory` (the authors' code does the same).
struct encoded_task {
  vocabulary vocab;
  std::size_t sentence_size = 0, memory_size = 0;
  encoded_set train, validation, test;
};

inline encoded_task encode_task(const std::vector<question>& train, const std::vector<question>& validation,
                                const std::vector<question>& test, std::size_t max_memory = 50) {
  encoded_task t;
  add_words(t.vocab, train);
  add_words(t.vocab, validation);
  t.sentence_size = longest_sentence({&train, &validation, &test});
  std::size_t longest_story = 1;
  for (const auto& q : train) longest_story = std::max(longest_story, q.story.size());
  t.memory_size = std::max<std::size_t>(1, std::min(max_memory, longest_story));
  t.train = encode(train, t.vocab, t.memory_size, t.sentence_size);
  t.validation = encode(validation, t.vocab, t.memory_size, t.sentence_size);
  t.test = encode(test, t.vocab, t.memory_size, t.sentence_size);
  return t;
}

}  // namespace qmann::data
