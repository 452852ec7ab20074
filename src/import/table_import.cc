// ImportTable: one table (or query) of a source into one lake batch.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/progress.h"
#include "engine/engine.h"
#include "engine/row_stream.h"
#include "import/importer.h"
#include "import/schema.h"
#include "import/source_sql.h"
#include "import/type_mapping.h"

namespace custlake::importer {

namespace {

using Clock = std::chrono::steady_clock;

std::string ValueText(const db::Value& v) {
  if (const int64_t* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const double* d = std::get_if<double>(&v)) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", *d);
    return buf;
  }
  if (const std::string* s = std::get_if<std::string>(&v)) return *s;
  return "";
}

// A cursor read back from the metastore, as a literal for the source.
db::Value CursorValue(const ColumnPlan& check, const std::string& text) {
  switch (check.source.type) {
    case db::SqlType::kBoolean:
    case db::SqlType::kInteger:
    case db::SqlType::kBigInt: {
      int64_t v = 0;
      auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec == std::errc() && p == text.data() + text.size()) return v;
      return text;
    }
    default:
      return text;
  }
}

// A DuckDB session of this import, in UTC whatever the machine's zone
// (DuckDB's default TimeZone is the local one): --map-column casts of naive
// text to TIMESTAMPTZ read it as UTC, and PlanColumn's timezone() applies a
// source's own zone explicitly. Only the import's sessions are set so.
Result<std::unique_ptr<engine::Session>> ConnectUtc(engine::Database* duck) {
  ASSIGN_OR_RETURN(auto session, duck->Connect());
  RETURN_NOT_OK(session->Execute("SET TimeZone = 'UTC'"));
  return session;
}

struct Shared {
  lake::BatchWriter* batch = nullptr;
  lake::Partition partition;
  std::mutex mu;  // guards batch, warnings, error
  std::atomic<int64_t> rows{0};      // rows streamed from the source
  std::atomic<int64_t> written{0};   // rows written to Parquet
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> files{0};
  std::atomic<int64_t> zero_dates{0};
  std::atomic<bool> stop{false};
  Status error;
  /// Per column index: values that cannot be stored (AppendCell refused
  /// them), the first one's message and how many in all splits. Reading goes
  /// on to the end so that one run names every bad column; nothing is written.
  struct BadColumn {
    std::string first;
    int64_t count = 0;
  };
  std::map<size_t, BadColumn> bad_columns;
  void Fail(const Status& st) {
    std::lock_guard<std::mutex> lock(mu);
    if (error.ok()) error = st;
    stop = true;
  }
  void NoteBadValue(size_t col, int64_t count, const std::string& first) {
    std::lock_guard<std::mutex> lock(mu);
    BadColumn& bad = bad_columns[col];
    if (bad.first.empty()) bad.first = first;
    bad.count += count;
  }
};

struct Plan {
  db::DatabaseUrl url;
  std::string base;               // base SELECT with $CONDITIONS
  std::vector<ColumnPlan> columns;
  std::vector<size_t> key_columns;  // the row key (primary key, else merge key) for messages
  std::string export_select;      // SELECT <exprs> FROM custlake_rows(0) s
  std::string tie_filter;         // " WHERE NOT EXISTS (...)" or ""
  std::string ties_file;          // Parquet of the rows at the old cursor (the tie filter's `ties`), or ""
  std::string temp_directory;     // DuckDB spills, inside the batch's staging folder
  std::string compression;
  int64_t batch_rows = 0;
  int64_t batch_bytes = 0;
  std::string where;              // "table customers of sqlite:x.db" for messages
};

// One part's rows on their way to Parquet: an engine::RowStream (columnar
// blocks read by DuckDB's COPY through the custlake_rows() table function, no
// staging table in between) set up for this import: UTC session, spills
// inside the lake, the tie filter's table.
Result<std::unique_ptr<engine::RowStream>> OpenPartBuffer(const Plan& plan, const RunOptions& run) {
  ASSIGN_OR_RETURN(auto rows, engine::RowStream::Open(run.memory_limit, run.duckdb_threads, run.duckdb_threads));
  RETURN_NOT_OK(rows->Execute("SET TimeZone = 'UTC'"));
  RETURN_NOT_OK(rows->Execute("SET temp_directory = " + engine::QuoteLiteral(plan.temp_directory)));
  if (!plan.ties_file.empty()) {
    RETURN_NOT_OK(rows->Execute("CREATE TABLE ties AS SELECT * FROM read_parquet(" +
                                engine::QuoteLiteral(plan.ties_file) + ")"));
  }
  return rows;
}

// Writes the parts one split's reader fills as Parquet files of the batch,
// on a thread of its own, so that reading the source and writing Parquet
// overlap. One part waits at most (Submit blocks while the previous one is
// still being written): a split holds at most two parts in memory.
class PartWriter {
 public:
  PartWriter(const Plan& plan, const Split& split, engine::Database* duck, Shared* shared, const RunOptions& run,
             int64_t* ties_dropped)
      : plan_(plan), split_(split), duck_(duck), shared_(shared), run_(run), ties_dropped_(ties_dropped) {}
  ~PartWriter() { (void)Finish(); }

  Status Start() {
    ASSIGN_OR_RETURN(session_, ConnectUtc(duck_));
    thread_ = std::thread([this] { Loop(); });
    return Status::OK();
  }

  /// Hands `rows` (a part of `count` rows and `bytes` source bytes, numbered
  /// `part`) to the writer thread; blocks while the previous part is still
  /// being written, so when it returns that one's buffer is free again.
  Status Submit(engine::RowStream* rows, int64_t count, int64_t bytes, int part) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !pending_ || !status_.ok(); });
    if (!status_.ok()) return status_;
    pending_ = Job{rows, count, bytes, part};
    cv_.notify_all();
    return Status::OK();
  }

  /// Waits for the last part and stops the thread; the first error, if any.
  Status Finish() {
    if (thread_.joinable()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        closing_ = true;
        cv_.notify_all();
      }
      thread_.join();
    }
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  struct Job {
    engine::RowStream* rows = nullptr;
    int64_t count = 0;
    int64_t bytes = 0;  // source bytes staged (the batch_bytes count)
    int part = 0;
  };

  void Loop() {
    while (true) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return pending_.has_value() || closing_; });
        if (!pending_) return;
        job = *pending_;
      }
      Status st = job.count > 0 && !shared_->stop ? WritePart(job) : Status::OK();
      std::lock_guard<std::mutex> lock(mu_);
      pending_.reset();
      if (!st.ok() && status_.ok()) status_ = st;
      cv_.notify_all();
    }
  }

  Status WritePart(const Job& job) {
    lake::StagedPart staged;
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      ASSIGN_OR_RETURN(staged, shared_->batch->NewPart(shared_->partition));
    }
    // Row groups of about kRowGroupBytes of source data (DuckDB's default of
    // 122,880 rows would buffer gigabytes of wide BLOB/TEXT rows in the writer).
    constexpr int64_t kRowGroupBytes = 32LL << 20, kDefaultRowGroup = 122880;
    const int64_t row_bytes = std::max<int64_t>(1, job.bytes / std::max<int64_t>(1, job.count));
    const int64_t row_group = std::clamp<int64_t>(kRowGroupBytes / row_bytes, 1, kDefaultRowGroup);
    const std::string copy = "COPY (" + plan_.export_select + plan_.tie_filter + ") TO " +
                             engine::QuoteLiteral(staged.staging_path) + " (FORMAT parquet, COMPRESSION " +
                             plan_.compression + ", ROW_GROUP_SIZE " + std::to_string(row_group) + ")";
    Status copied = job.rows->Copy([&](int64_t, int, size_t) { return copy; });
    if (!copied.ok()) {
      return copied.WithContext(plan_.where + ", split " + split_.description +
                                ": writing a Parquet part (a --map-column cast or a type conversion)");
    }
    int64_t written = job.count;
    if (!plan_.tie_filter.empty()) {  // the footer says how many rows the filter kept
      ASSIGN_OR_RETURN(auto counted, session_->Query("SELECT count(*) FROM read_parquet(" +
                                                     engine::QuoteLiteral(staged.staging_path) + ")"));
      written = std::atoll(counted.Scalar().c_str());
      *ties_dropped_ += job.count - written;
    }
    std::error_code ec;
    if (written == 0) {  // every row tied the cursor and is in the lake already: no empty file
      std::filesystem::remove(staged.staging_path, ec);
      return Status::OK();
    }
    const auto size = std::filesystem::file_size(staged.staging_path, ec);
    {
      std::lock_guard<std::mutex> lock(shared_->mu);
      lake::FileSpec spec;
      spec.path = staged.path;
      spec.row_count = written;
      spec.provenance_json = nlohmann::json{{"split", split_.description}, {"part", job.part}}.dump();
      RETURN_NOT_OK(shared_->batch->AddFile(std::move(spec)));
    }
    shared_->written += written;
    shared_->bytes += ec ? 0 : static_cast<int64_t>(size);
    ++shared_->files;
    if (run_.fail_point) RETURN_NOT_OK(run_.fail_point("import.after_part"));
    return Status::OK();
  }

  const Plan& plan_;
  const Split& split_;
  engine::Database* duck_;
  Shared* shared_;
  const RunOptions& run_;
  int64_t* ties_dropped_;
  std::unique_ptr<engine::Session> session_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Job> pending_;
  bool closing_ = false;
  Status status_;
};

// "row 7 (key id=7) of split all rows: column price (...): '...' does not fit ...".
std::string BadValueAt(const Plan& plan, const Split& split, const db::RowView& row, int64_t row_number,
                       const Status& st) {
  std::string key;
  for (size_t k : plan.key_columns) {
    const db::CellView& cell = row.cells[k];
    std::string value = cell.kind == db::CellView::Kind::kText   ? std::string(cell.text.substr(0, 100))
                        : cell.kind == db::CellView::Kind::kInt  ? std::to_string(cell.i)
                        : cell.kind == db::CellView::Kind::kNull ? "NULL"
                                                                 : std::to_string(cell.d);
    key += (key.empty() ? "" : ", ") + plan.columns[k].source.name + "=" + value;
  }
  return "row " + std::to_string(row_number) + (key.empty() ? "" : " (key " + key + ")") + " of split " +
         split.description + ": " + st.message();
}

// Every bad column of the table in one error (Shared::bad_columns): a data
// error (exit 1), not a usage error; nothing was committed.
Status BadColumnsError(const Plan& plan, const std::map<size_t, Shared::BadColumn>& bad_columns) {
  std::string list;
  for (const auto& [col, bad] : bad_columns) {
    list += "\n  column " + plan.columns[col].source.name + ": " + std::to_string(bad.count) +
            (bad.count == 1 ? " value" : " values") + " cannot be stored; the first: " + bad.first;
  }
  return Status::SourceError(
      plan.where + ": " + std::to_string(bad_columns.size()) +
      (bad_columns.size() == 1 ? " column holds" : " columns hold") +
      " values that cannot be stored; nothing was imported, the lake and the cursor are "
      "as they were:" +
      list);
}

// Streams one split into Parquet parts of the batch: this thread reads the
// source into one part buffer while a PartWriter writes the other.
Status RunSplit(const Plan& plan, const Split& split, engine::Database* duck, Shared* shared,
                const RunOptions& run, int64_t* ties_dropped, int64_t* rows_read) {
  ASSIGN_OR_RETURN(auto conn, db::Connection::Open(plan.url, db::Access::kReadOnly));
  std::vector<engine::ColumnSpec> specs;
  for (const ColumnPlan& c : plan.columns) specs.push_back(c.stage);
  std::unique_ptr<engine::RowStream> buffers[2];
  for (auto& b : buffers) {
    ASSIGN_OR_RETURN(b, OpenPartBuffer(plan, run));
  }
  const std::string sql = WithConditions(plan.base, split.condition);
  ASSIGN_OR_RETURN(auto stream, conn->Query(sql));
  if (stream->columns().size() != plan.columns.size()) {
    return Status::SourceError(plan.where + ": the source's columns changed during the import; run it again");
  }
  PartWriter writer(plan, split, duck, shared, run, ties_dropped);
  RETURN_NOT_OK(writer.Start());
  ConversionStats stats;
  db::RowView row;
  const size_t ncols = plan.columns.size();
  std::map<size_t, std::pair<int64_t, std::string>> bad;  // this split's bad values per column: count, first
  int part = 0;
  bool done = false;
  Status status;
  while (!done && !shared->stop && status.ok()) {
    engine::RowStream* buffer = buffers[part % 2].get();
    int64_t n = 0, staged_bytes = 0;
    status = buffer->Produce(specs, [&](engine::RowSink* sink) -> Status {
      while (n < plan.batch_rows && staged_bytes < plan.batch_bytes) {
        auto next = stream->NextView(&row);
        if (!next.ok()) return next.status().WithContext(plan.where + ", split " + split.description);
        if (!*next) {
          done = true;
          break;
        }
        engine::RowBlock* block = sink->block(0);
        for (size_t i = 0; i < ncols; ++i) {
          const db::CellView& cell = row.cells[i];
          staged_bytes +=
              cell.kind == db::CellView::Kind::kText ? static_cast<int64_t>(cell.text.size()) + 16 : 8;
          Status st = AppendCell(plan.columns[i], cell, block, i, &stats);
          if (!st.ok()) {  // noted, and the reading goes on (nothing of this split is written)
            auto& [count, first] = bad[i];
            if (count++ == 0) first = BadValueAt(plan, split, row, shared->rows + n + 1, st);
            block->SetNull(i);
          }
        }
        block->EndRow();
        sink->RowDone(0);
        if (++n % 8192 == 0) {
          shared->rows += 8192;
          if (shared->stop) return Status::Cancelled("stopped");
        }
      }
      shared->rows += n % 8192;
      *rows_read += n;
      return Status::OK();
    });
    Status submitted = writer.Submit(buffer, status.ok() && bad.empty() ? n : 0, staged_bytes, part++);
    if (status.ok()) status = submitted;
  }
  Status written = writer.Finish();
  for (const auto& [col, noted] : bad) shared->NoteBadValue(col, noted.first, noted.second);
  RETURN_NOT_OK(status);
  RETURN_NOT_OK(written);
  shared->zero_dates += stats.zero_dates;
  return Status::OK();
}

// The committed files that can hold rows whose check value equals the
// cursor `last`: those of the batches that read up to exactly `last`
// (lineage cursor_to). Earlier batches read check <= an older, smaller
// cursor, so the tie scan costs the size of the last batch(es), not of the
// lake. Files of batches without that lineage (none expected) are included.
Result<std::vector<std::string>> TieCandidateFiles(lake::Lake* lake, const lake::DatasetId& dataset,
                                                   const std::string& check_column, const std::string& last) {
  ASSIGN_OR_RETURN(auto batches, lake->ListBatches(dataset));
  std::set<int64_t> wanted;
  for (const lake::BatchInfo& b : batches) {
    if (b.state != lake::BatchState::kCommitted) continue;
    auto lineage = nlohmann::json::parse(b.lineage_json, nullptr, false);
    if (!lineage.is_object() || lineage.value("cursor_column", "") != check_column ||
        !lineage.contains("cursor_to") || lineage.value("cursor_to", "") == last) {
      wanted.insert(b.batch_id);
    }
  }
  ASSIGN_OR_RETURN(auto files, lake->CommittedFiles(dataset));
  std::vector<std::string> out;
  for (const lake::FileInfo& f : files) {
    if (wanted.count(f.batch_id)) out.push_back(f.absolute_path);
  }
  return out;
}

// One attempt: plan, read, write, commit.
Result<TableSummary> Attempt(lake::Lake* lake, const SourceSpec& source, const TableOptions& options,
                             const RunOptions& run, const db::DatabaseUrl& url, TableSummary summary) {
  const auto start = Clock::now();
  const std::string where = (options.table.empty() ? "query" : "table " + options.table) + " of " + url.Masked();
  ASSIGN_OR_RETURN(auto conn, db::Connection::Open(url, db::Access::kReadOnly));

  // 1. Columns, as the source describes them (the query with no rows).
  Plan plan;
  plan.url = url;
  plan.where = where;
  plan.base = BaseQuery(*conn, options);
  plan.compression = options.compression;
  plan.batch_rows = options.batch_rows;
  plan.batch_bytes = options.batch_bytes;
  std::vector<db::ColumnInfo> infos;
  {
    ASSIGN_OR_RETURN(auto probe, conn->Query(WithConditions(plan.base, "1=0")));
    infos = probe->columns();
    std::vector<db::Value> row;
    while (true) {
      ASSIGN_OR_RETURN(bool more, probe->Next(&row));
      if (!more) break;
    }
  }
  if (!options.columns.empty()) {
    // Names checked against the table itself: SQLite would read an unknown
    // "column" as a string literal.
    ASSIGN_OR_RETURN(auto all,
                     conn->Query("SELECT * FROM " + QuoteTable(*conn, options.table) + " WHERE 1=0"));
    std::set<std::string> known;
    for (const db::ColumnInfo& c : all->columns()) known.insert(c.name);
    std::vector<db::Value> row;
    while (true) {
      ASSIGN_OR_RETURN(bool more, all->Next(&row));
      if (!more) break;
    }
    for (const std::string& c : options.columns) {
      if (!known.count(c)) {
        std::string list;
        for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
        return Status::InvalidArgument(where + ": --columns names " + c + ", which the table does not have (it has " +
                                       list + ")");
      }
    }
  }
  std::map<std::string, std::string> overrides = options.map_column;
  std::string select;
  int check_index = -1;
  for (const db::ColumnInfo& info : infos) {
    auto it = overrides.find(info.name);
    auto planned = PlanColumn(info, url.kind, it == overrides.end() ? "" : it->second, source.timezone);
    if (!planned.ok()) return planned.status().WithContext(where + ", column " + info.name);
    if (it != overrides.end()) overrides.erase(it);
    if (info.name == options.check_column) check_index = static_cast<int>(plan.columns.size());
    select += (select.empty() ? "" : ", ") + planned->export_expr + " AS " + engine::QuoteIdent(info.name);
    plan.columns.push_back(std::move(planned).value());
  }
  if (!overrides.empty()) {
    return Status::InvalidArgument(where + ": --map-column names column " + overrides.begin()->first +
                                   ", which the import does not read");
  }
  plan.export_select = "SELECT " + select + " FROM custlake_rows(0) s";
  if (options.incremental != IncrementalMode::kNone && check_index < 0) {
    return Status::InvalidArgument(where + ": check column " + options.check_column + " is not among the columns read");
  }

  // 2. Keys: merge key / split column default to the primary key.
  std::vector<std::string> pk;
  if (!options.table.empty()) {
    ASSIGN_OR_RETURN(pk, PrimaryKey(conn.get(), options.table));
  }
  std::vector<std::string> merge_key;
  if (!options.merge_key.empty()) {
    for (size_t at = 0; at <= options.merge_key.size();) {
      size_t comma = options.merge_key.find(',', at);
      if (comma == std::string::npos) comma = options.merge_key.size();
      merge_key.push_back(options.merge_key.substr(at, comma - at));
      at = comma + 1;
    }
  } else if (options.incremental == IncrementalMode::kLastModified) {
    if (pk.empty()) {
      return Status::InvalidArgument(where + ": --incremental lastmodified needs --merge-key (the table has no "
                                     "primary key to default to)");
    }
    merge_key = pk;
  }
  for (const std::string& k : pk.empty() ? merge_key : pk) {
    for (size_t i = 0; i < plan.columns.size(); ++i) {
      if (plan.columns[i].source.name == k) plan.key_columns.push_back(i);
    }
  }
  std::string split_by = options.split_by;
  if (split_by.empty() && options.mappers > 1) {
    if (pk.empty()) {
      return Status::InvalidArgument(where + ": -m " + std::to_string(options.mappers) +
                                     " needs --split-by (the table has no primary key to default to)");
    }
    split_by = pk[0];
  }

  // 3. Schema drift against what the dataset recorded.
  const std::string dataset_name = !options.dataset.empty() ? options.dataset : source.name + "/" + options.table;
  RETURN_NOT_OK(lake::ValidateDatasetName(dataset_name).WithContext(where + ": dataset name"));
  const lake::DatasetId dataset = lake::DatasetId::Raw(dataset_name);
  summary.dataset = dataset.ToString();
  ASSIGN_OR_RETURN(auto existing, lake->GetDataset(dataset));
  DatasetSchema previous;
  if (existing) {
    ASSIGN_OR_RETURN(previous, DatasetSchema::FromJson(existing->schema_json));
  }
  // Incremental datasets keep their shape (older files stay): drift follows
  // the policy. A full import replaces every file, so under evolve and
  // allow_all the dataset simply takes the source's new shape (what changed
  // is reported as warnings); only `fail` refuses any difference.
  const std::vector<SchemaColumn> now = SchemaColumns(plan.columns);
  std::vector<SchemaColumn> recorded = now;
  if (options.incremental != IncrementalMode::kNone) {
    ASSIGN_OR_RETURN(recorded, ReconcileSchema(previous.columns, now, options.on_schema_change, where));
  } else if (options.on_schema_change == SchemaChangePolicy::kFail) {
    ASSIGN_OR_RETURN(auto checked, ReconcileSchema(previous.columns, now, options.on_schema_change, where));
    (void)checked;
  } else if (!previous.columns.empty()) {
    for (const std::string& change : DescribeSchemaChanges(previous.columns, now)) {
      summary.warnings.push_back(change + " since the last import; the full import replaced the dataset (" +
                                 where + ")");
    }
  }

  // 4. The batch, the cursor, and the range this run reads.
  lake::BatchOptions batch_options;
  batch_options.run_id = run.run_id;
  batch_options.replace = options.incremental == IncrementalMode::kNone;
  batch_options.lineage.source = url.Masked();
  batch_options.lineage.query = plan.base;
  batch_options.lineage.extra["table"] = options.DisplayName();
  batch_options.lineage.extra["mode"] = IncrementalModeName(options.incremental);
  const std::string cursor_key = "import:" + dataset_name + ":" + options.check_column;
  std::optional<std::string> last;
  std::string range_cond;
  std::optional<db::Value> upper;
  if (options.incremental != IncrementalMode::kNone) {
    ASSIGN_OR_RETURN(last, lake->GetCursor(cursor_key));
    const ColumnPlan& check = plan.columns[check_index];
    const std::string qc = conn->QuoteIdentifier(options.check_column);
    std::string lower =
        last ? qc + " >= " + ColumnLiteral(url.kind, check.source.type, CursorValue(check, *last)) : "";
    ASSIGN_OR_RETURN(upper, MaxValue(conn.get(), plan.base, options.check_column, lower));
    if (upper) {
      range_cond = (lower.empty() ? "" : lower + " AND ") + qc +
                   " <= " + ColumnLiteral(url.kind, check.source.type, *upper);
    } else {
      range_cond = "1=0";  // nothing new
    }
    summary.cursor_previous = last.value_or("");
    batch_options.lineage.cursor_column = options.check_column;
    batch_options.lineage.cursor_from = last.value_or("");
    batch_options.lineage.cursor_to = upper ? ValueText(*upper) : last.value_or("");
    batch_options.lineage.extra["cursor_rule"] =
        "check >= cursor_from (rows whose key and check value the lake already holds dropped) and check <= cursor_to";
    batch_options.lineage.query = WithConditions(plan.base, range_cond);
  }
  ASSIGN_OR_RETURN(lake::BatchWriter batch, lake->BeginBatch(dataset, batch_options));
  if (options.incremental != IncrementalMode::kNone) {
    // Guards against another run moving the cursor before this one commits.
    ASSIGN_OR_RETURN(auto seen, batch.ReadCursor(cursor_key));
    if (seen != last) return Status::SourceError(where + ": the cursor moved while planning (connection race); retry");
  }

  // 5. DuckDB for the tie scan and part bookkeeping (the parts themselves go
  // through engine::RowStream buffers); ties at the old cursor come from the
  // lake's own files.
  engine::DatabaseOptions duck_options;
  duck_options.memory_limit = run.memory_limit;
  duck_options.threads = run.duckdb_threads;
  // Spills go inside the batch's staging folder (removed with the batch, by
  // recovery after a crash), never into the current directory (DuckDB's
  // default for an in-memory database is ./.tmp).
  duck_options.temp_directory = batch.staging_dir() + "/duckdb_tmp";
  plan.temp_directory = duck_options.temp_directory;
  ASSIGN_OR_RETURN(auto duck, engine::Database::Open(duck_options));
  ASSIGN_OR_RETURN(auto main_session, ConnectUtc(duck.get()));
  if (source.timezone != "UTC") {
    Status known = main_session->Execute("SELECT timezone(" + engine::QuoteLiteral(source.timezone) +
                                         ", TIMESTAMP '2000-01-01 00:00:00')");
    if (!known.ok()) {
      return Status::InvalidArgument(
          where + ": timezone '" + source.timezone +
          "' is not a time zone name (use an IANA name such as Europe/Berlin, or UTC)");
    }
  }
  if (options.incremental != IncrementalMode::kNone && last) {
    ASSIGN_OR_RETURN(auto paths, TieCandidateFiles(lake, dataset, options.check_column, *last));
    if (!paths.empty()) {
      std::vector<std::string> key = merge_key.empty() ? pk : merge_key;
      if (key.empty()) {
        for (const ColumnPlan& c : plan.columns) key.push_back(c.source.name);
      }
      std::string list;
      for (const std::string& p : paths) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
      const std::string files = "read_parquet([" + list + "], union_by_name = true, hive_partitioning = false)";
      const std::string qc = engine::QuoteIdent(options.check_column);
      std::string cols = qc, match = "t." + qc + " = " + plan.columns[check_index].export_expr;
      // The export expressions name staging columns; qualify them as s.<col>.
      for (const std::string& k : key) {
        if (k == options.check_column) continue;
        cols += ", " + engine::QuoteIdent(k);
        std::string expr;
        for (const ColumnPlan& c : plan.columns) {
          if (c.source.name == k) expr = c.export_expr;
        }
        if (expr.empty()) return Status::InvalidArgument(where + ": key column " + k + " is not among the columns read");
        match += " AND t." + engine::QuoteIdent(k) + " IS NOT DISTINCT FROM " + expr;
      }
      RETURN_NOT_OK(main_session->Execute("CREATE TABLE ties AS SELECT DISTINCT " + cols + " FROM " + files +
                                          " WHERE " + qc + " = (SELECT max(" + qc + ") FROM " + files + ")"));
      ASSIGN_OR_RETURN(auto tie_rows, main_session->Query("SELECT count(*) FROM ties"));
      if (tie_rows.Scalar() != "0") {
        // Each part buffer (its own DuckDB) loads them from this file.
        plan.ties_file = batch.staging_dir() + "/ties.parquet";
        RETURN_NOT_OK(main_session->Execute("COPY ties TO " + engine::QuoteLiteral(plan.ties_file) +
                                            " (FORMAT parquet)"));
        plan.tie_filter = " WHERE NOT EXISTS (SELECT 1 FROM ties t WHERE " + match + ")";
      }
    }
  }

  // 6. Splits, read in parallel.
  std::vector<Split> splits;
  int64_t counted = -1;  // rows to read, when the split probes counted them
  if (split_by.empty() || options.mappers <= 1) {
    splits.push_back({range_cond.empty() ? "1=1" : range_cond, "all rows"});
  } else {
    // The primary key's first column of a table is indexed: cheap probes instead of a sort.
    const bool indexed = options.query.empty() && !pk.empty() && pk[0] == split_by;
    ASSIGN_OR_RETURN(splits, ComputeSplits(conn.get(), plan.base, split_by, range_cond, options.mappers,
                                           indexed, &counted));
  }
  // The progress bar's total (its ETA): the probes' count, else statistics or COUNT(*).
  const bool show_progress = run.progress && (run.progress_out != nullptr || ::isatty(2));
  int64_t total_rows = 0;
  if (show_progress) {
    if (counted >= 0) {
      total_rows = counted;
    } else if (range_cond != "1=0") {
      ASSIGN_OR_RETURN(total_rows, EstimateRows(conn.get(), options, plan.base, range_cond));
    }
  }
  conn.reset();
  summary.splits = static_cast<int>(splits.size());
  Shared shared;
  shared.batch = &batch;
  if (options.partitioning == Partitioning::kIngestDate) shared.partition = {{"ingest_date", lake::UtcNow().substr(0, 10)}};
  std::vector<int64_t> ties(splits.size(), 0), split_read(splits.size(), 0);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < splits.size(); ++i) {
    threads.emplace_back([&, i] {
      Status st = RunSplit(plan, splits[i], duck.get(), &shared, run, &ties[i], &split_read[i]);
      if (!st.ok() && st.code() != StatusCode::kCancelled) shared.Fail(st);
    });
  }
  Progress progress(summary.dataset, total_rows, run.progress_out != nullptr ? run.progress_out : stderr,
                    show_progress);
  std::atomic<bool> finished{false};
  std::thread watcher([&] {
    while (!finished) {
      progress.Update(shared.rows, shared.bytes);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  for (auto& t : threads) t.join();
  finished = true;
  watcher.join();
  if (!shared.error.ok()) return shared.error;
  if (!shared.bad_columns.empty()) return BadColumnsError(plan, shared.bad_columns);
  progress.Update(shared.rows, shared.bytes);
  progress.Finish();
  for (int64_t t : ties) summary.ties_dropped += t;
  for (size_t i = 0; i < splits.size(); ++i)
    summary.split_rows.emplace_back(splits[i].description, split_read[i]);

  // 7. Schema, cursor and files in one commit.
  DatasetSchema schema;
  schema.source = url.Masked();
  schema.table = options.DisplayName();
  schema.incremental = options.incremental;
  schema.check_column = options.check_column;
  schema.merge_key = merge_key;
  schema.columns = recorded;
  RETURN_NOT_OK(batch.SetSchema(schema.ToJson()));
  if (options.incremental != IncrementalMode::kNone) {
    summary.cursor = upper ? ValueText(*upper) : last.value_or("");
    if (upper) RETURN_NOT_OK(batch.SetCursor(cursor_key, summary.cursor));
  }
  if (run.fail_point) RETURN_NOT_OK(run.fail_point("import.before_commit"));
  // An incremental run that found nothing new commits nothing (like Sqoop's
  // "no new rows"): a scheduled import adds no empty batches, and the cursor
  // stays. The first run commits even an empty table, so the dataset and
  // its schema exist.
  const bool nothing_new = options.incremental != IncrementalMode::kNone && last && shared.written == 0;
  if (nothing_new) {
    RETURN_NOT_OK(batch.Abort("no new rows since the cursor"));
  } else {
    RETURN_NOT_OK(batch.Commit());
    summary.batch_id = batch.id();
    summary.batches = 1;
  }
  summary.rows = shared.written;
  summary.bytes = shared.bytes;
  summary.files = shared.files;
  summary.zero_dates = shared.zero_dates;
  if (summary.zero_dates > 0) {
    summary.warnings.push_back(std::to_string(summary.zero_dates) +
                               " zero or out-of-range dates were written as NULL (" + where + ")");
  }
  summary.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return summary;
}

}  // namespace

nlohmann::json TableSummary::ToJson() const {
  nlohmann::json j{{"source", source},   {"table", table},     {"dataset", dataset},
                   {"mode", mode},       {"rows", rows},       {"bytes", bytes},
                   {"files", files},     {"batches", batches}, {"batch_id", batch_id},
                   {"seconds", seconds}, {"rows_per_second", rows_per_second()},
                   {"splits", splits},   {"attempts", attempts}, {"zero_dates_as_null", zero_dates},
                   {"ties_dropped", ties_dropped}, {"warnings", warnings}};
  j["split_rows"] = nlohmann::json::array();
  for (const auto& [split, rows] : split_rows) j["split_rows"].push_back({{"split", split}, {"rows", rows}});
  if (mode != "none") {
    j["cursor_previous"] = cursor_previous.empty() ? nlohmann::json() : nlohmann::json(cursor_previous);
    j["cursor"] = cursor.empty() ? nlohmann::json() : nlohmann::json(cursor);
  }
  return j;
}

Result<TableSummary> ImportTable(lake::Lake* lake, const SourceSpec& source, const TableOptions& options,
                                 const RunOptions& run) {
  ASSIGN_OR_RETURN(db::DatabaseUrl url, source.Url());
  RETURN_NOT_OK(options.Validate((options.table.empty() ? "query" : "table " + options.table) + " of " + url.Masked()));
  TableSummary base;
  base.source = url.Masked();
  base.table = options.DisplayName();
  base.mode = IncrementalModeName(options.incremental);
  Status last_error;
  for (int attempt = 1; attempt <= options.retries + 1; ++attempt) {
    base.attempts = attempt;
    auto result = Attempt(lake, source, options, run, url, base);
    if (result.ok()) return result;
    last_error = result.status();
    if (!last_error.transient() || attempt == options.retries + 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500 * attempt));
  }
  if (last_error.transient()) {
    return Status::SourceError(last_error.message() + " — gave up after " + std::to_string(base.attempts) +
                               (base.attempts == 1 ? " attempt" : " attempts") +
                               "; the lake and the cursor are as they were, run the import again once the "
                               "source is reachable");
  }
  return last_error;
}

}  // namespace custlake::importer
