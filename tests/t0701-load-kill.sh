#!/bin/sh
# mi-load killed with SIGKILL at random points, several times, then run to the end,
# gives exactly the tables of one clean load (row counts and checksums), and the
# pricing snapshot, built apart by parallel COPY streams, never holds a key twice.
. tests/lib.sh
. tests/load-lib.sh

gen_data "$t_tmp/d" 0.01 11

# the reference: one clean load
fresh_db
clean=$PGDATABASE
t0=$(date +%s.%N)
load_run --run k1 --source airbnb "$t_tmp/d" 2>"$t_tmp/err0" || fail "clean load: $(cat "$t_tmp/err0")"
t1=$(date +%s.%N)
load_checksums >"$t_tmp/clean"

# the same load, killed again and again
PGDATABASE="${clean}_k"
export PGDATABASE
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" || fail "createdb"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"
# random delays spread over the time a clean load took; MI_KILL_DELAYS replays a
# failing sequence
delays=${MI_KILL_DELAYS:-$(awk -v seed="$$" -v t0="$t0" -v t1="$t1" 'BEGIN {
	srand(seed); d = t1 - t0; for (i = 0; i < 6; i++) printf "%.2f ", 0.02 + rand() * d * 0.9 }')}
echo "kill delays: $delays"
kills=0
kill_at() { # DELAY: start a load, kill it after DELAY seconds
	"$MI_BIN/mi-load" --sql-dir sql -q --run k1 --source airbnb "$t_tmp/d" >/dev/null 2>&1 &
	pid=$!
	sleep "$1"
	if kill -KILL "$pid" 2>/dev/null; then
		kills=$((kills + 1))
	else
		# it finished first (it ran faster than the clean load did): the next
		# loads would only skip its files, so start again from an empty database
		wait "$pid" 2>/dev/null
		dropdb --force "$PGDATABASE" && createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" ||
			fail "cannot recreate $PGDATABASE"
		kills=0
	fi
	wait "$pid" 2>/dev/null
}
for delay in $delays; do
	kill_at "$delay"
done
# at least one kill into what the final load finishes (early: the load surely runs)
[ "$kills" -ge 1 ] || kill_at 0.05
[ "$kills" -ge 1 ] || fail "no load was still running when killed"
echo "$kills loads killed since the database was last empty"
# the last one with a single COPY stream (an unpartitioned work table): same result
load_run --run k1 --source airbnb --streams 1 "$t_tmp/d" 2>"$t_tmp/err1" ||
	fail "final load: $(cat "$t_tmp/err1")"
load_checksums >"$t_tmp/killed"
diff "$t_tmp/clean" "$t_tmp/killed" >"$t_tmp/diff" ||
	fail "killed-then-finished load (delays $delays) differs from a clean load: $(cat "$t_tmp/diff")"
left=$(psql -XAtc "select count(*) from pg_class where relname like 'pricing\\_build\\_%'")
[ "$left" -eq 0 ] || fail "a pricing work table was left behind"
dup=$(psql -XAtc "select count(*) from (select 1 from external.property_pricing
	group by platform, listing_id, snapshot_date, stay_date having count(*) > 1) x")
[ "$dup" -eq 0 ] || fail "$dup duplicate pricing keys"
# a second run after all that changes nothing
load_run --run k2 --source airbnb "$t_tmp/d" 2>"$t_tmp/err2" || fail "repeat load: $(cat "$t_tmp/err2")"
load_checksums >"$t_tmp/again"
diff "$t_tmp/clean" "$t_tmp/again" >/dev/null || fail "a repeated load changed tables"
exit 0
