#!/bin/sh
# mi-load --date: the rows of a load were seen on the day it names (mi-run
# gives its night's date, a backfill the day it loads), not on the clock's
# day, so a night resumed after midnight or a month's backfill dates its
# parcels as an uninterrupted night would.  first_seen only moves back,
# last_seen only forward; a day inside the known span changes nothing; an
# owner change's event takes the day; no --date is the database's today.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }
seen() { q "select string_agg(distinct first_seen || ' ' || last_seen, ',') from external.properties"; }
pf=fixtures/parse/county-csv/hawaii-parcels/expected/properties.tsv
n=$(wc -l <"$pf")
# each load a new file (the same rows at new offsets), so none is skipped as known
step=0
load_day() { # RUN DAY|-
	step=$((step + 1000))
	mkdir -p "$t_tmp/$1"
	awk -F '\t' -v OFS='\t' -v k=$step '{ $4 = $4 + k } { print }' "$pf" >"$t_tmp/$1/properties.tsv"
	if [ "$2" = - ]; then
		load_run --run "$1" --source county-x "$t_tmp/$1" 2>"$t_tmp/e"
	else
		load_run --run "$1" --source county-x --date "$2" "$t_tmp/$1" 2>"$t_tmp/e"
	fi || fail "load $1: $(cat "$t_tmp/e")"
}

load_day p1 2026-03-05
[ "$(load_counts p1)" = "$n $n 0 0" ] || fail "p1: read/inserted/updated/unchanged $(load_counts p1)"
[ "$(seen)" = "2026-03-05 2026-03-05" ] || fail "p1: first and last seen $(seen)"
# the same day again: nothing to write
load_day p2 2026-03-05
[ "$(load_counts p2)" = "$n 0 0 $n" ] || fail "p2: read/inserted/updated/unchanged $(load_counts p2)"
# the next day: last_seen moves, and only it
load_day p3 2026-03-06
[ "$(load_counts p3)" = "$n 0 $n 0" ] || fail "p3: read/inserted/updated/unchanged $(load_counts p3)"
[ "$(seen)" = "2026-03-05 2026-03-06" ] || fail "p3: first and last seen $(seen)"
[ "$(q "select string_agg(distinct last_run_id, ',') from external.properties")" = p3 ] ||
	fail "p3: the moved rows do not name the run"
# a backfill of an earlier day: first_seen moves back, last_seen stays
load_day p4 2026-03-01
[ "$(load_counts p4)" = "$n 0 $n 0" ] || fail "p4: read/inserted/updated/unchanged $(load_counts p4)"
[ "$(seen)" = "2026-03-01 2026-03-06" ] || fail "p4: first and last seen $(seen)"
# a day within what is known: nothing to write
load_day p5 2026-03-03
[ "$(load_counts p5)" = "$n 0 0 $n" ] || fail "p5: read/inserted/updated/unchanged $(load_counts p5)"
# no --date: the database's today (later than the days above)
load_day p6 -
[ "$(seen)" = "2026-03-01 $(q "select greatest(current_date, date '2026-03-06')")" ] ||
	fail "p6: first and last seen $(seen)"

# an owner change loaded for a day: its event happened that day, and its key
# (a roll without a tax year) names that day
fx=fixtures/load/fixes
"$MI_BIN/mi-parse" --format county-csv --config "$fx/owners.ini" --out "$t_tmp/o1" "$fx/owners-1.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse owners 1: $(cat "$t_tmp/e")"
load_run --run o1 --source county-x --date 2026-04-01 "$t_tmp/o1" 2>"$t_tmp/e" || fail "owners 1: $(cat "$t_tmp/e")"
tmk=$(sed -n 2p "$fx/owners-1.csv" | cut -d, -f1)
{ head -n 1 "$fx/owners-1.csv"; echo "$tmk,\"KAPONO,LEI\""; tail -n +3 "$fx/owners-1.csv"; } >"$t_tmp/owners-2.csv"
"$MI_BIN/mi-parse" --format county-csv --config "$fx/owners.ini" --out "$t_tmp/o2" "$t_tmp/owners-2.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse owners 2: $(cat "$t_tmp/e")"
load_run --run o2 --source county-x --date 2026-04-02 "$t_tmp/o2" 2>"$t_tmp/e" || fail "owners 2: $(cat "$t_tmp/e")"
[ "$(q "select occurred_on || ' ' || (event_key like '%:2026-04-02') from etl.change_events
          where event_type = 'owner_changed' and tmk = '2$tmk'")" = "2026-04-02 true" ] ||
	fail "owner change event: $(q "select occurred_on || ' ' || event_key from etl.change_events
	                              where event_type = 'owner_changed'")"
[ "$(q "select first_seen || ' ' || last_seen from external.properties where tmk = '2$tmk'")" = \
	"2026-04-01 2026-04-02" ] || fail "the owner's parcel: $(q "select first_seen || ' ' || last_seen
	                                                         from external.properties where tmk = '2$tmk'")"

# a date that is not one: a usage error, nothing loaded
rc=0
load_run --run bad --source county-x --date 2026-02-30 "$t_tmp/p1" 2>"$t_tmp/e" || rc=$?
[ $rc -eq 64 ] || fail "--date 2026-02-30: exit $rc, expected 64"
grep -q "invalid date '2026-02-30' for option --date" "$t_tmp/e" || fail "message: $(cat "$t_tmp/e")"
[ "$(q "select count(*) from etl.stage_results where run_id = 'bad'")" = 0 ] || fail "the bad date left a ledger row"
exit 0
