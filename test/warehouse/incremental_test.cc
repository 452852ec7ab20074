// Incremental builds against the raw zone's lifecycle: batches that commit
// late with a lower id, sources replaced by a full re-import (merge models
// rebuild, append models drop the replaced rows), the Parquet export folder
// holding exactly the current version, `custlake check` after a re-import,
// freshness against the clock and against raw data waiting, pruning, and the
// fact segments that append-only builds share.
#include <sys/stat.h>

#include "warehouse/model_loader.h"
#include "warehouse/segments.h"
#include "warehouse/warehouse_fixture.h"

namespace custlake::warehouse {
namespace {

std::string ModeOf(const BuildReport& r, const std::string& model) {
  for (const ModelStat& m : r.models) {
    if (m.name == model) return m.mode;
  }
  return "(missing)";
}

const CheckResult* FindCheck(const CheckReport& r, const std::string& check) {
  for (const CheckResult& c : r.results) {
    if (c.check == check) return &c;
  }
  return nullptr;
}

TEST_F(WarehouseFixture, ExportFolderHoldsExactlyTheCurrentVersion) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  Commit("usage", Event("e6", 1, "2025-02-26 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport second, RunBuild());  // facts re-exported, dimensions hard-linked
  ASSERT_GT(second.parquet_files_reused, 0);
  ASSERT_OK_AND_ASSIGN(BuildReport third, RunBuild(/*full=*/true));
  // What an external table over warehouse/<table>/ reads: the current rows, once.
  for (const ModelStat& m : third.models) {
    EXPECT_EQ(ExportFolderRows(m.name), std::to_string(m.rows)) << m.name;
  }
  EXPECT_EQ(ExportFolderRows("fact_customer_activity"), "11");
}

TEST_F(WarehouseFixture, FactExportsRewriteOnlyTheMonthsABuildChanged) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  // A new event in February: January's partitions of both facts are reused, February's rewritten.
  Commit("usage", Event("e6", 1, "2025-02-26 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport second, RunBuild());
  ASSERT_TRUE(second.incremental);
  auto month_file_batches = [&](const std::string& table, const std::string& month) {
    auto files = lake_->CommittedFiles(TableDataset(table), {{"month", month}});
    EXPECT_TRUE(files.ok());
    std::string names;
    for (const auto& f : *files) names += fs::path(f.path).filename().string() + " ";
    return names;
  };
  for (const char* table : {"fact_customer_activity", "fact_customer_metrics"}) {
    EXPECT_NE(month_file_batches(table, "2025-01").find("-r"), std::string::npos)
        << table << ": January reused";
  }
  // The activity facts only gained rows: February keeps its files and gains one of the new rows
  // (part-<batch>-a<i>); the metrics recomputed February: written whole.
  std::string february = month_file_batches("fact_customer_activity", "2025-02");
  EXPECT_NE(february.find("-r"), std::string::npos) << february;
  EXPECT_NE(february.find("-a"), std::string::npos) << february;
  EXPECT_EQ(month_file_batches("fact_customer_metrics", "2025-02").find("-r"), std::string::npos)
      << "fact_customer_metrics: February written";
  // The export holds exactly each table's rows, month by month, and equals a full build's.
  ASSERT_OK_AND_ASSIGN(auto attached, AttachVersion(session_.get(), second.path, "v"));
  for (const char* table : {"fact_customer_activity", "fact_customer_metrics"}) {
    std::string folder = engine::QuoteLiteral((root_ / "warehouse" / table).string() + "/**/*.parquet");
    ASSERT_OK_AND_ASSIGN(
        auto diff,
        session_->Query("SELECT (SELECT count(*) FROM (SELECT * EXCLUDE (month) FROM read_parquet(" + folder +
                        ", hive_partitioning = true) EXCEPT ALL SELECT * FROM v." + table +
                        ")) + (SELECT count(*) FROM (SELECT * FROM v." + table +
                        " EXCEPT ALL SELECT * EXCLUDE (month) FROM read_parquet(" + folder +
                        ", hive_partitioning = true)))"));
    EXPECT_EQ(diff.Scalar(), "0") << table;
  }
  ASSERT_OK(session_->Execute("DETACH v"));
  // A new customer version (valid from 2025-01-10 to the next one, 2025-02-10) re-keys the facts it
  // covers: February's. Those rows move from the shared segment to the tail, February's export is
  // rewritten, and January (whose fact of that customer, on the 5th, keeps its key) is reused.
  Commit("sic/customers", Customer(1, "max", "Hamburg", "2025-01-01", "2025-01-10 00:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport third, RunBuild());
  EXPECT_EQ(third.segments["fact_customer_activity"], "linked");
  const ModelStat* facts = nullptr;
  for (const ModelStat& m : third.models) {
    if (m.name == "fact_customer_activity") facts = &m;
  }
  ASSERT_NE(facts, nullptr);
  EXPECT_GT(facts->moved, 0);
  ExpectExportMatches(third.path, third.models);
  EXPECT_NE(month_file_batches("fact_customer_activity", "2025-01").find("-r"), std::string::npos);
  EXPECT_EQ(month_file_batches("fact_customer_activity", "2025-02").find("-r"), std::string::npos);
  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  ExpectSameTables(third.path, full.path, full.models);
  ExpectExportMatches(full.path, full.models);
}

TEST_F(WarehouseFixture, LateCommittingLowerBatchIdIsPickedUp) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  // Batch `late` starts first (lower id) but commits after a build consumed a later batch.
  ASSERT_OK_AND_ASSIGN(auto late, lake_->BeginBatch(lake::DatasetId::Raw("usage")));
  ASSERT_OK_AND_ASSIGN(auto part, late.NewPart({{"ingest_date", "2025-03-01"}}));
  ASSERT_OK_AND_ASSIGN(auto written,
                       session_->Query("COPY (" + Event("late1", 2, "2025-02-27 09:00:00") + ") TO " +
                                       engine::QuoteLiteral(part.staging_path) + " (FORMAT parquet)"));
  ASSERT_OK(late.AddFile(part, written.rows_changed));
  Commit("usage", Event("e7", 1, "2025-02-26 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport second, RunBuild());
  EXPECT_EQ(Ask(second.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"),
            "5;");
  ASSERT_OK(late.Commit());
  ASSERT_OK_AND_ASSIGN(BuildReport third, RunBuild());
  ASSERT_TRUE(third.incremental);
  EXPECT_EQ(Ask(third.path, "SELECT source_id FROM fact_customer_activity WHERE source_id = 'late1'"),
            "late1;");
  EXPECT_EQ(Ask(third.path,
                "SELECT usage_events FROM fact_customer_metrics WHERE customer_id = 2 AND "
                "month_start = DATE '2025-02-01'"),
            "1;");
  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  ExpectSameTables(third.path, full.path, full.models);
}

TEST_F(WarehouseFixture, MergeModelRebuildsWhenItsSourceIsReplaced) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  EXPECT_EQ(Ask(first.path, "SELECT count(*) FROM dim_usage"), "2;");
  // usage re-delivered whole without the session_start event: its usage kind goes.
  Commit("usage",
         Event("e1", 1, "2025-01-05 09:00:00") + " UNION ALL " + Event("e2", 1, "2025-02-15 09:00:00") +
             " UNION ALL " + Event("e3", 1, "2025-02-25 09:00:00"),
         /*replace=*/true);
  ASSERT_OK_AND_ASSIGN(BuildReport inc, RunBuild());
  ASSERT_TRUE(inc.incremental);
  EXPECT_EQ(inc.checks.failed, 0) << inc.checks.FailureText();
  EXPECT_EQ(ModeOf(inc, "dim_usage"), "rebuilt");
  EXPECT_EQ(ModeOf(inc, "fact_customer_activity"), "appended");
  EXPECT_EQ(Ask(inc.path, "SELECT event_type FROM dim_usage"), "feature_use;");
  EXPECT_EQ(Ask(inc.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"), "3;");
  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  ExpectSameTables(inc.path, full.path, full.models);
}

TEST_F(WarehouseFixture, CheckAfterAFullReimportUsesWhatTheVersionConsumed) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  ASSERT_OK_AND_ASSIGN(auto old_files, lake_->CommittedFiles(lake::DatasetId::Raw("sic/offer_assignments")));
  ASSERT_EQ(old_files.size(), 1u);
  // A full re-import of offer assignments (two now): the version still holds one.
  Commit("sic/offer_assignments",
         "SELECT * FROM (VALUES (70::BIGINT, 7::BIGINT, 1::BIGINT, TIMESTAMPTZ '2025-02-01 12:00:00+00', "
         "TIMESTAMPTZ '2025-02-03 12:00:00+00', true), (71, 7, 2, TIMESTAMPTZ '2025-02-02 12:00:00+00', "
         "NULL, false)) "
         "AS t(assignment_id, offer_id, customer_id, sent_at, responded_at, redeemed)",
         /*replace=*/true);
  CheckOptions options;
  options.freshness = "off";
  ASSERT_OK_AND_ASSIGN(CheckReport report, CheckCurrentVersion(root_.string(), {}, options));
  EXPECT_EQ(report.failed, 0) << report.FailureText();
  const CheckResult* offers = FindCheck(report, "reconcile_offers");
  ASSERT_NE(offers, nullptr);
  EXPECT_TRUE(offers->passed);
  EXPECT_TRUE(offers->skipped.empty());
  // The retired file left the dataset's folder (for _superseded/), and the check above still read it. Once it
  // is vacuumed the reconciliation cannot be re-run: skipped, said why (naming the staging view over it), not failed.
  EXPECT_FALSE(fs::exists(old_files[0].absolute_path));
  ASSERT_OK_AND_ASSIGN(auto vacuumed, lake_->Vacuum(std::chrono::seconds(0)));
  EXPECT_EQ(vacuumed.files_removed, 1);
  ASSERT_OK_AND_ASSIGN(CheckReport after, CheckCurrentVersion(root_.string(), {}, options));
  EXPECT_EQ(after.failed, 0) << after.FailureText();
  offers = FindCheck(after, "reconcile_offers");
  ASSERT_NE(offers, nullptr);
  EXPECT_NE(offers->skipped.find("raw.stg_offer_assignments"), std::string::npos) << offers->skipped;
  EXPECT_GT(after.skipped, 0);
  // The next build consumes the re-import and checks it.
  ASSERT_OK_AND_ASSIGN(BuildReport second, RunBuild());
  EXPECT_EQ(
      Ask(second.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'offer_sent'"),
      "2;");
  ASSERT_OK_AND_ASSIGN(CheckReport fresh, CheckCurrentVersion(root_.string(), {}, options));
  EXPECT_EQ(fresh.failed, 0) << fresh.FailureText();
  offers = FindCheck(fresh, "reconcile_offers");
  ASSERT_NE(offers, nullptr);
  EXPECT_TRUE(offers->passed && offers->skipped.empty());
}

TEST_F(WarehouseFixture, FreshnessAgainstTheClockWarnsOrFails) {
  WriteBase();  // newest usage event: 2025-02-25 18:00
  auto at = [](const std::string& now, const std::string& severity) {
    return [now, severity](BuildOptions* o) {
      o->checks.now = now;
      o->checks.freshness = severity;
    };
  };
  ASSERT_OK_AND_ASSIGN(BuildReport fresh, RunBuildWith(at("2025-02-26 12:00:00+00", "error")));
  EXPECT_EQ(fresh.checks.warnings, 0);
  const CheckResult* f = FindCheck(fresh.checks, "freshness(occurred_at)");
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->passed);
  // Ten days later the newest usage fact is older than the declared 2 days.
  ASSERT_OK_AND_ASSIGN(BuildReport warned, RunBuildWith([&](BuildOptions* o) {
                         at("2025-03-07 00:00:00+00", "warn")(o);
                         o->full = true;
                       }));
  EXPECT_EQ(warned.checks.warnings, 1);
  EXPECT_EQ(warned.checks.failed, 0);
  EXPECT_NE(warned.checks.WarningText().find("2025-02-25 18:00:00+00"), std::string::npos)
      << warned.checks.WarningText();
  auto failed = RunBuildWith([&](BuildOptions* o) {
    at("2025-03-07 00:00:00+00", "error")(o);
    o->full = true;
  });
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("freshness(occurred_at)"), std::string::npos)
      << failed.status().message();
  // --max-age overrides the declared age.
  ASSERT_OK_AND_ASSIGN(BuildReport lenient, RunBuildWith([&](BuildOptions* o) {
                         at("2025-03-07 00:00:00+00", "error")(o);
                         o->checks.max_age_seconds = 30 * 86400;
                         o->full = true;
                       }));
  EXPECT_EQ(lenient.checks.failed, 0);
}

TEST_F(WarehouseFixture, FreshnessOfRawDataWaitingForABuild) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  CheckOptions options;
  options.freshness = "error";
  options.max_age_seconds = 3600;
  options.now = "2100-01-01 00:00:00+00";  // the event-time check is stale then too: compare only raw waiting
  ASSERT_OK_AND_ASSIGN(CheckReport built, CheckCurrentVersion(root_.string(), {}, options));
  const CheckResult* waiting = nullptr;
  for (const CheckResult& c : built.results) {
    if (c.table == "raw.usage" && c.check == "freshness(raw data waiting)") waiting = &c;
  }
  ASSERT_NE(waiting, nullptr);
  EXPECT_TRUE(waiting->passed);  // nothing waits right after a build
  Commit("usage", Event("e8", 1, "2025-02-27 09:00:00"));
  ASSERT_OK_AND_ASSIGN(CheckReport stale, CheckCurrentVersion(root_.string(), {}, options));
  waiting = nullptr;
  for (const CheckResult& c : stale.results) {
    if (c.table == "raw.usage" && c.check == "freshness(raw data waiting)") waiting = &c;
  }
  ASSERT_NE(waiting, nullptr);
  EXPECT_FALSE(waiting->passed);
  EXPECT_EQ(waiting->failing_rows, 1);  // one batch waits
  EXPECT_NE(stale.FailureText().find("batches_waiting=1"), std::string::npos) << stale.FailureText();
  options.freshness = "warn";
  ASSERT_OK_AND_ASSIGN(CheckReport warned, CheckCurrentVersion(root_.string(), {}, options));
  EXPECT_EQ(warned.failed, 0) << warned.FailureText();
  EXPECT_GE(warned.warnings, 1);
}

TEST_F(WarehouseFixture, IncrementalChecksOfNewRowsStillCatchDuplicatesOfOldOnes) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  Commit("usage", Event("e7", 1, "2025-02-26 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport clean, RunBuild());  // new rows only: checks look at them
  EXPECT_EQ(clean.checks.failed, 0) << clean.checks.FailureText();
  // e1 again in a new batch (ingest dedups within a dataset; a second writer may not).
  Commit("usage", Event("e1", 1, "2025-01-05 09:00:00"));
  auto dup = RunBuild();
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.status().message().find("unique(activity_type, source_id)"), std::string::npos)
      << dup.status().message();
  EXPECT_NE(dup.status().message().find("source_id=e1"), std::string::npos) << dup.status().message();
}

TEST_F(WarehouseFixture, DimDateIsKeptWhileNewRowsFallWithinItsRange) {
  WriteBase();  // days 2025-01-01 .. 2025-02-25: the dimension spans the year
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  EXPECT_EQ(Ask(first.path, "SELECT min(date), max(date), count(*) FROM dim_date"),
            "2025-01-01|2025-12-31|365;");
  // New events inside the range, before and after the last activity day: the table, its checks and its
  // export are the previous version's.
  Commit("usage", Event("w1", 2, "2025-02-10 09:00:00"));
  Commit("usage", Event("w3", 2, "2025-03-03 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport inside, RunBuild());
  ASSERT_TRUE(inside.incremental);
  EXPECT_EQ(ModeOf(inside, "dim_date"), "unchanged");
  EXPECT_EQ(ModeOf(inside, "fact_customer_activity"), "appended");
  EXPECT_EQ(inside.checks.failed, 0) << inside.checks.FailureText();
  const CheckResult* dates = FindCheck(inside.checks, "relationship(date_key -> dim_date.date_key)");
  ASSERT_NE(dates, nullptr);  // the new facts' dates are still checked against the kept table
  EXPECT_TRUE(dates->passed);
  ExpectExportMatches(inside.path, inside.models);
  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  ExpectSameTables(inside.path, full.path, full.models);
  // Into a new year, and a transaction before the first year: rebuilt, the same as a full build.
  Commit("usage", Event("w2", 1, "2026-01-03 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport later, RunBuild());
  EXPECT_EQ(ModeOf(later, "dim_date"), "rebuilt");
  EXPECT_EQ(Ask(later.path, "SELECT max(date), count(*) FROM dim_date"), "2026-12-31|730;");
  Commit("sic/transactions", Txn(9, 1, "2024-12-30 10:00:00", "1.00", "purchase"));
  ASSERT_OK_AND_ASSIGN(BuildReport earlier, RunBuild());
  EXPECT_EQ(ModeOf(earlier, "dim_date"), "rebuilt");
  EXPECT_EQ(Ask(earlier.path, "SELECT min(date) FROM dim_date"), "2024-01-01;");
  ASSERT_OK_AND_ASSIGN(BuildReport full2, RunBuild(/*full=*/true));
  ExpectSameTables(earlier.path, full2.path, full2.models);
  // A re-imported source can shrink the range: never kept then.
  Commit("sic/transactions", Txn(1, 1, "2025-01-05 10:00:00", "10.00", "subscription"), /*replace=*/true);
  ASSERT_OK_AND_ASSIGN(BuildReport replaced, RunBuild());
  EXPECT_EQ(ModeOf(replaced, "dim_date"), "rebuilt");
  EXPECT_EQ(Ask(replaced.path, "SELECT min(date) FROM dim_date"), "2025-01-01;");
  ASSERT_OK_AND_ASSIGN(BuildReport full3, RunBuild(/*full=*/true));
  ExpectSameTables(replaced.path, full3.path, full3.models);
}

TEST_F(WarehouseFixture, IncrementalReconciliationsOfNewBatchesCatchLostEvents) {
  // A broken fact model that loses one event: the checks over the new batches must notice.
  ASSERT_OK_AND_ASSIGN(std::vector<Model> models, LoadBuiltinModels());
  for (Model& m : models) {
    if (m.name == "fact_customer_activity") m.sql += "\nWHERE a.source_id <> 'lost'";
  }
  auto build = [&] { return RunBuildWith([&](BuildOptions* o) { o->models = models; }); };
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, build());
  Commit("usage", Event("kept", 1, "2025-02-20 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport clean, build());
  ASSERT_TRUE(clean.incremental);
  EXPECT_EQ(clean.checks.failed, 0) << clean.checks.FailureText();
  Commit("usage", Event("lost", 1, "2025-02-27 09:00:00"));
  auto bad = build();
  ASSERT_FALSE(bad.ok());
  const std::string& msg = bad.status().message();
  EXPECT_NE(msg.find("check reconcile_usage_events on table fact_customer_activity"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("check freshness_usage"), std::string::npos) << msg;  // the newest new event is missing
  EXPECT_NE(msg.find("version " + std::to_string(clean.version) + " keeps serving"), std::string::npos)
      << msg;
  ASSERT_OK_AND_ASSIGN(auto current, CurrentVersion(lake_.get()));
  ASSERT_TRUE(current.has_value());
  EXPECT_EQ(current->version, clean.version);
}

TEST_F(WarehouseFixture, VersionFileIsCopiedAndPublishedWithoutARehash) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  EXPECT_TRUE(first.version_copy.empty());  // a full build starts a new file
  Commit("usage", Event("c1", 1, "2025-02-20 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport inc, RunBuild());
  ASSERT_TRUE(inc.incremental);
  EXPECT_FALSE(inc.version_copy.empty());
  EXPECT_EQ(inc.ToJson().value("version_copy", ""), inc.version_copy);
  // The previous version is untouched by the build that started from its copy.
  EXPECT_EQ(Ask(first.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"),
            "4;");
  EXPECT_EQ(Ask(inc.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"), "5;");
  // DuckDB checksums its own blocks: the version file and its fact segment get no sha256; the Parquet exports do.
  ASSERT_OK_AND_ASSIGN(auto versions, lake_->metastore().ListFiles(VersionsDataset()));
  ASSERT_EQ(versions.size(), 2u);
  for (const auto& f : versions) {
    EXPECT_EQ(f.checksum, "") << f.path;
    EXPECT_GT(f.byte_count, 0) << f.path;
  }
  ASSERT_OK_AND_ASSIGN(auto facts, lake_->metastore().ListFiles(TableDataset("fact_customer_activity")));
  ASSERT_FALSE(facts.empty());
  for (const auto& f : facts) EXPECT_EQ(f.checksum.size(), 64u) << f.path;
}

TEST_F(WarehouseFixture, PruneKeepsTheNewestVersions) {
  WriteBase();
  std::vector<BuildReport> builds;
  for (int i = 0; i < 4; ++i) {
    Commit("usage", Event("p" + std::to_string(i), 1, "2025-02-26 0" + std::to_string(i) + ":00:00"));
    ASSERT_OK_AND_ASSIGN(BuildReport r, RunBuildWith([](BuildOptions* o) { o->keep_versions = 2; }));
    builds.push_back(r);
  }
  // --keep 2: the current version and the one before it stay on disk, older ones go.
  EXPECT_FALSE(fs::exists(builds[0].path));
  EXPECT_FALSE(fs::exists(builds[1].path));
  EXPECT_TRUE(fs::exists(builds[2].path));
  EXPECT_TRUE(fs::exists(builds[3].path));
  ASSERT_OK_AND_ASSIGN(auto retired,
                       lake_->metastore().ListFiles(VersionsDataset(), lake::FileState::kRetired));
  ASSERT_EQ(retired.size(), 2u);  // the version file and its fact segment
  for (const auto& f : retired) EXPECT_EQ(f.batch_id, builds[2].version) << f.path;
  // A kept old version still answers what it held.
  EXPECT_EQ(Ask(builds[2].path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"),
            "7;");
  ASSERT_OK_AND_ASSIGN(PruneReport pruned, PruneVersions(lake_.get(), 1));
  EXPECT_EQ(pruned.files_removed, 2);
  EXPECT_FALSE(fs::exists(builds[2].path));
  EXPECT_TRUE(fs::exists(builds[3].path));
}

ino_t Inode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_ino;
}

TEST_F(WarehouseFixture, BuildsShareTheFactSegmentChangedRowsMoveToTheTailASettledTailCopiesIt) {
  const std::string facts = "fact_customer_activity";
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  EXPECT_EQ(first.segments.at(facts), "written");
  fs::path dir = fs::path(first.path).parent_path();
  auto segment = [&](const BuildReport& r) { return dir / SegmentFileName(r.version, facts); };

  // Only new rows: the new version links the previous segment (one file, two
  // names) and keeps the new row in its tail, inside the version file.
  Commit("usage", Event("s1", 1, "2025-02-26 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport linked, RunBuild());
  ASSERT_TRUE(linked.incremental);
  EXPECT_EQ(linked.segments.at(facts), "linked");
  EXPECT_EQ(linked.ToJson()["segments"][facts], "linked");
  EXPECT_EQ(Inode(segment(linked)), Inode(segment(first)));
  EXPECT_EQ(Ask(linked.path, "SELECT count(*) FROM _warehouse_tail_fact_customer_activity"), "1;");
  EXPECT_EQ(Ask(linked.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"), "5;");
  EXPECT_EQ(Ask(first.path, "SELECT count(*) FROM fact_customer_activity WHERE activity_type = 'usage'"), "4;");
  // The lake counts each row once: the segment's 10 with the segment, the tail's with the version file.
  ASSERT_OK_AND_ASSIGN(auto files, lake_->metastore().ListFiles(VersionsDataset()));
  int64_t listed = 0, built = 0;
  for (const auto& f : files) {
    listed += f.row_count;
    if (f.path.find(".segment") != std::string::npos) {
      EXPECT_EQ(f.row_count, 10) << f.path;
    }
  }
  for (const ModelStat& m : linked.models) built += m.rows;
  EXPECT_EQ(listed, built);

  // A customer version dated before facts already built re-keys them
  // (@post_incremental): the rows it changes (post_incremental_rows) move
  // from the segment to the tail, the segment stays shared.
  auto count_rows_once = [&](const BuildReport& r) {
    ASSERT_OK_AND_ASSIGN(auto listed_files, lake_->metastore().ListFiles(VersionsDataset()));
    int64_t in_files = 0, in_models = 0;
    for (const auto& f : listed_files) in_files += f.row_count;
    for (const ModelStat& m : r.models) in_models += m.rows;
    EXPECT_EQ(in_files, in_models) << "version " << r.version;
  };
  Commit("sic/customers", Customer(1, "max", "Munich", "2025-01-01", "2025-02-24 00:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport moved, RunBuild());
  ASSERT_TRUE(moved.incremental);
  EXPECT_EQ(moved.segments.at(facts), "linked");
  EXPECT_EQ(Inode(segment(moved)), Inode(segment(first)));
  // e3, e3b and the refund were settled; s1 was in the tail already.
  EXPECT_EQ(Ask(moved.path, "SELECT count(*) FROM _warehouse_dropped_fact_customer_activity"), "3;");
  EXPECT_EQ(Ask(moved.path, "SELECT count(*) FROM _warehouse_tail_fact_customer_activity"), "4;");
  const std::string munich = "SELECT count(*) FROM fact_customer_activity f JOIN dim_customer d USING (customer_key) "
                             "WHERE d.city = 'Munich'";
  EXPECT_EQ(Ask(moved.path, munich), "4;");  // e3, e3b, the refund and s1
  EXPECT_EQ(Ask(moved.path, "SELECT count(*) FROM fact_customer_activity"), "11;");
  count_rows_once(moved);
  // The versions before it read their shared file as they left it.
  EXPECT_EQ(Ask(linked.path, munich), "0;");
  EXPECT_EQ(Ask(linked.path, "SELECT count(*) FROM fact_customer_activity"), "11;");
  EXPECT_EQ(Ask(first.path, "SELECT count(*) FROM fact_customer_activity"), "10;");

  // A tail of 4 rows for a segment of 10 (over a quarter) is settled by the
  // next build: a copy of the segment without its dropped rows, plus the tail.
  Commit("usage", Event("s2", 2, "2025-02-27 09:00:00"));
  ASSERT_OK_AND_ASSIGN(BuildReport rewritten, RunBuild());
  EXPECT_EQ(rewritten.segments.at(facts), "rewritten");
  EXPECT_NE(Inode(segment(rewritten)), Inode(segment(moved)));
  EXPECT_EQ(Ask(rewritten.path, "SELECT count(*) FROM _warehouse_tail_fact_customer_activity"), "0;");
  EXPECT_EQ(Ask(rewritten.path, "SELECT count(*) FROM _warehouse_dropped_fact_customer_activity"), "0;");
  EXPECT_EQ(Ask(rewritten.path, "SELECT count(*) FROM fact_customer_activity"), "12;");
  EXPECT_EQ(Ask(rewritten.path, munich), "4;");
  count_rows_once(rewritten);
  EXPECT_EQ(Ask(moved.path, "SELECT count(*) FROM fact_customer_activity"), "11;");

  ASSERT_OK_AND_ASSIGN(BuildReport full, RunBuild(/*full=*/true));
  EXPECT_EQ(full.segments.at(facts), "written");
  ExpectSameTables(rewritten.path, full.path, full.models);
}

TEST_F(WarehouseFixture, AMissingSegmentFileIsAnErrorNamingIt) {
  WriteBase();
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  fs::path segment = fs::path(first.path).parent_path() / SegmentFileName(first.version, "fact_customer_activity");
  fs::path aside = root_.string() + ".segment";  // outside the lake, whose recovery removes strays
  fs::rename(segment, aside);
  auto reader = query::LakeSession::Open(root_.string());
  ASSERT_FALSE(reader.ok());
  EXPECT_NE(reader.status().message().find("segment " + segment.filename().string() + " of warehouse version"),
            std::string::npos)
      << reader.status().message();
  auto build = RunBuild();
  ASSERT_FALSE(build.ok());
  EXPECT_NE(build.status().message().find(segment.filename().string()), std::string::npos) << build.status().message();
  EXPECT_NE(build.status().message().find("custlake build --full"), std::string::npos) << build.status().message();
  // Put back, the lake reads and builds again.
  fs::rename(aside, segment);
  ASSERT_OK_AND_ASSIGN(auto again, query::LakeSession::Open(root_.string()));
  ASSERT_OK_AND_ASSIGN(BuildReport next, RunBuild());
  EXPECT_TRUE(next.incremental);
}

TEST_F(WarehouseFixture, ATailGrownToAQuarterOfItsSegmentIsSettled) {
  const std::string facts = "fact_customer_activity";
  WriteBase();  // 10 facts
  ASSERT_OK_AND_ASSIGN(BuildReport first, RunBuild());
  std::vector<std::string> modes;
  std::string tails;
  for (int i = 0; i < 4; ++i) {
    Commit("usage", Event("q" + std::to_string(i), 1, "2025-02-26 1" + std::to_string(i) + ":00:00"));
    ASSERT_OK_AND_ASSIGN(BuildReport r, RunBuild());
    modes.push_back(r.segments.at(facts));
    tails += Ask(r.path, "SELECT count(*) FROM _warehouse_tail_fact_customer_activity");
    EXPECT_EQ(r.checks.failed, 0) << r.checks.FailureText();
  }
  // Tails of 1, 2, 3 rows ride along; at 3 of 10 (over a quarter) the fourth build settles them.
  EXPECT_EQ(modes, (std::vector<std::string>{"linked", "linked", "linked", "rewritten"}));
  EXPECT_EQ(tails, "1;2;3;0;");
  ASSERT_OK_AND_ASSIGN(auto current, CurrentVersion(lake_.get()));
  EXPECT_EQ(Ask(current->path, "SELECT count(*) FROM fact_customer_activity"), "14;");
}

}  // namespace
}  // namespace custlake::warehouse
