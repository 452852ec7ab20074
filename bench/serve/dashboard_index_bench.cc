// The dashboard's in-memory index (serve/dashboard_index.h) on a lake, without a network: its build
// (wall, CPU, the bytes it holds per span and per customer, RSS before and after), then the CPU and
// wall time of an answer (DashboardIndex::Answer, and AtRisk for 25 rows, with the JSON text a reply sends) for N filter
// combinations: the segment, region and plan each given or not (their first and last values) and a
// date range or none (from and to drawn from the marts' months), cycled.
//
//   dashboard_index_bench LAKE_ROOT [N=400]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "serve/dashboard_index.h"
#include "serve/dashboard_sql.h"
#include "serve/session_pool.h"

namespace {

using Clock = std::chrono::steady_clock;
using Params = std::vector<std::optional<std::string>>;

double Cpu(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

double RssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return 0;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace custlake;
  if (argc < 2) return Fail("usage: dashboard_index_bench LAKE_ROOT [N=400]");
  const int n = argc > 2 ? std::atoi(argv[2]) : 400;
  serve::SessionPool pool(argv[1], serve::DashboardSandbox({}), 1);
  const double rss0 = RssMiB();
  auto lease = pool.Acquire();
  if (!lease.ok()) return Fail(lease.status().ToString());
  const double rss1 = RssMiB();
  const auto start = Clock::now();
  const double cpu0 = Cpu(CLOCK_PROCESS_CPUTIME_ID);
  auto built = serve::DashboardIndex::Build(*lease->get());
  if (!built.ok()) return Fail(built.status().ToString());
  const double build_cpu = Cpu(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  const double build_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const auto& index = **built;
  std::printf("RSS %.0f MiB before the dashboard's database, %.0f after it, %.0f after the index\n", rss0, rss1,
              RssMiB());
  std::printf("index built in %.0f ms wall, %.0f ms CPU: %zu customers, %zu spans, %zu mart rows, %.1f MiB "
              "(%.1f bytes a span, %.1f a customer, all told)\n",
              build_ms, build_cpu * 1000, index.customers(), index.spans(), index.mart_rows(),
              static_cast<double>(index.MemoryBytes()) / (1 << 20),
              static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.spans()),
              static_cast<double>(index.MemoryBytes()) / static_cast<double>(index.customers()));

  // Filter values as the dashboard offers them, and months for the date ranges.
  Params dims[3];
  const char* columns[3] = {"segment", "region", "plan"};
  for (int d = 0; d < 3; d++) {
    auto values = (*lease)->Run(std::string("SELECT min(") + columns[d] + "), max(" + columns[d] +
                                ") FROM dashboard.customer_attributes");
    if (!values.ok()) return Fail(values.status().ToString());
    dims[d] = {std::nullopt, values->rows[0][0], values->rows[0][1]};
  }
  auto months = (*lease)->Run("SELECT DISTINCT strftime(month_start, '%Y-%m-%d') AS m FROM mart_dashboard_months ORDER BY m");
  if (!months.ok() || months->rows.empty()) return Fail("no months in mart_dashboard_months");
  std::vector<Params> filters;
  for (int i = 0; filters.size() < static_cast<size_t>(n); i++) {
    Params p{dims[0][i % 3], dims[1][(i / 3) % 3], dims[2][(i / 9) % 3], std::nullopt, std::nullopt};
    const size_t m = months->rows.size();
    if (i % 4 != 0) {  // three in four with a date range, as the HTTP benchmark's requests
      const size_t a = static_cast<size_t>(i * 7) % m, b = static_cast<size_t>(i * 13) % m;
      p[3] = months->rows[std::min(a, b)][0];
      p[4] = months->rows[std::max(a, b)][0];
    }
    filters.push_back(std::move(p));
  }
  for (const int what : {0, 1, 2, 3}) {  // the dashboard, the at-risk list (25); without, with a date range
    const bool ranged = what % 2 == 1, at_risk = what >= 2;
    std::vector<double> wall;
    double cpu = 0;
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
      if ((filters[i][3].has_value()) != ranged) continue;
      const double c0 = Cpu(CLOCK_THREAD_CPUTIME_ID);
      const auto t0 = Clock::now();
      auto answer = at_risk ? index.AtRisk(filters[i], 25) : index.Answer(filters[i], true, true);
      if (!answer) return Fail("no answer");
      bytes += answer->dump().size();
      wall.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      cpu += Cpu(CLOCK_THREAD_CPUTIME_ID) - c0;
    }
    std::sort(wall.begin(), wall.end());
    auto at = [&](double q) { return wall[std::min(wall.size() - 1, static_cast<size_t>(q * wall.size()))]; };
    std::printf("%-9s %-14s n=%-4zu answer + JSON text: p50 %.3f ms  p95 %.3f ms wall, %.3f ms CPU each, %.0f bytes each\n",
                at_risk ? "at-risk" : "dashboard", ranged ? "date range" : "no date range", wall.size(), at(0.5), at(0.95),
                1000 * cpu / static_cast<double>(wall.size()), static_cast<double>(bytes) / static_cast<double>(wall.size()));
  }
  return 0;
}
