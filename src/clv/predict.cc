#include "clv/predict.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>

namespace custlake::clv {
namespace {

// Expected transactions in the horizon, each unit discounted to its end.
double DiscountedTransactions(const CountModel& m, const CountParams& p, const CustomerSummary& c,
                              const PredictOptions& o) {
  if (o.discount_rate == 0) return m.expected(p, c.x, c.t_x, c.T, o.horizon);
  double sum = 0, previous = 0;
  for (int k = 1; k - 1 < o.horizon; ++k) {
    const double t = std::min<double>(k, o.horizon);
    const double e = m.expected(p, c.x, c.t_x, c.T, t);
    sum += (e - previous) / std::pow(1 + o.discount_rate, t);
    previous = e;
  }
  return sum;
}

bool AllFinite(const CustomerPrediction& p, bool with_spend) {
  return std::isfinite(p.p_alive) && std::isfinite(p.expected_purchases) && std::isfinite(p.p_no_purchase) &&
         (!with_spend || (std::isfinite(p.expected_spend) && std::isfinite(p.clv)));
}

}  // namespace

Status PredictOptions::Validate() const {
  if (!(horizon > 0) || !std::isfinite(horizon)) return Status::InvalidArgument("--horizon must be a number > 0");
  if (!(discount_rate >= 0) || !(discount_rate < 1)) {
    return Status::InvalidArgument("--discount-rate is per time unit and must be in [0, 1)");
  }
  return Status::OK();
}

Result<std::vector<CustomerPrediction>> PredictCustomers(const CountModel& model, const CountParams& params,
                                                         const SpendParams* spend, const SummaryTable& table,
                                                         const PredictOptions& options) {
  RETURN_NOT_OK(options.Validate());
  const std::vector<CustomerSummary>& cs = table.customers;
  std::vector<uint32_t> order(cs.size());
  std::iota(order.begin(), order.end(), 0u);
  auto key = [&cs](uint32_t i) { return std::make_tuple(cs[i].x, cs[i].t_x, cs[i].T); };
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return key(a) < key(b); });
  std::vector<CustomerPrediction> out(cs.size());
  CustomerPrediction shared;
  double discounted = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const CustomerSummary& c = cs[order[k]];
    if (k == 0 || key(order[k]) != key(order[k - 1])) {
      shared.p_alive = model.p_alive(params, c.x, c.t_x, c.T);
      shared.expected_purchases = model.expected(params, c.x, c.t_x, c.T, options.horizon);
      shared.p_no_purchase = model.p_no_purchase(params, c.x, c.t_x, c.T, options.horizon);
      discounted = DiscountedTransactions(model, params, c, options);
    }
    CustomerPrediction& p = out[order[k]];
    p = shared;
    p.expected_spend = spend ? gamma_gamma::ExpectedSpend(*spend, c.x, c.spend) : std::nan("");
    p.clv = discounted * p.expected_spend;
    if (!AllFinite(p, spend != nullptr)) {
      return Status::Internal(fmt::format("customer {} (x={}, t_x={}, T={}): {} could not compute the predictions "
                                          "at these parameters; please report it with the data",
                                          table.ids[order[k]], c.x, c.t_x, c.T, model.title));
    }
  }
  return out;
}

Status WritePredictionsCsv(const std::string& path, const SummaryTable& table,
                           const std::vector<CustomerPrediction>& predictions, const PredictOptions& options,
                           bool with_spend) {
  std::ofstream out(path, std::ios::binary);
  if (!out) return Status::IOError("cannot write " + path);
  const std::string h = HorizonSuffix(options.horizon, table.unit);
  out << "customer,x,t_x,T,p_alive,expected_purchases_" << h << ",p_no_purchase_" << h;
  if (with_spend) out << ",expected_spend,clv_" << h;
  out << '\n';
  for (size_t i = 0; i < predictions.size(); ++i) {
    const CustomerSummary& c = table.customers[i];
    const CustomerPrediction& p = predictions[i];
    out << fmt::format("{},{:g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}", table.ids[i], c.x, c.t_x, c.T, p.p_alive,
                       p.expected_purchases, p.p_no_purchase);
    if (with_spend) out << fmt::format(",{:.6g},{:.6g}", p.expected_spend, p.clv);
    out << '\n';
  }
  out.flush();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

}  // namespace custlake::clv
