#include "ingest/ingest_test_util.h"

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "engine/engine.h"

namespace custlake::ingest::testing {

Schema UsageSchema() {
  Schema s;
  s.fields = {{"event_id", FieldType::kString, true, ""},   {"customer_id", FieldType::kInt64, true, ""},
              {"ts", FieldType::kTimestamp, true, ""},      {"event_type", FieldType::kString, false, ""},
              {"feature", FieldType::kString, false, ""},   {"device", FieldType::kString, false, ""},
              {"duration_s", FieldType::kInt64, false, ""}, {"bytes", FieldType::kInt64, false, ""},
              {"app_version", FieldType::kString, false, ""}};
  s.key = "event_id";
  s.partition_field = "ts";
  return s;
}

Schema TicketSchema() {
  Schema s;
  s.fields = {{"ticket_id", FieldType::kInt64, true, ""},
              {"customer_id", FieldType::kInt64, true, ""},
              {"opened_at", FieldType::kTimestamp, true, ""},
              {"closed_at", FieldType::kTimestamp, false, ""},
              {"channel", FieldType::kString, false, ""},
              {"category", FieldType::kString, false, ""},
              {"priority", FieldType::kString, false, ""},
              {"status", FieldType::kString, false, ""},
              {"satisfaction", FieldType::kInt64, false, ""},
              {"messages", FieldType::kJson, false, "STRUCT(ts VARCHAR, author VARCHAR, body VARCHAR)[]"}};
  s.key = "ticket_id";
  s.partition_field = "opened_at";
  return s;
}

SourceSpec UsageSource(const std::string& landing) {
  SourceSpec s;
  s.config.name = "usage";
  s.config.path = landing + "/usage";
  s.config.pattern = "*.ndjson*";
  s.config.format = "ndjson";
  s.config.dataset = "usage";
  s.schema = UsageSchema();
  return s;
}

SourceSpec TicketSource(const std::string& landing) {
  SourceSpec s;
  s.config.name = "tickets";
  s.config.path = landing + "/tickets";
  s.config.pattern = "*.json*";
  s.config.format = "json";
  s.config.dataset = "tickets";
  s.schema = TicketSchema();
  return s;
}

std::string FreshDir(const std::string& name) {
  // The process id keeps tests that ctest runs side by side (one process each) apart.
  const auto dir = std::filesystem::temp_directory_path() /
                   ("custlake_ingest_" + name + "_" + std::to_string(static_cast<long>(getpid())));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

Result<std::unique_ptr<lake::Lake>> OpenLake(const std::string& root, lake::FailPointHook hook) {
  lake::LakeOptions o;
  o.sync = false;
  o.metastore.synchronous_full = false;
  o.fail_point = std::move(hook);
  return lake::Lake::Init(root, o);
}

Result<std::string> QueryDataset(lake::Lake* lake, const lake::DatasetId& ds, const std::string& sql) {
  ASSIGN_OR_RETURN(auto paths, lake->CommittedPaths(ds));
  ASSIGN_OR_RETURN(auto db, engine::Database::Open({}));
  ASSIGN_OR_RETURN(auto s, db->Connect());
  if (paths.empty()) return std::string("0");
  std::string list;
  for (const auto& p : paths) {
    // Parquet only: a quarantine dataset also keeps unreadable files whole.
    if (p.size() > 8 && p.compare(p.size() - 8, 8, ".parquet") == 0) list += (list.empty() ? "" : ", ") + engine::QuoteLiteral(p);
  }
  if (list.empty()) return std::string("0");
  RETURN_NOT_OK(s->Execute("CREATE VIEW t AS SELECT * FROM read_parquet([" + list + "], hive_partitioning = true, union_by_name = true)"));
  ASSIGN_OR_RETURN(auto r, s->Query(sql));
  return r.Scalar();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string Gzip(const std::string& data) {
  std::string gz(compressBound(data.size()) + 64, '\0');
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(gz.data());
  zs.avail_out = static_cast<uInt>(gz.size());
  deflate(&zs, Z_FINISH);
  gz.resize(zs.total_out);
  deflateEnd(&zs);
  return gz;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

}  // namespace custlake::ingest::testing
