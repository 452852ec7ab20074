// Score: every customer active at a cutoff, published as raw/churn/scores.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "churn/churn.h"
#include "churn/model_store.h"
#include "churn/reasons.h"
#include "engine/appender.h"
#include "engine/engine.h"

namespace custlake::churn {

namespace {

const std::vector<engine::ColumnSpec>& ScoreColumns() {
  static const std::vector<engine::ColumnSpec> columns{
      {"customer_id", engine::ColumnType::kBigInt},   {"cutoff", engine::ColumnType::kDate},
      {"churn_probability", engine::ColumnType::kDouble}, {"risk_decile", engine::ColumnType::kBigInt},
      {"reason_1", engine::ColumnType::kVarchar},     {"reason_2", engine::ColumnType::kVarchar},
      {"reason_3", engine::ColumnType::kVarchar},     {"churn_reasons", engine::ColumnType::kVarchar},
      {"model_version", engine::ColumnType::kBigInt}, {"warehouse_version", engine::ColumnType::kBigInt},
  };
  return columns;
}

/// Decile of each row by probability: 1 = the highest tenth.
std::vector<int64_t> RiskDeciles(const std::vector<float>& p) {
  std::vector<size_t> order(p.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
  std::vector<int64_t> decile(p.size());
  for (size_t rank = 0; rank < order.size(); ++rank) decile[order[rank]] = static_cast<int64_t>(rank * 10 / order.size()) + 1;
  return decile;
}

struct ScoreRows {
  const Dataset* data;
  std::vector<float> probability;
  std::vector<float> contributions;
  int64_t cutoff_day = 0;  ///< days since 1970
  int64_t model_version = 0;
  int64_t warehouse_version = 0;
};

Status AppendRows(engine::Session* session, const ScoreRows& s) {
  RETURN_NOT_OK(session->Execute(engine::CreateTableSql("scores", ScoreColumns())));
  ASSIGN_OR_RETURN(auto appender, engine::Appender::Open(session, "scores", ScoreColumns()));
  const std::vector<int64_t> deciles = RiskDeciles(s.probability);
  const size_t width = s.data->cols() + 1;
  for (size_t r = 0; r < s.data->rows(); ++r) {
    std::vector<Reason> reasons = TopReasons(*s.data, r, s.contributions.data() + r * width);
    std::string joined;
    appender->SetInt64(0, s.data->ids[r]);
    appender->SetInt64(1, s.cutoff_day);
    appender->SetDouble(2, s.probability[r]);
    appender->SetInt64(3, deciles[r]);
    for (size_t k = 0; k < reasons.size(); ++k) {
      appender->SetString(4 + k, reasons[k].text);
      joined += (k ? "; " : "") + reasons[k].text;
    }
    appender->SetString(7, joined);
    appender->SetInt64(8, s.model_version);
    appender->SetInt64(9, s.warehouse_version);
    RETURN_NOT_OK(appender->EndRow());
  }
  return appender->Close();
}

/// Writes the rows as one Parquet file in a batch that replaces the previous scores.
Result<int64_t> PublishScores(lake::Lake* lake, const ScoreRows& rows, const std::string& cutoff) {
  lake::BatchOptions options;
  options.replace = true;
  options.lineage.source = "custlake churn score";
  options.lineage.extra["cutoff"] = cutoff;
  options.lineage.extra["model_version"] = std::to_string(rows.model_version);
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake->BeginBatch(lake::DatasetId::Raw(kScoresDataset), options));
  ASSIGN_OR_RETURN(lake::StagedPart part, batch.NewPart());
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  RETURN_NOT_OK(AppendRows(session.get(), rows));
  RETURN_NOT_OK(session->Execute("COPY (SELECT * FROM scores ORDER BY customer_id) TO " +
                                 engine::QuoteLiteral(part.staging_path) + " (FORMAT parquet)"));
  RETURN_NOT_OK(batch.AddFile(part, static_cast<int64_t>(rows.data->rows())));
  RETURN_NOT_OK(batch.Commit());
  return batch.id();
}

}  // namespace

Result<nlohmann::json> Score(const std::string& lake_root, const ScoreOptions& options) {
  ASSIGN_OR_RETURN(FeatureModel model, LoadFeatureModel());
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  ASSIGN_OR_RETURN(StoredModel stored, LoadModel(lake.get()));
  ASSIGN_OR_RETURN(auto session, FeatureSession::Open(lake_root));
  ASSIGN_OR_RETURN(DataRange range, WarehouseDataRange(session.get()));
  const std::string cutoff = options.cutoff.empty() ? range.last_day : options.cutoff;
  if (cutoff.empty()) return Status::NotFound("the warehouse holds no activity to score; run `custlake build` first");
  ASSIGN_OR_RETURN(Dataset data, ComputeFeatures(session.get(), model, cutoff, stored.meta.value("horizon_days", 90)));
  ScoreRows rows{&data, {}, {}, 0, stored.version, session->warehouse_version()};
  session.reset();
  ASSIGN_OR_RETURN(rows.probability, stored.gbm.Predict(data));
  ASSIGN_OR_RETURN(rows.contributions, stored.gbm.Contributions(data));
  ASSIGN_OR_RETURN(std::chrono::sys_days day, ParseDay(cutoff, "--cutoff"));
  rows.cutoff_day = day.time_since_epoch().count();
  ASSIGN_OR_RETURN(int64_t batch, PublishScores(lake.get(), rows, cutoff));
  double mean = 0;
  for (float p : rows.probability) mean += p;
  spdlog::info("churn: scored {} active customers at {} (model v{}) into raw/{} (batch {})", data.rows(), cutoff,
               stored.version, kScoresDataset, batch);
  return nlohmann::json{{"verb", "churn score"},
                        {"cutoff", cutoff},
                        {"customers", data.rows()},
                        {"mean_probability", data.rows() ? mean / static_cast<double>(data.rows()) : 0},
                        {"model_version", stored.version},
                        {"dataset", std::string("raw/") + kScoresDataset},
                        {"view", "raw.churn_scores"},
                        {"batch", batch}};
}

}  // namespace custlake::churn
