#!/bin/sh
# mi-leads score on fixtures/leads/market.sql: a county sale of a parcel whose listing
# is run by a competitor with bad cleanliness and maintenance reviews becomes one
# prospect whose score names those signals; one owner of three condos is one prospect;
# a manager change yields exactly one lead activity and a re-run writes nothing; a
# do-not-contact owner, our own unit and state land never reach the queue; the queue
# prints as fixtures/leads/market.queue.expected.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
q() { psql -XAtc "$1"; }

out=$("$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 2>"$t_tmp/err") ||
	fail "mi-leads score: $(cat "$t_tmp/err")"
echo "$out" | grep -q "4 new prospects, 8 new leads, 0 rescored, 8 new activities" || fail "summary: $out"
# the do-not-contact owner's sale is scored but logs nothing on the lead
n=$(q "select count(*) from homeowner_acquisition.lead_activities a join homeowner_acquisition.prospects p
        using (prospect_id) where p.owner_key = 'PALAKIKO JAMES'")
[ "$n" = 0 ] || fail "a signal was logged on the do-not-contact owner ($n)"

# the sale with bad reviews: one prospect, the buyer, whose score names the signals
n=$(q "select count(*) from homeowner_acquisition.prospects where owner_key = 'NAKAMURA DAVID K'")
[ "$n" = 1 ] || fail "expected one Nakamura prospect, got $n"
sig=$(q "select string_agg(e->>'signal' || '=' || (e->>'contribution'), ' ' order by e->>'signal')
         from homeowner_acquisition.prospect_properties pp, jsonb_array_elements(pp.score_signals) e
         where pp.tmk = '2440130040203'")
[ "$sig" = "recent_sale=45.00 review_cleanliness=18.00 review_maintenance=18.00" ] || fail "signals: $sig"
score=$(q "select opportunity_score from homeowner_acquisition.prospect_properties where tmk = '2440130040203'")
[ "$score" = "81.00" ] || fail "score of the sold unit: $score"
src=$(q "select lead_source_code from homeowner_acquisition.prospect_properties where tmk = '2440130040203'")
[ "$src" = COUNTY_SALE ] || fail "lead source from the strongest signal: $src"
# the reviews of the unit's own competitor-run listing, not of the neighbour's good one
q "select signal_data->>'recent_reviews' from homeowner_acquisition.lead_activities
    where signal_key like 'REVIEW_SIGNAL:2440130040203:cleanliness:%'" | grep -qx 3 ||
	fail "review activity does not count the 3 recent reviews"

# one owner of three condos: one prospect with three properties
n=$(q "select count(*) from homeowner_acquisition.prospects where owner_key = 'KAPOI FAMILY TRUST'")
[ "$n" = 1 ] || fail "Kapoi trust: $n prospects"
n=$(q "select count(*) from homeowner_acquisition.prospect_properties pp join homeowner_acquisition.prospects p
        using (prospect_id) where p.owner_key = 'KAPOI FAMILY TRUST'")
[ "$n" = 3 ] || fail "Kapoi trust: $n properties"

# two parcels on one deed to a buyer the owner roll does not show yet: one prospect
# (the buyer, not the seller of record), two properties, one sale activity
n=$(q "select count(*) from homeowner_acquisition.prospects where owner_key in ('PACIFIC SHORES HOLDINGS', 'KAHALE MARY K')")
[ "$n" = 1 ] || fail "multi-parcel deed: $n prospects"
n=$(q "select string_agg(pp.tmk || ':' || pp.relationship, ' ' order by pp.tmk)
        from homeowner_acquisition.prospect_properties pp join homeowner_acquisition.prospects p using (prospect_id)
        where p.owner_key = 'PACIFIC SHORES HOLDINGS' and p.mailing_state = 'CA' and p.is_out_of_state")
[ "$n" = "2460180050000:buyer 2460180060000:buyer" ] || fail "multi-parcel deed leads: $n"
n=$(q "select count(*) from homeowner_acquisition.lead_activities where signal_key = 'COUNTY_SALE:2:doc:A-91198230'")
[ "$n" = 1 ] || fail "multi-parcel deed: $n sale activities"

# a manager change: exactly one activity, tied to its change event, which is processed
n=$(q "select count(*) from homeowner_acquisition.lead_activities where lead_source_code = 'PM_CHANGE'")
[ "$n" = 1 ] || fail "manager change: $n activities"
q "select signal_key, change_event_id is not null from homeowner_acquisition.lead_activities
    where lead_source_code = 'PM_CHANGE'" | grep -qx 'PM_CHANGE:2430050200012:2026-10-01|t' ||
	fail "manager change activity key or event link"
n=$(q "select count(*) from etl.change_events where processed_at is null")
[ "$n" = 0 ] || fail "$n change events left unprocessed"

# never scored: our own unit, government land, the quiet unit
n=$(q "select count(*) from homeowner_acquisition.prospect_properties
        where tmk in ('2440130040305', '2450010010000', '2440130040410')")
[ "$n" = 0 ] || fail "ours, government or quiet unit got a lead"

# a re-run writes nothing: same counts, same activities, same scores
before=$(q "select count(*), sum(opportunity_score), max(scored_at) from homeowner_acquisition.prospect_properties")
acts=$(q "select count(*) from homeowner_acquisition.lead_activities")
out=$("$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 2>"$t_tmp/err") || fail "second score"
echo "$out" | grep -q "0 new prospects, 0 new leads, 0 rescored, 0 new activities" || fail "re-run: $out"
[ "$(q "select count(*) from homeowner_acquisition.lead_activities")" = "$acts" ] || fail "re-run wrote activities"
after=$(q "select count(*), sum(opportunity_score), max(scored_at) from homeowner_acquisition.prospect_properties")
[ "$before" = "$after" ] || fail "re-run changed leads: $before -> $after"

# do not contact: the house has a lead, but it never shows in the queue
n=$(q "select count(*) from homeowner_acquisition.prospect_properties where tmk = '2440080120000'")
[ "$n" = 1 ] || fail "the do-not-contact owner's house should still be scored"
"$MI_BIN/mi-leads" --config config/leads.ini queue --limit 100 >"$t_tmp/queue" 2>"$t_tmp/err" || fail "queue: $(cat "$t_tmp/err")"
grep -q "4-4-008:012\|PALAKIKO" "$t_tmp/queue" && fail "do-not-contact owner in the queue"
# golden queue (lead ids depend on insertion order: masked)
sed 's/lead [0-9]*/lead N/' "$t_tmp/queue" >"$t_tmp/queue.masked"
diff -u fixtures/leads/market.queue.expected "$t_tmp/queue.masked" || fail "queue differs from fixtures/leads/market.queue.expected"

# the day's score history: one assessment per lead, not repeated by the re-run
n=$(q "select count(*) from homeowner_acquisition.property_assessments where assessment_key = 'opportunity:2026-11-20'")
[ "$n" = 8 ] || fail "assessments: $n"

# a bad setting is refused with file:line
printf '[weights]\nsale = 130\n' >"$t_tmp/bad.ini"
"$MI_BIN/mi-leads" --config "$t_tmp/bad.ini" score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err"
rc=$?
[ $rc -eq 78 ] || fail "bad config: exit $rc"
grep -q "bad.ini:2" "$t_tmp/err" || fail "bad config message: $(cat "$t_tmp/err")"
exit 0
