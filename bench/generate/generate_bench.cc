// Benchmarks of the synthetic company generator.
//
//   BM_UsageWriter/<customers>  the hot path alone: usage NDJSON for a model
//                               simulated once outside the timing.
//                               items_per_second = usage events per second.
//   BM_Generate/<customers>     everything but the database: model, truth,
//                               usage, tickets.
// Files go to $CUSTLAKE_BENCH_DIR (default: the system temp folder) and are
// removed afterwards. The goal (issue): >= 2 million usage events per second
// on one core. run.sh builds in Release and prints a table.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "generate/company_model.h"
#include "generate/generator.h"
#include "generate/usage_writer.h"

namespace {
namespace fs = std::filesystem;
using namespace custlake::generate;

fs::path BenchDir(const std::string& name) {
  const char* env = std::getenv("CUSTLAKE_BENCH_DIR");
  fs::path root = env != nullptr ? fs::path(env) : fs::temp_directory_path();
  return root / ("custlake_generate_bench_" + name);
}

GeneratorOptions Options(int64_t customers) {
  GeneratorOptions o;
  o.customers = customers;
  return o;
}

void BM_UsageWriter(benchmark::State& state) {
  const GeneratorOptions options = Options(state.range(0));
  CompanyModel model(options);
  if (!model.Run([](const CompanyModel::Month&) { return custlake::Status::OK(); }).ok()) {
    state.SkipWithError("model failed");
    return;
  }
  const fs::path dir = BenchDir("usage");
  int64_t events = 0, bytes = 0;
  for (auto _ : state) {
    UsageWriter writer(options, model.usage());
    auto counts = writer.Write(dir.string(), options.WindowEndDay());
    if (!counts.ok()) {
      state.SkipWithError(counts.status().ToString().c_str());
      break;
    }
    events += writer.events();
    bytes += counts->bytes;
  }
  fs::remove_all(dir);
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(bytes);
  state.counters["events"] = benchmark::Counter(static_cast<double>(events) / state.iterations());
}
BENCHMARK(BM_UsageWriter)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Generate(benchmark::State& state) {
  const GeneratorOptions options = Options(state.range(0));
  const fs::path dir = BenchDir("all");
  int64_t events = 0, bytes = 0;
  for (auto _ : state) {
    auto summary = Generate(options, nullptr, (dir / "landing").string(), (dir / "truth").string());
    if (!summary.ok()) {
      state.SkipWithError(summary.status().ToString().c_str());
      break;
    }
    events += summary->usage_events;
    bytes += summary->usage.bytes;
  }
  fs::remove_all(dir);
  state.SetItemsProcessed(events);
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_Generate)->Arg(10000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

// CUSTLAKE_BENCH_CUSTOMERS="1000000" adds BM_UsageWriter runs for those sizes.
int main(int argc, char** argv) {
  if (const char* sizes = std::getenv("CUSTLAKE_BENCH_CUSTOMERS")) {
    std::string list(sizes);
    size_t pos = 0;
    while (pos < list.size()) {
      size_t next = list.find_first_of(" ,", pos);
      if (next == std::string::npos) next = list.size();
      if (next > pos) {
        const int64_t n = std::stoll(list.substr(pos, next - pos));
        benchmark::RegisterBenchmark("BM_UsageWriter", BM_UsageWriter)
            ->Arg(n)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
      }
      pos = next + 1;
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
