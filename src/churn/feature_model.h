// The churn features as SQL: models/churn/features.sql, compiled into the
// binary like the warehouse's models, read the way the warehouse reads its
// headers (`-- key: value` lines, `--   ` continuing the previous one), with
// one `-- feature NAME: description` line per feature column. After the header
// come statements ended by `;`: steps, each `CREATE TABLE name AS SELECT ...`
// (a scratch table the later statements read), and last the SELECT of the rows.
// They take the parameters `{{ cutoffs }}` (a list of dates) and
// `{{ horizon_days }}`, which Render() fills with literals after checking them;
// a step may also use `{{ customers }}`, a condition on customer_id that
// ComputeFeatures fills once per share of the customers (each share adding its
// rows to the table). The SELECT returns customer_id, cutoff, label and the
// features, in the header's order, one row per cutoff and customer: every cutoff
// in one pass.
//
// Plain values; thread-safe once built.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::churn {

struct EmbeddedSqlFile {
  std::string path;  ///< "models/churn/features.sql", for messages
  std::string text;
};
/// Every embedded churn SQL file (embed_sql.cmake), sorted by path.
const std::vector<EmbeddedSqlFile>& EmbeddedChurnSql();

struct FeatureInfo {
  std::string name;
  std::string description;
};

/// A step of a feature model: `CREATE TABLE table AS ...`, a scratch table the later statements read.
struct FeatureStep {
  std::string table;
  std::string sql;          ///< the statement (without its `;`)
  bool per_share = false;   ///< it uses {{ customers }}: it runs once per share of the customers
  int line = 0;             ///< where it begins in the model file, for messages

  /// The statement for one share of the customers (`customers`: a condition on customer_id):
  /// with `append`, `INSERT INTO table ...` instead of creating it.
  std::string ForShare(const std::string& customers, bool append) const;
};

/// A feature model's statements with their parameters filled (all but {{ customers }}).
struct RenderedFeatures {
  std::vector<FeatureStep> steps;  ///< in order
  std::string select;              ///< the rows
};

struct FeatureModel {
  std::string path;  ///< where it came from, for messages
  std::string description;
  std::vector<FeatureInfo> features;  ///< the SELECT's feature columns, in order
  std::vector<FeatureStep> steps;     ///< with their {{ }} parameters
  std::string select;                 ///< the last statement, with its {{ }} parameters

  /// The statements for `cutoffs` (each "YYYY-MM-DD", at least one, no repeats) and `horizon_days` (1..3650).
  Result<RenderedFeatures> Render(const std::vector<std::string>& cutoffs, int horizon_days) const;
  std::vector<std::string> FeatureNames() const;
  /// The description of `name`, "" if unknown.
  std::string Describe(const std::string& name) const;
};

/// Parses a feature model file; errors name path:line.
Result<FeatureModel> ParseFeatureModel(const std::string& text, const std::string& path);
/// The embedded models/churn/features.sql.
Result<FeatureModel> LoadFeatureModel();

/// Checks a calendar date "YYYY-MM-DD" (a real day); the message names `what`.
Status CheckDate(const std::string& date, const std::string& what);
/// A checked "YYYY-MM-DD" as a day, and back.
Result<std::chrono::sys_days> ParseDay(const std::string& date, const std::string& what);
std::string FormatDay(std::chrono::sys_days day);
/// The last day of `day`'s month.
std::chrono::sys_days MonthEnd(std::chrono::sys_days day);

}  // namespace custlake::churn
