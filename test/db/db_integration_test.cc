// The same cases against SQLite, MariaDB and PostgreSQL: create every
// SqlType, bulk insert edge values, stream them back, stream a large table
// with bounded memory, and fail clearly on bad URLs and credentials.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <thread>

#include "db/connection.h"
#include "db/drivers.h"
#include "support/peak_memory.h"
#include "support/real_servers.h"
#include "support/status_testing.h"

namespace custlake::db {
namespace {

using testing::MariaDBServer;
using testing::PeakRssBytes;
using testing::PostgresServer;
using testing::ResetPeakRss;
using testing::RssBytes;
using Kind = DatabaseUrl::Kind;

std::string KindName(Kind kind) {
  switch (kind) {
    case Kind::kSqlite:
      return "SQLite";
    case Kind::kMariaDB:
      return "MariaDB";
    case Kind::kPostgres:
      return "PostgreSQL";
  }
  return "?";
}

std::string Show(const Value& v) {
  if (std::holds_alternative<std::monostate>(v)) return "NULL";
  if (const int64_t* n = std::get_if<int64_t>(&v)) return "int " + std::to_string(*n);
  if (const double* d = std::get_if<double>(&v)) {
    char buf[40];
    std::snprintf(buf, sizeof(buf), "double %.17g", *d);
    return buf;
  }
  return "text '" + std::get<std::string>(v) + "'";
}

class DbIntegrationTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override {
    std::string text;
    switch (GetParam()) {
      case Kind::kSqlite: {
        dir_ = std::filesystem::temp_directory_path() / ("custlake_db_it_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir_);
        text = "sqlite:" + (dir_ / "it.db").string();
        break;
      }
      case Kind::kMariaDB: {
        if (!CUSTLAKE_TEST_MARIADB) GTEST_SKIP() << "built with CUSTLAKE_WITH_MARIADB=OFF";
        auto& server = MariaDBServer::Get();
        CUSTLAKE_REQUIRE_SERVER(server);
        text = server.url();
        break;
      }
      case Kind::kPostgres: {
        if (!CUSTLAKE_TEST_POSTGRES) GTEST_SKIP() << "built with CUSTLAKE_WITH_POSTGRES=OFF";
        auto& server = PostgresServer::Get();
        CUSTLAKE_REQUIRE_SERVER(server);
        text = server.url();
        break;
      }
    }
    ASSERT_OK_AND_ASSIGN(url_, DatabaseUrl::Parse(text));
    ASSERT_OK_AND_ASSIGN(conn_, Connection::Open(url_));
    ASSERT_EQ(conn_->kind(), GetParam());
  }
  void TearDown() override {
    conn_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // Reads a whole (small) result.
  std::vector<std::vector<Value>> ReadAll(const std::string& sql) {
    std::vector<std::vector<Value>> rows;
    auto stream = conn_->Query(sql);
    EXPECT_OK(stream);
    if (!stream.ok()) return rows;
    std::vector<Value> row;
    while (true) {
      auto more = (*stream)->Next(&row);
      EXPECT_OK(more);
      if (!more.ok() || !*more) break;
      rows.push_back(row);
    }
    return rows;
  }

  std::filesystem::path dir_;
  DatabaseUrl url_;
  std::unique_ptr<Connection> conn_;
};

TableDef EveryType() {
  return {"every_type",
          {{"id", SqlType::kBigInt, false, true},
           {"flag", SqlType::kBoolean},
           {"small", SqlType::kInteger},
           {"big", SqlType::kBigInt},
           {"ratio", SqlType::kDouble},
           {"money", SqlType::kDecimal, true, false, 18, 2},
           {"wide", SqlType::kDecimal, true, false, 38, 10},
           {"label", SqlType::kText},
           {"day", SqlType::kDate},
           {"at", SqlType::kTimestamp},
           {"code", SqlType::kText, false}}};
}

std::vector<std::vector<Value>> EveryTypeRows() {
  const int64_t kMax = std::numeric_limits<int64_t>::max(), kMin = std::numeric_limits<int64_t>::min();
  using S = std::string;
  return {
      {int64_t{1}, int64_t{1}, int64_t{2147483647}, kMax, 0.1, S("-9999999999999999.99"),
       S("-1234567890123456789012345678.0123456789"), S("Zoë 東京 🎉"), S("1000-01-01"),
       S("2024-02-29 23:59:59.123456"), S("a")},
      {int64_t{2}, int64_t{0}, int64_t{-2147483648LL}, kMin, -1.7976931348623157e308, S("-0.01"),
       S("0.0000000001"), S(""), S("9999-12-31"), S("2038-01-19 03:14:08"), S("")},
      {int64_t{3}, std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{},
       std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{}, S("NULL")},
      {int64_t{4}, int64_t{1}, int64_t{0}, int64_t{0}, 2.2250738585072014e-308, S("12.50"), S("0.0000000000"),
       S("quote ' double \" backslash \\ tab \t newline \n cr \r end"), S("1970-01-01"),
       S("1970-01-01 00:00:00"), S("\\N")},
  };
}

TEST_P(DbIntegrationTest, EveryTypeRoundTrips) {
  const TableDef table = EveryType();
  ASSERT_OK(conn_->CreateTable(table, /*drop_existing=*/true));
  ASSERT_OK_AND_ASSIGN(auto inserter, conn_->BeginInsert(table));
  const auto rows = EveryTypeRows();
  for (const auto& row : rows) ASSERT_OK(inserter->Append(row));
  ASSERT_OK(inserter->Finish());

  ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT * FROM every_type ORDER BY id"));
  const auto& cols = stream->columns();
  ASSERT_EQ(cols.size(), table.columns.size());
  for (size_t i = 0; i < cols.size(); ++i) {
    SCOPED_TRACE(cols[i].name + " (" + cols[i].source_type + ")");
    EXPECT_EQ(cols[i].name, table.columns[i].name);
    EXPECT_EQ(cols[i].type, table.columns[i].type);
    EXPECT_EQ(cols[i].nullable, table.columns[i].nullable && !table.columns[i].primary_key);
    EXPECT_FALSE(cols[i].source_type.empty());
    if (table.columns[i].type == SqlType::kDecimal) {
      EXPECT_EQ(cols[i].precision, table.columns[i].precision);
      EXPECT_EQ(cols[i].scale, table.columns[i].scale);
    }
  }
  std::vector<Value> got;
  for (size_t r = 0; r < rows.size(); ++r) {
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&got));
    ASSERT_TRUE(more) << "row " << r;
    ASSERT_EQ(got.size(), rows[r].size());
    for (size_t c = 0; c < got.size(); ++c) {
      EXPECT_EQ(Show(got[c]), Show(rows[r][c])) << "row " << r << ", column " << table.columns[c].name;
    }
  }
  ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&got));
  EXPECT_FALSE(more);
}

// NextView (zero-copy) reads the same values as Next, mixed on one stream.
TEST_P(DbIntegrationTest, NextViewAgreesWithNext) {
  const TableDef table = EveryType();
  ASSERT_OK(conn_->CreateTable(table, /*drop_existing=*/true));
  ASSERT_OK_AND_ASSIGN(auto inserter, conn_->BeginInsert(table));
  const auto rows = EveryTypeRows();
  for (const auto& row : rows) ASSERT_OK(inserter->Append(row));
  ASSERT_OK(inserter->Finish());
  const auto expected = ReadAll("SELECT * FROM every_type ORDER BY id");
  ASSERT_EQ(expected.size(), rows.size());

  ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT * FROM every_type ORDER BY id"));
  RowView view;
  std::vector<Value> values;
  for (size_t r = 0; r < expected.size(); ++r) {
    if (r % 3 == 2) {  // every third row through Next
      ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&values));
      ASSERT_TRUE(more);
      for (size_t c = 0; c < values.size(); ++c) EXPECT_EQ(Show(values[c]), Show(expected[r][c]));
      continue;
    }
    ASSERT_OK_AND_ASSIGN(bool more, stream->NextView(&view));
    ASSERT_TRUE(more) << "row " << r;
    ASSERT_EQ(view.size(), table.columns.size());
    for (size_t c = 0; c < view.size(); ++c) {
      SCOPED_TRACE("row " + std::to_string(r) + ", column " + table.columns[c].name);
      const CellView& cell = view[c];
      Value got;
      switch (cell.kind) {
        case CellView::Kind::kNull: break;
        case CellView::Kind::kInt: got = cell.i; break;
        case CellView::Kind::kDouble: got = cell.d; break;
        case CellView::Kind::kText:
          // Timestamps come as the source writes them; Next normalises them.
          got = table.columns[c].type == SqlType::kTimestamp ? internal::NormalizeTimestamp(cell.text)
                                                             : std::string(cell.text);
          break;
      }
      EXPECT_EQ(Show(got), Show(expected[r][c]));
    }
  }
  ASSERT_OK_AND_ASSIGN(bool more, stream->NextView(&view));
  EXPECT_FALSE(more);
}

TEST_P(DbIntegrationTest, UnfinishedInsertRollsBackAndConnectionStaysUsable) {
  TableDef t{"rollback_me", {{"id", SqlType::kBigInt, false, true}, {"name", SqlType::kText}}};
  ASSERT_OK(conn_->CreateTable(t, true));
  {
    ASSERT_OK_AND_ASSIGN(auto inserter, conn_->BeginInsert(t));
    ASSERT_OK(inserter->Append({int64_t{1}, std::string("lost")}));
  }
  EXPECT_TRUE(ReadAll("SELECT * FROM rollback_me").empty());
  ASSERT_OK_AND_ASSIGN(auto inserter, conn_->BeginInsert(t));
  ASSERT_OK(inserter->Append({int64_t{2}, std::string("kept")}));
  ASSERT_OK(inserter->Finish());
  EXPECT_EQ(ReadAll("SELECT * FROM rollback_me").size(), 1u);
}

TEST_P(DbIntegrationTest, DuplicateKeyNamesTheTable) {
  TableDef t{"dupes", {{"id", SqlType::kBigInt, false, true}}};
  ASSERT_OK(conn_->CreateTable(t, true));
  ASSERT_OK_AND_ASSIGN(auto inserter, conn_->BeginInsert(t));
  Status st = inserter->Append({int64_t{7}});
  if (st.ok()) st = inserter->Append({int64_t{7}});
  if (st.ok()) st = inserter->Finish();  // servers that batch report it here
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("dupes"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find(url_.password.empty() ? "\x01" : url_.password), std::string::npos)
      << st.message();
  inserter.reset();
  EXPECT_TRUE(ReadAll("SELECT * FROM dupes").empty());
}

TEST_P(DbIntegrationTest, LargeTableStreamsWithBoundedMemory) {
  constexpr int64_t kRows = 200000;
  const std::string padding(200, 'x');  // ~40 MB of text in all
  TableDef t{"big_table",
             {{"id", SqlType::kBigInt, false, true},
              {"payload", SqlType::kText},
              {"amount", SqlType::kDecimal, true, false, 12, 2},
              {"at", SqlType::kTimestamp}}};
  ASSERT_OK(conn_->CreateTable(t, true));
  {
    ASSERT_OK_AND_ASSIGN(auto inserter, conn_->BeginInsert(t));
    std::vector<Value> row(4);
    for (int64_t i = 0; i < kRows; ++i) {
      row[0] = i;
      row[1] = padding + std::to_string(i);
      row[2] = std::to_string(i % 1000) + "." + std::to_string(10 + i % 90);
      row[3] = std::string("2024-01-01 00:00:00");
      ASSERT_OK(inserter->Append(row));
    }
    ASSERT_OK(inserter->Finish());
  }
  // The baseline is taken before the query: a driver that buffers the whole
  // result (mysql_store_result) does so inside Query(). The peak is the
  // kernel's high-water mark over the query and the whole iteration (reset
  // here), not only samples between rows.
  const int64_t rss_before = RssBytes();
  const bool peak_known = ResetPeakRss();
  ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT id, payload, amount, at FROM big_table"));
  int64_t rss_peak = RssBytes(), count = 0, id_sum = 0;
  std::vector<Value> row;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
    if (!more) break;
    id_sum += std::get<int64_t>(row[0]);
    ASSERT_EQ(std::get<std::string>(row[1]).size(),
              padding.size() + std::to_string(std::get<int64_t>(row[0])).size());
    if (++count % 5000 == 0) rss_peak = std::max(rss_peak, RssBytes());
  }
  if (peak_known) rss_peak = std::max(rss_peak, PeakRssBytes());
  EXPECT_EQ(count, kRows);
  EXPECT_EQ(id_sum, kRows * (kRows - 1) / 2);
  // Buffering the whole result would cost > 40 MB; streaming costs ~nothing.
  EXPECT_LT(rss_peak - rss_before, 16 << 20) << "resident memory grew while streaming";

  // Abandoning a stream half-way leaves the connection usable.
  {
    ASSERT_OK_AND_ASSIGN(auto partial, conn_->Query("SELECT id, payload FROM big_table"));
    for (int i = 0; i < 10; ++i) ASSERT_OK(partial->Next(&row));
  }
  auto rows = ReadAll("SELECT COUNT(*) FROM big_table");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Show(rows[0][0]), Show(Value{kRows}));
}

TEST_P(DbIntegrationTest, QueryErrorsAreClear) {
  auto missing = conn_->Query("SELECT * FROM no_such_table_here");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_table_here"), std::string::npos)
      << missing.status().message();
  Status bad = conn_->Execute("THIS IS NOT SQL");
  EXPECT_FALSE(bad.ok());
  // The connection is still usable afterwards.
  EXPECT_EQ(ReadAll("SELECT 1").size(), 1u);
}

// Failures only a server can have.
class DbServerTest : public DbIntegrationTest {};

// Import opens its sources with Access::kReadOnly (MariaDB SET SESSION
// TRANSACTION READ ONLY, PostgreSQL default_transaction_read_only): no write
// goes through such a session, and the table is as it was.
TEST_P(DbServerTest, ReadOnlySessionsRefuseWrites) {
  TableDef t{"ro_target", {{"id", SqlType::kBigInt, false, true}, {"v", SqlType::kText}}};
  ASSERT_OK(conn_->CreateTable(t, true));
  ASSERT_OK(conn_->Execute("DROP TABLE IF EXISTS ro_created"));
  ASSERT_OK(conn_->Execute("INSERT INTO ro_target VALUES (1, 'a')"));
  ASSERT_OK_AND_ASSIGN(auto read_only, Connection::Open(url_, Access::kReadOnly));
  EXPECT_EQ(ReadAll("SELECT id FROM ro_target").size(), 1u);  // reading works
  for (const std::string sql :
       {"INSERT INTO ro_target VALUES (2, 'b')", "UPDATE ro_target SET v = 'x'", "DELETE FROM ro_target",
        "CREATE TABLE ro_created (x INT)", "DROP TABLE ro_target"}) {
    Status st = read_only->Execute(sql);
    EXPECT_FALSE(st.ok()) << sql << " went through a read-only session";
    std::string lower = st.message();
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(lower.find("read"), std::string::npos) << sql << ": " << st.message();
  }
  auto rows = ReadAll("SELECT id, v FROM ro_target");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(Show(rows[0][1]), Show(Value{std::string("a")}));
  auto created = conn_->Query("SELECT * FROM ro_created");
  EXPECT_FALSE(created.ok()) << "CREATE TABLE went through a read-only session";
}

TEST_P(DbServerTest, WrongPasswordIsClearAndMasked) {
  DatabaseUrl wrong = url_;
  wrong.password = "definitely-wrong-pw";
  auto r = Connection::Open(wrong);
  ASSERT_FALSE(r.ok());
  const std::string& msg = r.status().message();
  EXPECT_EQ(msg.find("definitely-wrong-pw"), std::string::npos) << msg;
  EXPECT_NE(msg.find(":***@"), std::string::npos) << msg;
  EXPECT_NE(msg.find("password"), std::string::npos) << msg;
  EXPECT_FALSE(r.status().transient()) << msg;  // the user's to fix: import does not retry it
}

TEST_P(DbServerTest, UnreachablePortIsClear) {
  DatabaseUrl closed = url_;
  closed.port = 1;  // nothing listens on 127.0.0.1:1
  auto r = Connection::Open(closed);
  ASSERT_FALSE(r.ok());
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("127.0.0.1:1/"), std::string::npos) << msg;
  EXPECT_NE(msg.find("server is running"), std::string::npos) << msg;
  EXPECT_EQ(msg.find(url_.password), std::string::npos) << msg;
  EXPECT_TRUE(r.status().transient()) << msg;  // the server may come back: import retries
}

TEST_P(DbServerTest, MissingDatabaseIsClear) {
  DatabaseUrl missing = url_;
  missing.database = "no_such_database";
  auto r = Connection::Open(missing);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no_such_database"), std::string::npos) << r.status().message();
  EXPECT_FALSE(r.status().transient()) << r.status().message();
}

// A session killed from another connection fails its query with an error
// the driver marks transient (by code: MariaDB 1927/2013, libpq 57P01 or
// CONNECTION_BAD), not by its text.
TEST_P(DbServerTest, KilledSessionIsTransient) {
  auto victim = Connection::Open(url_);
  ASSERT_OK(victim);
  ASSERT_OK(conn_->Execute("CREATE TABLE IF NOT EXISTS kill_probe (x INT)"));
  int64_t id = 0;
  {
    auto s = (*victim)->Query(url_.kind == Kind::kMariaDB ? "SELECT CONNECTION_ID()"
                                                          : "SELECT pg_backend_pid()::bigint");
    ASSERT_OK(s);
    std::vector<Value> row;
    ASSERT_TRUE(*(*s)->Next(&row));
    id = std::get<int64_t>(row[0]);
    while (*(*s)->Next(&row)) {
    }
  }
  ASSERT_OK(conn_->Execute(url_.kind == Kind::kMariaDB
                               ? "KILL " + std::to_string(id)
                               : "SELECT pg_terminate_backend(" + std::to_string(id) + ")"));
  if (url_.kind == Kind::kPostgres) {
    // pg_terminate_backend only signals: wait until the backend is gone.
    for (bool alive = true; alive;) {
      auto s = conn_->Query("SELECT count(*) FROM pg_stat_activity WHERE pid = " + std::to_string(id));
      ASSERT_OK(s);
      std::vector<Value> row;
      ASSERT_TRUE(*(*s)->Next(&row));
      alive = std::get<int64_t>(row[0]) > 0;
      while (*(*s)->Next(&row)) {
      }
      if (alive) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  Status st = (*victim)->Execute("SELECT 1 FROM kill_probe");
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.transient()) << st.ToString();
}

INSTANTIATE_TEST_SUITE_P(AllDatabases, DbIntegrationTest,
                         ::testing::Values(Kind::kSqlite, Kind::kMariaDB, Kind::kPostgres),
                         [](const ::testing::TestParamInfo<Kind>& p) { return KindName(p.param); });

INSTANTIATE_TEST_SUITE_P(Servers, DbServerTest, ::testing::Values(Kind::kMariaDB, Kind::kPostgres),
                         [](const ::testing::TestParamInfo<Kind>& p) { return KindName(p.param); });

TEST(DbUrlErrorsTest, CompiledOutDriversSayWhichOption) {
  ASSERT_OK_AND_ASSIGN(auto my, DatabaseUrl::Parse("mysql://u:secret@127.0.0.1:1/db"));
  ASSERT_OK_AND_ASSIGN(auto pg, DatabaseUrl::Parse("postgres://u:secret@127.0.0.1:1/db"));
  auto my_result = Connection::Open(my);
  auto pg_result = Connection::Open(pg);
  ASSERT_FALSE(my_result.ok());
  ASSERT_FALSE(pg_result.ok());
  EXPECT_EQ(my_result.status().message().find("CUSTLAKE_WITH_MARIADB") != std::string::npos,
            !CUSTLAKE_TEST_MARIADB)
      << my_result.status().message();
  EXPECT_EQ(pg_result.status().message().find("CUSTLAKE_WITH_POSTGRES") != std::string::npos,
            !CUSTLAKE_TEST_POSTGRES)
      << pg_result.status().message();
}

TEST(DbUrlErrorsTest, BadUrlIsClear) {
  auto r = DatabaseUrl::Parse("mysql//user:secret@host/db");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("secret"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("Expected"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace custlake::db
