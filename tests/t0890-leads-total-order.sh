#!/bin/sh
# Whatever the plan and the rows' physical order, mi-leads score writes the same
# rows: on fixtures/leads/market.sql (plus two ties planted here) it is run in
# copies of one database with hash joins, sorts or index scans turned off, and
# after the tied rows were moved in their heaps.
# Every copy must end with the same tables (digest compare), and:
#   - the deed conveying two parcels to PACIFIC SHORES HOLDINGS logs its one sale
#     activity on the lower TMK, 2460180050000 (ON CONFLICT DO NOTHING used to
#     keep whichever of the two rows the plan produced first);
#   - two deeds recorded the same day on one parcel: the signal names the later
#     document by its key, not by the surrogate id the load order gave it;
#   - two listings of one parcel delisted the same day: the dark signal names the
#     first by platform and id.
. tests/lib.sh
. tests/run-lib.sh
fresh_db
base=$PGDATABASE
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || fail "planting the ties"
-- a second deed on the Kaanapali house, recorded the same day, loaded later
-- (higher sale_id) but with the lower document number
INSERT INTO external.property_sales
    (county, tmk, tmks, document_no, record_hash, recording_date, sale_date, price, is_arms_length,
     grantor, grantee, grantee_key, buyer_mailing_state, buyer_is_out_of_state, buyer_is_absentee,
     source)
VALUES (2, '2440080120000', '{2440080120000}', 'A-91388101', repeat('ab', 32), '2026-10-02',
        '2026-09-25', 10,
        true, 'MAKOA LLC', 'MAKOA TRUST', 'MAKOA TRUST', 'HI', false, false, 'maui-rpt-sales');
-- two listings of the Kaanapali Shores unit, both delisted on 2026-11-10
INSERT INTO etl.listings (platform, listing_id, source, tmk, tmk_match_method, tmk_match_confidence,
                          first_seen, last_seen, is_active, disappeared_on)
VALUES ('vrbo', '990002', 'vrbo-test', '2440130040410', 'address', 0.8, '2025-01-01', '2026-11-09',
        false, '2026-11-10'),
       ('vrbo', '990001', 'vrbo-test', '2440130040410', 'address', 0.8, '2025-01-01', '2026-11-09',
        false, '2026-11-10');
EOF

copies=""
drop_copies() {
	for c in $copies; do dropdb --if-exists --force "$c" >/dev/null 2>&1; done
}
t_cleanup drop_copies
q() { psql -XAtc "$1"; }
n=0
variant() { # name, PGOPTIONS, [SQL run before scoring]
	n=$((n + 1))
	db="${base}_$n"
	createdb -T "$base" "$db" || fail "createdb $db"
	copies="$copies $db"
	if [ -n "${3:-}" ]; then
		PGDATABASE=$db psql -X -q -v ON_ERROR_STOP=1 -c "$3" >/dev/null || fail "$1: $3"
	fi
	PGDATABASE=$db PGOPTIONS="$2" "$MI_BIN/mi-leads" --config config/leads.ini score \
		--as-of 2026-11-20 >"$t_tmp/out.$n" 2>"$t_tmp/err.$n" ||
		fail "$1: mi-leads score: $(cat "$t_tmp/err.$n")"
	export PGDATABASE=$db
	got=$(q "SELECT pp.tmk FROM homeowner_acquisition.lead_activities a
	          JOIN homeowner_acquisition.prospect_properties pp USING (prospect_property_id)
	         WHERE a.signal_key = 'COUNTY_SALE:2:doc:A-91198230'")
	[ "$got" = 2460180050000 ] || fail "$1: the deed's sale activity is on '$got', not 2460180050000"
	got=$(q "SELECT string_agg(e->'evidence'->>'sale_key', ' ')
	           FROM homeowner_acquisition.prospect_properties pp, jsonb_array_elements(pp.score_signals) e
	          WHERE pp.tmk = '2440080120000' AND e->>'signal' = 'recent_sale'")
	[ "$got" = "2:doc:A-91388102" ] ||
		fail "$1: the same-day deeds give sale signal '$got', want the later document 2:doc:A-91388102"
	got=$(q "SELECT string_agg(signal_key, ' ') FROM homeowner_acquisition.lead_activities
	          WHERE signal_key LIKE 'LISTING_DARK:%'")
	[ "$got" = "LISTING_DARK:vrbo:990001:delisted:2026-11-10" ] ||
		fail "$1: the dark signal is '$got', want listing vrbo:990001"
	tables_digest >"$t_tmp/digest.$n" || fail "$1: tables_digest"
	if [ $n -gt 1 ]; then
		diff "$t_tmp/digest.1" "$t_tmp/digest.$n" >&2 || fail "$1: the tables differ from the default plan's"
	fi
	export PGDATABASE=$base
}

variant "default plan" ""
variant "no hash join" "-c enable_hashjoin=off"
variant "no sort, no hash join" "-c enable_sort=off -c enable_hashjoin=off"
variant "no index scans" "-c enable_indexscan=off -c enable_bitmapscan=off -c enable_indexonlyscan=off"
# the tied rows moved to the end of their heaps (an update writes a new version)
variant "rows moved" "" \
	"UPDATE external.properties SET last_seen = last_seen WHERE tmk IN ('2460180050000', '2440130040410');
	 UPDATE external.property_sales SET price = price WHERE document_no IN ('A-91198230', 'A-91388102');
	 UPDATE etl.listings SET last_seen = last_seen WHERE listing_id = '990001'"
variant "rows moved, no hash join" "-c enable_hashjoin=off" \
	"UPDATE external.properties SET last_seen = last_seen WHERE tmk = '2460180060000';
	 UPDATE etl.listings SET last_seen = last_seen WHERE listing_id = '990002'"
exit 0
