// Microbenchmarks of content-based addressing per scheme, one executable so
// that every ratio comes from one run:
//   similarity/<scheme>/<N>/<D>   the similarity of one key against all N slots
//   addressing/<scheme>/<N>/<D>   similarity + softmax + read (keys = values)
// items/s = N (slots per second). Schemes:
//   float_dot       float memory, dot product, exp softmax (the MANN baseline)
//   float_cosine    float memory, cosine, exp softmax
//   fixed8_dot      fixed<8,5> memory, dot narrowed to 8 bits, exp softmax
//                   (conventional quantization, as the reference code)
//   fixed8_hamming  fixed<8,5>, weighted-bit Hamming, base-2 softmax (Q-MANN)
//   binary_hamming  binary, Hamming, base-2 softmax (Q-MANN binary)
// Peer libraries (peers.cmake, when found) add peer/... benchmarks.
#include <benchmark/benchmark.h>

#include <qmann/qmann.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace {

template <class T, class Similarity, class Softmax>
struct scheme {
  using number = T;
  using similarity = Similarity;
  using softmax = Softmax;
};

using float_dot = scheme<float, qmann::dot_similarity, qmann::exp_softmax>;
using float_cosine = scheme<float, qmann::cosine_similarity, qmann::exp_softmax>;
using fixed8_dot = scheme<qmann::fixed<8, 5>, qmann::dot_similarity, qmann::exp_softmax>;
using fixed8_hamming = scheme<qmann::fixed<8, 5>, qmann::hamming_similarity, qmann::base2_softmax>;
using binary_hamming = scheme<qmann::binary, qmann::hamming_similarity, qmann::base2_softmax>;

template <class T>
qmann::memory<T> random_memory(std::size_t n, std::size_t dim) {
  std::mt19937 gen(42);
  std::normal_distribution<float> dist(0.0f, 0.5f);
  qmann::memory<T> mem(n, dim);
  std::vector<float> row(dim);
  for (std::size_t i = 0; i < n; ++i) {
    for (auto& x : row) x = dist(gen);
    mem.write(i, row);
  }
  return mem;
}


template <class S>
using addressing_of =
    qmann::content_addressing<qmann::memory<typename S::number>, typename S::similarity,
                              typename S::softmax>;

template <class S>
void similarity(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto dim = static_cast<std::size_t>(state.range(1));
  const auto mem = random_memory<typename S::number>(n, dim);
  const auto key = mem.slot(n / 2);
  addressing_of<S> addressing;
  std::vector<typename addressing_of<S>::raw_score> scores;
  for (auto _ : state) {
    addressing.similarities(mem, key, scores);
    benchmark::DoNotOptimize(scores.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class S>
void addressing(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const auto dim = static_cast<std::size_t>(state.range(1));
  const auto mem = random_memory<typename S::number>(n, dim);
  const auto key = mem.slot(n / 2);
  addressing_of<S> addressing;
  qmann::vector<typename addressing_of<S>::read_type> out(dim);
  for (auto _ : state) {
    addressing(mem, key, mem, out);
    benchmark::DoNotOptimize(out.storage().data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class S>
void register_scheme(const std::string& name) {
  for (long n : {64L, 1024L, 65536L})
    for (long dim : {64L, 256L, 1024L}) {
      // Args() appends "/<N>/<D>" to the name.
      std::string similarity_name = "similarity/", addressing_name = "addressing/";
      similarity_name += name;
      addressing_name += name;
      benchmark::RegisterBenchmark(similarity_name.c_str(), similarity<S>)->Args({n, dim});
      benchmark::RegisterBenchmark(addressing_name.c_str(), addressing<S>)->Args({n, dim});
    }
}

const bool registered = [] {
  register_scheme<float_dot>("float_dot");
  register_scheme<float_cosine>("float_cosine");
  register_scheme<fixed8_dot>("fixed8_dot");
  register_scheme<fixed8_hamming>("fixed8_hamming");
  register_scheme<binary_hamming>("binary_hamming");
  benchmark::AddCustomContext("qmann integer kernels", qmann::kernels::integer_isa());
  benchmark::AddCustomContext("qmann float kernels", qmann::kernels::float_isa());
  return true;
}();

}  // namespace
