// Landing files' identities: each file's content hash (FileIdentity,
// ChecksumAhead), and the identities of files already ingested, kept with
// their stat() in the metastore so an unchanged file is not read again.
#include <fmt/format.h>

#include "ingest/source_ingester_impl.h"

namespace custlake::ingest {

// What ingested_files records for a file (per dataset): its content's
// hash; for an empty file, which every empty file shares and which holds
// nothing to ingest, its name, so each empty file is reported (and handled)
// once instead of as a copy of the first one.
Result<std::string> FileIdentity(const LandingFile& file, lake::ContentHash hash, int64_t* bytes) {
  ASSIGN_OR_RETURN(std::string sum, lake::HashFile(file.path, hash, bytes));
  return *bytes == 0 ? "empty:" + file.name : sum;
}

namespace {
// The file stat() sees now is the one whose identity was kept: size, inode,
// mtime and ctime all equal (the quick check rsync and git make; ctime
// cannot be set back by a user, so new content under a restored mtime differs).
bool Unchanged(const lake::LandingIdentity& kept, const LandingFile& now) {
  return now.mtime_ns != 0 && kept.byte_count == now.size && kept.inode == now.inode &&
         kept.mtime_ns == now.mtime_ns && kept.ctime_ns == now.ctime_ns;
}
}  // namespace

std::optional<std::string> SourceIngester::Impl::KnownIdentity(const LandingFile& f) {
  std::lock_guard<std::mutex> lock(known_mu);
  auto it = known.find(f.path);
  if (it == known.end() || !Unchanged(it->second, f)) return std::nullopt;
  return it->second.identity;
}

void SourceIngester::Impl::RememberFile(const LandingFile& f, const std::string& identity) {
  if (f.mtime_ns == 0 || f.RecentlyChanged()) return;
  std::lock_guard<std::mutex> lock(known_mu);
  auto it = known.find(f.path);
  if (it != known.end() && Unchanged(it->second, f) && it->second.identity == identity) return;  // nothing new
  known[f.path] = {f.path, f.size, f.mtime_ns, f.ctime_ns, f.inode, identity};
  known_added.insert(f.path);
  known_removed.erase(f.path);
}

void SourceIngester::Impl::ForgetFilesNotIn(const std::vector<LandingFile>& files) {
  std::set<std::string> present;
  for (const auto& f : files) present.insert(f.path);
  std::lock_guard<std::mutex> lock(known_mu);
  std::erase_if(known, [&](const auto& kv) {
    if (present.count(kv.first) != 0) return false;
    known_removed.insert(kv.first);
    known_added.erase(kv.first);
    return true;
  });
}

// The files of this source's folder whose identities an earlier run kept.
Status SourceIngester::Impl::LoadKnownFiles() {
  ASSIGN_OR_RETURN(auto rows, lake->ListLandingIdentities(raw_ds));
  // The folder as the scanner's paths spell it ("landing/usage/" too).
  const fs::path folder = (fs::absolute(source.config.path) / "f").lexically_normal().parent_path();
  std::lock_guard<std::mutex> lock(known_mu);
  for (lake::LandingIdentity& r : rows) {
    if (fs::path(r.path).parent_path() != folder) continue;  // another source of the dataset
    std::string path = r.path;
    known[path] = std::move(r);
  }
  return Status::OK();
}

Status SourceIngester::Impl::SaveKnownFiles() {
  std::vector<lake::LandingIdentity> upserts;
  std::vector<std::string> removed;
  {
    std::lock_guard<std::mutex> lock(known_mu);
    for (const std::string& path : known_added) {
      auto it = known.find(path);
      if (it != known.end()) upserts.push_back(it->second);
    }
    removed.assign(known_removed.begin(), known_removed.end());
    known_added.clear();
    known_removed.clear();
  }
  if (upserts.empty() && removed.empty()) return Status::OK();
  return lake->UpdateLandingIdentities(raw_ds, upserts, removed);
}

}  // namespace custlake::ingest
