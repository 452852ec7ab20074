#include "warehouse/export_inputs.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/engine.h"
#include "lake/lake.h"
#include "warehouse/data_dictionary.h"
#include "warehouse/model_loader.h"
#include "warehouse/publisher.h"
#include "warehouse/raw_sources.h"

namespace custlake::warehouse {
namespace {

bool IsDate(const std::string& v) {
  if (v.size() != 10 || v[4] != '-' || v[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (v[i] < '0' || v[i] > '9') return false;
  }
  return true;
}

/// The partition keys of a dataset's live files, and their types; an error
/// when the files do not share one layout (an external table has one).
Status ReadPartitions(const std::vector<lake::FileInfo>& files, const std::string& where, RawTableSchema* t) {
  for (const auto& [key, value] : files.front().partition) t->partition_keys.push_back(key);
  std::vector<bool> dates(t->partition_keys.size(), true);
  for (const lake::FileInfo& f : files) {
    std::vector<std::string> keys;
    for (const auto& [key, value] : f.partition) keys.push_back(key);
    if (keys != t->partition_keys) {
      return Status::InvalidArgument("raw dataset " + t->dataset + " mixes partition layouts (" +
                                     files.front().path + " and " + f.path + "), so no external table over " +
                                     where +
                                     " reads it whole; re-import it whole with one `partition` "
                                     "setting (custlake.toml) before export-ddl");
    }
    for (size_t i = 0; i < keys.size(); ++i) dates[i] = dates[i] && IsDate(f.partition[i].second);
  }
  for (bool d : dates) t->partition_types.push_back(d ? "DATE" : "VARCHAR");
  return Status::OK();
}

/// raw.<view>_current's key, for an import's lastmodified dataset (as query::LakeSession reads the schema
/// JSON).
void ReadCurrentState(const std::string& schema_json, RawTableSchema* t) {
  auto j = nlohmann::json::parse(schema_json, nullptr, false);
  if (!j.is_object() || j.value("format", "") != "custlake-import/1" ||
      j.value("incremental", "") != "lastmodified" || !j.contains("merge_key") || !j["merge_key"].is_array())
    return;
  for (const auto& k : j["merge_key"]) {
    if (k.is_string()) t->merge_key.push_back(k.get<std::string>());
  }
  t->check_column = j.value("check_column", "");
  if (t->check_column.empty()) t->merge_key.clear();
}

Result<std::vector<RawTableSchema>> DescribeRawDatasets(lake::Lake* lake, const std::string& location_hint) {
  ASSIGN_OR_RETURN(auto datasets, lake->ListDatasets());
  ASSIGN_OR_RETURN(auto db, engine::Database::Open(engine::DatabaseOptions{}));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  std::vector<RawTableSchema> out;
  for (const lake::DatasetInfo& info : datasets) {
    if (info.id.zone != lake::Zone::kRaw) continue;
    RawTableSchema t;
    t.dataset = info.id.ToString();
    t.view = RawViewName(info.id.name);
    const std::string where = location_hint + "/" + t.dataset + "/";
    ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(info.id));
    std::string list;
    std::vector<lake::FileInfo> parquet;
    for (const lake::FileInfo& f : files) {
      if (!f.path.ends_with(".parquet")) continue;
      list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(f.absolute_path);
      parquet.push_back(f);
    }
    if (parquet.empty()) {
      return Status::NotFound("raw dataset " + t.dataset +
                              " has no Parquet files (its imports or ingests found no "
                              "rows), so an external table over " +
                              where +
                              " would read nothing and its columns "
                              "are unknown; bring rows into it (custlake import / ingest) before export-ddl");
    }
    RETURN_NOT_OK(ReadPartitions(parquet, where, &t));
    ASSIGN_OR_RETURN(auto described, session->Query("DESCRIBE SELECT * FROM read_parquet([" + list +
                                                    "], hive_partitioning = false, union_by_name = true)"));
    for (const auto& row : described.rows) t.columns.push_back({row[0], row[1]});
    ReadCurrentState(info.schema_json, &t);
    out.push_back(std::move(t));
  }
  return out;
}

/// Every raw view the models read must be a dataset the export describes.
Status CheckModelInputs(const std::vector<Model>& models, const std::vector<RawTableSchema>& raw) {
  std::set<std::string> views;
  for (const RawTableSchema& r : raw) views.insert(r.view);
  for (const std::string& view : RawSourceViews(models)) {
    if (views.count(view)) continue;
    std::string readers;
    for (const Model& m : models) {
      if (std::find(m.sources.begin(), m.sources.end(), view) != m.sources.end())
        readers += (readers.empty() ? "" : ", ") + m.name + " (" + m.file + ")";
    }
    return Status::NotFound("the models read raw." + view + " (" + readers +
                            ") but the lake has no such raw dataset, so their exported statements would read "
                            "nothing; import or ingest it, or edit the models to read the datasets you have "
                            "(custlake status lists them)");
  }
  return Status::OK();
}

/// Each model's table is in the version, and each unpartitioned one has its Parquet export.
Status CheckTables(lake::Lake* lake, int64_t version, const std::vector<TableSchema>& tables) {
  for (const TableSchema& t : tables) {
    const Model& m = *t.model;
    if (m.IsView()) continue;
    if (t.columns.empty()) {
      return Status::NotFound("model " + m.name + " (" + m.file + ") has no table in warehouse version " +
                              std::to_string(version) +
                              " (it was added or renamed since that build): run "
                              "custlake build, then export-ddl");
    }
    ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(TableDataset(m.name)));
    if (files.empty() && m.partition_by.empty()) {
      return Status::NotFound("warehouse/" + m.name + "/ holds no Parquet export of warehouse version " +
                              std::to_string(version) +
                              " (built with --no-export?), so its external table "
                              "would read nothing: run custlake build without --no-export, then export-ddl");
    }
  }
  return Status::OK();
}

}  // namespace

Result<ExportInputs> DescribeForExport(const std::string& lake_root, const std::vector<Model>& models) {
  lake::LakeOptions options;
  options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, options));
  ASSIGN_OR_RETURN(auto current, CurrentVersion(lake.get()));
  if (!current) {
    return Status::NotFound("no warehouse version is published in " + lake->root() +
                            ", so the external tables over warehouse/<table>/ would point at nothing: run "
                            "custlake build first, then export-ddl");
  }
  ExportInputs inputs;
  inputs.version = current->version;
  ASSIGN_OR_RETURN(inputs.raw, DescribeRawDatasets(lake.get(), lake->root()));
  RETURN_NOT_OK(CheckModelInputs(models, inputs.raw));
  ASSIGN_OR_RETURN(inputs.tables, DescribeCurrentVersion(lake_root, models));
  RETURN_NOT_OK(CheckTables(lake.get(), inputs.version, inputs.tables));
  ASSIGN_OR_RETURN(auto retired, lake->metastore().RetiredFiles("9999"));
  for (const lake::FileInfo& f : retired) {
    if (!lake::IsSuperseded(f.path) && f.dataset != VersionsDataset())
      inputs.superseded_in_place.push_back(f.path);
  }
  return inputs;
}

}  // namespace custlake::warehouse
