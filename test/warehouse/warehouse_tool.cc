// warehouse_tool LAKE_ROOT build [--full] | check | plain [DB] | add-usage PERCENT
// A thin driver over custlake::warehouse for tests and bench/warehouse/run.sh
// (the same code `custlake build` runs), printing the JSON report.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include <chrono>
#include <filesystem>

#include "engine/engine.h"
#include "lake/lake.h"
#include "warehouse/builder.h"
#include "warehouse/dag.h"
#include "warehouse/raw_sources.h"
#include "warehouse/data_dictionary.h"
#include "warehouse/model_loader.h"
#include "warehouse/segments.h"

using namespace custlake;
using namespace custlake::warehouse;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: warehouse_tool LAKE_ROOT build [--full] [--no-export] [--no-checks] | check\n";
    return 2;
  }
  std::string root = argv[1], verb = argv[2];
  if (verb == "build") {
    BuildOptions options;
    options.lake_root = root;
    for (int i = 3; i < argc; ++i) {
      if (!std::strcmp(argv[i], "--full")) options.full = true;
      if (!std::strcmp(argv[i], "--no-export")) options.export_parquet = false;
      if (!std::strcmp(argv[i], "--no-checks")) options.run_checks = false;
    }
    options.log = [](const std::string& line) { std::cerr << line << "\n"; };
    auto r = Build(options);
    if (!r.ok()) {
      std::cerr << "error: " << r.status().message() << "\n";
      return 1;
    }
    std::cout << r->ToJson().dump() << "\n";
    return 0;
  }
  if (verb == "check") {
    auto r = CheckCurrentVersion(root);
    if (!r.ok()) {
      std::cerr << "error: " << r.status().message() << "\n";
      return 1;
    }
    std::cout << r->ToJson().dump() << "\n";
    if (!r->ok()) std::cerr << r->FailureText() << "\n";
    return r->ok() ? 0 : 1;
  }
  if (verb == "plain") {
    // warehouse_tool LAKE plain DB [THREADS [MEMORY_LIMIT]]: the same model SQL in
    // plain DuckDB: raw views, then CREATE TABLE AS per model in order; no checks,
    // no export, no publish. The benchmark's baseline, with build's DuckDB settings.
    auto start = std::chrono::steady_clock::now();
    auto models = SortModels(LoadBuiltinModels().value());
    lake::LakeOptions lo;
    lo.read_only = true;
    auto lake = lake::Lake::Open(root, lo);
    if (!models.ok() || !lake.ok()) return 1;
    auto raw = SnapshotRaw(lake->get(), RawSourceViews(*models));
    std::string path = argc > 3 ? argv[3] : "/tmp/warehouse_plain.duckdb";
    std::filesystem::remove(path);
    engine::DatabaseOptions o;
    o.path = path;
    o.threads = argc > 4 ? std::atoi(argv[4]) : 0;
    o.memory_limit = argc > 5 ? argv[5] : "";
    o.settings["autoinstall_known_extensions"] = "false";
    o.settings["autoload_known_extensions"] = "false";
    auto db = engine::Database::Open(o);
    auto session = (*db)->Connect();
    Status st = (*session)->Execute("SET TimeZone = 'UTC'");
    if (st.ok()) st = CreateRawViews(session->get(), *raw, "raw");
    auto models_start = std::chrono::steady_clock::now();
    std::string per_model;
    for (const Model& m : *models) {
      auto t = std::chrono::steady_clock::now();
      // Staging views are read as raw.<name>, as in a build.
      std::string what = m.IsView() ? "VIEW raw." : "TABLE ";
      if (st.ok()) st = (*session)->Execute("CREATE OR REPLACE " + what + m.name + " AS " + m.sql);
      per_model += (per_model.empty() ? "" : ", ") + std::string("\"") + m.name + "\": " +
                   std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count());
    }
    double models_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - models_start).count();
    if (st.ok()) st = (*session)->Execute("CHECKPOINT");
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return 1;
    }
    session->reset();
    db->reset();
    std::cout << "{\"plain_seconds\": "
              << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
              << ", \"models_seconds\": " << models_seconds << ", \"models\": {" << per_model << "}}\n";
    return 0;
  }
  if (verb == "compare") {
    // warehouse_tool - compare A.duckdb B.duckdb: rows of each model table in
    // one file and not the other (EXCEPT ALL both ways); exit 1 if any differ.
    if (argc < 5) return 2;
    auto models = LoadBuiltinModels();
    auto db = engine::Database::Open(engine::DatabaseOptions{});
    if (!models.ok() || !db.ok()) return 1;
    auto session = (*db)->Connect();
    Status st = (*session)->Execute("SET TimeZone = 'UTC'");
    if (st.ok()) st = AttachVersion(session->get(), argv[3], "a").status();
    if (st.ok()) st = AttachVersion(session->get(), argv[4], "b").status();
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return 1;
    }
    int differing = 0;
    for (const Model& m : *models) {
      if (m.IsView()) continue;  // not a table of the version
      auto r = (*session)->Query("SELECT (SELECT count(*) FROM (FROM a." + m.name + " EXCEPT ALL FROM b." + m.name +
                                 ")), (SELECT count(*) FROM (FROM b." + m.name + " EXCEPT ALL FROM a." + m.name +
                                 ")), (SELECT count(*) FROM a." + m.name + ")");
      if (!r.ok()) {
        std::cerr << m.name << ": " << r.status().message() << "\n";
        return 1;
      }
      std::cout << m.name << " rows " << r->rows[0][2] << " only_in_a " << r->rows[0][0] << " only_in_b "
                << r->rows[0][1] << "\n";
      if (r->rows[0][0] != "0" || r->rows[0][1] != "0") ++differing;
    }
    return differing == 0 ? 0 : 1;
  }
  if (verb == "add-usage") {
    // Commits one new raw usage batch: a PERCENT sample of the existing events
    // under new event ids, dated the day after the newest event (the
    // benchmark's "1 % new data" for an incremental build).
    double percent = argc > 3 ? std::atof(argv[3]) : 1.0;
    auto lake = lake::Lake::Open(root);
    if (!lake.ok()) {
      std::cerr << "error: " << lake.status().message() << "\n";
      return 1;
    }
    auto raw = SnapshotRaw(lake->get(), {"usage"});
    auto db = engine::Database::Open(engine::DatabaseOptions{});
    if (!raw.ok() || !db.ok()) return 1;
    auto session = (*db)->Connect();
    if (!session.ok()) return 1;
    auto batch = (*lake)->BeginBatch(lake::DatasetId::Raw("usage"));
    if (!batch.ok()) {
      std::cerr << "error: " << batch.status().message() << "\n";
      return 1;
    }
    Status st = (*session)->Execute("SET TimeZone = 'UTC'");
    if (st.ok()) st = CreateRawViews(session->get(), *raw, "raw");
    // Raw usage is partitioned event_date=YYYY-MM-DD: the new day's partition.
    auto day = st.ok() ? (*session)->Query("SELECT CAST(CAST(max(ts) AS DATE) + 1 AS VARCHAR) FROM raw.usage")
                       : Result<engine::QueryResult>(st);
    if (!day.ok()) {
      std::cerr << "error: " << day.status().message() << "\n";
      return 1;
    }
    auto part = batch->NewPart({{"event_date", day->Scalar()}});
    if (!part.ok()) st = part.status();
    int64_t rows = 0;
    if (st.ok()) {
      // The sample's events move to the day after the newest event (same time of
      // day): a later batch, as a day of new data is.
      auto r = (*session)->Query("COPY (SELECT * EXCLUDE (_batch_id) REPLACE (event_id || '-b" +
                                 std::to_string(batch->id()) + "' AS event_id, (SELECT date_trunc('day', max(ts)) FROM "
                                 "raw.usage) + INTERVAL 1 DAY + to_seconds(CAST(epoch(ts) AS BIGINT) % 86400) AS ts) "
                                 "FROM raw.usage USING SAMPLE " +
                                 std::to_string(percent) + " PERCENT (bernoulli, 42)) TO " +
                                 engine::QuoteLiteral(part->staging_path) + " (FORMAT parquet, COMPRESSION zstd)");
      st = r.status();
      if (r.ok()) rows = r->rows_changed;
    }
    if (st.ok()) st = batch->AddFile(*part, rows);
    if (st.ok()) st = batch->Commit();
    if (!st.ok()) {
      std::cerr << "error: " << st.message() << "\n";
      return 1;
    }
    std::cout << "{\"added_usage_events\": " << rows << "}\n";
    return 0;
  }
  std::cerr << "unknown verb " << verb << "\n";
  return 2;
}
