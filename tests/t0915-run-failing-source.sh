#!/bin/sh
# One failing source does not stop the others: with a source whose URL answers
# 404 added to the demo config, every other source is still parsed and loaded,
# leads are scored, and the run exits with the network code (69) that the
# summary and the run ledger also record.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
sed -e 's/^id = .*/id = gone-away/' -e 's|^url = .*|url = http://127.0.0.1:'"$demo_port"'/no/such/file.csv|' \
	"$t_tmp/config/sources/maui-sales.ini" >"$t_tmp/config/sources/gone-away.ini"

run_nightly "$t_tmp/r"
rc=$?
[ $rc -eq 69 ] || { cat "$t_tmp/r/out" "$t_tmp/r/err"; fail "exit $rc, want 69 (network)"; }
grep -Eq '^fetch +gone-away +failed' "$t_tmp/r/out" || { cat "$t_tmp/r/out"; fail "no failed fetch row for the broken source"; }
grep -Eq '^exit 69 \(network\)$' "$t_tmp/r/out" || fail "the summary does not end with exit 69"
for s in gis-parcels maui-sales airbnb-hawaii-listings airbnb-hawaii-reviews airbnb-hawaii-calendar; do
	grep -Eq "^load +$s +succeeded" "$t_tmp/r/out" || { cat "$t_tmp/r/out"; fail "$s was not loaded"; }
done
grep -Eq '^leads +- +succeeded' "$t_tmp/r/out" || fail "leads did not run"
st=$(psql -XAtc "SELECT status || ' ' || exit_code FROM etl.runs")
[ "$st" = "failed 69" ] || fail "run ledger: '$st'"
n=$(psql -XAtc "SELECT count(*) FROM homeowner_acquisition.prospect_properties")
[ "$n" -gt 0 ] || fail "no leads"
exit 0
