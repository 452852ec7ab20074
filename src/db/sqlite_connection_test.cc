#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "db/connection.h"
#include "support/status_testing.h"

namespace custlake::db {
namespace {

class SqliteConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custlake_sqlite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    ASSERT_OK_AND_ASSIGN(url_, DatabaseUrl::Parse("sqlite:" + (dir_ / "t.db").string()));
    ASSERT_OK_AND_ASSIGN(conn_, Connection::Open(url_));
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }

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

TableDef Customers() {
  return {"customers",
          {{"customer_id", SqlType::kBigInt, false, true},
           {"active", SqlType::kBoolean},
           {"visits", SqlType::kInteger},
           {"score", SqlType::kDouble},
           {"monthly_fee", SqlType::kDecimal, true, false, 18, 2},
           {"email", SqlType::kText},
           {"birth_date", SqlType::kDate},
           {"updated_at", SqlType::kTimestamp}}};
}

TEST_F(SqliteConnectionTest, RoundTripsEveryType) {
  ASSERT_OK(conn_->CreateTable(Customers(), /*drop_existing=*/false));
  ASSERT_OK_AND_ASSIGN(auto ins, conn_->BeginInsert(Customers()));
  ASSERT_OK(ins->Append({int64_t{9223372036854775807}, int64_t{1}, int64_t{-5}, 0.1,
                         std::string("-9999999999999999.99"), std::string("zoë@example.com"),
                         std::string("1999-12-31"), std::string("2024-01-31 12:34:56.500")}));
  ASSERT_OK(ins->Append({int64_t{2}, std::monostate{}, std::monostate{}, std::monostate{}, std::monostate{},
                         std::string(""), std::monostate{}, std::monostate{}}));
  ASSERT_OK(ins->Finish());

  auto rows = ReadAll("SELECT * FROM customers ORDER BY customer_id");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(std::get<int64_t>(rows[0][0]), 2);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rows[0][1]));
  EXPECT_EQ(std::get<std::string>(rows[0][5]), "");  // empty string is not NULL
  EXPECT_EQ(std::get<int64_t>(rows[1][0]), 9223372036854775807);
  EXPECT_EQ(std::get<int64_t>(rows[1][1]), 1);
  EXPECT_EQ(std::get<int64_t>(rows[1][2]), -5);
  EXPECT_EQ(std::get<double>(rows[1][3]), 0.1);
  EXPECT_EQ(std::get<std::string>(rows[1][4]), "-9999999999999999.99");
  EXPECT_EQ(std::get<std::string>(rows[1][5]), "zoë@example.com");
  EXPECT_EQ(std::get<std::string>(rows[1][6]), "1999-12-31");
  EXPECT_EQ(std::get<std::string>(rows[1][7]), "2024-01-31 12:34:56.5");
}

TEST_F(SqliteConnectionTest, ColumnMetadata) {
  ASSERT_OK(conn_->CreateTable(Customers(), false));
  ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT *, 1 + 1 AS two FROM customers"));
  const auto& cols = stream->columns();
  ASSERT_EQ(cols.size(), 9u);
  const SqlType expected[] = {SqlType::kBigInt, SqlType::kBoolean,   SqlType::kInteger,
                              SqlType::kDouble, SqlType::kDecimal,   SqlType::kText,
                              SqlType::kDate,   SqlType::kTimestamp, SqlType::kText};
  for (size_t i = 0; i < cols.size(); ++i) EXPECT_EQ(cols[i].type, expected[i]) << cols[i].name;
  EXPECT_EQ(cols[0].name, "customer_id");
  EXPECT_FALSE(cols[0].nullable);
  EXPECT_TRUE(cols[1].nullable);
  EXPECT_EQ(cols[4].precision, 18);
  EXPECT_EQ(cols[4].scale, 2);
  std::vector<Value> row;
  ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
  EXPECT_FALSE(more);
}

TEST_F(SqliteConnectionTest, UnfinishedInsertRollsBack) {
  ASSERT_OK(conn_->CreateTable(Customers(), false));
  {
    ASSERT_OK_AND_ASSIGN(auto ins, conn_->BeginInsert(Customers()));
    ASSERT_OK(ins->Append({int64_t{1}, int64_t{0}, int64_t{0}, 1.0, std::string("1.00"), std::string("a"),
                           std::string("2020-01-01"), std::string("2020-01-01 00:00:00")}));
  }
  EXPECT_TRUE(ReadAll("SELECT * FROM customers").empty());
}

// A user's own SQLite file: DECIMAL(12,2) has NUMERIC affinity (stored as
// REAL: read as its shortest exact digits, not rounded to the scale),
// date-time text keeps its zone ("Z", an offset), and NextView hands a cell
// that is no value of its column over as the stored text (Next refuses it),
// so that import can name every bad column.
TEST_F(SqliteConnectionTest, UserTablesKeepDigitsZonesAndBadCells) {
  ASSERT_OK(
      conn_->Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, price DECIMAL(12,2), ts TIMESTAMP, n INT);"
                     "INSERT INTO t VALUES (1, 0.005, '2025-01-15T08:00:00.500Z', 1), (2, 12345678901.23, "
                     "'2025-01-15 10:00:00.250+02:00', 'three'), (3, 12.5, '2025-01-15T08:00:00.500', 3)"));
  ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT * FROM t ORDER BY id"));
  RowView view;
  std::vector<std::vector<std::string>> cells;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, stream->NextView(&view));
    if (!more) break;
    cells.push_back({});
    for (const CellView& c : view.cells) {
      cells.back().push_back(c.kind == CellView::Kind::kInt ? "int " + std::to_string(c.i)
                                                            : std::string(c.text));
    }
  }
  EXPECT_EQ(cells, (std::vector<std::vector<std::string>>{
                       {"int 1", "0.005", "2025-01-15 08:00:00.500Z", "int 1"},
                       {"int 2", "12345678901.23", "2025-01-15 10:00:00.250+02:00", "three"},
                       {"int 3", "12.5", "2025-01-15 08:00:00.5", "int 3"}}));
  ASSERT_OK_AND_ASSIGN(stream, conn_->Query("SELECT n FROM t WHERE id = 2"));
  std::vector<Value> row;
  auto refused = stream->Next(&row);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("column n (int): value 'three' is not a valid INTEGER"),
            std::string::npos)
      << refused.status().ToString();
}

TEST_F(SqliteConnectionTest, ErrorsNameTableAndRow) {
  ASSERT_OK(conn_->CreateTable(Customers(), false));
  ASSERT_OK_AND_ASSIGN(auto ins, conn_->BeginInsert(Customers()));
  std::vector<Value> row = {int64_t{1},
                            int64_t{0},
                            int64_t{0},
                            1.0,
                            std::string("1.00"),
                            std::string("a"),
                            std::string("2020-01-01"),
                            std::string("2020-01-01 00:00:00")};
  ASSERT_OK(ins->Append(row));
  Status dup = ins->Append(row);
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.message().find("row 2 of table customers"), std::string::npos) << dup.message();
  EXPECT_NE(dup.message().find("UNIQUE"), std::string::npos) << dup.message();
  Status short_row = ins->Append({int64_t{3}});
  EXPECT_EQ(short_row.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(short_row.message().find("1 values for 8 columns"), std::string::npos);
}

TEST_F(SqliteConnectionTest, CreateTableDropsWhenAsked) {
  ASSERT_OK(conn_->CreateTable(Customers(), false));
  EXPECT_NOT_OK(conn_->CreateTable(Customers(), false));
  EXPECT_OK(conn_->CreateTable(Customers(), true));
}

TEST_F(SqliteConnectionTest, QueryErrorsAreClear) {
  auto r = conn_->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("no such table"), std::string::npos);
  EXPECT_NOT_OK(conn_->Query("SELECT 1; SELECT 2"));
}

TEST_F(SqliteConnectionTest, StreamsManyRows) {
  TableDef t{"numbers", {{"n", SqlType::kBigInt, false, true}, {"label", SqlType::kText}}};
  ASSERT_OK(conn_->CreateTable(t, false));
  ASSERT_OK_AND_ASSIGN(auto ins, conn_->BeginInsert(t));
  for (int64_t i = 0; i < 20000; ++i) ASSERT_OK(ins->Append({i, std::string("row ") + std::to_string(i)}));
  ASSERT_OK(ins->Finish());
  ASSERT_OK_AND_ASSIGN(auto stream, conn_->Query("SELECT n, label FROM numbers ORDER BY n"));
  std::vector<Value> row;
  int64_t count = 0, sum = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
    if (!more) break;
    sum += std::get<int64_t>(row[0]);
    ++count;
  }
  EXPECT_EQ(count, 20000);
  EXPECT_EQ(sum, 20000LL * 19999 / 2);
}

TEST_F(SqliteConnectionTest, OpenFailsClearlyForMissingFolder) {
  ASSERT_OK_AND_ASSIGN(auto url, DatabaseUrl::Parse("sqlite:/nonexistent/dir/x.db"));
  auto r = Connection::Open(url);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/dir/x.db"), std::string::npos);
}

TEST_F(SqliteConnectionTest, ReadOnlyNeverCreatesAFileAndNamesThePath) {
  const std::string missing = (dir_ / "typo.db").string();
  ASSERT_OK_AND_ASSIGN(auto url, DatabaseUrl::Parse("sqlite:" + missing));
  auto r = Connection::Open(url, Access::kReadOnly);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("'" + missing + "'"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(missing));
}

TEST_F(SqliteConnectionTest, ReadOnlyLeavesTheJournalModeAndRefusesWrites) {
  // A user's database in the default rollback-journal mode.
  conn_.reset();
  const std::string path = (dir_ / "user.db").string();
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(h, "CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(h);
  }
  ASSERT_OK_AND_ASSIGN(auto url, DatabaseUrl::Parse("sqlite:" + path));
  {
    ASSERT_OK_AND_ASSIGN(auto ro, Connection::Open(url, Access::kReadOnly));
    ASSERT_OK_AND_ASSIGN(auto stream, ro->Query("PRAGMA journal_mode"));
    std::vector<Value> row;
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
    ASSERT_TRUE(more);
    EXPECT_EQ(std::get<std::string>(row[0]), "delete");
    stream.reset();
    EXPECT_FALSE(ro->Execute("INSERT INTO t VALUES (2)").ok());
  }
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "delete");
  sqlite3_finalize(st);
  sqlite3_close(h);
}

}  // namespace
}  // namespace custlake::db
