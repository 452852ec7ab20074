#!/usr/bin/env bash
# Fetches DuckDB 1.4.4 (prebuilt libduckdb.so from npm, headers from the
# duckdb npm package) into .deps/duckdb, verifying sha256 checksums.
# Safe to run twice: a complete, verified install is left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="${CUSTLAKE_DUCKDB_DIR:-$root/.deps/duckdb}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/custlake/npm"
version=1.4.4
case "$(uname -m)" in
  x86_64)  arch=x64;   lib_sha=8ac460b152cd05a95065a414879bb09e40534b1fb7a80a7afe6969b6ce039029 ;;
  aarch64) arch=arm64; lib_sha=d3a1dec3ffba3fcefa8a15480c80dc244b109cc004e3414a32fa23681e89b0c5 ;;
  *) echo "fetch-duckdb: no prebuilt DuckDB for $(uname -m); install DuckDB yourself and configure with -DCUSTLAKE_DUCKDB_ROOT=<prefix>" >&2; exit 1 ;;
esac
hdr_sha=5bb967dcbcd517670ba5f169f238fb9d6787e53752c60ebe24386169d76941ed
lib_pkg="@duckdb/node-bindings-linux-$arch@$version-r.1"
lib_tgz="duckdb-node-bindings-linux-$arch-$version-r.1.tgz"
hdr_pkg="duckdb@$version"
hdr_tgz="duckdb-$version.tgz"

if [ -f "$dest/.complete-$version-$arch" ] && [ -f "$dest/lib/libduckdb.so" ] && [ -f "$dest/include/duckdb.h" ]; then
  exit 0
fi

mkdir -p "$cache"
fetch() {  # fetch PKG TGZ SHA
  local pkg=$1 tgz=$2 sha=$3
  if [ -f "$cache/$tgz" ] && echo "$sha  $cache/$tgz" | sha256sum -c --status; then return 0; fi
  echo "fetch-duckdb: downloading $pkg from the npm registry" >&2
  (cd "$cache" && npm pack --silent "$pkg" >/dev/null) || {
    echo "fetch-duckdb: 'npm pack $pkg' failed; check that the npm registry is reachable" >&2; exit 1; }
  if ! echo "$sha  $cache/$tgz" | sha256sum -c --status; then
    echo "fetch-duckdb: checksum mismatch for $cache/$tgz (expected sha256 $sha); refusing to use it" >&2
    rm -f "$cache/$tgz"; exit 1
  fi
}
fetch "$lib_pkg" "$lib_tgz" "$lib_sha"
fetch "$hdr_pkg" "$hdr_tgz" "$hdr_sha"

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
tar xzf "$cache/$lib_tgz" -C "$tmp" package/libduckdb.so
tar xzf "$cache/$hdr_tgz" -C "$tmp" package/src/duckdb/src/include/duckdb.h
rm -rf "$dest"; mkdir -p "$dest/lib" "$dest/include"
mv "$tmp/package/libduckdb.so" "$dest/lib/"
mv "$tmp/package/src/duckdb/src/include/duckdb.h" "$dest/include/"
touch "$dest/.complete-$version-$arch"
echo "fetch-duckdb: DuckDB $version ($arch) installed in $dest" >&2
