#include "serve/sql_text.h"

#include <cctype>
#include <functional>

#include "engine/engine.h"

namespace custlake::serve {

namespace {

/// Length of the quoted or commented token starting at `i`, or 0 when none starts there.
size_t SkipQuotedOrComment(const std::string& s, size_t i) {
  const char c = s[i];
  auto until = [&](const std::string& end, size_t from) {
    size_t pos = s.find(end, from);
    return (pos == std::string::npos ? s.size() : pos + end.size()) - i;
  };
  if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') return until("\n", i + 2);
  if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') return until("*/", i + 2);
  if (c == '\'' || c == '"') {
    size_t j = i + 1;
    while (j < s.size()) {
      if (s[j] == '\\' && c == '\'' && i > 0 && (s[i - 1] == 'E' || s[i - 1] == 'e')) {
        j += 2;
        continue;
      }
      if (s[j] == c) {
        if (j + 1 < s.size() && s[j + 1] == c) {
          j += 2;
          continue;
        }
        return j + 1 - i;
      }
      ++j;
    }
    return s.size() - i;
  }
  if (c == '$' && (i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1])))) {
    size_t j = i + 1;
    while (j < s.size() && (std::isalpha(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
    if (j < s.size() && s[j] == '$') return until(s.substr(i, j + 1 - i), j + 1);
  }
  return 0;
}

}  // namespace

size_t QuotedOrCommentLength(const std::string& sql, size_t i) { return SkipQuotedOrComment(sql, i); }

namespace {

/// Calls `fn(i)` for each character outside quotes and comments.
void ForEachCodeChar(const std::string& s, const std::function<void(size_t)>& fn) {
  for (size_t i = 0; i < s.size();) {
    const size_t skip = SkipQuotedOrComment(s, i);
    if (skip > 0) {
      i += skip;
    } else {
      fn(i);
      ++i;
    }
  }
}

std::string Trim(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

/// The parameter number of a $n at `i`, and its length; {0, 0} when none.
std::pair<int, size_t> ParameterAt(const std::string& s, size_t i) {
  if (s[i] != '$') return {0, 0};
  size_t j = i + 1;
  long n = 0;
  while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && n < 100000)
    n = n * 10 + (s[j++] - '0');
  return j == i + 1 ? std::pair<int, size_t>{0, 0} : std::pair<int, size_t>{static_cast<int>(n), j - i};
}

/// `s` trimmed, or "" when it holds nothing but blanks and comments.
std::string CodeOrEmpty(const std::string& s) {
  bool code = false;
  ForEachCodeChar(s, [&](size_t i) { code = code || !std::isspace(static_cast<unsigned char>(s[i])); });
  return code ? Trim(s) : "";
}

}  // namespace

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  size_t start = 0;
  ForEachCodeChar(sql, [&](size_t i) {
    if (sql[i] != ';') return;
    out.push_back(CodeOrEmpty(sql.substr(start, i - start)));
    start = i + 1;
  });
  const std::string last = CodeOrEmpty(sql.substr(start));
  if (!last.empty() || out.empty()) out.push_back(last);
  return out;
}

std::string FirstKeyword(const std::string& sql) {
  std::string word;
  bool done = false;
  ForEachCodeChar(sql, [&](size_t i) {
    if (done) return;
    const auto c = static_cast<unsigned char>(sql[i]);
    if (std::isalpha(c) || c == '_') {
      word.push_back(static_cast<char>(std::toupper(c)));
    } else if (!word.empty() || !std::isspace(c)) {
      done = true;
    }
  });
  return word;
}

int MaxParameterIndex(const std::string& sql) {
  int max = 0;
  ForEachCodeChar(sql, [&](size_t i) { max = std::max(max, ParameterAt(sql, i).first); });
  return max;
}

std::string BindParameters(const std::string& sql, const std::vector<BoundParam>& params) {
  std::string out;
  size_t copied = 0;
  ForEachCodeChar(sql, [&](size_t i) {
    if (i < copied) return;
    auto [n, len] = ParameterAt(sql, i);
    if (n < 1 || static_cast<size_t>(n) > params.size()) return;
    const BoundParam& p = params[static_cast<size_t>(n - 1)];
    std::string literal = !p.text ? "NULL" : engine::QuoteLiteral(*p.text);
    if (!p.duckdb_type.empty()) literal = "CAST(" + literal + " AS " + p.duckdb_type + ")";
    out += sql.substr(copied, i - copied) + literal;
    copied = i + len;
  });
  return out + sql.substr(copied);
}

std::string CastParameters(const std::string& sql, const std::vector<std::string>& duckdb_types) {
  std::string out;
  size_t copied = 0;
  ForEachCodeChar(sql, [&](size_t i) {
    if (i < copied) return;
    auto [n, len] = ParameterAt(sql, i);
    if (n < 1 || static_cast<size_t>(n) > duckdb_types.size()) return;
    const std::string& type = duckdb_types[static_cast<size_t>(n - 1)];
    if (type.empty()) return;
    out += sql.substr(copied, i - copied) + "CAST(" + sql.substr(i, len) + " AS " + type + ")";
    copied = i + len;
  });
  return out + sql.substr(copied);
}

std::optional<OneIntegerParameter> ParameterizeOneInteger(const std::string& sql) {
  const auto word_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  std::optional<OneIntegerParameter> found;
  bool other = false;  // a second literal, or a $n
  size_t i = 0;
  while (i < sql.size() && !other) {
    if (const size_t skip = SkipQuotedOrComment(sql, i); skip > 0) {
      i += skip;
      continue;
    }
    if (sql[i] == '$' && ParameterAt(sql, i).first > 0) other = true;
    if (!std::isdigit(static_cast<unsigned char>(sql[i])) || (i > 0 && word_char(sql[i - 1]))) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) ++end;
    if (end == sql.size() || !word_char(sql[end])) {
      if (found) other = true;
      found = OneIntegerParameter{sql.substr(0, i) + "$1" + sql.substr(end), sql.substr(i, end - i)};
    }
    i = end;
  }
  if (other) return std::nullopt;
  return found;
}

}  // namespace custlake::serve
