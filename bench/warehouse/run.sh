#!/usr/bin/env bash
# Warehouse benchmark: the real `custlake build --full` binary against the same model SQL in
# plain DuckDB (warehouse_tool plain: raw views + CREATE TABLE AS per model, no checks, export or
# publish), both with the same DuckDB settings (--threads, --memory-limit) and equally warm caches:
# a warm-up pass reads the raw zone, then plain and full builds alternate (plain, full, plain,
# full) and the faster of each pair is reported. Then an incremental build with no new data (its
# fixed cost) and one after ~1 % new usage events (warehouse_tool add-usage: a 1 % sample of the
# events under new ids, dated the day after the newest event, one new raw batch; it stays in the
# cached lake, so each rerun of the script grows raw.usage by 1 %).
#
#   bench/warehouse/run.sh [CUSTOMERS] [BUILD_DIR] [THREADS] [MEMORY_LIMIT]
#   CUSTOMERS     generated customers (default 20000; ~85 usage events per customer per year)
#   BUILD_DIR     a build folder holding src/cli/custlake and test/warehouse/warehouse_tool
#                 (default build/wh; use a Release build for figures you report)
#   THREADS       DuckDB threads for both (default: nproc)
#   MEMORY_LIMIT  DuckDB memory limit for both (default 8GB)
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
N=${1:-20000}
B=${2:-build/wh}
T=${3:-$(nproc)}
M=${4:-8GB}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CUSTLAKE="$ROOT/$B/src/cli/custlake"
TOOL="$ROOT/$B/test/warehouse/warehouse_tool"
WORK=${WORK:-/tmp/custlake-bench-warehouse-$N}
if [ ! -d "$WORK/lake/raw/usage" ]; then
  rm -rf "$WORK"
  "$CUSTLAKE" demo "$WORK" --no-serve --customers "$N" >/dev/null 2>&1
fi
LAKE="$WORK/lake"
echo "load at start: $(cat /proc/loadavg)" >&2
events=$("$CUSTLAKE" -C "$WORK" query "SELECT count(*) FROM raw.usage" --format csv 2>/dev/null | tail -1)
# "WALL_S RSS_KB" of a command whose stdout goes to $2.
timed() { local out=$1; shift; /usr/bin/time -f "%e %M" -o "$WORK/time.txt" "$@" >"$out" 2>/dev/null; cat "$WORK/time.txt"; }
build=("$CUSTLAKE" -C "$WORK" --json --quiet build --threads "$T" --memory-limit "$M" --freshness off)

find "$LAKE/raw" -name '*.parquet' -exec cat {} + >/dev/null  # warm-up: the raw zone in the page cache
"${build[@]}" --full >/dev/null 2>&1                            # and one build to warm everything else
read -r p1 prss1 < <(timed "$WORK/plain1.json" "$TOOL" "$LAKE" plain "$WORK/plain.duckdb" "$T" "$M")
read -r f1 frss1 < <(timed "$WORK/full1.json" "${build[@]}" --full)
read -r p2 prss2 < <(timed "$WORK/plain2.json" "$TOOL" "$LAKE" plain "$WORK/plain.duckdb" "$T" "$M")
read -r f2 frss2 < <(timed "$WORK/full2.json" "${build[@]}" --full)
read -r i0 irss0 < <(timed "$WORK/inc0.json" "${build[@]}")
added=$("$TOOL" "$LAKE" add-usage 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['added_usage_events'])")
read -r i1 irss1 < <(timed "$WORK/inc1.json" "${build[@]}")
echo "load at end: $(cat /proc/loadavg)" >&2

python3 - "$WORK" "$N" "$events" "$added" "$T" "$M" "$p1 $prss1 $f1 $frss1 $p2 $prss2 $f2 $frss2 $i0 $irss0 $i1 $irss1" <<'PY'
import json, sys
work, n, events, added, threads, mem, times = sys.argv[1:8]
t = [float(x) for x in times.split()]
p1, prss1, f1, frss1, p2, prss2, f2, frss2, i0, irss0, i1, irss1 = t
load = lambda name: json.load(open(f"{work}/{name}.json"))
plains = [(p1, prss1, load("plain1")), (p2, prss2, load("plain2"))]
fulls = [(f1, frss1, load("full1")), (f2, frss2, load("full2"))]
pw, prss, pj = min(plains, key=lambda x: x[0])
fw, frss, fj = min(fulls, key=lambda x: x[0])
inc0, inc1 = load("inc0"), load("inc1")
events = int(events); added = int(added)
print(f"customers {n}, usage events {events:,}; DuckDB threads {threads}, memory_limit {mem}; best of 2 alternating runs")
print(f"{'run':<48}{'time s':>9}{'peak RSS MB':>13}{'events/s':>12}")
print(f"{'plain DuckDB, same model SQL (whole process)':<48}{pw:>9.2f}{prss/1024:>13.0f}{events/pw:>12,.0f}")
print(f"{'  of which models (CREATE TABLE AS)':<48}{pj['models_seconds']:>9.2f}")
print(f"{'custlake build --full (whole process)':<48}{fw:>9.2f}{frss/1024:>13.0f}{events/fw:>12,.0f}")
for k, label in (('models', 'models'), ('checks', 'checks'), ('export', 'Parquet export + checkpoint'), ('commit', 'commit (checksums, fsync)')):
    print(f"{'  of which ' + label:<48}{fj[k + '_seconds']:>9.2f}")
print(f"{'custlake build (incremental, no new data)':<48}{i0:>9.2f}{irss0/1024:>13.0f}")
print(f"{'custlake build (incremental, +1% usage)':<48}{i1:>9.2f}{irss1/1024:>13.0f}   ({added:,} new events)")
for k in ('models', 'checks', 'export', 'commit'):
    print(f"{'  of which ' + k:<48}{inc1[k + '_seconds']:>9.2f}")
print("  models: " + ", ".join(f"{m['model']} {m['mode']} {m['seconds']:.2f}s" for m in inc1['models']))
slow = sorted(inc1['checks']['checks'], key=lambda c: -c['seconds'])[:4]
print(f"  checks run {inc1['checks']['passed'] + inc1['checks']['failed']}, skipped {inc1.get('checks_skipped', 0)}; slowest: "
      + ", ".join(f"{c['table']}.{c['check']} {c['seconds']:.2f}s" for c in slow))
print(f"  Parquet files {inc1['parquet_files']}, reused {inc1.get('parquet_files_reused', 0)}")
print(f"ratio models / plain models: {fj['models_seconds']/pj['models_seconds']:.2f}x (goal <= 1.1x)")
print(f"ratio whole build / plain whole process: {fw/pw:.2f}x (orchestration, checks, export, commit included)")
print(f"incremental no new data / full: {100*i0/fw:.1f}%")
print(f"incremental +1% / full: {100*i1/fw:.1f}% (goal < 5% for 1% new data)")
PY
