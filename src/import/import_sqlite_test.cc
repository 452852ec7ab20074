// The import suite (test/import/import_suite.h) against SQLite: fast, no server.
#include "import/import_suite.h"

namespace custlake::importer::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, ImportSuite,
                         ::testing::Values(SourceParam{"sqlite",
                                                       [](const std::string& dir, std::string*) {
                                                         return "sqlite:" + dir + "/source.db";
                                                       }}),
                         [](const auto& param_info) { return param_info.param.name; });

class SqliteImport : public ImportSuite {};

// Import opens the user's database read-only: a typo'd path is an error
// naming it (no empty database appears) and the file's journal mode stays
// as the user set it.
TEST_P(SqliteImport, SourceIsOpenedReadOnly) {
  ASSERT_OK(conn_->Execute("PRAGMA journal_mode=DELETE"));
  ASSERT_OK(conn_->CreateTable(EventTable(), true));
  InsertRows(EventTable(), {{int64_t{1}, Ts(1), std::string("a")}});
  conn_.reset();
  auto l = OpenLake();
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), Table(), Quiet()));
  EXPECT_EQ(s.rows, 1);
  const std::string path = url_.substr(std::string("sqlite:").size());
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
  auto reopened = db::Connection::Open(*db::DatabaseUrl::Parse(url_), db::Access::kReadOnly);
  ASSERT_OK(reopened);
  ASSERT_OK_AND_ASSIGN(auto mode, (*reopened)->Query("PRAGMA journal_mode"));
  std::vector<db::Value> row;
  ASSERT_OK_AND_ASSIGN(bool more, mode->Next(&row));
  ASSERT_TRUE(more);
  EXPECT_EQ(std::get<std::string>(row[0]), "delete");

  const std::string typo = dir_ + "/sourse.db";
  auto failed = ImportTable(l.get(), {"src", "sqlite:" + typo}, Table(), Quiet());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(failed.status().message().find("'" + typo + "'"), std::string::npos)
      << failed.status().ToString();
  EXPECT_EQ(failed.status().message().find("attempts"), std::string::npos);  // not retried
  EXPECT_FALSE(std::filesystem::exists(typo));
}

// SQLite's own types: BLOB, NUMERIC without precision, and dates stored the
// three ways SQLite's date functions read them (TEXT, INTEGER Unix time, REAL
// Julian day); a BOOLEAN holding 2 is an error, not a silent true.
TEST_P(SqliteImport, SourceSpecificTypes) {
  const std::string t = conn_->QuoteIdentifier(table_);
  ASSERT_OK(conn_->Execute("CREATE TABLE " + t +
                           " (id INTEGER PRIMARY KEY, bl BLOB, n NUMERIC, d DATE, "
                           "ts DATETIME, tr TIMESTAMP, flag BOOLEAN)"));
  ASSERT_OK(conn_->Execute("INSERT INTO " + t +
                           " VALUES "
                           "(1, X'00FF10', 12.5, 1714521600, 1714564800, 2460432.25, 1), "
                           "(2, NULL, 42, '2024-02-29', '2024-02-29 23:59:59.5', '2024-02-29T01:02:03Z', 0), "
                           "(3, NULL, NULL, NULL, NULL, NULL, NULL)"));
  auto l = OpenLake();
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), Table(), Quiet()));
  EXPECT_EQ(s.zero_dates, 0);
  EXPECT_EQ(
      LakeRows(l.get(), "id", "id, hex(bl), n, d, ts, tr, flag"),
      (std::vector<std::string>{"1|00FF10|12.5|2024-05-01|2024-05-01 12:00:00+00|2024-05-01 18:00:00+00|true",
                                "2|NULL|42|2024-02-29|2024-02-29 23:59:59.5+00|2024-02-29 01:02:03+00|false",
                                "3|NULL|NULL|NULL|NULL|NULL|NULL"}));
  auto types = LakeTypes(l.get());
  EXPECT_EQ(types["bl"], "BLOB");
  EXPECT_EQ(types["n"], "VARCHAR");
  EXPECT_EQ(types["d"], "DATE");
  EXPECT_EQ(types["tr"], "TIMESTAMP WITH TIME ZONE");
  ASSERT_OK(conn_->Execute("INSERT INTO " + t + " (id, flag) VALUES (4, 2)"));
  auto failed = ImportTable(l.get(), Source(), Table(), Quiet());
  ASSERT_FALSE(failed.ok());
  EXPECT_NE(
      failed.status().message().find("column flag (boolean, read as BOOLEAN): value 2 is neither 0 nor 1"),
      std::string::npos)
      << failed.status().ToString();
}

// A SQLite DECIMAL(12,2) column (NUMERIC affinity) stores what it is given,
// as REAL when it looks like a number: a value that does not fit is an error
// naming the row key, never stored as DECIMAL(12,2) out of range or rounded
// (0.005 was read as 0.01); a timestamp with "Z" in a Europe/Berlin source
// keeps its instant. Every bad column is named in one run.
TEST_P(SqliteImport, NativeDecimalsAreCheckedAndZonedTextKeepsItsInstant) {
  const std::string t = conn_->QuoteIdentifier(table_);
  ASSERT_OK(conn_->Execute("CREATE TABLE " + t +
                           " (id INTEGER PRIMARY KEY, price DECIMAL(12,2), ts TIMESTAMP, n INT)"));
  ASSERT_OK(conn_->Execute("INSERT INTO " + t + " VALUES (1, '12.34', '2025-01-15T08:00:00Z', 1), " +
                           "(2, '12345678901.23', '2025-01-15 08:00:00', 2), (3, '0.005', NULL, 'three')"));
  auto l = OpenLake();
  SourceSpec source = Source();
  source.timezone = "Europe/Berlin";
  auto failed = ImportTable(l.get(), source, Table(), Quiet());
  ASSERT_FALSE(failed.ok());
  const std::string m = failed.status().message();
  EXPECT_EQ(failed.status().code(), StatusCode::kSourceError) << m;
  EXPECT_NE(m.find("2 columns hold values that cannot be stored"), std::string::npos) << m;
  EXPECT_NE(
      m.find("column price: 2 values cannot be stored; the first: row 2 (key id=2) of split all rows: column "
             "price (decimal(12,2)): '12345678901.23' does not fit DECIMAL(12,2)"),
      std::string::npos)
      << m;
  EXPECT_NE(m.find("column n: 1 value cannot be stored; the first: row 3 (key id=3)"), std::string::npos)
      << m;
  EXPECT_NE(m.find("'three'"), std::string::npos) << m;

  ASSERT_OK(conn_->Execute("UPDATE " + t + " SET price = 0.01 WHERE id IN (2, 3)"));
  ASSERT_OK(conn_->Execute("UPDATE " + t + " SET n = 3 WHERE id = 3"));
  ASSERT_OK(ImportTable(l.get(), source, Table(), Quiet()));
  EXPECT_EQ(LakeRows(l.get(), "id"),
            (std::vector<std::string>{"1|12.34|2025-01-15 08:00:00+00|1", "2|0.01|2025-01-15 07:00:00+00|2",
                                      "3|0.01|NULL|3"}));
  EXPECT_EQ(LakeTypes(l.get())["price"], "DECIMAL(12,2)");
}

// Wide rows: parts are cut by bytes as well as rows, so a table of 100 KB
// values cannot fill memory with batch_rows of them.
TEST_P(SqliteImport, WideRowsArePartedByBytes) {
  using T = db::SqlType;
  db::TableDef def{table_, {{"id", T::kBigInt, false, true}, {"body", T::kText}}};
  ASSERT_OK(conn_->CreateTable(def, true));
  std::vector<std::vector<db::Value>> rows;
  for (int i = 1; i <= 100; ++i)
    rows.push_back({int64_t{i}, std::string(100000, static_cast<char>('a' + i % 26))});
  InsertRows(def, rows);
  auto l = OpenLake();
  TableOptions o = Table();
  o.batch_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto s, ImportTable(l.get(), Source(), o, Quiet()));
  EXPECT_EQ(s.rows, 100);
  ASSERT_OK_AND_ASSIGN(auto files, l->CommittedFiles(lake::DatasetId::Raw("src/" + table_)));
  EXPECT_GE(files.size(), 9u);
  for (const auto& f : files) EXPECT_LE(f.row_count, 11) << f.path;  // 11 x 100 KB >= 1 MiB
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SqliteImport,
                         ::testing::Values(SourceParam{"sqlite",
                                                       [](const std::string& dir, std::string*) {
                                                         return "sqlite:" + dir + "/source.db";
                                                       }}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace custlake::importer::testing
