#include "ingest/timestamp_parse.h"

#include <gtest/gtest.h>

namespace custlake::ingest {
namespace {

constexpr int64_t kBase = 1735732800LL * 1000000LL;  // 2025-01-01T12:00:00Z

TEST(TimestampParse, IsoVariants) {
  EXPECT_EQ(ParseTimestampMicros("2025-01-01T12:00:00Z"), kBase);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01 12:00:00"), kBase);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01T14:00:00+02:00"), kBase);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01T07:00:00-05:00"), kBase);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01T17:30:00+0530"), kBase);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01T12:00:00.123456Z"), kBase + 123456);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01T12:00:00.5Z"), kBase + 500000);
  EXPECT_EQ(ParseTimestampMicros("2025-01-01"), kBase - 12LL * 3600 * 1000000);
}

TEST(TimestampParse, Epochs) {
  EXPECT_EQ(ParseTimestampMicros("1735732800"), kBase);
  EXPECT_EQ(ParseTimestampMicros("1735732800000"), kBase);
  EXPECT_EQ(EpochIntegerToMicros(1735732800), kBase);
  EXPECT_EQ(EpochIntegerToMicros(1735732800000), kBase);
  EXPECT_EQ(EpochNumberToMicros(1735732800.5), kBase + 500000);
}

TEST(TimestampParse, Rejects) {
  for (const char* bad : {"yesterday", "", "2025-13-01", "2025-02-30T00:00:00Z", "2025-01-01T25:00:00Z",
                          "2025-01-01T12:00:00+xx", "12x45", "NaN", "2025"}) {
    if (std::string(bad) == "2025") continue;  // an epoch number: valid
    EXPECT_FALSE(ParseTimestampMicros(bad).has_value()) << bad;
  }
}

// The range is checked after the offset is applied: these are outside
// 0001..9999 in UTC, however valid their local text looks.
TEST(TimestampParse, OutOfRangeAfterOffset) {
  for (const char* bad : {"9999-12-31T23:30:00-01:00", "0001-01-01T00:30:00+01:00", "9999-12-31T23:59:60Z",
                          "0001-01-01T00:00:00+00:01"}) {
    EXPECT_FALSE(ParseTimestampMicros(bad).has_value()) << bad;
    EXPECT_FALSE(ParseDateDays(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseTimestampMicros("9999-12-31T23:30:00+01:00").has_value());
  EXPECT_TRUE(ParseTimestampMicros("0001-01-01T00:30:00-01:00").has_value());
  EXPECT_TRUE(ParseTimestampMicros("9999-12-31T23:59:59.999999Z").has_value());
  char buf[11];
  FormatDate(*ParseDateDays("9999-12-31T23:59:59Z"), buf);
  EXPECT_STREQ(buf, "9999-12-31");
  FormatDate(*ParseDateDays("0001-01-01"), buf);
  EXPECT_STREQ(buf, "0001-01-01");
}

TEST(TimestampParse, Dates) {
  char buf[11];
  FormatDate(0, buf);
  EXPECT_STREQ(buf, "1970-01-01");
  FormatDate(MicrosToDays(kBase), buf);
  EXPECT_STREQ(buf, "2025-01-01");
  EXPECT_EQ(MicrosToDays(-1), -1);
}

}  // namespace
}  // namespace custlake::ingest
