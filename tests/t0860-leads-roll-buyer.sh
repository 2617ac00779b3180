#!/bin/sh
# The recent-sale signal of a sale without the buyer's address (Maui's RPT file)
# takes the buyer's profile from the owner roll when the roll's owner is the
# buyer (the grantee is the owner, or the owner appeared after the recording),
# and only then (fixtures/leads/roll_buyer.sql); the queue prints as
# fixtures/leads/roll_buyer.queue.expected.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/roll_buyer.sql >/dev/null || fail "loading the fixture"
q() { psql -XAtc "$1"; }

"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
	fail "mi-leads score: $(cat "$t_tmp/err")"
got=$(q "select string_agg(pp.tmk || ' ' || (e->>'weight') || ' ' || coalesce(e->'evidence'->>'buyer_state', '-')
                || ' ' || coalesce(e->'evidence'->>'buyer_from', '-'), ', ' order by pp.tmk)
           from homeowner_acquisition.prospect_properties pp, jsonb_array_elements(pp.score_signals) e
          where e->>'signal' = 'recent_sale'")
want="2440200010000 45 CA owner_roll, 2440200020000 40 HI owner_roll, 2440200030000 30 - -, 2440200040000 45 NV owner_roll, 2440200050000 30 - -"
[ "$got" = "$want" ] || fail "sale weights:
  want: $want
  got:  $got"
# the activity carries the same evidence and says so
q "select etl.signal_reason('recent_sale', signal_data) from homeowner_acquisition.lead_activities
    where signal_key = 'COUNTY_SALE:2:doc:A-92000001'" |
	grep -q "(buyer mails from CA, out of state)" || fail "the sale activity does not name the buyer's state"
# the buyer the roll does not show yet is the prospect, not the seller of record
[ "$(q "select owner_key from homeowner_acquisition.prospects p join homeowner_acquisition.prospect_properties pp
         using (prospect_id) where pp.tmk = '2440200050000'")" = "LIU WEI" ] || fail "the lagging roll's seller became the prospect"

"$MI_BIN/mi-leads" --config config/leads.ini queue --limit 100 >"$t_tmp/queue" 2>"$t_tmp/err" ||
	fail "queue: $(cat "$t_tmp/err")"
sed 's/lead [0-9]*/lead N/' "$t_tmp/queue" >"$t_tmp/queue.masked"
diff -u fixtures/leads/roll_buyer.queue.expected "$t_tmp/queue.masked" >&2 || fail "queue differs from the golden file"
exit 0
