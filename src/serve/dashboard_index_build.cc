// DashboardIndex::Build: the generation's dashboard tables read with one
// streamed query each (LakeSession::Stream: DuckDB's text, chunk by chunk).
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>

#include "serve/dashboard_index.h"

namespace custlake::serve {

namespace {

constexpr uint16_t kNullTmp = 0xFFFF;  ///< a NULL attribute before the ids are sorted

/// "2025-03-01" (or "2025-03-01 00:00:00") as months since year 0, when it is a month's first day.
std::optional<int32_t> MonthStart(std::string_view text) {
  if (text.size() != 10 && !(text.size() == 19 && text.substr(10) == " 00:00:00")) return std::nullopt;
  int year = 0, month = 0;
  if (text[4] != '-' || text[7] != '-' || text.substr(8, 2) != "01") return std::nullopt;
  if (std::from_chars(text.data(), text.data() + 4, year).ec != std::errc() ||
      std::from_chars(text.data() + 5, text.data() + 7, month).ec != std::errc() || month < 1 || month > 12) {
    return std::nullopt;
  }
  return year * 12 + month - 1;
}

std::optional<int64_t> Integer(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

/// DuckDB's text of a DOUBLE (shortest round-trip digits, "inf", "-inf", "nan").
std::optional<double> Double(std::string_view text) {
  std::string copy(text);
  char* end = nullptr;
  const double value = std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size()) return std::nullopt;
  return value;
}

/// A DECIMAL's text ("-12.30") as an integer scaled by 10^scale.
std::optional<Int128> Decimal(std::string_view text, int scale) {
  Int128 value = 0;
  bool negative = false, point = false;
  int fraction = 0;
  size_t i = 0;
  if (!text.empty() && text[0] == '-') negative = true, i = 1;
  if (i == text.size()) return std::nullopt;
  for (; i < text.size(); i++) {
    if (text[i] == '.' && !point) {
      point = true;
    } else if (text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + (text[i] - '0');
      if (point) fraction++;
    } else {
      return std::nullopt;
    }
  }
  if (fraction > scale) return std::nullopt;
  for (; fraction < scale; fraction++) value *= 10;
  return negative ? -value : value;
}

/// "DECIMAL(38,2)" → 2; nullopt for any other type.
std::optional<int> DecimalScale(const std::string& type) {
  if (!type.starts_with("DECIMAL(")) return std::nullopt;
  const size_t comma = type.find(',');
  if (comma == std::string::npos) return std::nullopt;
  auto scale = Integer(std::string_view(type).substr(comma + 1, type.size() - comma - 2));
  if (!scale || *scale < 0 || *scale > 38) return std::nullopt;
  return static_cast<int>(*scale);
}

}  // namespace

/// Reads the tables into a DashboardIndex; each refusal names the table and what it found.
class DashboardIndexBuilder {
 public:
  explicit DashboardIndexBuilder(query::LakeSession& session) : session_(session), index_(new DashboardIndex) {}

  Result<std::unique_ptr<DashboardIndex>> Build() {
    for (const char* table : {"mart_dashboard_months", "mart_dashboard_cohorts"}) {
      if (!session_.HasView(table)) return Status::NotFound(std::string("the warehouse version has no ") + table);
    }
    RETURN_NOT_OK(ReadSpans());
    RETURN_NOT_OK(ReadScores("dashboard.clv_scores", "clv_12m", index_->clv_, 1 | 4));
    index_->people_.resize(index_->customer_ids_.size());
    RETURN_NOT_OK(ReadScores("dashboard.churn_scores", "churn_probability", index_->churn_, 2 | 8,
                             ", reason_1, reason_2, reason_3", [this](size_t at, const engine::TextChunk& chunk, size_t r) {
                               for (int k = 0; k < 3; k++) index_->people_[at].reasons[k] = Text(chunk, 2 + k, r);
                             }));
    RETURN_NOT_OK(ReadMonths());
    RETURN_NOT_OK(ReadCohorts());
    RETURN_NOT_OK(SortDimensions());
    RETURN_NOT_OK(GroupByCombination());
    // The at-risk list's names and attributes: without them (a customer with two current rows, which the
    // SQL's join would list twice) the dashboard is still answered here, the list by its SQL.
    const Status people = ReadPeople();
    index_->has_people_ = people.ok();
    if (!people.ok()) {
      index_->people_.clear();
      index_->people_.shrink_to_fit();
      index_->names_.clear();
    }
    return std::move(index_);
  }

 private:
  using Row = std::function<Status(const engine::TextChunk& chunk, size_t row)>;

  /// Streams `sql`, calling `row` for each row; `shape` (if given) sees the columns first.
  Status Stream(const std::string& sql, const Row& row,
                const std::function<Status(const engine::QueryResult&)>& shape = nullptr) {
    return session_.Stream(
        sql, [&](const engine::QueryResult& columns) { return shape ? shape(columns) : Status::OK(); },
        [&](const engine::TextChunk& chunk) {
          for (size_t r = 0; r < chunk.rows; r++) RETURN_NOT_OK(row(chunk, r));
          return Status::OK();
        });
  }

  /// The temporary id of dimension `d`'s value in column `c` (first seen, first numbered).
  Result<uint16_t> Intern(int d, const engine::TextChunk& chunk, size_t c, size_t r) {
    if (chunk.nulls[c][r]) return kNullTmp;
    auto& ids = seen_[d];
    auto it = ids.find(chunk.values[c][r]);
    if (it != ids.end()) return it->second;
    if (ids.size() >= kNullTmp - 1) return Status::InvalidArgument("more than 65,534 values of one filter");
    return ids.emplace(std::string(chunk.values[c][r]), static_cast<uint16_t>(ids.size())).first->second;
  }

  Status Dims(const engine::TextChunk& chunk, size_t r, uint16_t dims[3]) {
    for (int d = 0; d < 3; d++) {
      ASSIGN_OR_RETURN(dims[d], Intern(d, chunk, 1 + d, r));
    }
    return Status::OK();
  }

  static Status Bad(const std::string& table, const std::string& column, std::string_view value) {
    return Status::InvalidArgument(table + "." + column + " holds '" + std::string(value) +
                                   "', which the dashboard's index does not model: its SQL answers");
  }

  Result<int32_t> Month(const engine::TextChunk& chunk, size_t c, size_t r, const std::string& table,
                        const char* column) {
    auto month = chunk.nulls[c][r] ? std::nullopt : MonthStart(chunk.values[c][r]);
    if (!month) return Bad(table, column, chunk.nulls[c][r] ? "NULL" : chunk.values[c][r]);
    return *month;
  }

  Result<int64_t> Count(const engine::TextChunk& chunk, size_t c, size_t r, const std::string& table,
                        const char* column) {
    auto value = chunk.nulls[c][r] ? std::nullopt : Integer(chunk.values[c][r]);
    if (!value) return Bad(table, column, chunk.nulls[c][r] ? "NULL" : chunk.values[c][r]);
    return *value;
  }

  Status ReadSpans() {
    const std::string table = "dashboard.customer_attributes";
    auto& ix = *index_;
    return Stream("SELECT customer_id, segment, region, plan, first_month, last_month FROM " + table +
                      " ORDER BY customer_id, first_month",
                  [&](const engine::TextChunk& chunk, size_t r) -> Status {
                    ASSIGN_OR_RETURN(const int64_t id, Count(chunk, 0, r, table, "customer_id"));
                    if (ix.customer_ids_.empty() || ix.customer_ids_.back() != id) {
                      if (!ix.customer_ids_.empty() && ix.customer_ids_.back() > id) {
                        return Bad(table, "customer_id (out of order)", chunk.values[0][r]);
                      }
                      ix.customer_ids_.push_back(id);
                    }
                    DashboardIndex::Span span{};
                    span.customer = static_cast<uint32_t>(ix.customer_ids_.size() - 1);
                    RETURN_NOT_OK(Dims(chunk, r, span_dims_.emplace_back().data()));
                    ASSIGN_OR_RETURN(span.first_month, Month(chunk, 4, r, table, "first_month"));
                    ASSIGN_OR_RETURN(span.last_month, Month(chunk, 5, r, table, "last_month"));
                    ix.spans_.push_back(span);
                    return Status::OK();
                  });
  }

  /// `column` of `table` by customer into `values`; of `bits`, the row's bit set for every row and the
  /// value's where it is not NULL; one row per customer at most (the SQL joins would repeat a customer
  /// scored twice). `extra` columns, if any, go to `on_extra`.
  Status ReadScores(const std::string& table, const std::string& column, std::vector<double>& values, uint8_t bits,
                    const std::string& extra = "",
                    const std::function<void(size_t, const engine::TextChunk&, size_t)>& on_extra = nullptr) {
    const uint8_t row_bit = bits & (4 | 8), value_bit = bits & (1 | 2);
    auto& ix = *index_;
    values.assign(ix.customer_ids_.size(), 0.0);
    ix.scored_.resize(ix.customer_ids_.size(), 0);
    std::vector<bool> seen(ix.customer_ids_.size(), false);
    return Stream("SELECT customer_id, " + column + extra + " FROM " + table,
                  [&](const engine::TextChunk& chunk, size_t r) -> Status {
                    if (chunk.nulls[0][r]) return Status::OK();  // joins nothing
                    ASSIGN_OR_RETURN(const int64_t id, Count(chunk, 0, r, table, "customer_id"));
                    auto it = std::lower_bound(ix.customer_ids_.begin(), ix.customer_ids_.end(), id);
                    if (it == ix.customer_ids_.end() || *it != id) return Status::OK();  // in no span
                    const size_t at = static_cast<size_t>(it - ix.customer_ids_.begin());
                    if (seen[at]) return Bad(table, "customer_id (twice)", chunk.values[0][r]);
                    seen[at] = true;
                    ix.scored_[at] |= row_bit;
                    if (on_extra) on_extra(at, chunk, r);
                    if (chunk.nulls[1][r]) return Status::OK();
                    auto value = Double(chunk.values[1][r]);
                    if (!value) return Bad(table, column, chunk.values[1][r]);
                    values[at] = *value;
                    ix.scored_[at] |= value_bit;
                    return Status::OK();
                  });
  }

  /// A text column's id among texts_ (kNoText for NULL); the first 65,534 distinct values, then NULL's.
  uint16_t Text(const engine::TextChunk& chunk, size_t c, size_t r) {
    if (chunk.nulls[c][r]) return DashboardIndex::kNoText;
    auto it = texts_.find(chunk.values[c][r]);
    if (it != texts_.end()) return it->second;
    if (texts_.size() >= DashboardIndex::kNoText - 1) {
      too_many_texts_ = true;
      return DashboardIndex::kNoText;
    }
    index_->texts_.emplace_back(chunk.values[c][r]);
    return texts_.emplace(std::string(chunk.values[c][r]), static_cast<uint16_t>(texts_.size())).first->second;
  }

  /// at_risk.sql's dim_customer columns: each customer's current row (at most one).
  Status ReadPeople() {
    const std::string table = "dim_customer";
    auto& ix = *index_;
    RETURN_NOT_OK(Stream(
        "SELECT customer_id, first_name || ' ' || last_name AS name, segment, plan FROM " + table + " WHERE is_current",
        [&](const engine::TextChunk& chunk, size_t r) -> Status {
          ASSIGN_OR_RETURN(const int64_t id, Count(chunk, 0, r, table, "customer_id"));
          auto it = std::lower_bound(ix.customer_ids_.begin(), ix.customer_ids_.end(), id);
          if (it == ix.customer_ids_.end() || *it != id) return Status::OK();  // in no span
          const size_t at = static_cast<size_t>(it - ix.customer_ids_.begin());
          if (ix.scored_[at] & 16) return Bad(table, "customer_id (two current rows)", chunk.values[0][r]);
          ix.scored_[at] |= 16;
          DashboardIndex::Person& person = ix.people_[at];
          if (chunk.nulls[1][r]) {
            ix.scored_[at] |= 32;
          } else {
            person.name_begin = static_cast<uint32_t>(ix.names_.size());
            ix.names_.append(chunk.values[1][r]);
            if (ix.names_.size() >= UINT32_MAX) return Bad(table, "names (over 4 GB)", "");
            person.name_end = static_cast<uint32_t>(ix.names_.size());
          }
          person.segment = Text(chunk, 2, r);
          person.plan = Text(chunk, 3, r);
          return Status::OK();
        }));
    if (too_many_texts_) return Bad(table, "segment, plan and reasons (over 65,534 values)", "");
    ix.names_.shrink_to_fit();
    return Status::OK();
  }

  Status ReadMonths() {
    const std::string table = "mart_dashboard_months";
    auto& ix = *index_;
    std::vector<int64_t> tickets;
    Status status = Stream(
        "SELECT month_start, segment, region, plan, tickets, subscribers, churned, retained, "
        "subscriber_usage_events, months_with_usage, revenue FROM " + table,
        [&](const engine::TextChunk& chunk, size_t r) -> Status {
          DashboardIndex::MonthRow row{};
          ASSIGN_OR_RETURN(row.month, Month(chunk, 0, r, table, "month_start"));
          RETURN_NOT_OK(Dims(chunk, r, row.dims));
          ASSIGN_OR_RETURN(const int64_t t, Count(chunk, 4, r, table, "tickets"));
          tickets.push_back(t);
          ASSIGN_OR_RETURN(row.subscribers, Count(chunk, 5, r, table, "subscribers"));
          ASSIGN_OR_RETURN(row.churned, Count(chunk, 6, r, table, "churned"));
          ASSIGN_OR_RETURN(row.retained, Count(chunk, 7, r, table, "retained"));
          ASSIGN_OR_RETURN(row.usage_events, Count(chunk, 8, r, table, "subscriber_usage_events"));
          ASSIGN_OR_RETURN(row.months_with_usage, Count(chunk, 9, r, table, "months_with_usage"));
          if (!chunk.nulls[10][r]) {  // SQL's sum skips a NULL revenue
            auto revenue = Decimal(chunk.values[10][r], ix.revenue_scale_);
            if (!revenue) return Bad(table, "revenue", chunk.values[10][r]);
            row.revenue = *revenue;
          }
          ix.months_.push_back(row);
          return Status::OK();
        },
        [&](const engine::QueryResult& shape) -> Status {
          auto scale = DecimalScale(shape.types.at(10));
          if (!scale) return Bad(table, "revenue's type", shape.types.at(10));
          ix.revenue_scale_ = *scale;
          return Status::OK();
        });
    RETURN_NOT_OK(status);
    ix.ticket_values_ = tickets;
    std::sort(ix.ticket_values_.begin(), ix.ticket_values_.end());
    ix.ticket_values_.erase(std::unique(ix.ticket_values_.begin(), ix.ticket_values_.end()), ix.ticket_values_.end());
    if (ix.ticket_values_.size() > 4096) return Bad(table, "tickets (too many values)", "");
    for (size_t i = 0; i < ix.months_.size(); i++) {
      ix.months_[i].tickets = static_cast<uint16_t>(
          std::lower_bound(ix.ticket_values_.begin(), ix.ticket_values_.end(), tickets[i]) - ix.ticket_values_.begin());
      ix.first_month_ = i == 0 ? ix.months_[i].month : std::min(ix.first_month_, ix.months_[i].month);
      ix.last_month_ = i == 0 ? ix.months_[i].month : std::max(ix.last_month_, ix.months_[i].month);
    }
    return Status::OK();
  }

  Status ReadCohorts() {
    const std::string table = "mart_dashboard_cohorts";
    auto& ix = *index_;
    std::vector<std::pair<int32_t, int64_t>> keys;  // cohort, tenure
    const Status read = Stream(
        "SELECT month_start, segment, region, plan, cohort, tenure_months, customer_months, retained FROM " + table,
        [&](const engine::TextChunk& chunk, size_t r) -> Status {
          DashboardIndex::CohortRow row{};
          ASSIGN_OR_RETURN(row.month, Month(chunk, 0, r, table, "month_start"));
          RETURN_NOT_OK(Dims(chunk, r, row.dims));
          ASSIGN_OR_RETURN(const int32_t cohort, Month(chunk, 4, r, table, "cohort"));
          ASSIGN_OR_RETURN(const int64_t tenure, Count(chunk, 5, r, table, "tenure_months"));
          keys.emplace_back(cohort, tenure);
          ASSIGN_OR_RETURN(row.customer_months, Count(chunk, 6, r, table, "customer_months"));
          ASSIGN_OR_RETURN(row.retained, Count(chunk, 7, r, table, "retained"));
          ix.cohorts_.push_back(row);
          return Status::OK();
        });
    RETURN_NOT_OK(read);
    for (const auto& [cohort, tenure] : keys) {
      ix.cohort_values_.push_back(cohort);
      ix.tenure_values_.push_back(tenure);
    }
    for (auto* values : {&ix.tenure_values_}) {
      std::sort(values->begin(), values->end());
      values->erase(std::unique(values->begin(), values->end()), values->end());
    }
    std::sort(ix.cohort_values_.begin(), ix.cohort_values_.end());
    ix.cohort_values_.erase(std::unique(ix.cohort_values_.begin(), ix.cohort_values_.end()), ix.cohort_values_.end());
    if (ix.cohort_values_.size() * ix.tenure_values_.size() > (size_t{1} << 22)) {
      return Bad(table, "cohort × tenure_months (too many cells)", "");
    }
    for (size_t i = 0; i < keys.size(); i++) {
      const size_t c = std::lower_bound(ix.cohort_values_.begin(), ix.cohort_values_.end(), keys[i].first) -
                       ix.cohort_values_.begin();
      const size_t t = std::lower_bound(ix.tenure_values_.begin(), ix.tenure_values_.end(), keys[i].second) -
                       ix.tenure_values_.begin();
      ix.cohorts_[i].cell = static_cast<uint32_t>(c * ix.tenure_values_.size() + t);
    }
    return Status::OK();
  }

  /// Renumbers each dimension's values in byte order (as ORDER BY sorts them), NULL after them.
  Status SortDimensions() {
    auto& ix = *index_;
    std::vector<std::vector<uint16_t>> remap(3, std::vector<uint16_t>(0x10000, 0));
    for (int d = 0; d < 3; d++) {
      auto& dim = ix.dims_[d];
      for (const auto& [value, id] : seen_[d]) dim.values.push_back(value);  // std::map: sorted by bytes
      size_t rank = 0;
      for (const auto& [value, id] : seen_[d]) remap[d][id] = static_cast<uint16_t>(rank++);
      remap[d][kNullTmp] = dim.null_id();
    }
    auto apply = [&](uint16_t dims[3]) {
      for (int d = 0; d < 3; d++) {
        if (dims[d] == kNullTmp) ix.dims_[d].has_null = true;
        dims[d] = remap[d][dims[d]];
      }
    };
    for (auto& dims : span_dims_) apply(dims.data());
    for (auto& row : ix.months_) apply(row.dims);
    for (auto& row : ix.cohorts_) apply(row.dims);
    return Status::OK();
  }

  /// Orders `rows` by their combination of attribute ids (stable: the spans stay in customer order
  /// within one), returning where each combination's rows begin (and, last, their count).
  template <typename Row>
  static std::vector<uint32_t> Group(std::vector<Row>& rows, const std::vector<uint32_t>& combos, size_t n) {
    std::vector<uint32_t> begin(n + 1, 0);
    for (const uint32_t k : combos) begin[k + 1]++;
    for (size_t k = 0; k < n; k++) begin[k + 1] += begin[k];
    std::vector<uint32_t> next(begin.begin(), begin.end() - 1);
    std::vector<Row> grouped(rows.size());
    for (size_t i = 0; i < rows.size(); i++) grouped[next[combos[i]]++] = rows[i];
    rows = std::move(grouped);
    return begin;
  }

  Status GroupByCombination() {
    auto& ix = *index_;
    size_t n[3], combos = 1;
    for (int d = 0; d < 3; d++) combos *= n[d] = ix.dims_[d].values.size() + 1;
    if (combos > (size_t{1} << 20)) return Status::InvalidArgument("too many combinations of segment, region and plan");
    if (ix.spans_.size() >= UINT32_MAX || ix.cohorts_.size() >= UINT32_MAX) {
      return Status::InvalidArgument("too many rows for the dashboard's index");
    }
    auto combo = [&](const uint16_t dims[3]) { return static_cast<uint32_t>((dims[0] * n[1] + dims[1]) * n[2] + dims[2]); };
    std::vector<uint32_t> keys;
    for (const auto& dims : span_dims_) keys.push_back(combo(dims.data()));
    ix.span_begin_ = Group(ix.spans_, keys, combos);
    keys.clear();
    for (const auto& row : ix.months_) keys.push_back(combo(row.dims));
    ix.month_begin_ = Group(ix.months_, keys, combos);
    keys.clear();
    for (const auto& row : ix.cohorts_) keys.push_back(combo(row.dims));
    ix.cohort_begin_ = Group(ix.cohorts_, keys, combos);
    for (auto* v : {&ix.customer_ids_}) v->shrink_to_fit();
    ix.clv_.shrink_to_fit();
    ix.churn_.shrink_to_fit();
    ix.scored_.shrink_to_fit();
    return Status::OK();
  }

  query::LakeSession& session_;
  std::unique_ptr<DashboardIndex> index_;
  std::vector<std::array<uint16_t, 3>> span_dims_;  ///< spans_' attribute ids, until grouped
  std::map<std::string, uint16_t, std::less<>> texts_;  ///< index_->texts_' ids
  bool too_many_texts_ = false;
  std::map<std::string, uint16_t, std::less<>> seen_[3];
};

Result<std::unique_ptr<DashboardIndex>> DashboardIndex::Build(query::LakeSession& session) {
  return DashboardIndexBuilder(session).Build();
}

}  // namespace custlake::serve
