#!/usr/bin/env bash
# The tests under sanitizers (scripts/test.sh runs this on a full run, after the fuzzer):
#   asan  the unit tests of every module below the CLI and the ingest integration suite
#         (ingest_integration_test: truth, malformed corpus, kill -9, spills, changing files)
#         under ASan + UBSan, in build/asan (a UBSan report or a leak fails the test);
#   tsan  the tests of the threaded code under TSan, in build/tsan: the unit tests of engine
#         (RowStream's helpers), lake (concurrent batches), import (parallel splits), ingest
#         (parse pool, landing queue) and query (the watchdog), and the ingest integration
#         tests of the parse workers and of stopping the watch loop (IngestParseThreads,
#         IngestWatchStop).
# The tests that run the whole custlake binary (cli, ingest_cli_test, ...) stay out: building it
# twice more would not fit CI's time.
# Each builds only the test targets it runs. libduckdb.so is not instrumented; what that
# needs is in scripts/sanitizers/*.supp (each entry says why).
#
#   scripts/sanitizers.sh [asan] [tsan]     (default: both)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc 2>/dev/null || echo 2)
supp="$root/scripts/sanitizers"

unit_targets=(common_test engine_test lake_test auth_test db_test generate_test import_test ingest_unit_test warehouse_test
              query_test clv_test serve_test)

run_asan() {
  cmake --preset asan >/dev/null
  cmake --build --preset asan -j"$jobs" --target "${unit_targets[@]}" ingest_integration_test
  export ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:strict_string_checks=1"
  export LSAN_OPTIONS="suppressions=$supp/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  ctest --test-dir build/asan -j"$jobs" --timeout 900 --output-on-failure -L unit
  ctest --test-dir build/asan -j"$jobs" --timeout 900 --output-on-failure -L integration -R '^Ingest'
}

run_tsan() {
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j"$jobs" --target engine_test lake_test auth_test import_test ingest_unit_test query_test \
    ingest_integration_test
  export TSAN_OPTIONS="halt_on_error=1:detect_deadlocks=0:suppressions=$supp/tsan.supp:print_suppressions=0"
  ctest --test-dir build/tsan -j"$jobs" --timeout 900 --output-on-failure -L unit
  ctest --test-dir build/tsan -j"$jobs" --timeout 900 --output-on-failure -R '^Ingest(ParseThreads|WatchStop)\.'
}

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=(asan tsan)
for stage in "${stages[@]}"; do
  case "$stage" in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *) echo "sanitizers.sh: unknown stage $stage (use asan and/or tsan)" >&2; exit 2 ;;
  esac
done
