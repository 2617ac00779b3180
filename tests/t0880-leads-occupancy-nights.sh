#!/bin/sh
# The occupancy-below-comp-set signal needs occupancy_min_nights bookable nights
# (booked or open) in the unit's trailing window: a unit its owner blocked most
# of the window is not "0% occupied" (fixtures/leads/{market,pricing}.sql).
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql -f fixtures/leads/pricing.sql >/dev/null ||
	fail "loading the fixtures"
q() { psql -XAtc "$1"; }
score() {
	"$MI_BIN/mi-leads" --config "$1" score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
		fail "mi-leads score: $(cat "$t_tmp/err")"
}
occ() {
	q "select coalesce(string_agg((e->>'value') || ' ' || (e->'evidence'->>'open_nights'), ','), 'none')
	     from homeowner_acquisition.prospect_properties pp, jsonb_array_elements(pp.score_signals) e
	    where pp.tmk = '2440130040203' and e->>'signal' = 'occupancy_below_compset'"
}
score config/leads.ini
"$MI_BIN/mi-compset" --config config/compset.ini --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
	fail "mi-compset: $(cat "$t_tmp/err")"
score config/leads.ini
got=$(occ)
case $got in "none"|*" "[0-9]) fail "the unit's own occupancy signal is missing or has few nights: $got" ;; esac

# the owner blocked all but 8 nights of the window, none of them booked
q "update etl.market_metrics
      set available_nights = 8, booked_nights = 0, blocked_nights = nights_observed - 8,
          priced_nights = 0, booked_revenue = 0, occupancy = 0, adr = null, revpar = 0
    where tmk = '2440130040203' and subject_kind = 'property' and window_kind = 'trailing'" >/dev/null
score config/leads.ini
[ "$(occ)" = none ] || fail "an occupancy signal from 8 open nights: $(occ)"

# the setting decides: with no minimum, 8 nights are enough
sed 's/^occupancy_min_nights = .*/occupancy_min_nights = 0/' config/leads.ini >"$t_tmp/leads.ini"
grep -q '^occupancy_min_nights = 0$' "$t_tmp/leads.ini" || fail "config/leads.ini has no occupancy_min_nights"
score "$t_tmp/leads.ini"
[ "$(occ)" = "1.0000 8" ] || fail "with occupancy_min_nights 0: $(occ)"
exit 0
