// The [ingest] section of custlake.toml: the landing sources to pick up.
//
//   [ingest.settings]              # shared by every source (all optional)
//   batch_bytes = 134217728        # input bytes (on disk) per batch: one lake batch each
//   batch_memory_bytes = 134217728 # rows held in memory per batch; beyond, they spill to parts
//   max_record_bytes = 8388608     # longer records are quarantined
//   max_depth = 64                 # deeper nesting is quarantined
//   poll_seconds = 2               # --watch: how often the folders are scanned
//   dedup_memory_bytes = 268435456 # dedup index kept between batches (~16 B a key)
//   watch_queue_files = 10000      # --watch: scanner → ingester queue bound per source
//   watch_queue_bytes = 1073741824 #   (files and input bytes); beyond, files wait in the folder
//   parse_threads = 0              # threads parsing records; 0 = the hardware threads (at most 8)
//
//   [ingest.usage]                 # one table per source (any name but settings)
//   path = "landing/usage"         # folder, relative to custlake.toml
//   pattern = "*.ndjson"           # glob on file names (gz/zst found by content)
//   format = "ndjson"              # ndjson | json | csv
//   dataset = "usage"              # raw/<dataset>; default: the source's name
//   key = "event_id"               # dedup key (optional)
//   required = ["event_id", "customer_id", "ts"]
//   partition_field = "ts"         # event_date=YYYY-MM-DD partitions (optional)
//   schema = "schemas/usage.json"  # contract (optional; else inferred on first sight)
//   unknown_fields = "keep"        # keep (in _extra) | drop
//   min_age_seconds = 5            # files younger than this are left alone
//   after = "keep"                 # keep | archive | delete
//   csv_delimiter = ","
//
// Only depends on common, so the config loader can call it (it needs no
// other part of ingest). Plain values; copy freely.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "common/toml_section.h"

namespace custlake::ingest {

enum class AfterIngest { kKeep, kArchive, kDelete };

struct SourceConfig {
  std::string name;            ///< the [ingest.NAME] table's name
  std::string path;            ///< absolute folder
  std::string pattern = "*";
  std::string format = "ndjson";
  std::string dataset;
  std::string key;
  std::vector<std::string> required;
  std::string partition_field;
  std::string schema_file;     ///< absolute path, "" = infer
  std::string unknown_fields = "keep";
  int64_t min_age_seconds = 0;
  AfterIngest after = AfterIngest::kKeep;
  char csv_delimiter = ',';

  Status Validate() const;
};

struct IngestConfig {
  int64_t batch_bytes = 128LL << 20;
  int64_t batch_memory_bytes = 128LL << 20;  ///< rows held in memory per batch before spilling to parts
  int64_t max_record_bytes = 8LL << 20;
  int max_depth = 64;
  double poll_seconds = 2;
  int64_t dedup_memory_bytes = 256LL << 20;  ///< dedup index keys kept between batches (~16 B each)
  int64_t watch_queue_files = 10000;         ///< --watch: files queued per source at most
  int64_t watch_queue_bytes = 1LL << 30;     ///< --watch: input bytes queued per source at most
  int parse_threads = 0;                     ///< threads parsing records (0 = the hardware threads, at most 8)
  std::map<std::string, SourceConfig> sources;  ///< by name, in name order
};

/// Reads the [ingest] table (`section` is over it; absent = no sources).
/// Relative paths are resolved against `base_dir` (the folder of
/// custlake.toml). Unknown keys are errors with file:line.
Result<IngestConfig> ParseIngestConfig(TomlSection& section, const std::string& base_dir);

/// Reads [ingest] straight from a custlake.toml file (for the CLI until the
/// project Config carries it).
Result<IngestConfig> LoadIngestConfig(const std::string& toml_file);

}  // namespace custlake::ingest
