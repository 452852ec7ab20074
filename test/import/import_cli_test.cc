// `custlake import` as a user runs it: the real binary against a SQLite file
// and the real MariaDB and PostgreSQL servers (test/support), checking what it
// prints, exits with and leaves in the lake, read back through `custlake query`.
// Covers --connect, import-all-tables --exclude-tables, --map-column (on a
// machine whose local zone is not UTC), per-table settings in custlake.toml,
// the lastmodified current-state view, and passwords from an environment
// variable or a file that never show up in output, logs or the lake.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "db/connection.h"
#include "support/cli_runner.h"
#include "support/real_servers.h"
#include "support/status_testing.h"

namespace custlake::importer::testing {
namespace {
namespace fs = std::filesystem;

using Outcome = custlake::testing::CliOutcome;
using custlake::testing::ReadWholeFile;

class ImportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("custlake_import_cli_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    project_ = dir_ / "project";
    ASSERT_EQ(Custlake({"init", project_.string()}).exit_code, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Runs custlake with `env` (NAME=value) added to the environment.
  Outcome Custlake(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    return custlake::testing::RunCli(dir_, CUSTLAKE_BIN, args, env);
  }
  Outcome InProject(std::vector<std::string> args, const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {"-C", project_.string()});
    return Custlake(args, env);
  }
  /// `custlake --json query SQL` rows of its one column (write "a|b" with concat_ws).
  std::vector<std::string> QueryRows(const std::string& sql) {
    Outcome q = InProject({"--json", "query", sql});
    EXPECT_EQ(q.exit_code, 0) << q.err;
    std::vector<std::string> out;
    auto j = nlohmann::ordered_json::parse(q.out, nullptr, false);  // columns in order
    if (!j.is_object()) return out;
    for (const auto& row : j["rows"]) {
      std::string line;
      for (const auto& [k, v] : row.items())
        line += (line.empty() ? "" : "|") + (v.is_string() ? v.get<std::string>() : v.dump());
      out.push_back(line);
    }
    return out;
  }
  void AppendToml(const std::string& text) {
    std::ofstream(project_ / "custlake.toml", std::ios::app) << text;
  }

  std::unique_ptr<db::Connection> OpenSqlite(const fs::path& path) {
    auto url = db::DatabaseUrl::Parse("sqlite:" + path.string());
    EXPECT_TRUE(url.ok());
    auto conn = db::Connection::Open(*url);
    EXPECT_TRUE(conn.ok()) << conn.status().ToString();
    return conn.ok() ? std::move(conn).value() : nullptr;
  }

  fs::path dir_, project_;
};

TEST_F(ImportCliTest, ConnectAllTablesAndMapColumn) {
  const fs::path db = dir_ / "shop.db";
  auto conn = OpenSqlite(db);
  ASSERT_OK(conn->Execute(
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, total TEXT, seen TEXT);"
      "INSERT INTO orders VALUES (1, '12.50', '2024-05-01 12:00:00'), (2, '0.01', NULL);"
      "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (7, 'Ann');"
      "CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT); INSERT INTO audit VALUES (1, 'x');"));
  conn.reset();
  const std::string url = "sqlite:" + db.string();

  // --connect, one table, casts. The machine's zone (TZ) must not shift the
  // naive text cast to TIMESTAMP: the import's sessions run in UTC.
  Outcome one = InProject({"import", "--connect", url, "--table", "orders", "--map-column",
                           "total=DECIMAL(10,2)", "--map-column", "seen=TIMESTAMP", "--json"},
                          {"TZ=America/New_York"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  nlohmann::json j = one.Json();
  ASSERT_TRUE(j.is_object()) << one.out;
  EXPECT_EQ(j["rows"], 2);
  EXPECT_EQ(j["tables"][0]["dataset"], "raw/shop/orders");
  EXPECT_EQ(
      QueryRows("SELECT concat_ws('|', id, total, coalesce(CAST(epoch(seen) AS BIGINT)::VARCHAR, 'NULL'), "
                "typeof(total)) AS r FROM raw.shop_orders ORDER BY id"),
      (std::vector<std::string>{"1|12.50|1714564800|DECIMAL(10,2)", "2|0.01|NULL|DECIMAL(10,2)"}));

  // import-all-tables --exclude-tables.
  Outcome all =
      InProject({"import-all-tables", "--connect", url, "--exclude-tables", "audit,orders", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  j = all.Json();
  ASSERT_EQ(j["tables"].size(), 1u) << all.out;
  EXPECT_EQ(j["tables"][0]["table"], "customers");
  EXPECT_EQ(QueryRows("SELECT name FROM raw.shop_customers"), (std::vector<std::string>{"Ann"}));
  EXPECT_NE(InProject({"query", "SELECT * FROM raw.shop_audit"}).exit_code, 0);

  // Mistakes exit non-zero naming what is wrong: a typo'd path, a password in the URL.
  Outcome typo =
      InProject({"import", "--connect", "sqlite:" + (dir_ / "shpo.db").string(), "--table", "orders"});
  EXPECT_NE(typo.exit_code, 0);
  EXPECT_NE(typo.err.find("shpo.db"), std::string::npos) << typo.err;
  EXPECT_FALSE(fs::exists(dir_ / "shpo.db"));
  Outcome pw = InProject({"import", "--connect", "mysql://u@h/db?password=hunter2", "--table", "t"});
  EXPECT_EQ(pw.exit_code, 2) << pw.err;
  EXPECT_EQ(pw.err.find("hunter2"), std::string::npos) << pw.err;
}

// Values the lake cannot store are a data error: exit 1 (2 is for usage and
// configuration), every bad column of the table named in one run with its
// first row key, nothing imported. Fixed, the same import goes through, and
// text with "Z" keeps its instant in a Europe/Berlin source.
TEST_F(ImportCliTest, DataErrorsExitOneAndNameEveryBadColumn) {
  const fs::path db = dir_ / "shop.db";
  auto conn = OpenSqlite(db);
  ASSERT_OK(conn->Execute(
      "CREATE TABLE t (id INTEGER PRIMARY KEY, price DECIMAL(12,2), seen TIMESTAMP, qty INTEGER);"
      "INSERT INTO t VALUES (1, 12.34, '2025-01-15T08:00:00Z', 1), (2, '12345678901.23', 'not a time', 2),"
      " (3, 0.005, NULL, 'three');"));
  const std::string url = "sqlite:" + db.string();
  const std::vector<std::string> import = {"import",     "--connect",    url, "--table", "t",
                                           "--timezone", "Europe/Berlin"};

  Outcome bad = InProject(import);
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  const std::string said = bad.err + bad.out;
  EXPECT_NE(said.find("3 columns hold values that cannot be stored"), std::string::npos) << said;
  EXPECT_NE(said.find("column price: 2 values cannot be stored; the first: row 2 (key id=2)"),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("column seen: 1 value cannot be stored; the first: row 2 (key id=2)"),
            std::string::npos)
      << said;
  EXPECT_NE(said.find("column qty: 1 value cannot be stored; the first: row 3 (key id=3)"), std::string::npos)
      << said;
  EXPECT_NE(InProject({"query", "SELECT * FROM raw.shop_t"}).exit_code, 0);  // nothing committed

  std::vector<std::string> unknown_column = import;
  unknown_column.insert(unknown_column.end(), {"--map-column", "prize=DECIMAL(14,3)"});
  EXPECT_EQ(InProject(unknown_column).exit_code, 2);  // a usage error stays 2

  ASSERT_OK(conn->Execute("UPDATE t SET seen = NULL WHERE id = 2; UPDATE t SET qty = 3 WHERE id = 3;"));
  conn.reset();
  std::vector<std::string> widened = import;
  widened.insert(widened.end(), {"--map-column", "price=DECIMAL(14,3)"});
  Outcome good = InProject(widened);
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(
      QueryRows("SELECT concat_ws('|', id, price, coalesce(CAST(epoch(seen) AS BIGINT)::VARCHAR, 'NULL'), "
                "qty) AS r FROM raw.shop_t ORDER BY id"),
      (std::vector<std::string>{"1|12.340|1736928000|1", "2|12345678901.230|NULL|2", "3|0.005|NULL|3"}));
}

// Per-table settings in custlake.toml (incremental lastmodified with a merge
// key, columns, where, map_columns, dataset), and the current-state view
// `custlake query` offers beside the history.
TEST_F(ImportCliTest, ConfiguredSourceWithPerTableSettings) {
  fs::create_directories(project_ / "data");
  auto conn = OpenSqlite(project_ / "data" / "shop.db");
  ASSERT_NE(conn, nullptr);
  ASSERT_OK(conn->Execute(
      "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT, updated_at TIMESTAMP);"
      "INSERT INTO customers VALUES (1, 'Ann', '2024-05-01 10:00:00'), (2, 'Bo', '2024-05-01 10:00:00');"
      "CREATE TABLE orders (id INTEGER PRIMARY KEY, total TEXT, note TEXT);"
      "INSERT INTO orders VALUES (1, '5.00', 'a'), (2, '-1.00', 'refund'), (3, '7.25', 'c');"));
  AppendToml(R"toml(
[sources.shop]
url = "sqlite:data/shop.db"
tables = ["customers", "orders"]
timezone = "UTC"

[sources.shop.table.customers]
incremental = "lastmodified"
check_column = "updated_at"
merge_key = "customer_id"

[sources.shop.table.orders]
columns = ["id", "total"]
where = "CAST(total AS REAL) > 0"
map_columns = ["total=DECIMAL(10,2)"]
dataset = "shop/positive_orders"
)toml");
  Outcome first = InProject({"import", "shop", "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  nlohmann::json j = first.Json();
  ASSERT_EQ(j["tables"].size(), 2u) << first.out;
  EXPECT_EQ(j["tables"][0]["mode"], "lastmodified");
  EXPECT_EQ(j["tables"][1]["dataset"], "raw/shop/positive_orders");
  EXPECT_EQ(QueryRows("SELECT concat_ws('|', id, total) AS r FROM raw.shop_positive_orders ORDER BY id"),
            (std::vector<std::string>{"1|5.00", "3|7.25"}));
  EXPECT_EQ(QueryRows("SELECT string_agg(column_name, ',') AS r FROM (DESCRIBE raw.shop_positive_orders)"),
            (std::vector<std::string>{"id,total,ingest_date"}));

  ASSERT_OK(conn->Execute(
      "UPDATE customers SET name = 'Ann B.', updated_at = '2024-06-01 09:00:00' WHERE customer_id = 1"));
  Outcome second = InProject({"import", "shop", "--table", "customers", "--json"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(second.Json()["tables"][0]["rows"], 1);
  EXPECT_EQ(
      QueryRows("SELECT concat_ws('|', customer_id, name) AS r FROM raw.shop_customers_current ORDER BY 1"),
      (std::vector<std::string>{"1|Ann B.", "2|Bo"}));
  EXPECT_EQ(QueryRows("SELECT count(*) AS n FROM raw.shop_customers WHERE customer_id = 1"),
            (std::vector<std::string>{"2"}));

  // A per-table key that does not exist is an error naming file and line.
  AppendToml("\n[sources.shop.table.audit]\nincrmental = \"append\"\n");
  Outcome typo = InProject({"import", "shop"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("custlake.toml:"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("incrmental"), std::string::npos) << typo.err;
}

// Passwords from CUSTLAKE_DB_PASSWORD, a source's password_env, --password-env
// and --password-file against the real servers; the password never appears
// in stdout, stderr, `custlake status`, or any file of the lake (metastore
// run records and lineage included).
class ImportCliServerTest : public ImportCliTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(ImportCliServerTest, PasswordsFromEnvAndFileNeverLeak) {
  custlake::testing::RealServer& server =
      GetParam() == "mariadb"
          ? static_cast<custlake::testing::RealServer&>(custlake::testing::MariaDBServer::Get())
          : static_cast<custlake::testing::RealServer&>(custlake::testing::PostgresServer::Get());
  CUSTLAKE_REQUIRE_SERVER(server);
  const std::string password = server.password();
  {
    ASSERT_OK_AND_ASSIGN(auto url, db::DatabaseUrl::Parse(server.url()));
    ASSERT_OK_AND_ASSIGN(auto conn, db::Connection::Open(url));
    ASSERT_OK(conn->Execute("DROP TABLE IF EXISTS cli_pw_probe"));
    ASSERT_OK(conn->Execute("CREATE TABLE cli_pw_probe (id INT PRIMARY KEY, v VARCHAR(20))"));
    ASSERT_OK(conn->Execute("INSERT INTO cli_pw_probe VALUES (1, 'a'), (2, 'b')"));
  }
  std::string url = server.url();
  const std::string with_pw = ":" + password + "@";
  ASSERT_NE(url.find(with_pw), std::string::npos);
  url.replace(url.find(with_pw), with_pw.size(), "@");
  const fs::path pw_file = dir_ / "db.pw";  // outside the project
  std::ofstream(pw_file) << password << "\n";
  AppendToml("\n[sources.srv]\nurl = \"" + url + "\"\npassword_env = \"CUSTLAKE_TEST_SRV_PW\"\n");

  std::vector<Outcome> runs;
  runs.push_back(
      InProject({"import", "--connect", url, "--table", "cli_pw_probe", "--source-name", "viaenv", "--json"},
                {"CUSTLAKE_DB_PASSWORD=" + password}));
  runs.push_back(InProject({"import", "srv", "--table", "cli_pw_probe", "--json"},
                           {"CUSTLAKE_TEST_SRV_PW=" + password}));
  runs.push_back(InProject({"import", "--connect", url, "--table", "cli_pw_probe", "--source-name", "viaflag",
                            "--password-env", "MY_PW", "--json"},
                           {"MY_PW=" + password}));
  runs.push_back(
      InProject({"import", "--connect", url, "--table", "cli_pw_probe", "--source-name", "viafile",
                 "--password-file", pw_file.string()}));  // not --json: the human summary on stderr
  for (size_t i = 0; i < runs.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(runs[i].exit_code, 0) << runs[i].err;
    EXPECT_EQ(runs[i].out.find(password), std::string::npos) << runs[i].out;
    EXPECT_EQ(runs[i].err.find(password), std::string::npos) << runs[i].err;
  }
  EXPECT_EQ(runs[0].Json()["tables"][0]["source"].get<std::string>().find(password), std::string::npos);
  // Without any password: a clear error, not retried.
  Outcome none = InProject({"import", "--connect", url, "--table", "cli_pw_probe", "--source-name", "nopw"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("not retried"), std::string::npos) << none.err;
  // An unset password_env variable names it.
  Outcome unset = InProject({"import", "srv", "--table", "cli_pw_probe"});
  EXPECT_NE(unset.exit_code, 0);
  EXPECT_NE(unset.err.find("CUSTLAKE_TEST_SRV_PW"), std::string::npos) << unset.err;

  Outcome status = InProject({"status", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(status.out.find(password), std::string::npos);
  EXPECT_EQ(QueryRows("SELECT count(*) AS n FROM raw.srv_cli_pw_probe"), (std::vector<std::string>{"2"}));
  int scanned = 0;
  for (const auto& entry : fs::recursive_directory_iterator(project_)) {
    if (!entry.is_regular_file()) continue;
    ++scanned;
    EXPECT_EQ(ReadWholeFile(entry.path()).find(password), std::string::npos) << "password in " << entry.path();
  }
  EXPECT_GT(scanned, 4);
}

INSTANTIATE_TEST_SUITE_P(Servers, ImportCliServerTest, ::testing::Values("mariadb", "postgres"),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace custlake::importer::testing
