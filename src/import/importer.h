// Relational import (Sqoop's job): copies tables or queries of an
// operational database (SQLite, MariaDB/MySQL, PostgreSQL through src/db)
// into the lake's raw zone as Parquet, fully or incrementally, in parallel
// splits, exactly once.
//
// One table import is one lake batch: rows stream from the source
// (db::RowStream, never buffered whole) into an engine::RowStream's columnar
// blocks, which DuckDB's COPY writes as a zstd Parquet part every
// TableOptions::batch_rows rows (or batch_bytes); the parts, the dataset schema,
// the lineage and the incremental cursor are committed together by
// lake::BatchWriter::Commit. A run killed at any moment leaves nothing
// visible and the cursor where it was, so running it again gives the same
// lake as one clean run. A source that fails mid-import (connection lost,
// server restarted) aborts the batch and the table is retried from the start
// up to TableOptions::retries times.
//
// Incremental imports read `check >= cursor AND check <= upper`, where
// `upper` is MAX(check) taken at the start of the run and becomes the new
// cursor; rows tying the old cursor whose (key, check) the lake already
// holds are dropped, so ties at the cursor are neither skipped nor
// duplicated (docs/import.md, "Incremental imports").
//
// Threads: ImportTable starts TableOptions::mappers reader threads of its
// own (one source connection and two part buffers each) and a Parquet
// writer thread per reader, and returns when they are done. Calls on one Lake may run concurrently for
// different datasets.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/config.h"
#include "common/status.h"
#include "db/connection.h"
#include "import/import_config.h"
#include "import/options.h"
#include "lake/lake.h"

namespace custlake::importer {

/// Run-wide knobs that are not about one table.
struct RunOptions {
  std::optional<int64_t> run_id;  ///< lake::Lake::BeginRun's id, tied to each batch
  bool progress = true;           ///< a progress line on stderr (only on a terminal)
  /// Test seam: draw the progress line here, terminal or not.
  std::FILE* progress_out = nullptr;
  std::string memory_limit = "256MB";  ///< DuckDB staging memory per import
  int duckdb_threads = 2;         ///< threads DuckDB uses to write Parquet
  /// Test seam, consulted at "import.after_part" (after each part file is
  /// written) and "import.before_commit". An error fails the import there; a
  /// hook that raises SIGKILL simulates a crash.
  std::function<Status(std::string_view step)> fail_point;
};

/// What one table import did; ToJson() is the `--json` summary entry.
struct TableSummary {
  std::string source;        ///< masked URL
  std::string table;         ///< source table, or "query"
  std::string dataset;       ///< "raw/<source>/<table>"
  std::string mode;          ///< none, append, lastmodified
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t files = 0;
  int64_t batches = 0;       ///< 1 when committed
  int64_t batch_id = 0;
  double seconds = 0;
  int splits = 1;
  int attempts = 1;
  int64_t zero_dates = 0;    ///< zero / out-of-range dates written as NULL
  int64_t ties_dropped = 0;  ///< rows at the old cursor already in the lake
  std::string cursor_previous;
  std::string cursor;        ///< the committed cursor after this run ("" if none)
  std::vector<std::string> warnings;
  /// Rows read from the source per split, in split order ("split_rows" in
  /// the JSON: [{"split": "id < 250 or NULL", "rows": 250}, ...]).
  std::vector<std::pair<std::string, int64_t>> split_rows;

  double rows_per_second() const { return seconds > 0 ? rows / seconds : 0; }
  nlohmann::json ToJson() const;
};

/// A source to read: its name (the dataset prefix), URL and how to find its password.
struct SourceSpec {
  SourceSpec() = default;
  SourceSpec(std::string name_, std::string url_, std::string password_env_ = "",
             std::string password_file_ = "", std::string timezone_ = "UTC")
      : name(std::move(name_)),
        url(std::move(url_)),
        password_env(std::move(password_env_)),
        password_file(std::move(password_file_)),
        timezone(std::move(timezone_)) {}

  std::string name;           ///< "sic": datasets become raw/sic/<table>
  std::string url;            ///< no password in it (see below)
  std::string password_env;   ///< variable holding the password; "" = CUSTLAKE_DB_PASSWORD
  std::string password_file;  ///< file holding the password (like ?password_file=)
  /// The zone naive source timestamps (MariaDB DATETIME, PostgreSQL
  /// timestamp, SQLite) are wall-clock times in: an IANA name, default UTC.
  std::string timezone = "UTC";

  /// The parsed URL with the password settings applied (not yet resolved).
  Result<db::DatabaseUrl> Url() const;
};

/// Imports one table (or query) of `source` into `lake` as one batch.
Result<TableSummary> ImportTable(lake::Lake* lake, const SourceSpec& source, const TableOptions& options,
                                 const RunOptions& run = {});

/// The source's base tables minus `exclude` (import-all-tables).
Result<std::vector<std::string>> ListSourceTables(const SourceSpec& source, const std::vector<std::string>& exclude);

/// Imports every table configured for [sources.<source_name>] of
/// custlake.toml (all tables of the database when `tables` is empty, minus
/// exclude_tables), one batch per table, and returns the summary:
///   {"verb": "import", "source": ..., "tables": [TableSummary...], "rows": N, "bytes": N,
///    "batches": N, "seconds": S, "rows_per_second": R}
/// `defaults` fills settings a table does not configure (e.g. mappers). The
/// demo calls this with the generated company's source.
Result<nlohmann::json> ImportAll(const Config& config, const std::string& source_name,
                                 const TableOptions& defaults = {}, const RunOptions& run = {});

/// The same for an already-loaded source configuration and an open lake.
Result<nlohmann::json> ImportSource(lake::Lake* lake, const SourceConfig& source, const TableOptions& defaults,
                                    const RunOptions& run);

}  // namespace custlake::importer
