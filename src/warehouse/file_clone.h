// Copying a warehouse version file for the next (incremental) build: the
// cheapest way the filesystem allows. A reflink (FICLONE: btrfs, XFS, bcachefs)
// shares the blocks and copies nothing; copy_file_range copies inside the
// kernel (no round trip through user space; some filesystems and NFS clone
// or copy server-side); a read/write loop is the fallback that works anywhere.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace custlake::warehouse {

struct FileCopy {
  std::string method;  ///< "reflink", "copy_file_range" or "read_write"
  int64_t bytes = 0;
};

/// Copies `from` to `to` (created or truncated, mode 0644). Nothing is fsynced:
/// the lake's commit syncs the files it publishes.
Result<FileCopy> CloneOrCopyFile(const std::string& from, const std::string& to);

}  // namespace custlake::warehouse
