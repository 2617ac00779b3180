#!/bin/sh
# The quiet signals on fixtures/leads/kauai.sql: a delisted listing, a calendar closed
# ahead (needs the metrics of mi-compset) and a decline in review sentiment without any
# negative review each make a lead, with the sentence that explains it.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/kauai.sql >/dev/null || fail "loading the fixture"
q() { psql -XAtc "$1"; }
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }
sig() { # tmk -> signal=contribution ...
	q "select string_agg(e->>'signal' || '=' || (e->>'contribution'), ' ' order by e->>'signal')
	   from homeowner_acquisition.prospect_properties pp, jsonb_array_elements(pp.score_signals) e
	   where pp.tmk = '$1'"
}

leads score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" || fail "score: $(cat "$t_tmp/err")"
[ "$(sig 4280150500022)" = "listing_dark=20.00" ] || fail "delisted: $(sig 4280150500022)"
# communication fell from +0.80 to +0.15: severity 0.65 x 18 points
[ "$(sig 4450150310007)" = "review_communication=11.70" ] || fail "review decline: $(sig 4450150310007)"
# no metrics yet: the closed calendar is not known
[ -z "$(sig 4540050110104)" ] || fail "closed calendar before the metrics: $(sig 4540050110104)"

"$MI_BIN/mi-compset" --config config/compset.ini --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
	fail "mi-compset: $(cat "$t_tmp/err")"
out=$(leads score --as-of 2026-11-20 2>"$t_tmp/err") || fail "second score: $(cat "$t_tmp/err")"
echo "$out" | grep -q "1 new leads" || fail "second score: $out"
[ "$(sig 4540050110104)" = "listing_dark=20.00" ] || fail "closed calendar: $(sig 4540050110104)"

leads queue >"$t_tmp/queue" 2>"$t_tmp/err" || fail "queue: $(cat "$t_tmp/err")"
grep -q "listing airbnb 61110001 delisted on 2026-11-01" "$t_tmp/queue" || fail "queue: $(cat "$t_tmp/queue")"
grep -q "listing vrbo 7720011 has its calendar closed ahead (as of 2026-11-20)" "$t_tmp/queue" ||
	fail "queue: $(cat "$t_tmp/queue")"
grep -q "communication reviews cooling: sentiment down from +0.80 to +0.15 over the last 180 days (2 reviews)" "$t_tmp/queue" ||
	fail "queue: $(cat "$t_tmp/queue")"
exit 0
