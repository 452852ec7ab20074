// The retention model in the lake: one batch of the models-zone dataset
// `retention` (<lake>/models/retention/) holding v<batch>/model.json (the
// metadata: features, send months, learner options, validation metrics,
// warehouse version), v<batch>/uplift.json (the uplift regression) and
// v<batch>/churn.json (the churn model without offer), v<batch>/shift.json
// (the offer's shift of it) and v<batch>/propensity.json, XGBoost's JSON. Each
// publish replaces the previous model in one metastore transaction, as the
// churn model's does. The batch id is the model's version.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "churn/gbm.h"
#include "common/status.h"
#include "lake/lake.h"
#include "retention/effect_model.h"

namespace custlake::retention {

inline constexpr const char* kModelFormat = "custlake-retention-model/1";
inline constexpr const char* kModelDataset = "retention";

struct StoredModel {
  int64_t version = 0;
  nlohmann::json meta;
  churn::GbmModel uplift;
  churn::GbmModel p_churn;
  churn::GbmModel shift;
  churn::GbmModel propensity;
  /// The offer's effect on its drivers (meta "effect_model"), the uplift when set; models trained
  /// with `--effect trees` have none.
  std::optional<EffectModel> effect;
};

Result<int64_t> PublishModel(lake::Lake* lake, nlohmann::json meta, const churn::GbmModel& uplift,
                             const churn::GbmModel& p_churn, const churn::GbmModel& shift,
                             const churn::GbmModel& propensity);

/// The model in service; NotFound (saying to run `custlake retention train`) when none was trained.
Result<StoredModel> LoadModel(lake::Lake* lake);

/// What a user must know before acting on the model, from its metadata's validation metrics (empty
/// when nothing): a Qini coefficient at or below 0 on the validation months means its ranking did not
/// beat random targeting there (too few customers or send months to learn whom an offer keeps), so a
/// plan made from it is no better than chance.
std::vector<std::string> ModelWarnings(const nlohmann::json& meta);

/// model.json alone with "trained_at"; std::nullopt when none was trained.
Result<std::optional<nlohmann::json>> LoadModelMeta(lake::Lake* lake);

}  // namespace custlake::retention
