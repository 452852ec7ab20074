#!/usr/bin/env bash
# Builds the fuzzers with clang, ASan and UBSan, and runs each for a bounded
# time (default 60 s each): fuzz/run.sh [SECONDS]. Exit status 0 = no crash.
#   record_path_fuzzer  the ingest record path (landing-file content)
#   pg_message_fuzzer   the PostgreSQL endpoint's message decoding (a client's bytes)
# Needs clang (apt-get install clang). CI calls this.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build/fuzz"
# The modules the fuzzers use are built instrumented.
cmake -S "$root/fuzz/standalone" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCUSTLAKE_ROOT="$root" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer" >/dev/null
# A failed build fails the run (pipefail): never fuzz an old binary.
targets=(record_path_fuzzer pg_message_fuzzer)
for target in "${targets[@]}"; do rm -f "$build/fuzz/$target"; done
cmake --build "$build" --target "${targets[@]}" -j2 2>&1 | { grep -v -e "Wshadow=local" -e "warning generated" || true; }
run() {  # target, seed folder; the fuzzer's output goes to build/fuzz/TARGET.log
  local corpus="$build/corpus-$1"
  mkdir -p "$corpus"
  cp -n "$2"/* "$corpus"/ 2>/dev/null || true
  "$build/fuzz/$1" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$corpus" >"$build/$1.log" 2>&1
}
# The two fuzzers are single-threaded: they run side by side, each for the full time.
run record_path_fuzzer "$root/fuzz/seeds" & record=$!
run pg_message_fuzzer "$root/fuzz/seeds-pg" & pg=$!
status=0
for job in "record_path_fuzzer $record" "pg_message_fuzzer $pg"; do
  set -- $job
  if wait "$2"; then
    echo "$1: no crash in $seconds s ($(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/$1.log" | grep -o '[0-9]*$') runs)"
  else
    status=1
    echo "$1: FAILED (its whole output follows; the crashing input is named in it)" >&2
    cat "$build/$1.log" >&2
  fi
done
exit $status
