// RecordReader: splits a landing file's bytes into records, each with its
// line number and byte offset, without parsing them.
//
//   ndjson  one record per line; blank lines are not records; CRLF is fine.
//   json    a JSON array of records, one document (possibly pretty-printed),
//           or several documents one after another (NDJSON included). Values
//           are delimited by bracket matching; a raw newline inside a string
//           or a '{' at column 0 inside a value ends a broken value there,
//           so one truncated document never swallows the next.
//   csv     RFC 4180 records (quoted fields may hold newlines); the first
//           record is the header (see csv_record.h).
//
// A UTF-8 byte-order mark at the start is skipped. A record longer than
// max_record_bytes is returned with `oversize` set and its text cut to the
// first bytes (the rest is skipped without being buffered), so memory stays
// bounded whatever the input. Decompression errors come back as a Status.
//
// Records are views into the reader's buffer: valid until the next Next().
// The buffer always has kPadding readable bytes after a record (simdjson
// parses records in place). One thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/file_reader.h"

namespace custlake::ingest {

enum class Format { kNdjson, kJson, kCsv };
const char* FormatName(Format f);
Result<Format> ParseFormat(std::string_view name);

struct RawRecord {
  std::string_view text;
  int64_t line = 0;          ///< 1-based line where the record starts
  int64_t offset = 0;        ///< byte offset (decompressed) where it starts
  int64_t size = 0;          ///< full size in bytes (text may be cut when oversize)
  bool oversize = false;     ///< longer than max_record_bytes
  std::string broken;        ///< why the splitter thinks the record is cut off ("" = looks whole)
};

struct RecordReaderOptions {
  Format format = Format::kNdjson;
  size_t max_record_bytes = 8u << 20;
  size_t chunk_bytes = 4u << 20;  ///< bytes read from the file at a time
};

/// Finds where one JSON value ends (json format), by bracket matching over
/// chunks: a container ends at its closing bracket; a scalar at a line
/// break (or, inside an array, a ',' or ']'). A raw line break inside a
/// string, or a '{' at column 0 inside a value of a non-array file, means
/// the value was cut off there (the next document starts). Keeps its state
/// across calls, so a value can be scanned without holding all of it.
class JsonValueScan {
 public:
  enum Outcome { kMore, kEnd, kRawNewlineInString, kNewDocument };
  static constexpr const char* kRawNewlineMessage = "a raw line break inside a string (the record is cut off)";
  static constexpr const char* kNewDocumentMessage =
      "a new document starts at column 0 before this one ended (the record is cut off)";

  /// `first` is the value's first byte.
  explicit JsonValueScan(char first) : container_(first == '{' || first == '[') {}
  /// Scans [p, e): kEnd with *at just past the value, kRawNewlineInString /
  /// kNewDocument with *at on the offending byte, or kMore (need more bytes).
  Outcome Scan(const char* p, const char* e, bool in_array, const char** at);
  bool container() const { return container_; }

 private:
  bool container_;
  int depth_ = 0;
  bool in_str_ = false, esc_ = false;
  char prev_ = '\0';
};

class RecordReader {
 public:
  static constexpr size_t kPadding = 64;

  /// `buffer` is scratch memory the caller keeps across files (reused, so
  /// its pages are touched once); it must outlive the reader.
  RecordReader(std::unique_ptr<FileReader> file, RecordReaderOptions options, std::vector<char>* buffer);

  /// The next record: true, or false at the end of the file.
  Result<bool> Next(RawRecord* record);
  int64_t bytes_read() const { return consumed_offset_; }

 private:
  /// Makes more data available after `end_`; false at EOF.
  Result<bool> Fill();
  Result<bool> NextLine(RawRecord* record);
  Result<bool> NextJson(RawRecord* record);
  Result<bool> NextCsv(RawRecord* record);
  /// Emits the line [begin_, e) (no line break inside; buf_[e] is '\n').
  void EmitLine(RawRecord* record, size_t e);
  /// Emits [s, e) (cut at max_record_bytes) and consumes up to `next`.
  void Emit(RawRecord* record, size_t s, size_t e, size_t next, std::string broken);
  /// Emits the oversize record starting at `s` (its first 64 KiB, its real
  /// size) and skips the rest of it without buffering (see EmitOversize).
  Status EmitOversize(RawRecord* record, size_t s);
  /// Moves begin_ to `pos`, counting lines and offsets.
  void Consume(size_t pos);
  /// Skips a UTF-8 BOM at the very start.
  Result<bool> Start();

  std::unique_ptr<FileReader> file_;
  RecordReaderOptions options_;
  std::vector<char>& buf_;
  size_t cap_ = 0;          ///< usable bytes of buf_ (its size minus kPadding)
  std::string head_;        ///< the kept start of an oversize record
  size_t begin_ = 0;  ///< first unconsumed byte
  size_t end_ = 0;    ///< end of valid data
  bool eof_ = false;
  bool started_ = false;
  int64_t line_ = 1;               ///< line of buf_[begin_]
  int64_t consumed_offset_ = 0;    ///< file offset of buf_[begin_]
  // json mode
  bool in_array_ = false;
  bool seen_first_ = false;
};

}  // namespace custlake::ingest
