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
  int64_t mtime_ns = 0;  ///< last modification (nanoseconds, file clock)
};

Result<std::vector<LandingFile>> ScanLandingFolder(const std::string& dir, const std::string& pattern,
                                                   int64_t min_age_seconds);

}  // namespace custlake::ingest
