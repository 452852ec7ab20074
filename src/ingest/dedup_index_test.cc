#include "ingest/dedup_index.h"

#include <gtest/gtest.h>

#include <string>

namespace custlake::ingest {
namespace {

TEST(DedupIndex, InsertContainsEraseGrow) {
  DedupIndex idx;
  for (int i = 0; i < 200000; i++) EXPECT_TRUE(idx.Insert(KeyFingerprint("k" + std::to_string(i))));
  for (int i = 0; i < 200000; i++) EXPECT_FALSE(idx.Insert(KeyFingerprint("k" + std::to_string(i))));
  EXPECT_EQ(idx.size(), 200000u);
  for (int i = 0; i < 200000; i += 2) idx.Erase(KeyFingerprint("k" + std::to_string(i)));
  for (int i = 0; i < 200000; i++) EXPECT_EQ(idx.Contains(KeyFingerprint("k" + std::to_string(i))), i % 2 == 1) << i;
  EXPECT_EQ(idx.size(), 100000u);
}

TEST(DedupIndex, FingerprintDiffers) {
  EXPECT_NE(KeyFingerprint("a"), KeyFingerprint("b"));
  EXPECT_NE(KeyFingerprint(""), 0u);
  EXPECT_NE(KeyFingerprint("12345678"), KeyFingerprint("123456780"));
}

}  // namespace
}  // namespace custlake::ingest
