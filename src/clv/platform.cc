#include "clv/platform.h"

#include <fmt/format.h>

#include <filesystem>
#include <unordered_map>

#include "engine/engine.h"
#include "lake/batch_writer.h"
#include "lake/lake.h"
#include "query/lake_session.h"

namespace custlake::clv {
namespace {

constexpr const char* kPurchases =
    "SELECT CAST(customer_id AS VARCHAR), CAST(CAST(occurred_at AS DATE) AS VARCHAR), CAST(amount AS DOUBLE) "
    "FROM fact_customer_activity WHERE activity_type = 'transaction' AND transaction_kind = 'purchase'";

Result<TransactionLog> ToLog(const engine::QueryResult& result) {
  TransactionLog log;
  log.source = "fact_customer_activity";
  log.has_amount = true;
  std::unordered_map<std::string, uint32_t> index;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    const std::vector<std::string>& row = result.rows[i];
    Transaction t;
    t.line = static_cast<uint32_t>(i + 1);
    const auto day = ParseDay(row[1]);
    if (!day)
      return Status::Corruption("fact_customer_activity: purchase date '" + row[1] + "' is not a date");
    t.day = *day;
    t.amount = std::stod(row[2]);
    if (t.amount < 0) {
      return Status::Corruption(
          fmt::format("fact_customer_activity: customer {} has a purchase of {}", row[0], row[2]));
    }
    auto [it, added] = index.try_emplace(row[0], static_cast<uint32_t>(log.customer_ids.size()));
    if (added) log.customer_ids.push_back(row[0]);
    t.customer = it->second;
    log.rows.push_back(t);
  }
  return log;
}

std::string SqlString(const std::string& text) {
  std::string quoted = "'";
  for (char ch : text) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  return quoted + "'";
}

// The predictions as Parquet at `parquet`, by way of a CSV next to it.
Result<int64_t> WriteParquet(const std::string& parquet, const SummaryTable& table,
                             const std::vector<CustomerPrediction>& predictions,
                             const PredictOptions& options, bool with_spend,
                             const ScoresProvenance& provenance, const std::string& scored_at) {
  const std::string csv = parquet + ".csv";
  RETURN_NOT_OK(WritePredictionsCsv(csv, table, predictions, options, with_spend));
  ASSIGN_OR_RETURN(auto db, engine::Database::Open(engine::DatabaseOptions{}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  const Status copied =
      session->Execute(fmt::format("COPY (SELECT *, {} AS model, CAST({} AS TIMESTAMP) AS scored_at, "
                                   "CAST({} AS BIGINT) AS warehouse_version FROM read_csv({}, header = true, "
                                   "types = {{'customer': 'VARCHAR'}})) TO {} (FORMAT PARQUET)",
                                   SqlString(provenance.model), SqlString(scored_at),
                                   provenance.warehouse_version, SqlString(csv), SqlString(parquet)));
  std::error_code ec;
  std::filesystem::remove(csv, ec);
  RETURN_NOT_OK(copied);
  return static_cast<int64_t>(predictions.size());
}

}  // namespace

Result<WarehousePurchases> ReadWarehousePurchases(const std::string& lake_root) {
  query::SandboxOptions sandbox;
  sandbox.max_rows = -1;
  ASSIGN_OR_RETURN(auto session, query::LakeSession::Open(lake_root, sandbox));
  auto result = session->Run(kPurchases);
  if (!result.ok()) {
    return Status::NotFound("no warehouse to read purchases from (" + result.status().message() +
                            "): run `custlake build` first, or give --transactions FILE");
  }
  WarehousePurchases out;
  ASSIGN_OR_RETURN(out.log, ToLog(*result));
  if (out.log.rows.empty()) return Status::NotFound("fact_customer_activity has no purchases to fit a model to");
  out.warehouse_version = session->warehouse_version().value_or(0);
  return out;
}

Result<int64_t> PublishScores(const std::string& lake_root, const SummaryTable& table,
                              const std::vector<CustomerPrediction>& predictions,
                              const PredictOptions& options, bool with_spend,
                              const ScoresProvenance& provenance) {
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  lake::BatchOptions batch_options;
  batch_options.replace = true;
  batch_options.lineage.source = "custlake clv fit";
  batch_options.lineage.extra[kFitLineageKey] = provenance.fit.dump();
  batch_options.lineage.extra["warehouse_version"] = std::to_string(provenance.warehouse_version);
  // The metastore's own clock format, so scored_at reads like every commit time.
  std::string scored_at = lake::UtcNow();
  scored_at = scored_at.substr(0, scored_at.size() - 1);  // "...Z" -> a TIMESTAMP literal
  ASSIGN_OR_RETURN(lake::BatchWriter batch,
                   lake->BeginBatch(lake::DatasetId::Raw("clv_scores"), batch_options));
  ASSIGN_OR_RETURN(lake::StagedPart part, batch.NewPart());
  ASSIGN_OR_RETURN(const int64_t rows,
                   WriteParquet(part.staging_path, table, predictions, options, with_spend, provenance, scored_at));
  RETURN_NOT_OK(batch.AddFile(part, rows));
  RETURN_NOT_OK(batch.Commit());
  return batch.id();
}

Result<std::optional<nlohmann::json>> LoadPublishedFit(lake::Lake* lake) {
  ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(lake::DatasetId::Raw("clv_scores")));
  if (files.empty()) return std::optional<nlohmann::json>();
  ASSIGN_OR_RETURN(auto batch, lake->GetBatch(files.front().batch_id));
  if (!batch) return std::optional<nlohmann::json>();
  const nlohmann::json lineage = nlohmann::json::parse(batch->lineage_json, nullptr, false);
  if (!lineage.is_object() || !lineage.contains(kFitLineageKey)) return std::optional<nlohmann::json>();
  nlohmann::json fit = nlohmann::json::parse(lineage[kFitLineageKey].get<std::string>(), nullptr, false);
  if (!fit.is_object()) {
    return Status::Corruption("lake batch " + std::to_string(batch->batch_id) + " of raw/clv_scores: its fit is not JSON");
  }
  fit["scored_at"] = batch->ended_at;
  fit["scored_customers"] = batch->row_count;
  fit["warehouse_version"] = std::stoll(lineage.value("warehouse_version", std::string("0")));
  fit["batch"] = batch->batch_id;
  return std::optional<nlohmann::json>(std::move(fit));
}

}  // namespace custlake::clv
