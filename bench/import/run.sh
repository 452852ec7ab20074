#!/usr/bin/env bash
# `custlake import` throughput against the raw MariaDB client read rate, in one run.
#   bench/import/run.sh [ROWS] [BUILD_DIR]     (default 10000000 rows, build/release)
# Starts a private MariaDB on a Unix socket, fills `transactions` with ROWS
# rows generated inside MariaDB (seq_1_to_N of the Sequence engine), then
# times: `mariadb --quick` to /dev/null, the real `custlake import --connect
# ... -m 1`, the same with -m 2, and the raw client again (the faster raw run
# counts). Each import is a full import into a fresh project made by
# `custlake init` (default options: zstd, 500,000-row parts, fsync'd commit).
# Prints rows/s, MB/s (the table's size as client text over each run's time),
# peak RSS, Parquet size, the CPU seconds (user+sys) of the client or
# custlake and of the mariadbd server during each run, each as a share of
# the wall time ("cores busy"), the machine's load before each run, and the
# ratios against the goals (-m 1 >= 0.9x raw, -m 2 >= 1.6x -m 1, RSS < 500 MB).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
"$ROOT/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
ROWS=${1:-10000000}
BUILD=${2:-build/release}
CUSTLAKE=$BUILD/src/cli/custlake
[ -x "$CUSTLAKE" ] || CUSTLAKE=$BUILD/custlake
[ -x "$CUSTLAKE" ] || { echo "build custlake first (cmake --build $BUILD --target custlake)"; exit 2; }
CUSTLAKE=$(cd "$(dirname "$CUSTLAKE")" && pwd)/$(basename "$CUSTLAKE")
WORK=$(mktemp -d /tmp/custlake-import-bench.XXXXXX)
SOCK=$WORK/mysql.sock
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(--user=root)
trap 'kill $(cat $WORK/pid 2>/dev/null) 2>/dev/null || true; sleep 1; rm -rf "$WORK"' EXIT
mariadb-install-db --no-defaults --datadir="$WORK/data" --auth-root-authentication-method=normal "${RUN_AS[@]}" >/dev/null
mariadbd --no-defaults --datadir="$WORK/data" --socket="$SOCK" --skip-networking --pid-file="$WORK/pid" \
  --innodb-buffer-pool-size=1G "${RUN_AS[@]}" >"$WORK/server.log" 2>&1 &
for _ in $(seq 60); do [ -S "$SOCK" ] && [ -s "$WORK/pid" ] && break; sleep 0.5; done
SQL=(mariadb --no-defaults --socket="$SOCK" -uroot)
"${SQL[@]}" -e "CREATE DATABASE bench; CREATE USER bench@localhost; GRANT ALL ON bench.* TO bench@localhost"
echo "loading $ROWS rows..."
T0=$(date +%s.%N)
"${SQL[@]}" bench -e "CREATE TABLE transactions (transaction_id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL,
  ts DATETIME(6) NOT NULL, amount DECIMAL(12,2) NOT NULL, currency CHAR(3) NOT NULL, kind VARCHAR(16) NOT NULL,
  payment_method VARCHAR(16) NOT NULL, offer_id BIGINT NULL, updated_at DATETIME(6) NOT NULL) ENGINE=InnoDB;
  INSERT INTO transactions SELECT seq, seq % 100000, '2024-01-01' + INTERVAL seq SECOND, (seq % 50000) / 100,
  'EUR', ELT(1 + seq % 3, 'subscription', 'purchase', 'refund'), ELT(1 + seq % 2, 'card', 'paypal'),
  IF(seq % 7 = 0, seq % 500, NULL), '2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_$ROWS;"
echo "loaded in $(echo "$(date +%s.%N) - $T0" | bc) s"
URL="mysql://bench@localhost/bench?socket=$SOCK"
SERVER_PID=$(cat "$WORK/pid")
TICK=$(getconf CLK_TCK)
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

measure() {  # label, output file, command...: prints seconds, peak RSS (MB), own CPU s, server CPU s
  local label=$1 out=$2; shift 2
  echo "$label: $(cut -d' ' -f1-3 /proc/loadavg) (load average before)" >&2
  local before after
  before=$(server_ticks)
  /usr/bin/time -v "$@" >"$out" 2>"$WORK/$label.time"
  after=$(server_ticks)
  local secs rss cpu
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/$label.time")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$WORK/$label.time")
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.2f", s}' "$WORK/$label.time")
  echo "$secs $rss $cpu $(echo "scale=2; ($after - $before) / $TICK" | bc)"
}
RAW=("${SQL[@]}" --quick --batch --skip-column-names bench -e "SELECT * FROM transactions")
IMPORT=(--json import --connect "$URL" --table transactions --source-name bench)
for m in 1 2; do "$CUSTLAKE" --quiet init "$WORK/project$m" >/dev/null; done  # fresh projects, not timed
# The raw client reads twice, before and after the imports (the better one
# counts); its output goes to /dev/null.
read -r RAW_S RAW_RSS RAW_CPU RAW_SRV < <(measure raw1 /dev/null "${RAW[@]}")
RAW_BYTES=$("${RAW[@]}" | wc -c)
read -r M1_S M1_RSS M1_CPU M1_SRV < <(measure m1 "$WORK/m1.out" "$CUSTLAKE" -C "$WORK/project1" "${IMPORT[@]}" -m 1)
read -r M2_S M2_RSS M2_CPU M2_SRV < <(measure m2 "$WORK/m2.out" "$CUSTLAKE" -C "$WORK/project2" "${IMPORT[@]}" -m 2)
read -r RAW2_S _ RAW2_CPU RAW2_SRV < <(measure raw2 /dev/null "${RAW[@]}")
B1=$(python3 -c "import json;print(json.load(open('$WORK/m1.out'))['bytes'])")
B2=$(python3 -c "import json;print(json.load(open('$WORK/m2.out'))['bytes'])")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)" >&2
python3 - "$ROWS" "$RAW_BYTES" "$RAW_S" "$RAW_RSS" "$RAW_CPU" "$RAW_SRV" "$RAW2_S" "$RAW2_CPU" "$RAW2_SRV" \
  "$M1_S" "$M1_RSS" "$M1_CPU" "$M1_SRV" "$B1" "$M2_S" "$M2_RSS" "$M2_CPU" "$M2_SRV" "$B2" <<'PY'
import sys
(rows, raw_b, r1_s, raw_rss, r1_cpu, r1_srv, r2_s, r2_cpu, r2_srv,
 m1_s, m1_rss, m1_cpu, m1_srv, b1, m2_s, m2_rss, m2_cpu, m2_srv, b2) = map(float, sys.argv[1:])
raw_s, raw_cpu, raw_srv = (r1_s, r1_cpu, r1_srv) if r1_s <= r2_s else (r2_s, r2_cpu, r2_srv)
# MB/s: the table's size as client text (what the raw client reads), per second.
def line(name, s, rss, cpu, srv, parquet):
  extra = f"  Parquet {parquet/1e6:,.0f} MB" if parquet else ""
  print(f"{name:<28} {rows/s:>12,.0f} rows/s {raw_b/s/1e6:>7.1f} MB/s {rss:>5.0f} MB RSS {s:>7.2f} s"
        f"  cpu: self {cpu:6.2f} s ({cpu/s:.2f} cores), mariadbd {srv:6.2f} s ({srv/s:.2f} cores),"
        f" total {(cpu+srv)/s:.2f} cores{extra}")
print(f"rows: {int(rows):,}  (table as client text: {raw_b/1e6:,.0f} MB; raw client runs: {r1_s:.2f} s, {r2_s:.2f} s)")
line("mariadb --quick > /dev/null", raw_s, raw_rss, raw_cpu, raw_srv, 0)
line("custlake import -m 1", m1_s, m1_rss, m1_cpu, m1_srv, b1)
line("custlake import -m 2", m2_s, m2_rss, m2_cpu, m2_srv, b2)
print(f"-m 1 / raw client: {raw_s/m1_s:.2f}x (goal >= 0.9)")
print(f"-m 2 / -m 1:       {m1_s/m2_s:.2f}x (goal >= 1.6)")
print(f"peak RSS:          {max(m1_rss, m2_rss):.0f} MB (goal < 500)")
PY
