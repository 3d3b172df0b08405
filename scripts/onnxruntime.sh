#!/usr/bin/env bash
# onnxruntime.sh [VERSION]: fetch ONNX Runtime's shared library from the npm
# package onnxruntime-node into a cache folder, by version, and print its
# path. prime's ONNX Runtime backend (build tag onnxruntime) loads it from
# there, or from $ONNXRUNTIME_LIB:
#
#   export ONNXRUNTIME_LIB=$(scripts/onnxruntime.sh)
#   go run -tags onnxruntime ./prime run -runtime onnxruntime ...
#
# The default version, 1.24.3, has the C API version (24) that
# github.com/yalue/onnxruntime_go v1.27.0 was written against; later
# libraries serve that API too, earlier ones do not. The package is fetched
# with npm (which checks the tarball against the registry's integrity
# hash), without running its install scripts, and only the library is kept:
# $PRIME_CACHE/onnxruntime/VERSION/libonnxruntime.so.VERSION, where
# PRIME_CACHE defaults to ${XDG_CACHE_HOME:-~/.cache}/prime. Nothing is
# downloaded when that file is there. The npm package's library has only
# the CPU execution provider (its CUDA one is fetched by an install script).
set -euo pipefail

version=${1:-1.24.3}
case $version in
	*[!0-9.]* | "") echo "onnxruntime.sh: version $version: want digits and dots, such as 1.24.3" >&2; exit 2 ;;
esac
cache=${PRIME_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prime}/onnxruntime/$version
case "$(uname -s)/$(uname -m)" in
	Linux/x86_64) platform=linux/x64 lib=libonnxruntime.so.$version member=libonnxruntime.so.1 ;;
	Linux/aarch64) platform=linux/arm64 lib=libonnxruntime.so.$version member=libonnxruntime.so.1 ;;
	Darwin/arm64) platform=darwin/arm64 lib=libonnxruntime.$version.dylib member=libonnxruntime.$version.dylib ;;
	*) echo "onnxruntime.sh: no ONNX Runtime library in onnxruntime-node for $(uname -s)/$(uname -m)" >&2; exit 1 ;;
esac
if [ -f "$cache/$lib" ]; then
	echo "$cache/$lib"
	exit 0
fi
command -v npm >/dev/null || { echo "onnxruntime.sh: npm not found: install Node.js's npm (Debian: apt-get install npm)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "onnxruntime-node@$version" >/dev/null)
tar -xzf "$tmp/onnxruntime-node-$version.tgz" -C "$tmp" "package/bin/napi-v6/$platform/$member"
mkdir -p "$cache"
# Into place in one rename, so that a run stopped halfway leaves no
# partial library behind.
cp "$tmp/package/bin/napi-v6/$platform/$member" "$cache/$lib.tmp.$$"
mv -f "$cache/$lib.tmp.$$" "$cache/$lib"
echo "$cache/$lib"
