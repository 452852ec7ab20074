#include "clv/dates.h"

#include <gtest/gtest.h>

namespace custlake::clv {
namespace {

TEST(Dates, ParsesTheThreeFormsToTheSameDay) {
  EXPECT_EQ(ParseDay("1970-01-01"), 0);
  EXPECT_EQ(ParseDay("19970101"), ParseDay("1997-01-01"));
  EXPECT_EQ(ParseDay("1997/01/01"), ParseDay("1997-01-01"));
  EXPECT_EQ(ParseDay("1997-01-01T10:00:00"), ParseDay("1997-01-01"));
  EXPECT_EQ(*ParseDay("1997-09-30") - *ParseDay("1997-01-01"), 272);
  EXPECT_EQ(*ParseDay("2000-03-01") - *ParseDay("2000-02-28"), 2);  // leap year
}

TEST(Dates, RejectsWhatIsNotADay) {
  for (const char* bad :
       {"", "1997-13-01", "1997-02-29", "19970230", "1997-1-1", "abc", "1997-01-01x", "97-01-01"}) {
    EXPECT_FALSE(ParseDay(bad).has_value()) << bad;
  }
}

TEST(Dates, FormatsBack) {
  for (const char* d : {"1970-01-01", "1997-09-30", "2000-02-29", "1969-12-31", "2026-12-06"}) {
    EXPECT_EQ(FormatDay(*ParseDay(d)), d);
  }
}

TEST(Dates, UnitsAndSuffixes) {
  EXPECT_EQ(*ParseTimeUnit("weeks"), TimeUnit::kWeek);
  EXPECT_FALSE(ParseTimeUnit("fortnight").ok());
  EXPECT_DOUBLE_EQ(DaysPerUnit(TimeUnit::kMonth), 30.4375);
  EXPECT_EQ(HorizonSuffix(52, TimeUnit::kWeek), "52w");
  EXPECT_EQ(HorizonSuffix(12, TimeUnit::kMonth), "12m");
}

}  // namespace
}  // namespace custlake::clv
