// The web dashboard's API calls with C concurrent clients, side by side with
// the same SQL (src/serve/dashboard/*.sql, the same bound filters) run
// directly in DuckDB through pooled sandboxed sessions, as the server runs it
// but without HTTP, JSON or the cache. Prints p50/p95/p99 per mode and the ratios.
//
//   serve_bench LAKE_ROOT HTTP_PORT [CLIENTS=20] [REQUESTS_PER_CLIENT=20] [SESSIONS=8]
//
// Each client asks a dashboard for its own filter combinations (segment x
// region x plan x date range, none twice), so the first HTTP pass misses the
// server's cache every time ("http cold"); a second pass asks them again
// ("http cached"). "duckdb" runs the six queries of each dashboard answer.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "serve/dashboard_sql.h"
#include "serve/session_pool.h"

namespace {

using custlake::serve::SessionPool;
using Clock = std::chrono::steady_clock;
using Params = std::vector<std::optional<std::string>>;

struct Filters {
  Params params;  // segment, region, plan, from, to
  std::string query;
};

/// Distinct filter combinations, shuffled with a fixed seed.
std::vector<Filters> MakeFilters(const nlohmann::json& values, size_t count) {
  std::vector<Filters> out;
  std::vector<std::optional<std::string>> segments{std::nullopt}, plans{std::nullopt}, regions{std::nullopt};
  for (const auto& v : values["segments"]) segments.push_back(v.get<std::string>());
  for (const auto& v : values["plans"]) plans.push_back(v.get<std::string>());
  for (const auto& v : values["regions"]) regions.push_back(v.get<std::string>());
  const std::string last = values["date_max"].get<std::string>();
  const int year = std::stoi(last.substr(0, 4));
  std::vector<std::pair<std::string, std::string>> ranges{{"", ""}};
  for (int y = year - 2; y <= year; y++) ranges.push_back({std::to_string(y) + "-01-01", std::to_string(y) + "-12-31"});
  for (const auto& s : segments)
    for (const auto& p : plans)
      for (const auto& r : regions)
        for (const auto& [from, to] : ranges) {
          Filters f;
          f.params = {s, r, p, from.empty() ? std::nullopt : std::optional(from),
                      to.empty() ? std::nullopt : std::optional(to)};
          std::string q;
          auto add = [&](const char* k, const std::optional<std::string>& v) {
            if (v) q += std::string(q.empty() ? "?" : "&") + k + "=" + httplib::detail::encode_query_param(*v);
          };
          add("segment", s);
          add("region", r);
          add("plan", p);
          add("from", f.params[3]);
          add("to", f.params[4]);
          f.query = q;
          out.push_back(std::move(f));
        }
  std::shuffle(out.begin(), out.end(), std::mt19937(7));
  if (out.size() > count) out.resize(count);
  return out;
}

struct Latencies {
  std::mutex mu;
  std::vector<double> ms;
  int errors = 0;
  void Add(double v, bool ok) {
    std::lock_guard<std::mutex> lock(mu);
    ms.push_back(v);
    errors += !ok;
  }
  double Pct(double p) {
    std::sort(ms.begin(), ms.end());
    if (ms.empty()) return 0;
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p / 100 * static_cast<double>(ms.size())))];
  }
};

/// Runs `fn(request index)` for every request on `clients` threads; the wall time in seconds.
template <typename Fn>
double RunClients(int clients, int per_client, Fn fn) {
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; c++) {
    threads.emplace_back([&, c] {
      for (int i = 0; i < per_client; i++) fn(c * per_client + i);
    });
  }
  for (auto& t : threads) t.join();
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

void Report(const char* name, Latencies& l, double wall, size_t n) {
  std::printf("%-12s p50 %8.2f ms  p95 %8.2f ms  p99 %8.2f ms  %7.1f req/s  errors %d\n", name, l.Pct(50), l.Pct(95),
              l.Pct(99), static_cast<double>(n) / wall, l.errors);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: serve_bench LAKE_ROOT HTTP_PORT [CLIENTS] [REQUESTS_PER_CLIENT] [SESSIONS]\n");
    return 2;
  }
  const std::string lake = argv[1];
  const int port = std::atoi(argv[2]);
  const int clients = argc > 3 ? std::atoi(argv[3]) : 20;
  const int per_client = argc > 4 ? std::atoi(argv[4]) : 20;
  const int sessions = argc > 5 ? std::atoi(argv[5]) : 8;
  const size_t n = static_cast<size_t>(clients * per_client);

  httplib::Client probe("127.0.0.1", port);
  auto filters_res = probe.Get("/api/filters");
  if (!filters_res || filters_res->status != 200) {
    std::fprintf(stderr, "no server answering GET /api/filters on 127.0.0.1:%d\n", port);
    return 1;
  }
  const std::vector<Filters> filters = MakeFilters(nlohmann::json::parse(filters_res->body), n);
  if (filters.size() < n) std::fprintf(stderr, "note: only %zu distinct filter combinations\n", filters.size());
  auto pick = [&](int i) -> const Filters& { return filters[static_cast<size_t>(i) % filters.size()]; };

  // DuckDB directly: the six queries of one dashboard answer on a pooled sandboxed session.
  custlake::query::SandboxOptions sandbox;
  sandbox.max_rows = 10000;
  SessionPool pool(lake, sandbox, sessions);
  const std::vector<std::string> files{"kpis", "churn_by_month", "cohort_retention", "usage_trend",
                                       "tickets_vs_churn", "clv_distribution"};
  std::vector<std::string> sql;
  for (const auto& f : files) sql.push_back(*custlake::serve::DashboardSql(f));
  Latencies direct;
  const double direct_wall = RunClients(clients, per_client, [&](int i) {
    auto start = Clock::now();
    auto session = pool.Acquire();
    bool ok = session.ok();
    for (size_t q = 0; ok && q < sql.size(); q++) ok = (*session)->RunWithParams(sql[q], pick(i).params).ok();
    direct.Add(Ms(start), ok);
  });

  auto http_pass = [&](Latencies& l) {
    return RunClients(clients, per_client, [&](int i) {
      thread_local httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(std::chrono::seconds(600));  // httplib's default, 5 s, would count slow answers as errors
      auto start = Clock::now();
      auto res = client.Get(("/api/dashboard" + pick(i).query).c_str());
      l.Add(Ms(start), res && res->status == 200);
    });
  };
  Latencies cold, cached;
  const double cold_wall = http_pass(cold);
  const double cached_wall = http_pass(cached);

  std::printf("%d clients x %d dashboard requests (%zu distinct filter combinations), %d sessions\n", clients,
              per_client, filters.size(), sessions);
  Report("duckdb", direct, direct_wall, n);
  Report("http cold", cold, cold_wall, n);
  Report("http cached", cached, cached_wall, n);
  std::printf("ratios http cold / duckdb:   p50 %.2f  p95 %.2f  p99 %.2f\n", cold.Pct(50) / direct.Pct(50),
              cold.Pct(95) / direct.Pct(95), cold.Pct(99) / direct.Pct(99));
  std::printf("ratios http cached / duckdb: p50 %.2f  p95 %.2f  p99 %.2f\n", cached.Pct(50) / direct.Pct(50),
              cached.Pct(95) / direct.Pct(95), cached.Pct(99) / direct.Pct(99));
  return direct.errors + cold.errors + cached.errors == 0 ? 0 : 1;
}
