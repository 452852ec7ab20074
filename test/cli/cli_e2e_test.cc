// Runs the real custlake binary the way a user would and checks what it
// prints, what it exits with and what it leaves on disk.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/cli_runner.h"

namespace {
namespace fs = std::filesystem;

using Outcome = custlake::testing::CliOutcome;
using custlake::testing::ReadWholeFile;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("custlake_cli_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Outcome Custlake(const std::vector<std::string>& args) {
    return custlake::testing::RunCli(dir_, CUSTLAKE_BIN, args);
  }

  fs::path dir_;
};

std::vector<std::string> SqliteColumns(const fs::path& db, const std::string& table) {
  sqlite3* h = nullptr;
  std::vector<std::string> cols;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return cols;
  sqlite3_stmt* st = nullptr;
  std::string sql = "SELECT name FROM pragma_table_info('" + table + "') ORDER BY cid";
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    while (sqlite3_step(st) == SQLITE_ROW) cols.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
  }
  sqlite3_finalize(st);
  sqlite3_close(h);
  return cols;
}

int64_t TicketsCommitted(const fs::path& project) {
  std::string cmd = std::string(CUSTLAKE_BIN) + " -C '" + project.string() +
                    "' --json query 'SELECT count(*) AS n FROM raw.tickets' 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  if (p != nullptr) pclose(p);
  nlohmann::json j = nlohmann::json::parse(out, nullptr, false);
  return j.is_object() ? j["rows"][0]["n"].get<int64_t>() : -1;
}

TEST_F(CliTest, InitWritesACommentedConfigAndTheLakeAndIsSafeToRepeat) {
  Outcome r = Custlake({"init", dir_.string(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = r.Json();
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_TRUE(j["ok"].get<bool>());
  EXPECT_TRUE(j["config_written"].get<bool>());
  std::string toml = ReadWholeFile(dir_ / "custlake.toml");
  EXPECT_NE(toml.find("# custlake project configuration"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir_ / "lake" / "_metastore.db"));
  EXPECT_TRUE(fs::exists(dir_ / "lake" / "raw"));
  EXPECT_TRUE(fs::exists(dir_ / "schemas" / "usage.json"));

  Outcome again = Custlake({"init", dir_.string(), "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_FALSE(again.Json()["config_written"].get<bool>());
  EXPECT_EQ(ReadWholeFile(dir_ / "custlake.toml"), toml);
}

TEST_F(CliTest, ConfigMistakesExitTwoNamingKeyAndLine) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  std::string toml = ReadWholeFile(dir_ / "custlake.toml");
  // A typo in a key and a wrong type: each is reported with its line.
  std::ofstream(dir_ / "custlake.toml") << "[lake]\nroot = \"lake\"\nrot = \"x\"\n";
  Outcome typo = Custlake({"-C", dir_.string(), "status"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("custlake.toml:3"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("lake.rot"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("did you mean lake.root"), std::string::npos) << typo.err;

  std::ofstream(dir_ / "custlake.toml") << "[lake]\nroot = \"lake\"\n\n[generate]\ncustomers = \"lots\"\n";
  Outcome type = Custlake({"-C", dir_.string(), "generate", "--json"});
  EXPECT_EQ(type.exit_code, 2);
  EXPECT_NE(type.err.find("custlake.toml:5: generate.customers must be an integer"), std::string::npos) << type.err;
  EXPECT_FALSE(type.Json()["ok"].get<bool>());

  // Stage sections are checked up front too.
  std::ofstream(dir_ / "custlake.toml") << toml << "\n[ingest.usage2]\npath = \"x\"\npathh = \"x\"\n";
  Outcome ingest = Custlake({"-C", dir_.string(), "status"});
  EXPECT_EQ(ingest.exit_code, 2) << ingest.err;
  EXPECT_NE(ingest.err.find("pathh"), std::string::npos) << ingest.err;

  Outcome usage = Custlake({"no-such-verb"});
  EXPECT_EQ(usage.exit_code, 2);
  Outcome missing = Custlake({"-C", (dir_ / "nowhere").string(), "status"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("custlake init"), std::string::npos) << missing.err;
}

TEST_F(CliTest, DashCWorksLikeGitAndRuntimeFailuresExitOne) {
  // `-C DIR` makes every relative path relative to DIR, as `git -C` does.
  ASSERT_EQ(Custlake({"-C", dir_.string(), "init", "proj"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "proj" / "custlake.toml"));
  ASSERT_EQ(Custlake({"-C", (dir_ / "fresh").string(), "init"}).exit_code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "fresh" / "custlake.toml"));

  // Bad option values are usage errors (2) with a short reason, never a silent default.
  Outcome negative = Custlake({"-C", (dir_ / "proj").string(), "generate", "--customers", "-5"});
  EXPECT_EQ(negative.exit_code, 2);
  EXPECT_NE(negative.err.find("at least 1, got -5"), std::string::npos) << negative.err;

  // A query that is valid SQL but fails while it runs is a runtime failure (1).
  Outcome failed = Custlake({"-C", (dir_ / "proj").string(), "query",
                             "SELECT CAST(CAST(i AS VARCHAR) || 'x' AS INTEGER) FROM range(3) t(i)", "--json"});
  EXPECT_EQ(failed.exit_code, 1) << failed.err;
  EXPECT_FALSE(failed.Json()["ok"].get<bool>());
  EXPECT_NE(failed.err.find("Conversion Error"), std::string::npos) << failed.err;
  // A query that does not parse is the user's input error (2).
  EXPECT_EQ(Custlake({"-C", (dir_ / "proj").string(), "query", "SELEKT 1"}).exit_code, 2);

  // Timestamps print in UTC whatever the machine's zone, and every type prints.
  ::setenv("TZ", "America/New_York", 1);
  Outcome ts = Custlake({"-C", (dir_ / "proj").string(), "query", "--format", "csv",
                         "SELECT TIMESTAMPTZ '2025-01-01 00:00:00+00' AS t, [1, 2] AS l"});
  ::unsetenv("TZ");
  EXPECT_EQ(ts.exit_code, 0) << ts.err;
  EXPECT_EQ(ts.out, "t,l\n2025-01-01 00:00:00+00,\"[1, 2]\"\n");
}

// Revenue reconciled to the cent prints to the cent in every JSON output, and
// a result cut by --max-rows says so on stderr in every format.
TEST_F(CliTest, QueryPrintsExactNumbersAndSaysWhenTheRowLimitCutsTheResult) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  const std::string exact =
      "SELECT 12345678901234567.89::DECIMAL(38,2) AS revenue, "
      "170141183460469231731687303715884105727::HUGEINT AS big, 3 AS n, 0.5::DOUBLE AS d";
  Outcome rows = Custlake({"-C", dir_.string(), "query", "--format", "json", exact});
  ASSERT_EQ(rows.exit_code, 0) << rows.err;
  EXPECT_EQ(rows.Json(),
            nlohmann::json::parse(
                R"([{"revenue": "12345678901234567.89", "big": "170141183460469231731687303715884105727",
                                  "n": 3, "d": 0.5}])"))
      << rows.out;
  Outcome summary = Custlake({"-C", dir_.string(), "--json", "query", exact});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_EQ(summary.Json()["rows"], rows.Json()) << summary.out;

  const std::string six = "SELECT 'v' || range AS v FROM range(6)";
  for (const char* format : {"table", "csv", "json"}) {
    SCOPED_TRACE(format);
    Outcome cut = Custlake({"-C", dir_.string(), "query", "--format", format, "--max-rows", "4", six});
    ASSERT_EQ(cut.exit_code, 0) << cut.err;
    EXPECT_NE(cut.err.find("warning: the result has more than 4 rows"), std::string::npos) << cut.err;
    EXPECT_NE(cut.out.find("v3"), std::string::npos) << cut.out;
    EXPECT_EQ(cut.out.find("v4"), std::string::npos) << cut.out;
    Outcome whole = Custlake({"-C", dir_.string(), "query", "--format", format, "--max-rows", "6", six});
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    EXPECT_EQ(whole.err, "");
  }
  Outcome cut = Custlake({"-C", dir_.string(), "--json", "query", "--max-rows", "4", six});
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_TRUE(cut.Json()["truncated"].get<bool>()) << cut.out;
  EXPECT_EQ(cut.Json()["max_rows"], 4);
  EXPECT_EQ(cut.Json()["rows"].size(), 4u);
  EXPECT_NE(cut.err.find("more than 4 rows"), std::string::npos) << cut.err;

  // The default limit, and 0 for none.
  const std::string many = "SELECT range AS i FROM range(10001)";
  Outcome capped = Custlake({"-C", dir_.string(), "--json", "query", many});
  EXPECT_EQ(capped.Json()["row_count"], 10000) << capped.err;
  EXPECT_NE(capped.err.find("more than 10000 rows"), std::string::npos) << capped.err;
  Outcome all = Custlake({"-C", dir_.string(), "--json", "query", "--max-rows", "0", many});
  EXPECT_EQ(all.Json()["row_count"], 10001) << all.err;
  EXPECT_FALSE(all.Json()["truncated"].get<bool>());
  EXPECT_EQ(all.err, "");
  EXPECT_EQ(Custlake({"-C", dir_.string(), "query", "--max-rows", "-1", six}).exit_code, 2);

  Outcome help = Custlake({"query", "--help"});
  EXPECT_NE(help.out.find("--format table|csv|json"), std::string::npos) << help.out;
  EXPECT_EQ(help.out.find("ENUM"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("--max-rows N=10000"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("0: no limit"), std::string::npos) << help.out;
}

// NULL is an empty unquoted field and the empty string "" (or --null TEXT);
// lines end with LF, so `$(custlake query ... --format csv)` holds no \r.
TEST_F(CliTest, QueryCsvTellsNullFromTheEmptyStringAndEndsLinesWithLf) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  const std::string sql = "SELECT NULL::VARCHAR AS a, '' AS b, 'NULL' AS c";
  Outcome plain = Custlake({"-C", dir_.string(), "query", "--format", "csv", sql});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.out, "a,b,c\n,\"\",NULL\n");
  Outcome null_text = Custlake({"-C", dir_.string(), "query", "--format", "csv", "--null", "NULL", sql});
  ASSERT_EQ(null_text.exit_code, 0) << null_text.err;
  EXPECT_EQ(null_text.out, "a,b,c\nNULL,\"\",\"NULL\"\n");
  Outcome crlf = Custlake({"-C", dir_.string(), "query", "--format", "csv", "--crlf", sql});
  EXPECT_EQ(crlf.out, "a,b,c\r\n,\"\",NULL\r\n");
  Outcome bad = Custlake({"-C", dir_.string(), "query", "--format", "csv", "--null", "a,b", sql});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("comma"), std::string::npos) << bad.err;
}

// --format csv streams the rows (memory flat for a result of any size): across DuckDB's chunks of
// 2,048 rows it prints what the whole result holds, and --max-rows cuts it mid-chunk, or not at all
// when the result has exactly that many rows.
TEST_F(CliTest, QueryCsvStreamsEveryRowAcrossChunksAndCutsAtMaxRows) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  const std::string sql = "SELECT range AS i, CASE WHEN range % 3 = 0 THEN NULL ELSE 'x,' || range END AS s "
                          "FROM range(5000) ORDER BY i";
  Outcome all = Custlake({"-C", dir_.string(), "query", "--format", "csv", "--max-rows", "0", sql});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.err, "");
  std::string expected = "i,s\n";
  for (int i = 0; i < 5000; ++i) {
    expected += std::to_string(i) + "," + (i % 3 == 0 ? "" : "\"x," + std::to_string(i) + "\"") + "\n";
  }
  EXPECT_EQ(all.out, expected);
  Outcome summary = Custlake({"-C", dir_.string(), "--json", "query", "--max-rows", "0", sql});
  ASSERT_EQ(summary.exit_code, 0) << summary.err;
  EXPECT_EQ(summary.Json()["row_count"], 5000);

  Outcome cut = Custlake({"-C", dir_.string(), "query", "--format", "csv", "--max-rows", "3000", sql});
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_EQ(cut.out, expected.substr(0, expected.find("\n3000,") + 1));
  EXPECT_NE(cut.err.find("more than 3000 rows"), std::string::npos) << cut.err;
  Outcome exact = Custlake({"-C", dir_.string(), "query", "--format", "csv", "--max-rows", "5000", sql});
  EXPECT_EQ(exact.out, expected);
  EXPECT_EQ(exact.err, "");
}

TEST_F(CliTest, UsageMistakesSayWhatWasMeant) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  Outcome typo = Custlake({"-C", dir_.string(), "improt", "sic"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown verb 'improt' (did you mean import?)"), std::string::npos) << typo.err;
  Outcome nothing = Custlake({"-C", dir_.string(), "import"});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_EQ(nothing.err.find("not both"), std::string::npos) << nothing.err;
  EXPECT_NE(nothing.err.find("custlake import NAME) or --connect URL"), std::string::npos) << nothing.err;
  Outcome both = Custlake({"-C", dir_.string(), "import", "sic", "--connect", "sqlite:x.db"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
}

// Results go to stdout (`custlake status | wc -l` is not 0), logs and
// progress to stderr; with --json stdout holds only the JSON.
TEST_F(CliTest, ResultsGoToStdoutAndWithJsonStdoutHoldsOnlyTheJson) {
  auto both_ways = [&](const std::vector<std::string>& args) {
    std::vector<std::string> with_json = {"-C", dir_.string(), "--json"};
    with_json.insert(with_json.end(), args.begin(), args.end());
    std::vector<std::string> human = {"-C", dir_.string()};
    human.insert(human.end(), args.begin(), args.end());
    Outcome json = Custlake(with_json);
    EXPECT_EQ(json.exit_code, 0) << json.err;
    EXPECT_TRUE(json.Json().is_object()) << args[0] << ": " << json.out;
    Outcome text = Custlake(human);
    EXPECT_EQ(text.exit_code, 0) << text.err;
    return std::pair{json, text};
  };
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  ASSERT_EQ(Custlake({"-C", dir_.string(), "generate", "--customers", "200", "--months", "2"}).exit_code, 0);
  auto [imp_json, imp] = both_ways({"import", "sic"});
  EXPECT_NE(imp.out.find("raw/sic/customers: "), std::string::npos) << imp.out << imp.err;
  EXPECT_NE(imp_json.err.find("raw/sic/customers: "), std::string::npos) << imp_json.err;
  auto [ing_json, ing] = both_ways({"ingest"});
  EXPECT_NE(ing.out.find("ingest: "), std::string::npos) << ing.out << ing.err;
  EXPECT_EQ(ing.out.find("landing"), std::string::npos) << "per-file log lines belong on stderr:\n"
                                                        << ing.out;
  auto [build_json, build] = both_ways({"build"});
  EXPECT_NE(build.out.find("published warehouse version"), std::string::npos) << build.out << build.err;
  auto [check_json, check] = both_ways({"check", "--freshness", "off"});
  EXPECT_NE(check.out.find("ok   dim_customer"), std::string::npos) << check.out << check.err;
  auto [status_json, status] = both_ways({"status"});
  EXPECT_NE(status.out.find("raw/sic/customers"), std::string::npos) << status.out << status.err;
  EXPECT_NE(status_json.err.find("raw/sic/customers"), std::string::npos) << status_json.err;
  auto [docs_json, docs] = both_ways({"docs"});
  EXPECT_NE(docs.out.find("data_dictionary.md"), std::string::npos) << docs.out << docs.err;
  auto [ddl_json, ddl] = both_ways({"export-ddl"});
  EXPECT_NE(ddl.out.find("CREATE EXTERNAL TABLE"), std::string::npos) << ddl.out;
  EXPECT_EQ(ddl_json.Json()["ddl"], ddl.out);
  // --quiet silences chatter on stderr, not the results on stdout.
  Outcome quiet = Custlake({"-C", dir_.string(), "--quiet", "status"});
  EXPECT_EQ(quiet.out, status.out);
  EXPECT_EQ(quiet.err, "");
  Outcome quiet_json = Custlake({"-C", dir_.string(), "--quiet", "--json", "status"});
  EXPECT_TRUE(quiet_json.Json().is_object()) << quiet_json.out;
  EXPECT_EQ(quiet_json.err, "");
}

TEST_F(CliTest, GenerateWritesTheContractTablesAndLandingFiles) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  Outcome r = Custlake({"-C", dir_.string(), "generate", "--customers", "2000", "--seed", "7", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = r.Json();
  ASSERT_TRUE(j.is_object()) << r.out;
  EXPECT_EQ(j["tables"]["customers"], 2000);
  for (const char* t : {"transactions", "offers", "offer_assignments"}) EXPECT_GT(j["tables"][t].get<int64_t>(), 0) << t;
  EXPECT_GT(j["usage"]["files"].get<int64_t>(), 300);
  EXPECT_GT(j["usage"]["records"].get<int64_t>(), 10000);
  EXPECT_GT(j["tickets"]["records"].get<int64_t>(), 100);
  EXPECT_TRUE(fs::exists(dir_ / "truth" / "mess_counts.json"));

  const fs::path db = dir_ / "data" / "sic.db";
  EXPECT_EQ(SqliteColumns(db, "customers"),
            (std::vector<std::string>{"customer_id", "first_name", "last_name", "email", "gender", "birth_date", "city",
                                      "region", "country", "segment", "plan", "contract", "monthly_fee",
                                      "signup_date", "status", "churn_date", "created_at", "updated_at"}));
  EXPECT_EQ(SqliteColumns(db, "transactions"),
            (std::vector<std::string>{"transaction_id", "customer_id", "ts", "amount", "currency", "kind",
                                      "payment_method", "offer_id", "updated_at"}));
  EXPECT_EQ(SqliteColumns(db, "offers"),
            (std::vector<std::string>{"offer_id", "name", "campaign", "channel", "offer_type", "discount_pct",
                                      "start_date", "end_date", "target_segment"}));
  EXPECT_EQ(SqliteColumns(db, "offer_assignments"),
            (std::vector<std::string>{"assignment_id", "offer_id", "customer_id", "sent_at", "responded_at",
                                      "redeemed", "updated_at"}));
}

TEST_F(CliTest, ImportIngestQueryAndStatusEndToEnd) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  ASSERT_EQ(Custlake({"-C", dir_.string(), "generate", "--customers", "300", "--months", "3"}).exit_code, 0);
  Outcome imp = Custlake({"-C", dir_.string(), "import", "sic", "--json"});
  ASSERT_EQ(imp.exit_code, 0) << imp.err;
  EXPECT_GT(imp.Json()["rows"].get<int64_t>(), 300);
  Outcome ing = Custlake({"-C", dir_.string(), "ingest", "--json"});
  ASSERT_EQ(ing.exit_code, 0) << ing.err;
  nlohmann::json in = ing.Json();
  EXPECT_EQ(in["records"].get<int64_t>(),
            in["committed"].get<int64_t>() + in["quarantined"].get<int64_t>() + in["duplicates"].get<int64_t>());

  Outcome q = Custlake({"-C", dir_.string(), "query", "SELECT count(*) AS n FROM raw.sic_customers", "--format", "csv"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "n\n300\n");
  Outcome qj = Custlake({"-C", dir_.string(), "--json", "query", "SELECT count(*) AS n FROM raw.usage"});
  ASSERT_EQ(qj.exit_code, 0) << qj.err;
  // Every committed usage record is one row (tickets are committed to raw/tickets).
  EXPECT_EQ(qj.Json()["rows"][0]["n"].get<int64_t>(), in["committed"].get<int64_t>() - TicketsCommitted(dir_));
  // The quarantined records are queryable, each one once.
  Outcome bad = Custlake({"-C", dir_.string(), "--json", "query",
                          "SELECT (SELECT count(*) FROM quarantine.usage) + (SELECT count(*) FROM quarantine.tickets) AS n"});
  ASSERT_EQ(bad.exit_code, 0) << bad.err;
  EXPECT_EQ(bad.Json()["rows"][0]["n"].get<int64_t>(), in["quarantined"].get<int64_t>());
  Outcome escape = Custlake({"-C", dir_.string(), "query", "SELECT * FROM read_text('/etc/passwd')"});
  EXPECT_NE(escape.exit_code, 0);
  EXPECT_EQ(escape.out.find("root:"), std::string::npos);
  EXPECT_NE(escape.err.find("/etc/passwd"), std::string::npos) << escape.err;

  // Re-running ingest commits nothing new: the files are known by checksum.
  Outcome again = Custlake({"-C", dir_.string(), "ingest", "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.Json()["committed"].get<int64_t>(), 0);

  Outcome st = Custlake({"-C", dir_.string(), "status", "--json"});
  ASSERT_EQ(st.exit_code, 0) << st.err;
  nlohmann::json s = st.Json();
  bool saw_usage = false;
  for (const auto& d : s["datasets"]) saw_usage |= d["dataset"] == "raw/usage";
  EXPECT_TRUE(saw_usage);
  for (const auto& [name, r] : s["ingest_reconciliation"].items()) EXPECT_TRUE(r["balanced"].get<bool>()) << name;
  EXPECT_GE(s["runs"].size(), 3u);
}

// A build whose staging models (the data contract's inputs) hold no data is
// an error naming the first of them; --allow-empty builds the empty tables
// and names each empty input, so a missing import or a misnamed source shows.
TEST_F(CliTest, BuildNamesTheInputsThatHoldNoData) {
  ASSERT_EQ(Custlake({"init", dir_.string()}).exit_code, 0);
  Outcome refused = Custlake({"-C", dir_.string(), "build"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("staging model stg_customers"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("has no rows"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow-empty"), std::string::npos) << refused.err;

  Outcome empty = Custlake({"-C", dir_.string(), "--json", "build", "--allow-empty"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  ASSERT_EQ(empty.Json()["warnings"].size(), 1u) << empty.out;
  std::string warning = empty.Json()["warnings"][0];
  EXPECT_NE(warning.find("raw.sic_customers"), std::string::npos) << warning;
  EXPECT_NE(warning.find("raw.usage"), std::string::npos) << warning;
  EXPECT_NE(warning.find("stg_usage"), std::string::npos) << warning;
  EXPECT_NE(empty.err.find("warning: the models read inputs that hold no data yet"), std::string::npos);

  ASSERT_EQ(Custlake({"-C", dir_.string(), "generate", "--customers", "200", "--months", "2"}).exit_code, 0);
  ASSERT_EQ(Custlake({"-C", dir_.string(), "import", "sic"}).exit_code, 0);
  Outcome half_refused = Custlake({"-C", dir_.string(), "build"});
  EXPECT_EQ(half_refused.exit_code, 2) << half_refused.err;
  EXPECT_NE(half_refused.err.find("staging model stg_usage"), std::string::npos) << half_refused.err;
  Outcome half = Custlake({"-C", dir_.string(), "--json", "build", "--allow-empty"});
  ASSERT_EQ(half.exit_code, 0) << half.err;
  ASSERT_EQ(half.Json()["warnings"].size(), 1u) << half.out;
  warning = half.Json()["warnings"][0];
  EXPECT_NE(warning.find("raw.usage"), std::string::npos) << warning;
  EXPECT_NE(warning.find("raw.tickets"), std::string::npos) << warning;
  EXPECT_EQ(warning.find("raw.sic_"), std::string::npos) << warning;

  ASSERT_EQ(Custlake({"-C", dir_.string(), "ingest"}).exit_code, 0);
  Outcome whole = Custlake({"-C", dir_.string(), "--json", "build"});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_TRUE(whole.Json()["warnings"].empty()) << whole.out;
}

TEST_F(CliTest, DemoRunsThePipelineAndEndsWithASummary) {
  Outcome r = Custlake({"--json", "demo", (dir_ / "demo").string(), "--customers", "500", "--months", "3", "--no-serve"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  nlohmann::json j = r.Json();
  ASSERT_TRUE(j.is_object()) << r.out;
  // Two rounds: the company a month before the window's end, then a month later, incrementally.
  for (const char* stage : {"init", "generate", "import", "ingest", "build", "generate_2", "import_2", "ingest_2",
                            "build_2", "status"}) {
    EXPECT_TRUE(j["stages"].contains(stage)) << stage;
  }
  const nlohmann::json& st = j["stages"];
  EXPECT_LT(st["generate"]["tables"]["customers"].get<int64_t>(), 500);
  EXPECT_EQ(st["generate_2"]["tables"]["customers"], 500);
  EXPECT_EQ(st["build"]["checks"]["failed"], 0);
  EXPECT_EQ(st["build_2"]["checks"]["failed"], 0);
  EXPECT_TRUE(st["build_2"]["incremental"].get<bool>());
  EXPECT_GT(st["import_2"]["rows"].get<int64_t>(), 0);
  EXPECT_GT(st["ingest_2"]["committed"].get<int64_t>(), 0);
  // The second import added customer versions: the SCD2 dimension has history.
  auto versions = [&] {
    Outcome v = Custlake({"-C", (dir_ / "demo").string(), "query", "--format", "csv",
                          "SELECT count(*) FILTER (WHERE version > 1) AS later, count(*) AS all_versions FROM dim_customer"});
    EXPECT_EQ(v.exit_code, 0) << v.err;
    return v.out;
  };
  const std::string history = versions();
  EXPECT_NE(history.find('\n'), std::string::npos);
  EXPECT_EQ(history.rfind("later,all_versions\n0,", 0), std::string::npos) << history;
  // The published warehouse answers queries, and its revenue reconciles with the raw zone to the cent.
  Outcome q = Custlake({"-C", (dir_ / "demo").string(), "query", "--format", "csv",
                        "SELECT (SELECT sum(revenue) FROM fact_customer_metrics) = "
                        "(SELECT sum(amount) FROM raw.sic_transactions) AS reconciled"});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  EXPECT_EQ(q.out, "reconciled\ntrue\n");
  // Safe to run twice on the same folder.
  Outcome again = Custlake({"--json", "demo", (dir_ / "demo").string(), "--customers", "500", "--months", "3", "--no-serve"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  // A re-run only brings the project to the window's end: one round, nothing new.
  EXPECT_FALSE(again.Json()["stages"].contains("ingest_2"));
  EXPECT_EQ(again.Json()["stages"]["ingest"]["committed"], 0);
  for (const auto& table : again.Json()["stages"]["import"]["tables"]) {
    if (table["table"] != "offers") {  // offers is imported whole each time
      EXPECT_EQ(table["rows"], 0) << table;
    }
  }
  EXPECT_EQ(versions(), history) << "nothing was imported twice";
}

}  // namespace
