// Small POSIX process helpers for the real-server test harness: run a
// command to completion, spawn a long-running server that dies with the
// test process, find free ports and executables.
//
// Test-only code (namespace custlake::testing). Functions are thread-safe
// in the sense that they share no state, but a server's parent-death signal
// fires when the *thread* that spawned it exits: spawn servers from the
// main test thread.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace custlake::testing {

struct ProcessOptions {
  /// Run as this system user (needs root); empty = the current user.
  std::string run_as;
  /// Working directory of the child; empty = unchanged.
  std::string cwd;
  /// stdout and stderr go here (appended); empty = /dev/null.
  std::string log_file;
};

/// Runs `argv` to completion (at most `timeout_s` seconds, then SIGKILL).
/// Returns its exit code; stdout+stderr land in options.log_file.
Result<int> RunProcess(const std::vector<std::string>& argv, const ProcessOptions& options, int timeout_s);

/// Starts `argv` in the background with a parent-death signal (SIGKILL), so
/// it cannot outlive the test process even when that crashes.
Result<pid_t> SpawnProcess(const std::vector<std::string>& argv, const ProcessOptions& options);

/// True while `pid` (a child of ours) has not exited; reaps it when it has.
bool ChildAlive(pid_t pid);

/// Sends `sig`, waits up to `timeout_s` for exit, then SIGKILLs and reaps.
void StopProcess(pid_t pid, int sig, int timeout_s);

/// A TCP port on 127.0.0.1 that was free a moment ago.
Result<int> FreeLoopbackPort();

/// The first of `names` found as an executable in $PATH or `extra_dirs`.
std::optional<std::string> FindExecutable(const std::vector<std::string>& names,
                                          const std::vector<std::string>& extra_dirs = {});

/// The last `max_bytes` of a file (for error messages), or "" if unreadable.
std::string TailOfFile(const std::string& path, size_t max_bytes = 2000);

}  // namespace custlake::testing
