#include "ingest/file_scanner.h"

#include <fmt/format.h>
#include <fnmatch.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace custlake::ingest {

namespace fs = std::filesystem;

Result<std::vector<LandingFile>> ScanLandingFolder(const std::string& dir, const std::string& pattern,
                                                   int64_t min_age_seconds) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status::NotFound(fmt::format("landing folder {} does not exist (check the source's path)", dir));
  }
  std::vector<LandingFile> out;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    std::error_code e2;
    if (!it->is_regular_file(e2)) continue;
    if (!pattern.empty() && fnmatch(pattern.c_str(), name.c_str(), 0) != 0) continue;
    const auto mtime = it->last_write_time(e2);
    if (e2) continue;
    if (min_age_seconds > 0 && now - mtime < std::chrono::seconds(min_age_seconds)) continue;
    const auto size = it->file_size(e2);
    if (e2) continue;
    out.push_back({fs::absolute(it->path()).lexically_normal().string(), name, static_cast<int64_t>(size),
                   static_cast<int64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count())});
  }
  if (ec) return Status::IOError(fmt::format("cannot list {}: {}", dir, ec.message()));
  std::sort(out.begin(), out.end(), [](const LandingFile& a, const LandingFile& b) { return a.name < b.name; });
  return out;
}

}  // namespace custlake::ingest
