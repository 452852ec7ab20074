#!/usr/bin/env bash
# custlake ingest vs DuckDB's own NDJSON → Parquet conversion on the same
# generated usage NDJSON (default 1000 MB, ~6-7 million events, with mess:
# numbers as strings, epoch/ISO times, duplicates, bad lines).
#   bench/ingest/run.sh [MB] [BUILD_DIR]
# Prints MB/s, records/s, peak RSS and CPU time of each side per round, and
# the ratio of their median MB/s (RUNS rounds, default 3).
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
  # Each side starts with no dirty pages of the other's output left to write back.
  sync
  /usr/bin/time -f "%M %U %S" -o "$work/$name.rss" "$@" > "$work/$name.out"
  cat "$work/$name.out"
  read -r rss user sys < "$work/$name.rss"
  # CPU seconds depend far less on other processes than the wall time does.
  echo "$name peak_rss_mb=$(( rss / 1024 )) cpu_s=$(awk "BEGIN {print $user + $sys}") (user $user, sys $sys)"
  grep -o 'mb_per_s=[0-9.]*' "$work/$name.out" | cut -d= -f2 >> "$work/$name.mbps"
}
# RUNS rounds (default 3), each side once per round, side by side: the
# ratio of the medians (this VM's speed drifts by 10-20 % between minutes).
runs="${RUNS:-3}"
rm -f "$work/custlake.mbps" "$work/duckdb.mbps"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for round in $(seq 1 "$runs"); do
  echo "round $round of $runs"
  run custlake "$bin" custlake "$work/data" "$work/lake"
  run duckdb "$bin" duckdb "$work/data" "$work/duckdb.parquet"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
c=$(median "$work/custlake.mbps")
d=$(median "$work/duckdb.mbps")
echo "median MB/s over $runs rounds: custlake $c, duckdb $d"
echo "ratio custlake/duckdb = $(awk "BEGIN {printf \"%.2f\", $c / $d}")x (goal >= 1.5x)"
