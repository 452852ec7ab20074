// Recovery after killed runs (internal to the lake module; Lake::Recover is
// the public door). The caller must hold _lake.lock exclusively: then no
// batch is live in any process, so every batch still `writing` is dead.
//
//   1. each dead batch: remove its pending files from their final place,
//      drop the pending rows, mark the batch aborted
//   2. remove everything under _staging/
//   3. move retired files out of their dataset folders to _superseded/,
//      finishing moves a crashed pass recorded (superseded.h)
//   4. (sweep) remove files under the managed zones and _superseded/ that
//      the metastore does not list in any state, then empty folders
//   5. mark runs of dead processes on this host as killed
//
// Every step is idempotent, so a crash during recovery is repaired by the
// next one. Fail points: "recover.after_batch:<id>", "recover.after_staging",
// "recover.after_sweep".
#pragma once

#include "common/status.h"
#include "lake/fail_point.h"
#include "lake/layout.h"
#include "lake/metastore.h"

namespace custlake::lake {

struct RecoveryReport;

Status RecoverLocked(const Layout& layout, Metastore& metastore, bool sweep, bool sync, const FailPointHook& hook,
                     RecoveryReport* report);

}  // namespace custlake::lake
