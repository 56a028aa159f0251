// qmann::data::vocabulary: words <-> dense int32 ids, the index of a MemN2N
// embedding matrix row. Id 0 is padding ("<nil>", the zero row that pads
// short sentences and stories), id 1 the unknown word ("<unk>", for words of
// a test set that training never saw); real words follow in the order they
// were first added, so a vocabulary built from the same questions is the
// same on every machine and run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "qmann/data/babi.hpp"

namespace qmann::data {

namespace detail {

// Lets the word -> id map be searched with a string_view, without building a std::string.
struct vocabulary_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace detail

/// Words and their ids, assigned in insertion order (deterministic).
class vocabulary {
 public:
  static constexpr std::int32_t padding = 0;  // id 0: padding ("nil")
  static constexpr std::int32_t unknown = 1;  // id 1: a word not in the vocabulary

  /// Holds "<nil>" and "<unk>".
  vocabulary() {
    add("<nil>");
    add("<unk>");
  }

  /// The id of `word`: its existing id, or the next one. Throws std::length_error past INT32_MAX words.
  std::int32_t add(std::string_view word) {
    if (const auto it = ids_.find(word); it != ids_.end()) return it->second;
    if (words_.size() >= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
      throw std::length_error("qmann::data::vocabulary: more words than int32 ids");
    const auto id = static_cast<std::int32_t>(words_.size());
    words_.emplace_back(word);
    try {
      ids_.emplace(words_.back(), id);
    } catch (...) {  // keep the two in step
      words_.pop_back();
      throw;
    }
    return id;
  }

  /// The id of `word`, or `unknown` if absent.
  std::int32_t id(std::string_view word) const {
    const auto it = ids_.find(word);
    return it == ids_.end() ? unknown : it->second;
  }

  /// The word of `id`. Throws std::out_of_range for an id that is not in [0, size()).
  const std::string& word(std::int32_t id) const {
    if (id < 0 || static_cast<std::size_t>(id) >= words_.size())
      throw std::out_of_range("qmann::data::vocabulary: no word with id " + std::to_string(id));
    return words_[static_cast<std::size_t>(id)];
  }

  /// The number of words, "<nil>" and "<unk>" included.
  std::size_t size() const noexcept { return words_.size(); }

 private:
  std::vector<std::string> words_;  // [id]
  std::unordered_map<std::string, std::int32_t, detail::vocabulary_hash, std::equal_to<>> ids_;
};

/// Adds every story, question and answer word of `questions`, in order:
/// per question its story's statements, then its words, then its answer
/// (one word, even "apple,football").
inline void add_words(vocabulary& v, const std::vector<question>& questions) {
  for (const question& q : questions) {
    for (const auto& sentence : q.story)
      for (const auto& word : sentence) v.add(word);
    for (const auto& word : q.words) v.add(word);
    v.add(q.answer);
  }
}

}  // namespace qmann::data
