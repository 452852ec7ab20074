#include "warehouse/checks.h"

#include <cctype>
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

std::string ResolveChangedRows(const std::string& sql, const CheckOptions& options) {
  static const std::string kPrefix = "changed.";
  std::string out;
  size_t i = 0;
  while (true) {
    size_t at = sql.find(kPrefix, i);
    if (at == std::string::npos) break;
    size_t e = at + kPrefix.size();
    while (e < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[e])) || sql[e] == '_')) ++e;
    std::string table = sql.substr(at + kPrefix.size(), e - at - kPrefix.size());
    bool delta = options.delta_tables.count(table) > 0;
    for (const std::string& name : options.changed) {
      if (name == table || !delta) continue;
      // Another changed model or raw view the check reads: every row must be looked at again.
      size_t pos = sql.find(name);
      while (pos != std::string::npos) {
        bool start = pos == 0 || !(std::isalnum(static_cast<unsigned char>(sql[pos - 1])) || sql[pos - 1] == '_');
        size_t end = pos + name.size();
        bool stop = end >= sql.size() || !(std::isalnum(static_cast<unsigned char>(sql[end])) || sql[end] == '_');
        if (start && stop && sql.compare(pos > 8 ? pos - 8 : 0, pos > 8 ? 8 : pos, kPrefix) != 0) delta = false;
        pos = sql.find(name, pos + 1);
      }
    }
    out += sql.substr(i, at - i) + (delta ? "delta." : "") + QuoteIdent(table);
    i = e;
  }
  return out + sql.substr(i);
}

Status ValidateFreshness(const std::string& freshness) {
  if (freshness == "warn" || freshness == "error" || freshness == "off") return Status::OK();
  return Status::InvalidArgument("--freshness must be warn, error or off, got '" + freshness + "'");
}

std::string CheckSql(const Model& model, const ModelCheck& check, const CheckOptions& options) {
  std::string t = QuoteIdent(model.name);
  bool delta = options.delta_tables.count(model.name) > 0;
  std::string new_rows = delta ? "delta." + t : t;
  switch (check.kind) {
    case CheckKind::kUnique: {
      std::string where;
      if (delta) {
        // Only keys among the new rows can be duplicated now.
        std::string match;
        for (const std::string& c : check.columns) {
          match += (match.empty() ? "" : " AND ") + std::string("d.") + QuoteIdent(c) + " = " + t + "." + QuoteIdent(c);
        }
        where = " WHERE EXISTS (SELECT 1 FROM " + new_rows + " d WHERE " + match + ")";
      }
      return "SELECT " + JoinCols(check.columns) + ", count(*) AS duplicates FROM " + t + where +
             " GROUP BY ALL HAVING count(*) > 1";
    }
    case CheckKind::kNotNull:
      return "SELECT * FROM " + new_rows + " WHERE " + QuoteIdent(check.columns[0]) + " IS NULL";
    case CheckKind::kRelationship:
      if (!options.grow_only_tables.count(check.ref_table)) new_rows = t;
      return "SELECT f." + QuoteIdent(check.columns[0]) + ", count(*) AS fact_rows FROM " + new_rows + " f WHERE f." +
             QuoteIdent(check.columns[0]) + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + QuoteIdent(check.ref_table) +
             " r WHERE r." + QuoteIdent(check.ref_column) + " = f." + QuoteIdent(check.columns[0]) + ") GROUP BY ALL";
    case CheckKind::kNoOverlap: {
      std::string k = QuoteIdent(check.columns[0]), from = QuoteIdent(check.columns[1]),
                  to = QuoteIdent(check.columns[2]);
      return "SELECT " + k + ", " + from + ", " + to + ", next_from FROM (SELECT " + k + ", " + from + ", " + to +
             ", lead(" + from + ") OVER (PARTITION BY " + k + " ORDER BY " + from + ") AS next_from FROM " + t +
             ") WHERE next_from < " + to + " OR " + from + " >= " + to;
    }
    case CheckKind::kFreshness: {
      int64_t age = options.max_age_seconds > 0 ? options.max_age_seconds : check.max_age_seconds;
      std::string now = options.now.empty() ? "current_timestamp" : "TIMESTAMPTZ " + engine::QuoteLiteral(options.now);
      std::string col = QuoteIdent(check.columns[0]);
      return "SELECT CAST(max(" + col + ") AS VARCHAR) AS newest, CAST(" + now + " AS VARCHAR) AS checked_at, " +
             std::to_string(age) +
             " AS max_age_seconds FROM " + t + (check.sql.empty() ? "" : " WHERE " + check.sql) + " HAVING max(" +
             col + ") IS NULL OR max(" + col + ") < " + now + " - to_seconds(" + std::to_string(age) + ")";
    }
    case CheckKind::kSql:
      return ResolveChangedRows(check.sql, options);
  }
  return check.sql;
}

void CheckReport::Add(CheckResult r) {
  if (!r.skipped.empty()) {
    ++skipped;
  } else if (r.passed) {
    ++passed;
    if (r.warning) ++warnings;
  } else {
    ++failed;
  }
  results.push_back(std::move(r));
}

Result<CheckReport> RunChecks(engine::Session* session, const std::vector<Model>& models, const CheckOptions& options) {
  RETURN_NOT_OK(ValidateFreshness(options.freshness));
  CheckReport report;
  for (const Model& model : models) {
    for (const ModelCheck& check : model.checks) {
      CheckResult r;
      r.table = model.name;
      r.check = check.name;
      r.kind = CheckKindName(check.kind);
      r.where = model.file + ":" + std::to_string(check.line);
      if (check.kind == CheckKind::kFreshness && options.freshness == "off") r.skipped = "--freshness off";
      for (const std::string& view : options.unavailable_views) {
        if (check.kind == CheckKind::kSql && check.sql.find("raw." + view) != std::string::npos) {
          r.skipped = "raw." + view + ": batches this version consumed are no longer on disk (re-imported and "
                      "vacuumed since); run custlake build to check the current raw zone";
        }
      }
      if (!r.skipped.empty()) {
        report.Add(std::move(r));
        continue;
      }
      auto start = std::chrono::steady_clock::now();
      std::string sql =
          "SELECT *, count(*) OVER () AS _failing_rows FROM (" + CheckSql(model, check, options) + ") LIMIT 5";
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
      if (!r.passed && r.error.empty() && check.kind == CheckKind::kFreshness && options.freshness == "warn") {
        r.passed = r.warning = true;
      }
      report.Add(std::move(r));
    }
  }
  return report;
}

namespace {

std::string ResultText(const CheckResult& r, const std::string& verb) {
  std::string out = "\n  check " + r.check + " on table " + r.table + " (" + r.where + ") ";
  if (!r.error.empty()) return out + "could not run: " + r.error;
  out += verb + ": " + std::to_string(r.failing_rows) + " offending row(s), e.g.:";
  for (size_t i = 0; i < r.sample.rows.size(); ++i) {
    out += "\n    ";
    for (size_t c = 0; c < r.sample.columns.size(); ++c) {
      out += (c ? ", " : "") + r.sample.columns[c] + "=" + (r.sample.nulls[i][c] ? "NULL" : r.sample.rows[i][c]);
    }
  }
  return out;
}

}  // namespace

std::string CheckReport::WarningText() const {
  std::string out;
  for (const CheckResult& r : results) {
    if (r.warning) out += ResultText(r, "is stale (warning)");
  }
  return out;
}

std::string CheckReport::FailureText() const {
  std::string out;
  for (const CheckResult& r : results) {
    if (r.passed || !r.skipped.empty()) continue;
    out += ResultText(r, "failed");
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
    if (r.warning) j["warning"] = true;
    if (!r.skipped.empty()) j["skipped"] = r.skipped;
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
  return {{"passed", passed}, {"failed", failed}, {"warnings", warnings}, {"skipped", skipped}, {"checks", checks}};
}

}  // namespace custlake::warehouse
