// The raw zone as the build sees it: one view raw.<name> per raw dataset the
// models read ("sic/customers" -> raw.sic_customers, as in query::LakeSession),
// over exactly the live files of a snapshot taken when the build starts, with a
// _batch_id column (the lake batch that committed each row, for lineage and
// incremental builds), and the same view delta.<name> over only the batches
// the previous build did not consume (each version records the set of batches
// it consumed, so a batch with a lower id that commits late is still new).
//
// Each view starts from the data contract's columns (an empty typed SELECT,
// UNION ALL BY NAME with the files), so a model compiles even when a dataset
// has no files yet or an old batch lacks a column.
//
// RawSnapshot is a plain value; functions are not thread-safe on one Session.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/lake.h"

namespace custlake::warehouse {

/// One raw dataset's live files at the start of a build.
struct RawDataset {
  std::string view;       ///< "sic_customers"
  std::string dataset;    ///< "raw/sic/customers"
  std::map<int64_t, std::vector<std::string>> files_by_batch;  ///< batch id -> absolute paths
  int64_t max_batch = 0;  ///< newest batch read (0: no files)
  std::vector<std::string> partition_keys;  ///< key=value folder levels of its files ("event_date")
  int64_t rows = 0;
  std::map<int64_t, std::string> committed_at;  ///< batch id -> commit time (ISO, UTC)
  /// Incremental builds: the batches the previous version consumed.
  std::set<int64_t> consumed;
  /// Incremental builds: a batch the previous version consumed is no longer
  /// live (the dataset was re-imported whole, or rewritten), so its delta is
  /// everything and models reading it must drop what they built from it.
  bool replaced = false;

  /// Live batches the previous version did not consume (all when replaced).
  std::vector<int64_t> NewBatches() const;
};

/// The raw datasets behind `views` ("usage", "sic_customers"); a view with no
/// dataset in the lake is listed with no files.
Result<std::vector<RawDataset>> SnapshotRaw(lake::Lake* lake, const std::vector<std::string>& views);

/// "raw/sic/customers" -> "sic_customers".
std::string RawViewName(const std::string& dataset_name);

/// The empty typed SELECT of a contract dataset's columns, "" if the view is
/// not a contract dataset.
std::string ContractSelect(const std::string& view);

/// The raw datasets behind `views` as a published version consumed them:
/// the files of the batches in `consumed` (view -> batch ids), live or
/// retired since, as long as they are still on disk. `missing` receives the
/// views one of whose consumed batches has no file left (vacuumed).
Result<std::vector<RawDataset>> SnapshotConsumedRaw(lake::Lake* lake, const std::vector<std::string>& views,
                                                    const std::map<std::string, std::set<int64_t>>& consumed,
                                                    std::set<std::string>* missing);

/// Creates schema `schema` (raw or delta) and one view per dataset. For delta,
/// only NewBatches().
Status CreateRawViews(engine::Session* session, const std::vector<RawDataset>& datasets, const std::string& schema);

}  // namespace custlake::warehouse
