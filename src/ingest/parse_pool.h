// ParsePool: the record path's parallel half. The ingester's thread reads a
// file's records in order (record_reader.h) and copies them, a few hundred
// at a time, into RecordChunks; parse workers (one RecordParser each) parse
// and coerce whole chunks (record_parser.h) and compute each good record's
// dedup fingerprint and event day; the ingester's thread takes the chunks
// back in the order it submitted them (Next), and only there decides dedup,
// appends rows and quarantines bad records. So every decision sees records
// in file order, exactly as with one thread, and the lake is the same
// whatever the number of workers; only the parsing overlaps.
//
// Memory: at most max_in_flight() chunks (about kChunkBytes of text each,
// reused) whatever the input. With one thread, Submit parses on the
// caller's thread (no worker thread at all).
//
// One producer thread and one consumer thread (possibly the same one).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/status.h"
#include "ingest/coerce.h"
#include "ingest/record_parser.h"
#include "ingest/record_reader.h"
#include "ingest/schema.h"

namespace custlake::ingest {

/// How a chunk's records are parsed (the same for every chunk of a file).
struct ChunkContext {
  Format format = Format::kNdjson;
  char csv_delimiter = ',';
  size_t max_record_bytes = 8u << 20;  ///< for the too_large message of an oversize record
  int partition_index = -1;            ///< schema field giving the event day (-1: `today`)
  int64_t today = 0;                   ///< day of rows without a partition field
};

/// The outcome of one record of a chunk.
struct ParsedRecord {
  bool ok = false;
  RecordError error;         ///< when !ok (already "truncated" where the splitter saw a cut)
  int64_t day = 0;           ///< partition (event day) of a good record
  uint64_t fingerprint = 0;  ///< KeyFingerprint of its key; 0 = no key
  size_t first_value = 0;    ///< its values: values()[first_value ... + fields)
  std::string_view extra;    ///< JSON of unknown fields ("" = none)
};

/// Up to kChunkRecords records (or about kChunkBytes of text) of one file,
/// copied out of the reader's buffer (with simdjson's padding), and once
/// parsed, their outcomes and values (views into the chunk).
class RecordChunk {
 public:
  static constexpr size_t kChunkRecords = 1024;
  static constexpr size_t kChunkBytes = 256u << 10;

  struct Record {
    int64_t line = 0, offset = 0, size = 0;
    size_t text_begin = 0, text_size = 0;
    bool oversize = false;
    std::string broken;
  };

  void Add(const RawRecord& record);
  bool full() const { return records_.size() >= kChunkRecords || text_.size() >= kChunkBytes; }
  size_t size() const { return records_.size(); }
  const Record& record(size_t i) const { return records_[i]; }
  std::string_view text(size_t i) const { return {text_.data() + records_[i].text_begin, records_[i].text_size}; }
  const ParsedRecord& result(size_t i) const { return results_[i]; }
  const Value* values(size_t i) const { return values_.data() + results_[i].first_value; }

 private:
  friend class ParsePool;
  void Clear();
  /// Parses every record with `parser` (`row` is its scratch).
  void Parse(RecordParser* parser, ParsedRow* row, const Schema& schema);

  ChunkContext context_;
  std::string text_;
  std::vector<Record> records_;
  std::vector<ParsedRecord> results_;
  std::vector<Value> values_;
  std::string arena_;  ///< text of values and extras (views are set once the chunk is parsed)
  struct TextRef {
    bool extra;    ///< a record's extra (index = the record) or a value (index into values_)
    size_t index;
    size_t begin, size;
  };
  std::vector<TextRef> refs_;
  bool done_ = false;
};

class ParsePool {
 public:
  /// `threads` parse workers (<= 1: parse on the submitting thread); each
  /// has its own RecordParser over `schema`, which must outlive the pool
  /// and not change while it exists.
  ParsePool(const Schema* schema, RecordParserOptions options, int threads);
  ~ParsePool();
  ParsePool(const ParsePool&) = delete;
  ParsePool& operator=(const ParsePool&) = delete;

  int threads() const { return threads_; }
  /// Chunks out at most (being filled, submitted, or taken and not yet
  /// recycled): NewChunk waits for the consumer beyond that.
  size_t max_in_flight() const { return threads_ <= 1 ? 1 : static_cast<size_t>(threads_) * 2 + 2; }
  /// Chunks submitted and not yet taken back.
  size_t in_flight();

  // One producer thread (NewChunk, Submit, Finish) and one consumer thread
  // (Next, Recycle, Cancel, Discard); they may be the same thread, which
  // then takes the oldest chunk back before it asks for more than
  // max_in_flight().

  /// Starts a file's records: no chunk may be in flight.
  void Begin();
  /// Sets every parser's CSV header (no chunk may be in flight).
  Status SetCsvHeader(std::string_view line, char delimiter);
  /// An empty chunk to fill (reused memory); waits while max_in_flight()
  /// chunks are out. nullptr once Cancel was called: stop producing.
  RecordChunk* NewChunk();
  /// Hands a filled chunk to the workers (or parses it now with one thread).
  void Submit(RecordChunk* chunk, const ChunkContext& context);
  /// The producer has submitted its last chunk of the file.
  void Finish();
  /// The oldest submitted chunk, parsed (waits for it); nullptr when none
  /// is left and the producer finished (or, on the producer's own thread,
  /// when none is in flight).
  RecordChunk* Next();
  /// A chunk taken with Next back to the free list.
  void Recycle(RecordChunk* chunk);
  /// Tells the producer to stop (NewChunk returns nullptr).
  void Cancel();
  /// Waits for every submitted chunk and recycles it unread (an error
  /// stopped the consumer part-way through a file).
  void Discard();

 private:
  struct Worker {
    std::unique_ptr<RecordParser> parser;
    ParsedRow row;
  };
  void Loop(Worker* worker);

  const Schema* schema_;
  const int threads_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_running_;

  std::mutex mu_;  ///< guards everything below
  std::condition_variable work_cv_, done_cv_, free_cv_;
  std::vector<std::unique_ptr<RecordChunk>> chunks_;  ///< every chunk ever made
  std::vector<RecordChunk*> free_;
  size_t out_ = 0;                  ///< chunks handed out by NewChunk, not yet recycled
  std::deque<RecordChunk*> order_;  ///< submitted, in order, not yet taken back
  std::deque<RecordChunk*> queue_;  ///< submitted, not yet picked by a worker
  bool finished_ = false, cancelled_ = false, stop_ = false;
};

}  // namespace custlake::ingest
