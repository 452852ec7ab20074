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
  ASSERT_OK_AND_ASSIGN(auto splits, ComputeSplits(conn.get(), "SELECT * FROM t WHERE $CONDITIONS", "id", "", 4));
  ASSERT_EQ(splits.size(), 4u);
  for (const Split& s : splits) {
    ASSERT_OK_AND_ASSIGN(auto stream, conn->Query("SELECT count(*) FROM t WHERE " + s.condition));
    std::vector<db::Value> row;
    ASSERT_OK_AND_ASSIGN(bool more, stream->Next(&row));
    ASSERT_TRUE(more);
    EXPECT_EQ(std::get<int64_t>(row[0]), 250) << s.description;
  }
}

}  // namespace
}  // namespace custlake::importer
