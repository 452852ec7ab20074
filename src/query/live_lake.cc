#include "query/live_lake.h"

#include "lake/layout.h"
#include "warehouse/publisher.h"

namespace custlake::query {

namespace {
bool SameTime(const struct timespec& a, const struct timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}
}  // namespace

bool LiveLake::Fingerprint::operator==(const Fingerprint& o) const {
  return SameTime(db_mtime, o.db_mtime) && SameTime(wal_mtime, o.wal_mtime) && db_size == o.db_size &&
         wal_size == o.wal_size && db_ino == o.db_ino && wal_ino == o.wal_ino;
}

LiveLake::LiveLake(std::string lake_root, SandboxOptions options)
    : lake_root_(std::move(lake_root)), options_(std::move(options)) {}

LiveLake::Fingerprint LiveLake::Stat() const {
  Fingerprint f;
  const std::string db = lake::Layout(lake_root_).MetastorePath();
  struct stat st {};
  if (::stat(db.c_str(), &st) == 0) {
    f.db_mtime = st.st_mtim;
    f.db_size = st.st_size;
    f.db_ino = st.st_ino;
  }
  if (::stat((db + "-wal").c_str(), &st) == 0) {
    f.wal_mtime = st.st_mtim;
    f.wal_size = st.st_size;
    f.wal_ino = st.st_ino;
  }
  return f;
}

Status LiveLake::OpenMetastore() {
  if (metastore_) return Status::OK();
  lake::MetastoreOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(metastore_, lake::Metastore::Open(lake::Layout(lake_root_).MetastorePath(), read_only));
  return Status::OK();
}

Result<int64_t> LiveLake::Generation() {
  // Stat before reading: a commit after the stat changes the files again, so it is seen next time.
  const Fingerprint now = Stat();
  std::lock_guard<std::mutex> lock(mu_);
  if (generation_ >= 0 && now == seen_) return generation_;
  RETURN_NOT_OK(OpenMetastore());
  ASSIGN_OR_RETURN(auto newest, metastore_->ListBatches(std::nullopt, lake::BatchState::kCommitted, 1));
  generation_ = newest.empty() ? int64_t{0} : newest[0].batch_id;
  seen_ = now;
  return generation_;
}

Result<std::optional<int64_t>> LiveLake::WarehouseVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_NOT_OK(OpenMetastore());
  ASSIGN_OR_RETURN(auto current, warehouse::CurrentVersion(metastore_.get(), lake::Layout(lake_root_)));
  if (!current) return std::optional<int64_t>();
  return std::optional<int64_t>(current->version);
}

Result<std::shared_ptr<LakeDatabase>> LiveLake::Current() {
  ASSIGN_OR_RETURN(const int64_t generation, Generation());
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ && current_->generation() == generation) return current_;
  }
  std::lock_guard<std::mutex> opening(open_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);  // another caller may have opened it meanwhile
    if (current_ && current_->generation() >= generation) return current_;
  }
  ASSIGN_OR_RETURN(std::shared_ptr<LakeDatabase> database, LakeDatabase::Open(lake_root_, options_, generation));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = database;
  return database;
}

Result<std::unique_ptr<LakeSession>> LiveLake::Connect() {
  ASSIGN_OR_RETURN(std::shared_ptr<LakeDatabase> database, Current());
  return database->Connect();
}

}  // namespace custlake::query
