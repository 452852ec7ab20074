// A test seam for the commit protocol and recovery: a hook consulted
// between every durable step (after the staged files are checked, after each
// fsync, after each rename, before and inside the metastore transaction, and
// between recovery's steps). Production leaves it empty.
//
// A hook that returns an error makes the operation fail right there, as an
// I/O error would (Commit then rolls back what it can; recovery picks up the
// rest). A hook that calls _exit() or raise(SIGKILL) simulates a crash at
// that exact point; the tests do both at every step. Step names are stable
// and listed in docs/lake-format.md; some carry an index ("commit.after_rename:1").
#pragma once

#include <functional>
#include <string_view>

#include "common/status.h"

namespace custlake::lake {

using FailPointHook = std::function<Status(std::string_view step)>;

/// OK when `hook` is empty, else whatever it returns for `step`.
inline Status CheckFailPoint(const FailPointHook& hook, std::string_view step) {
  return hook ? hook(step) : Status::OK();
}

}  // namespace custlake::lake
