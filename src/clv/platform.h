// Platform mode: the warehouse's purchases in, per-customer scores out.
//
// ReadWarehousePurchases reads the purchases (activity_type 'transaction',
// transaction_kind 'purchase'; subscriptions and refunds are not repeat
// purchases) of the current warehouse version's fact_customer_activity
// through a read-only query::LakeSession. PublishScores writes the
// predictions as the raw dataset clv_scores (one Parquet file, replacing the
// previous scores in one lake batch), so every reader of the lake sees them
// as raw.clv_scores, with the count model, the time of scoring and the
// warehouse version they came from as columns, and the fit (parameters,
// log-likelihood) in the batch's lineage, where `custlake status` reads it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "clv/predict.h"
#include "clv/summary.h"
#include "clv/transactions.h"
#include "common/status.h"
#include "lake/lake.h"

namespace custlake::clv {

struct WarehousePurchases {
  TransactionLog log;  ///< source "fact_customer_activity"
  int64_t warehouse_version = 0;  ///< the version read
};

/// The purchases of the current warehouse version; an error saying what to
/// run when there is no warehouse or no purchase.
Result<WarehousePurchases> ReadWarehousePurchases(const std::string& lake_root);

/// Where a set of scores came from.
struct ScoresProvenance {
  std::string model;              ///< "bgnbd"
  int64_t warehouse_version = 0;
  nlohmann::json fit;             ///< the fit's JSON summary (params, log_likelihood, ...)
};

/// The lineage key of a clv_scores batch that holds ScoresProvenance::fit (a JSON text).
inline constexpr const char* kFitLineageKey = "fit";

/// Publishes one row per customer: customer, x, t_x, T, p_alive,
/// expected_purchases_<H>, p_no_purchase_<H>[, expected_spend, clv_<H>], model,
/// scored_at, warehouse_version. Returns the lake batch id.
Result<int64_t> PublishScores(const std::string& lake_root, const SummaryTable& table,
                              const std::vector<CustomerPrediction>& predictions,
                              const PredictOptions& options, bool with_spend,
                              const ScoresProvenance& provenance);

/// The fit behind the published clv_scores (`custlake status`): the fit's JSON
/// (model, params, log_likelihood, ...) with "scored_at" (the batch's commit
/// time), "scored_customers" and "warehouse_version"; std::nullopt when no scores
/// are published (or they were published before the fit was recorded).
Result<std::optional<nlohmann::json>> LoadPublishedFit(lake::Lake* lake);

}  // namespace custlake::clv
