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
// A text column of few distinct values (ColumnSpec::dictionary) keeps each
// row's value as an index into its StringDictionary (one per column, per
// part). A partition's COPY then reads it as an ENUM of the dictionary, when
// the partition has at least 5 rows per value (a fifth of the rows is the
// dictionary limit DuckDB's Parquet writer and the ingester use): Parquet
// gets the same text, dictionary-encoded, without DuckDB hashing each value
// twice. Otherwise (fewer rows, or a dictionary closed by a long tail of
// values) the COPY reads the text.
//
// Memory is bounded by a budget, whatever the input: when the blocks in use
// reach `budget_bytes`, the producer spills (RowSink::Spill): every
// partition's rows so far are COPYd into a part file of their own (part 0,
// 1, ... of the partition) and the blocks are reused. So one huge file, or a
// small gzip that expands a hundredfold, never holds more than the budget in
// rows. Blocks come from a pool kept across batches (their memory is touched
// once; this machine is slow to touch fresh memory), trimmed to the budget.
// Uses DuckDB's C API on its own in-memory database.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "engine/appender.h"
#include "engine/string_dictionary.h"

namespace custlake::engine {

/// Up to kRows rows, column by column. Strings live in a per-block arena.
class RowBlock {
 public:
  static constexpr size_t kRows = 2048;
  static constexpr size_t kInitialRows = 64;

  explicit RowBlock(const std::vector<engine::ColumnSpec>& columns);

  size_t rows() const { return rows_; }
  /// Full at kRows rows or kArenaBytes of text (bounds a block's memory).
  static constexpr size_t kArenaBytes = 4u << 20;
  bool full() const { return rows_ == kRows || arena_.size() >= kArenaBytes; }
  void Clear();
  /// Bytes this block holds (its column arrays and its text arena's capacity).
  size_t footprint() const { return fixed_bytes_ + arena_.capacity(); }
  /// footprint() minus what the last call returned (0 after Clear): lets a
  /// holder keep an exact running total as the arena grows.
  size_t TakeGrowth() {
    const size_t now = footprint(), grew = now - counted_;
    counted_ = now;
    return grew;
  }

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
  std::vector<engine::ColumnType> types_;
  std::vector<uint8_t> dictionary_;  ///< per column: ColumnSpec::dictionary (a kVarchar: its index array too)
  /// The RowStream's dictionaries, per column (nullptr: none); set when handed out.
  const std::vector<StringDictionary*>* dicts_ = nullptr;
  std::vector<std::vector<int64_t>> ints_;     ///< bool, bigint, timestamp, date, enum and dictionary indexes (-1: in strs_)
  std::vector<std::vector<double>> doubles_;
  std::vector<std::vector<uint64_t>> strs_;    ///< offset << 32 | length into arena_
  std::vector<std::vector<uint8_t>> valid_;
  std::string arena_;
  size_t rows_ = 0;
  void Reserve(size_t rows);
  size_t cap_ = 0;      ///< rows the column arrays hold (kInitialRows, doubling to kRows)
  size_t fixed_bytes_ = 0;
  size_t counted_ = 0;  ///< footprint as of the last TakeGrowth
};

/// Collects the producer's rows, grouped by partition (a day number).
class RowSink {
 public:
  virtual ~RowSink() = default;
  /// The block to write the next row of partition `day` into (never full).
  virtual RowBlock* block(int64_t day) = 0;
  /// Call after that block's EndRow().
  virtual void RowDone(int64_t day) = 0;
  /// True when the blocks in use have reached the budget: call Spill().
  virtual bool over_budget() const = 0;
  /// COPYs every partition's rows so far into part part() of that partition
  /// (copy_sql(day, part, rows)), frees the blocks, and moves on to the next part.
  virtual Status Spill() = 0;
  /// The part that rows written now go to (0 until the first Spill).
  virtual int part() const = 0;
};

/// The COPY statement writing partition `day`'s `rows` rows (table
/// custlake_rows(day)) to part `part` of that partition.
using CopySqlFn = std::function<std::string(int64_t day, int part, size_t rows)>;

class RowStream {
 public:
  /// A private in-memory DuckDB with `threads` threads (0 = all cores),
  /// running up to `copies` partitions' COPYs at once (0 = the cores; at
  /// most 4). When a batch has many partitions, one thread per COPY with
  /// several COPYs side by side is the cheaper way to use the cores: more
  /// threads in one COPY each write row groups of their own (smaller, so
  /// more dictionaries and pages) and spend CPU handing tasks around
  /// (ingest: about 10 % of its CPU time).
  static Result<std::unique_ptr<RowStream>> Open(const std::string& memory_limit, int threads, int copies = 0);
  ~RowStream();
  RowStream(const RowStream&) = delete;
  RowStream& operator=(const RowStream&) = delete;

  /// Runs `produce`, which fills the sink with rows of `columns` (spilling
  /// to parts when over `budget_bytes`); if it succeeds, runs
  /// `copy_sql(day, part, rows)` for each partition with rows left, in which
  /// `custlake_rows(day)` is the table of that partition's rows. Up to 4
  /// COPYs run at once (one per core), each on its own connection;
  /// `copy_sql` is called from those threads.
  Status Run(const std::vector<engine::ColumnSpec>& columns, const std::function<Status(RowSink*)>& produce,
             const CopySqlFn& copy_sql, size_t budget_bytes = SIZE_MAX);
  /// Run in two halves, so the COPYs of one batch can run on another thread
  /// while the next batch is produced into another RowStream. Produce's
  /// spills use `copy_sql` on the producer's thread.
  Status Produce(const std::vector<engine::ColumnSpec>& columns, const std::function<Status(RowSink*)>& produce,
                 const CopySqlFn& copy_sql = nullptr, size_t budget_bytes = SIZE_MAX);
  Status Copy(const CopySqlFn& copy_sql);
  /// Bytes the block pool holds now (for tests and logs).
  size_t pool_bytes() const;
  /// Runs a statement (no result) on the private database.
  Status Execute(const std::string& sql);

  struct Impl;

 private:
  explicit RowStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custlake::engine
