// The warehouse tables' Parquet exports in a build's batch (see parquet_export.h).
#include "warehouse/parquet_export.h"

#include <filesystem>
#include <map>
#include <system_error>

#include "warehouse/publisher.h"

namespace custlake::warehouse {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

namespace {

/// COPY of a partitioned table's rows (`where`: "" or " WHERE ...") into
/// month=YYYY-MM/part-<batch>-<tag><i>.parquet files of the batch; declares
/// them. `from`: the table (default) or its new rows (delta.<table>).
Result<int64_t> CopyPartitioned(engine::Session* session, lake::BatchWriter* batch, const Model& m,
                                const std::string& where, const std::string& from = "",
                                const std::string& tag = "") {
  lake::DatasetId ds = TableDataset(m.name);
  ASSIGN_OR_RETURN(std::string dir, batch->StagingDatasetDir(ds));
  RETURN_NOT_OK(session->Execute(
      "COPY (SELECT *, strftime(" + QuoteIdent(m.partition_by) + ", '%Y-%m') AS month FROM " +
      (from.empty() ? QuoteIdent(m.name) : from) + where + ") TO " + QuoteLiteral(dir) +
      " (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (month), OVERWRITE_OR_IGNORE true, "
      "FILENAME_PATTERN " +
      QuoteLiteral("part-" + std::to_string(batch->id()) + "-" + tag + "{i}") + ")"));
  ASSIGN_OR_RETURN(int n, batch->AddStagedFiles(ds, [&](const std::string& path) -> Result<int64_t> {
    ASSIGN_OR_RETURN(auto r, session->Query("SELECT num_rows FROM parquet_file_metadata(" + QuoteLiteral(path) + ")"));
    return static_cast<int64_t>(std::stoll(r.Scalar()));
  }));
  return static_cast<int64_t>(n);
}

}  // namespace

Result<int64_t> ExportTable(engine::Session* session, lake::BatchWriter* batch, const Model& m) {
  lake::DatasetId ds = TableDataset(m.name);
  std::string opts = "FORMAT parquet, COMPRESSION zstd";
  if (m.partition_by.empty()) {
    ASSIGN_OR_RETURN(auto part, batch->NewPart(ds, {}));
    ASSIGN_OR_RETURN(auto r, session->Query("COPY (SELECT * FROM " + QuoteIdent(m.name) + ") TO " +
                                            QuoteLiteral(part.staging_path) + " (" + opts + ")"));
    RETURN_NOT_OK(batch->AddFile(part, r.rows_changed));
    return 1;
  }
  return CopyPartitioned(session, batch, m, "");
}

namespace {

/// Declares the previous version's export file `f` in this batch as `name`
/// (relative to the dataset): hard-linked (copied where links fail) with its
/// recorded row count and checksum, so nothing is written or hashed again.
Status LinkPreviousFile(lake::Lake* lake, lake::BatchWriter* batch, const lake::DatasetId& ds, const lake::FileInfo& f,
                        const std::string& name) {
  ASSIGN_OR_RETURN(std::string staging, batch->StagingPath(ds, name));
  std::string source = lake->layout().Absolute(f.path);
  std::error_code ec;
  fs::create_hard_link(source, staging, ec);
  if (ec) {
    ec.clear();
    fs::copy_file(source, staging, fs::copy_options::overwrite_existing, ec);
    if (ec) return Status::IOError("cannot reuse " + source + " for " + ds.ToString() + ": " + ec.message());
  }
  lake::FileSpec spec;
  spec.path = name;
  spec.dataset = ds;
  spec.row_count = f.row_count;
  spec.provenance_json = f.provenance_json;
  spec.checksum = f.checksum;
  return batch->AddFile(std::move(spec));
}

}  // namespace

/// Incremental builds, a partitioned table the build changed in some months
/// only: the previous export's files of each untouched month whose row count
/// still equals the table's are hard-linked into this batch; the other months
/// are written. A table that only gained rows (`appended_only`: nothing
/// deleted or updated) keeps every month's previous files whose rows plus the
/// month's new rows make the table's, and only its new rows are written, as
/// files of their own next to them. Returns the files (reused ones counted in `reused`).
Result<int64_t> ExportChangedPartitions(lake::Lake* lake, engine::Session* session, lake::BatchWriter* batch,
                                        const Model& m, const PartitionChanges& changes, bool appended_only,
                                        int64_t* reused) {
  lake::DatasetId ds = TableDataset(m.name);
  std::string pb = QuoteIdent(m.partition_by), t = QuoteIdent(m.name);
  auto month_counts = [&](const std::string& from) -> Result<std::map<std::string, int64_t>> {
    ASSIGN_OR_RETURN(auto counts, session->Query("SELECT strftime(" + pb + ", '%Y-%m'), count(*) FROM " +
                                                 from + " GROUP BY ALL"));
    std::map<std::string, int64_t> rows;
    for (const auto& row : counts.rows) rows[row[0]] = std::stoll(row[1]);
    return rows;
  };
  ASSIGN_OR_RETURN(auto table_rows, month_counts(t));
  std::map<std::string, int64_t> new_rows;
  if (appended_only) {
    ASSIGN_OR_RETURN(new_rows, month_counts("delta." + t));
  }
  ASSIGN_OR_RETURN(auto files, lake->metastore().ListFiles(ds));
  std::map<std::string, std::vector<const lake::FileInfo*>> by_month;
  std::map<std::string, int64_t> file_rows;
  for (const lake::FileInfo& f : files) {
    std::string month;
    for (const auto& [k, v] : f.partition) {
      if (k == "month") month = v;
    }
    by_month[month].push_back(&f);
    file_rows[month] += f.row_count;
  }
  std::string write;   // months to write whole, as a SQL list
  std::string append;  // months whose previous files stay, plus a file of their new rows
  int64_t n = 0;
  for (const auto& [month, rows] : table_rows) {
    auto it = by_month.find(month);
    bool add = appended_only && it != by_month.end() && file_rows[month] + new_rows[month] == rows;
    if (add && new_rows[month] > 0) append += (append.empty() ? "" : ", ") + QuoteLiteral(month);
    if (!add && (changes.Touched(month) || it == by_month.end() || file_rows[month] != rows)) {
      write += (write.empty() ? "" : ", ") + QuoteLiteral(month);
      continue;
    }
    for (const lake::FileInfo* f : it->second) {
      std::string name = "month=" + month + "/part-" + std::to_string(batch->id()) + "-r" + std::to_string(n++) + ".parquet";
      RETURN_NOT_OK(LinkPreviousFile(lake, batch, ds, *f, name));
      ++*reused;
    }
  }
  if (!write.empty()) {
    ASSIGN_OR_RETURN(
        int64_t written,
        CopyPartitioned(session, batch, m, " WHERE strftime(" + pb + ", '%Y-%m') IN (" + write + ")"));
    n += written;
  }
  if (!append.empty()) {
    ASSIGN_OR_RETURN(
        int64_t written,
        CopyPartitioned(session, batch, m, " WHERE strftime(" + pb + ", '%Y-%m') IN (" + append + ")",
                        "delta." + t, "a"));
    n += written;
  }
  return n;
}

/// Incremental builds, a table the build left as the previous version had it:
/// its previous Parquet export (the dataset's live files) is hard-linked into
/// this batch under new names, with the checksums already recorded, instead of
/// being written again. Returns -1 (nothing declared) when the live files do
/// not hold exactly the table's rows (e.g. the previous build did not export).
Result<int64_t> ReuseExport(lake::Lake* lake, lake::BatchWriter* batch, const std::string& table, int64_t rows) {
  lake::DatasetId ds = TableDataset(table);
  ASSIGN_OR_RETURN(auto files, lake->metastore().ListFiles(ds));
  int64_t live_rows = 0;
  for (const lake::FileInfo& f : files) live_rows += f.row_count;
  if (files.empty() || live_rows != rows) return int64_t{-1};
  std::string prefix = ds.ToString() + "/";
  int64_t n = 0;
  for (const lake::FileInfo& f : files) {
    if (f.path.compare(0, prefix.size(), prefix) != 0) return int64_t{-1};
    std::string rel = f.path.substr(prefix.size());
    size_t slash = rel.rfind('/');
    std::string dir = slash == std::string::npos ? "" : rel.substr(0, slash + 1);
    std::string name = dir + "part-" + std::to_string(batch->id()) + "-r" + std::to_string(n++) + ".parquet";
    RETURN_NOT_OK(LinkPreviousFile(lake, batch, ds, f, name));
  }
  return n;
}

}  // namespace custlake::warehouse
