// The import suite (import_suite.h) against SQLite and real MariaDB and
// PostgreSQL servers on loopback, plus what only a server can do: a
// connection killed mid-import, and each source's own types.
#include <thread>

#include "import/import_suite.h"
#include "support/real_servers.h"

namespace custlake::importer::testing {
namespace {

using custlake::testing::MariaDBServer;
using custlake::testing::PostgresServer;
using custlake::testing::RealServer;

std::string ServerUrl(RealServer& server, std::string* skip) {
  if (!server.skip_reason().empty()) {
    *skip = server.skip_reason();
    return "";
  }
  if (!server.status().ok()) {
    ADD_FAILURE() << server.status().ToString();
    return "";  // and SetUp's ASSERT stops the test
  }
  return server.url();
}

INSTANTIATE_TEST_SUITE_P(
    Sources, ImportSuite,
    ::testing::Values(
        SourceParam{"sqlite", [](const std::string& dir, std::string*) { return "sqlite:" + dir + "/source.db"; }},
        SourceParam{"mariadb", [](const std::string&, std::string* skip) { return ServerUrl(MariaDBServer::Get(), skip); },
                    true},
        SourceParam{"postgres",
                    [](const std::string&, std::string* skip) { return ServerUrl(PostgresServer::Get(), skip); }, true}),
    [](const auto& param_info) { return param_info.param.name; });

class ServerImport : public ImportSuite {};

// Kills the import's source connection from a second connection once the
// first part is written (KILL / pg_terminate_backend): without a retry the
// import fails with a clear message and leaves the committed lake (files,
// rows) and the cursor exactly as the previous run left them; with one retry
// it completes.
TEST_P(ServerImport, ConnectionKilledMidImport) {
  auto def = EventTable();
  ASSERT_OK(conn_->CreateTable(def, true));
  auto rows_between = [&](int from, int to) {
    std::vector<std::vector<db::Value>> rows;
    for (int i = from; i <= to; ++i) rows.push_back({int64_t{i}, Ts(i % 60), std::string(40, 'x')});
    return rows;
  };
  InsertRows(def, rows_between(1, 50000));
  const bool maria = GetParam().name == "mariadb";
  auto killer_url = db::DatabaseUrl::Parse(url_);
  ASSERT_OK(killer_url);
  int kills_left = 0;
  auto kill = [&]() -> Status {
    if (kills_left == 0) return Status::OK();
    --kills_left;
    ASSIGN_OR_RETURN(auto killer, db::Connection::Open(*killer_url));
    const std::string like = "'%" + table_ + "%'";
    std::string sql = maria ? "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND INFO LIKE " + like
                            : "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND "
                              "query LIKE " + like;
    std::vector<int64_t> ids;
    {
      ASSIGN_OR_RETURN(auto stream, killer->Query(sql));
      std::vector<db::Value> row;
      while (true) {
        ASSIGN_OR_RETURN(bool more, stream->Next(&row));
        if (!more) break;
        if (maria) ids.push_back(std::get<int64_t>(row[0]));
      }
    }
    for (int64_t id : ids) RETURN_NOT_OK(killer->Execute("KILL " + std::to_string(id)));
    return Status::OK();
  };
  RunOptions run = Quiet();
  run.fail_point = [&](std::string_view step) { return step == "import.after_part" ? kill() : Status::OK(); };
  TableOptions o = Table();
  o.incremental = IncrementalMode::kAppend;
  o.check_column = "id";
  o.batch_rows = 5000;
  auto l = OpenLake();
  const std::string cursor_key = "import:src/" + table_ + ":id";
  const lake::DatasetId dataset = lake::DatasetId::Raw("src/" + table_);
  ASSERT_OK(ImportTable(l.get(), Source(), o, run));  // a clean first run
  ASSERT_OK_AND_ASSIGN(auto files_before, l->CommittedFiles(dataset));
  ASSERT_EQ(l->GetCursor(cursor_key)->value_or(""), "50000");
  InsertRows(def, rows_between(50001, 250000));

  // No retry: a clear failure, the lake and the cursor untouched.
  o.retries = 0;
  kills_left = 1;
  auto failed = ImportTable(l.get(), Source(), o, run);
  ASSERT_FALSE(failed.ok());
  const std::string& msg = failed.status().message();
  EXPECT_EQ(failed.status().code(), StatusCode::kSourceError) << msg;
  EXPECT_NE(msg.find("table " + table_), std::string::npos) << msg;
  EXPECT_NE(msg.find(maria ? "(MariaDB error " : "reading row "), std::string::npos) << msg;
  EXPECT_NE(msg.find("gave up after 1 attempt; the lake and the cursor are as they were"), std::string::npos)
      << msg;
  EXPECT_EQ(msg.find("test-pw"), std::string::npos);
  EXPECT_EQ(l->GetCursor(cursor_key)->value_or(""), "50000");
  ASSERT_OK_AND_ASSIGN(auto files_after, l->CommittedFiles(dataset));
  ASSERT_EQ(files_after.size(), files_before.size());
  for (size_t i = 0; i < files_after.size(); ++i) {
    EXPECT_EQ(files_after[i].path, files_before[i].path);
    EXPECT_EQ(files_after[i].checksum, files_before[i].checksum);
  }
  EXPECT_EQ(LakeRows(l.get(), "id", "count(*) OVER ()").front(), "50000");

  // One retry: the second attempt completes.
  o.retries = 1;
  kills_left = 1;
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, run));
  EXPECT_EQ(s.attempts, 2);
  EXPECT_EQ(s.rows, 200000);
  EXPECT_EQ(l->GetCursor(cursor_key)->value_or(""), "250000");
  EXPECT_EQ(LakeRows(l.get(), "id", "count(*) OVER (), count(DISTINCT id) OVER ()").front(), "250000|250000");
}

// Cursors on numeric columns beyond 2^53 compare exactly on the source: a
// quoted cursor would make MariaDB compare an expression (here a view's
// column) with it as DOUBLE, where 2^64-3 and 2^64-2 are equal, and re-read
// (duplicate) the rows below the cursor. (Against a plain column MariaDB
// converts the constant to the column's type; views and expressions do not.)
TEST_P(ServerImport, HugeNumericCursorsAreExact) {
  const bool maria = GetParam().name == "mariadb";
  struct Case {
    std::string type;
    std::string base;  // three consecutive values base+0, +1, +2
  };
  std::vector<Case> cases = {
      {maria ? "BIGINT UNSIGNED" : "NUMERIC(20,0)", "1844674407370955161"},  // ...613..615
      {maria ? "DECIMAL(20,0)" : "NUMERIC(19,0)", "922337203685477580"}};    // ...806..808
  int n = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.type);
    const std::string table = table_ + "_" + std::to_string(n++);
    const std::string t = conn_->QuoteIdentifier(table);
    const int last = c.base.size() == 19 ? 3 : 6;  // final digits: 3,4,5 or 6,7,8
    auto v = [&](int k) { return c.base + std::to_string(last + k); };
    ASSERT_OK(conn_->Execute("DROP TABLE IF EXISTS " + t));
    ASSERT_OK(conn_->Execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, u " + c.type + " NOT NULL)"));
    ASSERT_OK(conn_->Execute("INSERT INTO " + t + " VALUES (1, " + v(0) + "), (2, " + v(1) + ")"));
    const std::string view = "v" + table;
    ASSERT_OK(conn_->Execute("DROP VIEW IF EXISTS " + conn_->QuoteIdentifier(view)));
    ASSERT_OK(conn_->Execute("CREATE VIEW " + conn_->QuoteIdentifier(view) +
                             " AS SELECT id, u + 0 AS u FROM " + t));
    auto l = OpenLake("lake" + std::to_string(n));
    TableOptions o = Table();
    o.table = view;
    o.incremental = IncrementalMode::kAppend;
    o.check_column = "u";
    ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
    EXPECT_EQ(s.rows, 2);
    EXPECT_EQ(s.cursor, v(1));
    ASSERT_OK(conn_->Execute("INSERT INTO " + t + " VALUES (3, " + v(2) + ")"));
    ASSERT_OK_AND_ASSIGN(s, ImportTable(l.get(), Source(), o, Quiet()));
    EXPECT_EQ(s.rows, 1);          // only the new row
    EXPECT_EQ(s.ties_dropped, 1);  // v(1) re-read at the cursor and dropped
    EXPECT_EQ(s.cursor, v(2));
    // The range the batch read, as its lineage records it: bare numbers.
    ASSERT_OK_AND_ASSIGN(auto batches, l->ListBatches(lake::DatasetId::Raw("src/" + view), 1));
    ASSERT_EQ(batches.size(), 1u);
    const std::string query = nlohmann::json::parse(batches[0].lineage_json).value("query", "");
    EXPECT_NE(query.find(" >= " + v(1) + " AND "), std::string::npos) << query;
    EXPECT_NE(query.find(" <= " + v(2) + ")"), std::string::npos) << query;
    EXPECT_EQ(LakeRows(l.get(), "id", "id, u", "src/" + view),
              (std::vector<std::string>{"1|" + v(0), "2|" + v(1), "3|" + v(2)}));
  }
}

// A wrong password or an unknown database is the user's to fix: no retry
// (attempts would only delay the message), and the message says what to check.
TEST_P(ServerImport, AuthFailuresAreNotRetried) {
  RealServer& server = GetParam().name == "mariadb" ? static_cast<RealServer&>(MariaDBServer::Get())
                                                    : static_cast<RealServer&>(PostgresServer::Get());
  std::string wrong_pw = server.url();
  const std::string pw = ":" + server.password() + "@";
  ASSERT_NE(wrong_pw.find(pw), std::string::npos);
  wrong_pw.replace(wrong_pw.find(pw), pw.size(), ":not-the-password@");
  auto l = OpenLake();
  TableOptions o = Table();
  o.retries = 3;
  auto denied = ImportTable(l.get(), {"src", wrong_pw}, o, Quiet());
  ASSERT_FALSE(denied.ok());
  EXPECT_FALSE(denied.status().transient());
  EXPECT_NE(denied.status().message().find("check the user and the password"), std::string::npos)
      << denied.status().ToString();
  EXPECT_NE(denied.status().message().find("not retried"), std::string::npos) << denied.status().ToString();
  EXPECT_EQ(denied.status().message().find("attempts"), std::string::npos) << denied.status().ToString();
  EXPECT_EQ(denied.status().message().find("not-the-password"), std::string::npos)
      << denied.status().ToString();
  auto unknown = ImportTable(l.get(), {"src", server.url_for("no_such_database")}, o, Quiet());
  ASSERT_FALSE(unknown.ok());
  EXPECT_FALSE(unknown.status().transient());
  EXPECT_NE(unknown.status().message().find("not retried"), std::string::npos) << unknown.status().ToString();
  EXPECT_EQ(unknown.status().message().find("attempts"), std::string::npos) << unknown.status().ToString();
}

// Each source's own types: MariaDB unsigned/ENUM/SET/JSON/BLOB/zero dates,
// PostgreSQL numeric/bytea/jsonb/timestamptz.
TEST_P(ServerImport, SourceSpecificTypes) {
  const std::string t = conn_->QuoteIdentifier(table_);
  auto l = OpenLake();
  if (GetParam().name == "mariadb") {
    ASSERT_OK(conn_->Execute("SET SESSION sql_mode = ''"));
    ASSERT_OK(
        conn_->Execute("CREATE TABLE " + t +
                       " (id INT PRIMARY KEY, u BIGINT UNSIGNED, b TINYINT(1), "
                       "e ENUM('a','b'), s SET('x','y'), j JSON, bl BLOB, d DATE NOT NULL, "
                       "dt DATETIME(6) NOT NULL, dec38 DECIMAL(38,10), nd DATE NULL, ndt DATETIME NULL, "
                       "y YEAR, bt BIT(12), tm TIME(3), pd DATE NULL, pdt DATETIME NULL)"));
    // Zero dates in nullable columns are counted too (the driver hands over
    // the server's text, not a NULL), and so are partial zero dates
    // (2024-00-15, 2024-01-00, 0000-01-01): 6 in all; a real NULL is not counted.
    ASSERT_OK(conn_->Execute(
        "INSERT INTO " + t +
        " VALUES (1, 18446744073709551615, 1, 'b', 'x,y', '{\"k\": [1]}', "
        "X'00FF10', '0000-00-00', '0000-00-00 00:00:00', 1234567890123456789012345678.0123456789, "
        "'0000-00-00', NULL, 2024, b'101010101010', '12:34:56.789', '2024-00-15', "
        "'2024-01-00 10:00:00'), "
        "(2, NULL, 0, NULL, NULL, NULL, NULL, '2024-02-29', '2024-02-29 23:59:59.999999', NULL, "
        "NULL, '2024-01-02 03:04:05', 1901, b'0', '-01:00:00', '0000-01-01', NULL)"));
    ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), Table(), Quiet()));
    EXPECT_EQ(s.zero_dates, 6);
    EXPECT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(
        LakeRows(l.get(), "id", "id, u, b, e, s, j, hex(bl), d, dt, dec38, nd, ndt, y, bt, tm, pd, pdt"),
        (std::vector<std::string>{"1|18446744073709551615|true|b|x,y|{\"k\": "
                                  "[1]}|00FF10|NULL|NULL|1234567890123456789012345678.0123456789|NULL|NULL|"
                                  "2024|2730|12:34:56.789|NULL|NULL",
                                  "2|NULL|false|NULL|NULL|NULL|NULL|2024-02-29|2024-02-29 "
                                  "23:59:59.999999+00|NULL|NULL|2024-01-02 03:04:05+00|"
                                  "1901|0|-01:00:00.000|NULL|NULL"}));
    auto types = LakeTypes(l.get());
    EXPECT_EQ(types["y"], "BIGINT");
    EXPECT_EQ(types["bt"], "BIGINT");
    EXPECT_EQ(types["tm"], "VARCHAR");
    EXPECT_EQ(types["u"], "UBIGINT");
  } else {
    ASSERT_OK(
        conn_->Execute("CREATE TABLE " + t +
                       " (id INT PRIMARY KEY, n NUMERIC, n30 NUMERIC(30,5), "
                       "bin BYTEA, j JSONB, tz TIMESTAMPTZ, small SMALLINT, r REAL, d DATE, ts TIMESTAMP, "
                       "uu UUID)"));
    // Dates outside DuckDB's calendar (BC, ±infinity) become NULL and are
    // counted; a naive timestamp is read as UTC (the source's timezone setting).
    ASSERT_OK(conn_->Execute(
        "INSERT INTO " + t +
        " VALUES (1, 3.14159265358979323846264338327950288, "
        "-1234567890123456789012345.12345, '\\x00ff', '{\"a\": 1}', '2024-05-01 12:00:00+02', "
        "-32768, 1.5, '0044-03-15 BC', '2024-05-01 12:00:00', "
        "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'), "
        "(2, NULL, NULL, NULL, NULL, 'infinity', NULL, NULL, 'infinity', '-infinity', NULL), "
        "(3, 12, NULL, NULL, NULL, NULL, NULL, NULL, '-infinity', '2024-05-01 12:00:00 BC', NULL)"));
    TableOptions o = Table();
    o.map_column["small"] = "VARCHAR";
    ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
    EXPECT_EQ(s.zero_dates, 6);
    EXPECT_EQ(LakeRows(l.get(), "id", "id, n, n30, hex(bin), j, tz, small, r, d, ts, uu"),
              (std::vector<std::string>{
                  "1|3.14159265358979323846264338327950288|-1234567890123456789012345.12345|"
                  "00FF|{\"a\": 1}|2024-05-01 10:00:00+00|-32768|1.5|NULL|2024-05-01 12:00:00+00|"
                  "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
                  "2|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL",
                  "3|12|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL"}));
    auto types = LakeTypes(l.get());
    EXPECT_EQ(types["n"], "VARCHAR");  // NUMERIC without precision: exact digits as text
    EXPECT_EQ(types["uu"], "VARCHAR");
    EXPECT_EQ(types["ts"], "TIMESTAMP WITH TIME ZONE");
  }
}

// MariaDB's BOOLEAN is TINYINT(1), which can hold 2: that is an error naming
// the column (not a silent true), and --map-column keeps the number.
TEST_P(ServerImport, TinyintOneHoldingTwoIsAnError) {
  if (GetParam().name != "mariadb") GTEST_SKIP() << "TINYINT(1) is MariaDB's";
  const std::string t = conn_->QuoteIdentifier(table_);
  ASSERT_OK(conn_->Execute("CREATE TABLE " + t + " (id INT PRIMARY KEY, b TINYINT(1))"));
  ASSERT_OK(conn_->Execute("INSERT INTO " + t + " VALUES (1, 1), (2, 2), (3, -1)"));
  auto l = OpenLake();
  auto failed = ImportTable(l.get(), Source(), Table(), Quiet());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(
      failed.status().message().find("column b (tinyint(1), read as BOOLEAN): value 2 is neither 0 nor 1"),
      std::string::npos)
      << failed.status().ToString();
  EXPECT_NE(failed.status().message().find("--map-column b=BIGINT"), std::string::npos);
  TableOptions o = Table();
  o.map_column["b"] = "BIGINT";
  ASSERT_OK(ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id", "id, b"), (std::vector<std::string>{"1|1", "2|2", "3|-1"}));
}

INSTANTIATE_TEST_SUITE_P(
    Servers, ServerImport,
    ::testing::Values(
        SourceParam{"mariadb", [](const std::string&, std::string* skip) { return ServerUrl(MariaDBServer::Get(), skip); },
                    true},
        SourceParam{"postgres",
                    [](const std::string&, std::string* skip) { return ServerUrl(PostgresServer::Get(), skip); }, true}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace custlake::importer::testing
