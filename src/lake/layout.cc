#include "lake/layout.h"

#include <fmt/format.h>

namespace custlake::lake {

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool IsKeyChar(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  return !first && c >= '0' && c <= '9';
}

// Characters Hive's FileUtils.escapePathName escapes, plus '%' and controls.
bool NeedsEscape(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '"': case '#': case '%': case '\'': case '*': case '/': case ':': case '=':
    case '?': case '\\': case '[': case ']': case '^': case '{': case '}':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string_view ZoneName(Zone zone) {
  switch (zone) {
    case Zone::kRaw: return "raw";
    case Zone::kQuarantine: return "quarantine";
    case Zone::kWarehouse: return "warehouse";
    case Zone::kModels: return "models";
  }
  return "raw";
}

Result<Zone> ParseZone(std::string_view name) {
  for (Zone z : AllZones()) {
    if (ZoneName(z) == name) return z;
  }
  return Status::InvalidArgument(
      fmt::format("unknown lake zone '{}' (expected raw, quarantine, warehouse or models)", name));
}

const std::vector<Zone>& AllZones() {
  static const std::vector<Zone> kZones = {Zone::kModels, Zone::kQuarantine, Zone::kRaw,
                                           Zone::kWarehouse};
  return kZones;
}

std::string DatasetId::ToString() const { return fmt::format("{}/{}", ZoneName(zone), name); }

Result<DatasetId> DatasetId::Parse(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format(
        "dataset '{}' has no zone: write it as <zone>/<name>, e.g. raw/usage", text));
  }
  ASSIGN_OR_RETURN(Zone zone, ParseZone(text.substr(0, slash)));
  std::string_view name = text.substr(slash + 1);
  RETURN_NOT_OK(ValidateDatasetName(name));
  return DatasetId{zone, std::string(name)};
}

Status ValidateDatasetName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("dataset name is empty");
  for (std::string_view seg : Split(name)) {
    if (seg.empty() || seg == "." || seg == ".." || seg[0] == '.' || seg[0] == '_') {
      return Status::InvalidArgument(fmt::format(
          "dataset name '{}': each '/'-separated segment must be non-empty and must not start "
          "with '.' or '_'",
          name));
    }
    for (char c : seg) {
      if (!IsNameChar(c)) {
        return Status::InvalidArgument(fmt::format(
            "dataset name '{}': character '{}' not allowed (use letters, digits, '_', '-', '.')",
            name, c));
      }
    }
  }
  return Status::OK();
}

std::string EscapePartitionValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char ch : value) {
    auto c = static_cast<unsigned char>(ch);
    if (NeedsEscape(c)) {
      out += fmt::format("%{:02X}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

std::string UnescapePartitionValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '%' && i + 2 < value.size()) {
      int hi = HexValue(value[i + 1]);
      int lo = HexValue(value[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += value[i];
  }
  return out;
}

Result<std::string> PartitionPath(const Partition& partition) {
  std::string out;
  for (const auto& [key, value] : partition) {
    bool ok = !key.empty();
    for (size_t i = 0; ok && i < key.size(); ++i) ok = IsKeyChar(key[i], i == 0);
    if (!ok) {
      return Status::InvalidArgument(
          fmt::format("partition key '{}' must match [A-Za-z_][A-Za-z0-9_]*", key));
    }
    if (value.empty()) {
      return Status::InvalidArgument(fmt::format(
          "partition '{}' has an empty value; Hive writes __HIVE_DEFAULT_PARTITION__ for nulls",
          key));
    }
    if (!out.empty()) out += '/';
    out += key;
    out += '=';
    out += EscapePartitionValue(value);
  }
  return out;
}

Partition ParsePartition(std::string_view relative_path) {
  Partition partition;
  std::vector<std::string_view> parts = Split(relative_path);
  parts.pop_back();  // the file name
  for (std::string_view seg : parts) {
    size_t eq = seg.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    partition.emplace_back(std::string(seg.substr(0, eq)), UnescapePartitionValue(seg.substr(eq + 1)));
  }
  return partition;
}

Status ValidateRelativePath(std::string_view path) {
  if (path.empty()) return Status::InvalidArgument("relative path is empty");
  if (path.front() == '/') {
    return Status::InvalidArgument(fmt::format("path '{}' must be relative, not absolute", path));
  }
  for (std::string_view seg : Split(path)) {
    if (seg.empty() || seg == "." || seg == "..") {
      return Status::InvalidArgument(
          fmt::format("path '{}' has an empty, '.' or '..' segment", path));
    }
    if (seg[0] == '.' || seg[0] == '_') {
      return Status::InvalidArgument(fmt::format(
          "path '{}': segment '{}' starts with '.' or '_', which query engines treat as hidden",
          path, seg));
    }
    for (char c : seg) {
      if (c == '\0' || c == '\\') {
        return Status::InvalidArgument(fmt::format("path '{}' contains a NUL or backslash", path));
      }
    }
  }
  return Status::OK();
}

std::string PartFileName(int64_t batch_id, int n, std::string_view ext) {
  return fmt::format("part-{}-{}.{}", batch_id, n, ext);
}

Layout::Layout(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string Layout::Absolute(std::string_view relative) const {
  return fmt::format("{}/{}", root_, relative);
}
std::string Layout::ZoneDir(Zone zone) const { return Absolute(ZoneName(zone)); }
std::string Layout::DatasetDir(const DatasetId& dataset) const { return Absolute(dataset.ToString()); }

Result<std::string> Layout::PartitionRelative(const DatasetId& dataset,
                                              const Partition& partition) const {
  RETURN_NOT_OK(ValidateDatasetName(dataset.name));
  ASSIGN_OR_RETURN(std::string part, PartitionPath(partition));
  if (part.empty()) return dataset.ToString();
  return fmt::format("{}/{}", dataset.ToString(), part);
}

std::string Layout::ArchiveDir() const { return Absolute("archive"); }
std::string Layout::StagingRoot() const { return Absolute("_staging"); }
std::string Layout::StagingDir(int64_t batch_id) const {
  return fmt::format("{}/_staging/{}", root_, batch_id);
}
std::string Layout::MetastorePath() const { return Absolute("_metastore.db"); }
std::string Layout::LockPath() const { return Absolute("_lake.lock"); }
std::string Layout::UsersPath() const { return Absolute("_users.json"); }
std::string Layout::UsersLockPath() const { return Absolute("_users.lock"); }

std::vector<std::string> Layout::FoldersToCreate() const {
  std::vector<std::string> dirs = {root_};
  for (Zone z : AllZones()) dirs.push_back(ZoneDir(z));
  dirs.push_back(ArchiveDir());
  dirs.push_back(StagingRoot());
  return dirs;
}

}  // namespace custlake::lake
