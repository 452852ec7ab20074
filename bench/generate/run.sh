#!/usr/bin/env bash
# Builds generate_bench in Release and prints how fast the usage writer is
# against the issue's goal: >= 2 million usage events per second on one core.
#
#   bench/generate/run.sh                       # 10k and 100k customers
#   CUSTOMERS="1000000" bench/generate/run.sh   # add sizes (1M writes ~17 GB!)
#   CUSTLAKE_BENCH_DIR=/dev/shm bench/generate/run.sh   # keep the disk out of it
#   E2E_CUSTOMERS=1000000 bench/generate/run.sh # the whole `custlake generate` at 1M (~17 GB, goal < 2 min)
#
# "events/s (cpu)" divides by the process CPU time, the figure for one core;
# "events/s (wall)" includes waiting for the disk and for other processes.
# The last table runs the real binary end to end (simulation, the four
# tables into SQLite, usage and ticket files, truth) with E2E_CUSTOMERS
# (default 100000) customers; set E2E_CUSTOMERS=0 to skip it.
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -n "${BENCH_BIN:-}" ]]; then   # an already built binary
  bench=$BENCH_BIN
else
  build=${BUILD_DIR:-$root/build/gen-release}
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCUSTLAKE_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target generate_bench custlake -j"${JOBS:-2}" >/dev/null
  bench=$(find "$build" -name generate_bench -type f -perm -u+x | head -n1)
  custlake=$(find "$build" -name custlake -type f -perm -u+x | head -n1)
fi
custlake=${CUSTLAKE_BIN:-${custlake:-}}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
CUSTLAKE_BENCH_CUSTOMERS="${CUSTOMERS:-}" "$bench" --benchmark_filter="${FILTER:-BM_UsageWriter}" \
  --benchmark_format=json --benchmark_out="$out" --benchmark_out_format=json >/dev/null
python3 - "$out" <<'PY'
import json, sys
goal = 2e6
rows = json.load(open(sys.argv[1]))["benchmarks"]
print(f"{'benchmark':<28}{'customers':>10}{'events':>13}{'wall s':>9}{'cpu s':>9}"
      f"{'events/s (wall)':>17}{'events/s (cpu)':>16}{'MB/s (wall)':>13}  goal 2M/s/core")
for b in rows:
    if b.get("run_type") == "aggregate":
        continue
    name, _, n = b["name"].partition("/")
    n = n.split("/")[0]
    it = b["iterations"]
    wall = b["real_time"] / 1e3 if b["time_unit"] == "ms" else b["real_time"]
    cpu = b["cpu_time"] / 1e3 if b["time_unit"] == "ms" else b["cpu_time"]
    events = b["items_per_second"] * wall
    eps_cpu = events / cpu if cpu > 0 else 0
    print(f"{name:<28}{n:>10}{events:>13,.0f}{wall:>9.2f}{cpu:>9.2f}"
          f"{b['items_per_second']:>17,.0f}{eps_cpu:>16,.0f}{b['bytes_per_second']/1e6:>13.0f}"
          f"  {'met' if eps_cpu >= goal else 'NOT met'} (cpu)")
PY

e2e=${E2E_CUSTOMERS:-100000}
if [[ "$e2e" != 0 && -n "$custlake" ]]; then
  work=$(mktemp -d "${CUSTLAKE_BENCH_DIR:-${TMPDIR:-/tmp}}/custlake-gen-e2e.XXXXXX")
  trap 'rm -f "$out"; rm -rf "$work"' EXIT
  "$custlake" init "$work/p" --quiet >/dev/null
  load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$custlake" -C "$work/p" --json --quiet generate \
    --customers "$e2e" >"$work/summary.json"
  python3 - "$work/summary.json" "$work/time" "$e2e" "$load" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
wall, user, sys_, rss = open(sys.argv[2]).read().split()
wall, cpu = float(wall), float(user) + float(sys_)
ev = s["usage"]["events"]
sec = s["seconds"]
print()
print(f"{'custlake generate':<28}{'customers':>10}{'events':>13}{'GB':>7}{'wall s':>9}{'cpu s':>9}"
      f"{'events/s (wall)':>17}{'RSS MB':>9}  goal 1M customers < 120 s")
print(f"{'':<28}{int(sys.argv[3]):>10}{ev:>13,}{s['usage']['bytes']/1e9:>7.1f}{wall:>9.1f}{cpu:>9.1f}"
      f"{ev / wall:>17,.0f}{int(rss) / 1024:>9.0f}  load {sys.argv[4]} at start")
print(f"  stages: model+transactions {sec['model_and_transactions']:.1f} s, tables {sec['tables']:.1f} s, "
      f"tickets {sec['tickets']:.1f} s, usage {sec['usage']:.1f} s (on its own thread, "
      f"{s['usage']['bytes'] / 1e6 / sec['usage']:.0f} MB/s)")
PY
fi
