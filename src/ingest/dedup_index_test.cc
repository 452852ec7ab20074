#include "ingest/dedup_index.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

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
  // Every byte of a key counts, whatever its length: keys one byte apart
  // (at each position, lengths 1 to 40) all differ.
  std::set<uint64_t> seen;
  size_t keys = 0;
  for (size_t len = 1; len <= 40; len++) {
    for (size_t pos = 0; pos < len; pos++) {
      std::string key(len, 'a');
      key[pos] = 'b';
      seen.insert(KeyFingerprint(key));
      keys++;
    }
    seen.insert(KeyFingerprint(std::string(len, 'a')));
    keys++;
  }
  EXPECT_EQ(seen.size(), keys);
}

}  // namespace
}  // namespace custlake::ingest

namespace custlake::ingest {
namespace {

// A lake stand-in: the committed keys per partition, and how often each
// partition was loaded.
struct FakeLake {
  std::map<int64_t, std::vector<uint64_t>> committed;
  std::map<int64_t, int> loads;
  PartitionedDedupIndex::Loader Loader() {
    return [this](int64_t day, DedupIndex* into) -> Status {
      loads[day]++;
      for (uint64_t fp : committed[day]) into->Insert(fp);
      return Status::OK();
    };
  }
};

TEST(PartitionedDedupIndex, LoadsOnFirstUseAndFindsCommittedKeys) {
  FakeLake lake;
  lake.committed[10] = {1, 2, 3};
  PartitionedDedupIndex index(lake.Loader(), 1000);
  EXPECT_FALSE(*index.Insert(10, 2));  // committed before
  EXPECT_TRUE(*index.Insert(10, 4));
  EXPECT_FALSE(*index.Insert(10, 4));  // within the batch
  EXPECT_TRUE(*index.Insert(11, 2));   // another partition: another scope
  EXPECT_EQ(lake.loads[10], 1);
  EXPECT_EQ(lake.loads[11], 1);
  EXPECT_EQ(index.keys(), 5u);
  index.Erase(10, 4);
  EXPECT_TRUE(*index.Insert(10, 4));
}

TEST(PartitionedDedupIndex, TrimKeepsMemoryWithinBudgetAndReloadsEvicted) {
  FakeLake lake;
  PartitionedDedupIndex index(lake.Loader(), 100);
  // 10 batches of 60 keys, each on its own day: the index never keeps more
  // than the budget between batches, and a duplicate of any earlier batch
  // (committed meanwhile) is still found after its partition was evicted.
  for (int64_t day = 0; day < 10; day++) {
    for (uint64_t k = 1; k <= 60; k++) {
      ASSERT_TRUE(*index.Insert(day, day * 1000 + k));
      lake.committed[day].push_back(day * 1000 + k);  // the batch commits
    }
    index.Trim();
    EXPECT_LE(index.keys(), 100u);
  }
  for (int64_t day = 0; day < 10; day++) {
    EXPECT_FALSE(*index.Insert(day, day * 1000 + 7)) << day;
    index.Trim();
    EXPECT_LE(index.keys(), 100u);
  }
  EXPECT_GE(lake.loads[0], 2);  // evicted, then reloaded from the lake
}

// Partitions touched in an open epoch (keys not yet in the lake or in a
// spilled part) are never evicted; once the epoch closes they may be.
TEST(PartitionedDedupIndex, OpenEpochsPinTheirPartitions) {
  FakeLake lake;
  PartitionedDedupIndex index(lake.Loader(), 10);
  index.SetEpoch(1);
  for (uint64_t k = 1; k <= 30; k++) ASSERT_TRUE(*index.Insert(1, k));
  index.SetEpoch(2);
  for (uint64_t k = 1; k <= 30; k++) ASSERT_TRUE(*index.Insert(2, k));
  index.Trim({1, 2});
  EXPECT_EQ(index.keys(), 60u);  // both open: over budget, nothing evicted
  for (uint64_t k = 1; k <= 30; k++) lake.committed[1].push_back(k);  // epoch 1's rows are durable now
  index.Trim({2});
  EXPECT_EQ(index.keys(), 30u);  // partition 1 evicted, 2 pinned
  EXPECT_EQ(index.partitions(), 1u);
  EXPECT_FALSE(*index.Insert(1, 5));  // reloaded: the key is still found
  index.Trim({2});
  for (uint64_t k = 1; k <= 30; k++) lake.committed[2].push_back(k);
  index.SetEpoch(3);
  index.Trim({3});
  EXPECT_LE(index.keys(), 10u);
}

TEST(PartitionedDedupIndex, LoaderErrorsPropagate) {
  PartitionedDedupIndex index([](int64_t, DedupIndex*) { return Status::IOError("lake unreadable"); }, 10);
  EXPECT_FALSE(index.Insert(1, 1).ok());
}

}  // namespace
}  // namespace custlake::ingest
