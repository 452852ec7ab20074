// Where an `append` model's rows live: outside the version file, so that an
// incremental build that only appends does not copy them.
//
// A version holds an append model M as
//   - its *segment*: the settled rows, in a DuckDB file of their own next to
//     the version file (warehouse/versions/v<batch>.M.segment, one table M),
//     attached as catalog SegmentCatalog(batch, M);
//   - its *tail*: the rows appended since, table _warehouse_tail_M in the
//     version file;
//   - its *dropped rows*: table _warehouse_dropped_M (row_id) in the version
//     file, the segment's rowids that no longer count (they moved to the tail);
//   - the view M = segment (less its dropped rows) UNION ALL tail, which
//     models, checks, the export and readers query.
// A segment file is never written once published. A build that only appends
// hard-links the previous version's segment into its batch under its own
// name (no bytes copied) and appends to the tail, which travels with the
// version file. A build whose @post_incremental statements change settled
// rows that the model's post_incremental_rows condition picks out moves
// those rows to the tail (Promote: their rowids join the dropped rows) and
// runs the statements on the tail alone: the segment stays linked. A build
// that must change settled rows otherwise (a replaced source's rows deleted,
// @post_incremental without that condition, or a tail grown past a quarter
// of the segment) copies the segment (file_clone.h), deletes its dropped
// rows, moves the tail into it and changes the copy: older versions keep
// reading their own file.
// _warehouse_segments in the version file lists its segments; AttachVersion
// attaches a version with them (readers, checks, the data dictionary).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "engine/engine.h"
#include "lake/batch_writer.h"

namespace custlake::warehouse {

/// The segment's file name in warehouse/versions: v<version>.<model>.segment.
std::string SegmentFileName(int64_t version, const std::string& model);
/// The catalog a version's views read the segment as: _segment_v<version>_<model>.
std::string SegmentCatalog(int64_t version, const std::string& model);
/// The table of rows appended since the segment was written, in the version file.
std::string TailTable(const std::string& model);
/// The table of the segment's rowids that moved to the tail, in the version file.
std::string DroppedTable(const std::string& model);

/// The batches the version attached as `catalog` consumed, per raw view;
/// nullopt when it predates _warehouse_consumed (then the next build is a full one).
Result<std::optional<std::map<std::string, std::set<int64_t>>>> ConsumedBatches(engine::Session* session,
                                                                              const std::string& catalog);

/// Attaches the version file at `path` read-only as catalog `alias`, and the
/// segment files its views read. Returns every file attached, the version first.
Result<std::vector<std::string>> AttachVersion(engine::Session* session, const std::string& path,
                                               const std::string& alias);

/// One build's segments, in the session of the version file being built.
class SegmentSet {
 public:
  /// `previous_dir`: the folder of the previous version's files (incremental builds).
  SegmentSet(lake::BatchWriter* batch, std::string previous_dir);

  /// Incremental build, on the copy of the previous version: its segments are
  /// hard-linked into this batch and attached read-only, and the views point
  /// at them. Returns false (nothing done) when the copy lacks a segment of
  /// one of `models` (a version from before segments: build it all again).
  Result<bool> LinkPrevious(engine::Session* session, const std::vector<std::string>& models);

  /// Full build of `model`: a new segment holding the rows of `sql`, an empty tail, the view.
  Status Create(engine::Session* session, const std::string& model, const std::string& sql);

  /// True when the tail has grown to a quarter of the segment's rows: time to settle it.
  Result<bool> TailOutgrown(engine::Session* session, const std::string& model);
  /// Before changing settled rows: the segment becomes a writable copy
  /// holding the tail too, and until Unsettle the model's name resolves to
  /// the segment's table (the view is dropped, the search path reaches it).
  Status Settle(engine::Session* session, const std::string& model);
  /// Instead of Settle, when the rows about to change are those of the
  /// segment where one of `conditions` holds (and rows of the tail): those
  /// rows move to the tail, their rowids to the dropped rows, and until
  /// Unsettle the model's name is the tail table itself. Returns the rows moved.
  Result<int64_t> Promote(engine::Session* session, const std::string& model,
                          const std::vector<std::string>& conditions);
  /// Puts the view back after Settle or Promote.
  Status Unsettle(engine::Session* session, const std::string& model);
  /// Where new rows of `model` go: its tail, or (settled, promoted) the table its name is now.
  std::string AppendTarget(const std::string& model) const;

  /// Before the version file is closed: checkpoints the segments this build
  /// wrote and records every segment in _warehouse_segments.
  Status Finish(engine::Session* session);
  /// Declares the segment files in the batch (before its commit).
  Status AddFiles();
  /// The rows the segments hold, less their dropped rows (known after Finish): not the version file's.
  int64_t Rows() const;
  /// model -> "written" (full build), "linked" (the previous file, shared),
  /// "copied" (the same, where links fail) or "rewritten" (a changed copy).
  std::map<std::string, std::string> Modes() const;
  /// The same for one model; "" when it has no segment.
  std::string ModeOf(const std::string& model) const;

 private:
  enum class Origin { kWritten, kLinked, kCopied, kRewritten };
  static const char* OriginName(Origin origin);
  struct Segment {
    std::string file;     ///< SegmentFileName in this batch
    std::string staging;  ///< its absolute staging path
    std::string catalog;
    std::string previous_path;  ///< the previous version's file (linked and copied segments)
    Origin origin = Origin::kWritten;
    /// What this build is doing to settled rows until Unsettle: nothing (the
    /// model's name is the view), Settle (the segment's table) or Promote (the tail).
    enum class Edit { kNone, kSettled, kPromoted } edit = Edit::kNone;
    int64_t rows = 0;  ///< the segment's rows less its dropped ones, known at Finish
    /// This build writes the file (attached read-write, checkpointed at Finish).
    bool writable() const { return origin == Origin::kWritten || origin == Origin::kRewritten; }
  };
  Result<Segment> NewSegment(const std::string& model, Origin origin);
  static std::string SettledTable(const Segment& s, const std::string& model);
  Result<Segment*> Find(const std::string& model);
  Status CreateView(engine::Session* session, const std::string& model, const Segment& s);

  lake::BatchWriter* batch_;
  std::string previous_dir_;
  std::map<std::string, Segment> segments_;
};

}  // namespace custlake::warehouse
