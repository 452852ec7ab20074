// The dashboard's numbers held in memory per lake generation, as BI tools'
// "import mode" holds a model: GET /api/dashboard and /api/at-risk answered in
// about a millisecond for any filters, instead of DuckDB statements (~60-100 ms
// of CPU at 1 M customers for a filter combination no one asked before).
//
// Built once per generation, off the request path (WarmDashboard, when the
// generation's dashboard database has opened), from the tables that database
// already holds, each read with one streamed query: the customers' spans of
// months with unchanged segment, region and plan (dashboard.customer_attributes:
// the customer as a dense index, the attributes as small ids, first and last
// month), their CLV and churn probability as arrays by that index
// (dashboard.clv_scores, dashboard.churn_scores, with the churn reasons), the
// at-risk list's names and current attributes (dim_customer), and the small
// monthly marts (mart_dashboard_months, mart_dashboard_cohorts). The rows are
// grouped by combination of attribute ids, so an answer reads only the groups
// its filters select: the spans overlapping its date range give its customers,
// each once through a bitset (SELECT DISTINCT), and the mart rows its series;
// each part is computed exactly as its SQL file computes it
// (src/serve/dashboard/*.sql stay the definition: the server answers from
// them while the index builds, and for versions it cannot hold: Build's
// errors). DashboardIndexTest.TheIndexAnswersEveryFilterAsTheSqlDoes holds the
// two equal.
//
// Immutable once built; Answer() and AtRisk() may be called from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "query/lake_session.h"

namespace custlake::serve {

__extension__ typedef __int128 Int128;  // __extension__: quiet under -Wpedantic
__extension__ typedef unsigned __int128 Uint128;

class DashboardIndex {
 public:
  using Filters = std::vector<std::optional<std::string>>;  ///< segment, region, plan, from, to

  /// Reads the generation's dashboard tables through `session` (a dashboard
  /// session: DashboardSandbox). NotFound when the version lacks the marts;
  /// InvalidArgument naming the table and value when the data holds what the
  /// index does not model (a customer scored twice, a NULL month, a non-DECIMAL
  /// revenue, ...): then the SQL answers.
  static Result<std::unique_ptr<DashboardIndex>> Build(query::LakeSession& session);

  /// The dashboard's body for `filters` (5 values as the SQL's $1..$5): kpis,
  /// churn_by_month, cohort_retention, usage_trend, tickets_vs_churn and
  /// clv_distribution, as http_api_dashboard.cc's SQL path writes them
  /// (avg_clv null without CLV, value_at_risk null without both scores,
  /// clv_distribution null without CLV). nullopt when a date does not parse
  /// as one (the SQL path says why).
  std::optional<nlohmann::json> Answer(const Filters& filters, bool has_clv, bool has_churn) const;

  /// GET /api/at-risk's rows for `filters` and `limit`, as at_risk.sql gives them: the filtered
  /// customers with a current dim_customer row, a churn score and a CLV score, by value at risk
  /// (CLV × churn probability; NULL last), highest first, then by customer id; each row's name,
  /// current segment and plan, p_churn, clv, value_at_risk and reasons (those not empty). nullopt
  /// when a date does not parse, or when the index could not hold the list (has_at_risk()).
  std::optional<nlohmann::json> AtRisk(const Filters& filters, int64_t limit) const;
  bool has_at_risk() const { return has_people_; }

  size_t customers() const { return customer_ids_.size(); }
  size_t spans() const { return spans_.size(); }
  size_t mart_rows() const { return months_.size() + cohorts_.size(); }
  /// Bytes the index holds (its arrays' capacity).
  size_t MemoryBytes() const;

  /// A value's id among a dimension's values, in byte order, NULL last (ids in
  /// sort order, so ordering by id orders as SQL's ORDER BY does).
  struct Dimension {
    std::vector<std::string> values;
    bool has_null = false;
    uint16_t null_id() const { return static_cast<uint16_t>(values.size()); }
  };

 private:
  DashboardIndex() = default;
  struct Span {
    uint32_t customer;                ///< dense index into customer_ids_
    int32_t first_month, last_month;  ///< months since year 0 (year * 12 + month - 1)
  };
  struct MonthRow {
    int32_t month;
    uint16_t dims[3];
    uint16_t tickets;  ///< slot in ticket_values_
    int64_t subscribers, churned, retained, usage_events, months_with_usage;
    Int128 revenue;  ///< DECIMAL, scaled by 10^revenue_scale_; 0 where NULL
  };
  struct CohortRow {
    int32_t month;
    uint16_t dims[3];
    uint32_t cell;  ///< cohort slot * tenure_values_.size() + tenure slot
    int64_t customer_months, retained;
  };
  friend class DashboardIndexBuilder;

  /// The filters as ids and months: false when a date does not parse (as DuckDB's CAST would refuse).
  bool Select(const Filters& filters, int32_t want[3], int32_t& from, int32_t& to) const;
  /// Calls fn(k) for each combination k of attribute ids the filters `want` select.
  template <typename Fn>
  void ForEachCombo(const int32_t want[3], Fn fn) const;
  /// Calls fn(customer) once for each customer with a span the filters select (SELECT DISTINCT), in no
  /// particular order; returns those customers as a bitset over the dense indexes.
  template <typename Fn>
  std::vector<uint64_t> ForEachCustomer(const int32_t want[3], int32_t from, int32_t to, Fn fn) const;
  nlohmann::json Customers(const int32_t want[3], int32_t from, int32_t to, bool has_clv, bool has_churn,
                           nlohmann::json& kpis) const;
  nlohmann::json MonthSeries(const int32_t want[3], int32_t from, int32_t to, nlohmann::json& kpis) const;
  nlohmann::json Cohorts(const int32_t want[3], int32_t from, int32_t to) const;

  Dimension dims_[3];
  std::vector<int64_t> customer_ids_;  ///< by dense index, ascending
  std::vector<double> clv_, churn_;    ///< by dense index (valid where the flag says)
  /// bit 0: a non-NULL CLV, bit 1: a non-NULL churn probability, bit 2: a CLV row, bit 3: a churn
  /// row, bit 4: a current dim_customer row (the at-risk list's joins), bit 5: its name is NULL
  std::vector<uint8_t> scored_;
  // The at-risk list's columns, by dense index (where bit 4 is set): the name in names_, the
  // current segment and plan and the three churn reasons as ids into texts_ (kNoText: NULL).
  struct Person {
    uint32_t name_begin = 0, name_end = 0;
    uint16_t segment = 0, plan = 0;
    uint16_t reasons[3] = {0, 0, 0};
  };
  static constexpr uint16_t kNoText = 0xFFFF;
  bool has_people_ = false;
  std::vector<Person> people_;
  std::string names_;
  std::vector<std::string> texts_;
  // The rows grouped by their combination of attribute ids k = (segment * regions + region) * plans +
  // plan (each count with the NULL id): combination k's rows are [X_begin_[k], X_begin_[k + 1]), so a
  // filter reads only the groups it selects; the spans in customer order within each.
  std::vector<Span> spans_;
  std::vector<MonthRow> months_;
  std::vector<CohortRow> cohorts_;
  std::vector<uint32_t> span_begin_, month_begin_, cohort_begin_;
  std::vector<int64_t> ticket_values_;  ///< ascending
  std::vector<int32_t> cohort_values_;  ///< months, ascending
  std::vector<int64_t> tenure_values_;  ///< ascending
  int32_t first_month_ = 0, last_month_ = -1;  ///< mart_dashboard_months' range
  int revenue_scale_ = 0;
};

/// The index of the generation the server serves, built by the warm-up thread.
class DashboardIndexes {
 public:
  /// The index of `generation`, or null (not built, or could not be).
  std::shared_ptr<const DashboardIndex> Get(int64_t generation) const;
  /// Whether Put was called for `generation` (with an index or null).
  bool Tried(int64_t generation) const;
  void Put(int64_t generation, std::shared_ptr<const DashboardIndex> index);

 private:
  mutable std::mutex mu_;
  int64_t generation_ = -1;
  std::shared_ptr<const DashboardIndex> index_;
};

}  // namespace custlake::serve
