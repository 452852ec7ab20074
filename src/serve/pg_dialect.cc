#include "serve/pg_dialect.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <string_view>

#include "serve/sql_text.h"

namespace custlake::serve {

namespace {

struct Rule {
  std::regex pattern;
  const char* replacement;
  /// Text (lower case) every match contains: a statement without it skips the
  /// rule (libstdc++'s regex costs tens of microseconds a pass, on every statement).
  const char* needle;
};

const std::vector<Rule>& CodeRules() {
  static const auto* rules = new std::vector<Rule>{
      {std::regex(R"(OPERATOR\s*\(\s*pg_catalog\s*\.\s*([^)\s]+)\s*\))", std::regex::icase), " $1 ", "pg_catalog"},
      {std::regex(R"(COLLATE\s+pg_catalog\s*\.\s*default\b)", std::regex::icase), "", "pg_catalog"},
      {std::regex(R"(\bpg_catalog\s*\.\s*)", std::regex::icase), "", "pg_catalog"},
      {std::regex(R"(\binformation_schema\s*\.\s*(tables|columns|table_constraints|key_column_usage|referential_constraints|schemata|views)\b)",
                  std::regex::icase),
       "pg_info.$1", "information_schema"},
      {std::regex(R"(\binformation_schema\s*\.\s*_pg_expandarray\b)", std::regex::icase), "pg_compat._pg_expandarray", "information_schema"},
      // column::regclass shows the relation's name, as PostgreSQL prints a regclass.
      {std::regex(R"(\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*::\s*regclass\b)", std::regex::icase),
       "pg_compat.regclass_name($1)", "regclass"},
      {std::regex(R"(::\s*(?:regclass|regtype|regproc|regnamespace)\b)", std::regex::icase), "", "::"},
      {std::regex(R"(::\s*oid\b)", std::regex::icase), "::BIGINT", "::"},
      // psql's trigger list joins pg_partition_ancestors(rel) WITH ORDINALITY (one row here: rel, depth 1).
      {std::regex(R"(\bpg_partition_ancestors\s*\(([^()]*)\)\s*WITH\s+ORDINALITY)", std::regex::icase),
       "pg_compat.partition_ancestors_table($1)", "pg_partition_ancestors"},
      // FROM generate_series(...) s: in PostgreSQL s is the value, in DuckDB the row; name the column too.
      {std::regex(R"(\b(generate_series\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))\s+(?:AS\s+)?)"
                  R"((?!(?:AS|WHERE|ON|JOIN|LEFT|RIGHT|INNER|CROSS|ORDER|GROUP|LIMIT|UNION|WINDOW|HAVING)\b)([A-Za-z_]\w*)\b(?!\s*\())",
                  std::regex::icase),
       "$1 AS $2($2)", "generate_series"},
      {std::regex(R"(::\s*name\b)", std::regex::icase), "::VARCHAR", "::"},
      // Npgsql's enum labels: "FROM pg_enum JOIN pg_type ON pg_type.oid=enumtypid ORDER BY oid" means the
      // output column (pg_type.oid) in PostgreSQL; DuckDB finds it ambiguous with pg_enum.oid.
      {std::regex(R"(\bJOIN pg_type ON pg_type\.oid ?= ?enumtypid ORDER BY oid\b)", std::regex::icase),
       "JOIN pg_type ON pg_type.oid = enumtypid ORDER BY pg_type.oid", "enumtypid"},
  };
  return *rules;
}

const std::regex& RegclassCast() {
  static const std::regex cast(R"(^\s*::\s*(?:pg_catalog\s*\.\s*)?regclass\b)", std::regex::icase);
  return cast;
}

/// Runs of blanks in code (outside literals and comments) as one space: the
/// same SQL, and no rule below meets a long run (libstdc++'s regex recurses
/// once per repeated character).
std::string CollapseBlanks(const std::string& code) {
  std::string out;
  for (char c : code) {
    const bool blank = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (blank && !out.empty() && out.back() == ' ') continue;
    out += blank ? ' ' : c;
  }
  return out;
}

/// Whether `text` contains `needle` (lower case), ignoring case.
bool ContainsNoCase(const std::string& text, const char* needle) {
  const std::string_view n(needle);
  return std::search(text.begin(), text.end(), n.begin(), n.end(), [](char a, char b) {
           return std::tolower(static_cast<unsigned char>(a)) == b;
         }) != text.end();
}

std::string RewriteCode(std::string code) {
  code = CollapseBlanks(code);
  for (const Rule& rule : CodeRules()) {
    if (ContainsNoCase(code, rule.needle)) code = std::regex_replace(code, rule.pattern, rule.replacement);
  }
  return code;
}

}  // namespace

std::string TranslatePgDialect(const std::string& sql) {
  if (sql.size() > kMaxRewrittenBytes) return sql;
  std::string out, code;
  size_t literal_at = std::string::npos;  // where the last single-quoted literal starts in `out`
  auto flush_code = [&] {
    std::smatch cast;
    if (literal_at != std::string::npos && ContainsNoCase(code, "regclass") &&
        std::regex_search(code, cast, RegclassCast())) {
      // 'name'::regclass: the oid of the relation the literal names.
      out.insert(literal_at, "pg_compat.regclass_oid(");
      out += ")";
      code = code.substr(static_cast<size_t>(cast.length(0)));
    }
    out += RewriteCode(code);
    code.clear();
  };
  for (size_t i = 0; i < sql.size();) {
    const size_t quoted = QuotedOrCommentLength(sql, i);
    if (quoted == 0) {
      code += sql[i++];
      continue;
    }
    flush_code();
    literal_at = sql[i] == '\'' ? out.size() : std::string::npos;
    out.append(sql, i, quoted);
    i += quoted;
  }
  flush_code();
  return out;
}

}  // namespace custlake::serve
