#!/bin/sh
# Revenue projections month by month (model seasonal-v1) on a hand-made comp-set
# calendar with a known seasonality, every figure computed by hand below; the
# confidence and range of a thin, distant set; the inputs stored with the
# projection give its figures again; a re-run, and the next night on the same
# data, write no projection row; a changed input writes one set.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql -f fixtures/leads/pricing.sql >/dev/null ||
	fail "loading the fixtures"
q() { psql -XAtc "$1"; }
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }

leads score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" || fail "first score: $(cat "$t_tmp/err")"

# The sold Kaanapali unit (2) 4-4-013:004-0203 gets a hand-made set of three
# listings, h1 and h2 (similarity 0.9) and h3 (0.6, twice their rates), 400, 600
# and 900 m away.  Their calendars over the history (the twelve months before
# November 2026: 2025-11 .. 2026-10), two looks a month: on the 1st every night of
# the month is open at the month's rate R (h3: 2R); on the 2nd the first k nights
# from the 2nd on are closed (booked: open before, closed after) and the rest stay
# open.  So each comp has D bookable nights in a month of D days, k booked at R:
#
#   month  Nov Dec Jan Feb Mar Apr May Jun Jul Aug Sep Oct
#   k       16  27  26  24  24  15  14  22  27  25  12  13
#   R      200 320 300 300 280 200 200 240 260 240 180 180
#
# Occupancy (similarity-weighted booked / bookable) = k / D, the weights cancel.
# ADR (weighted booked revenue / weighted priced nights) =
#   (0.9 kR + 0.9 kR + 0.6 k 2R) / (0.9k + 0.9k + 0.6k) = 3.0 kR / 2.4 k = 1.25 R.
# The projection covers 2026-12 .. 2027-11 from the same calendar months.
# Confidence: 3 comps (not fewer than compset_min_members 3, not 6 for high), mean
# similarity 0.80, median distance 600 m: medium, the range 15 %.
#
# December 2026 (expected): occupancy 27/31 = 0.8710, ADR 1.25 x 320 = 400.00,
#   31 available nights x 0.8710 = 27.0 booked nights, gross 400 x 27.0 = 10,800.00,
#   fee 20 % 2,160.00, cleanings 27.0 / 4 x 150 = 1,012.50, GET + TAT
#   (4.712 + 13.25 = 17.962 %) 1,939.90, channel fees 3 % 324.00,
#   net 10,800 - 2,160 - 1,012.50 - 1,939.90 - 324 = 5,363.60.
# December 2026 (conservative): occupancy 27/31 x 0.85 = 0.7403, ADR 340.00,
#   31 x 0.7403 = 22.9 nights, gross 340 x 22.9 = 7,786.00.
# December 2026 (optimistic): occupancy 27/31 x 1.15 = 1.0016 -> 1 (at most full),
#   ADR 460.00, 31.0 nights, gross 14,260.00.
# April 2027 (expected): 15/30 = 0.5000, ADR 250.00, 15.0 nights, gross 3,750.00.
# September 2027 (expected): 12/30 = 0.4000, ADR 225.00, 12.0 nights, gross 2,700.00.
# The year (expected): booked nights 16+27+26+24+24+15+14+22+27+25+12+13 = 245.0
#   (every month's k / D x D rounds back to k), gross = sum of k x 1.25 R =
#   1.25 x (3200+8640+7800+7200+6720+3000+2800+5280+7020+6000+2160+2340)
#   = 1.25 x 62,160 = 77,700.00, ADR 77,700 / 245 = 317.14, occupancy 245 / 365 = 0.6712.
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || fail "the hand-made comp set"
DELETE FROM external.competitive_sets WHERE subject_tmk IN ('2440130040203', '2460180050000');
INSERT INTO external.competitive_sets (subject_tmk, competitor_platform, competitor_listing_id,
        computed_on, rank, similarity, distance_m, adr, occupancy)
VALUES ('2440130040203', 'handmade', 'h1', '2026-11-20', 1, 0.9, 400, 250, 0.6),
       ('2440130040203', 'handmade', 'h2', '2026-11-20', 2, 0.9, 600, 250, 0.6),
       ('2440130040203', 'handmade', 'h3', '2026-11-20', 3, 0.6, 900, 500, 0.6),
       -- the Lahaina house: one condo 7 km away, no calendar, its trailing figures only
       ('2460180050000', 'handmade', 'h9', '2026-11-20', 1, 0.4, 7000, 250, 0.5);
CREATE TEMP TABLE season (m int, k int, r numeric);
INSERT INTO season VALUES (11, 16, 200), (12, 27, 320), (1, 26, 300), (2, 24, 300), (3, 24, 280),
    (4, 15, 200), (5, 14, 200), (6, 22, 240), (7, 27, 260), (8, 25, 240), (9, 12, 180), (10, 13, 180);
SELECT external.ensure_pricing_partition((d + o.add * interval '1 day')::date)
  FROM generate_series('2025-11-01'::date, '2026-10-01', interval '1 month') d, (VALUES (0), (1)) AS o(add);
INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, available,
        nightly_rate, source)
SELECT 'handmade', l.id, f.d::date + o.add, n.night::date,
       o.add = 0 OR NOT (n.night::date - f.d::date BETWEEN 1 AND s.k), s.r * l.mult, 'handmade'
  FROM (VALUES ('h1', 1), ('h2', 1), ('h3', 2)) AS l(id, mult)
 CROSS JOIN generate_series('2025-11-01'::date, '2026-10-01', interval '1 month') f(d)
 CROSS JOIN (VALUES (0), (1)) AS o(add)
  JOIN season s ON s.m = extract(month FROM f.d)
 CROSS JOIN LATERAL generate_series(f.d::date + o.add, (f.d + interval '1 month - 1 day')::date,
                                    interval '1 day') n(night);
EOF

out=$(leads score --as-of 2026-11-20 2>"$t_tmp/err") || fail "second score: $(cat "$t_tmp/err")"
echo "$out" | grep -q ", 6 new projections," || fail "second score: $out"

P="homeowner_acquisition.revenue_projections"
M="homeowner_acquisition.revenue_projection_months"
month() { # tmk scenario month -> basis occupancy adr nights gross fee cleanings taxes channel net
	q "select concat_ws(' ', m.basis, m.occupancy, m.adr, m.projected_nights, m.gross_revenue, m.management_fee,
	                    m.cleaning_costs, m.taxes, m.channel_fees, m.net_to_owner)
	   from $M m join $P p using (revenue_projection_id)
	   where p.tmk = '$1' and p.scenario = '$2' and p.model_version = 'seasonal-v1' and m.month = '$3'"
}
K=2440130040203
[ "$(month $K expected 2026-12-01)" = "month 0.8710 400.00 27.0 10800.00 2160.00 1012.50 1939.90 324.00 5363.60" ] ||
	fail "December, expected: $(month $K expected 2026-12-01)"
[ "$(month $K conservative 2026-12-01 | cut -d' ' -f1-5)" = "month 0.7403 340.00 22.9 7786.00" ] ||
	fail "December, conservative: $(month $K conservative 2026-12-01)"
[ "$(month $K optimistic 2026-12-01 | cut -d' ' -f1-5)" = "month 1.0000 460.00 31.0 14260.00" ] ||
	fail "December, optimistic: $(month $K optimistic 2026-12-01)"
[ "$(month $K expected 2027-04-01 | cut -d' ' -f1-5)" = "month 0.5000 250.00 15.0 3750.00" ] ||
	fail "April: $(month $K expected 2027-04-01)"
[ "$(month $K expected 2027-09-01 | cut -d' ' -f1-5)" = "month 0.4000 225.00 12.0 2700.00" ] ||
	fail "September: $(month $K expected 2027-09-01)"
# the seasons: winter and summer peaks, spring and autumn troughs
[ "$(q "select string_agg(to_char(m.month, 'Mon'), ' ' order by m.gross_revenue desc, m.month)
        from $M m join $P p using (revenue_projection_id)
        where p.tmk = '$K' and p.scenario = 'expected' and p.model_version = 'seasonal-v1'")" = \
  "Dec Jan Feb Jul Mar Aug Jun Nov Apr May Oct Sep" ] || fail "the months by gross"
year=$(q "select concat_ws(' ', period_start, period_end, comp_count, adr, occupancy, available_nights,
                           projected_nights, gross_revenue, confidence, range_pct)
          from $P where tmk = '$K' and scenario = 'expected' and model_version = 'seasonal-v1'")
[ "$year" = "2026-12-01 2027-12-01 3 317.14 0.6712 365 245.0 77700.00 medium 15.00" ] || fail "the year: $year"
# the year's money is the sum of its months, in every scenario
n=$(q "select count(*) from $P p join (select revenue_projection_id, sum(gross_revenue) g, sum(management_fee) f,
        sum(cleaning_costs + taxes + channel_fees) c, sum(net_to_owner) n from $M group by 1) m using (revenue_projection_id)
        where (p.gross_revenue, p.management_fee, p.operating_costs, p.net_to_owner) is distinct from (m.g, m.f, m.c, m.n)")
[ "$n" = 0 ] || fail "$n projections are not the sum of their months"
q "select assumptions->>'confidence_reason' from $P where tmk = '$K' and scenario = 'expected' and model_version = 'seasonal-v1'" |
	grep -qx "3 comparables; mean similarity 0.80; median distance 0.6 km; 12 of 12 months seen in their calendars" ||
	fail "confidence reason"

# The Lahaina house: one condo 7 km away, no calendar (its trailing ADR 250, occupancy
# 0.5): low confidence, range 25 %, every month from the trailing figures.
# December expected: 31 x 0.5 = 15.5 nights x 250 = 3,875.00; conservative 0.375 x
# 187.50: 31 x 0.375 = 11.6 nights, 2,175.00; optimistic 0.625 x 312.50: 19.4 nights,
# 6,062.50.
H=2460180050000
[ "$(month $H expected 2026-12-01 | cut -d' ' -f1-5)" = "trailing 0.5000 250.00 15.5 3875.00" ] ||
	fail "the house, expected: $(month $H expected 2026-12-01)"
[ "$(month $H conservative 2026-12-01 | cut -d' ' -f1-5)" = "trailing 0.3750 187.50 11.6 2175.00" ] ||
	fail "the house, conservative: $(month $H conservative 2026-12-01)"
[ "$(month $H optimistic 2026-12-01 | cut -d' ' -f1-5)" = "trailing 0.6250 312.50 19.4 6062.50" ] ||
	fail "the house, optimistic: $(month $H optimistic 2026-12-01)"
[ "$(q "select confidence || ' ' || range_pct from $P where tmk = '$H' and scenario = 'expected'
        and model_version = 'seasonal-v1'")" = "low 25.00" ] || fail "the house's confidence"
q "select assumptions->>'confidence_reason' from $P where tmk = '$H' and scenario = 'expected' and model_version = 'seasonal-v1'" |
	grep -qx "1 comparable (fewer than 3); mean similarity 0.40 (under 0.5); median distance 7.0 km (over 5.0 km); 0 of 12 months seen in their calendars" ||
	fail "the house's confidence reason"

# the stored inputs give the stored figures again
n=$(q "select count(*) from $P p cross join lateral etl.projection_months(p.inputs) x
        join $M m on m.revenue_projection_id = p.revenue_projection_id and m.month = x.month
        where p.model_version = 'seasonal-v1' and x.scenario = p.scenario
          and (m.gross_revenue, m.net_to_owner, m.basis) = (x.gross_revenue, x.net_to_owner, x.basis)")
[ "$n" = "$(q "select count(*) from $M")" ] || fail "the inputs do not give the figures again ($n)"
[ "$(q "select count(*) from $P where model_version = 'seasonal-v1'
        and inputs_sha256 <> encode(sha256(convert_to(inputs::text, 'UTF8')), 'hex')")" = 0 ] || fail "inputs_sha256"

# a re-run, and the next nights of the month on the same data, write nothing
rows=$(q "select count(*) from $P")
for d in 2026-11-20 2026-11-21 2026-11-30; do
	out=$(leads score --as-of $d 2>"$t_tmp/err") || fail "score $d: $(cat "$t_tmp/err")"
	echo "$out" | grep -q ", 0 new projections," || fail "score $d wrote projections: $out"
done
# even over a new comp set of the same members and figures
q "insert into external.competitive_sets (subject_tmk, competitor_platform, competitor_listing_id, computed_on,
       rank, similarity, distance_m, adr, occupancy)
   select subject_tmk, competitor_platform, competitor_listing_id, '2026-11-22', rank, similarity, distance_m,
          adr, occupancy from external.competitive_sets where computed_on = '2026-11-20'
      and subject_tmk in ('$K', '$H')" >/dev/null
out=$(leads score --as-of 2026-11-22 2>&1) || fail "score 11-22: $out"
echo "$out" | grep -q ", 0 new projections," || fail "the same set, recomputed, wrote projections: $out"
[ "$(q "select count(*) from $P")" = "$rows" ] || fail "projection rows added"

# a changed input: a comp closer, the management fee lower: one new set each time
q "update external.competitive_sets set similarity = 0.95 where subject_tmk = '$H' and computed_on = '2026-11-22'" >/dev/null
out=$(leads score --as-of 2026-11-22 2>&1) || fail "score after a change: $out"
echo "$out" | grep -q ", 3 new projections," || fail "a changed comp set: $out"
sed 's/^management_fee_pct = 20/management_fee_pct = 18/' config/leads.ini >"$t_tmp/leads.ini"
out=$("$MI_BIN/mi-leads" --config "$t_tmp/leads.ini" score --as-of 2026-11-22 2>&1) || fail "score at 18 %: $out"
echo "$out" | grep -q ", 6 new projections," || fail "new settings: $out"
[ "$(q "select management_fee_pct from $P where tmk = '$K' order by revenue_projection_id desc limit 1")" = 18.00 ] ||
	fail "the fee of the new projection"
# the next month is a new period
out=$("$MI_BIN/mi-leads" --config "$t_tmp/leads.ini" score --as-of 2026-12-01 2>&1) || fail "score in December: $out"
[ "$(q "select period_start from $P where tmk = '$K' order by revenue_projection_id desc limit 1")" = 2027-01-01 ] ||
	fail "December's projection does not start in January"
exit 0
