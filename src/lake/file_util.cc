#include "lake/file_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace custlake::lake {

namespace fs = std::filesystem;

namespace {

Status Errno(std::string_view call, const std::string& path) {
  int e = errno;
  return Status::IOError(fmt::format("{} '{}': {}", call, path, std::strerror(e)));
}

Status SyncPath(const std::string& path, int flags, std::string_view what) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Errno(fmt::format("open {} for fsync", what), path);
  int rc;
  do {
    rc = ::fsync(fd);
  } while (rc != 0 && errno == EINTR);
  Status st = rc == 0 ? Status::OK() : Errno("fsync", path);
  ::close(fd);
  return st;
}

}  // namespace

Status SyncFile(const std::string& path) { return SyncPath(path, O_RDONLY, "file"); }

Status SyncDir(const std::string& path) { return SyncPath(path, O_RDONLY | O_DIRECTORY, "folder"); }

Status SyncAll(const std::vector<std::string>& paths, bool dirs) {
  std::vector<Status> results(paths.size(), Status::OK());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < paths.size(); i = next.fetch_add(1)) {
      results[i] = dirs ? SyncDir(paths[i]) : SyncFile(paths[i]);
    }
  };
  std::vector<std::thread> helpers;
  for (size_t t = 1; t < std::min<size_t>(8, paths.size()); t++) helpers.emplace_back(work);
  work();
  for (auto& h : helpers) h.join();
  for (Status& st : results) RETURN_NOT_OK(st);
  return Status::OK();
}

Status RenameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    int e = errno;
    return Status::IOError(
        fmt::format("rename '{}' -> '{}': {}", from, to, std::strerror(e)));
  }
  return Status::OK();
}

Status MakeDirs(const std::string& path, std::vector<std::string>* created) {
  std::vector<std::string> missing;
  std::string cur = path;
  while (!cur.empty() && cur != "/" && cur != ".") {
    struct stat st;
    if (::stat(cur.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return Status::IOError(fmt::format("'{}' exists and is not a folder", cur));
      }
      break;
    }
    if (errno != ENOENT) return Errno("stat", cur);
    missing.push_back(cur);
    cur = ParentDir(cur);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0755) != 0) {
      if (errno == EEXIST) continue;  // a concurrent writer made it
      return Errno("mkdir", *it);
    }
    if (created) created->push_back(*it);
  }
  return Status::OK();
}

Status RemoveAll(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
  if (ec) return Status::IOError(fmt::format("remove '{}': {}", path, ec.message()));
  return Status::OK();
}

Status RemoveFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("unlink", path);
  return Status::OK();
}

Result<int64_t> FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Errno("stat", path);
  if (!S_ISREG(st.st_mode)) return Status::IOError(fmt::format("'{}' is not a regular file", path));
  return static_cast<int64_t>(st.st_size);
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) return Status::IOError("cannot read " + path);
  return bytes.str();
}

Status WriteWholeFile(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return Status::IOError("cannot write " + path + ": " + std::strerror(errno));
  return Status::OK();
}

Result<std::vector<std::string>> ListFilesRecursive(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  std::string prefix = fs::path(dir).generic_string();
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
  if (ec) return Status::IOError(fmt::format("list '{}': {}", dir, ec.message()));
  for (; it != end; it.increment(ec)) {
    if (ec) return Status::IOError(fmt::format("list '{}': {}", dir, ec.message()));
    if (it->is_symlink(ec) || !it->is_regular_file(ec)) continue;
    // The iterator's paths start with `dir` + '/': strip it (fs::relative
    // would canonicalise every path, a dozen syscalls per file).
    std::string full = it->path().generic_string();
    out.push_back(full.substr(std::min(prefix.size(), full.size())));
  }
  if (ec) return Status::IOError(fmt::format("list '{}': {}", dir, ec.message()));
  std::sort(out.begin(), out.end());
  return out;
}

Status RemoveEmptyDirs(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Status::OK();
  std::vector<fs::path> dirs;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) dirs.push_back(it->path());
  }
  if (ec) return Status::IOError(fmt::format("list '{}': {}", dir, ec.message()));
  // Deeper paths sort after their parents; remove in reverse.
  std::sort(dirs.begin(), dirs.end());
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    if (fs::is_empty(*it, ec) && !ec) fs::remove(*it, ec);
    ec.clear();
  }
  return Status::OK();
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace custlake::lake
