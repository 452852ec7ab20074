// Platform mode: the warehouse's purchases in, per-customer scores out.
//
// ReadWarehousePurchases reads the purchases (activity_type 'transaction',
// transaction_kind 'purchase'; subscriptions and refunds are not repeat
// purchases) of the current warehouse version's fact_customer_activity
// through a read-only query::LakeSession. PublishScores writes the
// predictions as the raw dataset clv_scores (one Parquet file, replacing the
// previous scores in one lake batch), so every reader of the lake sees them
// as raw.clv_scores.
#pragma once

#include <string>
#include <vector>

#include "clv/predict.h"
#include "clv/summary.h"
#include "clv/transactions.h"
#include "common/status.h"

namespace custlake::clv {

/// The purchases as a transaction log (source "fact_customer_activity"); an
/// error saying what to run when there is no warehouse or no purchase.
Result<TransactionLog> ReadWarehousePurchases(const std::string& lake_root);

/// Publishes one row per customer: customer, x, t_x, T, p_alive,
/// expected_purchases_<H>, p_no_purchase_<H>[, expected_spend, clv_<H>].
/// Returns the lake batch id.
Result<int64_t> PublishScores(const std::string& lake_root, const SummaryTable& table,
                              const std::vector<CustomerPrediction>& predictions,
                              const PredictOptions& options, bool with_spend);

}  // namespace custlake::clv
