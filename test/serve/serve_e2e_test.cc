// custlake serve --pg with real clients: psql and libpq on loopback against a
// server over a small demo project (a few hundred customers).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "pg_test_client.h"
#include "support/cli_runner.h"

namespace {
namespace fs = std::filesystem;
using custlake::testing::CliOutcome;
using custlake::testing::PgConn;
using custlake::testing::PgResult;
using custlake::testing::RunCli;
using custlake::testing::ServeProcess;

class ServeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() / ("custlake_serve_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    fs::create_directories(*dir_);
    CliOutcome demo =
        RunCli(*dir_, CUSTLAKE_BIN,
               {"demo", (*dir_ / "demo").string(), "--customers", "300", "--months", "2", "--no-serve"});
    ASSERT_EQ(demo.exit_code, 0) << demo.err;
    server_ = new ServeProcess(*dir_ / "demo", *dir_ / "serve.log");
    ASSERT_TRUE(server_->WaitUntilReady()) << custlake::testing::ReadWholeFile(*dir_ / "serve.log");
  }
  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  /// psql -A (and -t unless `footers`: \d's key and index lists are footers).
  static CliOutcome Psql(const std::vector<std::string>& args, bool footers = false) {
    std::vector<std::string> all{"-h",
                                 "127.0.0.1",
                                 "-p",
                                 std::to_string(server_->port()),
                                 "-U",
                                 "analyst",
                                 "-d",
                                 "warehouse",
                                 "-X",
                                 "-A",
                                 "-v",
                                 "VERBOSITY=verbose"};
    if (!footers) all.push_back("-t");
    all.insert(all.end(), args.begin(), args.end());
    return RunCli(*dir_, "psql", all);
  }
  static CliOutcome Custlake(const std::vector<std::string>& args) {
    return RunCli(*dir_, CUSTLAKE_BIN, args);
  }
  static PgConn Connect() { return PgConn(PQconnectdb(server_->ConnInfo().c_str())); }

  static fs::path* dir_;
  static ServeProcess* server_;
};
fs::path* ServeTest::dir_ = nullptr;
ServeProcess* ServeTest::server_ = nullptr;

TEST_F(ServeTest, PsqlCountMatchesCustlakeQuery) {
  const std::string sql = "SELECT count(*) AS n FROM fact_customer_metrics";
  CliOutcome psql = Psql({"-c", sql});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  CliOutcome query = Custlake({"-C", (*dir_ / "demo").string(), "query", sql, "--format", "csv"});
  ASSERT_EQ(query.exit_code, 0) << query.err;
  ASSERT_EQ(query.out.substr(0, 2), "n\n");
  EXPECT_EQ(psql.out, query.out.substr(2));
  EXPECT_GT(std::stoll(psql.out), 0);
}

TEST_F(ServeTest, PsqlRunsSeveralStatementsInOneMessageAndHarmlessCommands) {
  CliOutcome psql =
      Psql({"-c", "SELECT 1 AS a; SELECT 'x' AS b; -- the end", "-c", "BEGIN; SET search_path = main; COMMIT",
            "-c", "SHOW server_version", "-c", "SELECT true, NULL::INT IS NULL, DATE '2024-02-29'"});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  // psql prints the command tags of statements without rows.
  EXPECT_EQ(psql.out, "1\nx\nBEGIN\nSET\nCOMMIT\n16.0 (custlake)\nt|t|2024-02-29\n") << psql.err;
}

TEST_F(ServeTest, AnswersTheCatalogFunctionsClientsCallAtConnect) {
  CliOutcome psql = Psql({"-c", "SELECT version()", "-c", "SELECT current_setting('server_version_num')",
                          "-c", "SELECT current_schema()"});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(
      psql.out,
      "PostgreSQL 16.0 (custlake) on x86_64-pc-linux-gnu, compiled by custlake, 64-bit\n160000\nmain\n");
}

TEST_F(ServeTest, PsqlDescribesTheStarSchemaWithItsKeys) {
  CliOutcome tables = Psql({"-c", "\\dt"});
  ASSERT_EQ(tables.exit_code, 0) << tables.err;
  EXPECT_NE(tables.out.find("main|fact_customer_metrics|table|custlake\n"), std::string::npos) << tables.out;
  EXPECT_NE(tables.out.find("main|dim_customer|table|custlake\n"), std::string::npos) << tables.out;
  EXPECT_EQ(tables.out.find("raw"), std::string::npos) << "raw datasets are views, not tables: " << tables.out;

  CliOutcome fact = Psql({"-c", "\\d fact_customer_metrics"}, /*footers=*/true);
  ASSERT_EQ(fact.exit_code, 0) << fact.err;
  EXPECT_NE(fact.out.find("customer_id|bigint||not null|"), std::string::npos) << fact.out;
  EXPECT_NE(fact.out.find("revenue|numeric(18,2)|||"), std::string::npos) << fact.out;
  EXPECT_NE(fact.out.find("\"fact_customer_metrics_pkey\" PRIMARY KEY, btree (customer_id, month_start)"),
            std::string::npos)
      << fact.out;
  EXPECT_NE(fact.out.find("FOREIGN KEY (customer_key) REFERENCES dim_customer(customer_key)"), std::string::npos)
      << fact.out;

  CliOutcome date = Psql({"-c", "\\d+ dim_date"}, /*footers=*/true);
  ASSERT_EQ(date.exit_code, 0) << date.err;
  EXPECT_NE(date.out.find("ISO day of week"), std::string::npos) << "column descriptions from the model: " << date.out;
  EXPECT_NE(date.out.find("TABLE \"fact_customer_metrics\" CONSTRAINT \"fact_customer_metrics_date_key_fkey\""),
            std::string::npos)
      << date.out;
}

TEST_F(ServeTest, Psycopg2AndSqlAlchemyQueryAndInspectTheStarSchema) {
  CliOutcome python = RunCli(*dir_, CUSTLAKE_SYSTEM_PYTHON3,
                             {std::string(CUSTLAKE_SOURCE_DIR) + "/test/serve/python_clients.py",
                              std::to_string(server_->port())});
  EXPECT_EQ(python.exit_code, 0) << python.out << python.err;
  EXPECT_EQ(python.out, "ok\n") << python.err;
}

TEST_F(ServeTest, JdbcDatabaseMetaDataAndAPreparedStatement) {
  CliOutcome java = RunCli(*dir_, "java",
                           {"-cp", "/usr/share/java/postgresql.jar",
                            std::string(CUSTLAKE_SOURCE_DIR) + "/test/serve/JdbcClient.java", std::to_string(server_->port())});
  EXPECT_EQ(java.exit_code, 0) << java.out << java.err;
  EXPECT_EQ(java.out, "ok\n") << java.err;
}

TEST_F(ServeTest, PsqlCopiesAQueryToAFileAndUsesACursor) {
  const std::string csv = (*dir_ / "days.csv").string();
  CliOutcome copy = Psql({"-c", "\\copy (SELECT date_key, month_name, NULL AS nothing FROM dim_date ORDER BY 1 LIMIT 2) "
                                "to '" + csv + "' with (format csv, header)"});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  const std::string text = custlake::testing::ReadWholeFile(csv);
  EXPECT_EQ(text.substr(0, text.find('\n')), "date_key,month_name,nothing");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;
  CliOutcome stdout_copy = Psql({"-c", "COPY (SELECT E'tab\\there' AS t, NULL AS n) TO STDOUT"});
  EXPECT_EQ(stdout_copy.out, "tab\\there\t\\N\n") << stdout_copy.err;

  CliOutcome cursor = Psql({"-c", "BEGIN; DECLARE c CURSOR FOR SELECT * FROM range(5) r(i) ORDER BY i; "
                                  "FETCH 2 FROM c; MOVE 1 IN c; FETCH ALL c; FETCH 1 FROM c; CLOSE c; COMMIT"});
  ASSERT_EQ(cursor.exit_code, 0) << cursor.err;
  EXPECT_EQ(cursor.out, "BEGIN\nDECLARE CURSOR\n0\n1\nMOVE 1\n3\n4\nCLOSE CURSOR\nCOMMIT\n") << cursor.err;
  CliOutcome refused = Psql({"-c", "FETCH 1 FROM nope", "-c", "COPY dim_date FROM STDIN", "-c", "SELECT 1"});
  EXPECT_NE(refused.err.find("ERROR:  34000:"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("ERROR:  42501:"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.out, "1\n");
}

TEST_F(ServeTest, ACursorMovesBackwardAndAbsoluteAsPostgreSqlDoes) {
  CliOutcome cursor = Psql(
      {"-c", "BEGIN; DECLARE c SCROLL CURSOR FOR SELECT i FROM generate_series(1, 5) g(i) ORDER BY i; "
             "FETCH 2 c; FETCH PRIOR c; FETCH PRIOR c; FETCH NEXT c; FETCH LAST c; FETCH NEXT c; "
             "FETCH BACKWARD 2 c; FETCH RELATIVE 0 c; FETCH ABSOLUTE -5 c; FETCH RELATIVE 3 c; FETCH ABSOLUTE 9 c; "
             "FETCH BACKWARD ALL c; FETCH ABSOLUTE 0 c; FETCH RELATIVE -1 c; FETCH ALL c; MOVE BACKWARD 2 c; "
             "FETCH FORWARD -1 c; MOVE ABSOLUTE 2 c; FETCH FORWARD 0 c; FETCH -1 c; FETCH FIRST c; CLOSE c; COMMIT"});
  ASSERT_EQ(cursor.exit_code, 0) << cursor.err;
  // What PostgreSQL 15's psql printed for the same statements (one value or tag a line).
  EXPECT_EQ(cursor.out,
            "BEGIN\nDECLARE CURSOR\n1\n2\n1\n1\n5\n5\n4\n4\n1\n4\n5\n4\n3\n2\n1\n1\n2\n3\n4\n5\nMOVE 2\n3\n"
            "MOVE 1\n2\n1\n1\nCLOSE CURSOR\nCOMMIT\n")
      << cursor.err;
  CliOutcome no_scroll = Psql({"-c", "BEGIN; DECLARE d NO SCROLL CURSOR FOR SELECT i FROM generate_series(1, 3) g(i); "
                                     "FETCH 1 d; FETCH PRIOR d; COMMIT"});
  EXPECT_EQ(no_scroll.out, "BEGIN\nDECLARE CURSOR\n1\n") << no_scroll.err;
  EXPECT_NE(no_scroll.err.find("ERROR:  55000: cursor can only scan forward"), std::string::npos) << no_scroll.err;
}

TEST_F(ServeTest, PsqlErrorsCarryTheirSqlstateAndTheConnectionSurvives) {
  CliOutcome psql =
      Psql({"-c", "SELEC 1", "-c", "CREATE TABLE t (x INT)", "-c", "SELECT * FROM read_csv('/etc/passwd')",
            "-c", "SELECT * FROM no_such_table", "-c", "SELECT 42"});
  EXPECT_NE(psql.err.find("ERROR:  42601:"), std::string::npos) << psql.err;
  EXPECT_NE(psql.err.find("ERROR:  42P01:"), std::string::npos) << psql.err;
  const size_t refused = psql.err.find("ERROR:  42501:");
  ASSERT_NE(refused, std::string::npos) << psql.err;
  EXPECT_NE(psql.err.find("ERROR:  42501:", refused + 1), std::string::npos) << psql.err;  // both refusals
  EXPECT_EQ(psql.out, "42\n") << psql.err;
  EXPECT_EQ(psql.err.find("root:"), std::string::npos) << "the file must not be read";
}

int32_t Int32At(const char* bytes) {
  uint32_t v = 0;
  std::memcpy(&v, bytes, 4);
  return static_cast<int32_t>(ntohl(v));
}

int64_t Int64At(const char* bytes) {
  int64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

TEST_F(ServeTest, ABinaryCursorFetchesBinaryValuesInTheSimpleProtocol) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  PgResult declared(PQexec(conn.get(), "BEGIN; DECLARE b BINARY CURSOR FOR SELECT 42::INTEGER AS i, 'x' AS t, "
                                       "NULL::BIGINT AS n, DATE '2025-01-02' AS d FROM range(2)"));
  ASSERT_EQ(PQresultStatus(declared.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  PgResult rows(PQexec(conn.get(), "FETCH ALL FROM b"));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  ASSERT_EQ(PQntuples(rows.get()), 2);
  EXPECT_EQ(PQbinaryTuples(rows.get()), 1);
  for (int c = 0; c < 4; ++c) EXPECT_EQ(PQfformat(rows.get(), c), 1) << c;
  ASSERT_EQ(PQgetlength(rows.get(), 1, 0), 4);
  EXPECT_EQ(Int32At(PQgetvalue(rows.get(), 1, 0)), 42);
  EXPECT_EQ(std::string(PQgetvalue(rows.get(), 1, 1), static_cast<size_t>(PQgetlength(rows.get(), 1, 1))), "x");
  EXPECT_TRUE(PQgetisnull(rows.get(), 1, 2));
  ASSERT_EQ(PQgetlength(rows.get(), 1, 3), 4);
  EXPECT_EQ(Int32At(PQgetvalue(rows.get(), 1, 3)), 9133) << "days since 2000-01-01";
  // An ordinary cursor on the same connection still fetches text.
  PgResult text(PQexec(conn.get(), "DECLARE t CURSOR FOR SELECT 42::INTEGER AS i; FETCH 1 FROM t"));
  ASSERT_EQ(PQresultStatus(text.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  EXPECT_EQ(PQbinaryTuples(text.get()), 0);
  EXPECT_STREQ(PQgetvalue(text.get(), 0, 0), "42");
}

TEST_F(ServeTest, LibpqPreparedStatementWithParametersAndBinaryResults) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  const Oid types[2] = {25, 23};
  PgResult prepared(
      PQprepare(conn.get(), "probe",
                "SELECT count(*) AS n, $1 AS echo, $2 * 2 AS twice, $2 > 0 AS positive, "
                "0.5::DOUBLE AS half, DATE '2024-02-29' AS leap, TIMESTAMP '2000-01-01 00:00:01' AS tick "
                "FROM fact_customer_metrics",
                2, types));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());

  const std::string hostile = "x'); SELECT * FROM read_csv('/etc/passwd'); --";
  const char* values[2] = {hostile.c_str(), "21"};
  PgResult rows(PQexecPrepared(conn.get(), "probe", 2, values, nullptr, nullptr, /*resultFormat=*/1));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  ASSERT_EQ(PQntuples(rows.get()), 1);
  EXPECT_EQ(PQftype(rows.get(), 0), 20u);   // int8
  EXPECT_EQ(PQftype(rows.get(), 1), 25u);   // text
  EXPECT_EQ(PQftype(rows.get(), 2), 23u);   // int4
  EXPECT_EQ(PQftype(rows.get(), 3), 16u);   // bool
  EXPECT_EQ(PQftype(rows.get(), 4), 701u);  // float8
  EXPECT_EQ(PQfformat(rows.get(), 0), 1);
  ASSERT_EQ(PQgetlength(rows.get(), 0, 0), 8);
  PgResult text_count(PQexec(conn.get(), "SELECT count(*) FROM fact_customer_metrics"));
  EXPECT_EQ(Int64At(PQgetvalue(rows.get(), 0, 0)), std::stoll(PQgetvalue(text_count.get(), 0, 0)));
  EXPECT_EQ(std::string(PQgetvalue(rows.get(), 0, 1), static_cast<size_t>(PQgetlength(rows.get(), 0, 1))),
            hostile);
  EXPECT_EQ(Int32At(PQgetvalue(rows.get(), 0, 2)), 42);
  EXPECT_EQ(PQgetvalue(rows.get(), 0, 3)[0], 1);
  double half = 0;
  const int64_t bits = Int64At(PQgetvalue(rows.get(), 0, 4));
  std::memcpy(&half, &bits, 8);
  EXPECT_EQ(half, 0.5);
  EXPECT_EQ(PQftype(rows.get(), 5), 1082u);                // date: days since 2000-01-01
  EXPECT_EQ(Int32At(PQgetvalue(rows.get(), 0, 5)), 8825);  // 24 years with 6 leap days, + 59 days
  EXPECT_EQ(PQftype(rows.get(), 6), 1114u);                // timestamp: microseconds since 2000-01-01
  EXPECT_EQ(Int64At(PQgetvalue(rows.get(), 0, 6)), 1000000);

  // Describe a prepared statement (its trailing ';' is no harm); a parameter that is no integer.
  PgResult next(PQprepare(conn.get(), "next", "SELECT $1::INTEGER + 1 AS next;", 1, nullptr));
  ASSERT_EQ(PQresultStatus(next.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  PgResult described(PQdescribePrepared(conn.get(), "next"));
  ASSERT_EQ(PQresultStatus(described.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  EXPECT_EQ(PQnparams(described.get()), 1);
  ASSERT_EQ(PQnfields(described.get()), 1);
  EXPECT_STREQ(PQfname(described.get(), 0), "next");
  EXPECT_EQ(PQftype(described.get(), 0), 23u);
  const char* not_a_number[1] = {"twelve"};
  PgResult bad(PQexecPrepared(conn.get(), "next", 1, not_a_number, nullptr, nullptr, 0));
  EXPECT_STREQ(PQresultErrorField(bad.get(), PG_DIAG_SQLSTATE), "22P02") << PQerrorMessage(conn.get());

  // A NULL parameter, text results, the unnamed statement (PQexecParams).
  const char* null_values[1] = {nullptr};
  PgResult nulls(PQexecParams(conn.get(), "SELECT $1::INTEGER IS NULL AS missing", 1, nullptr, null_values,
                              nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(nulls.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  EXPECT_STREQ(PQgetvalue(nulls.get(), 0, 0), "t");
}

TEST_F(ServeTest, APreparedLookupBindsEachValueAndAnswersAsTheSimpleProtocolDoes) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  // As pgbench -M prepared and drivers send it: no declared type, the value as text.
  PgResult prepared(PQprepare(conn.get(), "lookup",
                              "SELECT month_start, revenue FROM fact_customer_metrics WHERE customer_id = $1 "
                              "ORDER BY month_start",
                              1, nullptr));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  PgResult ids(PQexec(conn.get(), "SELECT DISTINCT customer_id FROM fact_customer_metrics ORDER BY 1 LIMIT 3"));
  ASSERT_EQ(PQntuples(ids.get()), 3);
  // Three ids (answered from the generation's in-memory copy after the first: query/key_lookup.h), an
  // absent one, and ids DuckDB reads as a number that the copy leaves to DuckDB.
  std::vector<std::string> values{PQgetvalue(ids.get(), 0, 0), PQgetvalue(ids.get(), 1, 0),
                                  PQgetvalue(ids.get(), 2, 0), "987654321", std::string("0") + PQgetvalue(ids.get(), 1, 0),
                                  std::string(" ") + PQgetvalue(ids.get(), 2, 0)};
  for (size_t i = 0; i < values.size(); ++i) {  // the same statement, bound each time
    const char* id = values[i].c_str();
    PgResult bound(PQexecPrepared(conn.get(), "lookup", 1, &id, nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(bound.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
    // In the simple protocol: the id as a string (DuckDB runs it) and as a number (from memory, when canonical).
    PgResult simple(PQexec(conn.get(), ("SELECT month_start, revenue FROM fact_customer_metrics WHERE customer_id = '" +
                                        values[i] + "' ORDER BY month_start")
                                           .c_str()));
    ASSERT_EQ(PQresultStatus(simple.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
    EXPECT_EQ(PQntuples(simple.get()) > 0, i != 3) << "customer " << id;
    PgResult number(PQexec(conn.get(), ("SELECT month_start, revenue FROM fact_customer_metrics WHERE customer_id = " +
                                        values[i] + " ORDER BY month_start")
                                           .c_str()));
    ASSERT_EQ(PQresultStatus(number.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
    for (const PgResult* other : {&bound, &number}) {
      ASSERT_EQ(PQntuples(other->get()), PQntuples(simple.get())) << "customer " << id;
      ASSERT_EQ(PQnfields(other->get()), 2);
      for (int c = 0; c < 2; ++c) {
        EXPECT_STREQ(PQfname(other->get(), c), PQfname(simple.get(), c));
        EXPECT_EQ(PQftype(other->get(), c), PQftype(simple.get(), c));
        EXPECT_EQ(PQfmod(other->get(), c), PQfmod(simple.get(), c));
      }
      for (int r = 0; r < PQntuples(simple.get()); ++r) {
        EXPECT_STREQ(PQgetvalue(other->get(), r, 0), PQgetvalue(simple.get(), r, 0));
        EXPECT_STREQ(PQgetvalue(other->get(), r, 1), PQgetvalue(simple.get(), r, 1));
      }
    }
  }
  // NULL: no customer (DuckDB answers it).
  const char* null_id = nullptr;
  PgResult none(PQexecPrepared(conn.get(), "lookup", 1, &null_id, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(none.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  EXPECT_EQ(PQntuples(none.get()), 0);
  EXPECT_EQ(PQnfields(none.get()), 2);
  // A value that is no id, and a write with a parameter: refused, the connection goes on.
  const char* not_an_id = "1 OR 1=1";
  PgResult bad(PQexecPrepared(conn.get(), "lookup", 1, &not_an_id, nullptr, nullptr, 0));
  EXPECT_STREQ(PQresultErrorField(bad.get(), PG_DIAG_SQLSTATE), "22P02") << PQerrorMessage(conn.get());
  const char* date_key = "20240101";
  PgResult write(PQexecParams(conn.get(), "DELETE FROM dim_date WHERE date_key = $1", 1, nullptr, &date_key, nullptr,
                              nullptr, 0));
  EXPECT_STREQ(PQresultErrorField(write.get(), PG_DIAG_SQLSTATE), "42501") << PQerrorMessage(conn.get());
}

TEST_F(ServeTest, CopyAndCursorsRunInTheExtendedProtocol) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  // PQexecParams sends Parse/Bind/Describe/Execute/Sync, as drivers do (npgsql, JDBC's CopyManager).
  PgResult copy(PQexecParams(conn.get(), "COPY (SELECT i, 'v' || i AS v FROM range(3) r(i) ORDER BY i) TO STDOUT "
                                         "WITH (FORMAT csv, HEADER)",
                             0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(copy.get()), PGRES_COPY_OUT) << PQerrorMessage(conn.get());
  std::string copied;
  char* line = nullptr;
  int n = 0;
  while ((n = PQgetCopyData(conn.get(), &line, 0)) > 0) {
    copied.append(line, static_cast<size_t>(n));
    PQfreemem(line);
  }
  EXPECT_EQ(n, -1);
  PgResult copy_done(PQgetResult(conn.get()));
  EXPECT_EQ(PQresultStatus(copy_done.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  EXPECT_STREQ(PQcmdStatus(copy_done.get()), "COPY 3");
  EXPECT_EQ(copied, "i,v\n0,v0\n1,v1\n2,v2\n");
  while (PgResult(PQgetResult(conn.get()))) {
  }

  const char* from = "2";
  PgResult declare(PQexecParams(conn.get(), "DECLARE c CURSOR FOR SELECT i FROM range(6) r(i) WHERE i >= $1 ORDER BY i",
                                1, nullptr, &from, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(declare.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  EXPECT_STREQ(PQcmdStatus(declare.get()), "DECLARE CURSOR");
  PgResult fetched(PQexecParams(conn.get(), "FETCH 3 FROM c", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(fetched.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  ASSERT_EQ(PQntuples(fetched.get()), 3);
  EXPECT_STREQ(PQgetvalue(fetched.get(), 0, 0), "2");
  EXPECT_STREQ(PQgetvalue(fetched.get(), 2, 0), "4");
  EXPECT_STREQ(PQcmdStatus(fetched.get()), "FETCH 3");
  PgResult rest(PQexecParams(conn.get(), "FETCH ALL FROM c", 0, nullptr, nullptr, nullptr, nullptr, 0));
  ASSERT_EQ(PQntuples(rest.get()), 1);
  EXPECT_STREQ(PQgetvalue(rest.get(), 0, 0), "5");
  PgResult closed(PQexecParams(conn.get(), "CLOSE c", 0, nullptr, nullptr, nullptr, nullptr, 0));
  EXPECT_STREQ(PQcmdStatus(closed.get()), "CLOSE CURSOR") << PQerrorMessage(conn.get());
  PgResult gone(PQexecParams(conn.get(), "FETCH 1 FROM c", 0, nullptr, nullptr, nullptr, nullptr, 0));
  EXPECT_STREQ(PQresultErrorField(gone.get(), PG_DIAG_SQLSTATE), "34000");
  // A COPY that fails (a write) is an error at Bind; the connection goes on.
  PgResult refused(PQexecParams(conn.get(), "COPY dim_date FROM STDIN", 0, nullptr, nullptr, nullptr, nullptr, 0));
  EXPECT_EQ(PQresultStatus(refused.get()), PGRES_FATAL_ERROR);
  PgResult fine(PQexec(conn.get(), "SELECT 7"));
  EXPECT_STREQ(PQgetvalue(fine.get(), 0, 0), "7");
}

// Npgsql 4.0 (Power BI's driver) loads the server's types at connect with these three statements, each
// sent through the extended protocol; it reads every row by position (nspname, typname, oid, typrelid,
// typbasetype, type, elemoid, ord), parses the oids as unsigned integers and resolves an array's elemoid
// among the rows before it.
TEST_F(ServeTest, NpgsqlTypeLoadingQueryReturnsRowsOfTheRightShape) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  const std::string fixture =
      custlake::testing::ReadWholeFile(fs::path(CUSTLAKE_SERVE_FIXTURES) / "npgsql_4_0_load_types.sql");
  std::vector<std::string> statements;
  for (size_t start = 0, end; (end = fixture.find(';', start)) != std::string::npos; start = end + 1) {
    statements.push_back(fixture.substr(start, end - start));
  }
  ASSERT_EQ(statements.size(), 3u);
  std::vector<PgResult> results;
  for (const std::string& sql : statements) {
    results.emplace_back(PQexecParams(conn.get(), sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0));
    ASSERT_EQ(PQresultStatus(results.back().get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get()) << sql;
  }
  const std::vector<std::string> type_columns{"nspname", "typname", "oid", "typrelid", "typbasetype",
                                              "type",    "elemoid", "ord"};
  PGresult* types = results[0].get();
  ASSERT_EQ(PQnfields(types), static_cast<int>(type_columns.size()));
  for (int c = 0; c < PQnfields(types); ++c) EXPECT_EQ(PQfname(types, c), type_columns[static_cast<size_t>(c)]);
  std::map<std::string, std::string> oid_of;  // typname -> oid, of the base types
  std::set<std::string> seen;                 // oids of the rows so far
  int last_ord = -1;
  for (int r = 0; r < PQntuples(types); ++r) {
    for (int c : {0, 1, 2, 5, 6, 7}) ASSERT_FALSE(PQgetisnull(types, r, c)) << "row " << r << " column " << c;
    const std::string oid = PQgetvalue(types, r, 2), type = PQgetvalue(types, r, 5);
    ASSERT_FALSE(oid.empty());
    EXPECT_EQ(oid.find_first_not_of("0123456789"), std::string::npos) << oid;
    ASSERT_EQ(type.size(), 1u) << PQgetvalue(types, r, 1);
    EXPECT_NE(std::string("abdepr").find(type), std::string::npos) << type;
    const int ord = std::stoi(PQgetvalue(types, r, 7));
    EXPECT_GE(ord, last_ord) << "ORDER BY ord";
    last_ord = ord;
    if (type == "b") oid_of[PQgetvalue(types, r, 1)] = oid;
    if (type == "a") {
      EXPECT_TRUE(seen.count(PQgetvalue(types, r, 6))) << "array " << PQgetvalue(types, r, 1);
    }
    seen.insert(oid);
  }
  const std::map<std::string, std::string> base{{"bool", "16"},    {"int2", "21"},   {"int4", "23"},
                                                {"int8", "20"},    {"float8", "701"}, {"numeric", "1700"},
                                                {"text", "25"},    {"date", "1082"}, {"timestamp", "1114"},
                                                {"varchar", "1043"}};
  for (const auto& [name, oid] : base) EXPECT_EQ(oid_of[name], oid) << name;
  EXPECT_EQ(PQnfields(results[1].get()), 3);  // composite fields: oid, attname, atttypid
  EXPECT_EQ(PQnfields(results[2].get()), 2);  // enum labels: oid, enumlabel
}

TEST_F(ServeTest, LibpqErrorsHaveSqlstateAndTheConnectionGoesOn) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  PgResult missing(PQexecParams(conn.get(), "SELECT * FROM nowhere WHERE x = $1", 1, nullptr,
                                std::vector<const char*>{"1"}.data(), nullptr, nullptr, 0));
  EXPECT_EQ(PQresultStatus(missing.get()), PGRES_FATAL_ERROR);
  EXPECT_STREQ(PQresultErrorField(missing.get(), PG_DIAG_SQLSTATE), "42P01");
  PgResult write(PQexec(conn.get(), "DROP TABLE fact_customer_metrics"));
  EXPECT_STREQ(PQresultErrorField(write.get(), PG_DIAG_SQLSTATE), "42501");
  PgResult unknown(PQexecPrepared(conn.get(), "never_prepared", 0, nullptr, nullptr, nullptr, 0));
  EXPECT_STREQ(PQresultErrorField(unknown.get(), PG_DIAG_SQLSTATE), "26000");
  PgResult kept(PQprepare(conn.get(), "kept", "SELECT 1", 0, nullptr));
  ASSERT_EQ(PQresultStatus(kept.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  PgResult discard(PQexec(conn.get(), "DISCARD ALL"));
  EXPECT_STREQ(PQcmdStatus(discard.get()), "DISCARD ALL");
  PgResult gone(PQexecPrepared(conn.get(), "kept", 0, nullptr, nullptr, nullptr, 0));
  EXPECT_STREQ(PQresultErrorField(gone.get(), PG_DIAG_SQLSTATE), "26000");
  PgResult empty(PQexec(conn.get(), ""));
  EXPECT_EQ(PQresultStatus(empty.get()), PGRES_EMPTY_QUERY);
  PgResult fine(PQexec(conn.get(), "SELECT 7"));
  ASSERT_EQ(PQresultStatus(fine.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
  EXPECT_STREQ(PQgetvalue(fine.get(), 0, 0), "7");
}

TEST_F(ServeTest, GarbageBytesCloseThatConnectionOnlyWithAnError) {
  PgConn bystander = Connect();
  ASSERT_EQ(PQstatus(bystander.get()), CONNECTION_OK) << PQerrorMessage(bystander.get());

  const int garbage = custlake::testing::ConnectLoopback(server_->port());
  ASSERT_GE(garbage, 0);
  bool closed = false;
  const std::string reply =
      custlake::testing::SendAndReadUntilClosed(garbage, "GARBAGE\x01\x02\x03 not postgres", &closed);
  ::close(garbage);
  EXPECT_TRUE(closed);
  ASSERT_FALSE(reply.empty());
  EXPECT_EQ(reply[0], 'E');
  EXPECT_NE(reply.find("08P01"), std::string::npos);

  // A good startup, then a message of an unknown type and a huge length.
  const int hostile = custlake::testing::ConnectLoopback(server_->port());
  ASSERT_GE(hostile, 0);
  std::string startup("\0\0\0\0\0\3\0\0user\0analyst\0\0", 22);
  startup[3] = static_cast<char>(startup.size());
  const std::string bad_message("\x7f\x7f\xff\xff\xff", 5);
  const std::string hostile_reply =
      custlake::testing::SendAndReadUntilClosed(hostile, startup + bad_message, &closed);
  ::close(hostile);
  EXPECT_TRUE(closed);
  EXPECT_NE(hostile_reply.find("08P01"), std::string::npos);

  PgResult still(PQexec(bystander.get(), "SELECT count(*) > 0 FROM dim_customer"));
  ASSERT_EQ(PQresultStatus(still.get()), PGRES_TUPLES_OK) << PQerrorMessage(bystander.get());
  EXPECT_STREQ(PQgetvalue(still.get(), 0, 0), "t");
}

TEST_F(ServeTest, ExecuteWithARowLimitSuspendsThePortal) {
  using custlake::testing::Be16;
  using custlake::testing::Be32;
  using custlake::testing::Cstr;
  using custlake::testing::FrontendMessage;
  const int fd = custlake::testing::ConnectLoopback(server_->port());
  ASSERT_GE(fd, 0);
  const std::string startup = FrontendMessage('\0', Be32(196608) + Cstr("user") + Cstr("analyst") + Cstr(""));
  ASSERT_EQ(::send(fd, startup.data(), startup.size(), 0), static_cast<ssize_t>(startup.size()));
  const std::string greeting = custlake::testing::ReadMessageTypesUntilReady(fd);
  ASSERT_FALSE(greeting.empty());
  EXPECT_EQ(greeting.front(), 'R');  // AuthenticationOk
  EXPECT_EQ(greeting.substr(greeting.size() - 2), "KZ");

  const std::string five = "SELECT i FROM range(5) AS t(i)";
  const std::string batch =
      FrontendMessage('P', Cstr("five") + Cstr(five) + Be16(0)) +
      FrontendMessage('B', Cstr("cursor") + Cstr("five") + Be16(0) + Be16(0) + Be16(0)) +
      FrontendMessage('D', "P" + Cstr("cursor")) + FrontendMessage('E', Cstr("cursor") + Be32(2)) +
      FrontendMessage('E', Cstr("cursor") + Be32(2)) + FrontendMessage('E', Cstr("cursor") + Be32(2)) +
      FrontendMessage('C', "P" + Cstr("cursor")) + FrontendMessage('S', "");
  ASSERT_EQ(::send(fd, batch.data(), batch.size(), 0), static_cast<ssize_t>(batch.size()));
  // ParseComplete, BindComplete, RowDescription, 2 rows + suspended, twice, the last row + done,
  // CloseComplete, ReadyForQuery.
  EXPECT_EQ(custlake::testing::ReadMessageTypesUntilReady(fd), "12TDDsDDsDC3Z");
  ::close(fd);
}

TEST_F(ServeTest, TheSandboxRowLimitCutsResultsWithAWarning) {
  CliOutcome psql = Psql({"-c", "SELECT * FROM range(5000)"});
  ASSERT_EQ(psql.exit_code, 0) << psql.err;
  EXPECT_EQ(std::count(psql.out.begin(), psql.out.end(), '\n'),
            1000);  // the server runs with --max-rows 1000
  EXPECT_NE(psql.err.find("WARNING:  01000:"), std::string::npos) << psql.err;
}

// A connection opened before a re-import, a build and a vacuum answers from
// the newest version without reconnecting, though the files its first version
// read (the offers' replaced part, the old warehouse version) are gone.
TEST_F(ServeTest, AConnectionFollowsTheNewestVersionAcrossAReimportBuildAndVacuum) {
  const fs::path project = *dir_ / "rebuilt";
  fs::copy(*dir_ / "demo", project, fs::copy_options::recursive);
  ServeProcess server(project, *dir_ / "rebuilt.log");
  ASSERT_TRUE(server.WaitUntilReady()) << custlake::testing::ReadWholeFile(*dir_ / "rebuilt.log");
  PgConn conn(PQconnectdb(server.ConnInfo().c_str()));
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  auto scalar = [&](const std::string& sql) -> std::string {
    PgResult r(PQexec(conn.get(), sql.c_str()));
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << sql << ": " << PQerrorMessage(conn.get());
    return PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "";
  };
  const long long transactions = std::stoll(scalar("SELECT count(*) FROM raw.sic_transactions"));
  EXPECT_EQ(scalar("SELECT count(*) FROM dim_offer WHERE name = 'Renamed offer'"), "0");
  // A prepared lookup by key, answered from the version's in-memory copy (query/key_lookup.h).
  PgResult prepared(PQprepare(conn.get(), "offer", "SELECT name FROM dim_offer WHERE offer_id = $1", 1, nullptr));
  ASSERT_EQ(PQresultStatus(prepared.get()), PGRES_COMMAND_OK) << PQerrorMessage(conn.get());
  const char* offer_id = "1";
  auto offer_name = [&]() -> std::string {
    PgResult r(PQexecPrepared(conn.get(), "offer", 1, &offer_id, nullptr, nullptr, 0));
    EXPECT_EQ(PQresultStatus(r.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
    return PQresultStatus(r.get()) == PGRES_TUPLES_OK && PQntuples(r.get()) == 1 ? PQgetvalue(r.get(), 0, 0) : "";
  };
  const std::string old_name = offer_name();
  EXPECT_NE(old_name, "");
  EXPECT_EQ(offer_name(), old_name);
  EXPECT_EQ(scalar("SELECT name FROM dim_offer WHERE offer_id = 1"), old_name);
  EXPECT_EQ(scalar("SELECT name FROM dim_offer WHERE offer_id = 1"), old_name);
  EXPECT_NE(scalar("SELECT name FROM raw.sic_offers WHERE offer_id = 1"), "Renamed offer");

  CliOutcome changed = RunCli(*dir_, "sqlite3",
                              {(project / "data" / "sic.db").string(),
                               "UPDATE offers SET name = 'Renamed offer' WHERE offer_id = 1; "
                               "INSERT INTO transactions SELECT max(transaction_id) + 1, 1, '2025-02-28 23:00:00', "
                               "'5.00', 'EUR', 'subscription', 'sepa_debit', NULL, '2025-02-28 23:00:01' "
                               "FROM transactions;"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  for (const std::vector<std::string>& verb : std::vector<std::vector<std::string>>{
           {"import", "sic"}, {"build"}, {"vacuum", "--retain", "1", "--older-than", "0"}}) {
    std::vector<std::string> args{"-C", project.string()};
    args.insert(args.end(), verb.begin(), verb.end());
    CliOutcome run = RunCli(*dir_, CUSTLAKE_BIN, args);
    ASSERT_EQ(run.exit_code, 0) << verb[0] << ": " << run.err;
  }
  EXPECT_EQ(scalar("SELECT name FROM raw.sic_offers WHERE offer_id = 1"), "Renamed offer");
  EXPECT_EQ(scalar("SELECT count(*) FROM raw.sic_transactions"), std::to_string(transactions + 1));
  EXPECT_EQ(scalar("SELECT count(*) FROM dim_offer WHERE name = 'Renamed offer'"), "1");
  EXPECT_EQ(offer_name(), "Renamed offer") << "no stale row from the older version's copy";
  EXPECT_EQ(scalar("SELECT name FROM dim_offer WHERE offer_id = 1"), "Renamed offer");
}

TEST_F(ServeTest, ConnectionLimitAndStatementTimeout) {
  ServeProcess limited(*dir_ / "demo", *dir_ / "limited.log", {},
                       {"--max-connections", "1", "--timeout", "1"});
  ASSERT_TRUE(limited.WaitUntilReady()) << custlake::testing::ReadWholeFile(*dir_ / "limited.log");
  // The readiness probe's connection may still hold the one slot for a moment: take it once it is free.
  PgConn holder;
  for (int attempt = 0; attempt < 600 && PQstatus(holder.get()) != CONNECTION_OK; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    holder.reset(PQconnectdb(limited.ConnInfo().c_str()));
  }
  ASSERT_EQ(PQstatus(holder.get()), CONNECTION_OK) << PQerrorMessage(holder.get());
  PgConn refused(PQconnectdb(limited.ConnInfo().c_str()));
  EXPECT_EQ(PQstatus(refused.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(refused.get())).find("too many clients"), std::string::npos)
      << PQerrorMessage(refused.get());

  // Minutes of work under a one-second limit: cancelled, and the connection goes on.
  PgResult slow(PQexec(holder.get(), "SELECT count(*) FROM range(100000000000) a WHERE hash(a.range) = 7"));
  EXPECT_EQ(PQresultStatus(slow.get()), PGRES_FATAL_ERROR);
  EXPECT_STREQ(PQresultErrorField(slow.get(), PG_DIAG_SQLSTATE), "57014") << PQerrorMessage(holder.get());
  PgResult after(PQexec(holder.get(), "SELECT 1"));
  EXPECT_EQ(PQresultStatus(after.get()), PGRES_TUPLES_OK) << PQerrorMessage(holder.get());
}

TEST_F(ServeTest, PQcancelInterruptsTheRunningStatement) {
  PgConn conn = Connect();
  ASSERT_EQ(PQstatus(conn.get()), CONNECTION_OK) << PQerrorMessage(conn.get());
  // Minutes of work (the server's statement timeout is 300 s): only the cancel ends it soon.
  ASSERT_EQ(PQsendQuery(conn.get(), "SELECT count(*) FROM range(100000000000) a WHERE hash(a.range) = 7"), 1);
  std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel(PQgetCancel(conn.get()), &PQfreeCancel);
  ASSERT_NE(cancel, nullptr);
  // A cancel that lands before the statement starts is lost (as in PostgreSQL): send until it ends.
  for (int attempt = 0; attempt < 600 && PQisBusy(conn.get()); ++attempt) {
    char error[256];
    EXPECT_EQ(PQcancel(cancel.get(), error, sizeof error), 1) << error;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_EQ(PQconsumeInput(conn.get()), 1) << PQerrorMessage(conn.get());
  }
  ASSERT_FALSE(PQisBusy(conn.get())) << "the cancel did not end the statement";
  PgResult cancelled(PQgetResult(conn.get()));
  EXPECT_EQ(PQresultStatus(cancelled.get()), PGRES_FATAL_ERROR);
  EXPECT_STREQ(PQresultErrorField(cancelled.get(), PG_DIAG_SQLSTATE), "57014") << PQerrorMessage(conn.get());
  while (PgResult(PQgetResult(conn.get()))) {
  }
  PgResult after(PQexec(conn.get(), "SELECT 1"));
  EXPECT_EQ(PQresultStatus(after.get()), PGRES_TUPLES_OK) << PQerrorMessage(conn.get());
}

TEST_F(ServeTest, RefusesToServeBeyondLoopbackWithoutAPassword) {
  CliOutcome refused = Custlake({"-C", (*dir_ / "demo").string(), "serve", "--pg", "0.0.0.0:1"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("without a password"), std::string::npos) << refused.err;
}

TEST_F(ServeTest, TlsWhenACertificateIsConfigured) {
  const std::string cert = (*dir_ / "server.crt").string(), key = (*dir_ / "server.key").string();
  CliOutcome made = RunCli(*dir_, "openssl",
                           {"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
                            "-keyout", key, "-out", cert});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  ServeProcess tls(*dir_ / "demo", *dir_ / "tls.log", {}, {"--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(tls.WaitUntilReady()) << custlake::testing::ReadWholeFile(*dir_ / "tls.log");
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(tls.port()) + " user=analyst dbname=warehouse";
  CliOutcome secure = RunCli(*dir_, "psql", {conninfo + " sslmode=require", "-X", "-A", "-t", "-c", "\\conninfo",
                                             "-c", "SELECT count(*) > 0 FROM fact_customer_metrics"});
  ASSERT_EQ(secure.exit_code, 0) << secure.err;
  EXPECT_NE(secure.out.find("SSL connection (protocol: TLSv1."), std::string::npos) << secure.out;
  EXPECT_NE(secure.out.find("\nt\n"), std::string::npos) << secure.out;
  CliOutcome plain = RunCli(*dir_, "psql", {conninfo + " sslmode=disable", "-X", "-A", "-t", "-c", "SELECT 1"});
  EXPECT_EQ(plain.out, "1\n") << plain.err;
  // The server without a certificate answers the SSLRequest 'N': sslmode=require gives up.
  CliOutcome refused = RunCli(*dir_, "psql", {server_->ConnInfo() + " sslmode=require", "-X", "-c", "SELECT 1"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("server does not support SSL"), std::string::npos) << refused.err;
  CliOutcome half = Custlake({"-C", (*dir_ / "demo").string(), "serve", "--pg", "127.0.0.1:1", "--tls-cert", cert});
  EXPECT_EQ(half.exit_code, 2);
  EXPECT_NE(half.err.find("--tls-cert and --tls-key go together"), std::string::npos) << half.err;
}

TEST_F(ServeTest, CleartextPasswordWhenConfigured) {
  ServeProcess guarded(*dir_ / "demo", *dir_ / "guarded.log", {"CUSTLAKE_PG_PASSWORD=s3cret"});
  ASSERT_TRUE(guarded.WaitUntilReady("s3cret")) << custlake::testing::ReadWholeFile(*dir_ / "guarded.log");
  PgConn wrong(PQconnectdb(guarded.ConnInfo("guess").c_str()));
  EXPECT_EQ(PQstatus(wrong.get()), CONNECTION_BAD);
  EXPECT_NE(std::string(PQerrorMessage(wrong.get())).find("password authentication failed"),
            std::string::npos)
      << PQerrorMessage(wrong.get());
}

}  // namespace
