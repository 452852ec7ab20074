// Export: the training and validation rows the learner uses, as a file the
// benchmark's Python side reads (docs/retention.md, "Export").
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <filesystem>

#include "engine/appender.h"
#include "engine/engine.h"
#include "retention/retention.h"

namespace custlake::retention {

namespace {

std::vector<engine::ColumnSpec> ExportColumns(const churn::Dataset& d) {
  std::vector<engine::ColumnSpec> columns{{"customer_id", engine::ColumnType::kBigInt},
                                          {"send_date", engine::ColumnType::kDate},
                                          {"period", engine::ColumnType::kVarchar},
                                          {"treated", engine::ColumnType::kBigInt},
                                          {"churned", engine::ColumnType::kBigInt}};
  for (const std::string& f : d.feature_names) columns.push_back({f, engine::ColumnType::kDouble});
  return columns;
}

Status AppendPeriod(engine::Appender* a, const MonthRows& m, const std::string& period) {
  const churn::Dataset& d = m.rows.data;
  for (size_t r = 0; r < d.rows(); ++r) {
    a->SetInt64(0, d.ids[r]);
    a->SetInt64(1, m.send_day[r]);
    a->SetString(2, period);
    a->SetInt64(3, m.rows.treated[r] > 0.5f);
    a->SetInt64(4, d.y[r] > 0.5f);
    for (size_t c = 0; c < d.cols(); ++c) {
      const float v = d.Row(r)[c];
      if (std::isnan(v)) {
        a->SetNull(5 + c);
      } else {
        a->SetDouble(5 + c, v);
      }
    }
    RETURN_NOT_OK(a->EndRow());
  }
  return Status::OK();
}

}  // namespace

Result<nlohmann::json> ExportDataset(const std::string& lake_root, const PeriodOptions& periods, const std::string& out) {
  const bool parquet = out.ends_with(".parquet");
  if (!parquet && !out.ends_with(".csv")) {
    return Status::InvalidArgument("--out " + out + ": name a .parquet or .csv file");
  }
  ASSIGN_OR_RETURN(churn::FeatureModel model, churn::LoadFeatureModel());
  ASSIGN_OR_RETURN(auto session, churn::FeatureSession::Open(lake_root));
  ASSIGN_OR_RETURN(churn::DataRange range, churn::WarehouseDataRange(session.get()));
  ASSIGN_OR_RETURN(std::vector<std::string> offer_months, OfferMonths(session.get()));
  ASSIGN_OR_RETURN(SendMonthPlan plan, PlanSendMonths(offer_months, range, periods));
  ASSIGN_OR_RETURN(MonthRows train, ComputeMonthRows(session.get(), model, plan.train, periods.horizon_days));
  ASSIGN_OR_RETURN(MonthRows valid, ComputeMonthRows(session.get(), model, plan.validation, periods.horizon_days));
  session.reset();
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto s, db->Connect());
  const auto columns = ExportColumns(train.rows.data);
  RETURN_NOT_OK(s->Execute(engine::CreateTableSql("rows", columns)));
  {
    ASSIGN_OR_RETURN(auto appender, engine::Appender::Open(s.get(), "rows", columns));
    RETURN_NOT_OK(AppendPeriod(appender.get(), train, "train"));
    RETURN_NOT_OK(AppendPeriod(appender.get(), valid, "validation"));
    RETURN_NOT_OK(appender->Close());
  }
  std::error_code ec;
  const auto parent = std::filesystem::path(out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  const std::string tmp = out + ".tmp";
  RETURN_NOT_OK(s->Execute("COPY rows TO " + engine::QuoteLiteral(tmp) +
                           (parquet ? " (FORMAT parquet)" : " (FORMAT csv, HEADER true)"))
                    .WithContext("writing " + out));
  std::filesystem::rename(tmp, out, ec);
  if (ec) return Status::IOError("cannot rename " + tmp + " to " + out + ": " + ec.message());
  spdlog::info("retention: exported {} training and {} validation rows to {}", train.rows.data.rows(),
               valid.rows.data.rows(), out);
  return nlohmann::json{{"verb", "retention export-dataset"},
                        {"out", out},
                        {"rows", {{"train", train.rows.data.rows()}, {"validation", valid.rows.data.rows()}}},
                        {"train_months", plan.train},
                        {"validation_months", plan.validation},
                        {"features", train.rows.data.feature_names}};
}

}  // namespace custlake::retention
