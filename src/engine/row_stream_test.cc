#include "engine/row_stream.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
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

}  // namespace
}  // namespace custlake::engine
