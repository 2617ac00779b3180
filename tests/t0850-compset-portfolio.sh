#!/bin/sh
# mi-compset makes external.properties.is_ours match the portfolio file (the
# truth): our unit never reaches the lead queue, and a unit taken out of the
# portfolio is a market property again; the flips are logged with counts; an
# empty portfolio changes nothing.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
q() { psql -XAtc "$1"; }
compset() {
	MI_LOG_LEVEL=info "$MI_BIN/mi-compset" --config config/compset.ini --no-metrics \
		--as-of 2026-11-20 --portfolio "$1" >/dev/null 2>"$t_tmp/err" ||
		fail "mi-compset: $(cat "$t_tmp/err")"
}
score() {
	"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
		fail "mi-leads score: $(cat "$t_tmp/err")"
	"$MI_BIN/mi-leads" --config config/leads.ini queue --limit 100 >"$t_tmp/queue" 2>"$t_tmp/err" ||
		fail "mi-leads queue: $(cat "$t_tmp/err")"
}
ours() { q "select string_agg(tmk, ' ' order by tmk) from external.properties where is_ours"; }

# the fixture marks 4-4-013:004-0305 as ours; the portfolio says we run the
# sold unit 4-4-013:004-0203 (any TMK form) and a unit the registry lacks
printf '[portfolio]\ntmks = 2-4-4-013-004-0203, (2) 4-4-099:001-0001\n' >"$t_tmp/p1.ini"
compset "$t_tmp/p1.ini"
[ "$(ours)" = 2440130040203 ] || fail "is_ours after the first sync: $(ours)"
grep '"portfolio_sync"' "$t_tmp/err" | grep '"set_ours":"1"' | grep '"cleared_ours":"1"' |
	grep -q '"not_in_registry":"1"' || fail "sync not logged with its counts: $(cat "$t_tmp/err")"
score
grep -q "4-4-013:004-0203" "$t_tmp/queue" && fail "our own unit is in the queue: $(cat "$t_tmp/queue")"
n=$(q "select count(*) from homeowner_acquisition.prospect_properties where tmk = '2440130040203'")
[ "$n" = 0 ] || fail "our own unit got a lead"
# the unit that is no longer ours is a market property again (self-managed: a lead)
grep -q "4-4-013:004-0305" "$t_tmp/queue" || fail "the former unit of ours is not a lead: $(cat "$t_tmp/queue")"

# a re-run flips nothing
compset "$t_tmp/p1.ini"
grep '"portfolio_sync"' "$t_tmp/err" | grep '"set_ours":"0"' | grep -q '"cleared_ours":"0"' ||
	fail "a re-run flipped rows: $(cat "$t_tmp/err")"

# taken out of the portfolio: a market property again, its sale makes it a lead
printf '[portfolio]\ntmks = (2) 4-4-013:004-0305\n' >"$t_tmp/p2.ini"
compset "$t_tmp/p2.ini"
[ "$(ours)" = 2440130040305 ] || fail "is_ours after the second sync: $(ours)"
score
grep -q "4-4-013:004-0203" "$t_tmp/queue" || fail "the unit left out of the portfolio is not a lead"
# the lead of the unit that became ours again stays out of the queue
grep -q "4-4-013:004-0305" "$t_tmp/queue" && fail "our unit is in the queue again"

# an empty portfolio (a file nobody filled in) leaves is_ours alone, with a warning
printf '[portfolio]\ntmks =\n' >"$t_tmp/p3.ini"
compset "$t_tmp/p3.ini"
[ "$(ours)" = 2440130040305 ] || fail "an empty portfolio changed is_ours: $(ours)"
grep -q '"portfolio_empty"' "$t_tmp/err" || fail "no warning for an empty portfolio"
exit 0
