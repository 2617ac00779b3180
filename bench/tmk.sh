#!/bin/sh
# bench-tmk: TMK normalizations per second on one core, and no heap
# allocation on the hot path.
#
#   make bench-tmk                  (MI_BUILD set by the Makefile)
#   BENCH_SECONDS=5 sh bench/tmk.sh
#
# Inputs: the written forms of fixtures/normalize/tmk.tsv (every form the
# parser knows, lists, and the refusals), loaded once and parsed over and
# over for BENCH_SECONDS.  Also times `mi-normalize tmk` end to end on the
# same inputs repeated to 200,000 lines.  The last line is the figure.
set -eu

MI_BUILD=${MI_BUILD:-build}
MI_BIN=${MI_BIN:-bin}
secs=${BENCH_SECONDS:-3}
fixture=fixtures/normalize/tmk.tsv

tmp=$(mktemp -d /tmp/mi-bench-tmk.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

pin=""
if command -v taskset >/dev/null 2>&1; then
	pin="taskset -c 0"
fi
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')${pin:+ (pinned: $pin)}"
echo "inputs: $(grep -vc '^#' "$fixture") written forms from $fixture"

# the command line end to end: read, parse, format, write
grep -v '^#' "$fixture" | cut -f1 >"$tmp/one"
: >"$tmp/in"
while [ "$(wc -l <"$tmp/in")" -lt 200000 ]; do
	cat "$tmp/one" "$tmp/one" "$tmp/one" "$tmp/one" >>"$tmp/in"
done
lines=$(wc -l <"$tmp/in")
t0=$(date +%s.%N)
$pin "$MI_BIN/mi-normalize" --county 1 tmk <"$tmp/in" >"$tmp/out"
t1=$(date +%s.%N)
out=$(wc -l <"$tmp/out")
[ "$out" -eq "$lines" ] || { echo "bench-tmk: $out lines out for $lines in" >&2; exit 1; }
awk -v a="$t0" -v b="$t1" -v n="$lines" 'BEGIN {
	printf "mi-normalize tmk (end to end): %d lines in %.3f s, %.0f lines/s\n", n, b - a, n / (b - a) }'

# the library, in process
res=$($pin "$MI_BUILD/bench/bench_tmk" --min-seconds "$secs" "$fixture")
echo "tmk_parse_list (in process): $res"
echo "$res" | grep -q 'allocations=0' || { echo "bench-tmk: the hot path allocates" >&2; exit 1; }
echo "$res" | sed 's/.*per_s=\([0-9]*\).*/tmk normalizations per second (one core): \1/'
