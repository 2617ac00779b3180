#!/bin/sh
# make bench-parse: mi-parse on a generated Hawaii-scale Inside Airbnb calendar
# (35,000 listings x 365 days = 12,775,000 rows, the real format).  Reports
# MB/s, rows/s and peak memory; the last line is the rows/s figure (wall
# clock, and per CPU second: on a busy machine the second one is the
# parser's own speed).  Output goes to the scratch directory: with a slow
# disk, MI_BENCH_DIR=/dev/shm measures the parser rather than the disk.
# Knobs: MI_BENCH_LISTINGS (default 35000), MI_BENCH_DIR (scratch, default /tmp).
set -eu
build=${MI_BUILD:-build}
bin=${MI_BIN:-bin}
listings=${MI_BENCH_LISTINGS:-35000}
dir=$(mktemp -d "${MI_BENCH_DIR:-/tmp}/mi-bench-parse.XXXXXX")
trap 'rm -rf "$dir"' EXIT

"$build/bench/gen_calendar" --listings "$listings" --days 365 >"$dir/calendar.csv"
bytes=$(wc -c <"$dir/calendar.csv")
rows=$((listings * 365))
echo "input: $rows rows, $bytes bytes ($dir/calendar.csv)"

run() {
	# run "label" file: time mi-parse, print the figures
	label=$1 file=$2
	rm -rf "$dir/out"
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -v -o "$dir/time.txt" "$bin/mi-parse" --format insideairbnb-calendar \
			--snapshot-date 2024-09-13 --out "$dir/out" "$file" >/dev/null 2>"$dir/log.txt"
		wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$dir/time.txt")
		secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
		rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$dir/time.txt")
		cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$dir/time.txt")
	else
		t0=$(date +%s.%N)
		"$bin/mi-parse" --format insideairbnb-calendar --snapshot-date 2024-09-13 \
			--out "$dir/out" "$file" >/dev/null 2>"$dir/log.txt"
		secs=$(echo "$t0 $(date +%s.%N)" | awk '{ print $2 - $1 }')
		rss=unknown
		cpu=$secs
	fi
	out_rows=$(wc -l <"$dir/out/pricing.tsv")
	if [ "$out_rows" -ne "$rows" ]; then
		echo "bench-parse: $label: expected $rows rows, got $out_rows" >&2
		exit 1
	fi
	awk -v l="$label" -v b="$bytes" -v r="$rows" -v s="$secs" -v c="$cpu" -v m="$rss" 'BEGIN {
		printf "%s: wall %.2f s: %.1f MB/s, %.0f rows/s; cpu %.2f s: %.1f MB/s, %.0f rows/s; peak RSS %s kB\n",
			l, s, b / s / 1e6, r / s, c, b / c / 1e6, r / c, m }'
	last=$(awk -v r="$rows" -v s="$secs" -v c="$cpu" 'BEGIN {
		printf "%.0f (wall clock; %.0f per CPU second)", r / s, r / c }')
}

run "calendar.csv" "$dir/calendar.csv"
plain=$last
if command -v gzip >/dev/null 2>&1; then
	gzip -1 -c "$dir/calendar.csv" >"$dir/calendar.csv.gz"
	echo "input: $(wc -c <"$dir/calendar.csv.gz") bytes gzipped"
	run "calendar.csv.gz" "$dir/calendar.csv.gz"
fi
echo "rows/s: $plain"
