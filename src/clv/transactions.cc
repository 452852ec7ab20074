#include "clv/transactions.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <unordered_map>

#include "clv/dates.h"

namespace custlake::clv {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

void SplitWhitespace(std::string_view line, std::vector<std::string>* fields) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) fields->emplace_back(line.substr(start, i - start));
  }
}

Result<char> DelimiterChar(const std::string& text) {
  if (text == "whitespace" || text == "space") return ' ';
  if (text == "tab" || text == "\\t") return '\t';
  if (text.size() == 1) return text[0];
  return Status::InvalidArgument("--delimiter '" + text + "': give one character, 'tab' or 'whitespace'");
}

// The 0-based index of a column named by header text or 1-based number.
Result<size_t> ColumnIndex(const std::string& ref, const std::vector<std::string>& header,
                           const std::string& what, const std::string& source) {
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == ref) return i;
  }
  size_t number = 0;
  const auto [end, ec] = std::from_chars(ref.data(), ref.data() + ref.size(), number);
  if (ec == std::errc() && end == ref.data() + ref.size() && number >= 1) return number - 1;
  std::string names;
  for (const std::string& h : header) names += (names.empty() ? "" : ", ") + h;
  return Status::InvalidArgument(
      fmt::format("{}:1: no {} column '{}' (the header has: {}); name a column of the "
                  "header or give its 1-based number",
                  source, what, ref, names));
}

struct Columns {
  size_t customer = 0, date = 0, amount = 0;
  bool has_amount = false;
  size_t needed = 0;  ///< fields a row must have
};

Result<Columns> ResolveColumns(const TransactionFileOptions& o, const std::vector<std::string>& header) {
  Columns c;
  ASSIGN_OR_RETURN(c.customer, ColumnIndex(o.customer_col, header, "customer", o.path));
  ASSIGN_OR_RETURN(c.date, ColumnIndex(o.date_col, header, "date", o.path));
  c.needed = std::max(c.customer, c.date) + 1;
  if (!o.amount_col.empty()) {
    ASSIGN_OR_RETURN(c.amount, ColumnIndex(o.amount_col, header, "amount", o.path));
    c.has_amount = true;
    c.needed = std::max(c.needed, c.amount + 1);
  }
  return c;
}

Result<double> ParseAmount(const std::string& text, const std::string& where) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    return Status::InvalidArgument(fmt::format("{}: amount '{}' is not a number", where, text));
  }
  if (v < 0) {
    return Status::InvalidArgument(
        fmt::format("{}: amount {} is negative; refunds and returns must be netted "
                    "into their purchase before fitting a spend model",
                    where, text));
  }
  return v;
}

class LogBuilder {
 public:
  explicit LogBuilder(TransactionLog* log) : log_(log) {}

  Status AddRow(const std::vector<std::string>& f, const Columns& c, uint32_t line) {
    const std::string where = fmt::format("{}:{}", log_->source, line);
    if (f.size() < c.needed) {
      return Status::InvalidArgument(
          fmt::format("{}: {} fields, but the columns asked for need {}", where, f.size(), c.needed));
    }
    Transaction t;
    t.line = line;
    const std::optional<int64_t> day = ParseDay(f[c.date]);
    if (!day) {
      return Status::InvalidArgument(fmt::format(
          "{}: column {}: '{}' is not a date (use YYYY-MM-DD or YYYYMMDD)", where, c.date + 1, f[c.date]));
    }
    t.day = *day;
    if (c.has_amount) {
      ASSIGN_OR_RETURN(t.amount, ParseAmount(f[c.amount], fmt::format("{}: column {}", where, c.amount + 1)));
    }
    if (f[c.customer].empty()) return Status::InvalidArgument(where + ": the customer id is empty");
    auto [it, added] = index_.try_emplace(f[c.customer], static_cast<uint32_t>(log_->customer_ids.size()));
    if (added) log_->customer_ids.push_back(f[c.customer]);
    t.customer = it->second;
    log_->rows.push_back(t);
    return Status::OK();
  }

 private:
  TransactionLog* log_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace

bool SplitFields(std::string_view line, char delimiter, std::vector<std::string>* fields) {
  fields->clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (delimiter == ' ') {
    SplitWhitespace(line, fields);
    return true;
  }
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted) {
      if (ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
    } else if (ch == delimiter) {
      fields->push_back(std::move(field));
      field.clear();
    } else {
      field += ch;
    }
  }
  fields->push_back(std::move(field));
  return !quoted;
}

Status TransactionFileOptions::Validate() const {
  if (path.empty()) return Status::InvalidArgument("--transactions: give the transaction log's file");
  if (customer_col.empty()) return Status::InvalidArgument("--customer-col: name the customer id column");
  if (date_col.empty()) return Status::InvalidArgument("--date-col: name the purchase date column");
  return DelimiterChar(delimiter).status();
}

Result<TransactionLog> ReadTransactionLog(const TransactionFileOptions& options) {
  RETURN_NOT_OK(options.Validate());
  ASSIGN_OR_RETURN(const char delimiter, DelimiterChar(options.delimiter));
  std::ifstream in(options.path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open the transaction log " + options.path);
  TransactionLog log;
  log.source = options.path;
  std::vector<std::string> fields, header;
  std::string line;
  uint32_t line_no = 0;
  std::optional<Columns> columns;
  LogBuilder builder(&log);
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty() || line == "\r") continue;
    if (!SplitFields(line, delimiter, &fields)) {
      return Status::InvalidArgument(
          fmt::format("{}:{}: a quoted field is not closed", options.path, line_no));
    }
    if (!columns) {
      if (options.header) header = fields;
      ASSIGN_OR_RETURN(columns, ResolveColumns(options, header));
      log.has_amount = columns->has_amount;
      if (options.header) continue;
    }
    RETURN_NOT_OK(builder.AddRow(fields, *columns, line_no));
  }
  if (in.bad()) return Status::IOError("cannot read " + options.path);
  if (log.rows.empty()) return Status::InvalidArgument(options.path + ": no transactions in the file");
  return log;
}

}  // namespace custlake::clv
