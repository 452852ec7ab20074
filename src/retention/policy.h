// The policy table of `custlake retention evaluate`: at budgets of 5, 10 and
// 20 % of the customers active in a validation month, how many customers
// each targeting policy would save, counted with the generator's true
// effects (truth/churn_probability.csv, column offer_effect: the true change
// of the 3-month churn probability an offer sent at the month's start would
// cause; saved = - sum of offer_effect over the targeted customers).
//
// Policies: random (its expected value: budget x the mean saving), highest
// churn probability, highest value at risk (churn probability x CLV),
// custlake's uplift ranking, and the oracle (the true effects themselves).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace custlake::retention {

/// month ("YYYY-MM") -> customer_id -> offer_effect.
using OfferEffects = std::unordered_map<std::string, std::unordered_map<int64_t, float>>;

/// The true effects of the months `months` ("YYYY-MM") from a churn_probability.csv; errors name the
/// file and line, and a file without the offer_effect column says the generator predates it.
Result<OfferEffects> ReadOfferEffects(const std::string& truth_file, const std::vector<std::string>& months);

/// One validation month's customers and the policies' scores (higher = targeted first).
struct PolicyInputs {
  std::string month;  ///< "YYYY-MM"
  std::vector<int64_t> ids;
  std::vector<float> uplift, churn_probability, value_at_risk;
};

/// The table (JSON rows per budget, each policy's saved customers and share of the oracle) over all months.
nlohmann::json PolicyTable(const std::vector<PolicyInputs>& months, const OfferEffects& effects,
                           const std::vector<double>& budgets = {0.05, 0.10, 0.20});

}  // namespace custlake::retention
