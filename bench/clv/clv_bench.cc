// Times the CLV stage: `clv_bench cdnow FILE` fits each model on the raw
// CDNOW log; `clv_bench synthetic N` draws N customers from BG/NBD (the
// CDNOW fit's parameters, first purchases spread over 12 weeks, 39-week
// calibration, times on a day grid), builds their summaries from a
// transaction log, fits BG/NBD and predicts. Prints one line per measurement:
// what, wall seconds, CPU seconds, and a figure.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>

#include "clv/count_model.h"
#include "clv/fitter.h"
#include "clv/predict.h"
#include "clv/summary.h"
#include "clv/transactions.h"
#include "clv/triples.h"

using namespace custlake::clv;

namespace {

struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  std::clock_t cpu = std::clock();
  double Wall() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double Cpu() const { return static_cast<double>(std::clock() - cpu) / CLOCKS_PER_SEC; }
};

double PeakRssMiB() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024;
}

void Report(const std::string& what, const Timer& t, int repeats, const std::string& figure) {
  std::printf("%-40s %10.4f %10.4f  %s\n", what.c_str(), t.Wall() / repeats, t.Cpu() / repeats,
              figure.c_str());
}

int Cdnow(const char* path) {
  TransactionFileOptions o;
  o.path = path;
  o.delimiter = "whitespace";
  o.header = false;
  o.customer_col = "2";
  o.date_col = "3";
  o.amount_col = "5";
  auto log = ReadTransactionLog(o);
  if (!log.ok()) return std::fprintf(stderr, "%s\n", log.status().ToString().c_str()), 1;
  SummaryOptions s;
  s.calibration_end = *ParseDay("1997-09-30");
  const SummaryTable table = *BuildSummaries(*log, s);
  const Triples triples = CompressTriples(table.customers);
  for (int starts : {1, 3}) {
    for (const CountModel* m : {&kBgnbd, &kPnbd, &kMbgnbd}) {
      FitOptions f;
      f.starts = starts;
      const int repeats = 20;
      Timer t;
      double ll = 0;
      for (int i = 0; i < repeats; ++i) ll = FitCountModel(*m, triples, f)->log_likelihood;
      Report("cdnow " + std::string(m->name) + " fit, starts " + std::to_string(starts), t, repeats,
             "LL " + std::to_string(ll));
    }
  }
  return 0;
}

// One customer's purchase days under BG/NBD: first at day `first`, repeats
// while alive until the calibration end; appended to the log.
void DrawCustomer(std::mt19937_64& rng, const CountParams& p, uint32_t id, int64_t first, int64_t end_day,
                  TransactionLog* log) {
  std::gamma_distribution<double> lambda_d(p[0], 1 / p[1]), ga(p[2], 1), gb(p[3], 1);
  std::uniform_real_distribution<double> u(0, 1);
  const double lambda = lambda_d(rng), ya = ga(rng), drop = ya / (ya + gb(rng));
  log->rows.push_back({id, 0, first, 20 + 30 * u(rng)});
  double t = 0;  // weeks since the first purchase
  for (;;) {
    t += std::exponential_distribution<double>(lambda)(rng);
    if (t * 7 >= static_cast<double>(end_day - first + 1)) break;
    const auto day = first + static_cast<int64_t>(t * 7);
    log->rows.push_back({id, 0, day, 20 + 30 * u(rng)});
    if (u(rng) < drop) break;
  }
}

int Synthetic(int64_t n) {
  const CountParams truth = {0.2425945, 4.4136019, 0.7929199, 2.4258881};
  const int64_t start = *ParseDay("1997-01-01"), cal_end = *ParseDay("1997-09-30");
  std::mt19937_64 rng(42);
  TransactionLog log;
  log.has_amount = true;
  log.source = "synthetic";
  Timer draw;
  for (int64_t i = 0; i < n; ++i) {
    log.customer_ids.push_back(std::to_string(i));
    DrawCustomer(rng, truth, static_cast<uint32_t>(i), start + static_cast<int64_t>(rng() % 84), cal_end,
                 &log);
  }
  Report("draw " + std::to_string(n) + " customers", draw, 1,
         std::to_string(log.rows.size()) + " transactions");
  SummaryOptions s;
  s.calibration_end = cal_end;
  Timer summarise;
  auto table = BuildSummaries(log, s);
  Report("summaries from the transaction log", summarise, 1, "");
  log = TransactionLog();
  Timer fit_timer;
  const Triples triples = CompressTriples(table->customers);
  auto fit = FitCountModel(kBgnbd, triples, FitOptions{});
  char params[200];
  std::snprintf(params, sizeof params,
                "%zu distinct rows; r %.4f alpha %.4f a %.4f b %.4f (truth %.4f %.4f %.4f %.4f)",
                triples.size(), fit->params[0], fit->params[1], fit->params[2], fit->params[3], truth[0],
                truth[1], truth[2], truth[3]);
  Report("BG/NBD fit (compress + fit)", fit_timer, 1, params);
  PredictOptions po;
  po.horizon = 52;
  po.discount_rate = 0.0019;
  const SpendParams spend = {6.25, 3.74, 15.44};
  Timer predict;
  auto predictions = PredictCustomers(
      kBgnbd, {fit->params[0], fit->params[1], fit->params[2], fit->params[3]}, &spend, *table, po);
  Report("predict (52 weeks, discounted CLV)", predict, 1,
         std::to_string(static_cast<int64_t>(static_cast<double>(n) / predict.Wall())) + " customers/s");
  std::printf("%-40s %10s %10s  %.0f MiB\n", "peak RSS", "", "", PeakRssMiB());
  return predictions.ok() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "cdnow") return Cdnow(argv[2]);
  if (argc == 3 && std::string(argv[1]) == "synthetic") return Synthetic(std::stoll(argv[2]));
  std::fprintf(stderr, "usage: clv_bench cdnow CDNOW_sample.txt | clv_bench synthetic CUSTOMERS\n");
  return 2;
}
