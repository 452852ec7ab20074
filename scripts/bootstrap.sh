#!/usr/bin/env bash
# Installs everything custlake's build, tests and demo need on Debian 12:
# the Debian packages below and DuckDB from npm. Safe to run twice: packages
# already installed are not touched and apt is not even consulted.
#
#   scripts/bootstrap.sh            build + demo dependencies
#   scripts/bootstrap.sh --test     also the servers and clients the tests use
#   scripts/bootstrap.sh --bench    also what the bench/ scripts use (servers, python3, pandas, xgboost, GNU time)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

build_pkgs=(
  g++ cmake make pkg-config git
  libcli11-dev libtomlplusplus-dev libspdlog-dev libfmt-dev nlohmann-json3-dev libsimdjson-dev
  libsqlite3-dev sqlite3 libzstd-dev zlib1g-dev libssl-dev libxxhash-dev libmariadb-dev libpq-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libnlopt-cxx-dev libboost-math-dev
  libxgboost-dev xgboost
)
# The pgwire tests: psycopg2, SQLAlchemy, pandas (read_sql), a test certificate, JDBC; chromium: the web UI's browser tests
# drive it headless (test/web).
test_pkgs=(mariadb-server mariadb-client postgresql postgresql-client procps clang libclang-rt-14-dev
  python3 python3-psycopg2 python3-sqlalchemy python3-pandas openssl openjdk-17-jdk-headless libpostgresql-jdbc-java chromium)

want=("${build_pkgs[@]}")
# bench/churn and bench/retention: the same models trained in Python (pandas + the xgboost package) as the peer; bench/serve: bc.
bench_pkgs=("${test_pkgs[@]}" python3 time bc python3-pandas python3-xgboost)
with_test=0
for arg in "$@"; do
  case "$arg" in
    --test) want+=("${test_pkgs[@]}"); with_test=1 ;;
    --bench) want+=("${bench_pkgs[@]}") ;;
    *) echo "bootstrap: unknown option $arg (use --test and/or --bench)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# DuckDB comes from the npm registry: a machine without npm gets Debian's.
command -v npm >/dev/null || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=sudo
  fi
  echo "bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || { echo "bootstrap: 'apt-get update' failed; is a Debian mirror reachable?" >&2; exit 1; }
  # Servers are started by the tests themselves in temporary folders, never as system services.
  if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/custlake-apt.log 2>&1; then
    tail -20 /tmp/custlake-apt.log >&2
    echo "bootstrap: could not install one of: ${missing[*]} (full log: /tmp/custlake-apt.log)" >&2
    exit 1
  fi
fi

"$root/scripts/fetch-duckdb.sh"

# The web UI's front end (web/) is built by CMake with npm and embedded in the binary: its packages
# (and playwright-core for the browser tests) come from package-lock.json. Installed again only when
# node_modules is missing or older than the lockfile (npm ci writes node_modules/.package-lock.json).
web="$root/web"
if [ -f "$web/package-lock.json" ] && { [ ! -f "$web/node_modules/.package-lock.json" ] ||
    [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; }; then
  (cd "$web" && npm ci --silent --no-audit --no-fund) ||
    { echo "bootstrap: 'npm ci' in web/ failed; is the npm registry reachable?" >&2; exit 1; }
fi

# The warehouse pipeline test parses export-ddl's output with the Hive/Spark/Trino grammars
# (test/warehouse/ddl_syntax: dt-sql-parser, pinned with its checksums in package-lock.json).
if [ "$with_test" = 1 ] && [ ! -d "$root/test/warehouse/ddl_syntax/node_modules/dt-sql-parser" ]; then
  (cd "$root/test/warehouse/ddl_syntax" && npm ci --silent --no-audit --no-fund) ||
    { echo "bootstrap: 'npm ci' in test/warehouse/ddl_syntax failed; is the npm registry reachable?" >&2; exit 1; }
fi
