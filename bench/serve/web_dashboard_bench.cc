// The web dashboard's API calls with C concurrent clients, side by side with
// the same SQL (src/serve/dashboard/*.sql, the same bound filters) run
// directly in DuckDB through pooled sandboxed sessions, as the server runs it
// but without HTTP, JSON or the cache. Prints p50/p95/p99 per side, the
// ratios, and each side's CPU seconds (the server's, from /proc/PID/stat,
// and this process's) and peak RSS.
//
//   web_dashboard_bench LAKE_ROOT HTTP_PORT [CLIENTS=20] [REQUESTS_PER_CLIENT=20] [SESSIONS=8]
//                       [ROUNDS=3] [SERVER_PID]
//
// The sides alternate over ROUNDS rounds (duckdb, http cold, http cached,
// then http cold, http cached, duckdb, ...), each round CLIENTS x
// REQUESTS_PER_CLIENT requests a side. Each client asks a dashboard for its
// own filter combinations (segment x region x plan x date range, none twice
// in the whole run), so "http cold" misses the server's cache every time;
// "http cached" asks the round's cold ones again. "duckdb" runs the six
// queries of each dashboard answer. First, each of the six statements is timed alone
// on one session (unfiltered and filtered), to show which ones cost the most.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <sys/resource.h>
#include <unistd.h>

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

/// CPU seconds (user + system) of process `pid` so far; 0 when it cannot be read.
double ProcessCpuSeconds(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(text.substr(close + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; i++) {
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

/// Peak resident set of process `pid` in MiB (VmHWM), 0 when it cannot be read.
double PeakRssMib(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return 0;
}

/// This process's resident set now in MiB (VmRSS), 0 when it cannot be read.
double CurrentRssMib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return 0;
}

/// Prints the first failure of a run (the rest only count as errors).
void ReportFirstError(const std::string& message) {
  static std::once_flag once;
  std::call_once(once, [&] { std::fprintf(stderr, "first error: %s\n", message.c_str()); });
}

double Ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

/// One side's latencies, wall seconds and CPU seconds, summed over the rounds.
struct Side {
  const char* name;
  Latencies latencies;
  double wall = 0, server_cpu = 0, self_cpu = 0;
};

void Report(Side& side) {
  Latencies& l = side.latencies;
  std::printf("%-12s p50 %8.2f ms  p95 %8.2f ms  p99 %8.2f ms  %7.1f req/s  cpu s: server %6.2f  bench %6.2f  errors %d\n",
              side.name, l.Pct(50), l.Pct(95), l.Pct(99), static_cast<double>(l.ms.size()) / side.wall,
              side.server_cpu, side.self_cpu, l.errors);
}

/// Each dashboard statement alone on one session, before the concurrent rounds: kRuns runs unfiltered
/// and kRuns runs with filters (`filtered(i)`, combinations the rounds do not ask); the median wall
/// milliseconds and the mean CPU milliseconds of this process per run (DuckDB's threads included: less
/// swayed than the wall time by other work on the machine), to see which statements cost the most.
template <typename Filtered>
void PrintStatementCosts(SessionPool& pool, const std::vector<std::string>& files, Filtered filtered) {
  constexpr int kRuns = 15;
  // The first session opens the generation's database: its views, and the setup that copies the
  // scores and the customers' attributes into memory (DashboardSandbox), once per generation.
  const double open_cpu_before = SelfCpuSeconds();
  const auto open_start = Clock::now();
  auto session = pool.Acquire();
  if (!session.ok()) return ReportFirstError(session.status().ToString());
  std::printf("the dashboard's database opened (views, in-memory scores and attributes): %.0f ms wall, %.0f ms cpu, "
              "RSS then %.0f MiB\n",
              Ms(open_start), (SelfCpuSeconds() - open_cpu_before) * 1000, CurrentRssMib());
  std::printf("each statement alone, one session, %d runs: median wall ms / mean cpu ms\n", kRuns);
  for (size_t q = 0; q < files.size(); q++) {
    Latencies wall[2];
    double cpu[2] = {0, 0};
    for (int i = 0; i < kRuns; i++) {
      for (int side = 0; side < 2; side++) {
        const Params params = side == 0 ? Params(5) : filtered(i);
        const double cpu_before = SelfCpuSeconds();
        auto start = Clock::now();
        auto result = (*session)->RunWithParams(*custlake::serve::DashboardSqlFor(files[q], params), params);
        wall[side].Add(Ms(start), result.ok());
        cpu[side] += (SelfCpuSeconds() - cpu_before) * 1000 / kRuns;
        if (!result.ok()) ReportFirstError(files[q] + ": " + result.status().ToString());
      }
    }
    std::printf("  %-18s unfiltered %7.2f / %7.2f   filtered %7.2f / %7.2f\n", files[q].c_str(), wall[0].Pct(50),
                cpu[0], wall[1].Pct(50), cpu[1]);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: web_dashboard_bench LAKE_ROOT HTTP_PORT [CLIENTS] [REQUESTS_PER_CLIENT] [SESSIONS] [ROUNDS] "
                 "[SERVER_PID]\n");
    return 2;
  }
  const std::string lake = argv[1];
  const int port = std::atoi(argv[2]);
  const int clients = argc > 3 ? std::atoi(argv[3]) : 20;
  const int per_client = argc > 4 ? std::atoi(argv[4]) : 20;
  const int sessions = argc > 5 ? std::atoi(argv[5]) : 8;
  const int rounds = argc > 6 ? std::atoi(argv[6]) : 3;
  const int server_pid = argc > 7 ? std::atoi(argv[7]) : 0;
  const size_t per_round = static_cast<size_t>(clients * per_client);

  httplib::Client probe("127.0.0.1", port);
  auto filters_res = probe.Get("/api/filters");
  if (!filters_res || filters_res->status != 200) {
    std::fprintf(stderr, "no server answering GET /api/filters on 127.0.0.1:%d\n", port);
    return 1;
  }
  const std::vector<Filters> filters =
      MakeFilters(nlohmann::json::parse(filters_res->body), per_round * static_cast<size_t>(rounds));
  if (filters.size() < per_round * static_cast<size_t>(rounds)) {
    std::fprintf(stderr, "note: only %zu distinct filter combinations: later rounds' cold requests repeat\n",
                 filters.size());
  }
  // Request i of round r: the filters no earlier round asked.
  auto pick = [&](int round, int i) -> const Filters& {
    return filters[(static_cast<size_t>(round) * per_round + static_cast<size_t>(i)) % filters.size()];
  };

  // DuckDB directly: the six queries of one dashboard answer on a pooled sandboxed session.
  custlake::query::SandboxOptions sandbox;
  sandbox.max_rows = 10000;
  // The server's own sandbox: the same empty views and in-memory scores (DashboardSandbox).
  SessionPool pool(lake, custlake::serve::DashboardSandbox(sandbox), sessions);
  const std::vector<std::string> files{"kpis", "churn_by_month", "cohort_retention", "usage_trend",
                                       "tickets_vs_churn", "clv_distribution"};
  // Each statement's text as the server runs it for the request's filters (DashboardSqlFor).
  PrintStatementCosts(pool, files, [&](int i) -> const Params& { return pick(rounds, i).params; });

  // One kept-alive connection per client, opened one after another, as a browser keeps its own
  // (cpp-httplib 0.11 listens with a backlog of 5: twenty connections opened at the same instant
  // would wait out SYN retransmits, a second each, and time the kernel, not the server).
  std::vector<std::unique_ptr<httplib::Client>> connections;
  for (int c = 0; c < clients; c++) {
    connections.push_back(std::make_unique<httplib::Client>("127.0.0.1", port));
    connections.back()->set_keep_alive(true);
    connections.back()->set_tcp_nodelay(true);
    connections.back()->set_read_timeout(std::chrono::seconds(600));  // httplib's default 5 s would count slow answers as errors
    connections.back()->Get("/healthz");
  }

  Side direct{"duckdb", {}}, cold{"http cold", {}}, cached{"http cached", {}};
  auto timed = [&](Side& side, auto fn) {
    const double server_before = server_pid ? ProcessCpuSeconds(server_pid) : 0, self_before = SelfCpuSeconds();
    side.wall += fn();
    side.server_cpu += server_pid ? ProcessCpuSeconds(server_pid) - server_before : 0;
    side.self_cpu += SelfCpuSeconds() - self_before;
  };
  auto run_direct = [&](int round) {
    timed(direct, [&] {
      return RunClients(clients, per_client, [&](int i) {
        auto start = Clock::now();
        auto session = pool.Acquire();
        bool ok = session.ok();
        for (size_t q = 0; ok && q < files.size(); q++) {
          const Params& params = pick(round, i).params;
          auto result = (*session)->RunWithParams(*custlake::serve::DashboardSqlFor(files[q], params), params);
          ok = result.ok();
          if (!ok) ReportFirstError(files[q] + ": " + result.status().ToString());
        }
        if (!session.ok()) ReportFirstError(session.status().ToString());
        direct.latencies.Add(Ms(start), ok);
      });
    });
  };
  auto run_http = [&](Side& side, int round) {
    timed(side, [&] {
      return RunClients(clients, per_client, [&](int i) {
        httplib::Client& client = *connections[static_cast<size_t>(i / per_client)];
        auto start = Clock::now();
        auto res = client.Get(("/api/dashboard" + pick(round, i).query).c_str());
        side.latencies.Add(Ms(start), res && res->status == 200);
      });
    });
  };
  for (int round = 0; round < rounds; round++) {
    if (round % 2 == 0) run_direct(round);
    run_http(cold, round);
    run_http(cached, round);
    if (round % 2 == 1) run_direct(round);
  }

  std::printf("%d clients x %d dashboard requests a side in each of %d rounds (sides alternated), %d sessions\n",
              clients, per_client, rounds, sessions);
  Report(direct);
  Report(cold);
  Report(cached);
  auto ratios = [&](const char* what, Side& a, Side& b) {
    std::printf("ratios %s: p50 %.2f  p95 %.2f  p99 %.2f\n", what, a.latencies.Pct(50) / b.latencies.Pct(50),
                a.latencies.Pct(95) / b.latencies.Pct(95), a.latencies.Pct(99) / b.latencies.Pct(99));
  };
  ratios("http cold / duckdb  ", cold, direct);
  ratios("http cached / duckdb", cached, direct);
  std::printf("peak RSS: server %.0f MiB, bench (the duckdb side's sessions and the clients) %.0f MiB\n",
              server_pid ? PeakRssMib(server_pid) : 0.0, PeakRssMib(static_cast<int>(getpid())));
  return direct.latencies.errors + cold.latencies.errors + cached.latencies.errors == 0 ? 0 : 1;
}
