// Customer summaries: the (x, t_x, T, mean repeat spend) the models fit.
//
// From a transaction log: several purchases on one day are one transaction
// (amounts summed); x is the number of repeat transactions up to and including
// the calibration end day, t_x the time of the last one and T the time to the
// calibration end, both from the customer's first purchase in the chosen unit
// (fractional: days / 7 for weeks). spend is the mean value of the repeat
// transactions (the first purchase is left out, as in Fader & Hardie's
// Gamma-Gamma note). With a holdout end, x_holdout counts the transactions
// after the calibration end up to and including the holdout end. Customers
// whose first purchase is after the calibration end are not in the
// calibration cohort: they are counted, not summarised.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clv/dates.h"
#include "clv/transactions.h"
#include "common/status.h"

namespace custlake::clv {

struct CustomerSummary {
  double x = 0;
  double t_x = 0;
  double T = 0;
  double spend = 0;      ///< mean repeat-transaction value; 0 when x = 0
  double x_holdout = 0;  ///< repeat transactions in the holdout period
  double first = 0;      ///< first purchase, units after the log's first purchase
};

struct SummaryOptions {
  TimeUnit unit = TimeUnit::kWeek;
  int64_t calibration_end = 0;         ///< day, inclusive
  std::optional<int64_t> holdout_end;  ///< day, inclusive; after calibration_end
};

struct SummaryTable {
  TimeUnit unit = TimeUnit::kWeek;
  bool has_spend = false;
  std::vector<std::string> ids;
  std::vector<CustomerSummary> customers;
  std::optional<double> holdout_length;  ///< units; set when a holdout end was given
  int64_t start_day = 0;                 ///< the log's first purchase (day number)
  int64_t calibration_end = 0;
  int64_t customers_after_calibration = 0;  ///< first purchase after the calibration end
  /// Repeat transactions of the cohort per day after start_day, through the
  /// holdout end (or the calibration end): the actual tracking curve.
  std::vector<int64_t> repeats_per_day;
};

Result<SummaryTable> BuildSummaries(const TransactionLog& log, const SummaryOptions& options);

/// A summary CSV with a header: x, t_x (or t.x), T (or T.cal), optionally spend
/// (or zbar, m.x, monetary_value) and an id column (id, ID, cust, customer).
Result<SummaryTable> ReadSummaryCsv(const std::string& path, TimeUnit unit);

}  // namespace custlake::clv
