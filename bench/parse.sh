#!/bin/sh
# make bench-parse: mi-parse on a generated Hawaii-scale Inside Airbnb calendar
# (35,000 listings x 365 days = 12,775,000 rows, the real format).  Reports
# MB/s, rows/s and peak memory, and the reference measured in the same run on
# a throwaway PostgreSQL (scripts/pg.sh): server-side COPY ... (FORMAT csv,
# HEADER) of the same file into an unlogged table of text columns, by wall
# clock and by the backend's CPU time (/proc).  Then the calendar's parse +
# load (mi-load of the parsed snapshot: logged, keyed, attached) against the
# same COPY.  The last line is the parser's row rate as a multiple of COPY's
# (per CPU second: on a busy machine that is each one's own speed; wall clock
# in brackets).  Output goes to the scratch directory: with a slow disk,
# MI_BENCH_DIR=/dev/shm measures the parser rather than the disk.
# Knobs: MI_BENCH_LISTINGS (default 35000), MI_BENCH_DIR (scratch, default
# /tmp), MI_BENCH_LOAD=0 to skip the parse + load part.
set -eu
build=${MI_BUILD:-build}
bin=${MI_BIN:-bin}
listings=${MI_BENCH_LISTINGS:-35000}
top=$(pwd)
dir=$(mktemp -d "${MI_BENCH_DIR:-/tmp}/mi-bench-parse.XXXXXX")
chmod 755 "$dir"
trap 'sh "$top/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1; rm -rf "$dir"' EXIT

"$build/bench/gen_calendar" --listings "$listings" --days 365 >"$dir/calendar.csv"
bytes=$(wc -c <"$dir/calendar.csv")
rows=$((listings * 365))
echo "input: $rows rows, $bytes bytes ($dir/calendar.csv), load average $(cut -d' ' -f1-3 /proc/loadavg)"

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

if command -v gzip >/dev/null 2>&1; then
	gzip -1 -c "$dir/calendar.csv" >"$dir/calendar.csv.gz"
	echo "input: $(wc -c <"$dir/calendar.csv.gz") bytes gzipped"
	run "calendar.csv.gz" "$dir/calendar.csv.gz"
fi
run "calendar.csv" "$dir/calendar.csv"
echo "rows/s: $last"
p_wall=$secs
p_cpu=$cpu

# the reference: server-side COPY of the same file, wall clock and backend CPU
chmod a+r "$dir/calendar.csv"
eval "$(sh scripts/pg.sh start "$dir/pg")"
export PGDATABASE=postgres
psql -XAq -v ON_ERROR_STOP=1 -c "CREATE UNLOGGED TABLE cal (listing_id text, date text,
	available text, price text, adjusted_price text, minimum_nights text, maximum_nights text)"
{
	echo 'SELECT pg_backend_pid() AS pid \gset'
	echo '\setenv MI_BACKEND_PID :pid'
	echo "\\! cat /proc/\$MI_BACKEND_PID/stat > $dir/stat.0"
	echo 'SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset'
	echo "COPY cal FROM '$dir/calendar.csv' WITH (FORMAT csv, HEADER true);"
	echo 'SELECT extract(epoch FROM clock_timestamp()) - :t0;'
	echo "\\! cat /proc/\$MI_BACKEND_PID/stat > $dir/stat.1"
	echo 'SELECT count(*) FROM cal;'
} >"$dir/copy.sql"
psql -XAtq -v ON_ERROR_STOP=1 -f "$dir/copy.sql" >"$dir/copy.txt"
c_wall=$(sed -n 1p "$dir/copy.txt")
c_rows=$(sed -n 2p "$dir/copy.txt")
[ "$c_rows" -eq "$rows" ] || { echo "bench-parse: COPY read $c_rows rows, not $rows" >&2; exit 1; }
# utime + stime: fields 14 and 15 of /proc/PID/stat, 12 and 13 after the name
c_cpu=$(cat "$dir/stat.0" "$dir/stat.1" | awk -v t="$(getconf CLK_TCK)" '
	{ sub(/^.*\) /, ""); v[NR] = $12 + $13 }
	END { printf "%.2f", (v[2] - v[1]) / t }')
awk -v r="$rows" -v w="$c_wall" -v c="$c_cpu" 'BEGIN {
	printf "COPY (FORMAT csv) into an unlogged text table: wall %.2f s: %.0f rows/s; backend cpu %.2f s: %.0f rows/s\n",
		w, r / w, c, r / (c > 0 ? c : 1e-9) }'

if [ "${MI_BENCH_LOAD:-1}" != 0 ]; then
	# parse + load: the parsed snapshot through mi-load (durable, keyed, attached)
	psql -XAq -c "DROP TABLE cal" -c "CREATE DATABASE bench_cal"
	PGDATABASE=bench_cal "$bin/mi-migrate" --dir sql >/dev/null
	PGDATABASE=bench_cal psql -XAq -c CHECKPOINT
	t0=$(date +%s.%N)
	PGDATABASE=bench_cal /usr/bin/time -f '%M' -o "$dir/load.mem" "$bin/mi-load" --sql-dir sql \
		--run bench-parse --source airbnb "$dir/out" >/dev/null
	l_wall=$(echo "$t0 $(date +%s.%N)" | awk '{ print $2 - $1 }')
	awk -v p="$p_wall" -v l="$l_wall" -v c="$c_wall" -v m="$(cat "$dir/load.mem")" 'BEGIN {
		printf "parse + load of the calendar: %.2f s + %.2f s = %.2f s, %.2f× the COPY (load peak RSS %d kB)\n",
			p, l, p + l, (p + l) / c, m }'
fi
awk -v pw="$p_wall" -v pc="$p_cpu" -v cw="$c_wall" -v cc="$c_cpu" 'BEGIN {
	printf "parse row rate %.2f× COPY CSV per CPU second (%.2f× by wall clock)\n",
		(cc > 0 ? cc : 1e-9) / pc, cw / pw }'
