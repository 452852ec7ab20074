#!/usr/bin/env bash
# Sets everything up and runs the demo: builds custlake, then
# `custlake demo` generates a company, runs the whole pipeline and serves it.
# Safe to run twice. Any arguments go to `custlake demo` (e.g. --no-serve).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/bootstrap.sh"

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset release -DCUSTLAKE_BUILD_TESTS=OFF -DCUSTLAKE_BUILD_BENCH=OFF >/dev/null
cmake --build --preset release -j"$jobs" --target custlake
exec "$root/build/release/src/cli/custlake" demo "$@"
