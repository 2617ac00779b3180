#!/bin/sh
# Bad input never costs good rows, nor the night: on the demo market with a stray quote
# in the calendar (line 301) and an owner roll over its source's row limit,
#  - the calendar loses exactly the stray quote's line: "in" is the file's 9,855 rows,
#    9,854 are loaded and one is rejected;
#  - the roll is rejected whole with the limit's reason (no row of it loaded), its source
#    fails (exit 65), every other source is still parsed and loaded, leads are scored,
#    and the run exits 65 (data), as its ledger says.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
cal=$t_tmp/www/insideairbnb/calendar.csv
sed -i '301s/,\$289\.00,/,"$289.00,/' "$cal"
grep -c '"\$289\.00,\$' "$cal" | grep -qx 1 || fail "the stray quote was not planted"
rows=$(($(wc -l <"$cal") - 1))
printf '\n[limits]\nmax_rows = 3\n' >>"$t_tmp/config/sources/oahu-owners.ini"

run_nightly "$t_tmp/r"
rc=$?
cat "$t_tmp/r/out"
[ $rc -eq 65 ] || { cat "$t_tmp/r/err"; fail "exit $rc, want 65 (data)"; }

line=$(grep -E '^parse +airbnb-hawaii-calendar ' "$t_tmp/r/out")
set -- $line
[ "$3 $4 $5 $6" = "succeeded $rows $((rows - 1)) 1" ] ||
	fail "calendar parse: '$line', want succeeded, in $rows, out $((rows - 1)), 1 reject"
n=$(psql -XAtc "SELECT count(*) FROM external.property_pricing WHERE source = 'airbnb-hawaii-calendar'")
[ "$n" = $((rows - 1)) ] || fail "pricing rows loaded: $n, want $((rows - 1))"
why=$(psql -XAtc "SELECT line || ' ' || reason FROM etl.rejects WHERE source = 'airbnb-hawaii-calendar'")
case $why in
"301 stray quote: the quoted field opened on this line runs "*) ;;
*) fail "calendar reject: '$why'" ;;
esac

grep -Eq '^parse +oahu-owners +failed ' "$t_tmp/r/out" || fail "the roll over its limit did not fail its parse"
why=$(psql -XAtc "SELECT reason FROM etl.rejects WHERE source = 'oahu-owners'")
[ "$why" = "file rejected: more than 3 rows (limit max_rows)" ] || fail "roll reject: '$why'"
n=$(psql -XAtc "SELECT count(*) FROM external.properties WHERE 'oahu-owners' = ANY (sources)")
[ "$n" = 0 ] || fail "$n rows of the rejected roll were loaded"

for s in gis-parcels maui-owners maui-sales airbnb-hawaii-listings airbnb-hawaii-reviews airbnb-hawaii-calendar; do
	grep -Eq "^load +$s +succeeded" "$t_tmp/r/out" || fail "$s was not loaded"
done
grep -Eq '^leads +- +succeeded' "$t_tmp/r/out" || fail "leads did not run"
st=$(psql -XAtc "SELECT status || ' ' || exit_code FROM etl.runs")
[ "$st" = "failed 65" ] || fail "run ledger: '$st'"
exit 0
