#include "ingest/landing_queue.h"

#include <gtest/gtest.h>

namespace custlake::ingest {
namespace {

LandingFile F(const std::string& name, int64_t size) { return {"/landing/" + name, name, size, 1}; }

TEST(LandingQueue, BoundedByFilesAndBytesAndNeverTwice) {
  LandingQueue q(3, 100);
  EXPECT_TRUE(q.TryPush(F("a", 10)));
  EXPECT_TRUE(q.TryPush(F("a", 10)));  // already queued: not again
  EXPECT_EQ(q.queued_files(), 1u);
  EXPECT_TRUE(q.TryPush(F("b", 10)));
  EXPECT_TRUE(q.TryPush(F("c", 10)));
  EXPECT_FALSE(q.TryPush(F("d", 10)));  // 3 files: full
  auto taken = q.Take(15);              // up to 15 bytes: a only
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].name, "a");
  EXPECT_TRUE(q.Contains("/landing/a"));  // being ingested: still known
  EXPECT_TRUE(q.TryPush(F("a", 10)));     // so not queued again
  EXPECT_EQ(q.queued_files(), 2u);
  q.Done(taken);
  EXPECT_FALSE(q.Contains("/landing/a"));
  EXPECT_FALSE(q.TryPush(F("e", 90)));  // 20 + 90 bytes > 100
  EXPECT_TRUE(q.TryPush(F("e", 80)));
  EXPECT_EQ(q.queued_bytes(), 100);
  auto rest = q.Take(1000);
  EXPECT_EQ(rest.size(), 3u);
  q.Done(rest);
  // An empty queue takes one file, however large.
  EXPECT_TRUE(q.TryPush(F("huge", 5000)));
  EXPECT_EQ(q.Take(1).size(), 1u);
}

}  // namespace
}  // namespace custlake::ingest
