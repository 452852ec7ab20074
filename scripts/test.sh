#!/usr/bin/env bash
# Sets everything up and runs every test: unit tests (seconds), then the
# integration and end-to-end tests (real MariaDB and PostgreSQL servers on
# loopback, the custlake binary end to end). This is the command the README
# gives and the one CI runs. Safe to run twice.
#
#   scripts/test.sh              everything
#   scripts/test.sh -L unit      only the unit tests (any ctest arguments pass through)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

"$root/scripts/bootstrap.sh" --test

jobs=$(nproc 2>/dev/null || echo 2)
cmake --preset ci >/dev/null
cmake --build --preset ci -j"$jobs"
ctest --preset ci -j"$jobs" --timeout 900 "$@"
