// RowStream: rows straight from a producer into DuckDB's
// COPY ... TO (FORMAT parquet), with no staging table in between. Part of the
// engine (it is DuckDB-facing code); file ingestion is its first user.
//
// The ingester's producer (read, parse, coerce, dedup, in file order, so
// every decision is deterministic) fills RowBlocks: columnar arrays of up to
// 2048 rows (DuckDB's vector size) or 4 MiB of text, one chain of blocks per
// partition (event day). Then one COPY per partition reads its chain through
// a DuckDB table function, `custlake_rows(day)`, straight into that
// partition's Parquet file; several partitions' COPYs run at once. Compared with a staging table and a
// COPY ... PARTITION_BY this skips two copies of every value (the table and
// DuckDB's per-partition buffers) and the page faults of their fresh memory.
//
// Blocks come from a pool that is kept across batches (their memory is
// touched once; this machine is slow to touch fresh memory): its size is
// about one batch of rows, so batch_bytes bounds it. Uses DuckDB's C API on
// its own in-memory database.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/appender.h"

namespace custlake::engine {

/// Up to kRows rows, column by column. Strings live in a per-block arena.
class RowBlock {
 public:
  static constexpr size_t kRows = 2048;

  explicit RowBlock(const std::vector<engine::ColumnSpec>& columns);

  size_t rows() const { return rows_; }
  /// Full at kRows rows or kArenaBytes of text (bounds a block's memory).
  static constexpr size_t kArenaBytes = 4u << 20;
  bool full() const { return rows_ == kRows || arena_.size() >= kArenaBytes; }
  void Clear();

  // Setters for the row being written (index rows()); unset columns are NULL.
  void SetNull(size_t col) { valid_[col][rows_] = 0; }
  void SetInt64(size_t col, int64_t v) {
    ints_[col][rows_] = v;
    valid_[col][rows_] = 1;
  }
  void SetDouble(size_t col, double v) {
    doubles_[col][rows_] = v;
    valid_[col][rows_] = 1;
  }
  void SetBool(size_t col, bool v) { SetInt64(col, v ? 1 : 0); }
  void SetString(size_t col, std::string_view v);
  /// Ends the row: columns not set since the last EndRow become NULL.
  void EndRow();

 private:
  friend class RowStream;
  std::vector<engine::ColumnSpec> columns_;
  std::vector<std::vector<int64_t>> ints_;     ///< bool, bigint, timestamp, date
  std::vector<std::vector<double>> doubles_;
  std::vector<std::vector<uint64_t>> strs_;    ///< offset << 32 | length into arena_
  std::vector<std::vector<uint8_t>> valid_;
  std::string arena_;
  size_t rows_ = 0;
};

/// Collects the producer's rows, grouped by partition (a day number).
class RowSink {
 public:
  virtual ~RowSink() = default;
  /// The block to write the next row of partition `day` into (never full).
  virtual RowBlock* block(int64_t day) = 0;
  /// Call after that block's EndRow().
  virtual void RowDone(int64_t day) = 0;
};

class RowStream {
 public:
  /// A private in-memory DuckDB with `threads` threads (0 = all cores).
  static Result<std::unique_ptr<RowStream>> Open(const std::string& memory_limit, int threads);
  ~RowStream();
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  /// Runs `produce`, which fills the sink with rows of `columns`; if it
  /// succeeds, runs `copy_sql(day)` for each partition, in which
  /// `custlake_rows(day)` is the table of that partition's rows. Up to 4
  /// COPYs run at once (one per core), each on its own connection;
  /// `copy_sql` is called from those threads.
  Status Run(const std::vector<engine::ColumnSpec>& columns, const std::function<Status(RowSink*)>& produce,
             const std::function<std::string(int64_t day)>& copy_sql);
  /// Run in two halves, so the COPYs of one batch can run on another thread
  /// while the next batch is produced into another RowStream.
  Status Produce(const std::vector<engine::ColumnSpec>& columns, const std::function<Status(RowSink*)>& produce);
  Status Copy(const std::function<std::string(int64_t day)>& copy_sql);
  /// Runs a statement (no result) on the private database.
  Status Execute(const std::string& sql);

  struct Impl;

 private:
  explicit RowStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custlake::engine
