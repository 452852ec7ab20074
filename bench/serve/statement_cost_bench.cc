// The serving path's per-statement cost, without a network: how long a
// session takes to open (the first over a lake state, which makes the shared
// database, and the next ones, which connect to it), and how long one
// statement takes in it, wall and CPU, for point lookups by customer_id (a
// different id each time, as pgbench sends them: pasted into the text, as the
// simple protocol does, and bound to $1, as the extended protocol does) and a
// dashboard aggregation. A bound lookup is answered from the generation's
// in-memory copy of the table (query/key_lookup.h) after the first; the first
// one, which reads the copy, is timed alone, with the copy's size per row and RSS.
//
//   statement_cost_bench LAKE_ROOT [STATEMENTS=2000] [SQL...]   (each SQL also timed, n times)
//
// CPU seconds are the process's, so they stay meaningful on a loaded machine
// where wall time is mostly waiting for a core.
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "query/lake_database.h"
#include "query/live_lake.h"

namespace {

using Clock = std::chrono::steady_clock;

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

struct Timing {
  std::vector<double> wall_ms;
  double cpu_s = 0;
  void Print(const char* label) {
    std::sort(wall_ms.begin(), wall_ms.end());
    auto at = [&](double q) { return wall_ms[std::min(wall_ms.size() - 1, static_cast<size_t>(q * wall_ms.size()))]; };
    std::printf("%-34s n=%-6zu p50 %8.3f ms  p95 %8.3f ms  cpu/stmt %8.3f ms\n", label, wall_ms.size(), at(0.5),
                at(0.95), 1000 * cpu_s / static_cast<double>(wall_ms.size()));
  }
};

template <typename Fn>
Timing Measure(int n, Fn fn) {
  Timing t;
  const double cpu0 = CpuSeconds();
  for (int i = 0; i < n; ++i) {
    const auto start = Clock::now();
    if (!fn(i)) {
      std::fprintf(stderr, "statement %d failed\n", i);
      std::exit(1);
    }
    t.wall_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  t.cpu_s = CpuSeconds() - cpu0;
  return t;
}

/// The process's resident memory now, in MB (/proc/self/statm).
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
  if (argc < 2) {
    std::fprintf(stderr, "usage: statement_cost_bench LAKE_ROOT [STATEMENTS=2000] [SQL...]\n");
    return 2;
  }
  const std::string lake = argv[1];
  const int n = argc > 2 ? std::stoi(argv[2]) : 2000;
  custlake::query::LiveLake live(lake, custlake::query::SandboxOptions{});
  Measure(1, [&](int) { return live.Connect().ok(); }).Print("open: first session (makes the db)");
  Measure(std::min(n, 200), [&](int) { return live.Connect().ok(); }).Print("open: next sessions (connect)");
  auto session = live.Connect();
  if (!session.ok()) return 1;
  auto ids = (*session)->Run("SELECT min(customer_id), max(customer_id) FROM fact_customer_metrics");
  if (!ids.ok()) return 1;
  const long lo = std::stol(ids->rows[0][0]), hi = std::stol(ids->rows[0][1]);
  Measure(n, [&](int i) {
    const long id = lo + (static_cast<long>(i) * 7919) % (hi - lo + 1);
    return (*session)
        ->Run("SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics WHERE customer_id = " +
              std::to_string(id) + " ORDER BY month_start")
        .ok();
  }).Print("point lookup, id in the text");
  // The first bound lookup reads the table into the generation's in-memory copy: its cost and size.
  auto fact_rows = (*session)->Run("SELECT count(*) FROM fact_customer_metrics");
  if (!fact_rows.ok()) return 1;
  const double rows = std::stod(fact_rows->rows[0][0]), rss_before = RssMb();
  Measure(1, [&](int) {
    const bool ok = (*session)
                        ->Run("SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics "
                              "WHERE customer_id = CAST($1 AS BIGINT) ORDER BY month_start",
                              {std::to_string(lo)})
                        .ok();
    (*session)->database().lookups().WaitForBuilds();  // built off the request path: its time counted here
    return ok;
  }).Print("point lookup, first bound (the copy)");
  const double held = static_cast<double>((*session)->database().lookups().bytes_held());
  std::printf("the copy: %.0f rows, %.1f MB held, %.1f bytes a row; RSS %.0f -> %.0f MB\n", rows, held / 1e6,
              held / std::max(rows, 1.0), rss_before, RssMb());
  // As the extended protocol runs it: one text, the id bound ($1), so the session's plan is reused.
  Measure(n, [&](int i) {
    const long id = lo + (static_cast<long>(i) * 7919) % (hi - lo + 1);
    return (*session)
        ->Run("SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics "
              "WHERE customer_id = CAST($1 AS BIGINT) ORDER BY month_start",
              {std::to_string(id)})
        .ok();
  }).Print("point lookup, id bound ($1)");
  // One id every time: the text's plan is cached too, so this parts the plan's reuse from the scan.
  const std::string same = std::to_string(lo);
  Measure(n, [&](int) {
    return (*session)
        ->Run("SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics WHERE customer_id = " +
              same + " ORDER BY month_start")
        .ok();
  }).Print("point lookup, one id in the text");
  Measure(n, [&](int) {
    return (*session)
        ->Run("SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics "
              "WHERE customer_id = CAST($1 AS BIGINT) ORDER BY month_start",
              {same})
        .ok();
  }).Print("point lookup, one id bound ($1)");
  std::printf("point lookups' in-memory copy (query/key_lookup.h): %.1f MB held\n",
              static_cast<double>((*session)->database().lookups().bytes_held()) / 1e6);
  Measure(std::max(1, n / 10), [&](int) {
    return (*session)
        ->Run("SELECT month_start, sum(revenue) AS revenue, count(*) FILTER (WHERE churned) AS churned, "
              "avg(usage_events) AS usage FROM fact_customer_metrics GROUP BY month_start ORDER BY month_start")
        .ok();
  }).Print("aggregation by month");
  Measure(n, [&](int) { return (*session)->Run("SELECT 1").ok(); }).Print("SELECT 1");
  // Further statements to time, one per argument (to find where a statement's time goes).
  for (int a = 3; a < argc; ++a) {
    const std::string sql = argv[a];
    auto first = (*session)->Run(sql);
    if (!first.ok()) {
      std::fprintf(stderr, "%s: %s\n", sql.c_str(), first.status().ToString().c_str());
      return 1;
    }
    Measure(n, [&](int) { return (*session)->Run(sql).ok(); }).Print(sql.substr(0, 34).c_str());
  }
  return 0;
}
