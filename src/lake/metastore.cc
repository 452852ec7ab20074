#include "lake/metastore.h"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace custlake::lake {

namespace {

// Schema migrations: kMigrations[i] takes user_version i to i + 1. Append,
// never edit a released step; document every column in docs/lake-format.md.
const char* const kMigrations[] = {
    // 0 -> 1: the initial schema.
    R"sql(
CREATE TABLE datasets (
  dataset_id  TEXT PRIMARY KEY,             -- "<zone>/<name>", also its folder
  kind        TEXT NOT NULL CHECK (kind IN ('raw','quarantine','warehouse','models')),
  name        TEXT NOT NULL,
  schema_json TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE runs (
  run_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  verb         TEXT NOT NULL,
  args_json    TEXT NOT NULL DEFAULT '[]',
  status       TEXT NOT NULL CHECK (status IN ('running','ok','failed','killed')),
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  summary_json TEXT NOT NULL DEFAULT '{}',
  error        TEXT
);
CREATE TABLE batches (
  batch_id          INTEGER PRIMARY KEY AUTOINCREMENT,
  dataset_id        TEXT NOT NULL,
  state             TEXT NOT NULL CHECK (state IN ('writing','committed','aborted')),
  run_id            INTEGER REFERENCES runs(run_id),
  started_at        TEXT NOT NULL,
  ended_at          TEXT,
  row_count         INTEGER NOT NULL DEFAULT 0,
  byte_count        INTEGER NOT NULL DEFAULT 0,
  file_count        INTEGER NOT NULL DEFAULT 0,
  quarantined_count INTEGER NOT NULL DEFAULT 0,
  lineage_json      TEXT NOT NULL DEFAULT '{}',
  pid               INTEGER NOT NULL,
  host              TEXT NOT NULL,
  error             TEXT
);
CREATE INDEX batches_by_dataset ON batches(dataset_id, batch_id);
CREATE INDEX batches_by_state ON batches(state);
CREATE TABLE files (
  file_id         INTEGER PRIMARY KEY AUTOINCREMENT,
  batch_id        INTEGER NOT NULL REFERENCES batches(batch_id),
  dataset_id      TEXT NOT NULL,
  path            TEXT NOT NULL UNIQUE,     -- relative to the lake root
  partition_json  TEXT NOT NULL DEFAULT '{}',
  row_count       INTEGER NOT NULL DEFAULT 0,
  byte_count      INTEGER NOT NULL DEFAULT 0,
  checksum        TEXT,
  provenance_json TEXT NOT NULL DEFAULT '{}',
  state           TEXT NOT NULL CHECK (state IN ('pending','live','retired')),
  retired_by      INTEGER REFERENCES batches(batch_id),
  committed_at    TEXT
);
CREATE INDEX files_by_dataset ON files(dataset_id, state);
CREATE INDEX files_by_batch ON files(batch_id);
CREATE TABLE cursors (
  cursor_key TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  dataset_id TEXT NOT NULL,
  batch_id   INTEGER NOT NULL REFERENCES batches(batch_id),
  updated_at TEXT NOT NULL
);
CREATE TABLE ingested_files (
  checksum    TEXT PRIMARY KEY,
  source_path TEXT NOT NULL,
  byte_count  INTEGER NOT NULL DEFAULT 0,
  dataset_id  TEXT NOT NULL,
  batch_id    INTEGER NOT NULL REFERENCES batches(batch_id),
  ingested_at TEXT NOT NULL
);
CREATE TABLE quarantine_counts (
  batch_id     INTEGER NOT NULL REFERENCES batches(batch_id),
  dataset_id   TEXT NOT NULL,
  reason       TEXT NOT NULL,
  record_count INTEGER NOT NULL,
  PRIMARY KEY (batch_id, dataset_id, reason)
);
)sql",
    // 1 -> 2: ingested_files is keyed per dataset: the same content landing
    // for two datasets is two ingestions (it was one, lake-wide).
    R"sql(
CREATE TABLE ingested_files_v2 (
  dataset_id  TEXT NOT NULL,
  checksum    TEXT NOT NULL,
  source_path TEXT NOT NULL,
  byte_count  INTEGER NOT NULL DEFAULT 0,
  batch_id    INTEGER NOT NULL REFERENCES batches(batch_id),
  ingested_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, checksum)
);
INSERT INTO ingested_files_v2 (dataset_id, checksum, source_path, byte_count, batch_id, ingested_at)
  SELECT dataset_id, checksum, source_path, byte_count, batch_id, ingested_at FROM ingested_files;
DROP TABLE ingested_files;
ALTER TABLE ingested_files_v2 RENAME TO ingested_files;
)sql",
    // 2 -> 3: landing files' identities by their stat(), so a run over a
    // folder of kept files does not hash them all again.
    R"sql(
CREATE TABLE landing_identities (
  dataset_id TEXT NOT NULL,
  path       TEXT NOT NULL,
  byte_count INTEGER NOT NULL,
  mtime_ns   INTEGER NOT NULL,
  ctime_ns   INTEGER NOT NULL,
  inode      INTEGER NOT NULL,
  identity   TEXT NOT NULL,
  PRIMARY KEY (dataset_id, path)
);
)sql",
    // 3 -> 4: runs.status also 'interrupted' (stopped by a signal) and
    // 'partial' (some inputs unreadable); ingested files found by path (the
    // last version of a landing file that grows). SQLite cannot alter a CHECK: the
    // table is copied (Migrate turns foreign keys off around the steps, as
    // SQLite's ALTER TABLE page prescribes; batches keep their run_ids).
    R"sql(
CREATE TABLE runs_v4 (
  run_id       INTEGER PRIMARY KEY AUTOINCREMENT,
  verb         TEXT NOT NULL,
  args_json    TEXT NOT NULL DEFAULT '[]',
  status       TEXT NOT NULL CHECK (status IN ('running','ok','failed','killed','interrupted','partial')),
  started_at   TEXT NOT NULL,
  ended_at     TEXT,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  summary_json TEXT NOT NULL DEFAULT '{}',
  error        TEXT
);
INSERT INTO runs_v4 SELECT run_id, verb, args_json, status, started_at, ended_at, pid, host, summary_json, error
  FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v4 RENAME TO runs;
CREATE INDEX ingested_files_by_path ON ingested_files(dataset_id, source_path, batch_id);
)sql",
};
constexpr int kNumMigrations = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kNumMigrations == kMetastoreSchemaVersion, "one migration per schema version");

// A prepared statement; Bind* take 1-based indexes as SQLite does.
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) : db_(db) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Status prepared(std::string_view what) const {
    if (rc_ == SQLITE_OK) return Status::OK();
    return Status::Internal(fmt::format("metastore: prepare {}: {}", what, sqlite3_errmsg(db_)));
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& Bind(int i, const std::string& v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const char* v) { return Bind(i, std::string(v)); }
  Stmt& Bind(int i, std::string_view v) { return Bind(i, std::string(v)); }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }
  Stmt& Bind(int i, const std::optional<int64_t>& v) { return v ? Bind(i, *v) : BindNull(i); }
  Stmt& BindOrNull(int i, const std::string& v) { return v.empty() ? BindNull(i) : Bind(i, v); }

  /// SQLITE_ROW -> true, SQLITE_DONE -> false, anything else -> error.
  Result<bool> Step(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return StepError(rc, what);
  }
  Status Run(std::string_view what) {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::OK();
    return StepError(rc, what);
  }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int ext_errcode() const { return sqlite3_extended_errcode(db_); }

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Text(int col) const {
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }
  std::optional<int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }

 private:
  Status StepError(int rc, std::string_view what) const {
    std::string msg = fmt::format("metastore: {}: {}", what, sqlite3_errmsg(db_));
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      return Status::IOError(msg + " (another process holds the metastore; retry when it is done)");
    }
    if ((rc & 0xff) == SQLITE_CONSTRAINT) return Status::AlreadyExists(msg);
    return Status::IOError(msg);
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

#define PREPARE(var, db, sql)   \
  Stmt var(db, sql);            \
  RETURN_NOT_OK(var.prepared(#var))

// A write transaction that rolls back unless committed.
class Txn {
 public:
  explicit Txn(sqlite3* db) : db_(db) {}
  ~Txn() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Status Begin() {
    RETURN_NOT_OK(Exec("BEGIN IMMEDIATE", "begin transaction"));
    open_ = true;
    return Status::OK();
  }
  Status Commit() {
    Status st = Exec("COMMIT", "commit transaction");
    if (st.ok()) open_ = false;
    return st;
  }

 private:
  Status Exec(const char* sql, std::string_view what) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::OK();
    std::string msg = fmt::format("metastore: {}: {}", what, err ? err : sqlite3_errmsg(db_));
    sqlite3_free(err);
    if (rc == SQLITE_BUSY) msg += " (another process is writing the metastore; retry)";
    return Status::IOError(msg);
  }
  sqlite3* db_;
  bool open_ = false;
};

std::string PartitionToJson(const Partition& p) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [k, v] : p) j[k] = v;
  return j.dump();
}

Partition PartitionFromJson(const std::string& text) {
  Partition p;
  auto j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!j.is_object()) return p;
  for (auto it = j.begin(); it != j.end(); ++it) {
    p.emplace_back(it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
  }
  return p;
}

DatasetId DatasetFromText(const std::string& text) {
  auto parsed = DatasetId::Parse(text);
  if (parsed.ok()) return *parsed;
  size_t slash = text.find('/');
  return DatasetId{Zone::kRaw, slash == std::string::npos ? text : text.substr(slash + 1)};
}

BatchState ParseBatchState(const std::string& s) {
  if (s == "committed") return BatchState::kCommitted;
  if (s == "aborted") return BatchState::kAborted;
  return BatchState::kWriting;
}

FileState ParseFileState(const std::string& s) {
  if (s == "live") return FileState::kLive;
  if (s == "retired") return FileState::kRetired;
  return FileState::kPending;
}

RunStatus ParseRunStatus(const std::string& s) {
  if (s == "ok") return RunStatus::kOk;
  if (s == "failed") return RunStatus::kFailed;
  if (s == "killed") return RunStatus::kKilled;
  if (s == "interrupted") return RunStatus::kInterrupted;
  if (s == "partial") return RunStatus::kPartial;
  return RunStatus::kRunning;
}

constexpr const char* kBatchColumns =
    "batch_id, dataset_id, state, run_id, started_at, ended_at, row_count, byte_count, file_count, "
    "quarantined_count, lineage_json, pid, host, error";

BatchInfo ReadBatch(const Stmt& s) {
  BatchInfo b;
  b.batch_id = s.Int(0);
  b.dataset = DatasetFromText(s.Text(1));
  b.state = ParseBatchState(s.Text(2));
  b.run_id = s.OptInt(3);
  b.started_at = s.Text(4);
  b.ended_at = s.Text(5);
  b.row_count = s.Int(6);
  b.byte_count = s.Int(7);
  b.file_count = s.Int(8);
  b.quarantined_count = s.Int(9);
  b.lineage_json = s.Text(10);
  b.pid = s.Int(11);
  b.host = s.Text(12);
  b.error = s.Text(13);
  return b;
}

constexpr const char* kFileColumns =
    "file_id, batch_id, dataset_id, path, partition_json, row_count, byte_count, checksum, "
    "provenance_json, state, retired_by, committed_at";

FileInfo ReadFile(const Stmt& s) {
  FileInfo f;
  f.file_id = s.Int(0);
  f.batch_id = s.Int(1);
  f.dataset = DatasetFromText(s.Text(2));
  f.path = s.Text(3);
  f.partition = PartitionFromJson(s.Text(4));
  f.row_count = s.Int(5);
  f.byte_count = s.Int(6);
  f.checksum = s.Text(7);
  f.provenance_json = s.Text(8);
  f.state = ParseFileState(s.Text(9));
  f.retired_by = s.OptInt(10);
  f.committed_at = s.Text(11);
  return f;
}

bool PartitionMatches(const Partition& have, const Partition& filter) {
  for (const auto& kv : filter) {
    bool found = false;
    for (const auto& h : have) found = found || h == kv;
    if (!found) return false;
  }
  return true;
}

}  // namespace

std::string UtcNow() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                     tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::string_view BatchStateName(BatchState state) {
  switch (state) {
    case BatchState::kWriting: return "writing";
    case BatchState::kCommitted: return "committed";
    case BatchState::kAborted: return "aborted";
  }
  return "writing";
}

std::string_view FileStateName(FileState state) {
  switch (state) {
    case FileState::kPending: return "pending";
    case FileState::kLive: return "live";
    case FileState::kRetired: return "retired";
  }
  return "pending";
}

std::string_view RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kRunning: return "running";
    case RunStatus::kOk: return "ok";
    case RunStatus::kFailed: return "failed";
    case RunStatus::kKilled: return "killed";
    case RunStatus::kInterrupted: return "interrupted";
    case RunStatus::kPartial: return "partial";
  }
  return "running";
}

Result<std::unique_ptr<Metastore>> Metastore::Open(const std::string& path, const MetastoreOptions& options) {
  if (!options.create && ::access(path.c_str(), F_OK) != 0) {
    return Status::NotFound(fmt::format(
        "no metastore at '{}': is this a lake? Create one with `custlake init`", path));
  }
  sqlite3* db = nullptr;
  if (options.create && options.read_only) {
    return Status::InvalidArgument(fmt::format("metastore '{}': cannot create read-only", path));
  }
  int flags = (options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
              (options.create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status::IOError(fmt::format("open metastore '{}': {}", path, msg));
  }
  std::unique_ptr<Metastore> ms(new Metastore(db, path));
  sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
  sqlite3_extended_result_codes(db, 1);
  if (options.read_only) {
    ASSIGN_OR_RETURN(int version, ms->SchemaVersion());
    if (version != kMetastoreSchemaVersion) {
      return Status::Corruption(fmt::format(
          "metastore '{}' has schema version {}, this custlake reads {}; {}", path, version,
          kMetastoreSchemaVersion,
          version < kMetastoreSchemaVersion ? "run any writing verb once to migrate it" : "upgrade custlake"));
    }
    return ms;
  }
  RETURN_NOT_OK(ms->Exec("PRAGMA journal_mode=WAL").WithContext(path));
  RETURN_NOT_OK(ms->Exec(options.synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"));
  RETURN_NOT_OK(ms->Exec("PRAGMA foreign_keys=ON"));
  RETURN_NOT_OK(ms->Migrate().WithContext(fmt::format("metastore '{}'", path)));
  return ms;
}

Metastore::~Metastore() { sqlite3_close(db_); }

Status Metastore::Exec(const char* sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::OK();
  std::string msg = fmt::format("metastore '{}': {}", path_, err ? err : sqlite3_errmsg(db_));
  sqlite3_free(err);
  return Status::IOError(msg);
}

Status Metastore::Migrate() {
  std::lock_guard lock(mu_);
  auto read_version = [&]() -> Result<int> {
    PREPARE(s, db_, "PRAGMA user_version");
    ASSIGN_OR_RETURN(bool row, s.Step("read user_version"));
    return row ? static_cast<int>(s.Int(0)) : 0;
  };
  ASSIGN_OR_RETURN(int version, read_version());
  if (version == kMetastoreSchemaVersion) return Status::OK();
  if (version > kMetastoreSchemaVersion) {
    return Status::Corruption(fmt::format(
        "schema version {} is newer than this custlake knows ({}); upgrade custlake", version,
        kMetastoreSchemaVersion));
  }
  // A migration may copy a table that others reference (3 -> 4): foreign
  // keys are off during the steps (the pragma is a no-op inside a
  // transaction) and checked whole before the commit.
  RETURN_NOT_OK(Exec("PRAGMA foreign_keys=OFF"));
  Status migrated = [&]() -> Status {
    Txn txn(db_);
    RETURN_NOT_OK(txn.Begin());
    ASSIGN_OR_RETURN(version, read_version());  // another process may have migrated meanwhile
    for (int v = version; v < kMetastoreSchemaVersion; ++v) {
      RETURN_NOT_OK(Exec(kMigrations[v]).WithContext(fmt::format("migration {} -> {}", v, v + 1)));
    }
    PREPARE(check, db_, "PRAGMA foreign_key_check");
    ASSIGN_OR_RETURN(bool violation, check.Step("foreign key check after migrating"));
    if (violation) return Status::Corruption("a foreign key does not hold after migrating; the file was left as it was");
    RETURN_NOT_OK(Exec(fmt::format("PRAGMA user_version = {}", kMetastoreSchemaVersion).c_str()));
    return txn.Commit();
  }();
  Status on = Exec("PRAGMA foreign_keys=ON");
  RETURN_NOT_OK(migrated);
  return on;
}

Result<int> Metastore::SchemaVersion() {
  std::lock_guard lock(mu_);
  PREPARE(s, db_, "PRAGMA user_version");
  ASSIGN_OR_RETURN(bool row, s.Step("read user_version"));
  return row ? static_cast<int>(s.Int(0)) : 0;
}

Result<int64_t> Metastore::InsertBatch(const DatasetId& dataset, const std::string& lineage_json,
                                       std::optional<int64_t> run_id) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "INSERT INTO batches (dataset_id, state, run_id, started_at, lineage_json, pid, host) "
          "VALUES (?, 'writing', ?, ?, ?, ?, ?)");
  s.Bind(1, dataset.ToString()).Bind(2, run_id).Bind(3, UtcNow());
  s.Bind(4, lineage_json.empty() ? std::string("{}") : lineage_json);
  s.Bind(5, static_cast<int64_t>(::getpid())).Bind(6, HostName());
  RETURN_NOT_OK(s.Run(fmt::format("insert batch for {}", dataset.ToString())));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Metastore::ReserveFiles(int64_t batch_id, const std::vector<FileInfo>& files) {
  std::lock_guard lock(mu_);
  Txn txn(db_);
  RETURN_NOT_OK(txn.Begin());
  PREPARE(s, db_,
          "INSERT INTO files (batch_id, dataset_id, path, partition_json, row_count, byte_count, "
          "checksum, provenance_json, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')");
  for (const FileInfo& f : files) {
    s.Reset();
    s.Bind(1, batch_id).Bind(2, f.dataset.ToString()).Bind(3, f.path).Bind(4, PartitionToJson(f.partition));
    s.Bind(5, f.row_count).Bind(6, f.byte_count).BindOrNull(7, f.checksum);
    s.Bind(8, f.provenance_json.empty() ? std::string("{}") : f.provenance_json);
    Status st = s.Run("reserve file");
    if (st.code() == StatusCode::kAlreadyExists) {
      PREPARE(owner, db_, "SELECT batch_id, state FROM files WHERE path = ?");
      owner.Bind(1, f.path);
      ASSIGN_OR_RETURN(bool row, owner.Step("find file owner"));
      return Status::AlreadyExists(fmt::format(
          "batch {}: lake path '{}' already belongs to batch {} ({}); write to a new file name "
          "(BatchWriter::NextPartPath) or replace the dataset",
          batch_id, f.path, row ? owner.Int(0) : -1, row ? owner.Text(1) : "?"));
    }
    RETURN_NOT_OK(st);
  }
  return txn.Commit();
}

Status Metastore::CommitBatch(const BatchCommit& c, const FailPointHook& hook) {
  std::lock_guard lock(mu_);
  const std::string where = fmt::format("commit batch {} ({})", c.batch_id, c.dataset.ToString());
  RETURN_NOT_OK(CheckFailPoint(hook, "commit.before_transaction"));
  Txn txn(db_);
  RETURN_NOT_OK(txn.Begin().WithContext(where));
  const std::string now = UtcNow();

  {  // The batch must still be writing: recovery may have aborted it.
    PREPARE(s, db_, "SELECT state FROM batches WHERE batch_id = ?");
    s.Bind(1, c.batch_id);
    ASSIGN_OR_RETURN(bool row, s.Step(where));
    if (!row || s.Text(0) != "writing") {
      return Status::Internal(fmt::format("{}: batch is {}, not writing; start a new batch", where,
                                          row ? s.Text(0) : "missing"));
    }
  }
  {  // Optimistic check of cursors read inside the batch.
    PREPARE(s, db_, "SELECT value FROM cursors WHERE cursor_key = ?");
    for (const auto& cur : c.cursors) {
      if (!cur.check_expected) continue;
      s.Reset();
      s.Bind(1, cur.key);
      ASSIGN_OR_RETURN(bool row, s.Step(where));
      std::optional<std::string> now_value;
      if (row) now_value = s.Text(0);
      if (now_value != cur.expected) {
        return Status::AlreadyExists(fmt::format(
            "{}: cursor '{}' moved from '{}' to '{}' since this batch read it: another run "
            "imported the same range; re-run to continue from the new cursor",
            where, cur.key, cur.expected.value_or("<none>"), now_value.value_or("<none>")));
      }
    }
  }
  {  // Landing files already ingested make the whole batch a duplicate.
    PREPARE(find, db_, "SELECT batch_id, source_path FROM ingested_files WHERE dataset_id = ? AND checksum = ?");
    PREPARE(ins, db_,
            "INSERT INTO ingested_files (checksum, source_path, byte_count, dataset_id, batch_id, "
            "ingested_at) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& f : c.ingested) {
      find.Reset();
      find.Bind(1, f.dataset.ToString()).Bind(2, f.checksum);
      ASSIGN_OR_RETURN(bool row, find.Step(where));
      if (row) {
        return Status::AlreadyExists(fmt::format(
            "{}: '{}' (sha256 {}) was already ingested by batch {} from '{}'; skip it", where,
            f.source_path, f.checksum, find.Int(0), find.Text(1)));
      }
      ins.Reset();
      ins.Bind(1, f.checksum).Bind(2, f.source_path).Bind(3, f.byte_count).Bind(4, f.dataset.ToString());
      ins.Bind(5, c.batch_id).Bind(6, now);
      RETURN_NOT_OK(ins.Run(where));
    }
  }
  {  // Replaced datasets: their earlier live files retire.
    PREPARE(s, db_,
            "UPDATE files SET state = 'retired', retired_by = ? "
            "WHERE dataset_id = ? AND state = 'live' AND batch_id != ?");
    for (const auto& ds : c.replace) {
      s.Reset();
      s.Bind(1, c.batch_id).Bind(2, ds.ToString()).Bind(3, c.batch_id);
      RETURN_NOT_OK(s.Run(where));
    }
  }
  {  // The batch's reserved files become live.
    PREPARE(s, db_,
            "UPDATE files SET state = 'live', committed_at = ? WHERE batch_id = ? AND state = 'pending'");
    s.Bind(1, now).Bind(2, c.batch_id);
    RETURN_NOT_OK(s.Run(where));
    int64_t changed = sqlite3_changes(db_);
    if (changed != c.file_count) {
      return Status::Internal(fmt::format("{}: {} files reserved but {} added", where, changed, c.file_count));
    }
  }
  {  // Datasets: register each touched one, keep schemas current.
    PREPARE(s, db_,
            "INSERT INTO datasets (dataset_id, kind, name, schema_json, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dataset_id) DO UPDATE SET "
            "updated_at = excluded.updated_at, schema_json = COALESCE(excluded.schema_json, schema_json)");
    for (const auto& ds : c.touched) {
      s.Reset();
      std::string id = ds.ToString();
      auto schema = c.schemas.find(id);
      s.Bind(1, id).Bind(2, ZoneName(ds.zone)).Bind(3, ds.name);
      if (schema != c.schemas.end()) {
        s.Bind(4, schema->second);
      } else {
        s.BindNull(4);
      }
      s.Bind(5, now).Bind(6, now);
      RETURN_NOT_OK(s.Run(where));
    }
  }
  {  // Cursors move only here, with the batch.
    PREPARE(s, db_,
            "INSERT INTO cursors (cursor_key, value, dataset_id, batch_id, updated_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (cursor_key) DO UPDATE SET value = excluded.value, "
            "dataset_id = excluded.dataset_id, batch_id = excluded.batch_id, updated_at = excluded.updated_at");
    for (const auto& cur : c.cursors) {
      s.Reset();
      s.Bind(1, cur.key).Bind(2, cur.value).Bind(3, c.dataset.ToString()).Bind(4, c.batch_id).Bind(5, now);
      RETURN_NOT_OK(s.Run(where));
    }
  }
  {
    PREPARE(s, db_,
            "INSERT INTO quarantine_counts (batch_id, dataset_id, reason, record_count) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (batch_id, dataset_id, reason) DO UPDATE SET "
            "record_count = record_count + excluded.record_count");
    for (const auto& q : c.quarantine) {
      s.Reset();
      s.Bind(1, c.batch_id).Bind(2, q.dataset.ToString()).Bind(3, q.reason).Bind(4, q.record_count);
      RETURN_NOT_OK(s.Run(where));
    }
  }
  {
    PREPARE(s, db_,
            "UPDATE batches SET state = 'committed', ended_at = ?, row_count = ?, byte_count = ?, "
            "file_count = ?, quarantined_count = ? WHERE batch_id = ?");
    s.Bind(1, now).Bind(2, c.row_count).Bind(3, c.byte_count).Bind(4, c.file_count);
    s.Bind(5, c.quarantined_count).Bind(6, c.batch_id);
    RETURN_NOT_OK(s.Run(where));
  }
  RETURN_NOT_OK(CheckFailPoint(hook, "commit.in_transaction"));
  Status st = txn.Commit();
  if (st.ok()) return st;
  // COMMIT failed; the transaction rolled back (Txn's destructor makes sure).
  return st.WithContext(where);
}

Status Metastore::AbortBatch(int64_t batch_id, const std::string& reason) {
  std::lock_guard lock(mu_);
  Txn txn(db_);
  RETURN_NOT_OK(txn.Begin());
  PREPARE(del, db_, "DELETE FROM files WHERE batch_id = ? AND state = 'pending'");
  del.Bind(1, batch_id);
  RETURN_NOT_OK(del.Run(fmt::format("abort batch {}", batch_id)));
  PREPARE(upd, db_,
          "UPDATE batches SET state = 'aborted', ended_at = ?, error = ? "
          "WHERE batch_id = ? AND state = 'writing'");
  upd.Bind(1, UtcNow()).Bind(2, reason).Bind(3, batch_id);
  RETURN_NOT_OK(upd.Run(fmt::format("abort batch {}", batch_id)));
  return txn.Commit();
}

Result<std::optional<BatchInfo>> Metastore::GetBatch(int64_t batch_id) {
  std::lock_guard lock(mu_);
  std::string sql = fmt::format("SELECT {} FROM batches WHERE batch_id = ?", kBatchColumns);
  PREPARE(s, db_, sql.c_str());
  s.Bind(1, batch_id);
  ASSIGN_OR_RETURN(bool row, s.Step("get batch"));
  if (!row) return std::optional<BatchInfo>();
  return std::optional<BatchInfo>(ReadBatch(s));
}

Result<std::vector<BatchInfo>> Metastore::ListBatches(std::optional<DatasetId> dataset,
                                                      std::optional<BatchState> state, int limit) {
  std::lock_guard lock(mu_);
  std::string sql = fmt::format(
      "SELECT {} FROM batches WHERE (?1 IS NULL OR dataset_id = ?1) AND (?2 IS NULL OR state = ?2) "
      "ORDER BY batch_id DESC LIMIT ?3",
      kBatchColumns);
  PREPARE(s, db_, sql.c_str());
  if (dataset) s.Bind(1, dataset->ToString());
  if (state) s.Bind(2, BatchStateName(*state));
  s.Bind(3, static_cast<int64_t>(limit > 0 ? limit : -1));
  std::vector<BatchInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list batches"));
    if (!row) break;
    out.push_back(ReadBatch(s));
  }
  return out;
}

Result<std::vector<FileInfo>> Metastore::ListFiles(const DatasetId& dataset, FileState state,
                                                   const Partition& partition_filter) {
  std::lock_guard lock(mu_);
  std::string sql = fmt::format(
      "SELECT {} FROM files WHERE dataset_id = ? AND state = ? ORDER BY path", kFileColumns);
  PREPARE(s, db_, sql.c_str());
  s.Bind(1, dataset.ToString()).Bind(2, FileStateName(state));
  std::vector<FileInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step(fmt::format("list files of {}", dataset.ToString())));
    if (!row) break;
    FileInfo f = ReadFile(s);
    if (PartitionMatches(f.partition, partition_filter)) out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<FileInfo>> Metastore::BatchFiles(int64_t batch_id) {
  std::lock_guard lock(mu_);
  std::string sql = fmt::format("SELECT {} FROM files WHERE batch_id = ? ORDER BY path", kFileColumns);
  PREPARE(s, db_, sql.c_str());
  s.Bind(1, batch_id);
  std::vector<FileInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list batch files"));
    if (!row) break;
    out.push_back(ReadFile(s));
  }
  return out;
}

Result<std::vector<std::string>> Metastore::AllPaths() {
  std::lock_guard lock(mu_);
  PREPARE(s, db_, "SELECT path FROM files ORDER BY path");
  std::vector<std::string> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list paths"));
    if (!row) break;
    out.push_back(s.Text(0));
  }
  return out;
}

Result<std::vector<FileInfo>> Metastore::RetiredFiles(const std::string& before) {
  std::lock_guard lock(mu_);
  std::string sql = fmt::format(
      "SELECT {} FROM files f WHERE state = 'retired' AND EXISTS (SELECT 1 FROM batches b "
      "WHERE b.batch_id = f.retired_by AND b.ended_at < ?) ORDER BY path",
      kFileColumns);
  PREPARE(s, db_, sql.c_str());
  s.Bind(1, before);
  std::vector<FileInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list retired files"));
    if (!row) break;
    out.push_back(ReadFile(s));
  }
  return out;
}

Status Metastore::DeleteFileRows(const std::vector<int64_t>& file_ids) {
  std::lock_guard lock(mu_);
  Txn txn(db_);
  RETURN_NOT_OK(txn.Begin());
  PREPARE(s, db_, "DELETE FROM files WHERE file_id = ? AND state = 'retired'");
  for (int64_t id : file_ids) {
    s.Reset();
    s.Bind(1, id);
    RETURN_NOT_OK(s.Run("delete retired file row"));
  }
  return txn.Commit();
}

Status Metastore::MoveRetiredFileRows(const std::vector<std::pair<int64_t, std::string>>& new_paths) {
  if (new_paths.empty()) return Status::OK();
  std::lock_guard lock(mu_);
  Txn txn(db_);
  RETURN_NOT_OK(txn.Begin());
  PREPARE(s, db_, "UPDATE files SET path = ? WHERE file_id = ? AND state = 'retired'");
  for (const auto& [id, path] : new_paths) {
    s.Reset();
    s.Bind(1, path).Bind(2, id);
    RETURN_NOT_OK(s.Run("record a retired file's new place"));
  }
  return txn.Commit();
}

Result<std::vector<DatasetInfo>> Metastore::ListDatasets() {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT dataset_id, schema_json, created_at, updated_at FROM datasets ORDER BY dataset_id");
  std::vector<DatasetInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list datasets"));
    if (!row) break;
    out.push_back({DatasetFromText(s.Text(0)), s.Text(1), s.Text(2), s.Text(3)});
  }
  return out;
}

Result<std::optional<DatasetInfo>> Metastore::GetDataset(const DatasetId& dataset) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT dataset_id, schema_json, created_at, updated_at FROM datasets WHERE dataset_id = ?");
  s.Bind(1, dataset.ToString());
  ASSIGN_OR_RETURN(bool row, s.Step("get dataset"));
  if (!row) return std::optional<DatasetInfo>();
  return std::optional<DatasetInfo>(DatasetInfo{dataset, s.Text(1), s.Text(2), s.Text(3)});
}

Result<std::vector<DatasetStats>> Metastore::DatasetSummary() {
  std::lock_guard lock(mu_);
  PREPARE(s, db_, R"sql(
    SELECT d.dataset_id,
      (SELECT COUNT(*) FROM files f WHERE f.dataset_id = d.dataset_id AND f.state = 'live'),
      (SELECT COALESCE(SUM(row_count), 0) FROM files f WHERE f.dataset_id = d.dataset_id AND f.state = 'live'),
      (SELECT COALESCE(SUM(byte_count), 0) FROM files f WHERE f.dataset_id = d.dataset_id AND f.state = 'live'),
      (SELECT COUNT(*) FROM batches b WHERE b.state = 'committed' AND (b.dataset_id = d.dataset_id
         OR EXISTS (SELECT 1 FROM files f WHERE f.batch_id = b.batch_id AND f.dataset_id = d.dataset_id))),
      (SELECT COALESCE(SUM(record_count), 0) FROM quarantine_counts q WHERE q.dataset_id = d.dataset_id),
      d.updated_at
    FROM datasets d ORDER BY d.dataset_id)sql");
  std::vector<DatasetStats> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("summarise datasets"));
    if (!row) break;
    out.push_back({DatasetFromText(s.Text(0)), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Int(5), s.Text(6)});
  }
  return out;
}

Result<std::optional<std::string>> Metastore::GetCursor(const std::string& key) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_, "SELECT value FROM cursors WHERE cursor_key = ?");
  s.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, s.Step(fmt::format("read cursor '{}'", key)));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.Text(0));
}

Result<std::vector<CursorInfo>> Metastore::ListCursors() {
  std::lock_guard lock(mu_);
  PREPARE(s, db_, "SELECT cursor_key, value, dataset_id, batch_id, updated_at FROM cursors ORDER BY cursor_key");
  std::vector<CursorInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list cursors"));
    if (!row) break;
    out.push_back({s.Text(0), s.Text(1), DatasetFromText(s.Text(2)), s.Int(3), s.Text(4)});
  }
  return out;
}

Result<std::optional<IngestedFileInfo>> Metastore::FindIngestedFile(const DatasetId& dataset,
                                                                    const std::string& checksum) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT checksum, source_path, byte_count, dataset_id, batch_id, ingested_at "
          "FROM ingested_files WHERE dataset_id = ? AND checksum = ?");
  s.Bind(1, dataset.ToString()).Bind(2, checksum);
  ASSIGN_OR_RETURN(bool row, s.Step("find ingested file"));
  if (!row) return std::optional<IngestedFileInfo>();
  return std::optional<IngestedFileInfo>(
      IngestedFileInfo{s.Text(0), s.Text(1), s.Int(2), DatasetFromText(s.Text(3)), s.Int(4), s.Text(5)});
}

Result<std::optional<IngestedFileInfo>> Metastore::LastIngestedAt(const DatasetId& dataset, const std::string& path) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT checksum, source_path, byte_count, dataset_id, batch_id, ingested_at FROM ingested_files "
          "WHERE dataset_id = ? AND source_path = ? ORDER BY batch_id DESC LIMIT 1");
  s.Bind(1, dataset.ToString()).Bind(2, path);
  ASSIGN_OR_RETURN(bool row, s.Step("find the last ingested version of a file"));
  if (!row) return std::optional<IngestedFileInfo>();
  return std::optional<IngestedFileInfo>(
      IngestedFileInfo{s.Text(0), s.Text(1), s.Int(2), DatasetFromText(s.Text(3)), s.Int(4), s.Text(5)});
}

Result<bool> Metastore::HasIngestedChecksumOfLength(const DatasetId& dataset, int length) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT 1 FROM ingested_files WHERE dataset_id = ? AND length(checksum) = ? "
          "AND checksum NOT LIKE 'empty:%' LIMIT 1");
  s.Bind(1, dataset.ToString()).Bind(2, static_cast<int64_t>(length));
  return s.Step("look up ingested checksums");
}

Result<std::vector<LandingIdentity>> Metastore::ListLandingIdentities(const DatasetId& dataset) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT l.path, l.byte_count, l.mtime_ns, l.ctime_ns, l.inode, l.identity FROM landing_identities l "
          "JOIN ingested_files i ON i.dataset_id = l.dataset_id AND i.checksum = l.identity WHERE l.dataset_id = ?");
  s.Bind(1, dataset.ToString());
  std::vector<LandingIdentity> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list landing identities"));
    if (!row) break;
    out.push_back({s.Text(0), s.Int(1), s.Int(2), s.Int(3), s.Int(4), s.Text(5)});
  }
  return out;
}

Status Metastore::UpdateLandingIdentities(const DatasetId& dataset, const std::vector<LandingIdentity>& upserts,
                                          const std::vector<std::string>& removed) {
  std::lock_guard lock(mu_);
  Txn txn(db_);
  RETURN_NOT_OK(txn.Begin());
  PREPARE(del, db_, "DELETE FROM landing_identities WHERE dataset_id = ? AND path = ?");
  for (const std::string& path : removed) {
    del.Reset();
    del.Bind(1, dataset.ToString()).Bind(2, path);
    RETURN_NOT_OK(del.Run("forget landing identity"));
  }
  PREPARE(ins, db_,
          "INSERT OR REPLACE INTO landing_identities (dataset_id, path, byte_count, mtime_ns, ctime_ns, inode, "
          "identity) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const LandingIdentity& l : upserts) {
    ins.Reset();
    ins.Bind(1, dataset.ToString()).Bind(2, l.path).Bind(3, l.byte_count).Bind(4, l.mtime_ns).Bind(5, l.ctime_ns);
    ins.Bind(6, l.inode).Bind(7, l.identity);
    RETURN_NOT_OK(ins.Run("record landing identity"));
  }
  return txn.Commit();
}

Result<std::vector<QuarantineCount>> Metastore::ListQuarantine(std::optional<int64_t> batch_id) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT batch_id, dataset_id, reason, record_count FROM quarantine_counts "
          "WHERE ?1 IS NULL OR batch_id = ?1 ORDER BY batch_id DESC, dataset_id, reason");
  s.Bind(1, batch_id);
  std::vector<QuarantineCount> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list quarantine counts"));
    if (!row) break;
    out.push_back({s.Int(0), DatasetFromText(s.Text(1)), s.Text(2), s.Int(3)});
  }
  return out;
}

Result<int64_t> Metastore::BeginRun(const std::string& verb, const std::vector<std::string>& args) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "INSERT INTO runs (verb, args_json, status, started_at, pid, host) VALUES (?, ?, 'running', ?, ?, ?)");
  s.Bind(1, verb).Bind(2, nlohmann::json(args).dump()).Bind(3, UtcNow());
  s.Bind(4, static_cast<int64_t>(::getpid())).Bind(5, HostName());
  RETURN_NOT_OK(s.Run(fmt::format("record run '{}'", verb)));
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Status Metastore::EndRun(int64_t run_id, RunStatus status, const std::string& summary_json,
                         const std::string& error) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_, "UPDATE runs SET status = ?, ended_at = ?, summary_json = ?, error = ? WHERE run_id = ?");
  s.Bind(1, RunStatusName(status)).Bind(2, UtcNow());
  s.Bind(3, summary_json.empty() ? std::string("{}") : summary_json).BindOrNull(4, error).Bind(5, run_id);
  RETURN_NOT_OK(s.Run(fmt::format("end run {}", run_id)));
  if (sqlite3_changes(db_) != 1) return Status::NotFound(fmt::format("run {} is not in the metastore", run_id));
  return Status::OK();
}

Result<std::vector<RunInfo>> Metastore::ListRuns(int limit) {
  std::lock_guard lock(mu_);
  PREPARE(s, db_,
          "SELECT run_id, verb, args_json, status, started_at, ended_at, pid, host, summary_json, error "
          "FROM runs ORDER BY run_id DESC LIMIT ?");
  s.Bind(1, static_cast<int64_t>(limit > 0 ? limit : -1));
  std::vector<RunInfo> out;
  while (true) {
    ASSIGN_OR_RETURN(bool row, s.Step("list runs"));
    if (!row) break;
    out.push_back({s.Int(0), s.Text(1), s.Text(2), ParseRunStatus(s.Text(3)), s.Text(4), s.Text(5), s.Int(6),
                   s.Text(7), s.Text(8), s.Text(9)});
  }
  return out;
}

Result<int> Metastore::ReapDeadRuns(const std::string& host, const std::function<bool(int64_t)>& alive) {
  std::vector<int64_t> dead;
  {
    std::lock_guard lock(mu_);
    PREPARE(s, db_, "SELECT run_id, pid FROM runs WHERE status = 'running' AND host = ?");
    s.Bind(1, host);
    while (true) {
      ASSIGN_OR_RETURN(bool row, s.Step("list running runs"));
      if (!row) break;
      if (!alive(s.Int(1))) dead.push_back(s.Int(0));
    }
  }
  for (int64_t id : dead) {
    std::lock_guard lock(mu_);
    PREPARE(s, db_,
            "UPDATE runs SET status = 'killed', ended_at = ?, error = 'the process ended without "
            "recording an end (killed or crashed)' WHERE run_id = ? AND status = 'running'");
    s.Bind(1, UtcNow()).Bind(2, id);
    RETURN_NOT_OK(s.Run("mark run killed"));
  }
  return static_cast<int>(dead.size());
}

}  // namespace custlake::lake
