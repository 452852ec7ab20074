// Rows taken in a fixed number of blocks, the blocks run on up to that many threads: a sum made block
// by block, then over the blocks in their order, is the same whatever the machine's number of cores.
#pragma once

#include <algorithm>
#include <cstddef>
#include <thread>
#include <vector>

namespace custlake::churn {

/// Calls `block(begin, end, b)` for the blocks b = 0..blocks-1 of rows [0, rows), on up to `blocks`
/// threads (one per core); returns when all are done.
template <typename Block>
void ForEachRowBlock(size_t rows, size_t blocks, const Block& block) {
  if (blocks == 0) return;
  auto run = [&](size_t b) { block(rows * b / blocks, rows * (b + 1) / blocks, b); };
  const size_t threads = std::clamp<size_t>(std::thread::hardware_concurrency(), 1, blocks);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) {
    pool.emplace_back([&, t] {
      for (size_t b = t; b < blocks; b += threads) run(b);
    });
  }
  for (size_t b = 0; b < blocks; b += threads) run(b);
  for (std::thread& t : pool) t.join();
}

}  // namespace custlake::churn
