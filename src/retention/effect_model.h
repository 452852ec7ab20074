// The offer's effect as a small parametric model of its drivers (the warehouse
// mode's uplift; docs/retention.md "The offer's effect on its drivers").
//
// The offer moves the churn logit by a shift that is multiplicative in a few
// things the company's data shows at the send:
//
//   s(x) = min(0, a + b L) * exp(f L - c T - d D) * S + k Dorm
//
// with L = ln(fee_vs_segment) (the fee against the segment's median), T =
// min(unresolved_tickets, 3), D = engagement_decline, S = min(1, tenure /
// 12 months), Dorm = 1 when engagement_month_0 < -0.8 (nearly stopped using
// the product): price-sensitive customers on high fees respond, damped by
// service problems and a usage decline, newcomers less, and the nearly
// dormant may be put off by the contact; exp(f L) is the take-up, the share
// that redeems, growing with the fee. Six coefficients, b <= 0 (a higher fee
// never makes a discount less attractive), f, c, d >= 0.
//
// The fit maximises the likelihood of the churn outcome on the rows in the
// propensity overlap, treated and control together, with the churn model
// without offer (mu0) as offset and a linear correction h(x) of that offset
// on the same drivers and the segment:
//
//   P(churn) = sigmoid(logit mu0(x) + h(x) + t s(x))
//
// so that where mu0 is off for the flagged customers, h takes it, not the
// offer's shift (a shift fitted on the treated alone absorbed mu0's errors).
// NLopt's L-BFGS with the analytic gradient from two starting points. The
// uplift of a row is then mu0 - sigmoid(logit mu0 + s): h is not used.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "churn/dataset.h"
#include "common/status.h"

namespace custlake::retention {

/// The drivers of every row of a dataset, from the churn features.
struct EffectDrivers {
  std::vector<double> fee_log_ratio, tickets, decline, settled, dormant, smb, enterprise;
  size_t rows() const { return fee_log_ratio.size(); }
};

/// The churn features the drivers are read from (each must be in the dataset).
const std::vector<std::string>& EffectDriverFeatures();

/// InvalidArgument naming the missing feature and the feature set when one is absent.
Result<EffectDrivers> ExtractDrivers(const churn::Dataset& data);

struct EffectModel {
  double a = 0, b = 0, c = 0, d = 0, k = 0;
  double f = 0;  ///< take-up: the share that redeems grows as exp(f L)
  std::vector<double> baseline;  ///< h's coefficients: 1, L, T, D, S, Dorm, smb, enterprise
  double log_likelihood = 0;
  size_t rows = 0, treated_rows = 0;

  /// s(x) per row: the offer's shift of the churn logit.
  std::vector<double> Shift(const EffectDrivers& drivers) const;
  nlohmann::json ToJson() const;
  /// InvalidArgument saying which key is missing or not a number.
  static Result<EffectModel> FromJson(const nlohmann::json& j);
};

/// Fits the model on the rows where `use` is true; `p0` is mu0 per row, `treated` and `event` 0/1.
/// InvalidArgument when the rows have no treated or no control row, or no event.
Result<EffectModel> FitEffectModel(const EffectDrivers& drivers, const std::vector<float>& p0,
                                   const std::vector<float>& treated, const std::vector<float>& event,
                                   const std::vector<bool>& use);

/// The uplift mu0 - sigmoid(logit mu0 + s(x)) per row (the reduction of the churn probability).
std::vector<float> EffectUplift(const EffectModel& model, const EffectDrivers& drivers,
                                const std::vector<float>& p0);

}  // namespace custlake::retention
