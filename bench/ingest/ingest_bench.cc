// The ingest benchmark's steps (bench/ingest/run.sh and big_file_rss.sh drive them):
//   ingest_bench gen DIR MB       writes ~MB of usage NDJSON (files of ~64 MB) with
//                                 some mess: numbers as strings, offsets, dups, bad lines
//   ingest_bench gen-gz FILE MB   the same events as ONE gzip file of ~MB uncompressed
//   ingest_bench custlake DIR LAKE   custlake's ingest (validation, dedup, quarantine)
//   ingest_bench duckdb DIR OUT      DuckDB: COPY (SELECT * FROM read_json(...)) TO parquet
// Each run step prints one line: seconds, MB, MB/s, records, records/s.
#include <fmt/format.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/engine.h"
#include "ingest/ingester.h"
#include "lake/lake.h"

namespace fs = std::filesystem;
using namespace custlake;

// Writes ~mb MB of events to files of ~64 MB under `dir`, or, with `gz_file`,
// all of them to one gzip file.
static int Gen(const std::string& dir, int64_t mb, const std::string& gz_file = "") {
  if (gz_file.empty()) fs::create_directories(dir);
  gzFile gz = nullptr;
  if (!gz_file.empty()) {
    gz = gzopen(gz_file.c_str(), "wb1");
    if (gz == nullptr) return fmt::print(stderr, "cannot write {}\n", gz_file), 1;
  }
  const int64_t target = mb * 1000 * 1000;
  int64_t written = 0, id = 0;
  uint64_t x = 42;
  auto rnd = [&x] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  static const char* kTypes[] = {"login", "page_view", "feature_use", "logout", "download"};
  static const char* kDevices[] = {"ios", "android", "web", "desktop"};
  std::string buf;
  int file = 0;
  while (written < target) {
    const std::string path = fmt::format("{}/usage-{:04d}.ndjson", dir, file++);
    FILE* f = gz != nullptr ? nullptr : std::fopen(path.c_str(), "wb");
    int64_t in_file = 0;
    while ((gz != nullptr || in_file < (64 << 20)) && written + in_file < target) {
      buf.clear();
      const uint64_t r = rnd();
      const int64_t ts = 1735689600 + static_cast<int64_t>(id * 3 % (86400 * 60));
      const int64_t cust = static_cast<int64_t>(r % 100000) + 1;
      const int mess = static_cast<int>(r >> 40) % 1000;
      if (mess < 2) {
        buf = fmt::format("{{\"event_id\":\"e{}\",\"customer_id\":\"12x\",\"ts\":{}}}\n", id, ts);
      } else if (mess < 4) {
        buf = "2025-01-01 00:00:00 INFO plain log line, not json\n";
      } else {
        const std::string tsv = mess < 20 ? std::to_string(ts) : fmt::format("2025-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z",
                                                                             1 + (ts / 86400 / 30) % 12, 1 + (ts / 86400) % 28,
                                                                             (ts / 3600) % 24, (ts / 60) % 60, ts % 60);
        buf = fmt::format(
            "{{\"event_id\":\"e{:x}{}\",\"customer_id\":{},\"ts\":\"{}\",\"event_type\":\"{}\",\"feature\":\"f{}\","
            "\"device\":\"{}\",\"duration_s\":{},\"bytes\":{},\"app_version\":\"3.{}.{}\"}}\n",
            id * 2654435761ULL, id, mess < 30 ? fmt::format("\"{}\"", cust) : std::to_string(cust), tsv,
            kTypes[r % 5], r % 40, kDevices[(r >> 8) % 4], (r >> 16) % 600, (r >> 24) % 1000000, (r >> 32) % 20,
            (r >> 36) % 10);
        if (mess >= 995) buf += buf;  // a duplicate line
      }
      if (gz != nullptr) {
        gzwrite(gz, buf.data(), static_cast<unsigned>(buf.size()));
      } else {
        std::fwrite(buf.data(), 1, buf.size(), f);
      }
      in_file += static_cast<int64_t>(buf.size());
      id++;
    }
    if (f != nullptr) std::fclose(f);
    written += in_file;
  }
  if (gz != nullptr && gzclose(gz) != Z_OK) return fmt::print(stderr, "cannot finish {}\n", gz_file), 1;
  fmt::print("generated {} MB in {} files\n", written / 1000000, file);
  return 0;
}

static int RunCustlake(const std::string& dir, const std::string& lake_root) {
  fs::remove_all(lake_root);
  lake::LakeOptions lo;
  auto lake = lake::Lake::Init(lake_root, lo);
  if (!lake.ok()) return fmt::print(stderr, "{}\n", lake.status().ToString()), 1;
  ingest::SourceSpec spec;
  spec.config.name = "usage";
  spec.config.path = dir;
  spec.config.pattern = "*.ndjson*";  // .ndjson.gz too (big_file_rss.sh)
  spec.config.dataset = "usage";
  spec.config.key = "event_id";
  spec.config.required = {"event_id", "customer_id", "ts"};
  spec.config.partition_field = "ts";
  ingest::IngestOptions opts;
  opts.duckdb_memory_limit = "512MB";
  // Knobs for memory experiments (big_file_rss.sh): MiB.
  if (const char* v = std::getenv("INGEST_BENCH_DEDUP_MB")) opts.dedup_memory_bytes = std::stoll(v) << 20;
  if (const char* v = std::getenv("INGEST_BENCH_BATCH_MEMORY_MB")) opts.batch_memory_bytes = std::stoll(v) << 20;
  if (const char* v = std::getenv("INGEST_BENCH_PARSE_THREADS")) opts.parse_threads = std::stoi(v);
  if (std::getenv("INGEST_BENCH_VERBOSE") != nullptr) {
    opts.log = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  }
  auto ing = ingest::SourceIngester::Open(lake->get(), spec, opts);
  if (!ing.ok()) return fmt::print(stderr, "{}\n", ing.status().ToString()), 1;
  auto st = (*ing)->RunOnce();
  if (!st.ok()) return fmt::print(stderr, "{}\n", st.status().ToString()), 1;
  fmt::print("custlake seconds={:.2f} mb={:.0f} mb_per_s={:.1f} records={} records_per_s={:.0f} committed={} "
             "quarantined={} duplicates={} batches={}\n",
             st->seconds, st->bytes / 1e6, st->bytes / 1e6 / st->seconds, st->records, st->records / st->seconds,
             st->committed, st->quarantined, st->duplicates, st->batches);
  return 0;
}

static int RunDuckdb(const std::string& dir, const std::string& out) {
  fs::remove_all(out);
  int64_t bytes = 0;
  for (const auto& e : fs::directory_iterator(dir)) bytes += static_cast<int64_t>(e.file_size());
  engine::DatabaseOptions o;
  o.memory_limit = "1GB";
  auto db = engine::Database::Open(o);
  if (!db.ok()) return 1;
  auto s = (*db)->Connect();
  const auto t0 = std::chrono::steady_clock::now();
  auto r = (*s)->Query(fmt::format("COPY (SELECT * FROM read_json({}, format = 'newline_delimited', "
                                   "ignore_errors = true)) TO {} (FORMAT parquet)",
                                   engine::QuoteLiteral(dir + "/*.ndjson"), engine::QuoteLiteral(out)));
  if (!r.ok()) return fmt::print(stderr, "{}\n", r.status().ToString()), 1;
  const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  fmt::print("duckdb seconds={:.2f} mb={:.0f} mb_per_s={:.1f} records={} records_per_s={:.0f}\n", sec, bytes / 1e6,
             bytes / 1e6 / sec, r->rows_changed, r->rows_changed / sec);
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    return fmt::print(stderr, "usage: ingest_bench gen DIR MB | gen-gz FILE MB | custlake DIR LAKE | duckdb DIR OUT\n"), 2;
  }
  const std::string mode = argv[1];
  if (mode == "gen") return Gen(argv[2], std::stoll(argv[3]));
  if (mode == "gen-gz") return Gen("", std::stoll(argv[3]), argv[2]);
  if (mode == "custlake") return RunCustlake(argv[2], argv[3]);
  if (mode == "duckdb") return RunDuckdb(argv[2], argv[3]);
  return 2;
}
