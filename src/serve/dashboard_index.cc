// DashboardIndex::Answer: the six parts of GET /api/dashboard from memory,
// each computed as its file in src/serve/dashboard/ computes it.
#include "serve/dashboard_index.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <climits>
#include <cmath>

namespace custlake::serve {

namespace {

constexpr int32_t kAny = -1, kNothing = -2;  ///< a filter not given; a value no row has

/// A filter date ("2025-03-15", as ParseFilters admits) as its month since year 0; nullopt when
/// DuckDB's CAST to DATE would refuse it (no such day), so the SQL path answers with its error.
std::optional<int32_t> FilterMonth(const std::string& text) {
  int year = 0, month = 0, day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (std::from_chars(text.data(), text.data() + 4, year).ec != std::errc() ||
      std::from_chars(text.data() + 5, text.data() + 7, month).ec != std::errc() ||
      std::from_chars(text.data() + 8, text.data() + 10, day).ec != std::errc()) {
    return std::nullopt;
  }
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] + (month == 2 && leap)) {
    return std::nullopt;
  }
  return year * 12 + month - 1;
}

/// strftime(month, '%Y-%m').
std::string MonthText(int32_t month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", month / 12, month % 12 + 1);
  return text;
}

/// A DECIMAL scaled by 10^scale as DuckDB writes it ("-12.30").
std::string DecimalText(Int128 value, int scale) {
  const bool negative = value < 0;
  Uint128 magnitude = negative ? -static_cast<Uint128>(value) : value;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  } while (magnitude != 0);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale)) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return negative ? "-" + digits : digits;
}

/// A/B as DuckDB's `/` on two BIGINTs gives it (a DOUBLE; NULL where B is 0).
nlohmann::json Ratio(int64_t a, int64_t b) {
  return b == 0 ? nlohmann::json() : nlohmann::json(static_cast<double>(a) / static_cast<double>(b));
}

/// A DOUBLE as the API writes it (WebValue: "inf", "nan" as text).
nlohmann::json DoubleJson(double value) {
  if (std::isfinite(value)) return value;
  return std::isnan(value) ? "nan" : value > 0 ? "inf" : "-inf";
}

}  // namespace

template <typename Fn>
void DashboardIndex::ForEachCombo(const int32_t want[3], Fn fn) const {
  int32_t n[3], lo[3], hi[3];
  for (int d = 0; d < 3; d++) {
    if (want[d] == kNothing) return;
    n[d] = static_cast<int32_t>(dims_[d].values.size()) + 1;
    lo[d] = want[d] == kAny ? 0 : want[d];
    hi[d] = want[d] == kAny ? n[d] : want[d] + 1;
  }
  for (int32_t s = lo[0]; s < hi[0]; s++)
    for (int32_t r = lo[1]; r < hi[1]; r++)
      for (int32_t p = lo[2]; p < hi[2]; p++) fn(static_cast<size_t>((s * n[1] + r) * n[2] + p));
}

bool DashboardIndex::Select(const Filters& filters, int32_t want[3], int32_t& from, int32_t& to) const {
  for (int d = 0; d < 3; d++) {
    if (d >= static_cast<int>(filters.size()) || !filters[d]) {
      want[d] = kAny;
      continue;
    }
    const auto& values = dims_[d].values;
    auto it = std::lower_bound(values.begin(), values.end(), *filters[d]);
    want[d] = it != values.end() && *it == *filters[d] ? static_cast<int32_t>(it - values.begin()) : kNothing;
  }
  from = INT32_MIN;
  to = INT32_MAX;
  if (filters.size() > 3 && filters[3]) {
    auto month = FilterMonth(*filters[3]);
    if (!month) return false;
    from = *month;
  }
  if (filters.size() > 4 && filters[4]) {
    auto month = FilterMonth(*filters[4]);
    if (!month) return false;
    to = *month;
  }
  return true;
}

template <typename Fn>
std::vector<uint64_t> DashboardIndex::ForEachCustomer(const int32_t want[3], int32_t from, int32_t to, Fn fn) const {
  // Each customer once, as SELECT DISTINCT: a customer may have spans in several selected groups.
  std::vector<uint64_t> seen((customer_ids_.size() + 63) / 64, 0);
  ForEachCombo(want, [&](size_t k) {
    for (uint32_t i = span_begin_[k]; i < span_begin_[k + 1]; i++) {
      const Span& span = spans_[i];
      if (span.last_month < from || span.first_month > to) continue;
      const uint32_t c = span.customer;
      uint64_t& word = seen[c >> 6];
      const uint64_t bit = uint64_t{1} << (c & 63);
      if (word & bit) continue;
      word |= bit;
      fn(c);
    }
  });
  return seen;
}

std::optional<nlohmann::json> DashboardIndex::Answer(const Filters& filters, bool has_clv, bool has_churn) const {
  int32_t want[3], from = 0, to = 0;
  if (!Select(filters, want, from, to)) return std::nullopt;
  nlohmann::json body;
  nlohmann::json kpis = nlohmann::json::object();
  const nlohmann::json series = MonthSeries(want, from, to, kpis);
  for (const char* name : {"churn_by_month", "usage_trend", "tickets_vs_churn"}) body[name] = series[name];
  body["cohort_retention"] = Cohorts(want, from, to);
  body["clv_distribution"] = Customers(want, from, to, has_clv, has_churn, kpis);
  body["kpis"] = std::move(kpis);
  return body;
}

// kpis.sql's two CLV figures and clv_distribution.sql: the customers with a span the filters select
// (filtered_customers.sql), each once, joined to their scores.
nlohmann::json DashboardIndex::Customers(const int32_t want[3], int32_t from, int32_t to, bool has_clv,
                                         bool has_churn, nlohmann::json& kpis) const {
  int64_t clv_count = 0, risk_count = 0;
  double clv_sum = 0, risk_sum = 0, lo = 0, hi = 0;
  bool any_finite = false;
  const std::vector<uint64_t> selected = ForEachCustomer(want, from, to, [&](uint32_t c) {
    const uint8_t scored = scored_[c];
    if (!(scored & 1)) return;
    const double clv = clv_[c];
    clv_count++;
    clv_sum += clv;
    if (scored & 2) {
      risk_count++;
      risk_sum += clv * churn_[c];
    }
    if (std::isfinite(clv)) {
      lo = any_finite ? std::min(lo, clv) : clv;
      hi = any_finite ? std::max(hi, clv) : clv;
      any_finite = true;
    }
  });
  kpis["avg_clv"] = has_clv && clv_count > 0 ? DoubleJson(clv_sum / static_cast<double>(clv_count)) : nullptr;
  kpis["value_at_risk"] = has_clv && has_churn && risk_count > 0 ? DoubleJson(risk_sum) : nullptr;
  if (!has_clv) return nullptr;
  // bounds: lo = min(clv), width = greatest(max - min, 1e-9) / 10; bucket = least(floor((clv - lo) / width), 9)
  const double width = std::max(hi - lo, 1e-9) / 10;
  int64_t counts[10] = {};
  for (size_t w = 0; any_finite && w < selected.size(); w++) {  // the selected customers again, in index order
    for (uint64_t bits = selected[w]; bits != 0; bits &= bits - 1) {
      const size_t c = w * 64 + static_cast<size_t>(std::countr_zero(bits));
      if (!(scored_[c] & 1) || !std::isfinite(clv_[c])) continue;
      const double bucket = std::floor((clv_[c] - lo) / width);
      counts[std::isnan(bucket) || bucket > 9 ? 9 : static_cast<int>(bucket)]++;
    }
  }
  nlohmann::json rows = nlohmann::json::array();
  for (int bucket = 0; bucket < 10; bucket++) {
    if (counts[bucket] == 0) continue;
    const double b = bucket;
    rows.push_back({{"bucket_low", DoubleJson(lo + b * width)},
                    {"bucket_high", DoubleJson(lo + (b + 1) * width)},
                    {"customers", counts[bucket]}});
  }
  return rows;
}

// kpis.sql's first three KPIs, churn_by_month.sql, usage_trend.sql and tickets_vs_churn.sql: the rows of
// mart_dashboard_months the filters select (filtered_mart.sql), summed by month, segment and tickets.
nlohmann::json DashboardIndex::MonthSeries(const int32_t want[3], int32_t from, int32_t to,
                                           nlohmann::json& kpis) const {
  struct Sums {
    bool any = false;
    int64_t subscribers = 0, churned = 0, retained = 0, usage_events = 0, months_with_usage = 0;
    void Add(const MonthRow& row) {
      any = true;
      subscribers += row.subscribers;
      churned += row.churned;
      retained += row.retained;
      usage_events += row.usage_events;
      months_with_usage += row.months_with_usage;
    }
  };
  const size_t months = static_cast<size_t>(last_month_ - first_month_ + 1);
  const size_t segments = dims_[0].values.size() + 1;
  std::vector<Sums> by_month(months), by_month_segment(months * segments), by_tickets(ticket_values_.size());
  Sums total;
  Int128 revenue = 0;
  int32_t newest = INT32_MIN;
  ForEachCombo(want, [&](size_t k) {
    for (uint32_t i = month_begin_[k]; i < month_begin_[k + 1]; i++) {
      const MonthRow& row = months_[i];
      if (row.month < from || row.month > to) continue;
      const size_t m = static_cast<size_t>(row.month - first_month_);
      by_month[m].Add(row);
      by_month_segment[m * segments + row.dims[0]].Add(row);
      by_tickets[row.tickets].Add(row);
      total.Add(row);
      revenue += row.revenue;
      newest = std::max(newest, row.month);
    }
  });
  kpis["active_customers"] = total.any ? by_month[newest - first_month_].retained : 0;
  kpis["monthly_churn_rate"] = total.any ? Ratio(total.churned, total.subscribers) : nullptr;
  kpis["revenue"] = DecimalText(revenue, revenue_scale_);

  nlohmann::json churn = nlohmann::json::array(), usage = nlohmann::json::array(),
                 tickets = nlohmann::json::array();
  bool used = false;  // from the first month with usage on (usage_trend.sql)
  for (size_t m = 0; m < months; m++) {
    const std::string month = MonthText(first_month_ + static_cast<int32_t>(m));
    for (size_t s = 0; s < segments; s++) {
      const Sums& sums = by_month_segment[m * segments + s];
      if (!sums.any) continue;
      churn.push_back({{"month", month},
                       {"segment", s < dims_[0].values.size() ? nlohmann::json(dims_[0].values[s]) : nullptr},
                       {"churn_rate", Ratio(sums.churned, sums.subscribers)},
                       {"customers", sums.subscribers}});
    }
    used = used || by_month[m].months_with_usage > 0;
    if (used && by_month[m].subscribers > 0) {
      usage.push_back({{"month", month},
                       {"avg_usage", DoubleJson(static_cast<double>(by_month[m].usage_events) /
                                                static_cast<double>(by_month[m].subscribers))}});
    }
  }
  for (size_t t = 0; t < ticket_values_.size(); t++) {
    if (!by_tickets[t].any) continue;
    tickets.push_back({{"tickets", ticket_values_[t]},
                       {"churn_rate", Ratio(by_tickets[t].churned, by_tickets[t].subscribers)},
                       {"customers", by_tickets[t].subscribers}});
  }
  return {{"churn_by_month", std::move(churn)}, {"usage_trend", std::move(usage)}, {"tickets_vs_churn", std::move(tickets)}};
}

// cohort_retention.sql: the rows of mart_dashboard_cohorts the filters select (filtered_cohorts.sql),
// retained summed by (cohort, tenure) over the cohort's size (its customer-months at tenure 0).
nlohmann::json DashboardIndex::Cohorts(const int32_t want[3], int32_t from, int32_t to) const {
  const size_t tenures = tenure_values_.size();
  const auto zero = std::find(tenure_values_.begin(), tenure_values_.end(), 0);
  const size_t tenure0 = static_cast<size_t>(zero - tenure_values_.begin());
  std::vector<int64_t> retained(cohort_values_.size() * tenures, 0), size(cohort_values_.size(), 0);
  std::vector<uint8_t> present(retained.size(), 0), sized(size.size(), 0);
  ForEachCombo(want, [&](size_t k) {
    for (uint32_t i = cohort_begin_[k]; i < cohort_begin_[k + 1]; i++) {
      const CohortRow& row = cohorts_[i];
      if (row.month < from || row.month > to) continue;
      present[row.cell] = 1;
      retained[row.cell] += row.retained;
      if (row.cell % tenures == tenure0) {
        size[row.cell / tenures] += row.customer_months;
        sized[row.cell / tenures] = 1;
      }
    }
  });
  nlohmann::json rows = nlohmann::json::array();
  for (size_t c = 0; c < cohort_values_.size(); c++) {
    if (!sized[c]) continue;  // the join to `sizes` drops a cohort without tenure 0
    const std::string cohort = MonthText(cohort_values_[c]);
    for (size_t t = 0; t < tenures; t++) {
      if (!present[c * tenures + t]) continue;
      rows.push_back({{"cohort", cohort},
                      {"month_offset", tenure_values_[t]},
                      {"retention", Ratio(retained[c * tenures + t], size[c])}});
    }
  }
  return rows;
}

size_t DashboardIndex::MemoryBytes() const {
  size_t bytes = sizeof(*this);
  for (const auto& dim : dims_) {
    for (const auto& value : dim.values) bytes += sizeof(value) + value.capacity();
  }
  bytes += customer_ids_.capacity() * sizeof(int64_t) + (clv_.capacity() + churn_.capacity()) * sizeof(double) +
           scored_.capacity() + spans_.capacity() * sizeof(Span) + months_.capacity() * sizeof(MonthRow) +
           cohorts_.capacity() * sizeof(CohortRow) +
           (span_begin_.capacity() + month_begin_.capacity() + cohort_begin_.capacity()) * sizeof(uint32_t) +
           people_.capacity() * sizeof(Person) + names_.capacity() + ticket_values_.capacity() * sizeof(int64_t) +
           cohort_values_.capacity() * sizeof(int32_t) + tenure_values_.capacity() * sizeof(int64_t);
  return bytes;
}

// at_risk.sql: the filtered customers joined to their current dim_customer row and both scores' rows,
// ORDER BY value_at_risk DESC (DuckDB: NaN above every number, NULL last), customer_id; LIMIT.
std::optional<nlohmann::json> DashboardIndex::AtRisk(const Filters& filters, int64_t limit) const {
  int32_t want[3], from = 0, to = 0;
  if (!has_people_ || !Select(filters, want, from, to)) return std::nullopt;
  struct Candidate {
    int rank;  ///< 0: NaN, 1: a number, 2: NULL
    double value;
    int64_t id;
    uint32_t c;
  };
  auto before = [](const Candidate& a, const Candidate& b) {
    if (a.rank != b.rank) return a.rank < b.rank;
    if (a.rank == 1 && a.value != b.value) return a.value > b.value;
    return a.id < b.id;
  };
  // The best `limit` so far in a heap whose top is the worst of them (a partial sort in one pass).
  const size_t want_rows = static_cast<size_t>(std::max<int64_t>(limit, 0));
  std::vector<Candidate> candidates;
  ForEachCustomer(want, from, to, [&](uint32_t c) {
    const uint8_t scored = scored_[c];
    if ((scored & (4 | 8 | 16)) != (4 | 8 | 16) || want_rows == 0) return;
    const bool known = (scored & 3) == 3;
    const double value = known ? clv_[c] * churn_[c] : 0;
    const Candidate candidate{!known ? 2 : std::isnan(value) ? 0 : 1, value, customer_ids_[c], c};
    if (candidates.size() < want_rows) {
      candidates.push_back(candidate);
      std::push_heap(candidates.begin(), candidates.end(), before);
    } else if (before(candidate, candidates.front())) {
      std::pop_heap(candidates.begin(), candidates.end(), before);
      candidates.back() = candidate;
      std::push_heap(candidates.begin(), candidates.end(), before);
    }
  });
  std::sort_heap(candidates.begin(), candidates.end(), before);
  const size_t n = candidates.size();
  auto text = [&](uint16_t id) { return id == kNoText ? nlohmann::json() : nlohmann::json(texts_[id]); };
  nlohmann::json rows = nlohmann::json::array();
  for (size_t i = 0; i < n; i++) {
    const Candidate& row = candidates[i];
    const Person& person = people_[row.c];
    const uint8_t scored = scored_[row.c];
    nlohmann::json reasons = nlohmann::json::array();
    for (const uint16_t reason : person.reasons) {
      if (reason != kNoText && !texts_[reason].empty()) reasons.push_back(texts_[reason]);
    }
    rows.push_back({{"customer_id", row.id},
                    {"name", scored & 32 ? nlohmann::json()
                                         : nlohmann::json(names_.substr(person.name_begin,
                                                                        person.name_end - person.name_begin))},
                    {"segment", text(person.segment)},
                    {"plan", text(person.plan)},
                    {"p_churn", scored & 2 ? DoubleJson(churn_[row.c]) : nlohmann::json()},
                    {"clv", scored & 1 ? DoubleJson(clv_[row.c]) : nlohmann::json()},
                    {"value_at_risk", row.rank == 2 ? nlohmann::json() : DoubleJson(row.value)},
                    {"reasons", std::move(reasons)}});
  }
  return nlohmann::json{{"rows", std::move(rows)}};
}

std::shared_ptr<const DashboardIndex> DashboardIndexes::Get(int64_t generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation == generation_ ? index_ : nullptr;
}

bool DashboardIndexes::Tried(int64_t generation) const {
  std::lock_guard<std::mutex> lock(mu_);
  return generation == generation_;
}

void DashboardIndexes::Put(int64_t generation, std::shared_ptr<const DashboardIndex> index) {
  std::lock_guard<std::mutex> lock(mu_);
  if (generation < generation_) return;  // an older generation's, finished late
  generation_ = generation;
  index_ = std::move(index);
}

}  // namespace custlake::serve
