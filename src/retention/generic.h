// Uplift on any experiment a user brings: `custlake retention train --input
// FILE --treatment COL --outcome COL [--id COL] [--split-column COL] --json`.
//
// The file (CSV with a header, or Parquet) is read through DuckDB. The
// treatment column must hold two values that read as 1/0, true/false or
// yes/no; the outcome (the event the treatment should prevent, e.g. churned)
// 0/1 or true/false. Every other numeric or boolean column (not the id, not
// the split column) is a feature; text columns are left out and listed. With
// --split-column, rows whose value is 'train' train and 'validation' (or
// 'valid', 'test') are evaluated; without it a seeded 70/30 split by a hash
// of the id (or the row number). The same DR-learner as the warehouse's.
//
// Errors name the file and the column. Call from one thread.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "retention/learner.h"

namespace custlake::retention {

struct GenericOptions {
  std::string input;
  std::string treatment;
  std::string outcome;
  std::string id;            ///< "" = none (rows grouped one by one)
  std::string split_column;  ///< "" = a seeded 70/30 split
  int seed = 42;
  LearnerOptions learner;
};

/// Trains on the training rows and reports the validation rows' metrics: "qini_coefficient", "auuc",
/// the deciles, and "timings" (seconds).
Result<nlohmann::json> TrainGeneric(const GenericOptions& options);

}  // namespace custlake::retention
