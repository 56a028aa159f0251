// Peer benchmarks: the same addressing work done with the libraries people use
// today, registered in qmann's addressing executable so that every ratio comes
// from one run (peers.cmake adds this file and finds the libraries):
//   peer/openblas_sgemv_softmax/<N>/<D>  float: sgemv, stable softmax, sgemv^T
//                                        (only with QMANN_HAVE_OPENBLAS)
//   peer/faiss_hamming/<N>/<D>           binary: D - Hamming of one key against
//                                        N rows of D bits (only with QMANN_HAVE_FAISS)
//   peer/stream_read/<N>/<D>             reading the N*D/8 bytes of an N x D binary
//                                        memory once: the bandwidth bound (always)
// items/s = N (slots per second), as in addressing/...; stream_read also
// reports bytes/s.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#ifdef QMANN_HAVE_OPENBLAS
#include <cblas.h>
// Declared by OpenBLAS's cblas.h but not by other cblas.h files on the path.
extern "C" void openblas_set_num_threads(int num_threads);
extern "C" char* openblas_get_corename(void);
#endif

#ifdef QMANN_HAVE_FAISS
// Header-only part of FAISS: compiled here with our flags, so popcount64 is a
// popcnt instruction where the target has one (the prebuilt libfaiss is
// generic x86-64 and counts bits in software).
#include <faiss/utils/hamming.h>
#endif

namespace {

void peer_sizes(benchmark::internal::Benchmark* b) {
  b->ArgsProduct({{64, 1024, 65536}, {64, 256, 1024}});
}

std::size_t slots(const benchmark::State& state) { return static_cast<std::size_t>(state.range(0)); }
std::size_t dims(const benchmark::State& state) { return static_cast<std::size_t>(state.range(1)); }

void set_slots_processed(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// Uniform random bits, in words so that the rows are 8-byte aligned for the
// uint64 loads of FAISS's computers.
std::vector<std::uint64_t> random_words(std::size_t count, std::mt19937& gen) {
  std::vector<std::uint64_t> words(count);
  for (auto& w : words) {
    const std::uint64_t high = gen();  // own statement: the call order is fixed
    w = (high << 32) | gen();
  }
  return words;
}

void stream_read(benchmark::State& state) {
  const std::size_t bytes = slots(state) * dims(state) / 8;
  std::mt19937 gen(7);
  const auto words = random_words(bytes / 8, gen);
  const std::uint64_t* data = words.data();
  for (auto _ : state) {
    // 16 independent lanes (two cache lines a step): no loop-carried add chain,
    // and the compiler packs them into vector adds (SLP, even at -O2), so the
    // loop is bound by loads, like a vectorized kernel.
    constexpr std::size_t lanes = 16;
    std::array<std::uint64_t, lanes> acc{};
    std::size_t i = 0;
    for (; i + lanes <= words.size(); i += lanes)
      for (std::size_t j = 0; j < lanes; ++j) acc[j] += data[i + j];
    for (; i < words.size(); ++i) acc[0] += data[i];
    std::uint64_t sum = 0;
    for (const std::uint64_t a : acc) sum += a;
    benchmark::DoNotOptimize(sum);
    // The buffer escapes, then is "written": it must be read again next time.
    benchmark::DoNotOptimize(data);
    benchmark::ClobberMemory();
  }
  set_slots_processed(state);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(bytes));
}

#ifdef QMANN_HAVE_OPENBLAS
std::vector<float> normal_floats(std::size_t count, std::mt19937& gen) {
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> values(count);
  for (float& x : values) x = dist(gen);
  return values;
}

// Written as a user would: subtracting the max keeps exp from overflowing.
void softmax(std::vector<float>& s) {
  const float max = *std::max_element(s.begin(), s.end());
  float sum = 0.0f;
  for (float& x : s) {
    x = std::exp(x - max);
    sum += x;
  }
  const float inv = 1.0f / sum;
  for (float& x : s) x *= inv;
}

void openblas_sgemv_softmax(benchmark::State& state) {
  const std::size_t n = slots(state), dim = dims(state);
  const int rows = static_cast<int>(n), cols = static_cast<int>(dim);
  std::mt19937 gen(42);
  const auto memory = normal_floats(n * dim, gen);  // N x D, row-major
  const auto key = normal_floats(dim, gen);
  std::vector<float> p(n), out(dim);
  for (auto _ : state) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, cols, 1.0f, memory.data(), cols, key.data(), 1,
                0.0f, p.data(), 1);
    softmax(p);
    cblas_sgemv(CblasRowMajor, CblasTrans, rows, cols, 1.0f, memory.data(), cols, p.data(), 1, 0.0f,
                out.data(), 1);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  set_slots_processed(state);
}

// Single-threaded like qmann's kernels; runs once, before main.
[[maybe_unused]] const bool openblas_one_thread = [] {
  openblas_set_num_threads(1);
  benchmark::AddCustomContext("openblas_core", openblas_get_corename());
  return true;
}();

BENCHMARK(openblas_sgemv_softmax)->Name("peer/openblas_sgemv_softmax")->Apply(peer_sizes);
#endif

#ifdef QMANN_HAVE_FAISS
template <class Computer>
void faiss_hamming_with(benchmark::State& state) {
  const std::size_t n = slots(state), dim = dims(state), code_size = dim / 8;
  std::mt19937 gen(42);
  const auto rows = random_words(n * code_size / 8, gen);
  const auto key = random_words(code_size / 8, gen);
  const auto* codes = reinterpret_cast<const std::uint8_t*>(rows.data());
  const Computer computer(reinterpret_cast<const std::uint8_t*>(key.data()),
                          static_cast<int>(code_size));
  const int bits = static_cast<int>(dim);
  std::vector<std::int32_t> similarity(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) similarity[i] = bits - computer.hamming(codes + i * code_size);
    benchmark::DoNotOptimize(similarity.data());
    benchmark::ClobberMemory();
  }
  set_slots_processed(state);
}

// The computer FAISS itself picks for a code size (as in its binary indexes):
// fixed-size ones for the sizes it specializes, the generic one otherwise.
void faiss_hamming(benchmark::State& state) {
  switch (dims(state) / 8) {
    case 8: return faiss_hamming_with<faiss::HammingComputer8>(state);
    case 16: return faiss_hamming_with<faiss::HammingComputer16>(state);
    case 32: return faiss_hamming_with<faiss::HammingComputer32>(state);
    case 64: return faiss_hamming_with<faiss::HammingComputer64>(state);
    default: return faiss_hamming_with<faiss::HammingComputerDefault>(state);
  }
}

BENCHMARK(faiss_hamming)->Name("peer/faiss_hamming")->Apply(peer_sizes);
#endif

BENCHMARK(stream_read)->Name("peer/stream_read")->Apply(peer_sizes);

}  // namespace
