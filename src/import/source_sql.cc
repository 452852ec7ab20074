#include "import/source_sql.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace custlake::importer {

namespace {

using Kind = db::DatabaseUrl::Kind;

std::string ValueText(const db::Value& v) {
  if (const int64_t* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return "NULL";
}

// The first column of every row of `sql`, and (when asked) its type.
Result<std::vector<db::Value>> FirstColumn(db::Connection* conn, const std::string& sql,
                                           db::SqlType* type = nullptr) {
  ASSIGN_OR_RETURN(auto stream, conn->Query(sql));
  if (type != nullptr && !stream->columns().empty()) *type = stream->columns()[0].type;
  std::vector<db::Value> out, row;
  while (true) {
    ASSIGN_OR_RETURN(bool more, stream->Next(&row));
    if (!more) break;
    out.push_back(row.empty() ? db::Value{} : row[0]);
  }
  return out;
}

}  // namespace

std::string SourceLiteral(Kind kind, const db::Value& value) {
  if (std::holds_alternative<std::monostate>(value)) return "NULL";
  if (!std::holds_alternative<std::string>(value)) return ValueText(value);
  const std::string& s = std::get<std::string>(value);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\\' && kind == Kind::kMariaDB) out += "\\\\";
    else out += c;
  }
  return out + "'";
}

namespace {

// "-12", "3.50", "1e+300": digits with an optional sign, point and exponent.
bool IsPlainNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t digits = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

}  // namespace

std::string ColumnLiteral(Kind kind, db::SqlType type, const db::Value& value) {
  const bool numeric = type == db::SqlType::kInteger || type == db::SqlType::kBigInt ||
                       type == db::SqlType::kDecimal || type == db::SqlType::kDouble;
  if (const std::string* s = std::get_if<std::string>(&value); numeric && s != nullptr && IsPlainNumber(*s)) {
    return *s;
  }
  return SourceLiteral(kind, value);
}

std::string QuoteTable(const db::Connection& conn, const std::string& table) {
  const size_t dot = table.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == table.size()) return conn.QuoteIdentifier(table);
  return conn.QuoteIdentifier(table.substr(0, dot)) + "." + conn.QuoteIdentifier(table.substr(dot + 1));
}

std::string BaseQuery(const db::Connection& conn, const TableOptions& options) {
  if (!options.query.empty()) return options.query;
  std::string cols;
  for (const std::string& c : options.columns) cols += (cols.empty() ? "" : ", ") + conn.QuoteIdentifier(c);
  std::string sql = "SELECT " + (cols.empty() ? std::string("*") : cols) + " FROM " +
                    QuoteTable(conn, options.table) + " WHERE ";
  if (!options.where.empty()) sql += "(" + options.where + ") AND ";
  return sql + "$CONDITIONS";
}

std::string WithConditions(const std::string& base, const std::string& cond) {
  const std::string placeholder = "$CONDITIONS";
  const std::string replacement = "(" + (cond.empty() ? std::string("1=1") : cond) + ")";
  std::string out = base;
  for (size_t at = out.find(placeholder); at != std::string::npos; at = out.find(placeholder, at + replacement.size())) {
    out.replace(at, placeholder.size(), replacement);
  }
  return out;
}

Result<std::vector<std::string>> ListTables(db::Connection* conn) {
  std::string sql;
  switch (conn->kind()) {
    case Kind::kSqlite:
      sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
      break;
    case Kind::kMariaDB:
      sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND "
            "table_type = 'BASE TABLE' ORDER BY table_name";
      break;
    case Kind::kPostgres:
      sql = "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND "
            "table_type = 'BASE TABLE' ORDER BY table_name";
      break;
  }
  ASSIGN_OR_RETURN(auto values, FirstColumn(conn, sql));
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(ValueText(v));
  return out;
}

Result<std::vector<std::string>> PrimaryKey(db::Connection* conn, const std::string& table) {
  // "schema.table": the key of that schema's table, else the current schema's.
  const size_t dot = table.find('.');
  const bool qualified = dot != std::string::npos && dot > 0 && dot + 1 < table.size();
  const std::string lit = SourceLiteral(conn->kind(), qualified ? table.substr(dot + 1) : table);
  const std::string schema = qualified ? SourceLiteral(conn->kind(), table.substr(0, dot)) : "";
  std::string sql;
  switch (conn->kind()) {
    case Kind::kSqlite:
      sql = "SELECT name FROM pragma_table_info(" + lit + (qualified ? ", " + schema : "") +
            ") WHERE pk > 0 ORDER BY pk";
      break;
    case Kind::kMariaDB:
      sql = "SELECT column_name FROM information_schema.key_column_usage WHERE table_schema = " +
            (qualified ? schema : "DATABASE()") + " AND table_name = " + lit +
            " AND constraint_name = 'PRIMARY' ORDER BY ordinal_position";
      break;
    case Kind::kPostgres:
      sql =
          "SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND "
          "a.attnum = ANY(i.indkey) WHERE i.indisprimary AND i.indrelid = (SELECT c.oid FROM pg_class c "
          "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = " +
          (qualified ? schema : "current_schema()") + " AND c.relname = " + lit +
          ") ORDER BY array_position(i.indkey::int2[], a.attnum)";
      break;
  }
  ASSIGN_OR_RETURN(auto values, FirstColumn(conn, sql));
  std::vector<std::string> out;
  for (const auto& v : values) out.push_back(ValueText(v));
  return out;
}

Result<std::optional<db::Value>> MaxValue(db::Connection* conn, const std::string& base, const std::string& column,
                                          const std::string& cond) {
  const std::string sql = "SELECT MAX(" + conn->QuoteIdentifier(column) + ") FROM (" + WithConditions(base, cond) +
                          ") custlake_t";
  ASSIGN_OR_RETURN(auto values, FirstColumn(conn, sql));
  if (values.empty() || std::holds_alternative<std::monostate>(values[0])) return std::optional<db::Value>();
  return std::optional<db::Value>(values[0]);
}

Result<int64_t> EstimateRows(db::Connection* conn, const TableOptions& options, const std::string& base,
                             const std::string& cond) {
  auto first_int = [&](const std::string& sql) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto values, FirstColumn(conn, sql));
    if (values.empty()) return int64_t{-1};
    if (const int64_t* n = std::get_if<int64_t>(&values[0])) return *n;
    if (const double* d = std::get_if<double>(&values[0])) return static_cast<int64_t>(*d);
    if (const std::string* s = std::get_if<std::string>(&values[0])) return std::atoll(s->c_str());
    return int64_t{-1};
  };
  const bool whole_table =
      options.query.empty() && options.where.empty() && cond.empty() && !options.table.empty();
  if (whole_table && conn->kind() != Kind::kSqlite) {
    const size_t dot = options.table.find('.');
    const bool qualified = dot != std::string::npos && dot > 0 && dot + 1 < options.table.size();
    const std::string name =
        SourceLiteral(conn->kind(), qualified ? options.table.substr(dot + 1) : options.table);
    const std::string schema = qualified ? SourceLiteral(conn->kind(), options.table.substr(0, dot)) : "";
    const std::string sql = conn->kind() == Kind::kMariaDB
                                ? "SELECT TABLE_ROWS FROM information_schema.TABLES WHERE TABLE_SCHEMA = " +
                                      (qualified ? schema : "DATABASE()") + " AND TABLE_NAME = " + name
                                : "SELECT c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = "
                                  "c.relnamespace WHERE "
                                  "n.nspname = " +
                                      (qualified ? schema : "current_schema()") + " AND c.relname = " + name;
    ASSIGN_OR_RETURN(int64_t stats, first_int(sql));
    if (stats > 0) return stats;
  }
  ASSIGN_OR_RETURN(int64_t n,
                   first_int("SELECT COUNT(*) FROM (" + WithConditions(base, cond) + ") custlake_c"));
  return std::max<int64_t>(n, 0);
}

Result<std::vector<Split>> ComputeSplits(db::Connection* conn, const std::string& base,
                                         const std::string& column, const std::string& cond, int mappers,
                                         bool indexed, int64_t* counted) {
  if (counted != nullptr) *counted = -1;
  const std::string c = conn->QuoteIdentifier(column);
  std::vector<Split> splits;
  if (mappers <= 1) {
    splits.push_back({cond.empty() ? "1=1" : cond, "all rows"});
    return splits;
  }
  const std::string source = "(" + WithConditions(base, cond) + ") custlake_s WHERE " + c + " IS NOT NULL";
  std::vector<db::Value> values;  // the smallest value of each equal-count bucket, ascending
  db::SqlType type = db::SqlType::kText;
  if (indexed) {
    // Count once, then fetch each bucket's first value with an ordered
    // LIMIT 1 OFFSET k probe: an index walk per boundary instead of sorting
    // the whole result (NTILE below). Buckets as NTILE deals them: the first
    // (n % mappers) get one row more.
    ASSIGN_OR_RETURN(auto rows, FirstColumn(conn, "SELECT COUNT(" + c + ") FROM " + source));
    const int64_t n =
        rows.empty() || !std::holds_alternative<int64_t>(rows[0]) ? 0 : std::get<int64_t>(rows[0]);
    if (counted != nullptr) *counted = n;
    const int64_t buckets = std::min<int64_t>(mappers, n);
    int64_t offset = 0;
    for (int64_t k = 0; k < buckets; ++k) {
      ASSIGN_OR_RETURN(auto probe, FirstColumn(conn,
                                               "SELECT " + c + " FROM " + source + " ORDER BY " + c +
                                                   " LIMIT 1 OFFSET " + std::to_string(offset),
                                               &type));
      if (probe.empty()) break;
      values.push_back(probe[0]);
      offset += n / buckets + (k < n % buckets ? 1 : 0);
    }
  } else {
    // Quantile boundaries computed by the source over the ordered column.
    const std::string sql = "SELECT MIN(" + c + ") FROM (SELECT " + c + ", NTILE(" + std::to_string(mappers) +
                            ") OVER (ORDER BY " + c + ") AS custlake_bucket FROM " + source +
                            ") custlake_q GROUP BY custlake_bucket ORDER BY 1";
    ASSIGN_OR_RETURN(values, FirstColumn(conn, sql, &type));
  }
  std::vector<std::string> bounds;  // literals, ascending, distinct
  for (size_t i = 1; i < values.size(); ++i) {  // the first bucket's minimum is not a boundary
    std::string lit = ColumnLiteral(conn->kind(), type, values[i]);
    if (bounds.empty() || bounds.back() != lit) bounds.push_back(lit);
  }
  const std::string prefix = cond.empty() ? "" : "(" + cond + ") AND ";
  for (size_t i = 0; i <= bounds.size(); ++i) {
    std::string range, desc;
    if (i == 0 && bounds.empty()) {
      range = "1=1";
      desc = "all rows";
    } else if (i == 0) {
      range = "(" + c + " < " + bounds[0] + " OR " + c + " IS NULL)";
      desc = column + " < " + bounds[0] + " or NULL";
    } else if (i == bounds.size()) {
      range = c + " >= " + bounds[i - 1];
      desc = column + " >= " + bounds[i - 1];
    } else {
      range = c + " >= " + bounds[i - 1] + " AND " + c + " < " + bounds[i];
      desc = column + " in [" + bounds[i - 1] + ", " + bounds[i] + ")";
    }
    splits.push_back({prefix + range, desc});
  }
  return splits;
}

}  // namespace custlake::importer
