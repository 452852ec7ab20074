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

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "engine/engine.h"
#include "warehouse/model.h"

namespace custlake::warehouse {

/// How freshness is judged, and what `custlake check` cannot re-run.
struct CheckOptions {
  /// Freshness checks' maximum age in seconds; 0 keeps each check's declared one.
  int64_t max_age_seconds = 0;
  /// "warn" (default): a stale table is reported as a warning and passes;
  /// "error": it fails the build / `custlake check`; "off": not run.
  std::string freshness = "warn";
  /// The instant freshness is measured against (TIMESTAMPTZ literal text); "" = now.
  std::string now;
  /// Raw views whose consumed data is no longer on disk (vacuumed): SQL checks
  /// naming them are skipped, with the reason.
  std::set<std::string> unavailable_views;
  /// Incremental builds: tables that only gained rows since a version that
  /// passed its checks; their unique, not_null and relationship checks look
  /// at the new rows (delta.<table>) only.
  std::set<std::string> delta_tables;
  /// Of those, the tables that only gained rows (appended): a SQL check's
  /// changed.<table> may read just the new rows (additive checks stay exact).
  std::set<std::string> appended_tables;
  /// Of those, the tables whose new rows are whole partitions (recomputed from
  /// a month on): a unique key that includes the partition column can only be
  /// duplicated among them, so it is checked on them alone.
  std::set<std::string> partition_delta_tables;
  /// Tables whose keys only grew: a relationship into one from a delta table
  /// needs no full re-check.
  std::set<std::string> grow_only_tables;
  /// Raw views that only gained batches (delta.<view> holds the new rows).
  std::set<std::string> delta_views;
  /// Every raw view name (changed.<view> reads raw.<view> when not delta).
  std::set<std::string> raw_views;
  /// Models and raw views this build changed (incremental builds).
  std::set<std::string> changed;
};

/// A SQL check reads `changed.<table or raw view>` for "the rows to look at":
/// when every such name only gained rows (appended_tables, delta_views) and
/// nothing else the check names changed, each becomes delta.<name> (the new
/// rows; an additive check over them is then equivalent, since the previous
/// version passed); otherwise the whole table or raw.<view>. Returns the SQL.
std::string ResolveChangedRows(const std::string& sql, const CheckOptions& options);
/// True when ResolveChangedRows gives `sql` the new rows (delta.<name>) for its changed.<name>s.
bool ChangedRowsAreNew(const std::string& sql, const CheckOptions& options);
Status ValidateFreshness(const std::string& freshness);

struct CheckResult {
  std::string table;
  std::string check;       ///< "unique(customer_key)", "reconcile_revenue_to_the_cent"
  std::string kind;        ///< unique, not_null, relationship, no_overlap, sql
  std::string where;       ///< "models/dim_customer.sql:30"
  bool passed = false;
  bool warning = false;      ///< a freshness check failed with freshness = warn (counts as passed)
  std::string skipped;       ///< why the check did not run ("" = it ran)
  int64_t failing_rows = 0;
  engine::QueryResult sample;  ///< up to 5 offending rows
  std::string error;           ///< the check's query itself failed
  double seconds = 0;
};

struct CheckReport {
  std::vector<CheckResult> results;
  int passed = 0;
  int failed = 0;
  int warnings = 0;
  int skipped = 0;

  bool ok() const { return failed == 0; }
  /// Failures in words, with their offending rows: what a failed build prints.
  std::string FailureText() const;
  /// Warnings (stale freshness checks) in the same words; "" when none.
  std::string WarningText() const;
  /// Adds a result computed outside RunChecks, counting it.
  void Add(CheckResult r);
  nlohmann::json ToJson() const;
};

/// The SQL returning the offending rows of `check` on `model`'s table.
std::string CheckSql(const Model& model, const ModelCheck& check, const CheckOptions& options = {});

/// Runs every check of every model.
Result<CheckReport> RunChecks(engine::Session* session, const std::vector<Model>& models,
                              const CheckOptions& options = {});

}  // namespace custlake::warehouse
