#!/usr/bin/env bash
# Checks that the benchmark's peer computes custlake's churn features: bench/churn/churn_peer.py's
# features against models/churn/features.sql's rows (as one query, bench/churn/one_query.py, run through
# `custlake query`), customer by customer,
# at the cutoffs `churn train` chooses (bench/churn/check_features.py says what equal means).
#
#   bench/churn/check_features.sh [CUSTOMERS] [BUILD_DIR]   (default 2000 customers, build/ci)
#
# Generates a company of CUSTOMERS over 12 months, imports, ingests and builds it, trains once for
# the cutoffs, exports the peer's CSVs (bench/peer_tables.sh). About a minute at 2,000 customers.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../peer_tables.sh
. "$ROOT/bench/peer_tables.sh"
CUSTOMERS=${1:-2000}
B=${2:-build/ci}
CUSTLAKE="$ROOT/$B/src/cli/custlake"
[ -x "$CUSTLAKE" ] || { echo "no $CUSTLAKE: cmake --build --preset ci --target custlake" >&2; exit 2; }
WORK=$(mktemp -d "${BENCH_TMP:-/tmp}/custlake-churn-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
P="$WORK/project"
C=("$CUSTLAKE" -C "$P" --quiet)
"$CUSTLAKE" --quiet init "$P" >/dev/null
"${C[@]}" generate --customers "$CUSTOMERS" --months 12 >/dev/null
"${C[@]}" import sic >/dev/null
"${C[@]}" ingest >/dev/null
"${C[@]}" build >/dev/null
"${C[@]}" --json churn train >"$WORK/train.json"
read -r CUTOFFS HORIZON < <(/usr/bin/python3 -c "import json,sys; j=json.load(open(sys.argv[1]));
print(','.join(j['train_cutoffs'] + [j['validation_cutoff']]), j['horizon_days'])" "$WORK/train.json")
export_peer_tables "$WORK" "${C[@]}"
LITERALS=$(echo "$CUTOFFS" | sed "s/\([0-9-]*\)/DATE '\1'/g")
SQL=$(/usr/bin/python3 "$ROOT/bench/churn/one_query.py" "$ROOT/models/churn/features.sql" |
      sed -e "s/{{ cutoffs }}/[$LITERALS]/" -e "s/{{ horizon_days }}/$HORIZON/")
"${C[@]}" query --format csv --max-rows 0 "$SQL" >"$WORK/custlake_features.csv"
/usr/bin/python3 "$ROOT/bench/churn/check_features.py" "$WORK" "$WORK/custlake_features.csv" "$CUTOFFS" "$HORIZON"
