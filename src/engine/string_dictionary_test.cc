#include "engine/string_dictionary.h"

#include <gtest/gtest.h>

#include <string>

namespace custlake::engine {
namespace {

TEST(StringDictionaryTest, GivesEachDistinctValueOneIndexInFirstSeenOrder) {
  StringDictionary d;
  EXPECT_EQ(d.Index("login"), 0);
  EXPECT_EQ(d.Index("page_view"), 1);
  EXPECT_EQ(d.Index("login"), 0);
  EXPECT_EQ(d.Index(""), 2);
  EXPECT_EQ(d.Index("a value of exactly sixteen+"), 3);
  EXPECT_EQ(d.Index("page_view"), 1);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d.value(1), "page_view");
  EXPECT_EQ(d.value(2), "");
  EXPECT_EQ(d.value(3).data()[d.value(3).size()], '\0');  // a C string for the ENUM
  EXPECT_FALSE(d.closed());
}

TEST(StringDictionaryTest, ClosesAtTheFirstValueItCannotKeepUntilCleared) {
  for (const std::string& bad : {std::string(StringDictionary::kMaxValueBytes + 1, 'x'), std::string("a\0b", 3)}) {
    StringDictionary d;
    EXPECT_EQ(d.Index("ios"), 0);
    EXPECT_EQ(d.Index(bad), -1);
    EXPECT_TRUE(d.closed());
    EXPECT_EQ(d.Index("ios"), -1) << "a closed dictionary looks nothing up";
    d.Clear();
    EXPECT_FALSE(d.closed());
    EXPECT_EQ(d.size(), 0u);
    EXPECT_EQ(d.Index("android"), 0);
  }
}

TEST(StringDictionaryTest, HoldsAtMostMaxValues) {
  StringDictionary d;
  for (size_t i = 0; i < StringDictionary::kMaxValues; i++) {
    ASSERT_EQ(d.Index("v" + std::to_string(i)), static_cast<int32_t>(i));
  }
  EXPECT_EQ(d.Index("v17"), 17);  // still open: every value so far is in it
  EXPECT_FALSE(d.closed());
  EXPECT_EQ(d.Index("one more"), -1);
  EXPECT_TRUE(d.closed());
  EXPECT_EQ(d.size(), StringDictionary::kMaxValues);
}

}  // namespace
}  // namespace custlake::engine
