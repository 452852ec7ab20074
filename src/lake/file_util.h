// Durable file-system primitives the commit protocol is built from: fsync of
// files and folders, atomic rename, folder creation that reports which
// folders it made (their parents must be fsynced too), and recursive
// listing. POSIX only. Every error names the path and the failing call.
// Stateless and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace custlake::lake {

/// fsync(2) on a regular file.
Status SyncFile(const std::string& path);
/// fsync(2) on a folder, making renames and creations inside it durable.
Status SyncDir(const std::string& path);
/// SyncFile (or SyncDir, `dirs`) of every path, up to 8 at a time: a
/// device works on several flushes at once, so a commit of many small files
/// waits for the slowest, not for the sum. The first failing path's error
/// (in the order given); all were attempted.
Status SyncAll(const std::vector<std::string>& paths, bool dirs);
/// rename(2): atomic replacement of `to` on the same file system.
Status RenameFile(const std::string& from, const std::string& to);
/// mkdir -p. Appends each folder it created to `*created` (outermost first),
/// so the caller can fsync their parents.
Status MakeDirs(const std::string& path, std::vector<std::string>* created = nullptr);
/// rm -rf; a missing path is not an error.
Status RemoveAll(const std::string& path);
/// unlink(2); a missing file is not an error.
Status RemoveFile(const std::string& path);
Result<int64_t> FileSize(const std::string& path);
bool PathExists(const std::string& path);
/// The whole file's bytes (for small files: a model, a manifest).
Result<std::string> ReadWholeFile(const std::string& path);
/// Creates or truncates `path` and writes `bytes` (not synced: the commit syncs staged files).
Status WriteWholeFile(const std::string& path, std::string_view bytes);
/// Regular files under `dir`, as paths relative to `dir`, sorted; symlinks
/// are not followed. A missing `dir` yields an empty list.
Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir);
/// Removes the empty folders below `dir` (never `dir` itself), deepest first.
Status RemoveEmptyDirs(const std::string& dir);
/// The parent folder of a '/'-separated path ("a/b/c" -> "a/b", "c" -> ".").
std::string ParentDir(const std::string& path);

}  // namespace custlake::lake
