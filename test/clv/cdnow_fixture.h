// The CDNOW sample as the published work summarises it: weekly units,
// calibration through 1997-09-30, holdout through 1998-06-30.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "clv/dates.h"
#include "clv/summary.h"
#include "clv/transactions.h"
#include "support/status_testing.h"

namespace custlake::clv {

inline TransactionFileOptions CdnowLogOptions() {
  TransactionFileOptions o;
  o.path = std::string(CLV_DATA_DIR) + "/CDNOW_sample.txt";
  o.delimiter = "whitespace";
  o.header = false;
  o.customer_col = "2";
  o.date_col = "3";
  o.amount_col = "5";
  return o;
}

inline SummaryOptions CdnowSummaryOptions() {
  SummaryOptions o;
  o.unit = TimeUnit::kWeek;
  o.calibration_end = *ParseDay("1997-09-30");
  o.holdout_end = *ParseDay("1998-06-30");
  return o;
}

/// |value - published| within half a unit of the published last digit.
inline ::testing::AssertionResult ToPublishedDigits(double value, double published, int decimals) {
  const double half_unit = 0.5 * std::pow(10.0, -decimals) * (1 + 1e-9);
  if (std::fabs(value - published) <= half_unit) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << value << " does not round to the published " << published << " (" << decimals << " decimals)";
}

/// |value / published - 1| <= rel.
inline ::testing::AssertionResult WithinRelative(double value, double published, double rel) {
  if (std::fabs(value / published - 1) <= rel) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << value << " is not within " << rel * 100 << " % of " << published;
}

}  // namespace custlake::clv
