// Data-quality checks: the ones declared in the model files (unique and
// not-null keys, relationships to dimensions, non-overlapping SCD2 intervals,
// and SQL checks such as reconciliations with the raw zone and freshness),
// run at the end of every build and by `custlake check`.
//
// A check is a query for offending rows; none means it passed. A failure is
// reported with the model file:line, the table, the check and a few offending
// rows. RunChecks borrows the Session (one thread at a time); the session must
// see the model tables unqualified and the raw zone as raw.<view>.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/engine.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

struct CheckResult {
  std::string table;
  std::string check;       ///< "unique(customer_key)", "reconcile_revenue_to_the_cent"
  std::string kind;        ///< unique, not_null, relationship, no_overlap, sql
  std::string where;       ///< "models/dim_customer.sql:30"
  bool passed = false;
  int64_t failing_rows = 0;
  engine::QueryResult sample;  ///< up to 5 offending rows
  std::string error;           ///< the check's query itself failed
  double seconds = 0;
};

struct CheckReport {
  std::vector<CheckResult> results;
  int passed = 0;
  int failed = 0;

  bool ok() const { return failed == 0; }
  /// Failures in words, with their offending rows: what a failed build prints.
  std::string FailureText() const;
  nlohmann::json ToJson() const;
};

/// The SQL returning the offending rows of `check` on `model`'s table.
std::string CheckSql(const Model& model, const ModelCheck& check);

/// Runs every check of every model.
Result<CheckReport> RunChecks(engine::Session* session, const std::vector<Model>& models);

}  // namespace custlake::warehouse
