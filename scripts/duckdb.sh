#!/usr/bin/env bash
# duckdb.sh [VERSION]: install DuckDB's Node.js package, @duckdb/node-api,
# into a cache folder, by version, and print the folder. recordfile's tests
# run it there to write Parquet files with a writer independent of prime's
# (TestDuckDBParquet), when $PRIME_DUCKDB names the folder:
#
#   export PRIME_DUCKDB=$(scripts/duckdb.sh)
#   go test ./recordfile -run DuckDB
#
# The package is installed with npm (which checks each tarball against the
# registry's integrity hash), without running install scripts: DuckDB's
# library comes in the platform's package, @duckdb/node-bindings-OS-ARCH.
# The folder is $PRIME_CACHE/duckdb/VERSION, where PRIME_CACHE defaults to
# ${XDG_CACHE_HOME:-~/.cache}/prime; nothing is downloaded when the package
# is there.
set -euo pipefail

version=${1:-1.5.6-r.1}
case $version in
	*[!0-9a-z.-]* | "") echo "duckdb.sh: version $version: want a version such as 1.5.6-r.1" >&2; exit 2 ;;
esac
cache=${PRIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prime}/duckdb/$version
if [ -f "$cache/node_modules/@duckdb/node-api/package.json" ]; then
	echo "$cache"
	exit 0
fi
command -v npm >/dev/null || { echo "duckdb.sh: npm not found: install Node.js's npm (Debian: apt-get install npm)" >&2; exit 1; }

# Into place in one rename, so that a run stopped halfway leaves no
# partial install behind.
mkdir -p "${cache%/*}"
tmp=$(mktemp -d "${cache%/*}/.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-audit --no-fund --ignore-scripts --prefix "$tmp" "@duckdb/node-api@$version" >/dev/null
rm -rf "$cache"
mv "$tmp" "$cache"
trap - EXIT
echo "$cache"
