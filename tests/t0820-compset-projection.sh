#!/bin/sh
# The nightly order on fixtures/leads/{market,pricing}.sql: mi-leads score, mi-compset,
# mi-leads score.  The sold Kaanapali unit gets its competitive set (nearest similar
# listed condos first, with their trailing metrics and the basis), pricing signals
# against it, and a revenue projection month by month from the comps' calendars
# (gross, fee, costs, net; the hand-computed model is t0821); re-runs change nothing.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql -f fixtures/leads/pricing.sql >/dev/null ||
	fail "loading the fixtures"
q() { psql -XAtc "$1"; }
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }
compset() { "$MI_BIN/mi-compset" --config config/compset.ini --portfolio config/portfolio.ini "$@"; }

leads score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" || fail "first score: $(cat "$t_tmp/err")"
out=$(compset --as-of 2026-11-20 2>"$t_tmp/err") || fail "mi-compset: $(cat "$t_tmp/err")"
echo "$out" | grep -q "^compset 2026-11-20: 9 subjects (0 without coordinates), 34 members from 6 candidates, 20 metric rows, 365 nights marked" ||
	fail "compset summary: $out"

# the nights carry their status on their last look (daily snapshots: the night's own
# day), for the snapshots of the last 31 days: from 10-20 on, the sold unit's booked
# nights are 10-20, 10-24, 10-28, 11-04, 11-08, 11-12, 11-16
n=$(q "select string_agg(to_char(stay_date, 'MM-DD'), ' ' order by stay_date) from external.property_pricing
        where listing_id = '48213377' and inferred_status = 'booked' and stay_date < '2026-11-20'")
[ "$n" = "10-20 10-24 10-28 11-04 11-08 11-12 11-16" ] || fail "booked nights marked on the sold unit's calendar: $n"
n=$(q "select count(*) from external.property_pricing where inferred_status is not null and snapshot_date < '2026-10-20'")
[ "$n" = 0 ] || fail "$n rows older than the lookback marked"

# the set of the sold unit: the two units of the same building first, Napili last
set=$(q "select string_agg(rank || ':' || competitor_tmk || ':' || coalesce(occupancy::text, '-') || ':'
                           || coalesce(adr::text, '-'), ' ' order by rank)
         from external.competitive_sets where subject_tmk = '2440130040203' and computed_on = '2026-11-20'")
[ "$set" = "1:2440130040410:0.7317:300.00 2:2440130040107:0.7317:300.00 3:2440140010302:0.7317:300.00 4:2440120050221:0.7317:300.00 5:2430050200012:-:-" ] ||
	fail "competitive set: $set"
basis=$(q "select basis->>'method', basis->'scores'->>'bedrooms', basis->'scores'->>'type', basis->'weights'->>'distance'
           from external.competitive_sets where subject_tmk = '2440130040203' and rank = 1")
[ "$basis" = "grid_knn|1.0000|1.0000|0.35" ] || fail "basis: $basis"
# our own unit gets a set too, and nothing is its own competitor
n=$(q "select count(*) from external.competitive_sets where subject_tmk = '2440130040305'")
[ "$n" -ge 1 ] || fail "no set for our own unit"
n=$(q "select count(*) from external.competitive_sets where subject_tmk = competitor_tmk")
[ "$n" = 0 ] || fail "a property in its own set"

out=$(leads score --as-of 2026-11-20 2>"$t_tmp/err") || fail "second score: $(cat "$t_tmp/err")"
# every lead with a comp set gets a projection (5 leads x 3 scenarios)
echo "$out" | grep -q "1 rescored, 2 new activities, 15 new projections" || fail "second score: $out"
sig=$(q "select string_agg(e->>'signal' || '=' || (e->>'contribution'), ' ' order by e->>'signal')
         from homeowner_acquisition.prospect_properties pp, jsonb_array_elements(pp.score_signals) e
         where pp.tmk = '2440130040203'")
[ "$sig" = "adr_below_compset=3.33 occupancy_below_compset=15.00 recent_sale=45.00 review_cleanliness=18.00 review_maintenance=18.00" ] ||
	fail "signals after the comp set: $sig"

# projection: the history (the twelve months before November) holds the comps'
# nights from late October only: October from its own nights, the other months
# from the whole history (the same nights, counted with the few of other months);
# ADR $300 (every booked comp night at 300), occupancy 68 % (the comps' October:
# their trailing 73 % counts November too); medium confidence (4 comps, mean
# similarity 0.94, 0.2 km, one month seen)
proj=$(q "select concat_ws(' ', period_start, period_end, adr, occupancy, available_nights, projected_nights,
                           gross_revenue, management_fee_pct, management_fee, operating_costs, net_to_owner,
                           comp_count, confidence, range_pct)
          from homeowner_acquisition.revenue_projections where tmk = '2440130040203' and scenario = 'expected'")
[ "$proj" = "2026-12-01 2027-12-01 300.00 0.6816 365 248.8 74640.00 20.00 14928.00 24975.99 34736.01 4 medium 15.00" ] ||
	fail "projection: $proj"
[ "$(q "select string_agg(basis || ' ' || to_char(month, 'YYYY-MM'), ',' order by month) filter (where basis <> 'year')
        || ' ' || count(*) from homeowner_acquisition.revenue_projection_months m
        join homeowner_acquisition.revenue_projections p using (revenue_projection_id)
        where p.tmk = '2440130040203' and p.scenario = 'expected'")" = "month 2027-10 12" ] || fail "the months' basis"
q "select inputs ? 'comps' and assumptions ? 'formula' and (inputs->>'months')::int = 12
          and assumptions->>'confidence_reason' = '4 comparables; mean similarity 0.94; median distance 0.2 km; 1 of 12 months seen in their calendars'
   from homeowner_acquisition.revenue_projections where tmk = '2440130040203' and scenario = 'expected'" | grep -qx t ||
	fail "projection assumptions"

n=$(q "select string_agg(scenario, ',' order by scenario) from homeowner_acquisition.revenue_projections
        where tmk = '2440130040203'")
[ "$n" = "conservative,expected,optimistic" ] || fail "scenarios: $n"

# the Lahaina houses have only 2-bedroom condos 7 km away as comps: a projection
# all the same, with low confidence and the widest range
n=$(q "select string_agg(distinct confidence || ' ' || range_pct, ',') || ' ' || count(*)
        from homeowner_acquisition.revenue_projections where tmk in ('2460180050000', '2460180060000')")
[ "$n" = "low 25.00 6" ] || fail "houses projected from dissimilar condos: $n"

# the queue gives the projection's money and its period
leads queue >"$t_tmp/queue" 2>"$t_tmp/err" || fail "queue: $(cat "$t_tmp/err")"
grep "(2) 4-4-013:004-0203" "$t_tmp/queue" | grep -q '  \$74,640 gross, \$34,736 net to owner over 365 days$' ||
	fail "queue projection: $(cat "$t_tmp/queue")"

# the agent sees it
leads next --agent kalani >"$t_tmp/lead" 2>"$t_tmp/err" || fail "next: $(cat "$t_tmp/err")"
grep -q "^parcel    (2) 4-4-013:004-0203" "$t_tmp/lead" || fail "parcel line: $(cat "$t_tmp/lead")"
grep -q "occupancy 19% vs 73% for its competitive set (4 comps)" "$t_tmp/lead" || fail "pricing reason: $(cat "$t_tmp/lead")"
grep -q "^projection 2026-12-01 to 2027-12-01 (confidence medium, range 15%): ADR \$300.00 x occupancy 68.2% x 365 nights = 248.8 booked nights" "$t_tmp/lead" || fail "projection line: $(cat "$t_tmp/lead")"
grep -q "gross \$74,640, management fee 20.00% \$14,928, costs \$24,976, net to owner \$34,736" "$t_tmp/lead" || fail "money line: $(cat "$t_tmp/lead")"
grep -q "net to owner by scenario: conservative \$23,943, optimistic \$47,544" "$t_tmp/lead" || fail "scenario line: $(cat "$t_tmp/lead")"

# re-runs change nothing: the day's members keep their rows
rows=$(q "select count(*), sum(similarity) from external.competitive_sets")
ids=$(q "select string_agg(competitive_set_id::text, ',' order by competitive_set_id) from external.competitive_sets")
out=$(compset --as-of 2026-11-20 2>&1) || fail "second mi-compset"
echo "$out" | grep -q ", 0 nights marked" || fail "second run marked nights again: $out"
echo "$out" | grep -q ", 0 members stored (34 kept as they were, 0 taken out);" || fail "second run stored members again: $out"
# ... and searches nothing: every subject's inputs are those its set was stored with
subjects=$(echo "$out" | sed -n 's/^compset 2026-11-20: \([0-9]*\) subjects (0 without coordinates).*/\1/p')
[ "${subjects:-0}" -gt 1 ] || fail "subjects '$subjects': the cases below test nothing: $out"
echo "$out" | grep -q "; $subjects sets not searched again (their inputs as when stored this day);" ||
	fail "second run searched again: $out"
[ "$(q "select count(*), sum(similarity) from external.competitive_sets")" = "$rows" ] || fail "compset re-run changed the sets"
[ "$(q "select string_agg(competitive_set_id::text, ',' order by competitive_set_id) from external.competitive_sets")" = "$ids" ] ||
	fail "compset re-run rewrote the sets"
out=$(leads score --as-of 2026-11-20 2>&1) || fail "third score"
echo "$out" | grep -q "0 rescored, 0 new activities, 0 new projections" || fail "third score: $out"

# market-wide: every listed property gets a set
printf '[compset]\nsubjects = listed\n' >"$t_tmp/listed.ini"
out=$("$MI_BIN/mi-compset" --config "$t_tmp/listed.ini" --as-of 2026-11-22 --no-metrics 2>"$t_tmp/err") ||
	fail "listed: $(cat "$t_tmp/err")"
echo "$out" | grep -q ": 6 subjects (0 without coordinates), 30 members" || fail "listed subjects: $out"
printf '[compset]\nsubjects = ours, everyone\n' >"$t_tmp/bad-kind.ini"
"$MI_BIN/mi-compset" --config "$t_tmp/bad-kind.ini" >/dev/null 2>"$t_tmp/err"
[ $? -eq 78 ] || fail "unknown subject kind should exit 78"
grep -q "bad-kind.ini:2: unknown subject kind 'everyone'" "$t_tmp/err" || fail "bad kind message: $(cat "$t_tmp/err")"

# --k and the portfolio file
printf '[portfolio]\ntmks = (2) 3-9-001:011-0104; 2-4-5-001-001, (4) 4-1-001:001\n' >"$t_tmp/portfolio.ini"
"$MI_BIN/mi-compset" --config config/compset.ini --portfolio "$t_tmp/portfolio.ini" --k 2 \
	--as-of 2026-11-21 --no-metrics >/dev/null 2>"$t_tmp/err" || fail "k 2: $(cat "$t_tmp/err")"
grep -q '"event":"portfolio_tmk_missing".*"tmk":"4410010010000"' "$t_tmp/err" ||
	fail "no warning for the portfolio tmk that is not in the registry: $(cat "$t_tmp/err")"
n=$(q "select max(rank) from external.competitive_sets where computed_on = '2026-11-21'")
[ "$n" = 2 ] || fail "--k 2 gave rank $n"
n=$(q "select count(*) from external.competitive_sets where computed_on = '2026-11-21' and subject_tmk = '2450010010000'")
[ "$n" = 2 ] || fail "portfolio subject has $n members"
printf '[portfolio]\ntmks = 123 Main St\n' >"$t_tmp/bad.ini"
"$MI_BIN/mi-compset" --config config/compset.ini --portfolio "$t_tmp/bad.ini" >/dev/null 2>"$t_tmp/err"
rc=$?
[ $rc -eq 78 ] || fail "bad portfolio: exit $rc"
grep -q "bad.ini:2: bad tmk '123 Main St'" "$t_tmp/err" || fail "bad portfolio message: $(cat "$t_tmp/err")"
"$MI_BIN/mi-compset" --as-of 2026-13-01 >/dev/null 2>&1; [ $? -eq 64 ] || fail "bad date should exit 64"

# a re-run after a change writes the difference, and the day ends as a day
# computed whole: the first member of the sold unit's set gets two more
# bedrooms, which changes the members it is; a member computed as it was keeps
# its row, and a changed one is a new row
day() { q "select md5(string_agg(concat_ws('|', subject_tmk, rank, competitor_tmk, competitor_platform,
              competitor_listing_id, similarity, distance_m, basis, metrics_from, metrics_to, nights_observed,
              booked_nights, blocked_nights, adr, occupancy, revpar), E'\n' order by subject_tmk, rank))
           from external.competitive_sets where computed_on = '2026-11-20'"; }
q "create table public.cs_before as select * from external.competitive_sets where computed_on = '2026-11-20'" >/dev/null
q "update external.properties set bedrooms = bedrooms + 2 where tmk = '2440130040410'" >/dev/null
out=$(compset --as-of 2026-11-20 --no-metrics 2>"$t_tmp/err") || fail "re-run after a change: $(cat "$t_tmp/err")"
stored=$(echo "$out" | sed -n 's/.*, \([0-9]*\) members stored (\([0-9]*\) kept as they were, \([0-9]*\) taken out);.*/\1 \2 \3/p')
set -- $stored
[ $# -eq 3 ] && [ "$1" -gt 0 ] && [ "$2" -gt 0 ] && [ "$3" -eq "$1" ] && [ $(($1 + $2)) -eq 34 ] ||
	fail "re-run after a change: $out"
# a candidate changed: every set is searched again
echo "$out" | grep -q "; 0 sets not searched again" || fail "a candidate changed, sets kept: $out"
# the rows as they were, by id: the kept ones, and only them
same="(a.subject_tmk, a.rank, a.competitor_tmk, a.similarity, a.distance_m, a.basis, a.adr, a.occupancy)
      is not distinct from (b.subject_tmk, b.rank, b.competitor_tmk, b.similarity, b.distance_m, b.basis, b.adr, b.occupancy)"
n=$(q "select count(*) from public.cs_before b join external.competitive_sets a
        on a.competitive_set_id = b.competitive_set_id where $same")
[ "$n" = "$2" ] || fail "$n rows kept their id, the run says $2 were kept"
n=$(q "select count(*) from public.cs_before b join external.competitive_sets a
        on a.computed_on = b.computed_on and a.subject_tmk = b.subject_tmk and a.rank = b.rank
       where $same and a.competitive_set_id <> b.competitive_set_id")
[ "$n" = 0 ] || fail "$n members computed as they were got a new row"
changed=$(day)
q "delete from external.competitive_sets where computed_on = '2026-11-20'" >/dev/null
compset --as-of 2026-11-20 --no-metrics >"$t_tmp/out" 2>"$t_tmp/err" || fail "the day computed whole: $(cat "$t_tmp/err")"
grep -q ", 34 members stored (0 kept as they were, 0 taken out);" "$t_tmp/out" || fail "the day computed whole: $(cat "$t_tmp/out")"
[ "$(day)" = "$changed" ] || fail "the re-run after a change differs from the day computed whole"
# a figure alone: the competitor's trailing ADR moves by a dollar, and the
# members it is are written again with it, nothing else
n=$(q "select count(*) from external.competitive_sets where computed_on = '2026-11-20'
        and competitor_tmk = '2440130040410' and adr is not null")
[ "$n" -gt 0 ] || fail "the competitor has no ADR in the sets: the case tests nothing"
q "update etl.market_metrics set adr = adr + 1 where tmk = '2440130040410' and subject_kind = 'property'
      and window_kind = 'trailing'" >/dev/null
compset --as-of 2026-11-20 --no-metrics >"$t_tmp/out" 2>"$t_tmp/err" || fail "a new ADR: $(cat "$t_tmp/err")"
grep -q ", $n members stored ($((34 - n)) kept as they were, $n taken out);" "$t_tmp/out" ||
	fail "a new ADR for $n members: $(cat "$t_tmp/out")"
[ "$(q "select count(*) from external.competitive_sets where computed_on = '2026-11-20'
         and competitor_tmk = '2440130040410' and adr = (select adr from etl.market_metrics
             where tmk = '2440130040410' and subject_kind = 'property' and window_kind = 'trailing'
               and as_of <= '2026-11-20' order by as_of desc limit 1)")" = "$n" ] ||
	fail "the members do not carry the new ADR: $(q "select adr from external.competitive_sets
	      where computed_on = '2026-11-20' and competitor_tmk = '2440130040410'") against
	      $(q "select as_of, adr from etl.market_metrics where tmk = '2440130040410'
	           and subject_kind = 'property' and window_kind = 'trailing'")"

# a subject that is no candidate (no active listing) changes: its set alone is
# searched again, and the day ends as a day computed whole
lone=$(q "select min(subject_tmk) from external.competitive_sets where computed_on = '2026-11-20'
           and subject_tmk not in (select tmk from etl.compset_candidates(true))")
[ -n "$lone" ] || fail "every subject is a candidate: the case tests nothing"
compset --as-of 2026-11-20 --no-metrics >/dev/null 2>&1 || fail "settle"
q "update external.properties set max_guests = coalesce(max_guests, 2) + 6 where tmk = '$lone'" >/dev/null
compset --as-of 2026-11-20 --no-metrics >"$t_tmp/out" 2>"$t_tmp/err" || fail "a subject changed: $(cat "$t_tmp/err")"
grep -q "; $((subjects - 1)) sets not searched again" "$t_tmp/out" || fail "a subject changed: $(cat "$t_tmp/out")"
[ "$(q "select count(*) from etl.compset_subject_inputs where computed_on = '2026-11-20'")" = "$subjects" ] ||
	fail "digests: $(q "select * from etl.compset_subject_inputs")"
alone=$(day)
q "delete from etl.compset_subject_inputs" >/dev/null
compset --as-of 2026-11-20 --no-metrics >"$t_tmp/out" 2>"$t_tmp/err" || fail "whole: $(cat "$t_tmp/err")"
grep -q "; 0 sets not searched again" "$t_tmp/out" || fail "no digests, sets kept: $(cat "$t_tmp/out")"
grep -q ", 0 members stored (34 kept as they were, 0 taken out);" "$t_tmp/out" ||
	fail "the subject's set alone differs from the day computed whole: $(cat "$t_tmp/out")"
[ "$(day)" = "$alone" ] || fail "the subject's set alone differs from the day computed whole"

# a member deleted by hand: its subject's count is off, so its set is computed
# and stored again; the others are kept
victim=$(q "select competitive_set_id from external.competitive_sets where computed_on = '2026-11-20'
             and subject_tmk = '$lone' order by rank limit 1")
q "delete from external.competitive_sets where competitive_set_id = $victim" >/dev/null
compset --as-of 2026-11-20 --no-metrics >"$t_tmp/out" 2>"$t_tmp/err" || fail "a member gone: $(cat "$t_tmp/err")"
grep -q ", 1 members stored (33 kept as they were, 0 taken out); $((subjects - 1)) sets not searched again" "$t_tmp/out" ||
	fail "a member gone: $(cat "$t_tmp/out")"
[ "$(day)" = "$alone" ] || fail "the member deleted by hand is not back as it was"

# the digests are kept for one day: a run on another day replaces them
compset --as-of 2026-11-23 --no-metrics >/dev/null 2>"$t_tmp/err" || fail "another day: $(cat "$t_tmp/err")"
[ "$(q "select string_agg(distinct computed_on::text, ',') from etl.compset_subject_inputs")" = 2026-11-23 ] ||
	fail "digests of other days kept: $(q "select distinct computed_on from etl.compset_subject_inputs")"
exit 0
