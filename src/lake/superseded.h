// Superseded files out of the dataset folders (internal to the lake module;
// Lake::Recover and BatchWriter::Commit are the public doors).
//
// A batch that replaces a dataset retires its earlier files. Readers that go
// through the metastore never see them again, but an external engine (Hive,
// Trino, Spark) reading the dataset's folder would count both. So every
// retired file, except the warehouse's version files (warehouse/versions:
// readers of older versions attach them from that folder), is moved to
// _superseded/<its path>, a folder no external table points at, where it
// stays, still listed in the metastore, until a vacuum deletes it.
//
// The move is recorded before it is made: one transaction sets the rows'
// paths to _superseded/<path> (fail point "set_aside.after_record"), then
// each file is renamed ("set_aside.after_rename:<i>") and the folders are
// fsynced. A crash between the two leaves rows that point under _superseded/
// at files still in place; the next pass finds them (a row under
// _superseded/ whose file is missing there but present at the original path)
// and finishes the rename. Both steps are idempotent, so a crash during the
// pass is repaired by the next one. The caller must hold _lake.lock
// exclusively: then no batch in any process is reading a file it moves.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "lake/fail_point.h"
#include "lake/layout.h"
#include "lake/metastore.h"

namespace custlake::lake {

struct SetAsideReport {
  int moved = 0;                         ///< files renamed out of their dataset folders
  int finished = 0;                      ///< of those, moves a crashed pass had recorded
  std::vector<std::string> moved_paths;  ///< their former lake-relative paths
};

/// Whether a retired file of `dataset` is moved out of its folder.
bool SetsAsideRetired(const DatasetId& dataset);

/// Moves every retired file still in a dataset folder to _superseded/,
/// finishing moves a crashed pass recorded. Needs the exclusive lake lock.
Status SetAsideRetiredLocked(const Layout& layout, Metastore& metastore, bool sync, const FailPointHook& hook,
                             SetAsideReport* report);

}  // namespace custlake::lake
