#!/usr/bin/env bash
# Warehouse benchmark: `custlake build --full` (the warehouse module, via
# test/warehouse/warehouse_tool, the same code path) against the same model SQL in plain
# DuckDB (raw views + CREATE TABLE AS per model, no checks/export/publish), plus an
# incremental build with no new data (its fixed cost) and one after ~1 % new usage events
# (warehouse_tool add-usage: a 1 % sample of the events under new ids, dated the day after the
# newest event, one new raw batch;
# it stays in the cached lake, so each rerun of the script grows raw.usage by 1 %).
#
#   bench/warehouse/run.sh [CUSTOMERS] [BUILD_DIR]
#   CUSTOMERS  generated customers (default 20000; ~85 usage events per customer per year)
#   BUILD_DIR  a build folder holding src/cli/custlake and test/warehouse/warehouse_tool
#              (default build/wh; use a Release build for figures you report)
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
N=${1:-20000}
B=${2:-build/wh}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CUSTLAKE="$ROOT/$B/src/cli/custlake"
TOOL="$ROOT/$B/test/warehouse/warehouse_tool"
WORK=${WORK:-/tmp/custlake-bench-warehouse-$N}
if [ ! -d "$WORK/lake/raw/usage" ]; then
  rm -rf "$WORK"
  "$CUSTLAKE" demo "$WORK" --no-serve --customers "$N" >/dev/null 2>&1
fi
LAKE="$WORK/lake"
events=$("$CUSTLAKE" -C "$WORK" query "SELECT count(*) FROM raw.usage" --format csv 2>/dev/null | tail -1)
rss() { /usr/bin/time -f "%e %M" "$@" 2>&1 >/dev/null | tail -1; }

read -r plain_wall plain_rss < <(rss "$TOOL" "$LAKE" plain "$WORK/plain.duckdb")
full_json=$("$TOOL" "$LAKE" build --full 2>/dev/null)
read -r full_wall full_rss < <(rss "$TOOL" "$LAKE" build --full)
inc_json=$("$TOOL" "$LAKE" build 2>/dev/null)
added=$("$TOOL" "$LAKE" add-usage 1 | python3 -c "import json,sys; print(json.load(sys.stdin)['added_usage_events'])")
inc1_json=$("$TOOL" "$LAKE" build 2>/dev/null)
field() { echo "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
models_s=$(field "$full_json" models_seconds)
inc_total=$(field "$inc_json" total_seconds)

python3 - "$N" "$events" "$plain_wall" "$plain_rss" "$full_wall" "$full_rss" "$models_s" "$inc_total" "$full_json" "$inc1_json" "$added" <<'PY'
import json, sys
n, events, pw, prss, fw, frss, ms, inc = sys.argv[1:9]
full = json.loads(sys.argv[9])
inc1 = json.loads(sys.argv[10])
added = int(sys.argv[11])
events = int(events); pw, fw, ms, inc = float(pw), float(fw), float(ms), float(inc)
print(f"customers {n}, usage events {events:,}")
print(f"{'run':<44}{'time s':>9}{'peak RSS MB':>13}{'events/s':>12}")
print(f"{'plain DuckDB, same model SQL':<44}{pw:>9.2f}{int(prss)/1024:>13.0f}{events/pw:>12,.0f}")
print(f"{'custlake build --full (whole process)':<44}{fw:>9.2f}{int(frss)/1024:>13.0f}{events/fw:>12,.0f}")
print(f"{'  of which models':<44}{ms:>9.2f}")
print(f"{'  of which checks':<44}{full['checks_seconds']:>9.2f}")
print(f"{'  of which Parquet export + checkpoint':<44}{full['export_seconds']:>9.2f}")
print(f"{'  of which commit (checksums, fsync)':<44}{full['commit_seconds']:>9.2f}")
print(f"{'custlake build (incremental, no new data)':<44}{inc:>9.2f}")
print(f"{'custlake build (incremental, +1% usage)':<44}{inc1['total_seconds']:>9.2f}   ({added:,} new events)")
for k in ('models', 'checks', 'export', 'commit'):
    print(f"{'  of which ' + k:<44}{inc1[k + '_seconds']:>9.2f}")
print("  models: " + ", ".join(f"{m['model']} {m['mode']} {m['seconds']:.2f}s" for m in inc1['models']))
print(f"  checks run {inc1['checks']['passed'] + inc1['checks']['failed']}, skipped {inc1.get('checks_skipped', 0)}; "
      f"Parquet files {inc1['parquet_files']}, reused {inc1.get('parquet_files_reused', 0)}")
print(f"ratio models / plain DuckDB: {ms/pw:.2f}x (goal <= 1.1x)")
print(f"ratio whole build / plain DuckDB: {fw/pw:.2f}x (orchestration, checks, export, commit included)")
print(f"incremental no new data / full: {100*inc/fw:.1f}%")
print(f"incremental +1% / full: {100*inc1['total_seconds']/fw:.1f}% (goal < 5% for 1% new data)")
PY
