#include "retention/dataset.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <unordered_set>

namespace custlake::retention {

namespace {

using std::chrono::days;
using std::chrono::sys_days;

Result<std::unordered_set<int64_t>> TreatedCustomers(churn::FeatureSession* session, const std::string& month_start) {
  const std::string sql = fmt::format(
      "SELECT DISTINCT customer_id FROM fact_customer_activity WHERE activity_type = 'offer_sent' "
      "AND occurred_at >= CAST(DATE '{0}' AS TIMESTAMPTZ) "
      "AND occurred_at < CAST(DATE '{0}' + INTERVAL 1 MONTH AS TIMESTAMPTZ)",
      month_start);
  std::unordered_set<int64_t> out;
  Status parsed = Status::OK();
  RETURN_NOT_OK(session->session()->ForEachString(
      "SELECT CAST(customer_id AS VARCHAR) FROM (" + sql + ")", [&](std::string_view id) {
        try {
          out.insert(std::stoll(std::string(id)));
        } catch (const std::exception&) {
          parsed = Status::Corruption("fact_customer_activity: a customer_id that is not a number: " + std::string(id));
        }
      }));
  RETURN_NOT_OK(parsed);
  return out;
}

}  // namespace

Result<std::string> CutoffOfSendMonth(const std::string& month_start) {
  ASSIGN_OR_RETURN(sys_days first, churn::ParseDay(month_start, "send month"));
  return churn::FormatDay(first - days{1});
}

Result<std::vector<std::string>> OfferMonths(churn::FeatureSession* session) {
  ASSIGN_OR_RETURN(engine::QueryResult result,
                   session->session()->Query(
                       "SELECT CAST(CAST(date_trunc('month', occurred_at) AS DATE) AS VARCHAR) AS m, count(*) "
                       "FROM fact_customer_activity WHERE activity_type = 'offer_sent' GROUP BY 1 ORDER BY 1"));
  std::vector<std::string> months;
  for (size_t r = 0; r < result.rows.size(); ++r) {
    if (!result.nulls[r][0]) months.push_back(result.rows[r][0]);
  }
  if (months.empty()) {
    return Status::NotFound(
        "the warehouse holds no offers (fact_customer_activity has no 'offer_sent' rows): retention learns from "
        "past campaigns; import the offer assignments (stg_offer_assignments) and run `custlake build`");
  }
  return months;
}

Result<SendMonthPlan> PlanSendMonths(const std::vector<std::string>& offer_months, const churn::DataRange& range,
                                     const PeriodOptions& options) {
  if (range.first_usage_day.empty() || range.last_day.empty()) {
    return Status::NotFound("the warehouse holds no usage activity; run import, ingest and `custlake build` first");
  }
  ASSIGN_OR_RETURN(sys_days first, churn::ParseDay(range.first_usage_day, "the first usage day"));
  ASSIGN_OR_RETURN(sys_days last, churn::ParseDay(range.last_day, "the last day of data"));
  SendMonthPlan plan;
  plan.offer_months = offer_months;
  std::vector<sys_days> usable;
  for (const std::string& m : offer_months) {
    ASSIGN_OR_RETURN(sys_days start, churn::ParseDay(m, "send month"));
    const sys_days cutoff = start - days{1};
    if (cutoff >= first + days{options.min_history_days - 1} && cutoff + days{options.horizon_days} <= last) {
      usable.push_back(start);
    }
  }
  if (usable.size() < 2) {
    return Status::InvalidArgument(fmt::format(
        "{} of the {} months with offers ({} .. {}) have {} days of usage history before them and their {}-day "
        "horizon observed (data {} .. {}); training and validation need at least 2 such months, more with the "
        "gap between them: use more months of data (e.g. `custlake generate --months 12`)",
        usable.size(), offer_months.size(), offer_months.front(), offer_months.back(), options.min_history_days,
        options.horizon_days, range.first_usage_day, range.last_day));
  }
  const size_t v = std::min<size_t>(options.validation_months, usable.size() - 1);
  const sys_days first_validation_cutoff = usable[usable.size() - v] - days{1};
  for (size_t i = usable.size() - v; i < usable.size(); ++i) plan.validation.push_back(churn::FormatDay(usable[i]));
  for (size_t i = 0; i < usable.size() - v; ++i) {
    if (usable[i] - days{1} + days{options.horizon_days} <= first_validation_cutoff) {
      plan.train.push_back(churn::FormatDay(usable[i]));
    }
  }
  if (static_cast<int>(plan.train.size()) > options.train_months) {
    plan.train.erase(plan.train.begin(), plan.train.end() - options.train_months);
  }
  if (plan.train.empty()) {
    return Status::InvalidArgument(fmt::format(
        "no training month: a training send month's {}-day horizon must end by the validation cutoff {} (months "
        "with offers and history: {} .. {}); use more months of data",
        options.horizon_days, churn::FormatDay(first_validation_cutoff), churn::FormatDay(usable.front()),
        churn::FormatDay(usable.back())));
  }
  return plan;
}

Result<MonthRows> ComputeMonthRows(churn::FeatureSession* session, const churn::FeatureModel& model,
                                   const std::vector<std::string>& months, int horizon_days) {
  MonthRows out;
  std::vector<std::string> cutoffs;
  for (const std::string& m : months) {
    ASSIGN_OR_RETURN(std::string cutoff, CutoffOfSendMonth(m));
    cutoffs.push_back(cutoff);
  }
  // Every month's cutoff in one pass over the facts (the same rows as one at a time).
  ASSIGN_OR_RETURN(std::vector<churn::Dataset> each, churn::ComputeFeatures(session, model, cutoffs, horizon_days));
  for (size_t i = 0; i < months.size(); ++i) {
    const std::string& m = months[i];
    const std::string& cutoff = cutoffs[i];
    churn::Dataset one = std::move(each[i]);
    ASSIGN_OR_RETURN(auto treated, TreatedCustomers(session, m));
    ASSIGN_OR_RETURN(sys_days day, churn::ParseDay(m, "send month"));
    int64_t n_treated = 0;
    for (int64_t id : one.ids) {
      const bool t = treated.count(id) > 0;
      n_treated += t;
      out.rows.treated.push_back(t ? 1.0f : 0.0f);
      out.rows.group.push_back(static_cast<uint64_t>(id));
      out.send_day.push_back(static_cast<int32_t>(day.time_since_epoch().count()));
    }
    spdlog::info("retention: send month {}: {} active customers at {}, {} sent an offer, {} churned within {} days",
                 m.substr(0, 7), one.rows(), cutoff, n_treated, one.Positives(), horizon_days);
    RETURN_NOT_OK(out.rows.data.Append(one));
  }
  return out;
}

}  // namespace custlake::retention
