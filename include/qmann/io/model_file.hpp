// Versioned, checked model files: trained memn2n models with their
// vocabularies, for babi_qa --save / --load and for users.
//
// Layout (all integers little-endian, floats as their IEEE-754 bits):
//   "QMANNMOD"                      magic, 8 bytes
//   u32 version                     2
//   str scheme                      e.g. "float" (u32 length, then bytes)
//   u32 models                      then per model:
//     i32 task                      bAbI task, 0 for a joint model
//     u32 dim, hops, memory_size, tying (0 adjacent, 1 layer-wise),
//         flags (1 PE, 2 TE, 4 empty slots attended), vocabulary size,
//         sentence size
//     u32 quantized                 0, or 1 followed by: u32 similarity
//         (0 dot, 1 hamming), u32 binary memory, f32 beta, u32 memory
//         width, u32 count and count x u32 memory formats, u32 count and
//         count x u32 controller formats, u32 count and count x u32 table
//         formats (fractional bits F of fixed<W,F>)
//     str word x vocabulary size    ids 0, 1 are "<nil>", "<unk>"
//     u32 matrices, then per matrix: u64 count, count x f32
//   u32 CRC-32 of every byte before it
// Loading checks the magic, the version, the scheme, every size against the
// limits and the model's own shapes, and the checksum: a file of another
// scheme, a truncated or a damaged file is a model_file_error naming the
// file and what is wrong, never a crash or a silently wrong model.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "qmann/data/vocabulary.hpp"
#include "qmann/model/memn2n.hpp"

namespace qmann::io {

/// what() is "<path>: <message>".
struct model_file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct stored_model {
  int task;  // 0: joint
  memn2n model;
  data::vocabulary vocabulary;
};

inline constexpr std::uint32_t model_file_version = 2;
inline constexpr std::size_t model_file_max_models = 1000;
inline constexpr std::size_t model_file_max_vocabulary = 1u << 20;
inline constexpr std::size_t model_file_max_sentence = 4096;
inline constexpr std::size_t model_file_max_memory = 1u << 16;

namespace detail {

inline constexpr std::array<char, 8> magic = {'Q', 'M', 'A', 'N', 'N', 'M', 'O', 'D'};

inline std::uint32_t crc32(const unsigned char* data, std::size_t size) noexcept {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1U) ? 0xEDB88320U ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFU;
  for (std::size_t i = 0; i < size; ++i) c = table[(c ^ data[i]) & 0xFFU] ^ (c >> 8);
  return c ^ 0xFFFFFFFFU;
}

class writer {
 public:
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<unsigned char>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<unsigned char>(v >> (8 * i)));
  }
  void f32(float f) {
    std::uint32_t bits;
    std::memcpy(&bits, &f, 4);
    u32(bits);
  }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  void raw(const char* p, std::size_t n) { bytes_.insert(bytes_.end(), p, p + n); }
  std::vector<unsigned char>& bytes() noexcept { return bytes_; }

 private:
  std::vector<unsigned char> bytes_;
};

class reader {
 public:
  reader(const std::vector<unsigned char>& bytes, std::size_t end, std::string path)
      : bytes_(bytes), end_(end), path_(std::move(path)) {}
  [[noreturn]] void fail(const std::string& what) const {
    throw model_file_error(path_ + ": " + what);
  }
  void need(std::size_t n, const char* what) const {
    if (end_ - pos_ < n) fail(std::string("truncated (") + what + ")");
  }
  std::uint32_t u32(const char* what) {
    need(4, what);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= std::uint32_t{bytes_[pos_++]} << (8 * i);
    return v;
  }
  std::uint64_t u64(const char* what) {
    need(8, what);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= std::uint64_t{bytes_[pos_++]} << (8 * i);
    return v;
  }
  float f32(const char* what) {
    const std::uint32_t bits = u32(what);
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
  }
  std::uint32_t bounded(const char* what, std::uint64_t lo, std::uint64_t hi) {
    const std::uint32_t v = u32(what);
    if (v < lo || v > hi)
      fail(std::string(what) + " " + std::to_string(v) + " outside [" + std::to_string(lo) + ", " +
           std::to_string(hi) + "]");
    return v;
  }
  std::string str(const char* what, std::size_t max) {
    const std::uint32_t n = u32(what);
    if (n > max) fail(std::string(what) + " of " + std::to_string(n) + " bytes");
    need(n, what);
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  std::size_t position() const noexcept { return pos_; }

 private:
  const std::vector<unsigned char>& bytes_;
  std::size_t end_;
  std::size_t pos_ = 0;
  std::string path_;
};

}  // namespace detail

/// Writes `models` (all of one scheme) to `path`, through a temporary file
/// renamed at the end: a failure leaves no partial file.
inline void save_models(const std::filesystem::path& path, std::string_view scheme,
                        const std::vector<stored_model>& models) {
  detail::writer w;
  w.raw(detail::magic.data(), detail::magic.size());
  w.u32(model_file_version);
  w.str(scheme);
  w.u32(static_cast<std::uint32_t>(models.size()));
  for (const auto& m : models) {
    const auto& c = m.model.config();
    w.u32(static_cast<std::uint32_t>(m.task));
    w.u32(static_cast<std::uint32_t>(c.dim));
    w.u32(static_cast<std::uint32_t>(c.hops));
    w.u32(static_cast<std::uint32_t>(c.memory_size));
    w.u32(c.tying == weight_tying::adjacent ? 0 : 1);
    w.u32((c.position_encoding ? 1U : 0U) | (c.temporal_encoding ? 2U : 0U) |
          (c.attend_to_empty_slots ? 4U : 0U));
    w.u32(static_cast<std::uint32_t>(m.model.vocabulary_size()));
    w.u32(static_cast<std::uint32_t>(m.model.sentence_size()));
    const auto& q = m.model.quantization();
    w.u32(q.enabled ? 1 : 0);
    if (q.enabled) {
      w.u32(q.similarity == memn2n_similarity::dot ? 0 : 1);
      w.u32(q.binary_memory ? 1 : 0);
      w.f32(q.beta);
      w.u32(static_cast<std::uint32_t>(q.memory_width));
      w.u32(static_cast<std::uint32_t>(m.model.distinct_memories()));
      for (std::size_t e = 0; e < m.model.distinct_memories(); ++e) w.u32(static_cast<std::uint32_t>(q.memory_frac[e]));
      w.u32(static_cast<std::uint32_t>(c.hops + 1));
      for (std::size_t k = 0; k <= c.hops; ++k) w.u32(static_cast<std::uint32_t>(q.controller_frac[k]));
      w.u32(static_cast<std::uint32_t>(m.model.parameters().size()));
      for (std::size_t p = 0; p < m.model.parameters().size(); ++p) w.u32(static_cast<std::uint32_t>(q.table_frac[p]));
    }
    if (m.vocabulary.size() != m.model.vocabulary_size())
      throw std::invalid_argument("qmann::io::save_models: vocabulary and model sizes differ");
    for (std::size_t id = 0; id < m.vocabulary.size(); ++id)
      w.str(m.vocabulary.word(static_cast<std::int32_t>(id)));
    w.u32(static_cast<std::uint32_t>(m.model.parameters().size()));
    for (const auto& p : m.model.parameters()) {
      w.u64(p.size());
      for (float x : p) w.f32(x);
    }
  }
  auto& bytes = w.bytes();
  w.u32(detail::crc32(bytes.data(), bytes.size()));

  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary);
    if (!out) throw model_file_error(path.string() + ": cannot write");
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) {
      out.close();
      std::error_code ec;
      std::filesystem::remove(temporary, ec);
      throw model_file_error(path.string() + ": cannot write");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    throw model_file_error(path.string() + ": cannot write");
  }
}

/// Reads models from the bytes of a model file; `name` names it in errors.
inline std::vector<stored_model> load_models_from_bytes(const std::vector<unsigned char>& bytes,
                                                        const std::string& name, std::string_view scheme);

/// Reads the models of `path`, which must hold `scheme`.
inline std::vector<stored_model> load_models(const std::filesystem::path& path, std::string_view scheme) {
  const std::string name = path.string();
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw model_file_error(name + ": not a readable file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw model_file_error(name + ": cannot open");
  const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw model_file_error(name + ": read error");
  return load_models_from_bytes(bytes, name, scheme);
}

inline std::vector<stored_model> load_models_from_bytes(const std::vector<unsigned char>& bytes,
                                                        const std::string& name, std::string_view scheme) {
  if (bytes.size() < detail::magic.size() || std::memcmp(bytes.data(), detail::magic.data(), detail::magic.size()) != 0)
    throw model_file_error(name + ": not a qmann model file (no QMANNMOD magic)");
  if (bytes.size() < detail::magic.size() + 8) throw model_file_error(name + ": truncated (header)");
  const std::size_t body = bytes.size() - 4;
  {
    std::uint32_t stored = 0;
    for (int i = 0; i < 4; ++i) stored |= std::uint32_t{bytes[body + static_cast<std::size_t>(i)]} << (8 * i);
    // The version is checked before the checksum, to name a newer format as such.
    std::uint32_t version = 0;
    for (int i = 0; i < 4; ++i) version |= std::uint32_t{bytes[8 + static_cast<std::size_t>(i)]} << (8 * i);
    if (version != model_file_version)
      throw model_file_error(name + ": format version " + std::to_string(version) + ", this qmann reads version " +
                             std::to_string(model_file_version));
    if (detail::crc32(bytes.data(), body) != stored)
      throw model_file_error(name + ": damaged (checksum mismatch)");
  }
  detail::reader r(bytes, body, name);
  r.u64("magic");
  r.u32("version");
  const std::string stored_scheme = r.str("scheme", 64);
  if (stored_scheme != scheme)
    throw model_file_error(name + ": holds scheme '" + stored_scheme + "', expected '" + std::string(scheme) + "'");
  const std::uint32_t count = r.bounded("model count", 1, model_file_max_models);
  std::vector<stored_model> models;
  for (std::uint32_t m = 0; m < count; ++m) {
    const auto task = static_cast<int>(r.bounded("task", 0, 20));
    memn2n_config config;
    config.dim = r.bounded("dim", 1, memn2n_max_dim);
    config.hops = r.bounded("hops", 1, memn2n_max_hops);
    config.memory_size = r.bounded("memory size", 1, model_file_max_memory);
    config.tying = r.bounded("tying", 0, 1) == 0 ? weight_tying::adjacent : weight_tying::layer_wise;
    const std::uint32_t flags = r.bounded("flags", 0, 7);
    config.position_encoding = flags & 1U;
    config.temporal_encoding = flags & 2U;
    config.attend_to_empty_slots = flags & 4U;
    const std::uint32_t vocab_size = r.bounded("vocabulary size", 3, model_file_max_vocabulary);
    const std::uint32_t sentence_size = r.bounded("sentence size", 1, model_file_max_sentence);
    memn2n_quantization q;
    q.enabled = r.bounded("quantized flag", 0, 1) == 1;
    if (q.enabled) {
      q.similarity = r.bounded("similarity", 0, 1) == 0 ? memn2n_similarity::dot : memn2n_similarity::hamming;
      q.binary_memory = r.bounded("binary memory flag", 0, 1) == 1;
      q.beta = r.f32("beta");
      if (!(q.beta > 0.0f) || q.beta > 64.0f) r.fail("beta outside (0, 64]");
      q.memory_width = static_cast<int>(r.bounded("memory width", 2, 8));
      const int memory_bits = q.binary_memory ? 8 : q.memory_width;
      const std::size_t memories = config.tying == weight_tying::adjacent ? config.hops + 1 : 2;
      if (r.bounded("memory format count", memories, memories) != memories) r.fail("memory formats");
      for (std::size_t e = 0; e < memories; ++e)
        q.memory_frac[e] = static_cast<int>(r.bounded("memory format", 0, static_cast<std::uint32_t>(memory_bits - 1)));
      if (r.bounded("controller format count", config.hops + 1, config.hops + 1) != config.hops + 1) r.fail("controller formats");
      for (std::size_t k = 0; k <= config.hops; ++k) q.controller_frac[k] = static_cast<int>(r.bounded("controller format", 0, 7));
      const std::size_t matrices = config.tying == weight_tying::adjacent ? config.hops + 1 : 5;
      if (r.bounded("table format count", matrices, matrices) != matrices) r.fail("table formats");
      for (std::size_t p = 0; p < matrices; ++p) q.table_frac[p] = static_cast<int>(r.bounded("table format", 0, 7));
    }
    data::vocabulary vocabulary;
    for (std::uint32_t id = 0; id < vocab_size; ++id) {
      const std::string word = r.str("word", 4096);
      if (id < 2) {
        if (word != vocabulary.word(static_cast<std::int32_t>(id))) r.fail("reserved word " + std::to_string(id) + " is '" + word + "'");
      } else if (vocabulary.add(word) != static_cast<std::int32_t>(id)) {
        r.fail("word '" + word + "' appears twice in the vocabulary");
      }
    }
    memn2n model(config, vocab_size, sentence_size, 0);
    model.set_quantization(q);
    const std::uint32_t matrices = r.u32("matrix count");
    if (matrices != model.parameters().size())
      r.fail(std::to_string(matrices) + " matrices, the model has " + std::to_string(model.parameters().size()));
    for (auto& p : model.parameters()) {
      const std::uint64_t n = r.u64("matrix size");
      if (n != p.size()) r.fail("a matrix of " + std::to_string(n) + " values, the model's has " + std::to_string(p.size()));
      r.need(n * 4, "matrix");
      for (float& x : p) {
        x = r.f32("matrix");
        if (!std::isfinite(x)) r.fail("a parameter is not finite");
      }
    }
    model.quantize_tables();
    models.push_back({task, std::move(model), std::move(vocabulary)});
  }
  if (r.position() != body) r.fail("trailing bytes after the last model");
  return models;
}

}  // namespace qmann::io
