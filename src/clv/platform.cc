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
                             const PredictOptions& options, bool with_spend) {
  const std::string csv = parquet + ".csv";
  RETURN_NOT_OK(WritePredictionsCsv(csv, table, predictions, options, with_spend));
  ASSIGN_OR_RETURN(auto db, engine::Database::Open(engine::DatabaseOptions{}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  const Status copied =
      session->Execute(fmt::format("COPY (SELECT * FROM read_csv({}, header = true, types = {{'customer': "
                                   "'VARCHAR'}})) TO {} (FORMAT PARQUET)",
                                   SqlString(csv), SqlString(parquet)));
  std::error_code ec;
  std::filesystem::remove(csv, ec);
  RETURN_NOT_OK(copied);
  return static_cast<int64_t>(predictions.size());
}

}  // namespace

Result<TransactionLog> ReadWarehousePurchases(const std::string& lake_root) {
  query::SandboxOptions sandbox;
  sandbox.max_rows = -1;
  ASSIGN_OR_RETURN(auto session, query::LakeSession::Open(lake_root, sandbox));
  auto result = session->Run(kPurchases);
  if (!result.ok()) {
    return Status::NotFound("no warehouse to read purchases from (" + result.status().message() +
                            "): run `custlake build` first, or give --transactions FILE");
  }
  ASSIGN_OR_RETURN(TransactionLog log, ToLog(*result));
  if (log.rows.empty()) return Status::NotFound("fact_customer_activity has no purchases to fit a model to");
  return log;
}

Result<int64_t> PublishScores(const std::string& lake_root, const SummaryTable& table,
                              const std::vector<CustomerPrediction>& predictions,
                              const PredictOptions& options, bool with_spend) {
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root));
  lake::BatchOptions batch_options;
  batch_options.replace = true;
  ASSIGN_OR_RETURN(lake::BatchWriter batch,
                   lake->BeginBatch(lake::DatasetId::Raw("clv_scores"), batch_options));
  ASSIGN_OR_RETURN(lake::StagedPart part, batch.NewPart());
  ASSIGN_OR_RETURN(const int64_t rows,
                   WriteParquet(part.staging_path, table, predictions, options, with_spend));
  RETURN_NOT_OK(batch.AddFile(part, rows));
  RETURN_NOT_OK(batch.Commit());
  return batch.id();
}

}  // namespace custlake::clv
