#include "ingest/file_scanner.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>

namespace custlake::ingest {

namespace fs = std::filesystem;

namespace {

int64_t Nanos(const struct timespec& t) { return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec; }

LandingFile FromStat(const fs::path& path, const struct stat& st) {
  LandingFile f;
  f.path = fs::absolute(path).lexically_normal().string();
  f.name = path.filename().string();
  f.size = static_cast<int64_t>(st.st_size);
  f.mtime_ns = Nanos(st.st_mtim);
  f.ctime_ns = Nanos(st.st_ctim);
  f.inode = static_cast<int64_t>(st.st_ino);
  f.seen_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
                  .count();
  return f;
}

// Why a directory entry that is no regular file cannot be ingested; ""
// for a folder or an entry that is gone.
std::string WhyUnreadable(const fs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return "";  // gone since it was listed
  if (S_ISLNK(st.st_mode)) {
    struct stat target;
    if (::stat(path.c_str(), &target) != 0) {
      return fmt::format("a symbolic link to a file that cannot be opened ({})", std::strerror(errno));
    }
    st = target;
  }
  if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) return "";
  return S_ISFIFO(st.st_mode) ? "a FIFO, not a regular file" : "a socket or device, not a regular file";
}

LandingFile Unreadable(const fs::path& path, const std::string& why) {
  LandingFile f;
  f.path = fs::absolute(path).lexically_normal().string();
  f.name = path.filename().string();
  f.unreadable = why;
  return f;
}

}  // namespace

Result<LandingFile> StatLandingFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::NotFound(fmt::format("cannot stat {}: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(fmt::format("{} is not a regular file", path));
  return FromStat(path, st);
}

Result<std::vector<LandingFile>> ScanLandingFolder(const std::string& dir, const std::string& pattern,
                                                   int64_t min_age_seconds) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(fmt::format("landing folder {} does not exist (check the source's path)", dir));
  }
  std::vector<LandingFile> out;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (!pattern.empty() && fnmatch(pattern.c_str(), name.c_str(), 0) != 0) continue;
    struct stat st;
    // Symlinks are followed. An entry that is there but cannot be a landing
    // file is listed as unreadable (reported, not silently dropped); one
    // gone since it was listed, and folders, are left out.
    if (::stat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      if (std::string why = WhyUnreadable(it->path()); !why.empty()) out.push_back(Unreadable(it->path(), why));
      continue;
    }
    LandingFile f = FromStat(it->path(), st);
    if (min_age_seconds > 0 && f.seen_ns - f.mtime_ns < min_age_seconds * 1000000000LL) continue;
    out.push_back(std::move(f));
  }
  if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir, ec.message()));
  std::sort(out.begin(), out.end(), [](const LandingFile& a, const LandingFile& b) { return a.name < b.name; });
  return out;
}

}  // namespace custlake::ingest
