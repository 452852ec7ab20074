// The retention experiment in the warehouse: for each send month m (the
// month's first day M), every customer active at the end of the day before
// M (the churn feature model's cutoff), treated = an offer was sent to them
// in month m (fact_customer_activity, activity_type 'offer_sent'), the
// outcome = churned within the horizon (90 days) after the cutoff, and the
// features = the churn feature set at the cutoff (models/churn/features.sql,
// which also counts the offers received before it).
//
// Send months: the months with offers whose cutoff has `min_history_days` of
// usage before it and whose horizon the data covers. Validation: the newest
// `validation_months` of them; training: the newest `train_months` whose
// horizon ends on or before the first validation cutoff, so no training
// label reads into the validation period.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "churn/dataset.h"
#include "churn/feature_model.h"
#include "common/status.h"
#include "retention/learner.h"

namespace custlake::retention {

struct PeriodOptions {
  int horizon_days = 90;
  int train_months = 6;
  int validation_months = 1;
  int min_history_days = 90;
};

struct SendMonthPlan {
  std::vector<std::string> train;       ///< send months' first days, oldest first
  std::vector<std::string> validation;  ///< oldest first
  std::vector<std::string> offer_months;  ///< every month with offers
};

/// The months with offers in the warehouse; NotFound (what to do) when there are none.
Result<std::vector<std::string>> OfferMonths(churn::FeatureSession* session);

/// Chooses training and validation send months (errors say which data is missing).
Result<SendMonthPlan> PlanSendMonths(const std::vector<std::string>& offer_months, const churn::DataRange& range,
                                     const PeriodOptions& options);

/// The rows of the send months `months` (first days), stacked; send_day[r] = the row's send month's
/// first day (days since 1970).
struct MonthRows {
  UpliftRows rows;
  std::vector<int32_t> send_day;
};
Result<MonthRows> ComputeMonthRows(churn::FeatureSession* session, const churn::FeatureModel& model,
                                   const std::vector<std::string>& months, int horizon_days);

/// The cutoff of a send month: the day before its first day.
Result<std::string> CutoffOfSendMonth(const std::string& month_start);

}  // namespace custlake::retention
