// The raw zone as the build sees it: one view raw.<name> per raw dataset the
// models read ("sic/customers" -> raw.sic_customers, as in query::LakeSession),
// over exactly the live files of a snapshot taken when the build starts, with a
// _batch_id column (the lake batch that committed each row, for lineage and
// incremental builds), and the same view delta.<name> over only the batches
// committed since the last build.
//
// Each view starts from the data contract's columns (an empty typed SELECT,
// UNION ALL BY NAME with the files), so a model compiles even when a dataset
// has no files yet or an old batch lacks a column.
//
// RawSnapshot is a plain value; functions are not thread-safe on one Session.
#pragma once

#include <cstdint>
#include <map>
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
  int64_t rows = 0;
  /// Incremental builds: last batch consumed by the previous build (-1: none).
  int64_t watermark = -1;
  /// Incremental builds: the dataset was re-imported whole since the last build
  /// (no live file is from a batch <= watermark), so its delta is everything.
  bool replaced = false;
};

/// The raw datasets behind `views` ("usage", "sic_customers"); a view with no
/// dataset in the lake is listed with no files.
Result<std::vector<RawDataset>> SnapshotRaw(lake::Lake* lake, const std::vector<std::string>& views);

/// "raw/sic/customers" -> "sic_customers".
std::string RawViewName(const std::string& dataset_name);

/// The empty typed SELECT of a contract dataset's columns, "" if the view is
/// not a contract dataset.
std::string ContractSelect(const std::string& view);

/// Creates schema `schema` (raw or delta) and one view per dataset. For delta,
/// only batches > watermark (all batches when replaced).
Status CreateRawViews(engine::Session* session, const std::vector<RawDataset>& datasets, const std::string& schema);

}  // namespace custlake::warehouse
