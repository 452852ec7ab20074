#include "warehouse/sql_macros.h"

#include <cctype>
#include <functional>
#include <map>

namespace custlake::warehouse {
namespace {

using Args = std::vector<std::string>;
using Expander = std::function<std::string(Dialect, const Args&)>;

struct Macro {
  MacroInfo info;
  size_t min_args;
  size_t max_args;  ///< SIZE_MAX: variadic
  Expander expand;
};

bool Hadoop(Dialect d) { return d == Dialect::kHive || d == Dialect::kSpark; }

std::string Join(const Args& args, size_t from, const std::string& sep) {
  std::string out;
  for (size_t i = from; i < args.size(); ++i) out += (i > from ? sep : "") + args[i];
  return out;
}

/// Epoch digits (seconds below 1e11, milliseconds below 1e14, else
/// microseconds: ingest's rule) or ISO-8601 text, to a timestamp.
std::string ParseTimestamp(Dialect d, const std::string& x) {
  std::string n = "CAST(" + x + " AS BIGINT)";
  std::string divisor = "CASE WHEN abs(" + n + ") < 100000000000 THEN 1 WHEN abs(" + n +
                        ") < 100000000000000 THEN 1000 ELSE 1000000 END";
  switch (d) {
    case Dialect::kDuckDb:
      return "CASE WHEN regexp_full_match(" + x + ", '-?[0-9]{1,17}') THEN to_timestamp(" + n + " / " +
             divisor + ") ELSE TRY_CAST(" + x + " AS TIMESTAMPTZ) END";
    case Dialect::kTrino:
      return "CASE WHEN regexp_like(" + x + ", '^-?[0-9]{1,17}$') THEN from_unixtime(" + n + " / CAST(" +
             divisor + " AS DOUBLE)) ELSE try(from_iso8601_timestamp(" + x + ")) END";
    case Dialect::kSpark:
      return "CASE WHEN " + x + " RLIKE '^-?[0-9]{1,17}$' THEN timestamp_micros(" + n + " * (1000000 DIV " +
             divisor + ")) ELSE CAST(" + x + " AS TIMESTAMP) END";
    case Dialect::kHive:
      return "CASE WHEN " + x + " RLIKE '^-?[0-9]{1,17}$' THEN CAST(from_unixtime(" + n + " DIV " + divisor +
             ") AS TIMESTAMP) ELSE CAST(from_unixtime(unix_timestamp(" + x +
             ", \"yyyy-MM-dd'T'HH:mm:ssXXX\")) AS TIMESTAMP) END";
  }
  return x;
}

const std::map<std::string, Macro>& Table() {
  static const std::map<std::string, Macro> table = [] {
    std::vector<Macro> list = {
        {{"hash_key", "hash_key(text)",
          "BIGINT: the first 60 bits (15 hex digits) of md5(text); the same value in every engine"},
         1,
         1,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "CAST(('0x' || left(md5(" + a[0] + "), 15)) AS BIGINT)";
           if (d == Dialect::kTrino)
             return "from_base(substr(to_hex(md5(to_utf8(" + a[0] + "))), 1, 15), 16)";
           return "CAST(conv(substr(md5(" + a[0] + "), 1, 15), 16, 10) AS BIGINT)";
         }},
        {{"epoch_us", "epoch_us(timestamp)",
          "BIGINT: microseconds since 1970-01-01 UTC (Hive: whole seconds x 1e6)"},
         1,
         1,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "epoch_us(" + a[0] + ")";
           if (d == Dialect::kTrino) return "CAST(round(to_unixtime(" + a[0] + ") * 1000000) AS BIGINT)";
           if (d == Dialect::kSpark) return "unix_micros(" + a[0] + ")";
           return "CAST(unix_timestamp(" + a[0] + ") AS BIGINT) * 1000000";
         }},
        {{"to_text", "to_text(value)", "the value as text (VARCHAR / STRING)"},
         1,
         1,
         [](Dialect d, const Args& a) {
           return "CAST(" + a[0] + (Hadoop(d) ? " AS STRING)" : " AS VARCHAR)");
         }},
        {{"ident", "ident(name)", "a quoted identifier (for names an engine reserves, such as date in Hive)"},
         1,
         1,
         [](Dialect d, const Args& a) { return Hadoop(d) ? "`" + a[0] + "`" : "\"" + a[0] + "\""; }},
        {{"type_string", "type_string()", "the text type: VARCHAR (DuckDB, Trino), STRING (Hive, Spark)"},
         0,
         0,
         [](Dialect d, const Args&) { return std::string(Hadoop(d) ? "STRING" : "VARCHAR"); }},
        {{"type_timestamp", "type_timestamp()",
          "the instant type: TIMESTAMPTZ (DuckDB), timestamp(6) with time zone (Trino), TIMESTAMP (Hive, "
          "Spark; UTC)"},
         0,
         0,
         [](Dialect d, const Args&) {
           return std::string(d == Dialect::kDuckDb  ? "TIMESTAMPTZ"
                              : d == Dialect::kTrino ? "timestamp(6) with time zone"
                                                     : "TIMESTAMP");
         }},
        {{"timestamp_literal", "timestamp_literal('YYYY-MM-DD HH:MM:SS')",
          "that UTC instant as a timestamp literal"},
         1,
         1,
         [](Dialect d, const Args& a) {
           std::string text = a[0].size() >= 2 ? a[0].substr(1, a[0].size() - 2) : a[0];
           if (d == Dialect::kDuckDb) return "TIMESTAMPTZ '" + text + "+00'";
           if (d == Dialect::kTrino) return "TIMESTAMP '" + text + " UTC'";
           return "TIMESTAMP '" + text + "'";
         }},
        {{"null_string_array", "null_string_array()", "a NULL array of text"},
         0,
         0,
         [](Dialect d, const Args&) {
           if (d == Dialect::kDuckDb) return std::string("CAST(NULL AS VARCHAR[])");
           if (d == Dialect::kTrino) return std::string("CAST(NULL AS ARRAY(VARCHAR))");
           if (d == Dialect::kSpark) return std::string("CAST(NULL AS ARRAY<STRING>)");
           return std::string("IF(1 = 0, array(CAST(NULL AS STRING)), NULL)");
         }},
        {{"trunc_date", "trunc_date(year|month, date_or_timestamp)",
          "DATE: the first day of its year or month (UTC)"},
         2,
         2,
         [](Dialect d, const Args& a) {
           if (Hadoop(d)) return "CAST(trunc(" + a[1] + ", '" + a[0] + "') AS DATE)";
           return "CAST(date_trunc('" + a[0] + "', " + a[1] + ") AS DATE)";
         }},
        {{"utc", "utc(timestamp)",
          "the instant as UTC wall-clock time, for date parts (DuckDB: AT TIME ZONE 'UTC')"},
         1,
         1,
         [](Dialect d, const Args& a) {
           return d == Dialect::kDuckDb || d == Dialect::kTrino ? "(" + a[0] + " AT TIME ZONE 'UTC')" : a[0];
         }},
        {{"date_key", "date_key(date)", "INTEGER yyyymmdd of a date or UTC timestamp"},
         1,
         1,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "CAST(strftime(" + a[0] + ", '%Y%m%d') AS INTEGER)";
           return "CAST(year(" + a[0] + ") * 10000 + month(" + a[0] + ") * 100 + day(" + a[0] +
                  ") AS INTEGER)";
         }},
        {{"add_months", "add_months(date, n)", "DATE: n calendar months later"},
         2,
         2,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "CAST(" + a[0] + " + INTERVAL (" + a[1] + ") MONTH AS DATE)";
           if (d == Dialect::kTrino) return "date_add('month', " + a[1] + ", " + a[0] + ")";
           return "add_months(" + a[0] + ", " + a[1] + ")";
         }},
        {{"days_between", "days_between(start, end)", "whole days from start to end (dates)"},
         2,
         2,
         [](Dialect d, const Args& a) {
           if (Hadoop(d)) return "datediff(" + a[1] + ", " + a[0] + ")";
           return "date_diff('day', " + a[0] + ", " + a[1] + ")";
         }},
        {{"seconds_between", "seconds_between(start, end)", "seconds from start to end (timestamps)"},
         2,
         2,
         [](Dialect d, const Args& a) {
           if (Hadoop(d)) return "(unix_timestamp(" + a[1] + ") - unix_timestamp(" + a[0] + "))";
           return "date_diff('second', " + a[0] + ", " + a[1] + ")";
         }},
        {{"month_name", "month_name(date)", "January .. December"},
         1,
         1,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "monthname(" + a[0] + ")";
           if (d == Dialect::kTrino) return "date_format(" + a[0] + ", '%M')";
           return "date_format(" + a[0] + ", 'MMMM')";
         }},
        {{"day_name", "day_name(date)", "Monday .. Sunday"},
         1,
         1,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "dayname(" + a[0] + ")";
           if (d == Dialect::kTrino) return "date_format(" + a[0] + ", '%W')";
           return "date_format(" + a[0] + ", 'EEEE')";
         }},
        {{"iso_day_of_week", "iso_day_of_week(date)", "1 = Monday .. 7 = Sunday"},
         1,
         1,
         [](Dialect d, const Args& a) {
           if (d == Dialect::kDuckDb) return "isodow(" + a[0] + ")";
           if (d == Dialect::kTrino) return "day_of_week(" + a[0] + ")";
           return "(pmod(datediff(" + a[0] + ", '1900-01-01'), 7) + 1)";  // 1900-01-01 was a Monday
         }},
        {{"iso_week", "iso_week(date)", "the ISO-8601 week number"},
         1,
         1,
         [](Dialect d, const Args& a) {
           return (d == Dialect::kTrino ? "week_of_year(" : "weekofyear(") + a[0] + ")";
         }},
        {{"parse_timestamp", "parse_timestamp(text)",
          "the instant in ISO-8601 text (Z, offset or none = UTC) or epoch digits (s, ms or us, as ingest "
          "reads them)"},
         1,
         1,
         [](Dialect d, const Args& a) { return ParseTimestamp(d, a[0]); }},
        {{"date_spine", "date_spine(from_item, first_day, last_day)",
          "a SELECT of one row per day, column `date` (DATE), first_day..last_day, reading the one-row "
          "from_item"},
         3,
         3,
         [](Dialect d, const Args& a) {
           switch (d) {
             case Dialect::kDuckDb:
               return "SELECT CAST(spine.d AS DATE) AS \"date\" FROM " + a[0] + ", range(CAST(" + a[1] +
                      " AS TIMESTAMP), CAST(" + a[2] +
                      " AS TIMESTAMP) + INTERVAL 1 DAY, INTERVAL 1 DAY) AS spine(d)";
             case Dialect::kTrino:
               return "SELECT spine.d AS \"date\" FROM " + a[0] + " CROSS JOIN UNNEST(sequence(CAST(" + a[1] +
                      " AS DATE), CAST(" + a[2] + " AS DATE), INTERVAL '1' DAY)) AS spine(d)";
             case Dialect::kSpark:
               return "SELECT spine.d AS `date` FROM " + a[0] + " LATERAL VIEW explode(sequence(CAST(" +
                      a[1] + " AS DATE), CAST(" + a[2] + " AS DATE), INTERVAL 1 DAY)) spine AS d";
             case Dialect::kHive:
               return "SELECT date_add(" + a[1] + ", spine.i) AS `date` FROM " + a[0] +
                      " LATERAL VIEW posexplode(split(space(datediff(" + a[2] + ", " + a[1] +
                      ")), ' ')) spine AS i, x";
           }
           return std::string();
         }},
        {{"unnest_fields", "unnest_fields(array_of_structs, alias, field, ...)",
          "a join clause giving one row per array element, its fields as alias.field (no row for an empty "
          "array)"},
         3,
         SIZE_MAX,
         [](Dialect d, const Args& a) {
           switch (d) {
             case Dialect::kDuckDb:
               return "CROSS JOIN LATERAL (SELECT unnest(" + a[0] + ", recursive := true)) AS " + a[1];
             case Dialect::kTrino:
               return "CROSS JOIN UNNEST(" + a[0] + ") AS " + a[1] + "(" + Join(a, 2, ", ") + ")";
             case Dialect::kSpark:
             case Dialect::kHive:
               return "LATERAL VIEW inline(" + a[0] + ") " + a[1] + " AS " + Join(a, 2, ", ");
           }
           return std::string();
         }},
    };
    std::map<std::string, Macro> out;
    for (Macro& m : list) out.emplace(m.info.name, std::move(m));
    return out;
  }();
  return table;
}

bool IdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::string MacroNames() {
  std::string out;
  for (const auto& [name, m] : Table()) out += (out.empty() ? "" : ", ") + name;
  return out;
}

/// Skips a quoted literal starting at text[i] (a ' or "); returns the index after it.
size_t SkipQuoted(const std::string& text, size_t i) {
  char q = text[i++];
  while (i < text.size()) {
    if (text[i] == q && i + 1 < text.size() && text[i + 1] == q) {
      i += 2;
    } else if (text[i++] == q) {
      break;
    }
  }
  return i;
}

/// Expands the macro calls in `text` (the inside of one {{ }}).
Result<std::string> ExpandCalls(const std::string& text, Dialect d, const std::string& where) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\'' || c == '"') {
      size_t end = SkipQuoted(text, i);
      out += text.substr(i, end - i);
      i = end;
      continue;
    }
    if (!IdentStart(c) || (i > 0 && (IdentChar(text[i - 1]) || text[i - 1] == '.'))) {
      out += c;
      ++i;
      continue;
    }
    size_t b = i;
    while (i < text.size() && IdentChar(text[i])) ++i;
    std::string name = text.substr(b, i - b);
    size_t p = i;
    while (p < text.size() && std::isspace(static_cast<unsigned char>(text[p]))) ++p;
    auto it = Table().find(name);
    if (p >= text.size() || text[p] != '(' || it == Table().end()) {
      out += name;  // SQL (a column, or a function the engines share): copied
      continue;
    }
    // The arguments: split at top-level commas, up to the matching ')'.
    Args args;
    std::string arg;
    int depth = 0;
    size_t j = p + 1;
    bool closed = false;
    for (; j < text.size(); ++j) {
      char ch = text[j];
      if (ch == '\'' || ch == '"') {
        size_t end = SkipQuoted(text, j);
        arg += text.substr(j, end - j);
        j = end - 1;
      } else if (ch == '(') {
        ++depth;
        arg += ch;
      } else if (ch == ')' && depth > 0) {
        --depth;
        arg += ch;
      } else if (ch == ')') {
        closed = true;
        break;
      } else if (ch == ',' && depth == 0) {
        args.push_back(arg);
        arg.clear();
      } else {
        arg += ch;
      }
    }
    if (!closed) return Status::InvalidArgument(where + ": macro " + name + "( is not closed");
    if (!args.empty() || arg.find_first_not_of(" \t\n") != std::string::npos) args.push_back(arg);
    for (std::string& a : args) {
      size_t s = a.find_first_not_of(" \t\n"), e = a.find_last_not_of(" \t\n");
      a = s == std::string::npos ? "" : a.substr(s, e - s + 1);
      ASSIGN_OR_RETURN(a, ExpandCalls(a, d, where));
    }
    const Macro& m = it->second;
    if (args.size() < m.min_args || args.size() > m.max_args) {
      return Status::InvalidArgument(
          where + ": macro " + m.info.signature + " takes " +
          (m.min_args == m.max_args ? std::to_string(m.min_args) : "at least " + std::to_string(m.min_args)) +
          " argument(s), got " + std::to_string(args.size()));
    }
    out += m.expand(d, args);
    i = j + 1;
  }
  return out;
}

}  // namespace

Result<Dialect> ParseDialect(const std::string& name) {
  if (name == "hive") return Dialect::kHive;
  if (name == "trino") return Dialect::kTrino;
  if (name == "spark") return Dialect::kSpark;
  if (name == "duckdb") return Dialect::kDuckDb;
  return Status::InvalidArgument("unknown dialect '" + name + "': use hive, trino or spark");
}

std::string DialectName(Dialect d) {
  switch (d) {
    case Dialect::kDuckDb:
      return "duckdb";
    case Dialect::kHive:
      return "hive";
    case Dialect::kTrino:
      return "trino";
    case Dialect::kSpark:
      return "spark";
  }
  return "?";
}

const std::vector<MacroInfo>& Macros() {
  static const std::vector<MacroInfo> list = [] {
    std::vector<MacroInfo> out;
    for (const auto& [name, m] : Table()) out.push_back(m.info);
    return out;
  }();
  return list;
}

Result<std::string> ExpandMacros(const std::string& sql, Dialect dialect, const std::string& file,
                                 int first_line) {
  if (sql.find("{{") == std::string::npos) return sql;
  std::string out;
  size_t i = 0;
  while (true) {
    size_t open = sql.find("{{", i);
    if (open == std::string::npos) break;
    int line = first_line;
    for (size_t k = 0; k < open; ++k) line += sql[k] == '\n' ? 1 : 0;
    std::string where = file + ":" + std::to_string(line);
    size_t close = sql.find("}}", open + 2);
    if (close == std::string::npos) return Status::InvalidArgument(where + ": '{{' without its '}}'");
    std::string inside = sql.substr(open + 2, close - open - 2);
    // A {{ }} must call at least one macro: catches a misspelt name.
    bool calls = false;
    for (const auto& [name, m] : Table()) calls = calls || inside.find(name + "(") != std::string::npos;
    if (!calls) {
      return Status::InvalidArgument(where + ": '{{" + inside +
                                     "}}' calls no macro (macros: " + MacroNames() + ")");
    }
    ASSIGN_OR_RETURN(std::string expanded, ExpandCalls(inside, dialect, where));
    size_t s = expanded.find_first_not_of(" \t\n"), e = expanded.find_last_not_of(" \t\n");
    out += sql.substr(i, open - i) + (s == std::string::npos ? "" : expanded.substr(s, e - s + 1));
    i = close + 2;
  }
  return out + sql.substr(i);
}

}  // namespace custlake::warehouse
