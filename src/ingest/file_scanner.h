// FileScanner: the landing files of a source that are ready to ingest.
//
// Lists the regular files directly in the source folder whose names match
// the glob pattern (fnmatch), skipping hidden files ('.'-prefixed: partial
// uploads by convention) and files modified less than min_age ago (still
// being written). Sorted by name, so batches are formed the same way on
// every run: a re-run after a kill ingests the remaining files into the
// same batches as one clean run would.
//
// Stateless; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::ingest {

struct LandingFile {
  std::string path;   ///< absolute
  std::string name;   ///< file name only
  int64_t size = 0;
  int64_t mtime_ns = 0;  ///< last modification (nanoseconds since the epoch; 0 = unknown)
  int64_t ctime_ns = 0;  ///< last status change: any write, and any change of mtime, moves it
  int64_t inode = 0;
  int64_t seen_ns = 0;   ///< when stat() was called
  /// Why the entry cannot be read at all ("" = a regular file): a symbolic
  /// link to nothing, a FIFO, socket or device named like a landing file.
  /// The ingester reports such an entry and goes on with the others.
  std::string unreadable = "";

  /// True when the file changed in the second before stat() saw it. The
  /// kernel's file clock ticks every few milliseconds, so a change within
  /// that tick right after stat() would leave ctime as it was: such a
  /// file's stat does not vouch for the content read afterwards ("racy
  /// git"), and is not remembered.
  bool RecentlyChanged() const { return seen_ns - ctime_ns < 1000000000LL; }
};

Result<std::vector<LandingFile>> ScanLandingFolder(const std::string& dir, const std::string& pattern,
                                                   int64_t min_age_seconds);
/// One file, as the scanner would list it (an error when it cannot be
/// stat'ed or is not a regular file).
Result<LandingFile> StatLandingFile(const std::string& path);

}  // namespace custlake::ingest
