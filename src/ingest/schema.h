// The schema records are coerced to: named, typed fields, which of them are
// required, the key used for deduplication and the field that decides the
// event-date partition.
//
// A schema comes from a schema file (a contract: JSON, see docs/ingest.md),
// from the dataset's schema already in the lake, or is inferred from the
// first records seen (InferSchema). Once a dataset has a schema in the
// metastore, later batches use it, so every batch of a dataset has the same
// columns. Nested values (objects, arrays) are carried as JSON text in the
// row blocks and turned into STRUCT/LIST Parquet types at COPY time, using
// `nested_type` (a DuckDB type, e.g. "STRUCT(ts VARCHAR, body VARCHAR)[]",
// see nested_type.h; inferred when the sampled values agree), else DuckDB's
// JSON type.
//
// Plain values; thread-safe to read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ingest/nested_type.h"

namespace custlake::ingest {

enum class FieldType { kString, kInt64, kDouble, kBool, kTimestamp, kDate, kJson };

std::string_view FieldTypeName(FieldType type);
Result<FieldType> ParseFieldType(std::string_view name);

struct Field {
  std::string name;
  FieldType type = FieldType::kString;
  bool required = false;
  /// kJson only: the DuckDB type to convert the JSON text to at COPY time
  /// ("" = keep as DuckDB JSON).
  std::string nested_type;
};

/// What happens to fields a record has and the schema does not.
enum class UnknownFieldPolicy { kKeep, kDrop };

struct Schema {
  std::vector<Field> fields;
  std::string key;              ///< dedup key field ("" = no dedup)
  std::string partition_field;  ///< timestamp/date field → event_date ("" = ingest date)
  UnknownFieldPolicy unknown = UnknownFieldPolicy::kKeep;

  /// Index of `name` in fields, or -1.
  int Find(std::string_view name) const;
  /// Checks names are unique and not reserved, the key and partition exist.
  Status Validate() const;
  /// {"fields":[{"name":..,"type":..,"required":..,"nested_type":..}],"key":..,
  ///  "partition_field":..,"unknown_fields":"keep"}
  std::string ToJson() const;
  /// Parses ToJson's format (also the schema-file format); `where` names the
  /// source in messages.
  static Result<Schema> FromJson(std::string_view text, const std::string& where);
  static Result<Schema> FromFile(const std::string& path);
};

/// Whether `next` (a schema file or given schema) may replace `committed`
/// (the schema the dataset's Parquet files already have): every committed
/// column must still be there with the same type (json: the same
/// nested_type), the unknown-field column (_extra) must not go away, and new
/// columns must not be required (old rows have none). Additive changes are
/// fine. The error names every offending column and what to do.
Status CheckSchemaEvolution(const Schema& committed, const Schema& next);

/// Columns every raw row carries besides the schema's.
inline constexpr const char* kExtraColumn = "_extra";
inline constexpr const char* kSourceFileColumn = "_source_file";
inline constexpr const char* kSourceLineColumn = "_source_line";
inline constexpr const char* kPartitionColumn = "event_date";

/// Accumulates the JSON types seen per field over sample records and picks
/// a schema: the most common non-null type (numbers as strings count as
/// numbers when most values are numbers; strings that all parse as
/// timestamps make a timestamp). Not thread-safe.
class SchemaInference {
 public:
  /// kind: 's' string, 'i' integer, 'd' double, 'b' bool, 'o' object/array, 'n' null.
  void Observe(std::string_view field, char kind, bool string_is_timestamp, bool string_is_number);
  /// An object or array value (kind 'o'), whose shape makes the nested type.
  void ObserveNested(std::string_view field, const simdjson::dom::element& value);
  int64_t records() const { return records_; }
  void EndRecord() { records_++; }
  /// The inferred schema; `required` fields, key and partition set as given.
  Schema Finish(const std::vector<std::string>& required, const std::string& key,
                const std::string& partition_field, UnknownFieldPolicy unknown) const;

 private:
  struct Counts {
    std::string name;
    int64_t s = 0, ts = 0, num_str = 0, i = 0, d = 0, b = 0, o = 0;
    NestedShape shape;  ///< of the 'o' values
  };
  Counts* Find(std::string_view field);
  std::vector<Counts> fields_;  ///< in first-seen order
  int64_t records_ = 0;
};

}  // namespace custlake::ingest
