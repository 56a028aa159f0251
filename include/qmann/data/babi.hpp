// The bAbI reader: Weston et al.'s 20 QA tasks, v1.2 text format
// (tasks_1-20_v1-2, the data of End-To-End Memory Networks, Sukhbaatar et
// al. 2015), parsed into one `question` per question line, each carrying its
// story so far. The format, the tokenization, the limits and the error
// messages are described in docs/DATA.md.
//
//   1 Mary moved to the bathroom.            a statement: "<id> <text>"
//   2 John went to the hallway.
//   3 Where is Mary? \tbathroom\t1           a question: "<id> <question>\t<answer>\t<ids>"
//   1 Sandra travelled to the office.        id 1: a new story begins
//
// The reader is strict: anything that is not this format is a babi_error
// naming "<source>:<line>", never a crash, a hang or a silently cut story. It
// reads byte by byte, so a huge line without a newline is rejected after
// max_line_bytes, not read into memory first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <optional>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace qmann::data {

/// Malformed input; what() is "<source>:<line>: <message>" (or "<path>: <message>" for file-level problems).
struct babi_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One bAbI question with the story it is asked about.
struct question {
  std::vector<std::vector<std::string>> story;  // the story's statements before this question, oldest first (questions are not statements)
  std::vector<std::string> words;               // the question's words
  std::string answer;                           // one token: "kitchen", or "apple,football" / "n,w" for multi-word answers (tasks 8, 19)
  std::vector<std::size_t> supporting;          // 0-based indices into `story`
};

/// Limits, documented and enforced (errors name file:line): longest line 4096 bytes,
/// longest sentence 64 words, longest story 1000 statements (stories longer than that are an error, not silently cut).
/// (The real data stays far below: lines <= 69 bytes, sentences <= 11 words, stories <= 228 statements.)
inline constexpr std::size_t max_line_bytes = 4096, max_sentence_words = 64, max_story_sentences = 1000;

namespace detail {

// Ids and supporting ids have at most this many digits: far beyond any real
// story (ids count statements and questions), and small enough that parsing
// cannot overflow a std::size_t.
inline constexpr std::size_t babi_max_id_digits = 9;

[[noreturn]] inline void babi_fail(const std::string& source, std::size_t line, const std::string& message) {
  throw babi_error(source + ":" + std::to_string(line) + ": " + message);
}

inline bool babi_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool babi_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r'; }
inline char babi_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The value of `digits` if it is 1..babi_max_id_digits decimal digits.
inline std::optional<std::size_t> babi_number(std::string_view digits) noexcept {
  if (digits.empty() || digits.size() > babi_max_id_digits) return std::nullopt;
  std::size_t value = 0;
  for (const char c : digits) {
    if (!babi_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  return value;
}

// The length of the well-formed UTF-8 sequence starting at s[i] (a byte >=
// 0x80), or 0 if it is not one (Unicode 15, table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF). Non-ASCII text is accepted so that
// translations of the tasks read; only ASCII letters are lowercased.
inline std::size_t babi_utf8_length(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned lead = byte(i);
  std::size_t length = 0;
  unsigned low = 0x80, high = 0xBF;  // the range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < length || byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

// Rejects binary data: ASCII control bytes other than tab and CR, DEL, and
// bytes >= 0x80 that are not well-formed UTF-8.
inline void babi_check_bytes(std::string_view line, const std::string& source, std::size_t number) {
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < line.size();) {
    const auto c = static_cast<unsigned char>(line[i]);
    std::size_t length = 1;
    if (c >= 0x80) length = babi_utf8_length(line, i);
    const bool bad = (c < 0x20 && c != '\t' && c != '\r') || c == 0x7F || length == 0;
    if (bad)
      babi_fail(source, number,
                std::string("binary data: byte 0x") + hex[c >> 4] + hex[c & 15] + " at column " +
                    std::to_string(i + 1) + " (only printable text, tab and CR are allowed)");
    i += length;
  }
}

// The words of a sentence (statement or question): lowercased, split on
// whitespace, trailing '.', '?' and ',' stripped, empty tokens dropped.
inline std::vector<std::string> babi_words(std::string_view text, const char* kind, const std::string& source,
                                           std::size_t number) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && babi_space(text[i])) ++i;
    std::size_t end = i;
    while (end < text.size() && !babi_space(text[end])) ++end;
    std::size_t stop = end;
    while (stop > i && (text[stop - 1] == '.' || text[stop - 1] == '?' || text[stop - 1] == ',')) --stop;
    if (stop > i) {
      if (words.size() == max_sentence_words)
        babi_fail(source, number,
                  std::string(kind) + " has more than " + std::to_string(max_sentence_words) + " words");
      std::string word(text.substr(i, stop - i));
      for (char& c : word) c = babi_lower(c);
      words.push_back(std::move(word));
    }
    i = end;
  }
  if (words.empty()) babi_fail(source, number, std::string("empty ") + kind + " (no words)");
  return words;
}

// Reads the next line, without its "\n", into `line`; false at the end of
// the input. A line longer than max_line_bytes (not counting "\n" or
// "\r\n") is an error as soon as it is seen, so a huge input without
// newlines is never held in memory.
inline bool babi_read_line(std::streambuf& in, std::string& line, const std::string& source, std::size_t number) {
  using traits = std::streambuf::traits_type;
  line.clear();
  int c = in.sbumpc();
  if (traits::eq_int_type(c, traits::eof())) return false;
  for (; !traits::eq_int_type(c, traits::eof()) && traits::to_char_type(c) != '\n'; c = in.sbumpc()) {
    if (line.size() > max_line_bytes)  // one byte more may be the CR of "\r\n"
      babi_fail(source, number, "line longer than " + std::to_string(max_line_bytes) + " bytes");
    line.push_back(traits::to_char_type(c));
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > max_line_bytes)
    babi_fail(source, number, "line longer than " + std::to_string(max_line_bytes) + " bytes");
  return true;
}

inline bool babi_blank(std::string_view line) noexcept {
  for (const char c : line)
    if (!babi_space(c)) return false;
  return true;
}

}  // namespace detail

/// Parses bAbI v1.2 text. `source` names the input in error messages.
///
/// Each question line yields a `question` holding a copy of the statements
/// of its story before it. Blank lines are skipped. Throws babi_error
/// ("<source>:<line>: <message>") for malformed input, and "<source>: no
/// questions" when the input holds none.
inline std::vector<question> parse_babi(std::istream& in, const std::string& source) {
  using detail::babi_fail;
  constexpr std::size_t not_a_statement = std::numeric_limits<std::size_t>::max();

  std::streambuf* buffer = in.rdbuf();
  if (buffer == nullptr || !in.good()) throw babi_error(source + ": cannot read");

  std::vector<question> questions;
  std::vector<std::vector<std::string>> story;
  std::vector<std::size_t> statement_of_id;  // [id - 1]: index into `story`, or not_a_statement
  std::size_t previous_id = 0;               // 0: no story yet
  std::string line;
  for (std::size_t number = 1; detail::babi_read_line(*buffer, line, source, number); ++number) {
    if (detail::babi_blank(line)) continue;
    detail::babi_check_bytes(line, source, number);

    // "<id> <text>"
    std::size_t digits = 0;
    while (digits < line.size() && detail::babi_digit(line[digits])) ++digits;
    if (digits == 0) babi_fail(source, number, "line does not start with a numeric id");
    const auto id = detail::babi_number(std::string_view(line).substr(0, digits));
    if (!id)
      babi_fail(source, number,
                "id " + line.substr(0, digits) + " is too large (at most " +
                    std::to_string(detail::babi_max_id_digits) + " digits)");
    if (*id == 1) {
      story.clear();
      statement_of_id.clear();
    } else if (previous_id == 0) {
      babi_fail(source, number, "id " + std::to_string(*id) + ": the first id of a story must be 1");
    } else if (*id != previous_id + 1) {
      babi_fail(source, number,
                "id " + std::to_string(*id) + " after id " + std::to_string(previous_id) +
                    " (ids restart at 1 or increase by 1)");
    }
    previous_id = *id;
    if (digits == line.size() || detail::babi_blank(std::string_view(line).substr(digits)))
      babi_fail(source, number, "nothing after id " + std::to_string(*id));
    if (line[digits] != ' ') babi_fail(source, number, "expected a space after id " + std::to_string(*id));
    const std::string_view text = std::string_view(line).substr(digits + 1);

    const std::size_t tab = text.find('\t');
    if (tab == std::string_view::npos) {  // a statement
      auto words = detail::babi_words(text, "statement", source, number);
      if (story.size() == max_story_sentences)
        babi_fail(source, number,
                  "story longer than " + std::to_string(max_story_sentences) + " statements");
      story.push_back(std::move(words));
      statement_of_id.push_back(story.size() - 1);
      continue;
    }

    // A question: "<question>\t<answer>\t<supporting ids>"; trailing tabs are tolerated.
    std::vector<std::string_view> fields;
    for (std::size_t start = 0;;) {
      const std::size_t end = text.find('\t', start);
      fields.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    while (fields.size() > 3 && detail::babi_blank(fields.back())) fields.pop_back();
    if (fields.size() != 3)
      babi_fail(source, number,
                "a question line has 3 tab-separated fields (question, answer, supporting ids), found " +
                    std::to_string(fields.size()));

    question q;
    q.words = detail::babi_words(fields[0], "question", source, number);

    std::string_view answer = fields[1];
    while (!answer.empty() && detail::babi_space(answer.front())) answer.remove_prefix(1);
    while (!answer.empty() && detail::babi_space(answer.back())) answer.remove_suffix(1);
    if (answer.empty()) babi_fail(source, number, "empty answer");
    for (const char c : answer)
      if (detail::babi_space(c))
        babi_fail(source, number, "answer \"" + std::string(answer) + "\" is not one token");
    q.answer.assign(answer);
    for (char& c : q.answer) c = detail::babi_lower(c);

    const std::string_view ids = fields[2];
    for (std::size_t i = 0; i < ids.size();) {
      if (detail::babi_space(ids[i])) {
        ++i;
        continue;
      }
      std::size_t end = i;
      while (end < ids.size() && !detail::babi_space(ids[end])) ++end;
      const std::string_view token = ids.substr(i, end - i);
      const auto support = detail::babi_number(token);
      if (!support) babi_fail(source, number,
                  "supporting id \"" + std::string(token) + "\" is not a number of at most " +
                      std::to_string(detail::babi_max_id_digits) + " digits");
      if (*support == 0 || *support >= *id || statement_of_id[*support - 1] == not_a_statement)
        babi_fail(source, number,
                  "supporting id " + std::to_string(*support) + " is not an earlier statement of this story");
      q.supporting.push_back(statement_of_id[*support - 1]);
      i = end;
    }
    if (q.supporting.empty()) babi_fail(source, number, "no supporting ids");

    q.story = story;
    questions.push_back(std::move(q));
    statement_of_id.push_back(not_a_statement);
  }
  in.setstate(std::ios::eofbit);  // read through the buffer: say so, as getline would
  if (in.bad()) throw babi_error(source + ": read error");
  if (questions.empty()) throw babi_error(source + ": no questions");
  return questions;
}

/// Reads a bAbI file; errors name its path. babi_error naming the path if it
/// cannot be opened or is not a regular file.
inline std::vector<question> read_babi_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) throw babi_error(name + ": no such file");
  if (error) throw babi_error(name + ": cannot open (" + error.message() + ")");
  if (!std::filesystem::is_regular_file(status)) throw babi_error(name + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw babi_error(name + ": cannot open");
  return parse_babi(in, name);
}

/// The training and test files of one task.
struct task_files {
  std::filesystem::path train, test;
};

/// The files of task `task` (1..20) in `dir`: qa<task>_*_train.txt and qa<task>_*_test.txt.
/// babi_error naming the folder and the task if either is missing or the folder does not exist
/// (also for a task outside 1..20, and when a pattern matches more than one file).
inline task_files find_task(const std::filesystem::path& dir, int task) {
  namespace fs = std::filesystem;
  const std::string where = dir.string() + ": task " + std::to_string(task);
  if (task < 1 || task > 20) throw babi_error(where + ": bAbI tasks are numbered 1 to 20");
  std::error_code error;
  const auto status = fs::status(dir, error);
  if (status.type() == fs::file_type::not_found) throw babi_error(where + ": no such folder");
  if (error) throw babi_error(where + ": cannot open the folder (" + error.message() + ")");
  if (!fs::is_directory(status)) throw babi_error(where + ": not a folder");

  const std::string prefix = "qa" + std::to_string(task) + "_";
  const std::string suffixes[2] = {"_train.txt", "_test.txt"};
  std::optional<fs::path> found[2];
  fs::directory_iterator it(dir, error), end;
  for (; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    for (int k = 0; k < 2; ++k) {
      const std::string& suffix = suffixes[k];
      if (name.size() < prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix))
        continue;
      std::error_code file_error;
      if (!it->is_regular_file(file_error)) continue;
      if (found[k])
        throw babi_error(where + ": more than one qa" + std::to_string(task) + "_*" + suffix + " file (" +
                         found[k]->filename().string() + ", " + name + ")");
      found[k] = it->path();
    }
  }
  if (error) throw babi_error(where + ": cannot list the folder (" + error.message() + ")");
  for (int k = 0; k < 2; ++k)
    if (!found[k]) throw babi_error(where + ": no file qa" + std::to_string(task) + "_*" + suffixes[k]);
  return {*found[0], *found[1]};
}

}  // namespace qmann::data
