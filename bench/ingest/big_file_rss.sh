#!/usr/bin/env bash
# Peak RSS of custlake ingest on ONE big gzip file (default 3000 MB of usage
# NDJSON uncompressed): memory must not grow with the file, however well it
# compresses (batches are formed by bytes on disk; rows spill to Parquet
# parts at batch_memory_bytes).
#   bench/ingest/big_file_rss.sh [MB] [BUILD_DIR]
set -euo pipefail
"$(cd "$(dirname "$0")/../.." && pwd)/scripts/bootstrap.sh" --bench  # GNU time
mb="${1:-3000}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="${2:-$root/build/release}"
bin="$build/bench/ingest/ingest_bench"
[[ -x "$bin" ]] || bin="$(find "$build" -name ingest_bench -type f -perm -u+x | head -1)"
work="${BENCH_DIR:-$root/build/bench-ingest-big}"
mkdir -p "$work/data"
if [[ ! -f "$work/data/.done-$mb" ]]; then
  rm -f "$work/data/"*
  "$bin" gen-gz "$work/data/usage-big.ndjson.gz" "$mb"
  touch "$work/data/.done-$mb"
fi
echo "input: $(du -m "$work/data/usage-big.ndjson.gz" | cut -f1) MB gzip, ${mb} MB uncompressed, one file"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
/usr/bin/time -f "%M" -o "$work/custlake.rss" "$bin" custlake "$work/data" "$work/lake"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "custlake peak_rss_mb=$(( $(cat "$work/custlake.rss") / 1024 )) (goal < 1024)"
