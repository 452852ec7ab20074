#!/usr/bin/env bash
# Web dashboard benchmark: `custlake serve`'s GET /api/dashboard with concurrent clients against the
# same SQL (src/serve/dashboard/*.sql, the same filters as bound parameters) run directly in DuckDB
# through the same pooled sandboxed sessions (web_dashboard_bench), on a demo project of CUSTOMERS customers.
# Prints p50/p95/p99 of the direct runs, of HTTP with every request missing the server's cache
# ("cold": each request a filter combination not asked before) and of the same requests again
# ("cached"), the ratios, CPU seconds (server and bench) and peak RSS; the sides alternate over ROUNDS.
#
#   bench/serve/web_dashboard.sh [CUSTOMERS] [BUILD_DIR] [CLIENTS] [REQUESTS_PER_CLIENT] [SESSIONS] [ROUNDS]
#   CUSTOMERS   generated customers (default 2000; the issue's goal is stated at 1 million)
#   BUILD_DIR   a build folder holding src/cli/custlake and bench/serve/web_dashboard_bench (default build/ci)
#   CLIENTS     concurrent clients (default 20); REQUESTS_PER_CLIENT (default 20); SESSIONS: the
#               server's --max-sessions and the direct runs' pool (default 8); ROUNDS (default 3)
# Environment: WORK (the project folder, default /tmp/custlake-bench-serve-CUSTOMERS), PORT (8089).
set -euo pipefail
N=${1:-2000}
B=${2:-build/ci}
C=${3:-20}
R=${4:-20}
S=${5:-8}
ROUNDS=${6:-3}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CUSTLAKE="$ROOT/$B/src/cli/custlake"
BENCH="$ROOT/$B/bench/serve/web_dashboard_bench"
WORK=${WORK:-/tmp/custlake-bench-serve-$N}
PORT=${PORT:-8089}
if [ ! -d "$WORK/lake/warehouse" ]; then
  rm -rf "$WORK"
  "$CUSTLAKE" demo "$WORK" --no-serve --customers "$N" --months 12 >/dev/null 2>&1
fi
# The warehouse as this binary's models build it (the dashboard's marts); nothing to do when it is.
"$CUSTLAKE" -C "$WORK" build >"$WORK/build.log" 2>&1
# The server in a session of its own (setsid), as a service runs: with autogroup scheduling (Linux's
# default, kernel.sched_autogroup_enabled=1) a session's processes share one scheduler group, and with
# the server in this script's session the direct side, run by web_dashboard_bench in this session, got
# about twice the CPU share the server itself got (docs/serve.md, "Benchmark").
setsid "$CUSTLAKE" -C "$WORK" serve --no-pg --http "127.0.0.1:$PORT" --max-sessions "$S" 2>"$WORK/serve.log" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.05
done
echo "load at start: $(cat /proc/loadavg)" >&2
"$BENCH" "$WORK/lake" "$PORT" "$C" "$R" "$S" "$ROUNDS" "$server"
echo "load at end: $(cat /proc/loadavg)" >&2
