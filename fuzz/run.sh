#!/usr/bin/env bash
# Builds the record-path fuzzer with clang, ASan and UBSan, and runs it for a
# bounded time (default 60 s): fuzz/run.sh [SECONDS]. Exit status 0 = no crash.
# Needs clang (apt-get install clang). CI calls this.
set -euo pipefail
seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build/fuzz"
# The whole tree is built instrumented (the ingest module and what it uses).
cmake -S "$root/fuzz/standalone" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCUSTLAKE_ROOT="$root" \
  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer" >/dev/null
# A failed build fails the run (pipefail): never fuzz an old binary.
rm -f "$build/fuzz/record_path_fuzzer"
cmake --build "$build" --target record_path_fuzzer -j2 2>&1 | { grep -v -e "Wshadow=local" -e "warning generated" || true; }
corpus="$build/corpus"
mkdir -p "$corpus"
cp -n "$root"/fuzz/seeds/* "$corpus"/ 2>/dev/null || true
"$build/fuzz/record_path_fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$corpus"
