// The lake as an external engine reads it: every table `custlake export-ddl`
// exports is read from its folder the way Hive or Trino would
// (read_parquet('<location>**/*.parquet', hive_partitioning = true), every
// file under the folder) and compared with what `custlake query` reads
// (EXCEPT ALL both ways, and counts): after a build; after full re-imports
// (their replaced parts move to _superseded/), incremental append and
// lastmodified imports (one finding nothing new) and an ingest; after the incremental build; and after
// `custlake vacuum`. Plus export-ddl's errors, each with its message.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "engine/engine.h"
#include "shop_project.h"

namespace {
namespace fs = std::filesystem;

using custlake::testing::CliOutcome;

class ExternalReadTest : public custlake::testing::ShopProject {
 protected:
  /// Every exported table's folder read as an external engine would equals custlake query's relation.
  void ExpectExportsReadAsQuery(const std::string& step) {
    SCOPED_TRACE(step);
    CliOutcome ddl = Custlake({"--json", "export-ddl", "--dialect", "trino"});
    ASSERT_EQ(ddl.exit_code, 0) << ddl.err;
    nlohmann::json exports = ddl.Json()["exports"];
    ASSERT_GE(exports.size(), 7u + 8u) << ddl.out;  // the star schema and the shop's raw datasets
    auto db = custlake::engine::Database::Open(custlake::engine::DatabaseOptions{});
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    auto session = (*db)->Connect();
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    ASSERT_TRUE((*session)->Execute("SET TimeZone = 'UTC'").ok());
    for (const auto& e : exports) ExpectFolderReadsAs(session->get(), e["location"], e["reads_as"]);
  }

  void ExpectFolderReadsAs(custlake::engine::Session* session, const std::string& location,
                           const std::string& relation) {
    SCOPED_TRACE(relation + " over " + location);
    // custlake query's rows, as DuckDB's text of each value (NULL: an empty unquoted field).
    CliOutcome q = Custlake({"query", "--format", "csv", "--max-rows", "0", "SELECT * FROM " + relation});
    ASSERT_EQ(q.exit_code, 0) << q.err;
    const fs::path csv = dir_.string() + "_io/query.csv";
    std::ofstream(csv, std::ios::binary) << q.out;
    std::string header = q.out.substr(0, q.out.find('\n')), columns;
    for (size_t start = 0; start <= header.size();) {
      size_t comma = header.find(',', start);
      if (comma == std::string::npos) comma = header.size();
      std::string name = header.substr(start, comma - start);
      columns += (columns.empty() ? "" : ", ") + std::string("CAST(\"") + name + "\" AS VARCHAR) AS \"" +
                 name + "\"";
      start = comma + 1;
    }
    auto run = [&](const std::string& sql) -> std::string {
      auto r = session->Query(sql);
      EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
      return r.ok() && !r->rows.empty() ? r->rows[0][0] : "";
    };
    // Every file under the folder, partitions from the key=value folders: what Hive and Trino read.
    run("CREATE OR REPLACE TABLE external AS SELECT " + columns + " FROM read_parquet(" +
        custlake::engine::QuoteLiteral(location + "**/*.parquet") +
        ", hive_partitioning = true, union_by_name = true)");
    run("CREATE OR REPLACE TABLE queried AS SELECT " + columns + " FROM read_csv(" +
        custlake::engine::QuoteLiteral(csv.string()) +
        ", header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true, "
        "allow_quoted_nulls = false)");
    const std::string queried = run("SELECT count(*) FROM queried");
    EXPECT_NE(queried, "0");
    EXPECT_EQ(run("SELECT count(*) FROM external"), queried);
    // On a difference, the first differing rows of each side are printed.
    const std::string sample = "SELECT string_agg(r, ' | ') FROM (SELECT CAST(d AS VARCHAR) AS r FROM (";
    EXPECT_EQ(run("SELECT count(*) FROM (SELECT * FROM external EXCEPT ALL SELECT * FROM queried)"), "0")
        << "only in the files: " << run(sample + "SELECT * FROM external EXCEPT ALL SELECT * FROM queried) d LIMIT 3)");
    EXPECT_EQ(run("SELECT count(*) FROM (SELECT * FROM queried EXCEPT ALL SELECT * FROM external)"), "0")
        << "only in the query: " << run(sample + "SELECT * FROM queried EXCEPT ALL SELECT * FROM external) d LIMIT 3)");
  }

  /// The Parquet files under a dataset's folder, lake-relative to it.
  std::set<std::string> FilesUnder(const std::string& dataset) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "lake" / dataset)) {
      if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir_ / "lake" / dataset).string());
    }
    return out;
  }
};

TEST_F(ExternalReadTest, EveryExportedFolderReadsAsCustlakeQueryAfterImportsIngestsBuildsAndVacuum) {
  // The clients keep every version (lastmodified), as do the promotions' sends; orders append.
  std::ofstream(dir_ / "custlake.toml", std::ios::app)
      << "\n[sources.shop.table.clients]\nincremental = \"lastmodified\"\ncheck_column = \"modified\"\n"
      << "\n[sources.shop.table.promo_sends]\nincremental = \"lastmodified\"\ncheck_column = \"modified\"\n";
  Load();
  CliOutcome build = Custlake({"build"});
  ASSERT_EQ(build.exit_code, 0) << build.err;
  ExpectExportsReadAsQuery("the first build");

  // A client moves (a new version), new orders, new clicks, nothing new in the sends; the promotions
  // and the other full imports are re-imported whole (their parts replaced).
  Sql("UPDATE clients SET town = 'Cologne', modified = '2025-03-25 09:00:00' WHERE client_id = 1;"
      "INSERT INTO orders VALUES (106, 3, '2025-03-01 09:00:00', 9900, 'subscription', 'invoice', NULL);"
      "UPDATE promos SET pct = 12.5 WHERE promo_id = 7;");
  Write(
      dir_ / "landing" / "clicks" / "day2.ndjson",
      "{\"click_id\": 5, \"uid\": 3, \"clicked_at\": \"2025-03-02T10:00:00Z\", \"kind\": \"session_start\", "
      "\"screen\": \"home\", \"secs\": 0, \"kb\": 4}\n");
  const std::set<std::string> promos_before = FilesUnder("raw/shop/promos");
  Load();
  EXPECT_EQ(FilesUnder("raw/shop/promos").size(), promos_before.size());  // the replaced part left the folder
  EXPECT_NE(FilesUnder("raw/shop/promos"), promos_before);
  EXPECT_EQ(FilesUnder("_superseded/raw/shop/promos"), promos_before);
  EXPECT_EQ(Query("SELECT count(*) FROM raw.shop_clients"), "4");  // every version, as the folder holds them
  EXPECT_EQ(Query("SELECT town FROM raw.shop_clients_current WHERE client_id = 1"), "Cologne");
  ExpectExportsReadAsQuery("a full re-import, incremental append and lastmodified imports, an ingest");
  // The current version's checks read the raw batches it consumed: the replaced ones from _superseded/.
  CliOutcome check_superseded = Custlake({"check"});
  EXPECT_EQ(check_superseded.exit_code, 0) << check_superseded.out << check_superseded.err;
  EXPECT_EQ(check_superseded.out.find("vacuumed since"), std::string::npos) << check_superseded.out;

  CliOutcome incremental = Custlake({"--json", "build"});
  ASSERT_EQ(incremental.exit_code, 0) << incremental.err;
  EXPECT_TRUE(incremental.Json()["incremental"].get<bool>()) << incremental.out;
  ExpectExportsReadAsQuery("the incremental build");

  // Only the current version is kept: the replaced promotions part no kept version consumed goes.
  CliOutcome planned = Custlake({"--json", "vacuum", "--retain", "1", "--older-than", "0", "--dry-run"});
  ASSERT_EQ(planned.exit_code, 0) << planned.err;
  EXPECT_EQ(FilesUnder("_superseded/raw/shop/promos"), promos_before);  // a dry run removes nothing
  CliOutcome vacuum = Custlake({"--json", "vacuum", "--retain", "1", "--older-than", "0"});
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.err;
  EXPECT_EQ(vacuum.Json()["removed"], planned.Json()["removed"]);
  nlohmann::json removed = vacuum.Json()["removed"];
  std::set<std::string> removed_paths(removed.begin(), removed.end());
  for (const std::string& f : promos_before) {
    EXPECT_TRUE(removed_paths.count("_superseded/raw/shop/promos/" + f)) << vacuum.out;
  }
  EXPECT_FALSE(vacuum.Json()["versions_removed"].empty()) << vacuum.out;
  EXPECT_TRUE(FilesUnder("_superseded/raw/shop/promos").empty());
  ExpectExportsReadAsQuery("custlake vacuum");
  CliOutcome check = Custlake({"check"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

TEST_F(ExternalReadTest, ExportDdlFailsNamingWhatWouldPointNowhere) {
  Load();
  CliOutcome unbuilt = Custlake({"export-ddl", "--dialect", "hive"});
  EXPECT_EQ(unbuilt.exit_code, 1) << unbuilt.out;
  EXPECT_NE(unbuilt.err.find("no warehouse version is published"), std::string::npos) << unbuilt.err;
  EXPECT_NE(unbuilt.err.find("run custlake build first"), std::string::npos) << unbuilt.err;

  ASSERT_EQ(Custlake({"build"}).exit_code, 0);
  ASSERT_EQ(Custlake({"export-ddl"}).exit_code, 0);
  // An empty table of the shop: imported, but no Parquet file to point at.
  Sql("CREATE TABLE returns (return_id INTEGER PRIMARY KEY, order_id INTEGER);");
  CliOutcome imported = Custlake({"import", "shop", "--table", "returns"});
  ASSERT_EQ(imported.exit_code, 0) << imported.err;
  CliOutcome empty = Custlake({"export-ddl"});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("raw dataset raw/shop/returns has no Parquet files"), std::string::npos)
      << empty.err;
  EXPECT_NE(empty.err.find("bring rows into it"), std::string::npos) << empty.err;
  Sql("INSERT INTO returns VALUES (1, 105);");
  ASSERT_EQ(Custlake({"import", "shop", "--table", "returns"}).exit_code, 0);
  ASSERT_EQ(Custlake({"export-ddl"}).exit_code, 0);

  // A version built without its Parquet export.
  ASSERT_EQ(Custlake({"build", "--no-export"}).exit_code, 0);
  CliOutcome unexported = Custlake({"export-ddl"});
  EXPECT_EQ(unexported.exit_code, 1);
  EXPECT_NE(unexported.err.find("holds no Parquet export of warehouse version"), std::string::npos)
      << unexported.err;
  EXPECT_NE(unexported.err.find("run custlake build without --no-export"), std::string::npos)
      << unexported.err;

  // A mistyped retention is a usage error that says what is expected.
  CliOutcome bad_age = Custlake({"vacuum", "--older-than", "7 days"});
  EXPECT_EQ(bad_age.exit_code, 2);
  EXPECT_NE(bad_age.err.find("expected a number with s, m, h or d"), std::string::npos) << bad_age.err;

  // A staging model reading a dataset the lake does not have.
  Stage("stg_tickets", "SELECT case_no AS ticket_id FROM raw.shop_support_cases\n");
  CliOutcome missing = Custlake({"export-ddl"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("the models read raw.shop_support_cases (stg_tickets"), std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("import or ingest it"), std::string::npos) << missing.err;
}

}  // namespace
