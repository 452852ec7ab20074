#include "warehouse/builder.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "engine/engine.h"
#include "lake/checksum.h"
#include "lake/lake.h"
#include "warehouse/dag.h"
#include "warehouse/file_clone.h"
#include "warehouse/model_loader.h"
#include "warehouse/parquet_export.h"
#include "warehouse/publisher.h"
#include "warehouse/raw_sources.h"
#include "warehouse/segments.h"
#include "warehouse/staging_contract.h"

namespace custlake::warehouse {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string Where(const Model& m) { return m.file + ":" + std::to_string(m.sql_line); }

Result<int64_t> CountRows(engine::Session* session, const std::string& table) {
  ASSIGN_OR_RETURN(auto r, session->Query("SELECT count(*) FROM " + QuoteIdent(table)));
  return static_cast<int64_t>(std::stoll(r.Scalar()));
}

/// Adds the distinct months ('YYYY-MM') of the DATE values `sql` returns.
Status AddMonths(engine::Session* session, const std::string& sql, PartitionChanges* changes) {
  ASSIGN_OR_RETURN(auto r, session->Query("SELECT DISTINCT strftime(CAST(v AS DATE), '%Y-%m') FROM (" + sql +
                                          ") AS t(v) WHERE v IS NOT NULL"));
  for (const auto& row : r.rows) changes->months.insert(row[0]);
  return Status::OK();
}

/// True when one of the raw views `m` reads was re-imported since the previous version.
bool ReadsReplacedSource(const Model& m, const std::vector<RawDataset>& raw) {
  for (const RawDataset& r : raw) {
    if (r.replaced && std::find(m.sources.begin(), m.sources.end(), r.view) != m.sources.end()) return true;
  }
  return false;
}

/// The statements of `sql`, split at the semicolons outside literals,
/// quoted identifiers and -- comments (empty ones dropped).
std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  std::string current;
  for (size_t i = 0; i < sql.size(); ++i) {
    char c = sql[i];
    if (c == '\'' || c == '"') {
      size_t end = sql.find(c, i + 1);
      end = end == std::string::npos ? sql.size() - 1 : end;
      current += sql.substr(i, end - i + 1);
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      size_t end = sql.find('\n', i);
      end = end == std::string::npos ? sql.size() - 1 : end;
      current += sql.substr(i, end - i + 1);
      i = end;
    } else if (c == ';') {
      out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  out.push_back(current);
  std::vector<std::string> statements;
  for (std::string& st : out) {
    bool any = false;  // code outside comments and blanks: a statement at all?
    for (size_t i = 0; i < st.size() && !any; ++i) {
      if (st[i] == '-' && i + 1 < st.size() && st[i + 1] == '-') {
        i = st.find('\n', i);
        if (i == std::string::npos) break;
      } else {
        any = !std::isspace(static_cast<unsigned char>(st[i]));
      }
    }
    if (any) statements.push_back(std::move(st));
  }
  return statements;
}

/// True when `sql` reads the new rows (delta.<view>) of raw views only, and
/// none of them has any: an @post_incremental statement that fixes up the
/// facts for new batches of those views then has nothing to do.
bool ReadsOnlyEmptyRawDeltas(const std::string& sql, const std::vector<RawDataset>& raw) {
  static const std::string kDelta = "delta.";
  bool any = false;
  for (size_t at = sql.find(kDelta); at != std::string::npos; at = sql.find(kDelta, at + 1)) {
    if (at > 0 && IsIdentChar(sql[at - 1])) continue;
    size_t e = at + kDelta.size();
    while (e < sql.size() && IsIdentChar(sql[e])) ++e;
    std::string name = sql.substr(at + kDelta.size(), e - at - kDelta.size());
    auto it = std::find_if(raw.begin(), raw.end(), [&](const RawDataset& r) { return r.view == name; });
    if (it == raw.end() || it->replaced || !it->NewBatches().empty()) return false;
    any = true;
  }
  return any;
}

/// One model run into its table (BuildModel below): a full build, or an
/// incremental one by the model's materialization.
class ModelRun {
 public:
  ModelRun(engine::Session* session, const Model& m, const std::vector<RawDataset>& raw, SegmentSet* segments,
           ModelStat* stat, PartitionChanges* changes)
      : session_(session), m_(m), raw_(raw), segments_(segments), stat_(stat), changes_(changes),
        table_(QuoteIdent(m.name)), pb_(m.partition_by.empty() ? "" : QuoteIdent(m.partition_by)) {}

  Status Whole(bool incremental);
  Status Merge();
  Status Append();
  Status RecomputeFrom();

 private:
  std::string Context(const std::string& what) const { return "model " + m_.name + " (" + Where(m_) + "): " + what; }
  std::vector<std::string> PostStatementsToRun() const;
  std::vector<std::string> ReplacedSources() const;
  Status PrepareSegment(bool settle, bool promote);
  Status DeleteReplacedRows(const std::vector<std::string>& replaced_sources);
  Status NotePostIncrementalPartitions();

  engine::Session* session_;
  const Model& m_;
  const std::vector<RawDataset>& raw_;
  SegmentSet* segments_;
  ModelStat* stat_;
  PartitionChanges* changes_;
  const std::string table_;  ///< quoted
  const std::string pb_;     ///< the quoted partition_by column, or ""
};

Status ModelRun::Whole(bool incremental) {
  if (m_.materialized == Materialization::kAppend) {
    RETURN_NOT_OK(segments_->Create(session_, m_.name, m_.sql));
  } else {
    RETURN_NOT_OK(session_->Execute("CREATE OR REPLACE TABLE " + table_ + " AS\n" + m_.sql));
  }
  // A merge or recompute_from model rebuilt in an incremental build may have
  // lost rows or whole partitions its delta.<table> cannot show.
  changes_->rebuilt = incremental && m_.materialized != Materialization::kTable;
  stat_->mode = incremental ? "rebuilt" : "full";
  ASSIGN_OR_RETURN(stat_->rows, CountRows(session_, m_.name));
  stat_->changed = stat_->rows;
  return Status::OK();
}

Status ModelRun::Merge() {
  std::string key = QuoteIdent(m_.unique_key);
  ASSIGN_OR_RETURN(auto r, session_->Query("INSERT INTO " + table_ + " BY NAME SELECT * FROM (\n" +
                                           RewriteRawSchema(m_.sql, "delta") + "\n) s WHERE s." + key +
                                           " NOT IN (SELECT " + key + " FROM " + table_ + ")"));
  stat_->changed = r.rows_changed;
  stat_->mode = "merged";
  return Status::OK();
}

/// @post_incremental statements (and the partitions they may change) whose
/// delta.<view>s hold no new rows are skipped: each is a full scan of the
/// table that would change nothing.
std::vector<std::string> ModelRun::PostStatementsToRun() const {
  std::vector<std::string> post;
  for (std::string& st : SplitStatements(m_.post_incremental)) {
    if (!ReadsOnlyEmptyRawDeltas(st, raw_)) post.push_back(std::move(st));
  }
  return post;
}

/// The datasets the model reads that were re-imported since the previous version.
std::vector<std::string> ModelRun::ReplacedSources() const {
  std::vector<std::string> replaced;
  for (const RawDataset& r : raw_) {
    if (r.replaced && std::find(m_.sources.begin(), m_.sources.end(), r.view) != m_.sources.end()) {
      replaced.push_back(r.dataset);
    }
  }
  return replaced;
}

/// `settle`: a copy of the segment takes the deletes and updates. `promote`:
/// the rows @post_incremental may change move to the tail (segments.h).
Status ModelRun::PrepareSegment(bool settle, bool promote) {
  if (settle) RETURN_NOT_OK(segments_->Settle(session_, m_.name).WithContext(Context("segment")));
  if (!promote) return Status::OK();
  // Like the statements, a condition on new rows of raw views that have none matches nothing.
  std::vector<std::string> conditions;
  for (const std::string& c : m_.post_incremental_rows) {
    if (!ReadsOnlyEmptyRawDeltas(c, raw_)) conditions.push_back(c);
  }
  Result<int64_t> moved = segments_->Promote(session_, m_.name, conditions);
  RETURN_NOT_OK(moved.status().WithContext(Context("segment")));
  stat_->moved = *moved;
  return Status::OK();
}

Status ModelRun::DeleteReplacedRows(const std::vector<std::string>& replaced_sources) {
  for (const std::string& dataset : replaced_sources) {
    std::string replaced = "FROM " + table_ + " WHERE " + QuoteIdent(m_.replace_key) + " = " + QuoteLiteral(dataset);
    if (!pb_.empty()) RETURN_NOT_OK(AddMonths(session_, "SELECT " + pb_ + " " + replaced, changes_));
    changes_->deleted = true;
    RETURN_NOT_OK(session_->Execute("DELETE " + replaced).WithContext(Context("replacing the rows of " + dataset)));
  }
  return Status::OK();
}

Status ModelRun::NotePostIncrementalPartitions() {
  if (m_.post_incremental_partitions.empty()) {
    changes_->all = true;
    return Status::OK();
  }
  if (ReadsOnlyEmptyRawDeltas(m_.post_incremental_partitions, raw_)) return Status::OK();
  return AddMonths(session_, m_.post_incremental_partitions, changes_)
      .WithContext(Context("post_incremental_partitions"));
}

Status ModelRun::Append() {
  std::vector<std::string> post = PostStatementsToRun();
  std::vector<std::string> replaced_sources = ReplacedSources();
  // Only new rows: they go to the tail and the previous segment is shared.
  // @post_incremental with post_incremental_rows: the rows it may change
  // move to the tail, and the segment is still shared. Otherwise, deleting
  // or updating rows: a copy of the segment takes the change.
  bool settle = !replaced_sources.empty() || (!post.empty() && m_.post_incremental_rows.empty());
  if (!settle) {
    ASSIGN_OR_RETURN(settle, segments_->TailOutgrown(session_, m_.name));
  }
  const bool promote = !settle && !post.empty();
  RETURN_NOT_OK(PrepareSegment(settle, promote));
  RETURN_NOT_OK(DeleteReplacedRows(replaced_sources));
  RETURN_NOT_OK(session_->Execute("CREATE OR REPLACE TABLE delta." + table_ + " AS\n" +
                                  RewriteRawSchema(m_.sql, "delta"))
                    .WithContext(Context("computing the new rows")));
  ASSIGN_OR_RETURN(auto r, session_->Query("INSERT INTO " + segments_->AppendTarget(m_.name) +
                                           " BY NAME SELECT * FROM delta." + table_));
  stat_->changed = r.rows_changed;
  if (!pb_.empty()) RETURN_NOT_OK(AddMonths(session_, "SELECT " + pb_ + " FROM delta." + table_, changes_));
  if (!post.empty() && !pb_.empty()) RETURN_NOT_OK(NotePostIncrementalPartitions());
  for (const std::string& st : post) {
    Result<engine::QueryResult> done = session_->Query(st);
    RETURN_NOT_OK(done.status().WithContext(Context("@post_incremental")));
    changes_->post_incremental_rows += done->rows_changed;
  }
  if (settle || promote) RETURN_NOT_OK(segments_->Unsettle(session_, m_.name));
  stat_->mode = "appended";
  return Status::OK();
}

Status ModelRun::RecomputeFrom() {
  ASSIGN_OR_RETURN(auto from, session_->Query("SELECT CAST((" + m_.recompute_from + ") AS VARCHAR)"));
  if (from.rows.empty() || from.nulls[0][0]) {
    stat_->mode = "unchanged";
    // No recomputed partitions: a later model's recompute_from reading delta.<table> finds none.
    return session_->Execute("CREATE OR REPLACE VIEW delta." + table_ + " AS SELECT * FROM main." + table_ +
                             " WHERE false");
  }
  std::string value = QuoteLiteral(from.Scalar());
  changes_->from = from.Scalar().substr(0, 7);
  RETURN_NOT_OK(session_->Execute("DELETE FROM " + table_ + " WHERE " + pb_ + " >= " + value)
                    .WithContext(Context("recompute_from")));
  ASSIGN_OR_RETURN(auto r, session_->Query("INSERT INTO " + table_ + " BY NAME SELECT * FROM (\n" + m_.sql +
                                           "\n) s WHERE s." + pb_ + " >= " + value));
  stat_->changed = r.rows_changed;
  stat_->mode = "recomputed from " + from.Scalar();
  // The recomputed partitions are this build's new rows (for the checks).
  return session_->Execute("CREATE OR REPLACE VIEW delta." + table_ + " AS SELECT * FROM main." + table_ +
                           " WHERE " + pb_ + " >= " + value);
}

/// Runs one model into its table; fills `stat`.
Status BuildModel(engine::Session* session, const Model& m, bool incremental,
                  const std::vector<RawDataset>& raw, bool ref_lost_rows, SegmentSet* segments, ModelStat* stat,
                  PartitionChanges* changes) {
  ModelRun run(session, m, raw, segments, stat, changes);
  // A merge or recompute_from model cannot take back what it built from a
  // source that was replaced since, or from rows a model it reads deleted
  // (an append model dropping a replaced source's rows, or a merge or
  // recompute_from model rebuilt, whose delta.<table> would not show the
  // partitions it lost): it is rebuilt.
  bool rebuild =
      m.materialized == Materialization::kTable ||
      (m.materialized != Materialization::kAppend && (ReadsReplacedSource(m, raw) || ref_lost_rows));
  if (!incremental || rebuild) return run.Whole(incremental);
  changes->all = m.partition_by.empty();
  switch (m.materialized) {
    case Materialization::kTable:
    case Materialization::kView:
      break;
    case Materialization::kMerge:
      RETURN_NOT_OK(run.Merge());
      break;
    case Materialization::kAppend:
      RETURN_NOT_OK(run.Append());
      break;
    case Materialization::kRecomputeFrom:
      RETURN_NOT_OK(run.RecomputeFrom());
      break;
  }
  ASSIGN_OR_RETURN(stat->rows, CountRows(session, m.name));
  return Status::OK();
}

Status WriteMetadata(engine::Session* session, int64_t version, bool incremental, const std::string& fingerprint,
                     const std::vector<RawDataset>& raw, bool checked) {
  // Every batch this version consumed, per view: the next build's delta is
  // the live batches not in this set (a lower batch id committed late too).
  std::string consumed =
      "CREATE OR REPLACE TABLE _warehouse_consumed (view_name VARCHAR, dataset VARCHAR, batch_id BIGINT);\n";
  for (const RawDataset& r : raw) {
    std::string values;
    for (const auto& [batch, paths] : r.files_by_batch) {
      values += std::string(values.empty() ? "" : ", ") + "(" + QuoteLiteral(r.view) + ", " + QuoteLiteral(r.dataset) +
                ", " + std::to_string(batch) + ")";
    }
    if (!values.empty()) consumed += "INSERT INTO _warehouse_consumed VALUES " + values + ";\n";
  }
  RETURN_NOT_OK(session->Execute(consumed));
  std::string sql =
      "CREATE OR REPLACE TABLE _warehouse_build AS SELECT " + std::to_string(version) + "::BIGINT AS version, " +
      QuoteLiteral(incremental ? "incremental" : "full") + " AS mode, " + QuoteLiteral(lake::UtcNow()) +
      " AS built_at, " + QuoteLiteral(fingerprint) + " AS models_fingerprint, " + (checked ? "true" : "false") +
      " AS checked;\n"
      "CREATE OR REPLACE TABLE _warehouse_watermarks (dataset VARCHAR, view_name VARCHAR, last_batch_id BIGINT, rows BIGINT);\n";
  for (const RawDataset& r : raw) {
    sql += "INSERT INTO _warehouse_watermarks VALUES (" + QuoteLiteral(r.dataset) + ", " + QuoteLiteral(r.view) +
           ", " + std::to_string(r.max_batch) + ", " + std::to_string(r.rows) + ");\n";
  }
  return session->Execute(sql);
}

/// The columns of `table` that relationship checks of `models` point at.
std::vector<std::string> ReferencedColumns(const std::vector<Model>& models, const std::string& table) {
  std::set<std::string> columns;
  for (const Model& m : models) {
    for (const ModelCheck& c : m.checks) {
      if (c.kind == CheckKind::kRelationship && c.ref_table == table) columns.insert(c.ref_column);
    }
  }
  return {columns.begin(), columns.end()};
}

/// True when `sql` reads changed.<name> (the whole word).
bool ReadsChangedRowsOf(const std::string& sql, const std::string& name) {
  std::string ref = "changed." + name;
  for (size_t at = sql.find(ref); at != std::string::npos; at = sql.find(ref, at + 1)) {
    size_t end = at + ref.size();
    bool word_before = at > 0 && IsIdentChar(sql[at - 1]);
    bool word_after = end < sql.size() && IsIdentChar(sql[end]);
    if (!word_before && !word_after) return true;
  }
  return false;
}

/// True when `text` names `word` (a substring test: errs towards true).
bool Mentions(const std::string& text, const std::string& word) { return text.find(word) != std::string::npos; }

Result<std::vector<Model>> ResolveModels(const std::vector<Model>& given) {
  std::vector<Model> models = given;
  if (models.empty()) {
    ASSIGN_OR_RETURN(models, LoadBuiltinModels());
  }
  return SortModels(std::move(models));
}

std::vector<std::string> SourceViews(const std::vector<Model>& models) { return RawSourceViews(models); }

/// Splits off the staging views (materialized: view) from the models that build tables.
std::vector<Model> TakeViews(std::vector<Model>* models) {
  std::vector<Model> views, tables;
  for (Model& m : *models) (m.IsView() ? views : tables).push_back(std::move(m));
  *models = std::move(tables);
  return views;
}

/// Each staging view as an input of the models that read it: the union of
/// the raw datasets it reads (their batches, consumed set, re-import), so a
/// model reading raw.<view> is fed delta.<view> exactly as for a raw view.
/// Its dataset name is the view's: an append model's replace_key holds it.
std::vector<RawDataset> StagedInputs(const std::vector<Model>& views, const std::vector<RawDataset>& raw) {
  std::vector<RawDataset> out;
  for (const Model& v : views) {
    RawDataset staged;
    staged.view = staged.dataset = v.name;
    for (const RawDataset& r : raw) {
      if (std::find(v.sources.begin(), v.sources.end(), r.view) == v.sources.end()) continue;
      staged.files_by_batch.insert(r.files_by_batch.begin(), r.files_by_batch.end());
      staged.consumed.insert(r.consumed.begin(), r.consumed.end());
      staged.committed_at.insert(r.committed_at.begin(), r.committed_at.end());
      staged.max_batch = std::max(staged.max_batch, r.max_batch);
      staged.rows += r.rows;
      staged.replaced = staged.replaced || r.replaced;
    }
    out.push_back(std::move(staged));
  }
  return out;
}

/// The staging views as raw.<name> (over the raw views) and delta.<name>
/// (the same SELECT over the new batches: delta.<raw view>).
Status CreateStagingViews(engine::Session* session, const std::vector<Model>& views,
                          const std::vector<std::string>& schemas = {"raw", "delta"}) {
  for (const Model& v : views) {
    for (const std::string& schema : schemas) {
      std::string sql = schema == "raw" ? v.sql : RewriteRawSchema(v.sql, "delta");
      RETURN_NOT_OK(
          session->Execute("CREATE OR REPLACE VIEW " + schema + "." + QuoteIdent(v.name) + " AS\n" + sql)
              .WithContext("staging model " + v.name + " (" + Where(v) + ")"));
    }
  }
  return Status::OK();
}

engine::DatabaseOptions DbOptions(const std::string& path, int threads, const std::string& memory_limit) {
  engine::DatabaseOptions o;
  o.path = path;
  o.threads = threads;
  o.memory_limit = memory_limit;
  o.settings["autoinstall_known_extensions"] = "false";
  o.settings["autoload_known_extensions"] = "false";
  return o;
}

/// One build, step by step (Build below runs the steps in order), and what the
/// steps share: the lake, the new version's batch and DuckDB session, and what
/// changed since the previous version. Lives on Build's stack (the segments
/// hold the batch's address); members are destroyed session first, lake last.
class BuildRun {
 public:
  explicit BuildRun(const BuildOptions& options) : options_(options) {}
  BuildRun(const BuildRun&) = delete;
  BuildRun& operator=(const BuildRun&) = delete;

  Status Begin();
  Status OpenVersionDatabase();
  Status CreateViews();
  Status FindChangedInputs();
  Status BuildModels();
  Status CheckModels();
  Status ExportAndClose();
  Status Publish();
  BuildReport TakeReport() { return std::move(report_); }

 private:
  void Log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }
  void Progress(size_t done, const std::string& current) const {
    if (options_.progress) {
      options_.progress(static_cast<int>(done), static_cast<int>(models_.size()) + 2, current);
    }
  }
  Status CopyPreviousVersion();
  Status KeepIncrementalIfPossible();
  bool ModelChanged(const Model& m) const;
  Result<bool> RebuildGivesSameTable(const Model& m);
  Status BuildOneModel(const Model& m);
  Status RebuildModel(const Model& m, ModelStat* stat);
  void Classify(const ModelStat& st);
  std::vector<Model> ChecksToRun();
  Status FailChecks();
  Status ExportModel(size_t i);

  const BuildOptions& options_;
  const Clock::time_point start_ = Clock::now();
  BuildReport report_;
  std::vector<Model> models_;  ///< the tables (views_ taken out)
  std::vector<Model> views_;   ///< the staging views
  std::string fingerprint_;
  std::vector<RawDataset> raw_;
  std::vector<RawDataset> inputs_;  ///< raw_ and the staging views as inputs
  std::optional<WarehouseVersion> previous_;
  std::string relative_;  ///< the version file's path in the batch
  std::string db_path_;   ///< where it is written before the commit
  int64_t total_rows_ = 0;

  /// Incremental: raw views and models changed since the previous version.
  std::set<std::string> changed_;
  bool previous_checked_ = false;
  CheckOptions check_options_;
  std::map<std::string, PartitionChanges> partition_changes_;
  /// Rebuilt tables that still hold every key the previous version had in the
  /// columns relationship checks point at: only their new facts are checked.
  std::set<std::string> keys_kept_;

  std::unique_ptr<lake::Lake> lake_;
  std::optional<lake::BatchWriter> batch_;
  std::optional<SegmentSet> segments_;
  std::unique_ptr<engine::Database> db_;
  std::unique_ptr<engine::Session> session_;
};

/// The models and raw snapshot, the previous version, and the new version's
/// batch; incremental only when the previous version was built by these very models.
Status BuildRun::Begin() {
  ASSIGN_OR_RETURN(models_, ResolveModels(options_.models));
  fingerprint_ = ModelsFingerprint(models_);
  lake::LakeOptions lake_options;
  lake_options.fail_point = options_.fail_point;
  ASSIGN_OR_RETURN(lake_, lake::Lake::Open(options_.lake_root, lake_options));
  ASSIGN_OR_RETURN(raw_, SnapshotRaw(lake_.get(), SourceViews(models_)));
  views_ = TakeViews(&models_);
  ASSIGN_OR_RETURN(previous_, CurrentVersion(lake_.get()));
  if (previous_) report_.previous_version = previous_->version;

  lake::BatchOptions batch_options;
  batch_options.lineage.source = "custlake build";
  batch_options.lineage.extra["models"] = fingerprint_;
  batch_options.run_id = options_.run_id;
  batch_options.replace = true;
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake_->BeginBatch(VersionsDataset(), batch_options));
  batch_.emplace(std::move(batch));
  report_.version = batch_->id();

  ASSIGN_OR_RETURN(auto models_cursor, batch_->ReadCursor(kModelsCursor));
  report_.incremental = !options_.full && previous_ && models_cursor && *models_cursor == fingerprint_;
  for (RawDataset& r : raw_) {
    // Read (and so guard against a concurrent build moving them) even though
    // the delta comes from the consumed batches recorded in the version.
    ASSIGN_OR_RETURN(auto cursor, batch_->ReadCursor(WatermarkCursor(r.dataset)));
    (void)cursor;
    report_.watermarks[r.dataset] = r.max_batch;
    if (r.max_batch == 0) report_.empty_inputs.push_back("raw." + r.view);
  }
  relative_ = "v" + std::to_string(batch_->id()) + ".duckdb";
  ASSIGN_OR_RETURN(db_path_, batch_->StagingPath(relative_));
  report_.path = lake_->layout().Absolute(VersionsDataset().ToString() + "/" + relative_);
  segments_.emplace(&*batch_, previous_ ? fs::path(previous_->path).parent_path().string() : "");
  return Status::OK();
}

/// Incremental: the new version starts as the previous one (a reflink where the
/// filesystem has them, else an in-kernel copy); models then change it.
Status BuildRun::CopyPreviousVersion() {
  auto copy_start = Clock::now();
  Result<FileCopy> copied = CloneOrCopyFile(previous_->path, db_path_);
  RETURN_NOT_OK(copied.status().WithContext("copying warehouse version " + std::to_string(previous_->version)));
  report_.version_copy = copied->method;
  report_.copy_seconds = Since(copy_start);
  return Status::OK();
}

/// Incremental needs the previous version's consumed batches and segments; a
/// version from before either was recorded is built again in full.
Status BuildRun::KeepIncrementalIfPossible() {
  ASSIGN_OR_RETURN(std::string catalog, engine::CurrentCatalog(session_.get()));
  ASSIGN_OR_RETURN(auto consumed, ConsumedBatches(session_.get(), catalog));
  if (!consumed) {
    report_.incremental = false;
    return Status::OK();
  }
  std::vector<std::string> appended;
  for (const Model& m : models_) {
    if (m.materialized == Materialization::kAppend) appended.push_back(m.name);
  }
  ASSIGN_OR_RETURN(bool linked, segments_->LinkPrevious(session_.get(), appended));
  if (!linked) {
    report_.incremental = false;
    return Status::OK();
  }
  for (RawDataset& r : raw_) {
    r.consumed = (*consumed)[r.view];
    for (int64_t b : r.consumed) r.replaced = r.replaced || !r.files_by_batch.count(b);
  }
  return Status::OK();
}

Status BuildRun::OpenVersionDatabase() {
  if (report_.incremental) RETURN_NOT_OK(CopyPreviousVersion());
  ASSIGN_OR_RETURN(db_, engine::Database::Open(DbOptions(db_path_, options_.threads, options_.memory_limit)));
  ASSIGN_OR_RETURN(session_, db_->Connect());
  RETURN_NOT_OK(session_->Execute("SET TimeZone = 'UTC'"));
  if (report_.incremental) RETURN_NOT_OK(KeepIncrementalIfPossible());
  Log(std::string(report_.incremental ? "incremental" : "full") + " build of warehouse version " +
      std::to_string(report_.version) +
      (previous_ ? " (previous: " + std::to_string(previous_->version) + ")" : ""));
  return Status::OK();
}

/// raw.<view> and delta.<view> for the raw datasets and the staging views
/// (the models read both alike), then the staging views' data contracts.
Status BuildRun::CreateViews() {
  RETURN_NOT_OK(CreateRawViews(session_.get(), raw_, "raw"));
  RETURN_NOT_OK(CreateRawViews(session_.get(), raw_, "delta"));
  RETURN_NOT_OK(CreateStagingViews(session_.get(), views_));
  inputs_ = raw_;
  for (RawDataset& staged : StagedInputs(views_, raw_)) inputs_.push_back(std::move(staged));
  StagingCheckOptions staging_check;
  staging_check.allow_empty = options_.allow_empty;
  staging_check.incremental = report_.incremental;
  ASSIGN_OR_RETURN(std::vector<std::string> empty_staging,
                   CheckStagingContracts(session_.get(), views_, staging_check));
  report_.empty_inputs.insert(report_.empty_inputs.end(), empty_staging.begin(), empty_staging.end());
  return Status::OK();
}

/// Incremental: which raw views changed since the previous version (new
/// batches, a re-import, or a different live row count), and the staging
/// views over them. A model whose sources and referenced models are all
/// unchanged keeps the previous version's table (copied with the file).
/// Also what the checks may skip: an appended table that only gained rows
/// passed its checks before, so they need only look at delta.<table>.
Status BuildRun::FindChangedInputs() {
  check_options_ = options_.checks;
  for (const RawDataset& r : inputs_) check_options_.raw_views.insert(r.view);
  if (!report_.incremental) return Status::OK();
  for (const RawDataset& r : inputs_) {
    if (!r.replaced) check_options_.delta_views.insert(r.view);
  }
  std::map<std::string, int64_t> previous_rows;
  ASSIGN_OR_RETURN(auto marks, session_->Query("SELECT view_name, rows FROM _warehouse_watermarks"));
  for (size_t i = 0; i < marks.rows.size(); ++i) {
    if (!marks.nulls[i][1]) previous_rows[marks.rows[i][0]] = std::stoll(marks.rows[i][1]);
  }
  for (const RawDataset& r : raw_) {
    auto it = previous_rows.find(r.view);
    if (r.replaced || !r.NewBatches().empty() || it == previous_rows.end() || it->second != r.rows) {
      changed_.insert(r.view);
    }
  }
  for (const Model& v : views_) {
    for (const std::string& source : v.sources) {
      if (changed_.count(source)) changed_.insert(v.name);
    }
  }
  // Versions built without checks: check everything.
  auto checked = session_->Query("SELECT checked FROM _warehouse_build");
  previous_checked_ =
      checked.ok() && checked->rows.size() == 1 && !checked->nulls[0][0] && checked->rows[0][0] == "true";
  return Status::OK();
}

bool BuildRun::ModelChanged(const Model& m) const {
  if (!report_.incremental) return true;
  for (const std::string& v : m.sources) {
    if (changed_.count(v)) return true;
  }
  for (const std::string& r : m.refs) {
    if (changed_.count(r)) return true;
  }
  return false;
}

/// A table model whose unchanged_when holds keeps the previous version's table.
Result<bool> BuildRun::RebuildGivesSameTable(const Model& m) {
  if (!report_.incremental || m.materialized != Materialization::kTable || m.unchanged_when.empty() ||
      ReadsReplacedSource(m, inputs_)) {
    return false;
  }
  // Every changed input must be read through changed.<name> (and be new rows only).
  for (const std::vector<std::string>* names : {&m.sources, &m.refs}) {
    for (const std::string& name : *names) {
      if (changed_.count(name) && !ReadsChangedRowsOf(m.unchanged_when, name)) return false;
    }
  }
  check_options_.changed = changed_;
  if (!ChangedRowsAreNew(m.unchanged_when, check_options_)) return false;
  ASSIGN_OR_RETURN(auto q, session_->Query("SELECT CAST((" + ResolveChangedRows(m.unchanged_when, check_options_) +
                                           ") AS BOOLEAN)"));
  return q.rows.size() == 1 && !q.nulls[0][0] && q.rows[0][0] == "true";
}

/// Incremental: what the checks of a built table may skip. Filled model by
/// model: a later model's unchanged_when reads the same changed.<name> resolution.
void BuildRun::Classify(const ModelStat& st) {
  if (!report_.incremental) return;
  const PartitionChanges& c = partition_changes_[st.name];
  // Appended with nothing deleted or updated; or recomputed from a month on (the older
  // partitions are the previous version's, checked then).
  bool appended = st.mode == "appended" && !c.deleted && c.post_incremental_rows == 0;
  if (appended) check_options_.appended_tables.insert(st.name);
  bool recomputed = st.mode.rfind("recomputed from ", 0) == 0;
  if (appended || recomputed) check_options_.delta_tables.insert(st.name);
  if (recomputed) check_options_.partition_delta_tables.insert(st.name);
  if (st.mode == "unchanged" || st.mode == "merged" || (st.mode == "appended" && !c.deleted) ||
      keys_kept_.count(st.name)) {
    check_options_.grow_only_tables.insert(st.name);
  }
}

/// Builds `m` again, and notes whether every key the previous version had in
/// the columns relationship checks point at survived (keys_kept_).
Status BuildRun::RebuildModel(const Model& m, ModelStat* stat) {
  changed_.insert(m.name);
  std::vector<std::string> key_columns = report_.incremental && m.materialized == Materialization::kTable
                                             ? ReferencedColumns(models_, m.name)
                                             : std::vector<std::string>{};
  auto previous_keys = [](size_t i) { return "_warehouse_previous_keys_" + std::to_string(i); };
  for (size_t i = 0; i < key_columns.size(); ++i) {
    const std::string column = QuoteIdent(key_columns[i]);
    RETURN_NOT_OK(session_->Execute("CREATE OR REPLACE TEMP TABLE " + previous_keys(i) + " AS SELECT DISTINCT " +
                                    column + " AS k FROM " + QuoteIdent(m.name) + " WHERE " + column +
                                    " IS NOT NULL"));
  }
  bool ref_lost_rows = false;
  for (const std::string& r : m.refs) {
    auto it = partition_changes_.find(r);
    ref_lost_rows = ref_lost_rows || (it != partition_changes_.end() && (it->second.deleted || it->second.rebuilt));
  }
  RETURN_NOT_OK(BuildModel(session_.get(), m, report_.incremental, inputs_, ref_lost_rows, &*segments_, stat,
                           &partition_changes_[m.name])
                    .WithContext("model " + m.name + " (" + Where(m) + ")"));
  bool keys_survived = !key_columns.empty();
  for (size_t i = 0; i < key_columns.size(); ++i) {
    ASSIGN_OR_RETURN(auto lost, session_->Query("SELECT count(*) FROM " + previous_keys(i) +
                                                " p WHERE NOT EXISTS (SELECT 1 FROM " + QuoteIdent(m.name) +
                                                " t WHERE t." + QuoteIdent(key_columns[i]) + " = p.k)"));
    keys_survived = keys_survived && lost.Scalar() == "0";
    RETURN_NOT_OK(session_->Execute("DROP TABLE " + previous_keys(i)));
  }
  if (keys_survived) keys_kept_.insert(m.name);
  return Status::OK();
}

Status BuildRun::BuildOneModel(const Model& m) {
  ModelStat stat;
  stat.name = m.name;
  auto t = Clock::now();
  Progress(report_.models.size(), m.name);
  bool same = false;
  if (ModelChanged(m)) {
    Result<bool> kept = RebuildGivesSameTable(m);
    RETURN_NOT_OK(kept.status().WithContext("model " + m.name + " (" + Where(m) + "): unchanged_when"));
    same = *kept;
  }
  if (ModelChanged(m) && !same) {
    RETURN_NOT_OK(RebuildModel(m, &stat));
  } else {
    stat.mode = "unchanged";
    ASSIGN_OR_RETURN(stat.rows, CountRows(session_.get(), m.name));
  }
  Classify(stat);
  stat.seconds = Since(t);
  total_rows_ += stat.rows;
  std::string segment = segments_->ModeOf(m.name);
  Log(m.name + ": " + stat.mode + ", " + std::to_string(stat.rows) + " rows (" + std::to_string(stat.changed) +
      " written) in " + std::to_string(stat.seconds) + " s" + (segment.empty() ? "" : ", segment " + segment) +
      (stat.moved > 0 ? " (" + std::to_string(stat.moved) + " rows moved to the tail)" : ""));
  report_.models.push_back(std::move(stat));
  return Status::OK();
}

Status BuildRun::BuildModels() {
  auto models_start = Clock::now();
  for (const Model& m : models_) RETURN_NOT_OK(BuildOneModel(m));
  RETURN_NOT_OK(
      WriteMetadata(session_.get(), report_.version, report_.incremental, fingerprint_, raw_, options_.run_checks));
  report_.models_seconds = Since(models_start);
  if (report_.incremental) check_options_.changed = changed_;
  return lake::CheckFailPoint(options_.fail_point, "build.after_models");
}

/// A check whose table, referenced table and (for SQL checks) every model and
/// raw view it mentions are unchanged passed on the previous version and would
/// again: it is skipped when that version was checked.
std::vector<Model> BuildRun::ChecksToRun() {
  std::vector<Model> to_check = models_;
  if (!report_.incremental || !previous_checked_) return to_check;
  for (Model& m : to_check) {
    std::vector<ModelCheck> kept;
    for (ModelCheck& c : m.checks) {
      bool run = changed_.count(m.name) > 0 || changed_.count(c.ref_table) > 0;
      for (const std::string& name : changed_) run = run || (c.kind == CheckKind::kSql && Mentions(c.sql, name));
      if (run) {
        kept.push_back(std::move(c));
      } else {
        ++report_.checks_skipped;
      }
    }
    m.checks = std::move(kept);
  }
  return to_check;
}

/// Failed checks: nothing is published, the previous version keeps serving.
Status BuildRun::FailChecks() {
  session_.reset();
  db_.reset();
  (void)batch_->Abort("warehouse checks failed");
  std::string current = previous_ ? "version " + std::to_string(previous_->version) + " keeps serving"
                                  : "no version was published";
  return Status::Corruption("warehouse build failed its checks (" + current + "):" + report_.checks.FailureText() +
                            "\nfix the raw data or the model, then run custlake build again");
}

Status BuildRun::CheckModels() {
  if (options_.run_checks) {
    auto checks_start = Clock::now();
    std::vector<Model> to_check = ChecksToRun();
    Progress(models_.size(), "checks");
    ASSIGN_OR_RETURN(report_.checks, RunChecks(session_.get(), to_check, check_options_));
    report_.checks_seconds = Since(checks_start);
    Log("checks: " + std::to_string(report_.checks.passed) + " passed (" + std::to_string(report_.checks.warnings) +
        " with warnings), " + std::to_string(report_.checks.failed) + " failed, " +
        std::to_string(report_.checks_skipped) + " skipped (unchanged) in " + std::to_string(report_.checks_seconds) +
        " s" + report_.checks.WarningText());
    if (!report_.checks.ok()) return FailChecks();
  }
  return lake::CheckFailPoint(options_.fail_point, "build.after_checks");
}

/// The Parquet export of model i: the previous version's files where the table
/// is unchanged, the changed partitions where only some changed, else all of it.
Status BuildRun::ExportModel(size_t i) {
  const Model& m = models_[i];
  if (!changed_.count(m.name)) {
    ASSIGN_OR_RETURN(int64_t reused, ReuseExport(lake_.get(), &*batch_, m.name, report_.models[i].rows));
    if (reused >= 0) {
      report_.parquet_files += reused;
      report_.parquet_files_reused += reused;
      return Status::OK();
    }
  }
  auto changes = partition_changes_.find(m.name);
  if (report_.incremental && changes != partition_changes_.end() && !changes->second.all) {
    int64_t reused = 0;
    bool appended_only = check_options_.appended_tables.count(m.name) > 0;
    ASSIGN_OR_RETURN(int64_t files, ExportChangedPartitions(lake_.get(), session_.get(), &*batch_, m,
                                                            changes->second, appended_only, &reused));
    report_.parquet_files += files;
    report_.parquet_files_reused += reused;
    return Status::OK();
  }
  ASSIGN_OR_RETURN(int64_t files, ExportTable(session_.get(), &*batch_, m));
  report_.parquet_files += files;
  return Status::OK();
}

/// The exports, the segments, and the DuckDB file closed (before the commit checksums it).
Status BuildRun::ExportAndClose() {
  auto export_start = Clock::now();
  Progress(models_.size() + 1, "export");
  if (options_.export_parquet) {
    for (size_t i = 0; i < models_.size(); ++i) RETURN_NOT_OK(ExportModel(i));
  }
  RETURN_NOT_OK(segments_->Finish(session_.get()));
  report_.segments = segments_->Modes();
  // The raw views and the new rows (delta.*) are not part of the version.
  RETURN_NOT_OK(session_->Execute("DROP SCHEMA raw CASCADE; DROP SCHEMA delta CASCADE"));
  RETURN_NOT_OK(session_->Execute("CHECKPOINT"));
  report_.export_seconds = Since(export_start);
  session_.reset();
  db_.reset();
  return Status::OK();
}

/// The version file, segments, tables and cursors committed in one batch; then
/// the retired exports and old versions go.
Status BuildRun::Publish() {
  auto commit_start = Clock::now();
  // No content checksum for the version file: hashing it would read the whole
  // database once more per build, and DuckDB checksums each block it stores
  // (and verifies it on every read). The Parquet exports keep theirs.
  lake::FileSpec version_file;
  version_file.path = relative_;
  version_file.row_count = total_rows_ - segments_->Rows();  // the segments' rows are counted with them
  version_file.provenance_json = "{\"kind\":\"warehouse version\"}";
  version_file.checksum_content = false;
  RETURN_NOT_OK(batch_->AddFile(std::move(version_file)));
  RETURN_NOT_OK(segments_->AddFiles());
  for (const Model& m : models_) RETURN_NOT_OK(batch_->ReplaceDataset(TableDataset(m.name)));
  for (const RawDataset& r : raw_) {
    RETURN_NOT_OK(batch_->SetCursor(WatermarkCursor(r.dataset), std::to_string(r.max_batch)));
  }
  RETURN_NOT_OK(batch_->SetCursor(kModelsCursor, fingerprint_));
  RETURN_NOT_OK(lake::CheckFailPoint(options_.fail_point, "build.after_export"));
  RETURN_NOT_OK(batch_->Commit().WithContext("publishing warehouse version " + std::to_string(report_.version)));
  report_.commit_seconds = Since(commit_start);

  // External tables read warehouse/<table>/ whole: the export this commit
  // replaced goes now (old versions' readers use their .duckdb files).
  std::vector<std::string> tables;
  for (const Model& m : models_) tables.push_back(m.name);
  ASSIGN_OR_RETURN(int removed, RemoveRetiredExports(lake_.get(), tables));
  ASSIGN_OR_RETURN(PruneReport pruned, PruneVersions(lake_.get(), options_.keep_versions));
  report_.pruned_files = pruned.files_removed + removed;
  Progress(models_.size() + 2, "published");
  report_.total_seconds = Since(start_);
  Log("published warehouse version " + std::to_string(report_.version) + " in " +
      std::to_string(report_.total_seconds) + " s");
  return Status::OK();
}

}  // namespace

nlohmann::json BuildReport::ToJson() const {
  nlohmann::json models_json = nlohmann::json::array();
  for (const ModelStat& s : models) {
    models_json.push_back({{"model", s.name}, {"mode", s.mode}, {"rows", s.rows}, {"changed", s.changed},
                           {"moved", s.moved}, {"seconds", s.seconds}});
  }
  nlohmann::json j{{"version", version},
                   {"incremental", incremental},
                   {"path", path},
                   {"models", models_json},
                   {"checks", checks.ToJson()},
                   {"checks_skipped", checks_skipped},
                   {"parquet_files_reused", parquet_files_reused},
                   {"watermarks", watermarks},
                   {"empty_inputs", empty_inputs},
                   {"parquet_files", parquet_files},
                   {"models_seconds", models_seconds},
                   {"checks_seconds", checks_seconds},
                   {"export_seconds", export_seconds},
                   {"commit_seconds", commit_seconds},
                   {"copy_seconds", copy_seconds},
                   {"total_seconds", total_seconds},
                   {"pruned_files", pruned_files}};
  if (previous_version) j["previous_version"] = *previous_version;
  if (!version_copy.empty()) j["version_copy"] = version_copy;
  if (!segments.empty()) j["segments"] = segments;
  return j;
}

Result<BuildReport> Build(const BuildOptions& options) {
  BuildRun run(options);
  RETURN_NOT_OK(run.Begin());
  RETURN_NOT_OK(run.OpenVersionDatabase());
  RETURN_NOT_OK(run.CreateViews());
  RETURN_NOT_OK(run.FindChangedInputs());
  RETURN_NOT_OK(run.BuildModels());
  RETURN_NOT_OK(run.CheckModels());
  RETURN_NOT_OK(run.ExportAndClose());
  RETURN_NOT_OK(run.Publish());
  return run.TakeReport();
}

Result<CheckReport> CheckCurrentVersion(const std::string& lake_root, const std::vector<Model>& given,
                                        const CheckOptions& given_options) {
  ASSIGN_OR_RETURN(std::vector<Model> models, ResolveModels(given));
  lake::LakeOptions lake_options;
  lake_options.read_only = true;
  ASSIGN_OR_RETURN(auto lake, lake::Lake::Open(lake_root, lake_options));
  ASSIGN_OR_RETURN(auto current, CurrentVersion(lake.get()));
  if (!current) return Status::NotFound("no warehouse version is published in " + lake_root + ": run custlake build");

  ASSIGN_OR_RETURN(auto db, engine::Database::Open(DbOptions(":memory:", 0, "")));
  ASSIGN_OR_RETURN(auto session, db->Connect());
  RETURN_NOT_OK(session->Execute("SET TimeZone = 'UTC'"));
  ASSIGN_OR_RETURN(auto attached, AttachVersion(session.get(), current->path, "wh"));
  (void)attached;
  // The raw zone as this version consumed it: exactly its consumed batches,
  // live or retired since (a full re-import retires what the version read).
  ASSIGN_OR_RETURN(auto consumed, ConsumedBatches(session.get(), "wh"));
  if (!consumed) {
    return Status::NotFound("warehouse version " + std::to_string(current->version) +
                                      " predates consumed-batch tracking: run custlake build, then custlake check");
  }
  std::set<std::string> missing;
  const std::vector<std::string> source_views = SourceViews(models);
  const std::vector<Model> views = TakeViews(&models);
  ASSIGN_OR_RETURN(std::vector<RawDataset> raw,
                   SnapshotConsumedRaw(lake.get(), source_views, *consumed, &missing));
  RETURN_NOT_OK(CreateRawViews(session.get(), raw, "raw"));
  RETURN_NOT_OK(CreateStagingViews(session.get(), views, {"raw"}));
  for (const Model& v : views) {
    for (const std::string& source : v.sources) {
      if (missing.count(source)) missing.insert(v.name);
    }
  }
  for (const Model& m : models) {
    RETURN_NOT_OK(session->Execute("CREATE VIEW main." + QuoteIdent(m.name) + " AS SELECT * FROM wh.main." +
                                   QuoteIdent(m.name)));
  }
  CheckOptions options = given_options;
  options.unavailable_views.insert(missing.begin(), missing.end());
  for (const RawDataset& r : raw) options.raw_views.insert(r.view);
  for (const Model& v : views) options.raw_views.insert(v.name);
  ASSIGN_OR_RETURN(CheckReport report, RunChecks(session.get(), models, options));
  if (options.freshness == "off") return report;
  // Raw data waiting: batches committed since that this version has not consumed.
  ASSIGN_OR_RETURN(std::vector<RawDataset> live, SnapshotRaw(lake.get(), source_views));
  int64_t max_age = options.max_age_seconds > 0 ? options.max_age_seconds : 86400;
  std::string now = options.now.empty() ? "current_timestamp" : "TIMESTAMPTZ " + QuoteLiteral(options.now);
  for (const RawDataset& r : live) {
    CheckResult c;
    c.table = "raw." + r.view;
    c.check = "freshness(raw data waiting)";
    c.kind = "freshness";
    c.where = r.dataset;
    const std::set<int64_t>& used = (*consumed)[r.view];
    std::string oldest;
    int64_t waiting = 0;
    for (const auto& [batch, at] : r.committed_at) {
      if (used.count(batch)) continue;
      ++waiting;
      if (oldest.empty() || at < oldest) oldest = at;
    }
    if (waiting > 0) {
      ASSIGN_OR_RETURN(auto q, session->Query("SELECT CAST(" + QuoteLiteral(oldest) + " AS TIMESTAMPTZ) < " + now +
                                              " - to_seconds(" + std::to_string(max_age) + "), " +
                                              std::to_string(waiting) + " AS batches_waiting, " + QuoteLiteral(oldest) +
                                              " AS oldest_committed_at, " + std::to_string(max_age) +
                                              " AS max_age_seconds"));
      if (q.rows[0][0] == "true") {
        c.failing_rows = waiting;
        q.columns.erase(q.columns.begin());
        q.types.erase(q.types.begin());
        q.kinds.erase(q.kinds.begin());
        for (auto& row : q.rows) row.erase(row.begin());
        for (auto& row : q.nulls) row.erase(row.begin());
        c.sample = std::move(q);
      }
    }
    c.passed = c.failing_rows == 0;
    if (!c.passed && options.freshness == "warn") c.passed = c.warning = true;
    report.Add(std::move(c));
  }
  return report;
}

}  // namespace custlake::warehouse
