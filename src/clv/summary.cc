#include "clv/summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>

namespace custlake::clv {
namespace {

// One transaction day of one customer: purchases on the same day summed.
struct Day {
  int64_t day;
  double amount;
};

Status CheckCalibrationEnd(const TransactionLog& log, const SummaryOptions& o) {
  const auto first =
      std::min_element(log.rows.begin(), log.rows.end(),
                       [](const Transaction& a, const Transaction& b) { return a.day < b.day; });
  if (o.calibration_end < first->day) {
    return Status::InvalidArgument(
        fmt::format("--calibration-end {} is before the first purchase ({}:{}, {}): no customer has a "
                    "calibration period; "
                    "give a later date",
                    FormatDay(o.calibration_end), log.source, first->line, FormatDay(first->day)));
  }
  if (o.holdout_end && *o.holdout_end <= o.calibration_end) {
    return Status::InvalidArgument(fmt::format("--holdout-end {} must be after --calibration-end {}",
                                               FormatDay(*o.holdout_end), FormatDay(o.calibration_end)));
  }
  return Status::OK();
}

// Row indices ordered by customer, then day.
std::vector<uint32_t> OrderByCustomerDay(const TransactionLog& log) {
  std::vector<uint32_t> order(log.rows.size());
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&log](uint32_t a, uint32_t b) {
    const Transaction &ta = log.rows[a], &tb = log.rows[b];
    return ta.customer != tb.customer ? ta.customer < tb.customer : ta.day < tb.day;
  });
  return order;
}

class Summariser {
 public:
  Summariser(const SummaryOptions& o, int64_t start_day, SummaryTable* out)
      : o_(o), upd_(DaysPerUnit(o.unit)), last_day_(o.holdout_end.value_or(o.calibration_end)), out_(out) {
    out_->start_day = start_day;
    out_->repeats_per_day.assign(static_cast<size_t>(last_day_ - start_day + 1), 0);
  }

  void Add(const std::string& id, const std::vector<Day>& days) {
    if (days.front().day > o_.calibration_end) {
      ++out_->customers_after_calibration;
      return;
    }
    CustomerSummary c;
    const int64_t first = days.front().day;
    c.first = static_cast<double>(first - out_->start_day) / upd_;
    int64_t last_cal = first;
    double repeat_spend = 0;
    for (size_t i = 1; i < days.size() && days[i].day <= last_day_; ++i) {
      ++out_->repeats_per_day[static_cast<size_t>(days[i].day - out_->start_day)];
      if (days[i].day <= o_.calibration_end) {
        c.x += 1;
        last_cal = days[i].day;
        repeat_spend += days[i].amount;
      } else {
        c.x_holdout += 1;
      }
    }
    c.t_x = static_cast<double>(last_cal - first) / upd_;
    c.T = static_cast<double>(o_.calibration_end - first) / upd_;
    c.spend = c.x > 0 ? repeat_spend / c.x : 0;
    out_->ids.push_back(id);
    out_->customers.push_back(c);
  }

 private:
  const SummaryOptions& o_;
  const double upd_;
  const int64_t last_day_;
  SummaryTable* out_;
};

}  // namespace

Result<SummaryTable> BuildSummaries(const TransactionLog& log, const SummaryOptions& options) {
  if (log.rows.empty()) return Status::InvalidArgument(log.source + ": no transactions");
  RETURN_NOT_OK(CheckCalibrationEnd(log, options));
  SummaryTable out;
  out.unit = options.unit;
  out.has_spend = log.has_amount;
  out.calibration_end = options.calibration_end;
  if (options.holdout_end) {
    out.holdout_length =
        static_cast<double>(*options.holdout_end - options.calibration_end) / DaysPerUnit(options.unit);
  }
  const std::vector<uint32_t> order = OrderByCustomerDay(log);
  int64_t start_day = log.rows[order.front()].day;
  for (uint32_t i : order) start_day = std::min(start_day, log.rows[i].day);
  Summariser summariser(options, start_day, &out);
  std::vector<Day> days;
  for (size_t i = 0; i < order.size();) {
    const uint32_t customer = log.rows[order[i]].customer;
    days.clear();
    for (; i < order.size() && log.rows[order[i]].customer == customer; ++i) {
      const Transaction& t = log.rows[order[i]];
      if (!days.empty() && days.back().day == t.day) {
        days.back().amount += t.amount;
      } else {
        days.push_back({t.day, t.amount});
      }
    }
    summariser.Add(log.customer_ids[customer], days);
  }
  return out;
}

namespace {

struct SummaryColumns {
  int id = -1, x = -1, t_x = -1, T = -1, spend = -1;
};

int FindColumn(const std::vector<std::string>& header, std::initializer_list<std::string_view> names) {
  for (size_t i = 0; i < header.size(); ++i) {
    for (std::string_view n : names) {
      if (header[i] == n) return static_cast<int>(i);
    }
  }
  return -1;
}

Result<double> Number(const std::vector<std::string>& f, int col, const std::string& where,
                      const char* name) {
  double v = 0;
  const std::string& s = f[static_cast<size_t>(col)];
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) {
    return Status::InvalidArgument(fmt::format("{}: {} '{}' is not a number", where, name, s));
  }
  return v;
}

Status CheckSummaryRow(const CustomerSummary& c, const std::string& where) {
  if (c.x < 0 || c.x != std::floor(c.x))
    return Status::InvalidArgument(where + ": x must be a whole number >= 0");
  if (c.T <= 0) return Status::InvalidArgument(where + ": T must be > 0");
  if (c.t_x < 0 || c.t_x > c.T) return Status::InvalidArgument(where + ": t_x must be between 0 and T");
  if (c.x == 0 && c.t_x != 0) return Status::InvalidArgument(where + ": t_x must be 0 when x is 0");
  if (c.spend < 0) return Status::InvalidArgument(where + ": spend is negative");
  return Status::OK();
}

}  // namespace

Result<SummaryTable> ReadSummaryCsv(const std::string& path, TimeUnit unit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open the summary file " + path);
  SummaryTable out;
  out.unit = unit;
  std::string line;
  std::vector<std::string> f;
  SummaryColumns cols;
  for (uint32_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.empty() || line == "\r") continue;
    if (!SplitFields(line, ',', &f))
      return Status::InvalidArgument(fmt::format("{}:{}: unclosed quote", path, line_no));
    if (line_no == 1) {
      cols = {FindColumn(f, {"id", "ID", "cust", "customer", "customer_id"}),
              FindColumn(f, {"x", "frequency"}), FindColumn(f, {"t_x", "t.x", "recency"}),
              FindColumn(f, {"T", "T.cal"}), FindColumn(f, {"spend", "zbar", "m.x", "monetary_value"})};
      if (cols.x < 0 || cols.t_x < 0 || cols.T < 0) {
        return Status::InvalidArgument(path + ":1: the header must name the columns x, t_x and T");
      }
      out.has_spend = cols.spend >= 0;
      continue;
    }
    const std::string where = fmt::format("{}:{}", path, line_no);
    const int needed = std::max({cols.id, cols.x, cols.t_x, cols.T, cols.spend}) + 1;
    if (static_cast<int>(f.size()) < needed) return Status::InvalidArgument(where + ": too few fields");
    CustomerSummary c;
    ASSIGN_OR_RETURN(c.x, Number(f, cols.x, where, "x"));
    ASSIGN_OR_RETURN(c.t_x, Number(f, cols.t_x, where, "t_x"));
    ASSIGN_OR_RETURN(c.T, Number(f, cols.T, where, "T"));
    if (cols.spend >= 0) {
      ASSIGN_OR_RETURN(c.spend, Number(f, cols.spend, where, "spend"));
    }
    RETURN_NOT_OK(CheckSummaryRow(c, where));
    out.ids.push_back(cols.id >= 0 ? f[static_cast<size_t>(cols.id)] : std::to_string(out.ids.size() + 1));
    out.customers.push_back(c);
  }
  if (out.customers.empty()) return Status::InvalidArgument(path + ": no customers in the file");
  return out;
}

}  // namespace custlake::clv
