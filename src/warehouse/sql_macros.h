// Cross-engine SQL macros for the models, the way dbt's cross-database
// macros work: a model writes the few constructs that differ between engines
// as `{{ hash_key(to_text(customer_id) || '|' || to_text(epoch_us(changed_at))) }}`,
// and the model loader expands them per dialect: DuckDB for `custlake build`,
// Hive, Trino and Spark SQL for `custlake export-ddl`. Inside `{{ ... }}`
// every call of a macro name is expanded (macros nest); anything else is
// copied as SQL. Everything outside `{{ }}` must be SQL all four engines run
// (docs/warehouse.md lists the macros and the portable subset).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::warehouse {

enum class Dialect { kDuckDb, kHive, kTrino, kSpark };
/// "hive", "trino", "spark" (and "duckdb").
Result<Dialect> ParseDialect(const std::string& name);
std::string DialectName(Dialect dialect);

struct MacroInfo {
  std::string name;
  std::string signature;    ///< "hash_key(text)"
  std::string description;  ///< what it returns, the same in every dialect
};
/// Every macro, in the order docs/warehouse.md lists them.
const std::vector<MacroInfo>& Macros();

/// Expands every `{{ ... }}` of `sql` for `dialect`. `file` and `first_line`
/// (the line of sql's first character) place errors: "models/x.sql:12:
/// unknown macro 'hashkey' (macros: hash_key, ...)": a {{ }} that calls no macro is an error.
Result<std::string> ExpandMacros(const std::string& sql, Dialect dialect, const std::string& file,
                                 int first_line);

}  // namespace custlake::warehouse
