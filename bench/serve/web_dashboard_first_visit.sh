#!/usr/bin/env bash
# The dashboard's first visitors of a warehouse version: `custlake serve` is started on a demo project of
# CUSTOMERS customers, and as soon as it listens CLIENTS clients ask GET /api/dashboard (unfiltered, as the
# page opens) and GET /api/at-risk?limit=25 at the same instant ("herd"); then, in a server started again
# and left idle for IDLE seconds, one client opens the page ("after idle"). Prints each side's latencies
# (ms: p50 and max over the requests of ROUNDS rounds) and the server's CPU seconds. Run it with two build
# folders, alternating, to compare binaries.
#
#   bench/serve/web_dashboard_first_visit.sh [CUSTOMERS] [BUILD_DIR] [CLIENTS] [ROUNDS] [IDLE]
#   defaults: 10000 build/ci 20 3 2; WORK (default /tmp/custlake-bench-serve-CUSTOMERS), PORT (8089)
set -euo pipefail
N=${1:-10000}
B=${2:-build/ci}
C=${3:-20}
ROUNDS=${4:-3}
IDLE=${5:-2}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CUSTLAKE="$ROOT/$B/src/cli/custlake"
WORK=${WORK:-/tmp/custlake-bench-serve-$N}
PORT=${PORT:-8089}
if [ ! -d "$WORK/lake/warehouse" ]; then
  rm -rf "$WORK"
  "$CUSTLAKE" demo "$WORK" --no-serve --customers "$N" --months 12 >/dev/null 2>&1
fi
"$CUSTLAKE" -C "$WORK" build >"$WORK/build.log" 2>&1
server=
stop_server() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; server=; }
trap stop_server EXIT
start_server() {
  "$CUSTLAKE" -C "$WORK" serve --no-pg --http "127.0.0.1:$PORT" 2>>"$WORK/serve.log" &
  server=$!
  for _ in $(seq 1 400); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/healthz" && return 0
    sleep 0.025
  done
  echo "the server did not answer on 127.0.0.1:$PORT (see $WORK/serve.log)" >&2
  exit 1
}
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$server/stat"; }
summary() { sort -n | awk -v what="$1" '{v[NR] = $1} END {printf "%-11s p50 %8.1f ms  max %8.1f ms  (%d requests)\n", what, v[int((NR + 1) / 2)], v[NR], NR}'; }
herd=$(mktemp) idle=$(mktemp)
herd_cpu=0 idle_cpu=0
for _ in $(seq 1 "$ROUNDS"); do
  start_server
  clients=()
  for _ in $(seq 1 "$C"); do
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/dashboard" >>"$herd.part" &
    clients+=($!)
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/at-risk?limit=25" >>"$herd.part" &
    clients+=($!)
  done
  wait "${clients[@]}"
  awk '{printf "%.1f\n", $1 * 1000}' "$herd.part" >>"$herd"
  rm -f "$herd.part"
  herd_cpu=$(echo "$herd_cpu + $(cpu)" | bc)
  stop_server
  start_server
  sleep "$IDLE"
  before=$(cpu)
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/dashboard" | awk '{printf "%.1f\n", $1 * 1000}' >>"$idle"
  idle_cpu=$(echo "$idle_cpu + $(cpu)" | bc)
  stop_server
done
echo "$C clients x 2 requests at the server's start (herd), 1 request after ${IDLE}s idle; $ROUNDS rounds; $N customers"
summary "herd" <"$herd"
summary "after idle" <"$idle"
echo "server cpu s (whole runs): herd $herd_cpu  after idle $idle_cpu"
rm -f "$herd" "$herd.part" "$idle"
