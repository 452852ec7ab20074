// Each customer's value for ranking: the 12-month CLV from the published CLV
// scores (raw.clv_scores, `custlake clv fit`), or, where a customer has no
// CLV score or none was published, 12 x the customer's monthly fee (the
// subscription revenue a year of staying keeps; docs/retention.md).
#pragma once

#include <string>
#include <vector>

#include "churn/dataset.h"
#include "common/status.h"
#include "lake/lake.h"

namespace custlake::retention {

struct CustomerValues {
  std::vector<float> clv;      ///< per row of the dataset
  int64_t from_clv_scores = 0; ///< rows whose value is the CLV score
  std::string source;          ///< "raw.clv_scores", "12 x monthly_fee" or both
};

/// The values of `data`'s rows (its monthly_fee feature is the fallback).
Result<CustomerValues> ValuesOf(lake::Lake* lake, engine::Session* session, const churn::Dataset& data);

}  // namespace custlake::retention
