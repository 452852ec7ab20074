#include "warehouse/checks.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "warehouse/model_loader.h"

namespace custlake::warehouse {
using engine::QuoteIdent;

namespace {

std::string JoinCols(const std::vector<std::string>& cols, const std::string& prefix = "") {
  std::string out;
  for (const std::string& c : cols) out += (out.empty() ? "" : ", ") + prefix + QuoteIdent(c);
  return out;
}

const std::string kChangedPrefix = "changed.";

/// True when `name` occurs in `text` as a whole word outside string literals,
/// not preceded by "changed.".
bool NamesOutsideChanged(const std::string& text, const std::string& name) {
  std::string sql = text;
  for (size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '\'') continue;
    for (++i; i < sql.size() && sql[i] != '\''; ++i) sql[i] = ' ';
  }
  for (size_t pos = sql.find(name); pos != std::string::npos; pos = sql.find(name, pos + 1)) {
    size_t end = pos + name.size();
    if ((pos > 0 && IsIdentChar(sql[pos - 1])) || (end < sql.size() && IsIdentChar(sql[end]))) continue;
    if (pos >= kChangedPrefix.size() &&
        sql.compare(pos - kChangedPrefix.size(), kChangedPrefix.size(), kChangedPrefix) == 0) {
      continue;
    }
    return true;
  }
  return false;
}

/// [at, end) of each "changed.name" in `sql`.
std::vector<std::pair<size_t, size_t>> ChangedRefs(const std::string& sql) {
  std::vector<std::pair<size_t, size_t>> refs;
  for (size_t at = sql.find(kChangedPrefix); at != std::string::npos; at = sql.find(kChangedPrefix, at + 1)) {
    if (at > 0 && IsIdentChar(sql[at - 1])) continue;
    size_t e = at + kChangedPrefix.size();
    while (e < sql.size() && IsIdentChar(sql[e])) ++e;
    refs.push_back({at, e});
  }
  return refs;
}

}  // namespace

bool ChangedRowsAreNew(const std::string& sql, const CheckOptions& options) {
  // The changed.<name> references: all resolve to their new rows, or none do.
  std::vector<std::pair<size_t, size_t>> refs = ChangedRefs(sql);
  bool delta = !refs.empty();
  for (const auto& [at, e] : refs) {
    std::string n = sql.substr(at + kChangedPrefix.size(), e - at - kChangedPrefix.size());
    delta = delta && (options.appended_tables.count(n) || options.delta_views.count(n));
  }
  // Anything else the check reads that changed: every row must be looked at again.
  for (const std::string& c : options.changed) delta = delta && !NamesOutsideChanged(sql, c);
  return delta;
}

std::string ResolveChangedRows(const std::string& sql, const CheckOptions& options) {
  std::vector<std::pair<size_t, size_t>> refs = ChangedRefs(sql);
  bool delta = ChangedRowsAreNew(sql, options);
  std::string out;
  size_t i = 0;
  for (const auto& [at, e] : refs) {
    std::string name = sql.substr(at + kChangedPrefix.size(), e - at - kChangedPrefix.size());
    bool view = options.delta_views.count(name) > 0 || (!options.appended_tables.count(name) && options.raw_views.count(name));
    out += sql.substr(i, at - i) + (delta ? "delta." : view ? "raw." : "") + QuoteIdent(name);
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
      bool in_partitions =
          std::find(check.columns.begin(), check.columns.end(), model.partition_by) != check.columns.end();
      if (delta && in_partitions && options.partition_delta_tables.count(model.name)) {
        return "SELECT " + JoinCols(check.columns) + ", count(*) AS duplicates FROM " + new_rows +
               " GROUP BY ALL HAVING count(*) > 1";
      }
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
    // The not_null checks of a table in one scan; only failing columns are queried again for samples.
    std::map<std::string, int64_t> nulls;
    std::string counts;
    for (const ModelCheck& check : model.checks) {
      if (check.kind != CheckKind::kNotNull) continue;
      counts += std::string(counts.empty() ? "" : ", ") + "count(*) FILTER (WHERE " + QuoteIdent(check.columns[0]) +
                " IS NULL)";
    }
    if (!counts.empty()) {
      std::string rows = options.delta_tables.count(model.name) ? "delta." + QuoteIdent(model.name) : QuoteIdent(model.name);
      auto q = session->Query("SELECT " + counts + " FROM " + rows);
      if (q.ok() && q->rows.size() == 1) {
        size_t i = 0;
        for (const ModelCheck& check : model.checks) {
          if (check.kind == CheckKind::kNotNull) nulls[check.columns[0]] = std::stoll(q->rows[0][i++]);
        }
      }
    }
    for (const ModelCheck& check : model.checks) {
      CheckResult r;
      r.table = model.name;
      r.check = check.name;
      r.kind = CheckKindName(check.kind);
      r.where = model.file + ":" + std::to_string(check.line);
      if (check.kind == CheckKind::kFreshness && options.freshness == "off") r.skipped = "--freshness off";
      for (const std::string& view : options.unavailable_views) {
        if (check.kind == CheckKind::kSql && (check.sql.find("raw." + view) != std::string::npos ||
                                              check.sql.find("changed." + view) != std::string::npos)) {
          r.skipped = "raw." + view + ": batches this version consumed are no longer on disk (re-imported and "
                      "vacuumed since); run custlake build to check the current raw zone";
        }
      }
      if (!r.skipped.empty()) {
        report.Add(std::move(r));
        continue;
      }
      auto known = check.kind == CheckKind::kNotNull ? nulls.find(check.columns[0]) : nulls.end();
      if (known != nulls.end() && known->second == 0) {
        r.passed = true;
        report.Add(std::move(r));
        continue;
      }
      auto start = std::chrono::steady_clock::now();
      std::string sql =
          "SELECT *, count(*) OVER () AS _failing_rows FROM (" + CheckSql(model, check, options) + ") LIMIT 5";
      Result<engine::QueryResult> q = session->QueryText(sql);  // samples show every type's values
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
