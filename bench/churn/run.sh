#!/usr/bin/env bash
# Churn benchmark (issue 15): custlake's feature build + training against the same features and
# the same XGBoost model in Python (pandas + the xgboost package), side by side in one run.
#
#   bench/churn/run.sh [CUSTOMERS] [ROUNDS] [BUILD_DIR]   (default 20000 customers, 2 rounds, build/ci)
#   LAKE=/tmp/d1m bench/churn/run.sh 1000000 1             (an existing project, built: no set-up)
#
# Untimed set-up: a project with a generated company of CUSTOMERS over 12 months, imported,
# ingested and built; the warehouse tables the features read exported as CSV for the peer
# (`custlake query --format csv`; timestamps as epoch milliseconds).
# With LAKE=DIR (a project whose warehouse is built, e.g. by `custlake demo DIR`), the benchmark
# works on a private copy of it instead of building its own: custlake.toml and the lake's
# metastore copied, the lake's data files hard-linked (they are immutable: a publish writes new
# files), so `churn train`'s model publish lands in the copy and DIR is only read (nothing may write
# to DIR meanwhile). CUSTOMERS is then
# only a label. PEER_MEMORY_LIMIT (e.g. 12G, default: none) caps the peer's address space
# (prlimit --as), so a peer too big for the machine fails with MemoryError instead of waking the
# kernel's OOM killer on a shared machine; the run then reports where it died.
# Timed, alternating the sides each round (custlake first in odd rounds):
#   custlake  `custlake churn train`: the 48 features of models/churn/features.sql (one query) at the 4 training
#             cutoffs and the validation cutoff, XGBoost with early stopping, and also the logistic
#             baseline, SHAP importance and the model's publish in the lake;
#   peer      bench/churn/churn_peer.py: the same features in pandas from the CSVs (reading them
#             included), the same XGBoost parameters, cutoffs and early stopping;
#   peer, passive waits   the same with OMP_WAIT_POLICY=PASSIVE, which custlake sets for itself
#             (libgomp's idle threads otherwise spin between XGBoost's parallel regions).
# Prints wall seconds, CPU seconds (user+sys), peak RSS and validation ROC AUC of each (the best
# round of each side) and the ratios peer / custlake, then each side's steps in round 1 (custlake's
# JSON `timings`; the peer's load / features / xgboost). PEERS (default "peer passive") picks the peer
# runs: PEERS=passive times only the passive one (a 1 M run in less time). Goal: the same AUC within 0.005 in at most
# half the time and half the memory.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../peer_tables.sh
. "$ROOT/bench/peer_tables.sh"
"$ROOT/scripts/bootstrap.sh" --bench  # python3-pandas, python3-xgboost, GNU time
CUSTOMERS=${1:-20000}
ROUNDS=${2:-2}
B=${3:-build/ci}
CUSTLAKE="$ROOT/$B/src/cli/custlake"
[ -x "$CUSTLAKE" ] || { echo "no $CUSTLAKE: cmake --build --preset ci --target custlake" >&2; exit 2; }
PY=/usr/bin/python3  # Debian's, with python3-pandas and python3-xgboost
WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/custlake-churn-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
P="$WORK/project"
C=("$CUSTLAKE" -C "$P" --quiet)

if [ -n "${LAKE:-}" ]; then
  [ -f "$LAKE/custlake.toml" ] || { echo "LAKE=$LAKE: no custlake.toml there (give a project folder)" >&2; exit 2; }
  root=$(sed -n '/^\[lake\]/,/^\[/{s/^root *= *"\(.*\)".*/\1/p}' "$LAKE/custlake.toml" | head -n1)
  root=${root:-lake}
  case $root in /*) ;; *) root="$LAKE/$root" ;; esac
  [ -f "$root/_metastore.db" ] || { echo "LAKE=$LAKE: no lake at $root (_metastore.db missing)" >&2; exit 2; }
  echo "set-up: a private copy of $LAKE (lake $root hard-linked; untimed)..." >&2
  mkdir -p "$P"
  sed 's/^root *= *".*"/root = "lake"/' "$LAKE/custlake.toml" >"$P/custlake.toml"
  for f in "$LAKE"/*; do  # the truth, schemas, models (SQL) beside the lake; not the landing files
    case $(basename "$f") in lake|landing|data|custlake.toml) ;; *) ln -s "$f" "$P/$(basename "$f")" ;; esac
  done
  cp -al "$root" "$P/lake"
  rm -f "$P/lake/_metastore.db" "$P/lake/_metastore.db-wal" "$P/lake/_metastore.db-shm" "$P/lake/_lake.lock"
  # A copy, not a link, made by reading DIR only (`sqlite3 .backup` opened the WAL database read-write and
  # created its -wal and -shm files in DIR's lake): the database and its WAL if one is left, checked.
  cp "$root/_metastore.db" "$P/lake/_metastore.db"
  if [ -f "$root/_metastore.db-wal" ]; then cp "$root/_metastore.db-wal" "$P/lake/_metastore.db-wal"; fi
  [ "$(sqlite3 "$P/lake/_metastore.db" "PRAGMA quick_check")" = ok ] ||
    { echo "LAKE=$LAKE: the copy of its metastore is damaged (is something writing to DIR?)" >&2; exit 2; }
else
  echo "set-up: $CUSTOMERS customers over 12 months (untimed)..." >&2
  "$CUSTLAKE" --quiet init "$P" >/dev/null
  "${C[@]}" generate --customers "$CUSTOMERS" --months 12 >/dev/null
  "${C[@]}" import sic >/dev/null
  "${C[@]}" ingest >/dev/null
  "${C[@]}" build >/dev/null
fi
export_peer_tables "$WORK" "${C[@]}"
echo "activity facts: $(($(wc -l <"$WORK/activity.csv") - 1)); CSV bytes: $(du -cb "$WORK"/*.csv | tail -1 | cut -f1)" >&2

measure() {  # label, output file, command...: prints wall s, CPU s, peak RSS MiB
  local label=$1 out=$2; shift 2
  echo "$label: load $(cut -d' ' -f1-3 /proc/loadavg) before" >&2
  if ! /usr/bin/time -v "$@" >"$out" 2>"$WORK/$label.time"; then
    # The peer may die (e.g. MemoryError under PEER_MEMORY_LIMIT): say where, keep its figures.
    echo "$label FAILED:" >&2; grep -v '^\s' "$WORK/$label.time" | tail -n 5 >&2
    [[ $label == custlake* ]] && exit 1
    touch "$WORK/$label.failed"
  fi
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; w=s}
              /User time|System time/ {c+=$2} /Maximum resident/ {r=$2/1024}
              END {printf "%.2f %.2f %.0f\n", w, c, r}' "$WORK/$label.time"
}
run_custlake() { measure "custlake$1" "$WORK/custlake$1.json" "${C[@]}" --json churn train; }
LIMIT=()
[ -n "${PEER_MEMORY_LIMIT:-}" ] && LIMIT=(prlimit "--as=$(numfmt --from=iec "$PEER_MEMORY_LIMIT")")
run_peer() {
  measure "peer$1" "$WORK/peer$1.json" "${LIMIT[@]}" "$PY" "$ROOT/bench/churn/churn_peer.py" "$WORK" "$CUTOFFS" "$VALIDATION" "$HORIZON"
}
run_peer_passive() {
  measure "passive$1" "$WORK/passive$1.json" env OMP_WAIT_POLICY=PASSIVE \
    "${LIMIT[@]}" "$PY" "$ROOT/bench/churn/churn_peer.py" "$WORK" "$CUTOFFS" "$VALIDATION" "$HORIZON"
}
PEERS=${PEERS:-peer passive}
case " $PEERS " in *" peer "*|*" passive "*) ;; *) echo "PEERS=$PEERS: name peer and/or passive" >&2; exit 2 ;; esac
wants() { [[ " $PEERS " == *" $1 "* ]]; }
RESULTS=()
for r in $(seq "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then
    RESULTS+=("custlake $(run_custlake "$r")")
    if [ "$r" = 1 ]; then  # the peer uses the cutoffs custlake chose
      read -r CUTOFFS VALIDATION HORIZON < <($PY -c "import json,sys; j=json.load(open(sys.argv[1]));
print(','.join(j['train_cutoffs']), j['validation_cutoff'], j['horizon_days'])" "$WORK/custlake1.json")
    fi
    wants peer && RESULTS+=("peer $(run_peer "$r")")
    wants passive && RESULTS+=("passive $(run_peer_passive "$r")")
  else
    wants passive && RESULTS+=("passive $(run_peer_passive "$r")")
    wants peer && RESULTS+=("peer $(run_peer "$r")")
    RESULTS+=("custlake $(run_custlake "$r")")
  fi
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg); cores: $(nproc)" >&2
$PY - "$WORK" "$ROUNDS" "$CUSTOMERS" "${RESULTS[@]}" <<'PY'
import json, sys
work, rounds, customers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
runs = {"custlake": [], "peer": [], "passive": []}
for line in sys.argv[4:]:
    side, wall, cpu, rss = line.split()
    runs[side].append((float(wall), float(cpu), float(rss)))
import os
c_json = json.load(open(f"{work}/custlake1.json"))
def peer_json(side):
    try:
        return json.load(open(f"{work}/{side}1.json"))
    except (OSError, ValueError):
        return None
p_json = peer_json("peer") or peer_json("passive") or {
    "roc_auc": float("nan"), "train_rows": "failed", "validation_rows": "failed", "best_iteration": "failed"}
auc = {"custlake": c_json["metrics"]["xgboost"]["roc_auc"],
       "peer": (peer_json("peer") or {"roc_auc": float("nan")})["roc_auc"],
       "passive": (peer_json("passive") or {"roc_auc": float("nan")})["roc_auc"]}
for side in ("peer", "passive"):
    if os.path.exists(f"{work}/{side}1.failed"):
        print(f"{side}: FAILED (its wall, CPU and peak RSS below are up to where it died)")
best = {side: min(r, key=lambda x: x[0]) for side, r in runs.items() if r}
print(f"churn train on {customers} customers, 12 months: {c_json['rows']['train']} training rows "
      f"({len(c_json['train_cutoffs'])} cutoffs), {c_json['rows']['validation']} validation rows, "
      f"{len(c_json['features'])} features; peer {p_json['train_rows']} / {p_json['validation_rows']} rows; "
      f"best of {rounds} rounds each, alternating")
print(f"{'side':<34} {'wall s':>8} {'CPU s':>8} {'peak RSS MiB':>13} {'ROC AUC':>8}  all walls")
names = {"custlake": "custlake churn train", "peer": "pandas + xgboost (Python)",
         "passive": "  the same, OMP_WAIT_POLICY=PASSIVE"}
for side in [s for s in ("custlake", "peer", "passive") if s in best]:
    w, c, r = best[side]
    walls = " ".join(f"{x[0]:.1f}" for x in runs[side])
    print(f"{names[side]:<34} {w:>8.2f} {c:>8.2f} {r:>13.0f} {auc[side]:>8.4f}  {walls}")
cw, cc, cr = best["custlake"]
for side, label in (("peer", "ratio peer / custlake"), ("passive", "ratio peer passive / custlake")):
    if side not in best:
        continue
    pw, pc, pr = best[side]
    print(f"{label:<34} {pw / cw:>8.2f} {pc / cc:>8.2f} {pr / cr:>13.2f} "
          f"{auc[side] - auc['custlake']:>+8.4f}  (AUC: difference)")
print(f"best rounds: custlake {c_json['xgboost']['best_iteration']}, peer {p_json['best_iteration']}")
def steps(j):  # "features 49.4 / 98.1, xgboost 87.3 / 160.2": each step's wall / CPU seconds
    return ", ".join(f"{t['step']} {t['wall_s']:.1f} / {t['cpu_s']:.1f}" for t in j.get("timings", []))
print(f"steps of round 1, wall / CPU s: custlake {steps(c_json)}")
for side in [s for s in ("peer", "passive") if peer_json(s)]:
    print(f"  {side}: {steps(peer_json(side))}")
for side in [s for s in ("peer", "passive") if s in best]:
    pw, pc, pr = best[side]
    print(f"goal against the {'passive' if side == 'passive' else 'spinning'} peer: AUC within 0.005, at most half the time and half the memory: "
          f"AUC {'met' if abs(auc[side] - auc['custlake']) <= 0.005 else 'NOT met'}, "
          f"time {'met' if pw >= 2 * cw else 'NOT met'}, memory {'met' if pr >= 2 * cr else 'NOT met'}")
PY
