#!/usr/bin/env bash
# Import throughput against the raw MariaDB client read rate, in one run.
#   bench/import/run.sh [ROWS] [BUILD_DIR]     (default 10000000 rows, build/release)
# Starts a private MariaDB on a Unix socket, fills `transactions` with ROWS
# rows generated inside MariaDB (seq_1_to_N of the Sequence engine), then
# times: `mariadb --quick` to /dev/null, import -m 1, import -m 2, and the raw
# client again (the faster raw run counts). Prints rows/s, MB/s (the table's
# size as client text over each run's time), peak RSS, Parquet size, the
# machine load before each run (stderr) and the ratios against the goals
# (-m 1 >= 0.9x raw, -m 2 >= 1.6x -m 1, RSS < 500 MB).
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # python3, GNU time, servers
ROWS=${1:-10000000}
BUILD=${2:-build/release}
BENCH=$BUILD/bench/import/import_bench
[ -x "$BENCH" ] || { echo "build $BENCH first (cmake --build $BUILD --target import_bench)"; exit 2; }
WORK=$(mktemp -d /tmp/custlake-import-bench.XXXXXX)
SOCK=$WORK/mysql.sock
RUN_AS=(); [ "$(id -u)" = 0 ] && RUN_AS=(--user=root)
trap 'kill $(cat $WORK/pid 2>/dev/null) 2>/dev/null || true; sleep 1; rm -rf "$WORK"' EXIT
mariadb-install-db --no-defaults --datadir="$WORK/data" --auth-root-authentication-method=normal "${RUN_AS[@]}" >/dev/null
mariadbd --no-defaults --datadir="$WORK/data" --socket="$SOCK" --skip-networking --pid-file="$WORK/pid" \
  --innodb-buffer-pool-size=1G "${RUN_AS[@]}" >"$WORK/server.log" 2>&1 &
for _ in $(seq 60); do [ -S "$SOCK" ] && break; sleep 0.5; done
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

measure() {  # label, output file, command...: prints seconds and peak RSS (MB)
  local label=$1 out=$2; shift 2
  echo "$label: $(uptime | sed 's/.*load average/load average/')" >&2
  /usr/bin/time -v "$@" >"$out" 2>"$WORK/$label.time"
  local secs rss
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$WORK/$label.time")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$WORK/$label.time")
  echo "$secs $rss"
}
RAW=("${SQL[@]}" --quick --batch --skip-column-names bench -e "SELECT * FROM transactions")
# The raw client reads twice, before and after the imports (the better one
# counts); its output goes to /dev/null.
read -r RAW_S RAW_RSS < <(measure raw1 /dev/null "${RAW[@]}")
RAW_BYTES=$("${RAW[@]}" | wc -c)
read -r M1_S M1_RSS < <(measure m1 "$WORK/m1.out" "$BENCH" "$URL" transactions 1 "$WORK/lake1")
read -r M2_S M2_RSS < <(measure m2 "$WORK/m2.out" "$BENCH" "$URL" transactions 2 "$WORK/lake2")
read -r RAW2_S _ < <(measure raw2 /dev/null "${RAW[@]}")
B1=$(python3 -c "import json;print(json.load(open('$WORK/m1.out'))['bytes'])")
B2=$(python3 -c "import json;print(json.load(open('$WORK/m2.out'))['bytes'])")
python3 - "$ROWS" "$RAW_S" "$RAW2_S" "$RAW_RSS" "$RAW_BYTES" "$M1_S" "$M1_RSS" "$B1" "$M2_S" "$M2_RSS" "$B2" <<'PY'
import sys
rows, raw1_s, raw2_s, raw_rss, raw_b, m1_s, m1_rss, b1, m2_s, m2_rss, b2 = map(float, sys.argv[1:])
raw_s = min(raw1_s, raw2_s)
# MB/s: the table's size as client text (what the raw client reads), per second.
def line(name, s, rss, parquet):
  extra = f"  Parquet {parquet/1e6:,.0f} MB" if parquet else ""
  print(f"{name:<28} {rows/s:>12,.0f} rows/s {raw_b/s/1e6:>8.1f} MB/s {rss:>6.0f} MB RSS {s:>8.2f} s{extra}")
print(f"rows: {int(rows):,}  (table as client text: {raw_b/1e6:,.0f} MB; raw client runs: {raw1_s:.2f} s, {raw2_s:.2f} s)")
line("mariadb --quick > /dev/null", raw_s, raw_rss, 0)
line("custlake import -m 1", m1_s, m1_rss, b1)
line("custlake import -m 2", m2_s, m2_rss, b2)
print(f"-m 1 / raw client: {raw_s/m1_s:.2f}x (goal >= 0.9)")
print(f"-m 2 / -m 1:       {m1_s/m2_s:.2f}x (goal >= 1.6)")
print(f"peak RSS:          {max(m1_rss, m2_rss):.0f} MB (goal < 500)")
PY
