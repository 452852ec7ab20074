#!/usr/bin/env bash
# Alternates two builds' ingest (custlake's side of bench/ingest/run.sh) on
# the same data, so a change is measured against the binary before it in
# the same machine state: on a VM whose speed drifts, only pairs compare.
#   bench/ingest/ab.sh OLD_INGEST_BENCH NEW_INGEST_BENCH [PAIRS] [DATA_DIR]
# DATA_DIR: from `ingest_bench gen DIR 1000` (run.sh makes one under BENCH_DIR).
# Prints each run's wall time, MB/s, CPU seconds (user + system) and peak RSS,
# then the mean CPU and wall time of each binary.
set -euo pipefail
old="$1" new="$2" pairs="${3:-5}"
data="${4:-${BENCH_DIR:-build/bench-ingest}/data}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for _ in $(seq 1 "$pairs"); do
  for side in old new; do
    bin=$old; [[ $side == new ]] && bin=$new
    /usr/bin/time -f "%U %S %M" -o "$work/time" "$bin" custlake "$data" "$work/lake" > "$work/out"
    read -r user sys rss < "$work/time"
    echo "$side $(grep -o 'seconds=[0-9.]*' "$work/out") $(grep -o 'mb_per_s=[0-9.]*' "$work/out")" \
      "cpu_s=$(awk "BEGIN {print $user + $sys}") peak_rss_mb=$((rss / 1024))"
  done
done | tee "$work/runs"
awk '{split($2, w, "="); split($4, c, "="); wall[$1] += w[2]; cpu[$1] += c[2]; n[$1]++}
     END {for (s in n) printf "%s: mean cpu_s=%.2f wall_s=%.2f over %d runs\n", s, cpu[s] / n[s], wall[s] / n[s], n[s]}' "$work/runs"
