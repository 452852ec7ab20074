#!/usr/bin/env bash
# CLV benchmark: model fits on the CDNOW sample (each averaged over 20 fits) and on synthetic
# customers drawn from BG/NBD (summaries from a transaction log, compress + fit, prediction
# throughput, peak RSS), beside the peer's figures. The peer, Python's lifetimes, cannot be
# installed here (no PyPI), so its figures are QUOTED from issue 16, not measured.
#
#   bench/clv/run.sh [BUILD_DIR] [SIZES...]
#   BUILD_DIR  a build folder holding bench/clv/clv_bench (default build/ci, a Release build)
#   SIZES      synthetic customer counts (default 1000000 10000000)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build/ci}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000000 10000000)
BENCH="$ROOT/$B/bench/clv/clv_bench"
[ -x "$BENCH" ] || { echo "no $BENCH: cmake --build --preset ci --target clv_bench" >&2; exit 2; }
echo "load at start: $(cat /proc/loadavg)"
printf '%-40s %10s %10s  %s\n' "what" "wall s" "CPU s" "figure"
"$BENCH" cdnow "$ROOT/test/clv/data/CDNOW_sample.txt"
for n in "${SIZES[@]}"; do
  echo "--- $n synthetic customers"
  "$BENCH" synthetic "$n"
done
cat <<'PEER'
--- peer: lifetimes (QUOTED from issue 16, not measured here)
lifetimes BG/NBD fit on CDNOW                 0.049 s
lifetimes Pareto/NBD fit on CDNOW             0.276 s
lifetimes BG/NBD fit on 1 M customers        11.9 s, 507 MiB
goals: BG/NBD on CDNOW < 5 ms, Pareto/NBD < 30 ms, 10 M customers fitted < 2 s
PEER
echo "load at end: $(cat /proc/loadavg)"
