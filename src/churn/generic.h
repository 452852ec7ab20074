// Churn on any table a user brings: `custlake churn train --input FILE
// --label COL [--id COL] [--cv K]`, with no preprocessing by the user.
//
// The file (CSV with a header, or Parquet) is read through DuckDB as text.
// Each column but the label and the id becomes features: numeric when at
// least 95 % of its non-blank values are numbers (blanks, "n/a", "NA", "?",
// and the few stray texts count as missing), otherwise categorical, one-hot
// encoded (the 20 most frequent values, the rest as "(other)", blanks as
// "(missing)"). The label must have exactly two values that read as
// yes/no, true/false, 1/0 (or churned/stayed). Rows are put in a canonical
// order (by a hash of their text) before anything else, and folds are
// stratified and assigned in that order, so the same rows in any order give
// the same model and the same metrics.
//
// Errors name the file, the column and the line. Call from one thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "churn/gbm.h"
#include "common/status.h"

namespace custlake::churn {

struct GenericOptions {
  std::string input;   ///< a .csv (optionally .gz) or .parquet file
  std::string label;   ///< the label column
  std::string id;      ///< an id column, never a feature ("" = none)
  int cv = 0;          ///< > 1: stratified K-fold cross-validation too
  GbmOptions gbm;
};

/// Trains on 80 % of the rows (early stopping on a tenth of those) and reports the metrics of the
/// other 20 % (`roc_auc`...), and with cv > 1 `cv_roc_auc_mean` and `cv_roc_auc_std` over K folds.
Result<nlohmann::json> TrainGeneric(const GenericOptions& options);

}  // namespace custlake::churn
