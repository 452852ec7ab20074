// The churn model in the lake: one batch of the models-zone dataset `churn`
// (folder <lake>/models/churn/) holding v<batch>/model.json (the metadata:
// features, training window, metrics, warehouse version, the logistic
// baseline) and v<batch>/xgboost.json (XGBoost's own JSON). Each publish
// replaces the previous model's files in one metastore transaction, so a
// reader loads the old model or the new, never half of each. The batch id is
// the model's version. Call from one thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "churn/gbm.h"
#include "churn/logistic.h"
#include "common/status.h"
#include "lake/lake.h"

namespace custlake::churn {

inline constexpr const char* kModelFormat = "custlake-churn-model/1";

struct StoredModel {
  int64_t version = 0;
  nlohmann::json meta;  ///< model.json
  GbmModel gbm;
  LogisticModel logistic;
};

/// Publishes `meta` (model_version and format are added) with the two models; the new version.
Result<int64_t> PublishModel(lake::Lake* lake, nlohmann::json meta, const GbmModel& gbm,
                             const LogisticModel& logistic);

/// The model in service; NotFound (with what to run) when none was trained.
Result<StoredModel> LoadModel(lake::Lake* lake);

/// The model in service's model.json alone (what `custlake status` shows),
/// with "trained_at": the time its batch committed; std::nullopt when none was trained.
Result<std::optional<nlohmann::json>> LoadModelMeta(lake::Lake* lake);

}  // namespace custlake::churn
