// custom_scheme: a quantization scheme of your own, in one line.
//
// A qmann scheme is a type, scheme<Memory, Similarity>: the number type of
// the memory vectors and the similarity of content-based addressing. The
// compiler picks the kernels from it (here the 6-bit weighted-bit Hamming
// kernel), quantization-aware training simulates it, and
// quantized_memn2n<Scheme> runs it with integers only. This example trains
// three schemes on the built-in bAbI-format task 1 and compares them:
//   fixed8_hamming                       Q-MANN 8-bit, formats measured (MQ)
//   scheme<fixed<6,3>, hamming>          6-bit memories in one fixed format
//   scheme<calibrated_fixed<4>, hamming> 4-bit memories, formats measured
//
//   custom_scheme [--epochs N] [--seed S]
#include <qmann/qmann.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The whole definition of a new scheme:
using fixed6_hamming = qmann::scheme<qmann::fixed<6, 3>, qmann::hamming_similarity>;
using fixed4_hamming = qmann::scheme<qmann::calibrated_fixed<4>, qmann::hamming_similarity>;

static_assert(fixed6_hamming::memory_width == 6 && fixed6_hamming::pinned_memory_frac == 3);
// A wrong type is a compile error that names the requirement, e.g.
//   qmann::scheme<qmann::fixed<12, 3>, qmann::hamming_similarity>   (wider than 8 bits)
//   qmann::scheme<qmann::fixed<8, 3>, qmann::cosine_similarity>     (no integer cosine)
// fail with "constraints not satisfied" on scheme_memory / scheme_similarity.

qmann::data::encoded_task built_in_task(int number, std::uint64_t seed) {
  auto parse = [](int t, std::size_t n, std::uint64_t s, const std::string& name) {
    std::istringstream text(qmann::data::synthetic_babi(t, n, s));
    return qmann::data::parse_babi(text, name);
  };
  const auto all = parse(number, 1000, seed * 2 + 1, "built-in train");
  const std::vector<qmann::data::question> train(all.begin(), all.end() - 100), validation(all.end() - 100, all.end());
  return qmann::data::encode_task(train, validation, parse(number, 1000, seed * 2 + 2, "built-in test"));
}

template <class Scheme>
void run(const char* name, const qmann::data::encoded_task& t, std::size_t epochs, std::uint64_t seed) {
  const auto start = std::chrono::steady_clock::now();
  qmann::memn2n_config config;
  config.memory_size = t.memory_size;
  qmann::memn2n model(config, t.vocab.size(), t.sentence_size, seed);
  model.set_quantization(Scheme::quantization(/*beta=*/2.0f));  // Q-MANN's sharper base-2 softmax
  qmann::train_config tc;
  tc.epochs = epochs;
  tc.seed = seed;
  tc.patience = 30;
  const auto result = qmann::train(model, t.train, t.validation, tc, [&](const qmann::epoch_report& r) {
    if (r.epoch % 20 == 0) std::printf("  %-34s epoch %3zu/%zu  validation error %5.1f%%\n", name, r.epoch, r.epochs,
                                       100.0 * r.validation_error);
  });

  // Export: int8 tables, integer kernels of Scheme, no float.
  const qmann::quantized_memn2n<Scheme> exported(model);
  typename qmann::quantized_memn2n<Scheme>::workspace ws;
  std::size_t wrong = 0;
  for (std::size_t e = 0; e < t.test.size(); ++e)
    wrong += exported.predict({t.test.story(e), static_cast<std::size_t>(t.test.sentences[e]), t.test.query(e)}, ws) !=
             t.test.answers[e];
  const auto& f = exported.formats();
  std::printf("%-34s test error %5.1f%%  (%zu epochs, %.1f s; memory fixed<%d,%d..>, %zu bytes of int8 weights)\n",
              name, 100.0 * static_cast<double>(wrong) / static_cast<double>(t.test.size()), result.epochs_run,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), f.memory_width,
              f.memory_frac[0], exported.parameter_bytes());
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t epochs = 60;
  std::uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    char* end = nullptr;
    const unsigned long long value = i + 1 < argc ? std::strtoull(argv[i + 1], &end, 10) : 0;
    if ((flag != "--epochs" && flag != "--seed") || i + 1 >= argc || *end != '\0' || argv[i + 1][0] == '\0' ||
        argv[i + 1][0] == '-' || (flag == "--epochs" && (value == 0 || value > 10000))) {
      std::fprintf(stderr, "custom_scheme: bad argument '%s' (usage: custom_scheme [--epochs 1..10000] [--seed S])\n",
                   argv[i]);
      return 2;
    }
    (flag == "--epochs" ? epochs : seed) = value;
    ++i;
  }
  std::printf("custom_scheme: built-in task 1, 20 linear-start + %zu epochs, seed %llu\n", epochs,
              static_cast<unsigned long long>(seed));
  const auto t = built_in_task(1, seed);
  run<qmann::fixed8_hamming>("fixed8_hamming", t, epochs, seed);
  run<fixed6_hamming>("scheme<fixed<6,3>, hamming>", t, epochs, seed);
  run<fixed4_hamming>("scheme<calibrated_fixed<4>, hamming>", t, epochs, seed);
  return 0;
}
