#include "clv/predict.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <unordered_map>

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

using Key = TripleKey;
using KeyHash = TripleKeyHash;

// What customers with the same (x, t_x, T) share.
struct Shared {
  CustomerPrediction prediction;
  double discounted = 0;  // discounted expected transactions in the horizon
};

bool AllFinite(const CustomerPrediction& p, bool with_spend) {
  return std::isfinite(p.p_alive) && std::isfinite(p.expected_purchases) && std::isfinite(p.p_no_purchase) &&
         (!with_spend || (std::isfinite(p.expected_spend) && std::isfinite(p.clv)));
}

// A CSV field, quoted when it holds a comma, a quote or a line break.
std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

}  // namespace

Status PredictOptions::Validate() const {
  if (!(horizon > 0) || !std::isfinite(horizon))
    return Status::InvalidArgument("--horizon must be a number > 0");
  if (!(discount_rate >= 0) || !(discount_rate < 1)) {
    return Status::InvalidArgument("--discount-rate is per time unit and must be in [0, 1)");
  }
  return Status::OK();
}

Result<std::vector<CustomerPrediction>> PredictCustomers(const CountModel& model, const CountParams& params,
                                                         const SpendParams* spend, const SummaryTable& table,
                                                         const PredictOptions& options) {
  RETURN_NOT_OK(options.Validate());
  if (spend != nullptr && !((*spend)[1] > 1)) {
    return Status::InvalidArgument(
        fmt::format("the Gamma-Gamma fit has q = {:.4g} <= 1: its mean spend is infinite, so "
                    "it does not describe these amounts (leave out --amount-col)",
                    (*spend)[1]));
  }
  const std::vector<CustomerSummary>& cs = table.customers;
  // Each distinct (x, t_x, T) once: customers share few histories.
  std::unordered_map<Key, uint32_t, KeyHash> ids;
  std::vector<uint32_t> id_of(cs.size());
  std::vector<uint32_t> first_customer;
  for (size_t i = 0; i < cs.size(); ++i) {
    auto [it, added] =
        ids.try_emplace(Key{cs[i].x, cs[i].t_x, cs[i].T}, static_cast<uint32_t>(first_customer.size()));
    if (added) first_customer.push_back(static_cast<uint32_t>(i));
    id_of[i] = it->second;
  }
  std::vector<Shared> shared(first_customer.size());
  for (size_t k = 0; k < shared.size(); ++k) {
    const CustomerSummary& c = cs[first_customer[k]];
    shared[k] = {
        {model.p_alive(params, c.x, c.t_x, c.T), model.expected(params, c.x, c.t_x, c.T, options.horizon),
         model.p_no_purchase(params, c.x, c.t_x, c.T, options.horizon), 0, 0},
        DiscountedTransactions(model, params, c, options)};
  }
  std::vector<CustomerPrediction> out(cs.size());
  for (size_t i = 0; i < cs.size(); ++i) {
    CustomerPrediction& p = out[i];
    p = shared[id_of[i]].prediction;
    p.expected_spend = spend ? gamma_gamma::ExpectedSpend(*spend, cs[i].x, cs[i].spend) : std::nan("");
    p.clv = shared[id_of[i]].discounted * p.expected_spend;
    if (!AllFinite(p, spend != nullptr)) {
      return Status::Internal(
          fmt::format("customer {} (x={}, t_x={}, T={}): {} could not compute the predictions "
                      "at these parameters; please report it with the data",
                      table.ids[i], cs[i].x, cs[i].t_x, cs[i].T, model.title));
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
    out << fmt::format("{},{:g},{:.6g},{:.6g},{:.6g},{:.6g},{:.6g}", CsvField(table.ids[i]), c.x, c.t_x, c.T,
                       p.p_alive, p.expected_purchases, p.p_no_purchase);
    if (with_spend) out << fmt::format(",{:.6g},{:.6g}", p.expected_spend, p.clv);
    out << '\n';
  }
  out.flush();
  if (!out) return Status::IOError("cannot write " + path);
  return Status::OK();
}

}  // namespace custlake::clv
