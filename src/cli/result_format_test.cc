#include "cli/result_format.h"

#include <gtest/gtest.h>

namespace custlake::cli {
namespace {

engine::QueryResult Sample() {
  engine::QueryResult r;
  r.columns = {"name", "n", "ok"};
  r.types = {"VARCHAR", "DECIMAL(10,2)", "BOOLEAN"};
  r.kinds = {engine::ValueKind::kText, engine::ValueKind::kFloat, engine::ValueKind::kBoolean};
  r.rows = {{"a,\"b\"", "12.50", "true"}, {"", "", "false"}};
  r.nulls = {{false, false, false}, {false, true, false}};
  return r;
}

TEST(ResultFormatTest, CsvQuotesAndLeavesNullsEmpty) {
  EXPECT_EQ(FormatCsv(Sample()), "name,n,ok\r\n\"a,\"\"b\"\"\",12.50,true\r\n,,false\r\n");
}

TEST(ResultFormatTest, JsonKeepsTypes) {
  nlohmann::json rows = ToJsonRows(Sample());
  EXPECT_EQ(rows[0]["n"], 12.5);
  EXPECT_EQ(rows[0]["ok"], true);
  EXPECT_TRUE(rows[1]["n"].is_null());
  EXPECT_EQ(rows[1]["name"], "");
}

TEST(ResultFormatTest, TableShowsHeaderTypesAndCount) {
  std::string t = FormatTable(Sample());
  EXPECT_NE(t.find("│ name"), std::string::npos);
  EXPECT_NE(t.find("DECIMAL(10,2)"), std::string::npos);
  EXPECT_NE(t.find("NULL"), std::string::npos);
  EXPECT_NE(t.find("2 rows"), std::string::npos);
}

}  // namespace
}  // namespace custlake::cli
