// Throughput of quantization: float -> T over a buffer, the first step of
// every quantized forward pass. Float (a copy) is the baseline in the same run.
#include <benchmark/benchmark.h>

#include <qmann/qmann.hpp>

#include <random>
#include <vector>

namespace {

template <class T>
void quantize_buffer(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::vector<float> values(n);
  std::mt19937 gen(1);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  for (float& x : values) x = dist(gen);
  qmann::vector<T> out(n);
  for (auto _ : state) {
    for (std::size_t i = 0; i < n; ++i) out.set(i, qmann::quantize<T>(values[i]));
    benchmark::DoNotOptimize(out.storage().data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

BENCHMARK(quantize_buffer<float>)->Name("quantize/float")->Arg(4096);
BENCHMARK(quantize_buffer<qmann::fixed<8, 5>>)->Name("quantize/fixed8")->Arg(4096);
BENCHMARK(quantize_buffer<qmann::binary>)->Name("quantize/binary")->Arg(4096);
