// The web dashboard's SQL, kept as readable files in src/serve/dashboard/
// and compiled into the binary (embed_dashboard.cmake), so the benchmark
// and a curious user can run the very same text in DuckDB.
//
// Every dashboard query takes the filters as bound parameters: $1 segment,
// $2 region, $3 plan, $4 from, $5 to (NULL: no filter); `{{filtered_months}}`
// in a file stands for filtered_months.sql, the customer-months they select,
// `{{filtered_mart}}` for filtered_mart.sql (those months summed in the
// warehouse's mart_dashboard_months), `{{filtered_cohorts}}` for
// filtered_cohorts.sql (from mart_dashboard_cohorts) and `{{filtered_customers}}`
// for filtered_customers.sql (their customers, from the spans of months with
// unchanged attributes the dashboard's database copies from
// mart_dashboard_customers: DashboardSandbox).
// A file NAME_from_facts.sql computes what NAME.sql does from the facts
// alone, for a warehouse built before the marts existed.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/lake_session.h"

namespace custlake::serve {

/// name ("kpis") -> the file's text as written.
const std::map<std::string, std::string>& DashboardSqlFiles();
/// The file `name` with its {{markers}} expanded: the files above, then each
/// `{{key}}` of `literals` by its SQL text (constants the server made from the
/// warehouse's own values, where DuckDB needs them to prune partitions); a
/// key naming one of those files gives the text that replaces it.
/// NotFound for an unknown name.
Result<std::string> DashboardSql(const std::string& name, const std::map<std::string, std::string>& literals = {});

/// The file `name` as the request with filters `params` ($1..$5) runs it:
/// DashboardSql's text, where a request without a date range ($4, $5 NULL)
/// finds its customers with no DISTINCT (filtered_customers_any_time.sql)
/// instead of filtered_customers.sql: the same customers; and runs
/// NAME_any_time.sql instead of NAME.sql where there is one (kpis: the CLV
/// figures from dashboard.customer_values, pre-summed per generation).
Result<std::string> DashboardSqlFor(const std::string& name, const std::vector<std::optional<std::string>>& params,
                                    std::map<std::string, std::string> literals = {});

/// `user`'s sandbox for the dashboard's sessions: at most 10000 rows; empty
/// raw.churn_scores / raw.clv_scores views until `custlake churn score` /
/// `custlake clv fit` publish them (IF NOT EXISTS: the real datasets' views
/// win), so its SQL runs before the analytics do and the API lists them as
/// missing instead of failing; and, copied into memory once per lake
/// generation, the scores the dashboard joins its customers to
/// (setup_scores_clv.sql, setup_scores_churn.sql: `dashboard.clv_scores`,
/// `dashboard.churn_scores`) and the customers' spans of months with
/// unchanged attributes (setup_customer_attributes.sql:
/// `dashboard.customer_attributes`, copied from the warehouse's
/// mart_dashboard_spans, or, for a version built before that mart, from a
/// stand-in view computing the same rows: customer_spans_from_runs.sql), and
/// the KPIs' CLV figures summed by those attributes for requests without a
/// date range (setup_customer_values.sql: `dashboard.customer_values`).
query::SandboxOptions DashboardSandbox(const query::SandboxOptions& user);

}  // namespace custlake::serve
