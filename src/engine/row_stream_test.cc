#include "engine/row_stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>

#include "engine/engine.h"
#include "support/status_testing.h"

namespace custlake::engine {
namespace {

namespace fs = std::filesystem;

// An ENUM column's index type grows with its values (UTINYINT, USMALLINT,
// UINTEGER): each size reads back as the right text from Parquet.
TEST(RowStreamTest, EnumColumnsWriteTheirValuesAsTextAtEveryIndexWidth) {
  const fs::path dir = fs::temp_directory_path() / ("custlake-row-stream-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ASSERT_OK_AND_ASSIGN(auto stream, RowStream::Open("256MB", 1));
  for (size_t values : {3u, 300u, 70000u}) {
    ColumnSpec file{"file", ColumnType::kEnum};
    for (size_t i = 0; i < values; i++) file.enum_values.push_back("/landing/it's file " + std::to_string(i));
    const std::vector<ColumnSpec> columns = {{"n", ColumnType::kBigInt}, file};
    const std::string out = (dir / ("enum-" + std::to_string(values) + ".parquet")).string();
    auto copy = [&](int64_t day, int, size_t rows) {
      EXPECT_EQ(rows, values);  // the partition's row count, for the COPY's options
      return "COPY (SELECT * FROM custlake_rows(" + std::to_string(day) + ")) TO " + QuoteLiteral(out) +
             " (FORMAT parquet)";
    };
    ASSERT_OK(stream->Run(
        columns,
        [&](RowSink* sink) -> Status {
          for (size_t r = 0; r < values; r++) {
            RowBlock* b = sink->block(0);
            b->SetInt64(0, static_cast<int64_t>(r));
            if (r % 7 == 3) {
              b->SetNull(1);
            } else {
              b->SetInt64(1, static_cast<int64_t>(values - 1 - r));  // every index, the last one too
            }
            b->EndRow();
            sink->RowDone(0);
          }
          return Status::OK();
        },
        copy, 64 << 20));
    ASSERT_OK_AND_ASSIGN(auto db, Database::Open({}));
    ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
    ASSERT_OK_AND_ASSIGN(auto r, s->QueryText(
        "SELECT count(*), count(*) FILTER (WHERE file = '/landing/it''s file ' || (" + std::to_string(values) +
        " - 1 - n)), count(*) FILTER (WHERE file IS NULL), any_value(typeof(file)) FROM read_parquet(" +
        QuoteLiteral(out) + ")"));
    const size_t nulls = (values + 3) / 7;
    EXPECT_EQ(r.rows[0][0], std::to_string(values));
    EXPECT_EQ(r.rows[0][1], std::to_string(values - nulls)) << values << " values";
    EXPECT_EQ(r.rows[0][2], std::to_string(nulls));
    EXPECT_EQ(r.rows[0][3], "VARCHAR");
  }
  fs::remove_all(dir);
}


// A dictionary column reads back as the same text whichever way a COPY
// takes it: as an ENUM of the part's dictionary where a partition has at
// least 5 rows per value (its Parquet statistics then span the whole
// dictionary), as text where it has fewer, and as text once the dictionary
// closed (indexes and plain text in one column).
TEST(RowStreamTest, DictionaryColumnsReadBackAsTheirTextInEveryForm) {
  const fs::path dir = fs::temp_directory_path() / ("custlake-row-stream-dict-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  ASSERT_OK_AND_ASSIGN(auto stream, RowStream::Open("256MB", 1));
  ColumnSpec kind{"kind", ColumnType::kVarchar};
  kind.dictionary = true;
  ColumnSpec id{"id", ColumnType::kVarchar};
  id.dictionary = true;
  const std::vector<ColumnSpec> columns = {{"n", ColumnType::kBigInt}, kind, id};
  const size_t big = StringDictionary::kMaxValues + 1000;  // ids close their dictionary
  const std::map<int64_t, size_t> rows_per_day = {{0, big}, {1, 100}, {2, 3}};
  auto file = [&](int64_t day) { return (dir / ("day" + std::to_string(day) + ".parquet")).string(); };
  auto copy = [&](int64_t day, int, size_t) {
    return "COPY (SELECT * FROM custlake_rows(" + std::to_string(day) + ")) TO " + QuoteLiteral(file(day)) +
           " (FORMAT parquet)";
  };
  ASSERT_OK(stream->Run(
      columns,
      [&](RowSink* sink) -> Status {
        for (const auto& [day, rows] : rows_per_day) {
          for (size_t r = 0; r < rows; r++) {
            RowBlock* b = sink->block(day);
            b->SetInt64(0, static_cast<int64_t>(r));
            if (day == 0 && r % 10 == 9) {
              b->SetNull(1);
            } else {
              b->SetString(1, day == 0 ? (r % 2 == 0 ? "b" : "a") : "c");
            }
            b->SetString(2, "id-" + std::to_string(day) + "-" + std::to_string(r));
            b->EndRow();
            sink->RowDone(day);
          }
        }
        return Status::OK();
      },
      copy, 64 << 20));
  ASSERT_OK_AND_ASSIGN(auto db, Database::Open({}));
  ASSERT_OK_AND_ASSIGN(auto s, db->Connect());
  for (const auto& [day, rows] : rows_per_day) {
    const std::string d = std::to_string(day);
    const std::string expected_kind =
        day == 0 ? "CASE WHEN n % 10 = 9 THEN NULL WHEN n % 2 = 0 THEN 'b' ELSE 'a' END" : "'c'";
    ASSERT_OK_AND_ASSIGN(
        auto r, s->QueryText("SELECT count(*), count(*) FILTER (WHERE kind IS NOT DISTINCT FROM " + expected_kind +
                             "), count(*) FILTER (WHERE id = 'id-" + d + "-' || n), any_value(typeof(kind)) FROM read_parquet(" +
                             QuoteLiteral(file(day)) + ")"));
    EXPECT_EQ(r.rows[0][0], std::to_string(rows)) << "day " << d;
    EXPECT_EQ(r.rows[0][1], std::to_string(rows)) << "day " << d;
    EXPECT_EQ(r.rows[0][2], std::to_string(rows)) << "day " << d;
    EXPECT_EQ(r.rows[0][3], "VARCHAR");
  }
  // Day 1 (100 rows of "c") took the ENUM of the dictionary {b, a, c}; day 2
  // (3 rows) took its text.
  auto kind_stats = [&](int64_t day) -> std::string {
    auto r = s->QueryText("SELECT stats_min_value || '..' || stats_max_value FROM parquet_metadata(" +
                          QuoteLiteral(file(day)) + ") WHERE path_in_schema = 'kind'");
    return r.ok() && !r->rows.empty() ? r->rows[0][0] : r.status().ToString();
  };
  EXPECT_EQ(kind_stats(1), "a..c");
  EXPECT_EQ(kind_stats(2), "c..c");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace custlake::engine
