#include "warehouse/raw_sources.h"

#include <algorithm>
#include <filesystem>
#include <functional>
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
       "CAST(NULL AS TIMESTAMPTZ) AS sent_at, CAST(NULL AS TIMESTAMPTZ) AS responded_at, CAST(NULL AS BOOLEAN) AS redeemed, "
       "CAST(NULL AS TIMESTAMPTZ) AS updated_at"},
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

std::vector<int64_t> RawDataset::NewBatches() const {
  std::vector<int64_t> out;
  for (const auto& [batch, paths] : files_by_batch) {
    if (replaced || !consumed.count(batch)) out.push_back(batch);
  }
  return out;
}

namespace {

/// The raw dataset of each view name, and the NotFound for a view nothing provides.
Result<std::map<std::string, lake::DatasetId>> RawDatasetsByView(lake::Lake* lake) {
  ASSIGN_OR_RETURN(auto datasets, lake->ListDatasets());
  std::map<std::string, lake::DatasetId> by_view;
  for (const lake::DatasetInfo& info : datasets) {
    if (info.id.zone == lake::Zone::kRaw) by_view[RawViewName(info.id.name)] = info.id;
  }
  return by_view;
}

Status NoSuchView(const std::string& view) {
  return Status::NotFound("models read raw." + view + " but the lake has no such raw dataset; "
                          "import or ingest it first (custlake status lists the datasets)");
}

bool IsParquet(const std::string& path) {
  return path.size() >= 8 && path.compare(path.size() - 8, 8, ".parquet") == 0;
}

void AddFile(const lake::FileInfo& f, const std::string& absolute, RawDataset* raw) {
  if (raw->files_by_batch.empty()) {
    for (const auto& [key, value] : f.partition) raw->partition_keys.push_back(key);
  }
  raw->files_by_batch[f.batch_id].push_back(absolute);
  raw->committed_at.emplace(f.batch_id, f.committed_at);
  raw->max_batch = std::max(raw->max_batch, f.batch_id);
  raw->rows += f.row_count;
}

/// One RawDataset per view: `add_files` fills in the files of a view the lake
/// has a dataset for; a contract view it has none for yet is listed without
/// files, any other view is NotFound.
Result<std::vector<RawDataset>> SnapshotViews(
    lake::Lake* lake, const std::vector<std::string>& views,
    const std::function<Status(const lake::DatasetId&, RawDataset*)>& add_files) {
  ASSIGN_OR_RETURN(auto by_view, RawDatasetsByView(lake));
  std::vector<RawDataset> out;
  for (const std::string& view : views) {
    RawDataset raw;
    raw.view = view;
    auto it = by_view.find(view);
    if (it != by_view.end()) {
      raw.dataset = it->second.ToString();
      RETURN_NOT_OK(add_files(it->second, &raw));
    } else if (ContractSelect(view).empty()) {
      return NoSuchView(view);
    } else {
      raw.dataset = "raw/" + view;
    }
    out.push_back(std::move(raw));
  }
  return out;
}

}  // namespace

Result<std::vector<RawDataset>> SnapshotConsumedRaw(lake::Lake* lake, const std::vector<std::string>& views,
                                                    const std::map<std::string, std::set<int64_t>>& consumed,
                                                    std::set<std::string>* missing) {
  auto add_consumed = [&](const lake::DatasetId& id, RawDataset* raw) -> Status {
    auto batches = consumed.find(raw->view);
    if (batches == consumed.end()) return Status::OK();
    for (lake::FileState state : {lake::FileState::kLive, lake::FileState::kRetired}) {
      ASSIGN_OR_RETURN(auto files, lake->metastore().ListFiles(id, state));
      for (const lake::FileInfo& f : files) {
        if (!IsParquet(f.path) || !batches->second.count(f.batch_id)) continue;
        std::string absolute = lake->layout().Absolute(f.path);
        std::error_code ec;
        if (!std::filesystem::exists(absolute, ec)) {
          missing->insert(raw->view);
          continue;
        }
        AddFile(f, absolute, raw);
      }
    }
    return Status::OK();
  };
  ASSIGN_OR_RETURN(std::vector<RawDataset> out, SnapshotViews(lake, views, add_consumed));
  // A consumed batch with no file left: vacuumed, or its whole dataset gone.
  for (const RawDataset& raw : out) {
    auto batches = consumed.find(raw.view);
    if (batches == consumed.end()) continue;
    for (int64_t b : batches->second) {
      if (!raw.files_by_batch.count(b)) missing->insert(raw.view);
    }
  }
  return out;
}

Result<std::vector<RawDataset>> SnapshotRaw(lake::Lake* lake, const std::vector<std::string>& views) {
  return SnapshotViews(lake, views, [&](const lake::DatasetId& id, RawDataset* raw) -> Status {
    ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(id));
    for (const lake::FileInfo& f : files) {
      if (IsParquet(f.path)) AddFile(f, f.absolute_path, raw);
    }
    return Status::OK();
  });
}

Status CreateRawViews(engine::Session* session, const std::vector<RawDataset>& datasets, const std::string& schema) {
  RETURN_NOT_OK(session->Execute("CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(schema)));
  for (const RawDataset& raw : datasets) {
    std::string contract = ContractSelect(raw.view);
    std::string sql;
    std::vector<int64_t> new_batches = raw.NewBatches();
    for (const auto& [batch, paths] : raw.files_by_batch) {
      if (schema == "delta" && !std::binary_search(new_batches.begin(), new_batches.end(), batch)) continue;
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
    } else if (schema != "raw" && !raw.files_by_batch.empty()) {
      // No new batches (an incremental import that found nothing new): the raw view's columns, no rows.
      body = "SELECT * FROM raw." + QuoteIdent(raw.view) + " WHERE false";
    } else {
      return Status::NotFound("raw dataset " + raw.dataset +
                              " has no committed files (its imports or ingests found "
                              "no rows), so the columns of raw." +
                              raw.view +
                              " are unknown; bring rows into it, or "
                              "edit the models reading it (models/staging/) to read another dataset");
    }
    RETURN_NOT_OK(session->Execute("CREATE OR REPLACE VIEW " + QuoteIdent(schema) + "." + QuoteIdent(raw.view) +
                                   " AS " + body)
                      .WithContext("view " + schema + "." + raw.view + " over " + raw.dataset));
  }
  return Status::OK();
}

}  // namespace custlake::warehouse
