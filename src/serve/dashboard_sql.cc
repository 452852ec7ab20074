#include "serve/dashboard_sql.h"

namespace custlake::serve {

namespace {
/// Replaces every `{{key}}` in `sql` by `text` (text is not searched again).
void ExpandMarker(std::string& sql, const std::string& key, const std::string& text) {
  const std::string marker = "{{" + key + "}}";
  for (size_t at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at + text.size())) {
    sql.replace(at, marker.size(), text);
  }
}
}  // namespace

Result<std::string> DashboardSql(const std::string& name, const std::map<std::string, std::string>& literals) {
  const auto& files = DashboardSqlFiles();
  auto it = files.find(name);
  if (it == files.end()) return Status::NotFound("no dashboard query named " + name);
  std::string sql = it->second;
  for (const char* part : {"filtered_months", "filtered_mart", "filtered_cohorts", "filtered_customers"}) {
    auto given = literals.find(part);
    ExpandMarker(sql, part, given != literals.end() ? given->second : files.at(part));
  }
  for (const auto& [key, text] : literals) ExpandMarker(sql, key, text);
  return sql;
}

Result<std::string> DashboardSqlFor(const std::string& name, const std::vector<std::optional<std::string>>& params,
                                    std::map<std::string, std::string> literals) {
  const bool any_time = params.size() >= 5 && !params[3] && !params[4];
  if (!any_time) return DashboardSql(name, literals);
  literals.emplace("filtered_customers", DashboardSqlFiles().at("filtered_customers_any_time"));
  const std::string any_time_name = name + "_any_time";
  return DashboardSql(DashboardSqlFiles().count(any_time_name) ? any_time_name : name, literals);
}

query::SandboxOptions DashboardSandbox(const query::SandboxOptions& user) {
  query::SandboxOptions options = user;
  options.max_rows = 10000;
  options.setup_sql = {
      "CREATE VIEW IF NOT EXISTS raw.churn_scores AS SELECT CAST(NULL AS BIGINT) AS customer_id, "
      "CAST(NULL AS DATE) AS cutoff, CAST(NULL AS DOUBLE) AS churn_probability, CAST(NULL AS BIGINT) AS risk_decile, "
      "CAST(NULL AS VARCHAR) AS reason_1, CAST(NULL AS VARCHAR) AS reason_2, CAST(NULL AS VARCHAR) AS reason_3, "
      "CAST(NULL AS VARCHAR) AS churn_reasons WHERE false",
      "CREATE VIEW IF NOT EXISTS raw.clv_scores AS SELECT CAST(NULL AS VARCHAR) AS customer, "
      "CAST(NULL AS DOUBLE) AS p_alive, CAST(NULL AS DOUBLE) AS expected_purchases_12m, "
      "CAST(NULL AS DOUBLE) AS clv_12m WHERE false",
      // A stand-in for a warehouse built before the marts (or none yet): main's catalog only, not the
      // session's list of views, so DashboardRun::has_marts() still sends such a version to NAME_from_facts.
      "CREATE VIEW IF NOT EXISTS main.mart_dashboard_customers AS SELECT CAST(NULL AS BIGINT) AS customer_id, "
      "CAST(NULL AS VARCHAR) AS segment, CAST(NULL AS VARCHAR) AS region, CAST(NULL AS VARCHAR) AS plan, "
      "CAST(NULL AS DATE) AS first_month, CAST(NULL AS DATE) AS last_month WHERE false",
      // A stand-in for a warehouse version built before mart_dashboard_spans: the same rows computed from
      // the runs when the database opens (as every version's opening did before the mart).
      "CREATE VIEW IF NOT EXISTS main.mart_dashboard_spans AS " + DashboardSqlFiles().at("customer_spans_from_runs"),
      "CREATE SCHEMA dashboard",
      DashboardSqlFiles().at("setup_scores_clv"),
      DashboardSqlFiles().at("setup_scores_churn"),
      DashboardSqlFiles().at("setup_customer_attributes"),
      DashboardSqlFiles().at("setup_customer_values")};
  return options;
}

}  // namespace custlake::serve
