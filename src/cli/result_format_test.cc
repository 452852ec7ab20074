#include "cli/result_format.h"

#include <gtest/gtest.h>

#include "cli/display_width.h"

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

engine::QueryResult OneColumn(const std::string& type, engine::ValueKind kind,
                              std::vector<std::string> values) {
  engine::QueryResult r;
  r.columns = {"v"};
  r.types = {type};
  r.kinds = {kind};
  for (std::string& v : values) {
    r.rows.push_back({std::move(v)});
    r.nulls.push_back({false});
  }
  return r;
}

// NULL is an empty unquoted field, the empty string "" (as PostgreSQL's COPY
// CSV writes them); lines end with LF, so `$(custlake query ...)` works in sh.
TEST(ResultFormatTest, CsvQuotesTellsNullFromEmptyAndEndsLinesWithLf) {
  EXPECT_EQ(FormatCsv(Sample()), "name,n,ok\n\"a,\"\"b\"\"\",12.50,true\n\"\",,false\n");
}

TEST(ResultFormatTest, CsvWritesTheGivenNullTextAndQuotesAValueEqualToIt) {
  engine::QueryResult r = Sample();
  r.rows[0][0] = "NULL";
  EXPECT_EQ(FormatCsv(r, {"NULL", false}), "name,n,ok\n\"NULL\",12.50,true\n\"\",NULL,false\n");
  EXPECT_EQ(FormatCsv(r, {"", true}), "name,n,ok\r\nNULL,12.50,true\r\n\"\",,false\r\n");
  EXPECT_TRUE(UsableAsCsvNull("\\N"));
  EXPECT_FALSE(UsableAsCsvNull("a,b"));
}

TEST(ResultFormatTest, JsonKeepsTypes) {
  nlohmann::json rows = ToJsonRows(Sample());
  EXPECT_EQ(rows[0]["ok"], true);
  EXPECT_TRUE(rows[1]["n"].is_null());
  EXPECT_EQ(rows[1]["name"], "");
}

// Revenue reconciled to the cent prints to the cent: a double would print
// 12345678901234567.89 as 1.2345678901234568e+16.
TEST(ResultFormatTest, JsonKeepsDecimalsAndHugeIntegersExact) {
  nlohmann::json rows = ToJsonRows(
      OneColumn("DECIMAL(38,2)", engine::ValueKind::kFloat, {"12345678901234567.89", "12.50", "-0.01"}));
  EXPECT_EQ(rows.dump(), R"([{"v":"12345678901234567.89"},{"v":"12.50"},{"v":"-0.01"}])");

  rows = ToJsonRows(OneColumn("HUGEINT", engine::ValueKind::kInteger,
                              {"170141183460469231731687303715884105727", "9223372036854775807", "-3"}));
  EXPECT_EQ(rows.dump(),
            R"([{"v":"170141183460469231731687303715884105727"},{"v":9223372036854775807},{"v":-3}])");

  rows = ToJsonRows(OneColumn("UBIGINT", engine::ValueKind::kInteger, {"18446744073709551615"}));
  EXPECT_EQ(rows.dump(), R"([{"v":18446744073709551615}])");

  rows = ToJsonRows(OneColumn("DOUBLE", engine::ValueKind::kFloat, {"0.1", "1e+300", "inf"}));
  EXPECT_EQ(rows.dump(), R"([{"v":0.1},{"v":1e+300},{"v":"inf"}])");
}

TEST(ResultFormatTest, TableShowsHeaderTypesAndCount) {
  std::string t = FormatTable(Sample());
  EXPECT_NE(t.find("│ name"), std::string::npos);
  EXPECT_NE(t.find("DECIMAL(10,2)"), std::string::npos);
  EXPECT_NE(t.find("NULL"), std::string::npos);
  EXPECT_NE(t.find("2 rows"), std::string::npos);
}

/// The display width of each line of a table (without its row count).
std::vector<size_t> LineWidths(const std::string& table) {
  std::vector<size_t> widths;
  size_t start = 0;
  for (size_t end = table.find('\n'); end != std::string::npos;
       start = end + 1, end = table.find('\n', start)) {
    std::string line = table.substr(start, end - start);
    if (line.rfind("│", 0) == 0 || line.rfind("┌", 0) == 0 || line.rfind("├", 0) == 0 ||
        line.rfind("└", 0) == 0) {
      widths.push_back(DisplayWidth(line));
    }
  }
  return widths;
}

// CJK and emoji take two terminal columns: borders stay straight.
TEST(ResultFormatTest, TableBordersStayStraightWithWideAndControlCharacters) {
  engine::QueryResult r =
      OneColumn("VARCHAR", engine::ValueKind::kText,
                {"abc", "東京都", "😀 ok", "e\xCC\x81t\xC3\xA9", "two\nlines\tand\x1b[31m"});
  const std::string table = FormatTable(r);
  std::vector<size_t> widths = LineWidths(table);
  ASSERT_EQ(widths.size(), 10u) << table;
  for (size_t w : widths) EXPECT_EQ(w, widths[0]) << table;
  EXPECT_NE(table.find("two\\nlines\\tand\\x1b[31m"), std::string::npos) << table;
}

TEST(ResultFormatTest, DisplayWidthCountsTerminalColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("東京"), 4u);
  EXPECT_EQ(DisplayWidth("😀"), 2u);
  EXPECT_EQ(DisplayWidth("\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD"), 2u);  // thumbs up with a skin tone
  EXPECT_EQ(DisplayWidth("e\xCC\x81"), 1u);                         // e + combining acute
  EXPECT_EQ(DisplayWidth("ｱ"), 1u);                                 // halfwidth katakana
  EXPECT_EQ(DisplayWidth("Ａ"), 2u);                                // fullwidth A
  EXPECT_EQ(DisplayWidth("\xFF\xFE"), 2u);                          // not UTF-8: a column per byte
  EXPECT_EQ(CutToWidth("東京都庁", 6), "東京…");
  EXPECT_EQ(CutToWidth("東京都庁", 8), "東京都庁");
  EXPECT_EQ(CutToWidth("abcdef", 4), "abc…");
}

}  // namespace
}  // namespace custlake::cli
