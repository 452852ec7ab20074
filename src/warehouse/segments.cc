#include "warehouse/segments.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "warehouse/file_clone.h"

namespace custlake::warehouse {
namespace fs = std::filesystem;
using engine::QuoteIdent;
using engine::QuoteLiteral;

std::string SegmentFileName(int64_t version, const std::string& model) {
  return "v" + std::to_string(version) + "." + model + ".segment";
}

std::string SegmentCatalog(int64_t version, const std::string& model) {
  return "_segment_v" + std::to_string(version) + "_" + model;
}

std::string TailTable(const std::string& model) { return "_warehouse_tail_" + model; }

std::string DroppedTable(const std::string& model) { return "_warehouse_dropped_" + model; }

namespace {

Status Attach(engine::Session* session, const std::string& path, const std::string& catalog, bool read_only) {
  return session->Execute("ATTACH " + QuoteLiteral(path) + " AS " + QuoteIdent(catalog) +
                          (read_only ? " (READ_ONLY)" : ""));
}

}  // namespace

Result<std::vector<std::string>> AttachVersion(engine::Session* session, const std::string& path,
                                               const std::string& alias) {
  RETURN_NOT_OK(Attach(session, path, alias, /*read_only=*/true).WithContext("warehouse version " + path));
  std::vector<std::string> files{path};
  ASSIGN_OR_RETURN(bool segmented, engine::HasTable(session, alias, "_warehouse_segments"));
  if (!segmented) return files;
  ASSIGN_OR_RETURN(auto rows, session->Query("SELECT file, catalog FROM " + QuoteIdent(alias) +
                                             ".main._warehouse_segments ORDER BY model"));
  for (const auto& row : rows.rows) {
    std::string file = (fs::path(path).parent_path() / row[0]).string();
    RETURN_NOT_OK(Attach(session, file, row[1], /*read_only=*/true)
                      .WithContext("segment " + row[0] + " of warehouse version " + path +
                                   " (restore the file, or publish a new version with custlake build --full)"));
    files.push_back(file);
  }
  return files;
}

SegmentSet::SegmentSet(lake::BatchWriter* batch, std::string previous_dir)
    : batch_(batch), previous_dir_(std::move(previous_dir)) {}

Result<SegmentSet::Segment*> SegmentSet::Find(const std::string& model) {
  auto it = segments_.find(model);
  if (it == segments_.end()) return Status::Internal("append model " + model + " has no segment in this build");
  return &it->second;
}

const char* SegmentSet::OriginName(Origin origin) {
  switch (origin) {
    case Origin::kWritten: return "written";
    case Origin::kLinked: return "linked";
    case Origin::kCopied: return "copied";
    case Origin::kRewritten: return "rewritten";
  }
  return "?";
}

Result<SegmentSet::Segment> SegmentSet::NewSegment(const std::string& model, Origin origin) {
  Segment s;
  s.file = SegmentFileName(batch_->id(), model);
  ASSIGN_OR_RETURN(s.staging, batch_->StagingPath(s.file));
  s.catalog = SegmentCatalog(batch_->id(), model);
  s.origin = origin;
  return s;
}

std::string SegmentSet::SettledTable(const Segment& s, const std::string& model) {
  return QuoteIdent(s.catalog) + ".main." + QuoteIdent(model);
}

Status SegmentSet::CreateView(engine::Session* session, const std::string& model, const Segment& s) {
  // The tail and the dropped rows are named without a catalog: a view binds
  // its names in its own database. With no dropped rows, readers pay nothing for them.
  const std::string dropped = QuoteIdent(DroppedTable(model));
  RETURN_NOT_OK(session->Execute("CREATE TABLE IF NOT EXISTS " + dropped + " (row_id BIGINT)"));
  ASSIGN_OR_RETURN(auto n, session->Query("SELECT count(*) FROM " + dropped));
  const std::string settled = "SELECT * FROM " + SettledTable(s, model) +
                              (n.Scalar() == "0" ? "" : " WHERE rowid NOT IN (SELECT row_id FROM " + dropped + ")");
  return session->Execute("CREATE OR REPLACE VIEW " + QuoteIdent(model) + " AS " + settled + " UNION ALL SELECT * FROM " +
                          QuoteIdent(TailTable(model)));
}

Result<bool> SegmentSet::LinkPrevious(engine::Session* session, const std::vector<std::string>& models) {
  ASSIGN_OR_RETURN(std::string self, engine::CurrentCatalog(session));
  ASSIGN_OR_RETURN(bool segmented, engine::HasTable(session, self, "_warehouse_segments"));
  if (!segmented) return models.empty();
  ASSIGN_OR_RETURN(auto rows, session->Query("SELECT model, file FROM _warehouse_segments"));
  std::map<std::string, std::string> previous;
  for (const auto& row : rows.rows) previous[row[0]] = row[1];
  for (const std::string& model : models) {
    if (!previous.count(model)) return false;
  }
  for (const std::string& model : models) {
    ASSIGN_OR_RETURN(Segment s, NewSegment(model, Origin::kLinked));
    s.previous_path = (fs::path(previous_dir_) / previous.at(model)).string();
    if (!fs::exists(s.previous_path)) {
      return Status::NotFound("the previous warehouse version's segment of " + model + " is missing: " +
                              s.previous_path + " (restore the file, or run custlake build --full)");
    }
    std::error_code ec;
    fs::create_hard_link(s.previous_path, s.staging, ec);
    if (ec) {
      // No links here (another filesystem): a copy, still never written.
      Result<FileCopy> copied = CloneOrCopyFile(s.previous_path, s.staging);
      RETURN_NOT_OK(copied.status().WithContext("segment of " + model + " (" + ec.message() + ")"));
      s.origin = Origin::kCopied;
    }
    RETURN_NOT_OK(Attach(session, s.staging, s.catalog, /*read_only=*/true)
                      .WithContext("segment of " + model + " from " + s.previous_path));
    RETURN_NOT_OK(CreateView(session, model, s));
    segments_[model] = std::move(s);
  }
  return true;
}

Status SegmentSet::Create(engine::Session* session, const std::string& model, const std::string& sql) {
  ASSIGN_OR_RETURN(Segment s, NewSegment(model, Origin::kWritten));
  // A full build over a copied version may find the model as a view or a table.
  ASSIGN_OR_RETURN(auto kind, session->Query("SELECT table_type FROM information_schema.tables WHERE table_catalog = "
                                             "current_database() AND table_schema = 'main' AND table_name = " +
                                             QuoteLiteral(model)));
  if (!kind.rows.empty()) {
    RETURN_NOT_OK(session->Execute(std::string(kind.Scalar() == "VIEW" ? "DROP VIEW " : "DROP TABLE ") +
                                   QuoteIdent(model)));
  }
  std::error_code ec;
  fs::remove(s.staging, ec);
  RETURN_NOT_OK(Attach(session, s.staging, s.catalog, /*read_only=*/false));
  RETURN_NOT_OK(session->Execute("CREATE TABLE " + SettledTable(s, model) + " AS\n" + sql));
  RETURN_NOT_OK(session->Execute("CREATE OR REPLACE TABLE " + QuoteIdent(TailTable(model)) + " AS SELECT * FROM " +
                                 SettledTable(s, model) + " LIMIT 0"));
  RETURN_NOT_OK(session->Execute("DROP TABLE IF EXISTS " + QuoteIdent(DroppedTable(model))));
  RETURN_NOT_OK(CreateView(session, model, s));
  segments_[model] = std::move(s);
  return Status::OK();
}

Result<bool> SegmentSet::TailOutgrown(engine::Session* session, const std::string& model) {
  ASSIGN_OR_RETURN(Segment * s, Find(model));
  ASSIGN_OR_RETURN(auto r, session->Query("SELECT (SELECT count(*) FROM " + QuoteIdent(TailTable(model)) +
                                          "), (SELECT count(*) FROM " + SettledTable(*s, model) + ")"));
  int64_t tail = std::stoll(r.rows[0][0]), settled = std::stoll(r.rows[0][1]);
  return tail > 0 && tail * 4 >= settled;
}

Status SegmentSet::Settle(engine::Session* session, const std::string& model) {
  ASSIGN_OR_RETURN(Segment * s, Find(model));
  if (s->edit == Segment::Edit::kSettled) return Status::OK();
  std::string table = SettledTable(*s, model);
  if (!s->writable()) {
    // The shared file stays as the versions before this one read it: this build changes a copy.
    RETURN_NOT_OK(session->Execute("DETACH " + QuoteIdent(s->catalog)));
    std::error_code ec;
    fs::remove(s->staging, ec);
    Result<FileCopy> copied = CloneOrCopyFile(s->previous_path, s->staging);
    RETURN_NOT_OK(copied.status().WithContext("copying the segment of " + model));
    RETURN_NOT_OK(Attach(session, s->staging, s->catalog, /*read_only=*/false));
    s->origin = Origin::kRewritten;
  }
  // The copy has the same rowids as the file the dropped rows were taken from.
  const std::string dropped = QuoteIdent(DroppedTable(model));
  RETURN_NOT_OK(session->Execute("DELETE FROM " + table + " WHERE rowid IN (SELECT row_id FROM " + dropped +
                                 "); DELETE FROM " + dropped + "; INSERT INTO " + table + " SELECT * FROM " +
                                 QuoteIdent(TailTable(model)) + "; DELETE FROM " + QuoteIdent(TailTable(model)) +
                                 "; DROP VIEW " + QuoteIdent(model))
                    .WithContext("moving the tail of " + model + " into its segment"));
  // Unqualified, the model's name now finds the segment's table (the version
  // file's own names first, so delta.* and the dimensions resolve as before).
  ASSIGN_OR_RETURN(std::string self, engine::CurrentCatalog(session));
  RETURN_NOT_OK(session->Execute("SET search_path = " + QuoteLiteral(QuoteIdent(self) + ".main," +
                                                                     QuoteIdent(s->catalog) + ".main")));
  s->edit = Segment::Edit::kSettled;
  return Status::OK();
}

Result<int64_t> SegmentSet::Promote(engine::Session* session, const std::string& model,
                                    const std::vector<std::string>& conditions) {
  ASSIGN_OR_RETURN(Segment * s, Find(model));
  if (s->edit != Segment::Edit::kNone) return Status::Internal("segment of " + model + " is already being changed");
  // The dropped rows' table exists: CreateView made it with the view.
  const std::string dropped = QuoteIdent(DroppedTable(model)), tail = QuoteIdent(TailTable(model));
  const std::string moving = QuoteIdent("_warehouse_moving_" + model);
  int64_t moved = 0;
  for (const std::string& condition : conditions) {
    // The segment's table goes by the model's name here, as the condition names it.
    RETURN_NOT_OK(session
                      ->Execute("CREATE OR REPLACE TEMP TABLE " + moving + " AS SELECT rowid AS row_id FROM " +
                                SettledTable(*s, model) + " AS " + QuoteIdent(model) + " WHERE (\n" + condition +
                                "\n) AND rowid NOT IN (SELECT row_id FROM " + dropped + ")")
                      .WithContext("post_incremental_rows of " + model));
    ASSIGN_OR_RETURN(auto r, session->Query("INSERT INTO " + tail + " SELECT * FROM " + SettledTable(*s, model) +
                                            " WHERE rowid IN (SELECT row_id FROM " + moving + ")"));
    moved += r.rows_changed;
    RETURN_NOT_OK(session->Execute("INSERT INTO " + dropped + " SELECT row_id FROM " + moving + "; DROP TABLE " + moving));
  }
  RETURN_NOT_OK(session->Execute("DROP VIEW " + QuoteIdent(model) + "; ALTER TABLE " + tail + " RENAME TO " +
                                 QuoteIdent(model)));
  s->edit = Segment::Edit::kPromoted;
  return moved;
}

Status SegmentSet::Unsettle(engine::Session* session, const std::string& model) {
  ASSIGN_OR_RETURN(Segment * s, Find(model));
  switch (s->edit) {
    case Segment::Edit::kNone: return Status::OK();
    case Segment::Edit::kSettled: RETURN_NOT_OK(session->Execute("RESET search_path")); break;
    case Segment::Edit::kPromoted:
      RETURN_NOT_OK(session->Execute("ALTER TABLE " + QuoteIdent(model) + " RENAME TO " + QuoteIdent(TailTable(model))));
      break;
  }
  s->edit = Segment::Edit::kNone;
  return CreateView(session, model, *s);
}

std::string SegmentSet::AppendTarget(const std::string& model) const {
  auto it = segments_.find(model);
  const bool as_view = it != segments_.end() && it->second.edit == Segment::Edit::kNone;
  return QuoteIdent(as_view ? TailTable(model) : model);
}

Status SegmentSet::Finish(engine::Session* session) {
  std::string sql = "CREATE OR REPLACE TABLE _warehouse_segments (model VARCHAR, file VARCHAR, catalog VARCHAR);\n";
  for (auto& [model, s] : segments_) {
    // The rows that count: a dropped row is counted with the tail that holds it now.
    ASSIGN_OR_RETURN(auto n, session->Query("SELECT (SELECT count(*) FROM " + SettledTable(s, model) +
                                            ") - (SELECT count(*) FROM " + QuoteIdent(DroppedTable(model)) + ")"));
    s.rows = std::stoll(n.Scalar());
    if (s.writable()) RETURN_NOT_OK(session->Execute("CHECKPOINT " + QuoteIdent(s.catalog)));
    sql += "INSERT INTO _warehouse_segments VALUES (" + QuoteLiteral(model) + ", " + QuoteLiteral(s.file) + ", " +
           QuoteLiteral(s.catalog) + ");\n";
  }
  return session->Execute(sql);
}

Status SegmentSet::AddFiles() {
  for (const auto& [model, s] : segments_) {
    lake::FileSpec spec;
    spec.path = s.file;
    spec.row_count = s.rows;
    spec.provenance_json = "{\"kind\":\"warehouse segment\",\"model\":" + nlohmann::json(model).dump() + "}";
    // Like the version file: DuckDB checksums its blocks; a linked segment is not read at all.
    spec.checksum_content = false;
    RETURN_NOT_OK(batch_->AddFile(std::move(spec)));
  }
  return Status::OK();
}

int64_t SegmentSet::Rows() const {
  int64_t rows = 0;
  for (const auto& [model, s] : segments_) rows += s.rows;
  return rows;
}

std::map<std::string, std::string> SegmentSet::Modes() const {
  std::map<std::string, std::string> out;
  for (const auto& [model, s] : segments_) out[model] = OriginName(s.origin);
  return out;
}

std::string SegmentSet::ModeOf(const std::string& model) const {
  auto it = segments_.find(model);
  return it == segments_.end() ? "" : OriginName(it->second.origin);
}

Result<std::optional<std::map<std::string, std::set<int64_t>>>> ConsumedBatches(engine::Session* session,
                                                                              const std::string& catalog) {
  ASSIGN_OR_RETURN(bool has, engine::HasTable(session, catalog, "_warehouse_consumed"));
  if (!has) return std::optional<std::map<std::string, std::set<int64_t>>>();
  ASSIGN_OR_RETURN(auto rows, session->Query("SELECT view_name, batch_id FROM " + QuoteIdent(catalog) +
                                             ".main._warehouse_consumed"));
  std::map<std::string, std::set<int64_t>> out;
  for (const auto& row : rows.rows) out[row[0]].insert(std::stoll(row[1]));
  return std::optional<std::map<std::string, std::set<int64_t>>>(std::move(out));
}

}  // namespace custlake::warehouse
