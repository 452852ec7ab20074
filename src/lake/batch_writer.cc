#include "lake/batch_writer.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "lake/checksum.h"
#include "lake/file_lock.h"
#include "lake/file_util.h"
#include "lake/lake.h"

namespace custlake::lake {

std::string Lineage::ToJson() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  auto put = [&](const char* key, const std::string& v) {
    if (!v.empty()) j[key] = v;
  };
  put("source", source);
  put("query", query);
  put("file", file);
  put("cursor_column", cursor_column);
  put("cursor_from", cursor_from);
  put("cursor_to", cursor_to);
  for (const auto& [k, v] : extra) j[k] = v;
  return j.dump();
}

namespace {

Status CheckJsonObject(const std::string& text, std::string_view what) {
  if (text.empty()) return Status::OK();
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument(fmt::format("{} must be a JSON object, got: {}", what, text));
  }
  return Status::OK();
}

}  // namespace

struct BatchWriter::Impl {
  enum class State { kOpen, kCommitted, kAborted };

  Lake* lake;
  int64_t id;
  DatasetId dataset;
  FileLock lock;  // shared on _lake.lock while the batch lives
  State state = State::kOpen;
  int next_part = 0;

  struct File {
    FileInfo info;            // dataset, path (lake-relative), partition, rows, checksum, provenance
    std::string staging;      // absolute
    std::string final_path;   // absolute
    bool checksum_content = true;  // FileSpec::checksum_content
  };
  std::vector<File> files;
  std::set<std::string> paths;  // lake-relative, to refuse duplicates
  std::vector<DatasetId> replace;
  std::map<std::string, std::string> schemas;
  std::map<std::string, BatchCommit::Cursor> cursors;
  std::map<std::string, std::optional<std::string>> cursor_reads;
  std::vector<IngestedFileInfo> ingested;
  std::map<std::pair<std::string, std::string>, QuarantineCount> quarantine;
  int64_t rows = 0;

  std::string Where() const { return fmt::format("batch {} ({})", id, dataset.ToString()); }
  Status CheckOpen() const {
    if (state == State::kOpen) return Status::OK();
    return Status::InvalidArgument(fmt::format("{} is already {}; start a new batch", Where(),
                                               state == State::kCommitted ? "committed" : "aborted"));
  }
  Status FailPoint(std::string_view step) const { return CheckFailPoint(lake->options().fail_point, step); }

  // Undoes a failed commit: final-place files, pending rows, staging.
  void Rollback(const std::vector<size_t>& renamed, const std::string& reason) {
    for (size_t i : renamed) (void)RemoveFile(files[i].final_path);
    (void)lake->metastore().AbortBatch(id, reason);
    (void)RemoveAll(lake->layout().StagingDir(id));
    state = State::kAborted;
    lock.Release();
  }

  Status DoCommit();
};

BatchWriter::BatchWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

BatchWriter BatchWriter::Start(Lake* lake, int64_t id, DatasetId dataset, FileLock lock) {
  auto impl = std::make_unique<Impl>();
  impl->lake = lake;
  impl->id = id;
  impl->dataset = std::move(dataset);
  impl->lock = std::move(lock);
  return BatchWriter(std::move(impl));
}
BatchWriter::BatchWriter(BatchWriter&&) noexcept = default;

BatchWriter& BatchWriter::operator=(BatchWriter&& other) noexcept {
  if (this != &other) {
    if (impl_ && impl_->state == Impl::State::kOpen) (void)Abort("replaced by another batch object");
    impl_ = std::move(other.impl_);
  }
  return *this;
}

BatchWriter::~BatchWriter() {
  if (impl_ && impl_->state == Impl::State::kOpen) {
    (void)Abort("the batch was dropped without Commit (an error in the writing stage)");
  }
}

int64_t BatchWriter::id() const { return impl_->id; }
const DatasetId& BatchWriter::dataset() const { return impl_->dataset; }
std::string BatchWriter::staging_dir() const { return impl_->lake->layout().StagingDir(impl_->id); }
int64_t BatchWriter::row_count() const { return impl_->rows; }
int64_t BatchWriter::file_count() const { return static_cast<int64_t>(impl_->files.size()); }

Result<StagedPart> BatchWriter::NewPart(const Partition& partition, std::string_view ext) {
  return NewPart(impl_->dataset, partition, ext);
}

Result<StagedPart> BatchWriter::NewPart(const DatasetId& dataset, const Partition& partition,
                                        std::string_view ext) {
  RETURN_NOT_OK(impl_->CheckOpen());
  ASSIGN_OR_RETURN(std::string dir, PartitionPath(partition));
  std::string name = PartFileName(impl_->id, impl_->next_part++, ext);
  StagedPart part;
  part.dataset = dataset;
  part.path = dir.empty() ? name : fmt::format("{}/{}", dir, name);
  ASSIGN_OR_RETURN(part.staging_path, StagingPath(dataset, part.path));
  return part;
}

Result<std::string> BatchWriter::StagingPath(std::string_view relative_path) {
  return StagingPath(impl_->dataset, relative_path);
}

Result<std::string> BatchWriter::StagingPath(const DatasetId& dataset, std::string_view relative_path) {
  RETURN_NOT_OK(impl_->CheckOpen());
  RETURN_NOT_OK(ValidateDatasetName(dataset.name).WithContext(impl_->Where()));
  RETURN_NOT_OK(ValidateRelativePath(relative_path).WithContext(impl_->Where()));
  std::string path = impl_->lake->StagingFor(impl_->id, dataset, relative_path);
  RETURN_NOT_OK(MakeDirs(ParentDir(path)).WithContext(impl_->Where()));
  return path;
}

Status BatchWriter::AddFile(FileSpec spec) {
  Impl& b = *impl_;
  RETURN_NOT_OK(b.CheckOpen());
  DatasetId ds = spec.dataset.value_or(b.dataset);
  RETURN_NOT_OK(ValidateDatasetName(ds.name).WithContext(b.Where()));
  RETURN_NOT_OK(ValidateRelativePath(spec.path).WithContext(b.Where()));
  RETURN_NOT_OK(CheckJsonObject(spec.provenance_json, "provenance").WithContext(b.Where()));
  if (spec.row_count < 0) {
    return Status::InvalidArgument(fmt::format("{}: file '{}' has a negative row count", b.Where(), spec.path));
  }
  Impl::File f;
  f.info.dataset = ds;
  f.info.path = fmt::format("{}/{}", ds.ToString(), spec.path);
  if (b.paths.count(f.info.path)) {
    return Status::AlreadyExists(fmt::format("{}: file '{}' was already added", b.Where(), f.info.path));
  }
  f.info.partition = ParsePartition(spec.path);
  f.info.row_count = spec.row_count;
  f.info.checksum = std::move(spec.checksum);
  f.checksum_content = spec.checksum_content;
  f.info.provenance_json = spec.provenance_json.empty() ? "{}" : std::move(spec.provenance_json);
  f.staging = b.lake->StagingFor(b.id, ds, spec.path);
  f.final_path = b.lake->layout().Absolute(f.info.path);
  auto size = FileSize(f.staging);
  if (!size.ok()) {
    return Status::NotFound(fmt::format(
        "{}: file '{}' was not written to its staging path (StagingPath/NewPart): {}", b.Where(), spec.path,
        size.status().message()));
  }
  f.info.byte_count = *size;
  b.rows += f.info.row_count;
  b.paths.insert(f.info.path);
  b.files.push_back(std::move(f));
  return Status::OK();
}

Result<std::string> BatchWriter::StagingDatasetDir(const DatasetId& dataset) {
  RETURN_NOT_OK(impl_->CheckOpen());
  RETURN_NOT_OK(ValidateDatasetName(dataset.name).WithContext(impl_->Where()));
  std::string dir = fmt::format("{}/{}", impl_->lake->layout().StagingDir(impl_->id), dataset.ToString());
  RETURN_NOT_OK(MakeDirs(dir).WithContext(impl_->Where()));
  return dir;
}

Result<int> BatchWriter::AddStagedFiles(const DatasetId& dataset,
                                        const std::function<Result<int64_t>(const std::string&)>& row_count) {
  ASSIGN_OR_RETURN(std::string dir, StagingDatasetDir(dataset));
  ASSIGN_OR_RETURN(auto files, ListFilesRecursive(dir));
  int added = 0;
  for (const std::string& rel : files) {
    if (impl_->paths.count(fmt::format("{}/{}", dataset.ToString(), rel))) continue;
    FileSpec spec;
    spec.path = rel;
    spec.dataset = dataset;
    if (row_count) {
      ASSIGN_OR_RETURN(spec.row_count, row_count(fmt::format("{}/{}", dir, rel)));
    }
    RETURN_NOT_OK(AddFile(std::move(spec)));
    ++added;
  }
  return added;
}

Status BatchWriter::AddFile(const StagedPart& part, int64_t row_count, std::string provenance_json) {
  FileSpec spec;
  spec.path = part.path;
  spec.dataset = part.dataset;
  spec.row_count = row_count;
  spec.provenance_json = std::move(provenance_json);
  return AddFile(std::move(spec));
}

Status BatchWriter::AddFile(std::string_view path, int64_t row_count, std::string provenance_json) {
  FileSpec spec;
  spec.path = std::string(path);
  spec.row_count = row_count;
  spec.provenance_json = std::move(provenance_json);
  return AddFile(std::move(spec));
}

Status BatchWriter::AddFileWithBytes(std::string_view path, std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string staging, StagingPath(path));
  RETURN_NOT_OK(WriteWholeFile(staging, bytes));
  return AddFile(path, 0, "{}");
}

Status BatchWriter::SetSchema(std::string schema_json) { return SetSchema(impl_->dataset, std::move(schema_json)); }

Status BatchWriter::SetSchema(const DatasetId& dataset, std::string schema_json) {
  RETURN_NOT_OK(impl_->CheckOpen());
  auto j = nlohmann::json::parse(schema_json, nullptr, false);
  if (j.is_discarded()) {
    return Status::InvalidArgument(fmt::format("{}: schema of {} is not valid JSON", impl_->Where(),
                                               dataset.ToString()));
  }
  impl_->schemas[dataset.ToString()] = std::move(schema_json);
  return Status::OK();
}

Status BatchWriter::ReplaceDataset(const DatasetId& dataset) {
  RETURN_NOT_OK(impl_->CheckOpen());
  RETURN_NOT_OK(ValidateDatasetName(dataset.name));
  if (std::find(impl_->replace.begin(), impl_->replace.end(), dataset) == impl_->replace.end()) {
    impl_->replace.push_back(dataset);
  }
  return Status::OK();
}

Result<std::optional<std::string>> BatchWriter::ReadCursor(const std::string& key) {
  RETURN_NOT_OK(impl_->CheckOpen());
  ASSIGN_OR_RETURN(auto value, impl_->lake->metastore().GetCursor(key));
  impl_->cursor_reads.emplace(key, value);  // the first read is what must still hold
  return value;
}

Status BatchWriter::SetCursor(const std::string& key, std::string value) {
  RETURN_NOT_OK(impl_->CheckOpen());
  if (key.empty()) return Status::InvalidArgument(fmt::format("{}: empty cursor key", impl_->Where()));
  BatchCommit::Cursor c;
  c.key = key;
  c.value = std::move(value);
  auto read = impl_->cursor_reads.find(key);
  if (read != impl_->cursor_reads.end()) {
    c.check_expected = true;
    c.expected = read->second;
  }
  impl_->cursors[key] = std::move(c);
  return Status::OK();
}

Status BatchWriter::RecordIngestedFile(std::string checksum, std::string source_path, int64_t byte_count) {
  Impl& b = *impl_;
  RETURN_NOT_OK(b.CheckOpen());
  if (checksum.empty()) return Status::InvalidArgument(fmt::format("{}: empty checksum for '{}'", b.Where(), source_path));
  for (const auto& f : b.ingested) {
    if (f.checksum == checksum) {
      return Status::AlreadyExists(fmt::format("{}: '{}' has the same content as '{}' in this batch; skip it",
                                               b.Where(), source_path, f.source_path));
    }
  }
  ASSIGN_OR_RETURN(auto existing, b.lake->metastore().FindIngestedFile(b.dataset, checksum));
  if (existing) {
    return Status::AlreadyExists(fmt::format("'{}' (sha256 {}) was already ingested by batch {} from '{}'; skip it",
                                             source_path, checksum, existing->batch_id, existing->source_path));
  }
  IngestedFileInfo info;
  info.checksum = std::move(checksum);
  info.source_path = std::move(source_path);
  info.byte_count = byte_count;
  info.dataset = b.dataset;
  info.batch_id = b.id;
  b.ingested.push_back(std::move(info));
  return Status::OK();
}

Status BatchWriter::AddQuarantined(int64_t count, std::string reason, std::optional<DatasetId> dataset) {
  RETURN_NOT_OK(impl_->CheckOpen());
  if (count < 0) return Status::InvalidArgument(fmt::format("{}: negative quarantine count", impl_->Where()));
  DatasetId ds = dataset.value_or(impl_->dataset);
  QuarantineCount& q = impl_->quarantine[{ds.ToString(), reason}];
  q.batch_id = impl_->id;
  q.dataset = ds;
  q.reason = std::move(reason);
  q.record_count += count;
  return Status::OK();
}

Status BatchWriter::Abort(std::string reason) {
  Impl& b = *impl_;
  if (b.state != Impl::State::kOpen) return Status::OK();
  Status st = b.lake->metastore().AbortBatch(b.id, reason);
  Status rm = RemoveAll(b.lake->layout().StagingDir(b.id));
  b.state = Impl::State::kAborted;
  b.lock.Release();
  RETURN_NOT_OK(st.WithContext(b.Where()));
  return rm.WithContext(b.Where());
}

Status BatchWriter::Commit() {
  RETURN_NOT_OK(impl_->CheckOpen());
  return impl_->DoCommit();
}

Status BatchWriter::Impl::DoCommit() {
  const LakeOptions& opt = lake->options();
  std::vector<size_t> renamed;
  auto fail = [&](const Status& st) {
    Rollback(renamed, st.ToString());
    return st.WithContext(fmt::format("{}: commit failed, nothing was committed", Where()));
  };
#define COMMIT_STEP(expr)            \
  do {                               \
    Status _s = (expr);              \
    if (!_s.ok()) return fail(_s);   \
  } while (0)

  COMMIT_STEP(FailPoint("commit.start"));
  // 1. Each staged file is complete and has its checksum.
  int64_t bytes = 0;
  for (File& f : files) {
    auto size = FileSize(f.staging);
    if (!size.ok()) COMMIT_STEP(size.status());
    f.info.byte_count = *size;
    bytes += *size;
    if (f.info.checksum.empty() && opt.checksum_files && f.checksum_content) {
      auto sum = Sha256File(f.staging);
      if (!sum.ok()) COMMIT_STEP(sum.status());
      f.info.checksum = *sum;
    }
  }
  COMMIT_STEP(FailPoint("commit.after_verify"));
  // 2. File contents are durable before any name points at them.
  if (opt.sync) {
    std::vector<std::string> staged;
    for (const File& f : files) staged.push_back(f.staging);
    COMMIT_STEP(SyncAll(staged, false));
  }
  for (size_t i = 0; i < files.size(); ++i) COMMIT_STEP(FailPoint(fmt::format("commit.after_fsync_file:{}", i)));
  // 3. Reserve the final paths: a crash from here on leaves pending rows
  //    that tell recovery exactly which final-place files to remove.
  {
    std::vector<FileInfo> infos;
    for (const File& f : files) infos.push_back(f.info);
    if (!infos.empty()) COMMIT_STEP(lake->metastore().ReserveFiles(id, infos));
  }
  COMMIT_STEP(FailPoint("commit.after_reserve"));
  // 4. Rename into place; then fsync every folder that gained an entry.
  std::set<std::string> dirs_to_sync;
  for (size_t i = 0; i < files.size(); ++i) {
    std::vector<std::string> created;
    COMMIT_STEP(MakeDirs(ParentDir(files[i].final_path), &created));
    for (const auto& d : created) dirs_to_sync.insert(ParentDir(d));
    dirs_to_sync.insert(ParentDir(files[i].final_path));
    COMMIT_STEP(RenameFile(files[i].staging, files[i].final_path));
    renamed.push_back(i);
    COMMIT_STEP(FailPoint(fmt::format("commit.after_rename:{}", i)));
  }
  if (opt.sync) COMMIT_STEP(SyncAll({dirs_to_sync.begin(), dirs_to_sync.end()}, true));
  for (size_t n = 0; n < dirs_to_sync.size(); n++) COMMIT_STEP(FailPoint(fmt::format("commit.after_fsync_dir:{}", n)));
  // 5. One transaction makes it all visible.
  BatchCommit c;
  c.batch_id = id;
  c.dataset = dataset;
  c.touched.push_back(dataset);
  auto touch = [&](const DatasetId& ds) {
    if (std::find(c.touched.begin(), c.touched.end(), ds) == c.touched.end()) c.touched.push_back(ds);
  };
  for (const File& f : files) touch(f.info.dataset);
  for (const auto& ds : replace) touch(ds);
  for (const auto& [key, q] : quarantine) touch(q.dataset);
  for (const auto& [key, schema] : schemas) {
    auto ds = DatasetId::Parse(key);
    if (ds.ok()) touch(*ds);
  }
  c.replace = replace;
  c.schemas = schemas;
  for (auto& [key, cur] : cursors) c.cursors.push_back(cur);
  c.ingested = ingested;
  for (auto& [key, q] : quarantine) {
    c.quarantine.push_back(q);
    c.quarantined_count += q.record_count;
  }
  c.file_count = static_cast<int64_t>(files.size());
  c.row_count = rows;
  c.byte_count = bytes;
  Status st = lake->metastore().CommitBatch(c, opt.fail_point);
  if (!st.ok()) {
    // An I/O error on COMMIT can hide a commit that did happen: ask.
    auto batch = lake->metastore().GetBatch(id);
    if (!(batch.ok() && *batch && (*batch)->state == BatchState::kCommitted)) return fail(st);
  }
#undef COMMIT_STEP
  state = State::kCommitted;
  // Past the commit point: a crash here leaves only an empty staging folder.
  (void)FailPoint("commit.after_transaction");
  (void)RemoveAll(lake->layout().StagingDir(id));
  lock.Release();
  // What this batch replaced leaves its dataset folders now, if no other batch
  // is live (else the next recovery moves it: superseded.h). Errors here do
  // not undo the commit; the next recovery retries.
  if (!replace.empty()) (void)lake->Recover(/*sweep=*/false);
  return Status::OK();
}

}  // namespace custlake::lake
