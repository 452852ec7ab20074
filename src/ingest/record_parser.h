// RecordParser: one raw record (JSON object text or a CSV line) to one row of
// typed values coerced to the schema, or the reason it must be quarantined.
//
// JSON is parsed with simdjson's DOM parser in place (the record's buffer
// must have RecordReader::kPadding readable bytes after it), so malformed
// JSON, invalid UTF-8, nesting deeper than max_depth and numbers beyond 64
// bits are all caught by the parser and named. Coercion (coerce.h) then
// turns each field into its schema type; fields the schema does not know go
// to the _extra JSON column or are dropped, per the schema's policy.
//
// Values in a ParsedRow are views into the parser's memory: valid until the
// next Parse call. One RecordParser per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/coerce.h"
#include "ingest/schema.h"

namespace custlake::ingest {

/// Why a record (or a file) went to quarantine; the names are stable and
/// stored in the quarantine rows and the metastore's counts.
enum class Reason {
  kMalformedJson,
  kInvalidUtf8,
  kTooDeep,
  kTooLarge,
  kNotAnObject,
  kMissingRequired,
  kBadType,
  kNumberOutOfRange,
  kTruncated,
  kMalformedCsv,
  kUnreadableFile,
};
const char* ReasonName(Reason reason);

struct RecordError {
  Reason reason = Reason::kMalformedJson;
  std::string detail;
};

struct ParsedRow {
  std::vector<Value> values;  ///< one per schema field
  std::string extra;          ///< JSON object of unknown fields ("" = none)
  std::string_view key;       ///< canonical text of the key field ("" = none)
};

struct RecordParserOptions {
  size_t max_depth = 64;
  size_t max_record_bytes = 8u << 20;
};

class RecordParser {
 public:
  RecordParser(const Schema* schema, RecordParserOptions options);
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  /// Parses and coerces a JSON object. False with `error` set when the
  /// record must be quarantined.
  bool ParseJson(std::string_view text, ParsedRow* row, RecordError* error);
  /// Feeds a JSON record to schema inference (false: not a valid object).
  bool ObserveJson(std::string_view text, SchemaInference* inference);

  /// Sets the CSV header (the first record of a CSV file).
  Status SetCsvHeader(std::string_view line, char delimiter);
  bool ParseCsv(std::string_view line, char delimiter, ParsedRow* row, RecordError* error);
  bool ObserveCsv(std::string_view line, char delimiter, SchemaInference* inference);
  const std::vector<std::string>& csv_header() const { return csv_header_; }
  /// Gives back the parser's memory beyond what a typical record needs once
  /// it has grown for a large one (simdjson keeps about ten times the
  /// largest document's size): with several parse workers, each would
  /// otherwise keep its own.
  void ShrinkIfLarge();

 private:
  struct Impl;
  bool Finish(ParsedRow* row, RecordError* error);
  /// Sets field `idx` to `v` rewritten for its nested type (nested_type.h).
  bool FitNested(const simdjson::dom::element& v, int idx, ParsedRow* row, RecordError* error);

  const Schema* schema_;
  RecordParserOptions options_;
  std::unique_ptr<Impl> impl_;
  std::vector<std::string> scratch_;      ///< per field: owned text of coerced values
  std::vector<std::string> csv_header_;
  std::vector<int> csv_map_;              ///< CSV column → schema field (-1: unknown)
  std::vector<std::string> csv_fields_;
  std::vector<uint8_t> seen_;
  std::vector<int> order_;  ///< JSON: the schema field at each position of the last record (-1: unknown)
  std::vector<std::optional<NestedType>> nested_;  ///< per field: its STRUCT/LIST type, if any
  std::string key_scratch_;  ///< the key's canonical text (KeyText), when not a view of the input
  int key_index_ = -1;
};

/// Splits one CSV record (RFC 4180) into fields; false when quotes are broken.
bool SplitCsv(std::string_view line, char delimiter, std::vector<std::string>* fields);

}  // namespace custlake::ingest
