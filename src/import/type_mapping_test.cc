#include "import/type_mapping.h"

#include <gtest/gtest.h>

#include "support/status_testing.h"

namespace custlake::importer {
namespace {

TEST(TypeMappingTest, ParsesDates) {
  int32_t d = 0;
  ASSERT_TRUE(ParseDateDays("1970-01-01", &d));
  EXPECT_EQ(d, 0);
  ASSERT_TRUE(ParseDateDays("2024-02-29", &d));
  EXPECT_EQ(d, 19782);
  ASSERT_TRUE(ParseDateDays("0001-01-01", &d));
  EXPECT_EQ(d, -719162);
  EXPECT_FALSE(ParseDateDays("2023-02-29", &d));
  EXPECT_FALSE(ParseDateDays("0000-00-00", &d));
  EXPECT_FALSE(ParseDateDays("2024-1-01", &d));
}

TEST(TypeMappingTest, ParsesTimestamps) {
  int64_t us = 0;
  ASSERT_TRUE(ParseTimestampMicros("1970-01-01 00:00:01", &us));
  EXPECT_EQ(us, 1000000);
  ASSERT_TRUE(ParseTimestampMicros("1969-12-31 23:59:59.5", &us));
  EXPECT_EQ(us, -500000);
  ASSERT_TRUE(ParseTimestampMicros("2024-05-01T12:00:00.000001Z", &us));
  EXPECT_EQ(us, 1714564800000001);
  ASSERT_TRUE(ParseTimestampMicros("2024-05-01", &us));
  EXPECT_FALSE(ParseTimestampMicros("0000-00-00 00:00:00", &us));
}

// Every form keeps its instant: "Z" and an offset (±HH:MM, ±HHMM, ±HH) name
// it; text without one is the wall-clock time, which the caller reads in the
// source's zone (has_offset false).
TEST(TypeMappingTest, TimestampsWithAnOffsetKeepTheirInstant) {
  constexpr int64_t k8Utc = 1736928000000000;  // 2025-01-15 08:00:00 UTC
  struct Case {
    const char* text;
    int64_t micros;
    bool offset;
  };
  const Case cases[] = {
      {"2025-01-15T08:00:00Z", k8Utc, true},
      {"2025-01-15 08:00:00z", k8Utc, true},
      {"2025-01-15 10:00:00+02:00", k8Utc, true},
      {"2025-01-15 10:00:00+0200", k8Utc, true},
      {"2025-01-15 10:00:00+02", k8Utc, true},
      {"2025-01-15T03:30:00-04:30", k8Utc, true},
      {"2025-01-15 10:00:00 +02:00", k8Utc, true},
      {"2025-01-15 09:00:00.250+01:00", k8Utc + 250000, true},
      {"2025-01-15 08:00:00.1234567", k8Utc + 123456, false},
      {"2025-01-15 08:00:00", k8Utc, false},
      {"2025-01-15T08:00", k8Utc, false},
      {"2025-01-15", k8Utc - 8 * 3600000000LL, false},
      {"2025-01-15 01:00:00-07:00", k8Utc, true},
  };
  for (const Case& c : cases) {
    int64_t us = 0;
    bool offset = !c.offset;
    ASSERT_TRUE(ParseTimestampMicros(c.text, &us, &offset)) << c.text;
    EXPECT_EQ(us, c.micros) << c.text;
    EXPECT_EQ(offset, c.offset) << c.text;
  }
  int64_t us = 0;
  for (const char* bad : {"2025-01-15 08:00:00+2", "2025-01-15 08:00:00+02:0", "2025-01-15 08:00:00 UTC",
                          "2025-01-15 08:00:00+16:00", "2025-01-15 24:00:00", "2025-01-15X08:00:00",
                          "2025-01-15 08:00:00.", "2025-01-15Z"}) {
    EXPECT_FALSE(ParseTimestampMicros(bad, &us)) << bad;
  }
  EXPECT_EQ(FormatTimestampMicros(k8Utc + 5), "2025-01-15 08:00:00.000005");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31 23:59:59.999999");
}

TEST(TypeMappingTest, CountsDecimalDigits) {
  DecimalDigits d;
  ASSERT_TRUE(CountDecimalDigits("12345678901.23", &d));
  EXPECT_EQ(d.integer, 11);
  EXPECT_EQ(d.fraction, 2);
  ASSERT_TRUE(CountDecimalDigits("-000.00500", &d));
  EXPECT_EQ(d.integer, 0);
  EXPECT_EQ(d.fraction, 3);
  ASSERT_TRUE(CountDecimalDigits("+7", &d));
  EXPECT_EQ(d.integer, 1);
  EXPECT_EQ(d.fraction, 0);
  EXPECT_FALSE(CountDecimalDigits("1e5", &d));
  EXPECT_FALSE(CountDecimalDigits("-", &d));
  EXPECT_FALSE(CountDecimalDigits("1.2.3", &d));
}

TEST(TypeMappingTest, ParsesDecimalsExactly) {
  int64_t v = 0;
  ASSERT_TRUE(ParseDecimalUnscaled("-12.5", 2, &v));
  EXPECT_EQ(v, -1250);
  ASSERT_TRUE(ParseDecimalUnscaled("999999999999999.999", 3, &v));
  EXPECT_EQ(v, 999999999999999999);
  ASSERT_TRUE(ParseDecimalUnscaled("1.500", 1, &v));
  EXPECT_EQ(v, 15);
  EXPECT_FALSE(ParseDecimalUnscaled("1.25", 1, &v));
  EXPECT_FALSE(ParseDecimalUnscaled("1e5", 0, &v));
  EXPECT_FALSE(ParseDecimalUnscaled("9999999999999999999", 0, &v));
}

TEST(TypeMappingTest, TargetTypes) {
  ASSERT_OK_AND_ASSIGN(auto t, ParseTargetType("decimal(12, 2)"));
  EXPECT_EQ(t, "DECIMAL(12,2)");
  ASSERT_OK_AND_ASSIGN(t, ParseTargetType("timestamp"));
  EXPECT_EQ(t, "TIMESTAMPTZ");
  EXPECT_NOT_OK(ParseTargetType("DECIMAL(50,2)"));
  EXPECT_NOT_OK(ParseTargetType("FLOAT8X"));
}

TEST(TypeMappingTest, PlansWideDecimalsAndUnsigned) {
  db::ColumnInfo wide{"amount", "decimal", db::SqlType::kDecimal, true, 30, 4, false};
  ASSERT_OK_AND_ASSIGN(auto p, PlanColumn(wide, db::DatabaseUrl::Kind::kPostgres, ""));
  EXPECT_EQ(p.lake_type, "DECIMAL(30,4)");
  EXPECT_EQ(p.stage.type, engine::ColumnType::kVarchar);
  db::ColumnInfo ub{"id", "bigint", db::SqlType::kDecimal, false, 20, 0, true};
  ASSERT_OK_AND_ASSIGN(p, PlanColumn(ub, db::DatabaseUrl::Kind::kMariaDB, ""));
  EXPECT_EQ(p.stage.type, engine::ColumnType::kUBigInt);
  db::ColumnInfo blob{"b", "bytea", db::SqlType::kText, true, 0, 0, false};
  ASSERT_OK_AND_ASSIGN(p, PlanColumn(blob, db::DatabaseUrl::Kind::kPostgres, ""));
  EXPECT_EQ(p.stage.type, engine::ColumnType::kBlob);
}

}  // namespace
}  // namespace custlake::importer
