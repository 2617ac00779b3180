#!/bin/sh
# mi-run backfill over the day a nightly run landed: re-parses and re-loads from
# the landing store without fetching (the server sees no request), twice adds
# nothing; --dry-run prints the plan and changes nothing; --source limits it; a
# corrected column map reaches the tables; a day that never landed is fetched
# for a source whose URL takes the date.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
day=$(date -u +%Y-%m-%d)
ymd=$(date -u +%Y%m%d)
land="$t_tmp/n/landing"
work="$t_tmp/n/work"
backfill() { # out-prefix, args...
	_o=$1
	shift
	"$MI_BIN/mi-run" backfill --from "$day" --to "$day" --config-dir "$t_tmp/config" \
		--landing "$land" --work "$work" --no-progress "$@" >"$_o.out" 2>"$_o.err"
}

# the Oahu owner roll's column map "has a bug": it misses the mailing country
cp "$t_tmp/config/formats/oahu-owndat.ini" "$t_tmp/oahu-owndat.fixed"
grep -v '^mailing_country' "$t_tmp/oahu-owndat.fixed" >"$t_tmp/config/formats/oahu-owndat.ini"

run_nightly "$t_tmp/n" || { rc=$?; cat "$t_tmp/n/out" "$t_tmp/n/err"; fail "nightly exited $rc"; }
tables_digest >"$t_tmp/digest.0"
requests=$(run_requests)
[ "$requests" -gt 0 ] || fail "the nightly run made no request"
runs=$(psql -XAtc "SELECT count(*) FROM etl.runs")

# 1. the dry run: the plan, and nothing changed
backfill "$t_tmp/dry" --dry-run || { rc=$?; cat "$t_tmp/dry.err"; fail "backfill --dry-run exited $rc"; }
grep -q "^run backfill-$ymd-$ymd (dry run" "$t_tmp/dry.out" || { cat "$t_tmp/dry.out"; fail "dry run: no run line"; }
grep -q "^day $day: re-parse and re-load what nightly-$ymd landed (no fetch)" "$t_tmp/dry.out" ||
	{ cat "$t_tmp/dry.out"; fail "dry run: no plan for $day"; }
grep -q '^source maui-sales ' "$t_tmp/dry.out" || fail "dry run: sources not listed"
[ "$(psql -XAtc "SELECT count(*) FROM etl.runs")" = "$runs" ] || fail "the dry run wrote a run"
[ -d "$work/backfill-$ymd-$ymd" ] && fail "the dry run made a work folder"

# 2. the backfill: every source re-parsed and re-loaded, nothing fetched
backfill "$t_tmp/b1" || { rc=$?; cat "$t_tmp/b1.out" "$t_tmp/b1.err"; fail "backfill exited $rc"; }
[ "$(run_requests)" = "$requests" ] || fail "the backfill fetched ($(run_requests) requests, was $requests)"
grep -Eq '^fetch ' "$t_tmp/b1.out" && fail "the backfill has a fetch stage"
for s in gis-parcels maui-sales airbnb-hawaii-listings airbnb-hawaii-calendar; do
	grep -Eq "^parse +$s $day +succeeded" "$t_tmp/b1.out" ||
		{ cat "$t_tmp/b1.out"; fail "backfill: $s not re-parsed"; }
	grep -Eq "^load +$s $day +succeeded" "$t_tmp/b1.out" ||
		{ cat "$t_tmp/b1.out"; fail "backfill: $s not re-loaded"; }
done
tables_digest >"$t_tmp/digest.1"
diff "$t_tmp/digest.0" "$t_tmp/digest.1" >&2 || fail "the backfill of unchanged data changed the tables"
st=$(psql -XAtc "SELECT kind || ' ' || status FROM etl.runs WHERE run_id = 'backfill-$ymd-$ymd'")
[ "$st" = "backfill succeeded" ] || fail "backfill ledger row: '$st'"

# 3. again: nothing new
backfill "$t_tmp/b2" || { rc=$?; cat "$t_tmp/b2.out" "$t_tmp/b2.err"; fail "second backfill exited $rc"; }
tables_digest >"$t_tmp/digest.2"
diff "$t_tmp/digest.0" "$t_tmp/digest.2" >&2 || fail "the second backfill changed the tables"
[ "$(run_requests)" = "$requests" ] || fail "the second backfill fetched"

# 4. --source: only that source (then compset and leads)
backfill "$t_tmp/b3" --source maui-sales || { rc=$?; cat "$t_tmp/b3.out" "$t_tmp/b3.err"; fail "backfill --source exited $rc"; }
grep -Eq "^parse +maui-sales $day +succeeded" "$t_tmp/b3.out" || fail "--source: maui-sales not parsed"
other=$(grep -E '^(parse|score|load) ' "$t_tmp/b3.out" | grep -vc ' maui-sales ')
[ "$other" = 0 ] || { cat "$t_tmp/b3.out"; fail "--source maui-sales ran other sources"; }
n=$(psql -XAtc "SELECT count(DISTINCT source) FROM etl.stage_results
                WHERE run_id = 'backfill-$ymd-$ymd-maui-sales' AND source IS NOT NULL")
[ "$n" = 1 ] || fail "--source: stage results name $n sources"
[ "$(run_requests)" = "$requests" ] || fail "backfill --source fetched"

# 5. the parser fix deployed (the column map corrected): a backfill re-parses
# the landed bytes and loads what changed, still without fetching
country() {
	psql -XAtc "SELECT coalesce(owner_mailing_country, '-') FROM external.properties
	            WHERE tmk = '1260100071105'"
}
[ "$(country)" = "-" ] || fail "the Tokyo owner has a mailing country before the fix"
cp "$t_tmp/oahu-owndat.fixed" "$t_tmp/config/formats/oahu-owndat.ini"
"$MI_BIN/mi-run" backfill --from "$day" --to "$day" --source oahu-owners --run-id backfill-fix \
	--config-dir "$t_tmp/config" --landing "$land" --work "$work" --no-progress \
	>"$t_tmp/b4.out" 2>"$t_tmp/b4.err" || { rc=$?; cat "$t_tmp/b4.out" "$t_tmp/b4.err"; fail "backfill after the fix exited $rc"; }
c=$(country)
[ "$c" != "-" ] || fail "the backfill did not load the fixed parse (no mailing country)"
[ "$(run_requests)" = "$requests" ] || fail "the backfill after the fix fetched"

# 6. a day that never landed, for a source whose URL takes the date: fetched
yday=$(date -u -d '-1 day' +%Y-%m-%d)
oahu=$(psql -XAtc "SELECT count(*) FROM external.properties WHERE 'oahu-owners' = ANY (sources)")
[ "$oahu" -gt 0 ] || fail "no parcel of the Oahu roll"
sed -e 's/^id = .*/id = dated-reviews/' -e 's|^url = \(.*\)$|url = \1?day={date}|' \
	"$t_tmp/config/sources/airbnb-hawaii-reviews.ini" >"$t_tmp/config/sources/dated-reviews.ini"
# (and the Oahu roll as a dated source: its rows were seen that day, not today)
sed -e 's/^id = .*/id = dated-owners/' -e 's|^url = \(.*\)$|url = \1?day={date}|' \
	"$t_tmp/config/sources/oahu-owners.ini" >"$t_tmp/config/sources/dated-owners.ini"
"$MI_BIN/mi-run" backfill --from "$yday" --to "$yday" --source dated-reviews --source dated-owners \
	--config-dir "$t_tmp/config" --landing "$land" --work "$work" --no-progress \
	>"$t_tmp/b5.out" 2>"$t_tmp/b5.err" || { rc=$?; cat "$t_tmp/b5.out" "$t_tmp/b5.err"; fail "dated backfill exited $rc"; }
[ "$(run_requests)" = $((requests + 2)) ] || fail "the dated sources were not fetched once each ($(run_requests) requests, was $requests)"
for s in dated-reviews dated-owners; do
	grep -Eq "^fetch +$s $yday +succeeded" "$t_tmp/b5.out" || { cat "$t_tmp/b5.out"; fail "no fetch row of $s for the dated day"; }
	grep -Eq "^load +$s $yday +succeeded" "$t_tmp/b5.out" || { cat "$t_tmp/b5.out"; fail "$s's fetched day was not loaded"; }
done
# the roll's parcels: first seen the backfilled day, last seen the night's
# (a load takes the day it loads, not the clock's)
[ "$(psql -XAtc "SELECT count(*) || ' ' || count(*) FILTER (WHERE first_seen = '$yday' AND last_seen = '$day')
                  FROM external.properties WHERE 'dated-owners' = ANY (sources)")" = "$oahu $oahu" ] ||
	fail "the backfilled day's parcels: $(psql -XAtc "SELECT first_seen || ' ' || last_seen || ' ' || count(*)
	      FROM external.properties WHERE 'dated-owners' = ANY (sources) GROUP BY 1")"
# an impossible date is a usage error (64), not an internal one
rc=0
"$MI_BIN/mi-run" backfill --from 2026-02-30 --to 2026-03-01 --dry-run >/dev/null 2>"$t_tmp/bad.err" || rc=$?
[ $rc -eq 64 ] || fail "impossible date: expected exit 64, got $rc"
grep -q "invalid --from or --to date" "$t_tmp/bad.err" || fail "message: $(cat "$t_tmp/bad.err")"
exit 0
