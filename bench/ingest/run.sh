#!/usr/bin/env bash
# custlake ingest vs DuckDB's own NDJSON → Parquet conversion on the same
# generated usage NDJSON (default 1000 MB, ~6-7 million events, with mess:
# numbers as strings, epoch/ISO times, duplicates, bad lines).
#   bench/ingest/run.sh [MB] [BUILD_DIR]
# Prints MB/s, records/s, peak RSS of each and the ratio.
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
mb="${1:-1000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${2:-$root/build/release}"
bin="$build/bench/ingest/ingest_bench"
[[ -x "$bin" ]] || bin="$(find "$build" -name ingest_bench -type f -perm -u+x | head -1)"
work="${BENCH_DIR:-$root/build/bench-ingest}"
mkdir -p "$work"
if [[ ! -f "$work/data/.done-$mb" ]]; then
  rm -rf "$work/data"
  "$bin" gen "$work/data" "$mb"
  touch "$work/data/.done-$mb"
fi
run() {  # name, command...: prints the program's line, peak RSS and CPU time (user + system)
  local name="$1"; shift
  /usr/bin/time -f "%M %U %S" -o "$work/$name.rss" "$@" > "$work/$name.out"
  cat "$work/$name.out"
  read -r rss user sys < "$work/$name.rss"
  # CPU seconds depend far less on other processes than the wall time does.
  echo "$name peak_rss_mb=$(( rss / 1024 )) cpu_s=$(awk "BEGIN {print $user + $sys}") (user $user, sys $sys)"
}
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
run custlake "$bin" custlake "$work/data" "$work/lake"
run duckdb "$bin" duckdb "$work/data" "$work/duckdb.parquet"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
c=$(grep -o 'mb_per_s=[0-9.]*' "$work/custlake.out" | cut -d= -f2)
d=$(grep -o 'mb_per_s=[0-9.]*' "$work/duckdb.out" | cut -d= -f2)
echo "ratio custlake/duckdb = $(awk "BEGIN {printf \"%.2f\", $c / $d}")x (goal >= 1.5x)"
