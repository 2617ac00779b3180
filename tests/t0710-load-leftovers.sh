#!/bin/sh
# Leftovers and false failures of mi-load, with generated calendar snapshots:
#   1. a load SIGKILLed during the pricing COPY leaves its work table
#      etl.pricing_build_YYYYMMDD; the next load, of another date, drops it (and
#      says so) and loads its own;
#   2. a load at work keeps its work table: a load of another date started
#      while it is stopped does not touch it, and both finish;
#   3. two mi-load of the same folder at once: the second waits for the first
#      and skips the file as already loaded; both exit 0.
. tests/lib.sh
. tests/load-lib.sh

for d in 2026-11-01 2026-11-02 2026-11-03 2026-11-04; do
	# the first one bigger: its COPY is where the load gets killed
	scale=0.01
	[ $d = 2026-11-01 ] && scale=0.02
	"$MI_BUILD/tools/gen_hawaii" --scale $scale --seed 11 --snapshot "$d" "$t_tmp/g$d" >/dev/null ||
		fail "gen_hawaii"
	mkdir -p "$t_tmp/p$d" && mv "$t_tmp/g$d/pricing.tsv" "$t_tmp/p$d/" && rm -rf "$t_tmp/g$d"
done
fresh_db
q() { psql -XAtc "$1"; }
pids=""
t_cleanup 'for p in $pids; do kill -KILL $p 2>/dev/null; done'
# wait (at most 60 s) until the query returns t; fails when process $2 ended first
wait_true() { # sql, pid
	i=0
	until [ "$(q "$1")" = t ]; do
		i=$((i + 1))
		[ $i -le 1200 ] || fail "not true after a minute: $1"
		kill -0 "$2" 2>/dev/null || fail "process $2 ended first ($1)"
		sleep 0.05
	done
}
build_exists() { echo "SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = 'pricing_build_$1')"; }

# 1. killed during its COPY: the work table is left; a load of another date drops it
"$MI_BIN/mi-load" --sql-dir sql -q --run k1 --source airbnb "$t_tmp/p2026-11-01" >/dev/null 2>&1 &
a=$!
pids="$pids $a"
copying="SELECT count(*) FROM pg_stat_activity WHERE application_name = 'mi-load'
           AND state = 'active' AND query LIKE 'COPY etl.pricing_build_20261101%'"
wait_true "SELECT ($copying) > 0" $a
kill -STOP $a
echo "killed with $(q "$copying") COPY streams at work"
kill -KILL $a
wait $a 2>/dev/null
[ "$(q "$(build_exists 20261101)")" = t ] || fail "the killed load left no work table (nothing to test)"
"$MI_BIN/mi-load" --sql-dir sql --run k2 --source airbnb "$t_tmp/p2026-11-02" >"$t_tmp/l2.out" 2>"$t_tmp/l2.err" ||
	fail "the load of another date failed: $(cat "$t_tmp/l2.err")"
grep -q '^dropped etl.pricing_build_20261101, left by a killed load$' "$t_tmp/l2.out" ||
	{ cat "$t_tmp/l2.out"; fail "the next load does not say it dropped the leftover"; }
[ "$(q "SELECT count(*) FROM pg_class WHERE relname LIKE 'pricing\\_build\\_%'")" = 0 ] ||
	fail "a work table is left after the next load"
[ "$(q "SELECT count(DISTINCT snapshot_date) FROM external.property_pricing")" = 1 ] ||
	fail "the next load did not load its snapshot"

# 2. a load at work keeps its work table
"$MI_BIN/mi-load" --sql-dir sql -q --run k3 --source airbnb "$t_tmp/p2026-11-03" >/dev/null 2>"$t_tmp/l3.err" &
a=$!
pids="$pids $a"
wait_true "$(build_exists 20261103)" $a
kill -STOP $a
load_run --run k4 --source airbnb "$t_tmp/p2026-11-01" 2>"$t_tmp/l4.err" ||
	{ kill -CONT $a; fail "a load beside a stopped one failed: $(cat "$t_tmp/l4.err")"; }
[ "$(q "$(build_exists 20261103)")" = t ] || { kill -CONT $a; fail "the load at work lost its work table"; }
kill -CONT $a
wait $a || fail "the load that was stopped failed: $(cat "$t_tmp/l3.err")"
[ "$(q "SELECT string_agg(DISTINCT snapshot_date::text, ' ' ORDER BY snapshot_date::text)
        FROM external.property_pricing")" = "2026-11-01 2026-11-02 2026-11-03" ] ||
	fail "snapshots loaded: $(q "SELECT string_agg(DISTINCT snapshot_date::text, ' ') FROM external.property_pricing")"

# 3. two loads of one folder at once: the second waits, then skips it
"$MI_BIN/mi-load" --sql-dir sql --run k5 --source airbnb "$t_tmp/p2026-11-04" >"$t_tmp/l5.out" 2>"$t_tmp/l5.err" &
a=$!
pids="$pids $a"
# the first holds the file's lock (a two-key advisory lock) and builds its snapshot
wait_true "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted)
           AND $(build_exists 20261104 | sed 's/^SELECT //')" $a
kill -STOP $a
"$MI_BIN/mi-load" --sql-dir sql --run k6 --source airbnb "$t_tmp/p2026-11-04" >"$t_tmp/l6.out" 2>"$t_tmp/l6.err" &
b=$!
pids="$pids $b"
wait_true "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)" $b
kill -CONT $a
wait $a || fail "the first of two loads failed: $(cat "$t_tmp/l5.err")"
wait $b || fail "the second of two loads failed: $(cat "$t_tmp/l6.err")"
grep -q '^pricing.tsv: unchanged ([0-9a-f]*): already loaded, [0-9]* rows skipped$' "$t_tmp/l6.out" ||
	{ cat "$t_tmp/l6.out"; fail "the second load does not skip the file as already loaded"; }
[ "$(q "SELECT count(*) FROM etl.loaded_files WHERE entity = 'pricing'")" = 4 ] || fail "loaded_files"

exit 0
