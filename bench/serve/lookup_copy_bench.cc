// The point lookups' in-memory copy (query/key_lookup.h) at sizes the demo
// cannot reach in a benchmark's time: a DuckDB table shaped like the
// benchmark's lookup columns of fact_customer_metrics (customer_id BIGINT,
// month_start DATE, revenue DECIMAL(18,2), churned BOOLEAN, usage_events
// BIGINT; MONTHS rows per customer), written to Parquet and read back as a view,
// as the lake's tables are. Prints the copy's build time (wall and CPU), its
// bytes and bytes a row, the process's RSS before and after, and a lookup's
// cost from it; then, as the server builds it (off the request path), how soon
// the first lookup is back and when the copy is ready.
//
//   lookup_copy_bench CUSTOMERS [MONTHS=16] [BUDGET_MB=512]
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "engine/engine.h"
#include "query/key_lookup.h"

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double RssMb() {
  long pages = 0, resident = 0;
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(f);
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

}  // namespace

int main(int argc, char** argv) {
  using custlake::query::KeyLookupCache;
  if (argc < 2) {
    std::fprintf(stderr, "usage: lookup_copy_bench CUSTOMERS [MONTHS=16] [BUDGET_MB=512]\n");
    return 2;
  }
  const long customers = std::stol(argv[1]);
  const long months = argc > 2 ? std::stol(argv[2]) : 16;
  const int64_t budget = (argc > 3 ? std::stoll(argv[3]) : 512) << 20;
  const std::string parquet =
      (std::filesystem::temp_directory_path() / ("lookup_copy_bench_" + std::to_string(getpid()) + ".parquet"))
          .string();
  auto db = custlake::engine::Database::Open({});
  if (!db.ok()) return 1;
  auto session = (*db)->Connect();
  if (!session.ok()) return 1;
  const std::string make =
      "COPY (SELECT c::BIGINT AS customer_id, DATE '2024-01-01' + (m * 31)::INTEGER AS month_start, "
      "((hash(c, m) % 2000000)::BIGINT / 100.0 - 5000)::DECIMAL(18,2) AS revenue, hash(c, m) % 50 = 0 AS churned, "
      "(hash(m, c) % 5000)::BIGINT AS usage_events FROM range(" + std::to_string(customers) +
      ") r(c), range(" + std::to_string(months) + ") s(m) ORDER BY month_start, customer_id) TO '" + parquet +
      "' (FORMAT parquet)";
  if (!(*session)->Execute(make).ok() ||
      !(*session)->Execute("CREATE VIEW fact_customer_metrics AS SELECT * FROM '" + parquet + "'").ok()) {
    std::fprintf(stderr, "could not make the table\n");
    return 1;
  }
  KeyLookupCache cache(budget, [](const std::string& name) { return name == "fact_customer_metrics"; });
  KeyLookupCache::Reader run;
  run.run = [&](const std::string& sql, int64_t max_rows) { return (*session)->QueryReadOnly(sql, max_rows); };
  run.stream = [&](const std::string& sql, const auto& on_columns, const auto& on_chunk) {
    return (*session)->ForEachTextChunk(sql, on_columns, on_chunk);
  };
  const std::string sql =
      "SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics WHERE customer_id = $1 "
      "ORDER BY month_start";
  const double rss0 = RssMb(), cpu0 = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  const bool held = cache.Answer(sql, {std::string("0")}, -1, run).has_value();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu = CpuSeconds() - cpu0;
  const double rows = static_cast<double>(customers * months);
  std::printf("%ld customers x %ld months = %.0f rows: %s in %.2f s wall, %.2f s CPU; %.1f MB held, %.2f bytes a row; "
              "RSS %.0f -> %.0f MB\n",
              customers, months, rows, held ? "held" : "NOT held (over the budget)", wall, cpu,
              static_cast<double>(cache.bytes_held()) / 1e6, static_cast<double>(cache.bytes_held()) / rows, rss0,
              RssMb());
  if (held) {
    const int n = 100000;
    const double cpu1 = CpuSeconds();
    for (int i = 0; i < n; ++i) {
      if (!cache.Answer(sql, {std::to_string((i * 7919L) % customers)}, -1, run)) return 1;
    }
    std::printf("a lookup from the copy: %.2f us CPU (%d lookups)\n", (CpuSeconds() - cpu1) * 1e6 / n, n);
  }
  {
    // As the server builds it: off the request path, in a session of its own (the first lookup runs in DuckDB).
    KeyLookupCache off_path(
        budget, [](const std::string& name) { return name == "fact_customer_metrics"; },
        [&]() { return (*db)->Connect(); });
    const auto t0 = std::chrono::steady_clock::now();
    const bool first_from_copy = off_path.Answer(sql, {std::string("0")}, -1, run).has_value();
    const double first = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    off_path.WaitForBuilds();
    const double ready = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("off the request path: the first lookup back in %.3f ms (%s), the copy ready after %.2f s wall, "
                "%.1f MB held\n",
                first * 1e3, first_from_copy ? "from the copy?!" : "to run in DuckDB", ready,
                static_cast<double>(off_path.bytes_held()) / 1e6);
  }
  std::filesystem::remove(parquet);
  return 0;
}
