#include "import/source_sql.h"

#include <gtest/gtest.h>

#include "support/status_testing.h"

namespace custlake::importer {
namespace {

TEST(SourceSqlTest, Literals) {
  using K = db::DatabaseUrl::Kind;
  EXPECT_EQ(SourceLiteral(K::kSqlite, db::Value{int64_t{5}}), "5");
  EXPECT_EQ(SourceLiteral(K::kPostgres, db::Value{std::string("it's\\")}), "'it''s\\'");
  EXPECT_EQ(SourceLiteral(K::kMariaDB, db::Value{std::string("it's\\")}), "'it''s\\\\'");
  // Numbers of numeric columns stay bare (exact comparison on the source);
  // anything that is not a plain number is still quoted.
  using T = db::SqlType;
  EXPECT_EQ(ColumnLiteral(K::kMariaDB, T::kDecimal, db::Value{std::string("18446744073709551615")}),
            "18446744073709551615");
  EXPECT_EQ(ColumnLiteral(K::kPostgres, T::kDecimal, db::Value{std::string("-12.50")}), "-12.50");
  EXPECT_EQ(ColumnLiteral(K::kMariaDB, T::kDouble, db::Value{1e300}), "1.0000000000000001e+300");
  EXPECT_EQ(ColumnLiteral(K::kPostgres, T::kDouble, db::Value{std::string("NaN")}), "'NaN'");
  EXPECT_EQ(ColumnLiteral(K::kMariaDB, T::kDecimal, db::Value{std::string("1; DROP TABLE x")}),
            "'1; DROP TABLE x'");
  EXPECT_EQ(ColumnLiteral(K::kMariaDB, T::kText, db::Value{std::string("42")}), "'42'");
}

TEST(SourceSqlTest, Conditions) {
  EXPECT_EQ(WithConditions("SELECT * FROM t WHERE $CONDITIONS", ""), "SELECT * FROM t WHERE (1=1)");
  EXPECT_EQ(WithConditions("SELECT * FROM t WHERE $CONDITIONS AND $CONDITIONS", "a > 1"),
            "SELECT * FROM t WHERE (a > 1) AND (a > 1)");
}

TEST(SourceSqlTest, SkewedSplitsUseQuantiles) {
  ASSERT_OK_AND_ASSIGN(auto url, db::DatabaseUrl::Parse("sqlite::memory:"));
  ASSERT_OK_AND_ASSIGN(auto conn, db::Connection::Open(url));
  ASSERT_OK(conn->Execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"));
  // 1..900 dense, then 100 ids spread up to 10^9: min/max arithmetic would put 90% in one split.
  ASSERT_OK(conn->Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900) "
                          "INSERT INTO t SELECT i, 'x' FROM n"));
  ASSERT_OK(conn->Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
                          "INSERT INTO t SELECT i * 10000000, 'y' FROM n"));
  ASSERT_OK_AND_ASSIGN(auto pk, PrimaryKey(conn.get(), "t"));
  ASSERT_EQ(pk, std::vector<std::string>{"id"});
  for (bool indexed : {false, true}) {  // NTILE, then the COUNT + LIMIT/OFFSET probes
    ASSERT_OK_AND_ASSIGN(auto splits,
                         ComputeSplits(conn.get(), "SELECT * FROM t WHERE $CONDITIONS", "id", "", 4, indexed));
    ASSERT_EQ(splits.size(), 4u);
    for (const Split& s : splits) {
      ASSERT_OK_AND_ASSIGN(auto stream, conn->Query("SELECT count(*) FROM t WHERE " + s.condition));
      std::vector<db::Value> row;
      ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
      ASSERT_TRUE(more);
      EXPECT_EQ(std::get<int64_t>(row[0]), 250) << s.description << (indexed ? " (probes)" : " (ntile)");
    }
  }
}

TEST(SourceSqlTest, ProbeSplitsMatchNtileWithRemaindersNullsAndFewRows) {
  ASSERT_OK_AND_ASSIGN(auto url, db::DatabaseUrl::Parse("sqlite::memory:"));
  ASSERT_OK_AND_ASSIGN(auto conn, db::Connection::Open(url));
  ASSERT_OK(conn->Execute("CREATE TABLE t (id INTEGER, v TEXT)"));
  // 10 rows (3 buckets of 4/3/3), duplicates and a NULL.
  ASSERT_OK(conn->Execute("INSERT INTO t VALUES (NULL,'n'),(1,'a'),(2,'b'),(2,'c'),(3,'d'),(5,'e'),(8,'f'),"
                          "(9,'g'),(9,'h'),(12,'i'),(20,'j')"));
  const std::string base = "SELECT * FROM t WHERE $CONDITIONS";
  for (int mappers : {2, 3, 4, 20}) {
    ASSERT_OK_AND_ASSIGN(auto ntile, ComputeSplits(conn.get(), base, "id", "id < 100", mappers, false));
    ASSERT_OK_AND_ASSIGN(auto probes, ComputeSplits(conn.get(), base, "id", "id < 100", mappers, true));
    ASSERT_EQ(ntile.size(), probes.size()) << mappers;
    for (size_t i = 0; i < ntile.size(); ++i) EXPECT_EQ(ntile[i].condition, probes[i].condition) << mappers;
  }
  ASSERT_OK(conn->Execute("DELETE FROM t WHERE id IS NOT NULL"));
  ASSERT_OK_AND_ASSIGN(auto none, ComputeSplits(conn.get(), base, "id", "", 4, true));
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(none[0].condition, "1=1");
}

}  // namespace
}  // namespace custlake::importer
