#include "warehouse/raw_sources.h"

#include <map>

namespace custlake::warehouse {
using engine::QuoteIdent;
using engine::QuoteLiteral;

std::string RawViewName(const std::string& dataset_name) {
  std::string out = dataset_name;
  for (char& c : out) {
    if (c == '/' || c == '-' || c == '.') c = '_';
  }
  return out;
}

std::string ContractSelect(const std::string& view) {
  // The data contract (DESIGN.md), as the importer and the ingester type it.
  static const std::map<std::string, std::string> contract = {
      {"sic_customers",
       "CAST(NULL AS BIGINT) AS customer_id, CAST(NULL AS VARCHAR) AS first_name, CAST(NULL AS VARCHAR) AS last_name, "
       "CAST(NULL AS VARCHAR) AS email, CAST(NULL AS VARCHAR) AS gender, CAST(NULL AS DATE) AS birth_date, "
       "CAST(NULL AS VARCHAR) AS city, CAST(NULL AS VARCHAR) AS region, CAST(NULL AS VARCHAR) AS country, "
       "CAST(NULL AS VARCHAR) AS segment, CAST(NULL AS VARCHAR) AS plan, CAST(NULL AS VARCHAR) AS contract, "
       "CAST(NULL AS DECIMAL(10,2)) AS monthly_fee, CAST(NULL AS DATE) AS signup_date, CAST(NULL AS VARCHAR) AS status, "
       "CAST(NULL AS DATE) AS churn_date, CAST(NULL AS TIMESTAMPTZ) AS created_at, CAST(NULL AS TIMESTAMPTZ) AS updated_at"},
      {"sic_transactions",
       "CAST(NULL AS BIGINT) AS transaction_id, CAST(NULL AS BIGINT) AS customer_id, CAST(NULL AS TIMESTAMPTZ) AS ts, "
       "CAST(NULL AS DECIMAL(12,2)) AS amount, CAST(NULL AS VARCHAR) AS currency, CAST(NULL AS VARCHAR) AS kind, "
       "CAST(NULL AS VARCHAR) AS payment_method, CAST(NULL AS BIGINT) AS offer_id, CAST(NULL AS TIMESTAMPTZ) AS updated_at"},
      {"sic_offers",
       "CAST(NULL AS BIGINT) AS offer_id, CAST(NULL AS VARCHAR) AS name, CAST(NULL AS VARCHAR) AS campaign, "
       "CAST(NULL AS VARCHAR) AS channel, CAST(NULL AS VARCHAR) AS offer_type, CAST(NULL AS DECIMAL(5,2)) AS discount_pct, "
       "CAST(NULL AS DATE) AS start_date, CAST(NULL AS DATE) AS end_date, CAST(NULL AS VARCHAR) AS target_segment"},
      {"sic_offer_assignments",
       "CAST(NULL AS BIGINT) AS assignment_id, CAST(NULL AS BIGINT) AS offer_id, CAST(NULL AS BIGINT) AS customer_id, "
       "CAST(NULL AS TIMESTAMPTZ) AS sent_at, CAST(NULL AS TIMESTAMPTZ) AS responded_at, CAST(NULL AS BOOLEAN) AS redeemed"},
      {"usage",
       "CAST(NULL AS VARCHAR) AS event_id, CAST(NULL AS BIGINT) AS customer_id, CAST(NULL AS TIMESTAMPTZ) AS ts, "
       "CAST(NULL AS VARCHAR) AS event_type, CAST(NULL AS VARCHAR) AS feature, CAST(NULL AS VARCHAR) AS device, "
       "CAST(NULL AS BIGINT) AS duration_s, CAST(NULL AS BIGINT) AS bytes, CAST(NULL AS VARCHAR) AS app_version"},
      {"tickets",
       "CAST(NULL AS BIGINT) AS ticket_id, CAST(NULL AS BIGINT) AS customer_id, CAST(NULL AS TIMESTAMPTZ) AS opened_at, "
       "CAST(NULL AS TIMESTAMPTZ) AS closed_at, CAST(NULL AS VARCHAR) AS channel, CAST(NULL AS VARCHAR) AS category, "
       "CAST(NULL AS VARCHAR) AS priority, CAST(NULL AS VARCHAR) AS status, CAST(NULL AS BIGINT) AS satisfaction, "
       "CAST(NULL AS STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]) AS messages"},
  };
  auto it = contract.find(view);
  if (it == contract.end()) return "";
  return "SELECT " + it->second + ", CAST(NULL AS BIGINT) AS _batch_id WHERE false";
}

Result<std::vector<RawDataset>> SnapshotRaw(lake::Lake* lake, const std::vector<std::string>& views) {
  ASSIGN_OR_RETURN(auto datasets, lake->ListDatasets());
  std::map<std::string, lake::DatasetId> by_view;
  for (const lake::DatasetInfo& info : datasets) {
    if (info.id.zone == lake::Zone::kRaw) by_view[RawViewName(info.id.name)] = info.id;
  }
  std::vector<RawDataset> out;
  for (const std::string& view : views) {
    RawDataset raw;
    raw.view = view;
    auto it = by_view.find(view);
    if (it == by_view.end()) {
      if (ContractSelect(view).empty()) {
        return Status::NotFound("models read raw." + view + " but the lake has no such raw dataset; "
                                "import or ingest it first (custlake status lists the datasets)");
      }
      raw.dataset = "raw/" + view;
      out.push_back(std::move(raw));
      continue;
    }
    raw.dataset = it->second.ToString();
    ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(it->second));
    for (const lake::FileInfo& f : files) {
      if (f.path.size() < 8 || f.path.compare(f.path.size() - 8, 8, ".parquet") != 0) continue;
      raw.files_by_batch[f.batch_id].push_back(f.absolute_path);
      raw.max_batch = std::max(raw.max_batch, f.batch_id);
      raw.rows += f.row_count;
    }
    out.push_back(std::move(raw));
  }
  return out;
}

Status CreateRawViews(engine::Session* session, const std::vector<RawDataset>& datasets, const std::string& schema) {
  RETURN_NOT_OK(session->Execute("CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(schema)));
  for (const RawDataset& raw : datasets) {
    std::string contract = ContractSelect(raw.view);
    std::string sql;
    for (const auto& [batch, paths] : raw.files_by_batch) {
      if (schema == "delta" && !raw.replaced && batch <= raw.watermark) continue;
      std::string list;
      for (const std::string& p : paths) list += (list.empty() ? "" : ", ") + QuoteLiteral(p);
      if (!sql.empty()) sql += "\nUNION ALL BY NAME ";
      sql += "SELECT *, CAST(" + std::to_string(batch) + " AS BIGINT) AS _batch_id FROM read_parquet([" + list +
             "], hive_partitioning = false, union_by_name = true)";
    }
    std::string body;
    if (!contract.empty()) {
      body = contract + (sql.empty() ? "" : "\nUNION ALL BY NAME " + sql);
    } else if (!sql.empty()) {
      body = sql;
    } else {
      return Status::NotFound("raw dataset " + raw.dataset + " has no committed files and no contract schema");
    }
    RETURN_NOT_OK(session->Execute("CREATE OR REPLACE VIEW " + QuoteIdent(schema) + "." + QuoteIdent(raw.view) +
                                   " AS " + body)
                      .WithContext("view " + schema + "." + raw.view + " over " + raw.dataset));
  }
  return Status::OK();
}

}  // namespace custlake::warehouse
