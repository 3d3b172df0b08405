#!/usr/bin/env bash
# bench-mine.sh: the end-to-end figures of prime mine, on prime synth's
# workloads at ImageNet scale (1000 classes x 1300 records, RAM's 4,585 tags)
# under each co-occurrence setting, from JSON Lines and Parquet, and on the
# 13-million-record workload (1000 x 13,000) from Parquet.
#
#   scripts/bench-mine.sh [-n RUNS] [-d DIR] [WORKLOAD...]
#
# Each workload is written once into DIR (default: ~/.cache/prime/bench) and
# mined RUNS times (default 5) with `prime mine -fdr 1 -bootstrap 0 -format
# jsonl`; the line printed per workload gives the median wall time, the
# median processor time (user + system) and the largest peak resident
# memory. Workloads: default clustered unclustered skewed flat tags=5-10
# tags=20-40 vocab=20000 (JSON Lines), default.parquet clustered.parquet,
# and 13m.parquet (1000 x 13,000; about 400 MB, written on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5
dir=${XDG_CACHE_HOME:-$HOME/.cache}/prime/bench
while getopts n:d: opt; do
	case $opt in
	n) runs=$OPTARG ;;
	d) dir=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
all=(default clustered unclustered skewed flat tags=5-10 tags=20-40 vocab=20000 default.parquet clustered.parquet 13m.parquet)
[ $# -gt 0 ] && all=("$@")
mkdir -p "$dir"
bin=$dir/prime
go build -o "$bin" ./prime

flags() { # the prime synth flags of a workload
	local r="-classes 1000 -records 1300"
	case ${1%.parquet} in
	default) echo "$r" ;;
	clustered) echo "$r -cluster 0.9 -topic-size 12" ;;
	unclustered) echo "$r -cluster -1" ;;
	skewed) echo "$r -skew 2" ;;
	flat) echo "$r -skew 0.5" ;;
	tags=5-10) echo "$r -min-tags 5 -max-tags 10" ;;
	tags=20-40) echo "$r -min-tags 20 -max-tags 40" ;;
	vocab=20000) echo "$r -tags 20000" ;;
	13m) echo "-classes 1000 -records 13000" ;;
	*) echo "bench-mine.sh: unknown workload $1" >&2; exit 2 ;;
	esac
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for w in "${all[@]}"; do
	f=$(flags "$w")
	file=$dir/$w
	format=jsonl
	case $w in *.parquet) format=parquet ;; *) file=$file.jsonl ;; esac
	if [ ! -s "$file" ]; then
		# shellcheck disable=SC2086
		"$bin" synth $f -format $format -o "$file"
	fi
	walls=() cpus=() peak=0
	for _ in $(seq "$runs"); do
		/usr/bin/time -o "$dir/time" -f '%e %U %S %M' "$bin" mine -fdr 1 -bootstrap 0 -format jsonl -o /dev/null "$file" 2>/dev/null
		read -r wall user sys rss <"$dir/time"
		walls+=("$wall")
		cpus+=("$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')")
		[ "$rss" -gt "$peak" ] && peak=$rss
	done
	printf '%-18s wall %6ss  cpu %6ss  peak %5d MiB  (%s, %d runs)\n' "$w" \
		"$(printf '%s\n' "${walls[@]}" | median)" "$(printf '%s\n' "${cpus[@]}" | median)" $((peak / 1024)) \
		"$(du -h "$file" | cut -f1)" "$runs"
done
