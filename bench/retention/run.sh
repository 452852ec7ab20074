#!/usr/bin/env bash
# Retention benchmark (issue 19): custlake's uplift meta-learner (a DR-learner over XGBoost,
# src/retention/learner.h) against the same meta-learner in Python (pandas + the xgboost package,
# bench/retention/peer.py) on the same exported rows and features, side by side in one run.
#
#   bench/retention/run.sh [CUSTOMERS] [ROUNDS] [BUILD_DIR]   (default 20000 customers, 2 rounds, build/ci)
#
# Untimed set-up: a project with a generated company of CUSTOMERS over 12 months, imported, ingested
# and built (or PROJECT=DIR, a project already built: nothing is written into it); `custlake retention
# export-dataset` writes the learner's training and validation rows (customer_id, send_date, period,
# treated, churned, then the numeric features) to dataset.csv (CSV: Debian's pandas reads Parquet only
# with pyarrow, which Debian 12 does not package), and the warehouse's activity facts, customers, tickets
# and offers are exported as CSV for the end-to-end peer (as bench/churn/run.sh does).
# Timed, alternating the sides each round (custlake first in odd rounds):
#   the learner on the exported rows:
#     custlake  `custlake retention train --input dataset.csv --treatment treated --outcome churned
#               --id customer_id --split-column period --json`: reading, the cross-fitted propensity and
#               outcome models, the shift, the pseudo-outcome regression, scoring the validation rows and the
#               Qini coefficient (generic mode keeps no model, so it does not refit; docs/retention.md);
#     peer      bench/retention/peer.py on the same file with the same options and XGBoost parameters (with
#               the refits), run with OMP_WAIT_POLICY=PASSIVE as custlake sets for itself (libgomp's idle
#               threads otherwise spin between XGBoost's parallel regions). It gets custlake's rows for free.
#   end to end from the warehouse (not with DATASET=):
#     custlake  `retention export-dataset --out e2e.parquet` then `retention train --input e2e.parquet`;
#     peer      bench/retention/e2e_peer.py: the same rows built in pandas from the tables' CSV
#               (bench/churn/churn_peer.py's features at each send month's cutoff), then peer.py's learner.
# Prints wall seconds, CPU seconds (user+sys), peak RSS and the validation Qini coefficient of each (the best
# round of each side by wall time; every round's wall and CPU seconds beside) and the ratios peer / custlake.
# Goal: the same Qini within 0.005 in at most half the time. Figures: docs/retention.md, Measured.
#
# DATASET=FILE.csv times the learner only, on rows exported earlier (`retention export-dataset --out
# FILE.csv`), instead of generating a company. CUSTLAKE_BIN=PATH runs that binary instead of BUILD_DIR's;
# GENERATE_BIN=PATH generates the company with another binary; both for trying branches side by side.
# TMPDIR: where the work folder goes (the 1 M exports need a few GB).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../peer_tables.sh
. "$ROOT/bench/peer_tables.sh"
"$ROOT/scripts/bootstrap.sh" --bench  # python3-pandas, python3-xgboost, GNU time
CUSTOMERS=${1:-20000}
ROUNDS=${2:-2}
B=${3:-build/ci}
CUSTLAKE=${CUSTLAKE_BIN:-$ROOT/$B/src/cli/custlake}
GENERATE=${GENERATE_BIN:-$CUSTLAKE}
[ -x "$CUSTLAKE" ] || { echo "no $CUSTLAKE: cmake --build --preset ci --target custlake" >&2; exit 2; }
PY=/usr/bin/python3  # Debian's, with python3-pandas and python3-xgboost
WORK=$(mktemp -d "${TMPDIR:-/tmp}/custlake-retention-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
P=${PROJECT:-$WORK/project}
C=("$CUSTLAKE" -C "$P" --quiet)
DATA="$WORK/dataset.csv"
LEARNER=(--treatment treated --outcome churned --id customer_id --split-column period)
E2E=0

if [ -n "${DATASET:-}" ]; then
  # Rows exported earlier (custlake retention export-dataset --out FILE.csv): no set-up; CUSTOMERS only labels the run.
  [ -f "$DATASET" ] || { echo "DATASET=$DATASET: no such file" >&2; exit 2; }
  DATA=$DATASET
  P="$WORK/project"
  C=("$CUSTLAKE" -C "$P" --quiet)
  "$CUSTLAKE" --quiet init "$P" >/dev/null  # generic mode needs no project's data, the CLI a project
else
  if [ -z "${PROJECT:-}" ]; then
    echo "set-up: $CUSTOMERS customers over 12 months (untimed)..." >&2
    "$CUSTLAKE" --quiet init "$P" >/dev/null
    "$GENERATE" -C "$P" --quiet generate --customers "$CUSTOMERS" --months 12 >/dev/null
    "${C[@]}" import sic >/dev/null
    "${C[@]}" ingest >/dev/null
    "${C[@]}" build >/dev/null
  fi
  "${C[@]}" retention export-dataset --out "$DATA" >/dev/null
  # The end-to-end variant's inputs (untimed): the warehouse tables the features come from, as CSV (what
  # bench/churn/run.sh gives its peer), and the send months custlake's export chose.
  E2E=1
  T="$WORK/tables"
  mkdir -p "$T"
  export_peer_tables "$T" "${C[@]}"
  read -r TRAIN_DATES VALIDATION_DATES < <($PY -c '
import sys, pandas as pd
d = pd.read_csv(sys.argv[1], usecols=["send_date", "period"])
print(*(",".join(sorted(d[d.period == p].send_date.unique())) for p in ("train", "validation")))' "$DATA")
  echo "send months: training $TRAIN_DATES, validation $VALIDATION_DATES" >&2
fi
echo "dataset: $(du -b "$DATA" | cut -f1) bytes" >&2

measure() {  # label, output file, command...: prints wall s, CPU s, peak RSS MiB
  local label=$1 out=$2; shift 2
  echo "$label: load $(cut -d' ' -f1-3 /proc/loadavg) before" >&2
  /usr/bin/time -v "$@" >"$out" 2>"$WORK/$label.time" || { cat "$WORK/$label.time" >&2; exit 1; }
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; w=s}
              /User time|System time/ {c+=$2} /Maximum resident/ {r=$2/1024}
              END {printf "%.2f %.2f %.0f\n", w, c, r}' "$WORK/$label.time"
}
run_custlake() {
  measure "custlake$1" "$WORK/custlake$1.json" "${C[@]}" --json retention train --input "$DATA" "${LEARNER[@]}"
}
run_peer() {
  measure "peer$1" "$WORK/peer$1.json" env OMP_WAIT_POLICY=PASSIVE "$PY" "$ROOT/bench/retention/peer.py" "$DATA" \
    "${LEARNER[@]}"
}
# End to end from the warehouse: custlake's export (Parquet, its own format) and train in one timed command;
# the peer's features in pandas from the tables' CSV, then the same learner.
run_custlake_e2e() {
  measure "custlake_e2e$1" "$WORK/custlake_e2e$1.json" sh -c '"$@" retention export-dataset --out "$W/e2e.parquet" >/dev/null &&
    "$@" --json retention train --input "$W/e2e.parquet" --treatment treated --outcome churned --id customer_id \
      --split-column period' sh "${C[@]}"
}
export W=$WORK
run_peer_e2e() {
  measure "peer_e2e$1" "$WORK/peer_e2e$1.json" env OMP_WAIT_POLICY=PASSIVE "$PY" "$ROOT/bench/retention/e2e_peer.py" \
    "$WORK/tables" "$TRAIN_DATES" "$VALIDATION_DATES"
}
RESULTS=()
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="custlake peer"; else order="peer custlake"; fi
  for side in $order; do RESULTS+=("$side $r $(run_"$side" "$r")"); done
  if [ "$E2E" = 1 ]; then
    for side in $order; do RESULTS+=("${side}_e2e $r $(run_"${side}"_e2e "$r")"); done
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)" >&2
$PY - "$WORK" "$ROUNDS" "$CUSTOMERS" "${RESULTS[@]}" <<'PY'
import json, sys
work, rounds, customers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = {}
for line in sys.argv[4:]:
    side, r, wall, cpu, rss = line.split()
    runs.setdefault(side, []).append((float(wall), float(cpu), float(rss), int(r)))


def summary(side, r):
    text = open(f"{work}/{side}{r}.json").read()
    return json.loads(text[text.index("{"):])  # one JSON object on stdout


best = {side: min(rs, key=lambda x: x[0]) for side, rs in runs.items()}
js = {side: summary(side, best[side][3]) for side in runs}
names = {"custlake": "custlake retention train --input", "peer": "pandas + xgboost (Python)",
         "custlake_e2e": "custlake export-dataset + train", "peer_e2e": "pandas features + xgboost"}
for suffix, what in (("", "the learner on the exported rows (the peer is given custlake's rows for free)"),
                     ("_e2e", "end to end from the warehouse's tables (features, learner)")):
    c, p = "custlake" + suffix, "peer" + suffix
    if c not in runs:
        continue
    rows = js[p]
    print(f"{what}, {customers} customers, 12 months: {rows['train_rows']} training rows, "
          f"{rows['validation_rows']} validation rows, {rows['features']} features; best of {rounds} rounds by wall, "
          f"alternating")
    print(f"{'side':<34} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13} {'Qini':>9} {'AUUC':>9}  all walls / all CPU s")
    for side in (c, p):
        w, cpu, r, _ = best[side]
        walls = " ".join(f"{x[0]:.1f}" for x in runs[side]) + " / " + " ".join(f"{x[1]:.1f}" for x in runs[side])
        print(f"{names[side]:<34} {w:>8.2f} {cpu:>8.2f} {r:>13.0f} {js[side]['qini_coefficient']:>9.5f} "
              f"{js[side]['auuc']:>9.5f}  {walls}")
    cw, cc, cr, _ = best[c]
    pw, pc, pr, _ = best[p]
    dq = js[p]["qini_coefficient"] - js[c]["qini_coefficient"]
    print(f"{'ratio peer / custlake':<34} {pw / cw:>8.2f} {pc / cc:>8.2f} {pr / cr:>13.2f} {dq:>+9.5f}  (Qini: difference)")
    print("goal: the same Qini within 0.005 in at most half the time: "
          f"Qini {'met' if abs(dq) <= 0.005 else 'NOT met'}, "
          f"wall {'met' if pw >= 2 * cw else 'NOT met'}, CPU s {'met' if pc >= 2 * cc else 'NOT met'}\n")
PY
