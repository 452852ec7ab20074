#!/usr/bin/env bash
# The web dashboard benchmark on an existing project, without building it (web_dashboard.sh builds its
# warehouse first, which would write a new version into the lake): for a lake one must not write to, or
# a copy of one whose big files are links to read-only originals (docs/serve.md, "At 1 M customers").
# Starts `custlake serve --no-pg` in a session of its own, times the first answers of the new version
# (GET /api/filters, then the unfiltered GET /api/dashboard, from the moment the port accepts: the
# server opens the version's dashboard database and computes the default answers then), and runs
# web_dashboard_bench (the opening of its own database, each statement's cost, then the clients).
#
#   bench/serve/web_dashboard_existing.sh PROJECT [BUILD_DIR] [CLIENTS] [REQUESTS_PER_CLIENT] [SESSIONS] [ROUNDS]
#   PROJECT     a custlake project folder (PROJECT/lake)
#   BUILD_DIR   a build folder holding src/cli/custlake and bench/serve/web_dashboard_bench (default
#               build/ci; relative to the repository root, or absolute)
#   CLIENTS (20), REQUESTS_PER_CLIENT (1), SESSIONS (8), ROUNDS (1): as web_dashboard.sh
# Environment: PORT (8089). Prints the server's peak RSS and CPU seconds at the end.
set -euo pipefail
P=${1:?usage: web_dashboard_existing.sh PROJECT [BUILD_DIR] [CLIENTS] [REQUESTS] [SESSIONS] [ROUNDS]}
B=${2:-build/ci}
C=${3:-20}
R=${4:-1}
S=${5:-8}
ROUNDS=${6:-1}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
case "$B" in /*) ;; *) B="$ROOT/$B" ;; esac
CUSTLAKE="$B/src/cli/custlake"
BENCH="$B/bench/serve/web_dashboard_bench"
PORT=${PORT:-8089}
LOG=$(mktemp /tmp/web-dashboard-existing.XXXXXX.log)
start=$(date +%s.%N)
setsid "$CUSTLAKE" -C "$P" serve --no-pg --http "127.0.0.1:$PORT" --max-sessions "$S" 2>"$LOG" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 1200); do
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.05
done
listening=$(date +%s.%N)
echo "load at start: $(cat /proc/loadavg)" >&2
awk -v a="$start" -v b="$listening" 'BEGIN {printf "port open %.2f s after start\n", b - a}'
for path in /api/filters /api/dashboard; do
  curl -sS -o /dev/null -w "first GET $path: %{http_code} in %{time_total} s\n" "http://127.0.0.1:$PORT$path"
done
# The server goes on computing the version's other default answers (the at-risk list, the influencers);
# wait until it is idle (less than 0.05 s of CPU in a second), so that it does not compete with the
# direct side's timings.
ticks=$(getconf CLK_TCK)
cpu() { read -r -a f <"/proc/$server/stat"; echo $(( f[13] + f[14] )); }
for _ in $(seq 1 300); do
  before=$(cpu); sleep 1; after=$(cpu)
  [ $(( (after - before) * 100 / ticks )) -lt 5 ] && break
done
echo "server idle $(awk -v a="$listening" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s after the port opened, $(awk -v c="$(cpu)" -v t="$ticks" 'BEGIN {printf "%.1f", c / t}') s of CPU so far"
"$BENCH" "$P/lake" "$PORT" "$C" "$R" "$S" "$ROUNDS" "$server"
read -r -a f <"/proc/$server/stat"
echo "server: peak RSS $(awk '/VmHWM/ {print int($2/1024)}' /proc/$server/status) MiB, CPU $(awk -v u="${f[13]}" -v s="${f[14]}" -v t="$ticks" 'BEGIN {printf "%.1f", (u + s) / t}') s since start"
echo "load at end: $(cat /proc/loadavg)" >&2
