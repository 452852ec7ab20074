// The web dashboard's SQL, kept as readable files in src/serve/dashboard/
// and compiled into the binary (embed_dashboard.cmake), so the benchmark
// and a curious user can run the very same text in DuckDB.
//
// Every dashboard query takes the filters as bound parameters: $1 segment,
// $2 region, $3 plan, $4 from, $5 to (NULL: no filter); `{{filtered_months}}`
// in a file stands for filtered_months.sql, the customer-months they select.
#pragma once

#include <map>
#include <string>

#include "common/status.h"

namespace custlake::serve {

/// name ("kpis") -> the file's text as written.
const std::map<std::string, std::string>& DashboardSqlFiles();
/// The file `name` with {{filtered_months}} expanded; NotFound for an unknown name.
Result<std::string> DashboardSql(const std::string& name);

}  // namespace custlake::serve
