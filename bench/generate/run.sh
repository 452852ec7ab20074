#!/usr/bin/env bash
# Builds generate_bench in Release and prints how fast the usage writer is
# against the issue's goal: >= 2 million usage events per second on one core.
#
#   bench/generate/run.sh                       # 10k and 100k customers
#   CUSTOMERS="1000000" bench/generate/run.sh   # add sizes (1M writes ~17 GB!)
#   CUSTLAKE_BENCH_DIR=/dev/shm bench/generate/run.sh   # keep the disk out of it
#
# "events/s (cpu)" divides by the process CPU time, the figure for one core;
# "events/s (wall)" includes waiting for the disk and for other processes.
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
root=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -n "${BENCH_BIN:-}" ]]; then   # an already built binary
  bench=$BENCH_BIN
else
  build=${BUILD_DIR:-$root/build/gen-release}
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCUSTLAKE_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" --target generate_bench -j"${JOBS:-2}" >/dev/null
  bench=$(find "$build" -name generate_bench -type f -perm -u+x | head -n1)
fi
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
