#!/usr/bin/env bash
# Sets everything up and runs every test: unit tests (seconds), integration
# and end-to-end tests (real MariaDB and PostgreSQL servers started on
# loopback by the tests, the custlake binary end to end), after fuzzing the
# ingest record path for a bounded time under ASan/UBSan and running the unit and
# ingest suites under ASan/UBSan and the threaded tests under TSan (scripts/sanitizers.sh).
# This is the command the README gives and the one CI runs. Safe to run twice.
#
#   scripts/test.sh              everything
#   scripts/test.sh -L unit      only the unit tests (any ctest arguments pass through; no fuzzing,
#                                no sanitizers)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

stage_start=$SECONDS
stage_done() {  # prints how long each stage took, so a slow CI run shows where its time went
  echo "test.sh: $1 took $((SECONDS - stage_start)) s" >&2
  stage_start=$SECONDS
}

"$root/scripts/bootstrap.sh" --test
stage_done "set-up (bootstrap)"

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"
stage_done "build (ci)"
if [ $# -eq 0 ]; then
  "$root/fuzz/run.sh" "${CUSTLAKE_FUZZ_SECONDS:-60}"
  stage_done "fuzzing (build and run)"
  "$root/scripts/sanitizers.sh"
  stage_done "sanitizers (asan, tsan)"
fi

# The servers are installed by bootstrap: a test that cannot start one must fail, not skip.
export CUSTLAKE_REQUIRE_SERVERS=1
ctest --preset ci -j"$jobs" --timeout 900 "$@"
stage_done "ctest"
