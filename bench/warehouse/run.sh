#!/usr/bin/env bash
# Warehouse benchmark: the real `custlake build --full` binary against the same model SQL in
# plain DuckDB (warehouse_tool plain: raw views + CREATE TABLE AS per model, no checks, export or
# publish), both with the same DuckDB settings (--threads, --memory-limit) and equally warm caches:
# a warm-up pass reads the raw zone and builds once, then plain and full builds alternate three
# times (plain, full, plain, full, ...) and the fastest of each is reported (the machine is shared:
# single runs swing by half with the load). Then an incremental build with no new data (its
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
# Environment: WORK (the project folder, default /tmp/custlake-bench-warehouse-CUSTOMERS);
#   RUNS (alternating plain/full pairs, default 3: the best of each is reported) and
#   WARMUP (1 = one --full build before the timed runs, the default; 0 = only the raw zone read
#   into the page cache) make a lighter run at large scales (1 M customers: RUNS=1 WARMUP=0).
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
N=${1:-20000}
B=${2:-build/wh}
T=${3:-$(nproc)}
M=${4:-8GB}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
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
if [ "$WARMUP" = 1 ]; then
  "${build[@]}" --full >/dev/null 2>&1                          # and one build to warm everything else
fi
runs=""
for i in $(seq 1 "$RUNS"); do
  read -r p prss < <(timed "$WORK/plain$i.json" "$TOOL" "$LAKE" plain "$WORK/plain.duckdb" "$T" "$M")
  read -r f frss < <(timed "$WORK/full$i.json" "${build[@]}" --full)
  runs="$runs $p $prss $f $frss"
done
read -r i0 irss0 < <(timed "$WORK/inc0.json" "${build[@]}")
added=$("$TOOL" "$LAKE" add-usage 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['added_usage_events'])")
read -r i1 irss1 < <(timed "$WORK/inc1.json" "${build[@]}")
echo "load at end: $(cat /proc/loadavg)" >&2

python3 - "$WORK" "$N" "$events" "$added" "$T" "$M" "$runs" "$i0 $irss0 $i1 $irss1" "$RUNS" "$WARMUP" <<'PY'
import json, sys
work, n, events, added, threads, mem, runs, incs, nruns, warmup = sys.argv[1:11]
nruns = int(nruns)
r = [float(x) for x in runs.split()]
i0, irss0, i1, irss1 = [float(x) for x in incs.split()]
load = lambda name: json.load(open(f"{work}/{name}.json"))
plains = [(r[4*k], r[4*k+1], load(f"plain{k+1}")) for k in range(nruns)]
fulls = [(r[4*k+2], r[4*k+3], load(f"full{k+1}")) for k in range(nruns)]
pw, prss, pj = min(plains, key=lambda x: x[0])
fw, frss, fj = min(fulls, key=lambda x: x[0])
pm = min(p[2]['models_seconds'] for p in plains)
fm = min(f[2]['models_seconds'] for f in fulls)
print("runs (plain whole/models, build whole/models): " +
      "; ".join(f"{p[0]:.1f}/{p[2]['models_seconds']:.1f}, {f[0]:.1f}/{f[2]['models_seconds']:.1f}" for p, f in zip(plains, fulls)))
inc0, inc1 = load("inc0"), load("inc1")
events = int(events); added = int(added)
print(f"customers {n}, usage events {events:,}; DuckDB threads {threads}, memory_limit {mem}; "
      f"best of {nruns} alternating run(s), warm-up build {'yes' if warmup == '1' else 'no'}")
print(f"{'run':<48}{'time s':>9}{'peak RSS MB':>13}{'events/s':>12}")
print(f"{'plain DuckDB, same model SQL (whole process)':<48}{pw:>9.2f}{prss/1024:>13.0f}{events/pw:>12,.0f}")
print(f"{'  of which models (CREATE TABLE AS), best run':<48}{pm:>9.2f}")
print(f"{'custlake build --full (whole process)':<48}{fw:>9.2f}{frss/1024:>13.0f}{events/fw:>12,.0f}")
print(f"{'  of which models, best run':<48}{fm:>9.2f}")
for k, label in (('checks', 'checks'), ('export', 'Parquet export + checkpoint'), ('commit', 'commit (checksums, fsync)')):
    print(f"{'  of which ' + label:<48}{fj[k + '_seconds']:>9.2f}")
print(f"{'custlake build (incremental, no new data)':<48}{i0:>9.2f}{irss0/1024:>13.0f}")
print(f"{'custlake build (incremental, +1% usage)':<48}{i1:>9.2f}{irss1/1024:>13.0f}   ({added:,} new events)")
for k in ('copy', 'models', 'checks', 'export', 'commit'):
    print(f"{'  of which ' + k:<48}{inc1.get(k + '_seconds', 0):>9.2f}")
print(f"  version file copied by {inc1.get('version_copy', '?')}; fact segments: " +
      ", ".join(f"{k} {v}" for k, v in inc1.get('segments', {}).items()))
print("  models: " + ", ".join(f"{m['model']} {m['mode']} {m['seconds']:.2f}s" for m in inc1['models']))
slow = sorted(inc1['checks']['checks'], key=lambda c: -c['seconds'])[:4]
print(f"  checks run {inc1['checks']['passed'] + inc1['checks']['failed']}, skipped {inc1.get('checks_skipped', 0)}; slowest: "
      + ", ".join(f"{c['table']}.{c['check']} {c['seconds']:.2f}s" for c in slow))
print(f"  Parquet files {inc1['parquet_files']}, reused {inc1.get('parquet_files_reused', 0)}")
print(f"ratio models / plain models (best runs): {fm/pm:.2f}x (goal <= 1.1x)")
print(f"ratio whole build / plain whole process: {fw/pw:.2f}x (orchestration, checks, export, commit included)")
print(f"incremental no new data / full: {100*i0/fw:.1f}%")
print(f"incremental +1% / full: {100*i1/fw:.1f}% (goal < 5% for 1% new data)")
PY
