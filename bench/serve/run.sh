#!/usr/bin/env bash
# custlake serve --pg against a real PostgreSQL 15 holding the same star schema, in one run.
#   bench/serve/run.sh [CUSTOMERS] [BUILD_DIR] [SECONDS]   (default 2000 customers, build/release, 10 s a run)
# Makes a demo project (custlake demo --no-serve), serves it on loopback, starts a private
# PostgreSQL 15 (Debian's, on a Unix socket, fsync off) and loads the same tables into it through
# the endpoint itself (CREATE TABLE from its information_schema, rows by COPY ... TO STDOUT into
# \copy ... FROM STDIN, primary keys from its declared keys). Then pgbench (no vacuum) runs the
# workloads against both servers with 1 and 16 clients for SECONDS each:
#   aggregations: a dashboard's monthly revenue/churn series and revenue by segment (a fact-dimension join),
#     simple protocol;
#   point lookups: one customer's months by customer_id (PostgreSQL uses the primary key's index), once in
#     the simple protocol (the id pasted into the text) and once prepared (-M prepared: Parse once, then
#     Bind/Execute with the id as a parameter, as drivers and BI tools send them), on both servers.
# Prints queries/s, p95 latency (from pgbench's per-transaction log) and the ratios against the
# goals: aggregations >= 3x PostgreSQL's throughput, point lookups within 1.5x its p95 latency.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
"$ROOT/scripts/bootstrap.sh" --bench  # PostgreSQL server and client (pgbench), python3
CUSTOMERS=${1:-2000}
BUILD=${2:-build/release}
SECONDS_PER_RUN=${3:-10}
CUSTLAKE=$ROOT/$BUILD/src/cli/custlake
[ -x "$CUSTLAKE" ] || { echo "build custlake first (cmake --build $BUILD --target custlake)"; exit 2; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
WORK=$(mktemp -d /tmp/custlake-serve-bench.XXXXXX)
chmod 755 "$WORK"
SERVE_PID=
cleanup() {
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
  [ -f "$WORK/pg/data/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "demo project of $CUSTOMERS customers..."
"$CUSTLAKE" --quiet demo "$WORK/demo" --customers "$CUSTOMERS" --months 12 --no-serve >/dev/null
CL_PORT=$(free_port)
"$CUSTLAKE" -C "$WORK/demo" serve --no-http --pg "127.0.0.1:$CL_PORT" --max-rows 0 --max-connections 64 >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
CL=(psql -X -q -A -t -h 127.0.0.1 -p "$CL_PORT" -U bench -d warehouse)
for _ in $(seq 100); do "${CL[@]}" -c "SELECT 1" >/dev/null 2>&1 && break; sleep 0.2; done

echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')..."
mkdir -p "$WORK/pg/data" "$WORK/pg/sock"
chown -R postgres: "$WORK/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$WORK/pg/data" -U postgres --auth-local=trust -E UTF8 --no-locale --no-sync >/dev/null
PG_PORT=$(free_port)
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w start \
  -o "-p $PG_PORT -k $WORK/pg/sock -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c shared_buffers=256MB -c max_connections=64" >/dev/null
PG=(psql -X -q -A -t -h "$WORK/pg/sock" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1)

echo "loading the star schema into PostgreSQL through the endpoint..."
for table in fact_customer_metrics dim_customer dim_date; do
  columns=$("${CL[@]}" -c "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position)
                           FROM information_schema.columns WHERE table_schema = 'main' AND table_name = '$table'")
  "${PG[@]}" -c "CREATE TABLE $table ($columns)"
  "${CL[@]}" -c "COPY (SELECT * FROM $table) TO STDOUT" | "${PG[@]}" -c "\\copy $table FROM STDIN"
  key=$("${CL[@]}" -c "SELECT string_agg(k.column_name, ', ' ORDER BY k.ordinal_position)
                       FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k USING (constraint_name)
                       WHERE c.table_name = '$table' AND c.constraint_type = 'PRIMARY KEY'")
  [ -n "$key" ] && "${PG[@]}" -c "ALTER TABLE $table ADD PRIMARY KEY ($key)"
  echo "  $table: $("${PG[@]}" -c "SELECT count(*) FROM $table") rows (custlake: $("${CL[@]}" -c "SELECT count(*) FROM $table"))"
done
"${PG[@]}" -c "VACUUM ANALYZE"
MAX_ID=$("${CL[@]}" -c "SELECT max(customer_id) FROM fact_customer_metrics")
MIN_ID=$("${CL[@]}" -c "SELECT min(customer_id) FROM fact_customer_metrics")

cat >"$WORK/aggregations.sql" <<'SQL'
SELECT month_start, sum(revenue) AS revenue, count(*) FILTER (WHERE churned) AS churned, avg(usage_events) AS usage FROM fact_customer_metrics GROUP BY month_start ORDER BY month_start;
SELECT c.segment, count(DISTINCT m.customer_id) AS customers, sum(m.revenue) AS revenue FROM fact_customer_metrics m JOIN dim_customer c ON c.customer_key = m.customer_key GROUP BY c.segment ORDER BY c.segment;
SQL
cat >"$WORK/lookups.sql" <<SQL
\\set id random($MIN_ID, $MAX_ID)
SELECT month_start, revenue, churned, usage_events FROM fact_customer_metrics WHERE customer_id = :id ORDER BY month_start;
SQL

run() {  # label, script, clients, host, port, user, dbname, protocol: prints "tps p95_ms"
  local label=$1 script=$2 clients=$3
  rm -f "$WORK"/log_"$label"*
  (cd "$WORK" && pgbench -n -M "$8" -f "$script" -c "$clients" -j "$clients" -T "$SECONDS_PER_RUN" \
     -h "$4" -p "$5" -U "$6" "$7" -l --log-prefix="log_$label" >"$WORK/$label.out" 2>&1) || { cat "$WORK/$label.out" >&2; exit 1; }
  local tps p95
  tps=$(awk '/^tps = / {print $3; exit}' "$WORK/$label.out")
  p95=$(cat "$WORK"/log_"$label"* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {i=int(NR*0.95); if (i<1) i=1; printf "%.2f", a[i]/1000}')
  echo "$tps $p95"
}
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)"
printf "%-20s %7s %14s %14s %14s %14s\n" workload clients "custlake q/s" "postgres q/s" "custlake p95" "postgres p95"
declare -A R
# workload:script:protocol
for run_spec in aggregations:aggregations:simple lookups:lookups:simple lookups_prepared:lookups:prepared; do
  IFS=: read -r workload script protocol <<<"$run_spec"
  for clients in 1 16; do
    read -r cl_tps cl_p95 < <(run "cl_${workload}_$clients" "$WORK/$script.sql" "$clients" 127.0.0.1 "$CL_PORT" bench warehouse "$protocol")
    read -r pg_tps pg_p95 < <(run "pg_${workload}_$clients" "$WORK/$script.sql" "$clients" "$WORK/pg/sock" "$PG_PORT" postgres postgres "$protocol")
    # A transaction of the aggregation script is its two queries.
    q=1; [ "$workload" = aggregations ] && q=2
    printf "%-20s %7s %14.1f %14.1f %12s ms %12s ms\n" "$workload" "$clients" "$(echo "$cl_tps * $q" | bc -l)" \
      "$(echo "$pg_tps * $q" | bc -l)" "$cl_p95" "$pg_p95"
    R[${workload}_${clients}]="$cl_tps $pg_tps $cl_p95 $pg_p95"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
# The server's CPU seconds (user + system) over all the runs, and its peak RSS.
read -r cl_utime cl_stime < <(awk '{print $14, $15}' "/proc/$SERVE_PID/stat")
echo "custlake serve: $(echo "scale=1; ($cl_utime + $cl_stime) / $(getconf CLK_TCK)" | bc -l) CPU s, peak RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/$SERVE_PID/status")"
for clients in 1 16; do
  read -r cl pg _ _ <<<"${R[aggregations_$clients]}"
  echo "aggregations, $clients client(s): custlake/PostgreSQL throughput $(echo "scale=2; $cl / $pg" | bc -l)x (goal >= 3x)"
  for workload in lookups lookups_prepared; do
    read -r _ _ clp pgp <<<"${R[${workload}_$clients]}"
    echo "point $workload, $clients client(s): custlake/PostgreSQL p95 latency $(echo "scale=2; $clp / $pgp" | bc -l)x (goal <= 1.5x)"
  done
done
