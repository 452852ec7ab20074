// Plan: every customer active at the newest day of data ranked by expected
// saved value = uplift x CLV - offer cost; the top of the list published as
// raw retention/plan and its totals as raw retention/plan_summary.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "engine/appender.h"
#include "engine/engine.h"
#include "retention/customer_value.h"
#include "retention/model_store.h"
#include "retention/offer_cost.h"
#include "retention/retention.h"

namespace custlake::retention {

namespace {

constexpr double kZ90 = 1.6448536269514722;  // two-sided 90 % normal interval

struct PlanRows {
  const churn::Dataset* data = nullptr;
  std::vector<float> uplift, p_churn, clv;
  std::vector<size_t> targeted;  ///< rows, best first
  std::vector<double> value;     ///< expected saved value per row
  std::vector<double> cost;      ///< the offer's cost per row
  int64_t plan_day = 0;
  std::string model_version;
};

const std::vector<engine::ColumnSpec>& PlanColumns() {
  static const std::vector<engine::ColumnSpec> columns{
      {"customer_id", engine::ColumnType::kBigInt},  {"rank", engine::ColumnType::kBigInt},
      {"uplift", engine::ColumnType::kDouble},       {"p_churn", engine::ColumnType::kDouble},
      {"clv", engine::ColumnType::kDouble},          {"expected_saved_value", engine::ColumnType::kDouble},
      {"offer_cost", engine::ColumnType::kDouble},   {"plan_date", engine::ColumnType::kDate},
      {"model_version", engine::ColumnType::kVarchar},
  };
  return columns;
}

Status FillPlan(engine::Session* session, const PlanRows& p) {
  RETURN_NOT_OK(session->Execute(engine::CreateTableSql("t", PlanColumns())));
  ASSIGN_OR_RETURN(auto appender, engine::Appender::Open(session, "t", PlanColumns()));
  for (size_t i = 0; i < p.targeted.size(); ++i) {
    const size_t r = p.targeted[i];
    appender->SetInt64(0, p.data->ids[r]);
    appender->SetInt64(1, static_cast<int64_t>(i + 1));
    appender->SetDouble(2, p.uplift[r]);
    appender->SetDouble(3, p.p_churn[r]);
    appender->SetDouble(4, p.clv[r]);
    appender->SetDouble(5, p.value[r]);
    appender->SetDouble(6, p.cost[r]);
    appender->SetInt64(7, p.plan_day);
    appender->SetString(8, p.model_version);
    RETURN_NOT_OK(appender->EndRow());
  }
  return appender->Close();
}

struct Totals {
  double saved_customers = 0, saved_value = 0, low = 0, high = 0;
  double mean_cost = 0;  ///< of one offer, over the targeted customers
};

/// Sums over the targeted customers; the interval treats each customer's being saved as an
/// independent Bernoulli(uplift) worth its CLV (a normal approximation; docs/retention.md).
Totals Sum(const PlanRows& p) {
  Totals t;
  double variance = 0;
  for (size_t r : p.targeted) {
    const double u = std::clamp<double>(p.uplift[r], 0, 1);
    t.saved_customers += p.uplift[r];
    t.saved_value += p.value[r];
    variance += static_cast<double>(p.clv[r]) * p.clv[r] * u * (1 - u);
    t.mean_cost += p.cost[r];
  }
  if (!p.targeted.empty()) t.mean_cost /= static_cast<double>(p.targeted.size());
  t.low = t.saved_value - kZ90 * std::sqrt(variance);
  t.high = t.saved_value + kZ90 * std::sqrt(variance);
  return t;
}

std::string SummarySelect(const PlanRows& p, int64_t budget, const Totals& t) {
  return fmt::format(
      "SELECT CAST(DATE '1970-01-01' + INTERVAL {} DAY AS DATE) AS plan_date, CAST({} AS INTEGER) AS budget, "
      "CAST({} AS BIGINT) AS active_customers, CAST({} AS BIGINT) AS targeted, CAST({} AS DOUBLE) AS offer_cost, "
      "CAST({} AS DOUBLE) AS expected_saved_customers, CAST({} AS DOUBLE) AS expected_saved_value, "
      "CAST({} AS DOUBLE) AS saved_value_low, CAST({} AS DOUBLE) AS saved_value_high, {} AS model_version",
      p.plan_day, budget, p.data->rows(), p.targeted.size(), t.mean_cost, t.saved_customers, t.saved_value, t.low,
      t.high, engine::QuoteLiteral(p.model_version));
}

Status CopyToPart(engine::Session* session, const std::string& select, const lake::StagedPart& part) {
  return session->Execute("COPY (" + select + ") TO " + engine::QuoteLiteral(part.staging_path) + " (FORMAT parquet)");
}

/// The plan and its summary in one batch that replaces both datasets' previous rows, so a reader
/// never sees a plan beside another plan's summary.
Result<int64_t> PublishPlan(lake::Lake* lake, const PlanRows& p, int64_t budget, const Totals& totals,
                            const std::string& plan_date) {
  lake::BatchOptions options;
  options.replace = true;
  options.lineage.source = "custlake retention plan";
  options.lineage.extra["plan_date"] = plan_date;
  const lake::DatasetId summary = lake::DatasetId::Raw(kPlanSummaryDataset);
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake->BeginBatch(lake::DatasetId::Raw(kPlanDataset), options));
  RETURN_NOT_OK(batch.ReplaceDataset(summary));
  ASSIGN_OR_RETURN(lake::StagedPart plan_part, batch.NewPart());
  ASSIGN_OR_RETURN(lake::StagedPart summary_part, batch.NewPart(summary, {}));
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  RETURN_NOT_OK(FillPlan(session.get(), p));
  RETURN_NOT_OK(CopyToPart(session.get(),
                           "SELECT customer_id, CAST(rank AS INTEGER) AS rank, uplift, p_churn, clv, "
                           "expected_saved_value, offer_cost, plan_date, model_version FROM t ORDER BY rank",
                           plan_part));
  RETURN_NOT_OK(CopyToPart(session.get(), SummarySelect(p, budget, totals), summary_part));
  RETURN_NOT_OK(batch.AddFile(plan_part, static_cast<int64_t>(p.targeted.size())));
  RETURN_NOT_OK(batch.AddFile(summary_part, 1));
  RETURN_NOT_OK(batch.Commit());
  return batch.id();
}

Result<int64_t> Budget(const PlanOptions& o, size_t active) {
  if (o.budget < 0 || o.budget_share < 0 || o.budget_share > 1) {
    return Status::InvalidArgument("--budget must be a number of customers (N) or a share of the active ones (P%)");
  }
  if (o.budget > 0) return o.budget;
  if (o.budget_share > 0) return static_cast<int64_t>(std::llround(o.budget_share * static_cast<double>(active)));
  return Status::InvalidArgument("--budget is required: how many customers to send the offer to (N, or P% of the "
                                 "active customers)");
}

}  // namespace

Result<nlohmann::json> Plan(const std::string& lake_root, const PlanOptions& options) {
  if (options.offer_cost && !(*options.offer_cost >= 0)) {
    return Status::InvalidArgument("--offer-cost must be a non-negative amount");
  }
  ASSIGN_OR_RETURN(churn::FeatureModel model, churn::LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(StoredModel stored, LoadModel(lake.get()));
  ASSIGN_OR_RETURN(auto session, churn::FeatureSession::Open(lake_root));
  ASSIGN_OR_RETURN(churn::DataRange range, churn::WarehouseDataRange(session.get()));
  if (range.last_day.empty()) return Status::NotFound("the warehouse holds no activity; run `custlake build` first");
  ASSIGN_OR_RETURN(churn::Dataset data,
                   churn::ComputeFeatures(session.get(), model, range.last_day, stored.meta.value("horizon_days", 90)));
  if (data.rows() == 0) return Status::NotFound("no customer is active at " + range.last_day + ": nobody to plan for");
  ASSIGN_OR_RETURN(int64_t budget, Budget(options, data.rows()));
  PlanRows p;
  p.data = &data;
  p.model_version = std::to_string(stored.version);
  ASSIGN_OR_RETURN(p.uplift, PredictUplift(stored.uplift, stored.p_churn, stored.shift, data,
                                                 stored.effect ? &*stored.effect : nullptr));
  ASSIGN_OR_RETURN(p.p_churn, stored.p_churn.Predict(data));
  ASSIGN_OR_RETURN(CustomerValues values, ValuesOf(lake.get(), session->session(), data));
  OfferCosts costs;
  if (options.offer_cost) {
    costs.cost.assign(data.rows(), *options.offer_cost);
    costs.source = "--offer-cost";
  } else {
    ASSIGN_OR_RETURN(costs, DefaultOfferCosts(session->session(), data));
  }
  p.cost = std::move(costs.cost);
  session.reset();
  p.clv = std::move(values.clv);
  p.value.resize(data.rows());
  for (size_t r = 0; r < data.rows(); ++r) p.value[r] = static_cast<double>(p.uplift[r]) * p.clv[r] - p.cost[r];
  std::vector<size_t> order(data.rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return p.value[a] != p.value[b] ? p.value[a] > p.value[b] : data.ids[a] < data.ids[b];
  });
  for (size_t i = 0; i < order.size() && static_cast<int64_t>(i) < budget && p.value[order[i]] > 0; ++i) {
    p.targeted.push_back(order[i]);
  }
  ASSIGN_OR_RETURN(std::chrono::sys_days day, churn::ParseDay(range.last_day, "the last day of data"));
  p.plan_day = day.time_since_epoch().count();
  Totals totals = Sum(p);
  if (options.offer_cost) totals.mean_cost = *options.offer_cost;
  ASSIGN_OR_RETURN(int64_t batch, PublishPlan(lake.get(), p, budget, totals, range.last_day));
  const std::vector<std::string> warnings = ModelWarnings(stored.meta);
  for (const std::string& w : warnings) spdlog::warn("retention plan: {}", w);
  spdlog::info("retention: plan of {} customers at {} (model v{}) into raw/{} and raw/{} (batch {})",
               p.targeted.size(), range.last_day, stored.version, kPlanDataset, kPlanSummaryDataset, batch);
  nlohmann::json top = nlohmann::json::array();
  for (size_t i = 0; i < p.targeted.size(); ++i) {
    const size_t r = p.targeted[i];
    top.push_back({{"rank", i + 1}, {"customer_id", data.ids[r]}, {"uplift", p.uplift[r]}, {"p_churn", p.p_churn[r]},
                   {"clv", p.clv[r]}, {"offer_cost", p.cost[r]}, {"expected_saved_value", p.value[r]}});
    if (top.size() == 20) break;
  }
  return nlohmann::json{{"verb", "retention plan"},
                        {"plan_date", range.last_day},
                        {"model_version", stored.version},
                        {"budget", budget},
                        {"active_customers", data.rows()},
                        {"targeted", p.targeted.size()},
                        {"offer_cost", totals.mean_cost},
                        {"offer_cost_from", costs.source},
                        {"offers", costs.offers},
                        {"expected_saved_customers", totals.saved_customers},
                        {"expected_saved_value", totals.saved_value},
                        {"saved_value_low", totals.low},
                        {"saved_value_high", totals.high},
                        {"value_from", values.source},
                        {"top", top},
                        {"datasets", {std::string("raw/") + kPlanDataset, std::string("raw/") + kPlanSummaryDataset}},
                        {"views", {"raw.retention_plan", "raw.retention_plan_summary"}},
                        {"batch", batch},
                        {"warnings", warnings}};
}

}  // namespace custlake::retention
