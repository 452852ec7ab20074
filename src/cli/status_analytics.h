// The analytics in service, for `custlake status`: the churn model (version,
// when trained, the warehouse version it learned from, validation AUC, its
// training window) and the CLV fit behind the published scores (model,
// parameters, log-likelihood, when scored), and the retention model (version,
// validation Qini, send months).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "common/status.h"
#include "lake/lake.h"

namespace custlake::cli {

struct AnalyticsStatus {
  nlohmann::json churn_model;  ///< null when no model is trained
  nlohmann::json clv_fit;      ///< null when no CLV scores are published
  nlohmann::json retention_model;  ///< null when no retention model is trained
  std::string text;            ///< the lines for people ("" when neither)
};

Result<AnalyticsStatus> ReadAnalyticsStatus(lake::Lake* lake);

}  // namespace custlake::cli
