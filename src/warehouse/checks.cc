#include "warehouse/checks.h"

#include <chrono>

namespace custlake::warehouse {
using engine::QuoteIdent;

namespace {

std::string JoinCols(const std::vector<std::string>& cols, const std::string& prefix = "") {
  std::string out;
  for (const std::string& c : cols) out += (out.empty() ? "" : ", ") + prefix + QuoteIdent(c);
  return out;
}

}  // namespace

std::string CheckSql(const Model& model, const ModelCheck& check) {
  std::string t = QuoteIdent(model.name);
  switch (check.kind) {
    case CheckKind::kUnique:
      return "SELECT " + JoinCols(check.columns) + ", count(*) AS duplicates FROM " + t + " GROUP BY ALL HAVING count(*) > 1";
    case CheckKind::kNotNull:
      return "SELECT * FROM " + t + " WHERE " + QuoteIdent(check.columns[0]) + " IS NULL";
    case CheckKind::kRelationship:
      return "SELECT f." + QuoteIdent(check.columns[0]) + ", count(*) AS fact_rows FROM " + t + " f WHERE f." +
             QuoteIdent(check.columns[0]) + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + QuoteIdent(check.ref_table) +
             " r WHERE r." + QuoteIdent(check.ref_column) + " = f." + QuoteIdent(check.columns[0]) + ") GROUP BY ALL";
    case CheckKind::kNoOverlap: {
      std::string k = QuoteIdent(check.columns[0]), from = QuoteIdent(check.columns[1]),
                  to = QuoteIdent(check.columns[2]);
      return "SELECT " + k + ", " + from + ", " + to + ", next_from FROM (SELECT " + k + ", " + from + ", " + to +
             ", lead(" + from + ") OVER (PARTITION BY " + k + " ORDER BY " + from + ") AS next_from FROM " + t +
             ") WHERE next_from < " + to + " OR " + from + " >= " + to;
    }
    case CheckKind::kSql:
      return check.sql;
  }
  return check.sql;
}

Result<CheckReport> RunChecks(engine::Session* session, const std::vector<Model>& models) {
  CheckReport report;
  for (const Model& model : models) {
    for (const ModelCheck& check : model.checks) {
      CheckResult r;
      r.table = model.name;
      r.check = check.name;
      r.kind = CheckKindName(check.kind);
      r.where = model.file + ":" + std::to_string(check.line);
      auto start = std::chrono::steady_clock::now();
      std::string sql = "SELECT *, count(*) OVER () AS _failing_rows FROM (" + CheckSql(model, check) + ") LIMIT 5";
      Result<engine::QueryResult> q = session->Query(sql);
      r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!q.ok()) {
        r.error = q.status().message();
      } else {
        engine::QueryResult res = std::move(q).value();
        if (!res.rows.empty()) {
          r.failing_rows = std::stoll(res.rows[0].back());
          res.columns.pop_back();
          res.types.pop_back();
          res.kinds.pop_back();
          for (auto& row : res.rows) row.pop_back();
          for (auto& row : res.nulls) row.pop_back();
          r.sample = std::move(res);
        }
      }
      r.passed = r.error.empty() && r.failing_rows == 0;
      (r.passed ? report.passed : report.failed)++;
      report.results.push_back(std::move(r));
    }
  }
  return report;
}

std::string CheckReport::FailureText() const {
  std::string out;
  for (const CheckResult& r : results) {
    if (r.passed) continue;
    out += "\n  check " + r.check + " on table " + r.table + " (" + r.where + ") ";
    if (!r.error.empty()) {
      out += "could not run: " + r.error;
      continue;
    }
    out += "failed: " + std::to_string(r.failing_rows) + " offending row(s), e.g.:";
    for (size_t i = 0; i < r.sample.rows.size(); ++i) {
      out += "\n    ";
      for (size_t c = 0; c < r.sample.columns.size(); ++c) {
        out += (c ? ", " : "") + r.sample.columns[c] + "=" + (r.sample.nulls[i][c] ? "NULL" : r.sample.rows[i][c]);
      }
    }
  }
  return out;
}

nlohmann::json CheckReport::ToJson() const {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& r : results) {
    nlohmann::json j{{"table", r.table}, {"check", r.check},       {"kind", r.kind},
                     {"where", r.where}, {"passed", r.passed}, {"failing_rows", r.failing_rows},
                     {"seconds", r.seconds}};
    if (!r.error.empty()) j["error"] = r.error;
    if (!r.sample.rows.empty()) {
      nlohmann::json rows = nlohmann::json::array();
      for (size_t i = 0; i < r.sample.rows.size(); ++i) {
        nlohmann::json row = nlohmann::json::object();
        for (size_t c = 0; c < r.sample.columns.size(); ++c) {
          row[r.sample.columns[c]] = r.sample.nulls[i][c] ? nlohmann::json() : nlohmann::json(r.sample.rows[i][c]);
        }
        rows.push_back(row);
      }
      j["sample"] = rows;
    }
    checks.push_back(j);
  }
  return {{"passed", passed}, {"failed", failed}, {"checks", checks}};
}

}  // namespace custlake::warehouse
