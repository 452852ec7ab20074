#include "serve/pg_commands.h"

#include <algorithm>
#include <optional>
#include <regex>

#include "serve/sql_text.h"

namespace custlake::serve {

namespace {

constexpr const char* kName = R"(("(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))";

/// An identifier as written: "Quoted ""x""" -> Quoted "x"; unquoted folds to lower case.
std::string Unquote(const std::string& name) {
  if (name.size() >= 2 && name.front() == '"') {
    std::string out;
    for (size_t i = 1; i + 1 < name.size(); ++i) {
      out += name[i];
      if (name[i] == '"') ++i;
    }
    return out;
  }
  std::string out = name;
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// The first bytes of a statement, where a command's keywords and names must
/// lie: the regexes below never see more (libstdc++'s regex recurses once per
/// repeated character).
std::string Head(const std::string& sql) { return sql.substr(0, 1024); }

Status Syntax(const std::string& what) { return Status::InvalidArgument("syntax error in " + what); }

/// The text inside the parentheses that open at `open` (quotes and comments skipped); npos when unbalanced.
size_t MatchingParen(const std::string& s, size_t open) {
  int depth = 0;
  for (size_t i = open; i < s.size();) {
    const size_t quoted = QuotedOrCommentLength(s, i);
    if (quoted > 0) {
      i += quoted;
      continue;
    }
    if (s[i] == '(') ++depth;
    if (s[i] == ')' && --depth == 0) return i;
    ++i;
  }
  return std::string::npos;
}

/// Splits COPY's option text into words and quoted strings ('x' kept with its quotes).
std::vector<std::string> OptionTokens(const std::string& text) {
  std::vector<std::string> tokens;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == ',' || c == ';') {
      ++i;
    } else if (c == '\'') {
      const size_t n = QuotedOrCommentLength(text, i);
      tokens.push_back(text.substr(i, n));
      i += n;
    } else {
      size_t j = i;
      while (j < text.size() && !std::isspace(static_cast<unsigned char>(text[j])) &&
             std::string("(),;'").find(text[j]) == std::string::npos) {
        ++j;
      }
      tokens.push_back(Lower(text.substr(i, j - i)));
      i = j;
    }
  }
  return tokens;
}

Result<std::string> StringLiteral(const std::vector<std::string>& tokens, size_t* i, const std::string& option) {
  if (*i < tokens.size() && tokens[*i] == "as") ++*i;
  if (*i >= tokens.size() || tokens[*i].size() < 2 || tokens[*i].front() != '\'') {
    return Syntax("COPY: " + option + " needs a quoted string");
  }
  std::string value;
  const std::string& token = tokens[(*i)++];
  for (size_t k = 1; k + 1 < token.size(); ++k) {
    value += token[k];
    if (token[k] == '\'') ++k;
  }
  return value;
}

Status ApplyCopyOptions(const std::string& text, CopyToStdout* copy) {
  const std::vector<std::string> tokens = OptionTokens(text);
  bool delimiter_set = false, null_set = false;
  for (size_t i = 0; i < tokens.size();) {
    const std::string word = tokens[i++];
    const bool has_value = i < tokens.size();
    if (word == "with") continue;
    if (word == "csv" || (word == "format" && has_value && tokens[i] == "csv")) {
      copy->csv = true;
      if (word == "format") ++i;
    } else if (word == "text" || (word == "format" && has_value && tokens[i] == "text")) {
      copy->csv = false;
      if (word == "format") ++i;
    } else if (word == "binary" || word == "format") {
      return Status::InvalidArgument("COPY: only the text and csv formats are supported");
    } else if (word == "header") {
      copy->header = true;
      if (has_value && (tokens[i] == "true" || tokens[i] == "on" || tokens[i] == "1")) ++i;
      else if (has_value && (tokens[i] == "false" || tokens[i] == "off" || tokens[i] == "0")) copy->header = false, ++i;
    } else if (word == "delimiter") {
      ASSIGN_OR_RETURN(std::string d, StringLiteral(tokens, &i, "DELIMITER"));
      if (d.size() != 1) return Status::InvalidArgument("COPY delimiter must be a single one-byte character");
      copy->delimiter = d[0];
      delimiter_set = true;
    } else if (word == "null") {
      ASSIGN_OR_RETURN(copy->null_text, StringLiteral(tokens, &i, "NULL"));
      null_set = true;
    } else if (word == "encoding") {
      ASSIGN_OR_RETURN(std::string encoding, StringLiteral(tokens, &i, "ENCODING"));
      if (Lower(encoding) != "utf8" && Lower(encoding) != "utf-8") {
        return Status::InvalidArgument("COPY: only the UTF8 encoding is supported");
      }
    } else {
      return Syntax("COPY options at \"" + word + "\"");
    }
  }
  if (copy->csv && !delimiter_set) copy->delimiter = ',';
  if (copy->csv && !null_set) copy->null_text = "";
  return Status::OK();
}

}  // namespace

Result<DeclareCursor> ParseDeclare(const std::string& sql) {
  static const std::regex head(std::string(R"(^\s*DECLARE\s+)") + kName +
                                   R"(\s+(BINARY\s+)?(?:(?:ASENSITIVE|INSENSITIVE)\s+)?(?:(NO\s+)?SCROLL\s+)?)"
                                   R"(CURSOR\s+(?:(?:WITH|WITHOUT)\s+HOLD\s+)?FOR\s+)",
                               std::regex::icase);
  std::smatch m;
  const std::string start = Head(sql);
  if (!std::regex_search(start, m, head)) return Syntax("DECLARE ... CURSOR FOR query");
  return DeclareCursor{Unquote(m[1].str()), sql.substr(static_cast<size_t>(m.length(0))), m[3].matched,
                       m[2].matched};
}

namespace {

/// "12", "-3", "+4" as a number; nullopt past 18 digits.
std::optional<int64_t> SignedCount(const std::string& text) {
  const size_t digits = text.find_first_of("0123456789");
  if (digits == std::string::npos || text.size() - digits > 18) return std::nullopt;
  const int64_t n = std::stoll(text.substr(digits));
  return text.find('-') != std::string::npos ? -n : n;
}

/// FORWARD n / BACKWARD n with n possibly negative (the other way) or 0 (the current row again).
void SetCount(FetchCursor* fetch, bool forward, int64_t n) {
  if (n == 0) {
    fetch->direction = FetchCursor::Direction::kRelative;
    fetch->count = 0;
    return;
  }
  if (n < 0) forward = !forward;
  fetch->direction = forward ? FetchCursor::Direction::kForward : FetchCursor::Direction::kBackward;
  fetch->count = n < 0 ? -n : n;
}

}  // namespace

Result<FetchCursor> ParseFetch(const std::string& sql) {
  static const std::regex form(
      std::string(R"(^\s*(FETCH|MOVE)\s+(?:(NEXT|PRIOR|FIRST|LAST|ALL|(?:ABSOLUTE|RELATIVE)\s+[+-]?\d+|)"
                  R"((?:FORWARD|BACKWARD)(?:\s+(?:ALL|[+-]?\d+))?|[+-]?\d+)\s+)?(?:(?:FROM|IN)\s+)?)") +
          kName + R"(\s*;?\s*$)",
      std::regex::icase);
  std::smatch m;
  const std::string start = Head(sql);
  if (sql.size() > start.size() || !std::regex_match(start, m, form)) return Syntax("FETCH");
  FetchCursor fetch;
  fetch.move = Lower(m[1].str()) == "move";
  fetch.name = Unquote(m[3].str());
  const std::string how = Lower(m[2].str());
  const bool backward = how.starts_with("backward") || how == "prior";
  const bool has_number = how.find_first_of("0123456789") != std::string::npos;
  std::optional<int64_t> n = has_number ? SignedCount(how) : std::optional<int64_t>(1);
  if (!n) return Syntax("FETCH: count too large");
  if (how == "first" || how == "last") {
    fetch.direction = FetchCursor::Direction::kAbsolute;
    fetch.count = how == "first" ? 1 : -1;
  } else if (how.starts_with("absolute") || how.starts_with("relative")) {
    fetch.direction = how[0] == 'a' ? FetchCursor::Direction::kAbsolute : FetchCursor::Direction::kRelative;
    fetch.count = *n;
  } else if (how.ends_with("all")) {
    fetch.direction = backward ? FetchCursor::Direction::kBackward : FetchCursor::Direction::kForward;
    fetch.count = -1;
  } else {
    SetCount(&fetch, !backward, *n);
  }
  return fetch;
}

CursorStep StepCursor(const FetchCursor& fetch, size_t rows, size_t position) {
  using Direction = FetchCursor::Direction;
  const auto n = static_cast<int64_t>(rows);
  auto pos = static_cast<int64_t>(std::min(position, rows + 1));
  CursorStep step;
  if (fetch.direction == Direction::kForward || fetch.direction == Direction::kBackward) {
    const bool all = fetch.count < 0;
    const int64_t sign = fetch.direction == Direction::kForward ? 1 : -1;
    int64_t left = fetch.count;
    while ((all || left-- > 0)) {
      pos += sign;
      if (pos < 1 || pos > n) {
        pos = pos < 1 ? 0 : n + 1;
        break;
      }
      step.rows.push_back(static_cast<size_t>(pos));
    }
    step.position = static_cast<size_t>(pos);
    return step;
  }
  int64_t target;
  if (fetch.direction == Direction::kAbsolute) {
    target = fetch.count >= 0 ? fetch.count : n + 1 + fetch.count;
  } else {
    target = pos + fetch.count;
  }
  if (target >= 1 && target <= n) {
    step.rows.push_back(static_cast<size_t>(target));
    step.position = static_cast<size_t>(target);
  } else {
    // Off either end: before the first row, or after the last.
    const bool after = fetch.direction == Direction::kAbsolute ? fetch.count > 0 : target > n;
    step.position = after ? rows + 1 : 0;
  }
  return step;
}

Result<std::string> ParseClose(const std::string& sql) {
  static const std::regex form(std::string(R"(^\s*CLOSE\s+)") + kName + R"(\s*;?\s*$)", std::regex::icase);
  std::smatch m;
  const std::string start = Head(sql);
  if (sql.size() > start.size() || !std::regex_match(start, m, form)) return Syntax("CLOSE");
  return Lower(m[1].str()) == "all" ? std::string() : Unquote(m[1].str());
}

Result<CopyToStdout> ParseCopy(const std::string& sql) {
  static const std::regex copy_word(R"(^\s*COPY\s*)", std::regex::icase);
  static const std::regex from_stdin(R"(^\s*FROM\b)", std::regex::icase);
  static const std::regex to_stdout(R"(^\s*TO\s+STDOUT\b)", std::regex::icase);
  static const std::regex table(std::string("^") + kName + R"((?:\s*\.\s*)" + kName + ")?", std::regex::icase);
  std::smatch m;
  const std::string start = Head(sql);
  if (!std::regex_search(start, m, copy_word)) return Syntax("COPY");
  size_t at = static_cast<size_t>(m.length(0));
  CopyToStdout copy;
  if (at < sql.size() && sql[at] == '(') {
    const size_t close = MatchingParen(sql, at);
    if (close == std::string::npos) return Syntax("COPY (query)");
    copy.query = sql.substr(at + 1, close - at - 1);
    at = close + 1;
  } else {
    const std::string rest = Head(sql.substr(at));
    if (!std::regex_search(rest, m, table)) return Syntax("COPY");
    copy.query = "SELECT * FROM " + m.str(0);
    at += static_cast<size_t>(m.length(0));
  }
  const std::string rest = sql.substr(at);
  const std::string rest_start = Head(rest);
  if (std::regex_search(rest_start, m, from_stdin)) {
    return Status::InvalidArgument("Permission Error: COPY FROM: the warehouse is read-only");
  }
  if (!std::regex_search(rest_start, m, to_stdout)) {
    return Status::InvalidArgument("Permission Error: only COPY ... TO STDOUT is allowed (psql's \\copy writes files)");
  }
  RETURN_NOT_OK(ApplyCopyOptions(rest.substr(static_cast<size_t>(m.length(0))), &copy));
  return copy;
}

std::string CopyLine(const std::vector<std::string>& values, const std::vector<bool>& nulls, const CopyToStdout& copy) {
  std::string line;
  for (size_t c = 0; c < values.size(); ++c) {
    if (c > 0) line += copy.delimiter;
    if (nulls[c]) {
      line += copy.null_text;
      continue;
    }
    const std::string& v = values[c];
    if (copy.csv) {
      const bool quote = v == copy.null_text || v.find_first_of(std::string("\"\r\n") + copy.delimiter) != std::string::npos;
      if (!quote) {
        line += v;
        continue;
      }
      line += '"';
      for (char ch : v) line += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      line += '"';
      continue;
    }
    for (char ch : v) {
      if (ch == '\\') line += "\\\\";
      else if (ch == '\n') line += "\\n";
      else if (ch == '\r') line += "\\r";
      else if (ch == '\t') line += "\\t";
      else if (ch == copy.delimiter) line += std::string("\\") + ch;
      else line += ch;
    }
  }
  return line + "\n";
}

}  // namespace custlake::serve
