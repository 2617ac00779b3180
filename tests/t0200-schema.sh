#!/bin/sh
# t0200-schema: the migrations in sql/ give the 17 tables the user's document names
# (and the months of a projection, sql/075),
# a COMMENT ON every table, column, view, function and domain of the three schemas,
# and constraints that refuse bad data: bad TMKs, negative money, unknown lead
# sources, a second current manager row, duplicate natural keys, out-of-range scores.
# Also the pricing partition helpers (idempotent, attach path) and the two claim
# functions (lead queue, fetch queue).
#
# Needs a running server (PGHOST/PGPORT/PGUSER); creates and drops its own database.
# Applies sql/ with $MI_BIN/mi-migrate when it exists, else with psql file by file.
. tests/lib.sh
MI_BIN=${MI_BIN:-bin}

PGDATABASE="t0200_schema_$$"
export PGDATABASE
createdb "$PGDATABASE" || fail "createdb '$PGDATABASE'"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"

if [ -x "$MI_BIN/mi-migrate" ]; then
	"$MI_BIN/mi-migrate" --dir sql >"$t_tmp/migrate.out" 2>&1 ||
		fail "mi-migrate failed: $(cat "$t_tmp/migrate.out")"
else
	for f in sql/[0-9][0-9][0-9]_*.sql; do
		psql -X -q -v ON_ERROR_STOP=1 -1 -f "$f" >"$t_tmp/migrate.out" 2>&1 ||
			fail "applying '$f' failed: $(cat "$t_tmp/migrate.out")"
	done
fi

q() { psql -X -A -t -v ON_ERROR_STOP=1 -c "$1"; }

# --- the seed's 17 tables and the months of a projection (sql/075), exactly ---
want="external.competitive_sets
external.properties
external.property_managers
external.property_pricing
external.property_reviews
external.property_sales
homeowner_acquisition.contracts
homeowner_acquisition.lead_activities
homeowner_acquisition.lead_sources
homeowner_acquisition.onboarding_progress
homeowner_acquisition.onboarding_tasks
homeowner_acquisition.prospect_properties
homeowner_acquisition.prospects
homeowner_acquisition.proposal_versions
homeowner_acquisition.proposals
homeowner_acquisition.property_assessments
homeowner_acquisition.revenue_projection_months
homeowner_acquisition.revenue_projections"
got=$(q "SELECT n.nspname || '.' || c.relname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname IN ('external', 'homeowner_acquisition')
            AND c.relkind IN ('r', 'p') AND NOT c.relispartition
          ORDER BY n.nspname || '.' || c.relname COLLATE \"C\"") || fail "catalog query failed"
want=$(printf '%s\n' "$want" | LC_ALL=C sort)
[ "$got" = "$want" ] || fail "tables of external and homeowner_acquisition differ from the 18 named:
$(printf '%s\n' "$want" >"$t_tmp/want"; printf '%s\n' "$got" | diff "$t_tmp/want" - )"

# --- a comment on everything -----------------------------------------------
missing=$(q "
WITH s AS (SELECT oid, nspname FROM pg_namespace
            WHERE nspname IN ('external', 'homeowner_acquisition', 'etl'))
SELECT 'schema ' || s.nspname FROM s
 WHERE obj_description(s.oid, 'pg_namespace') IS NULL
UNION ALL
SELECT CASE c.relkind WHEN 'v' THEN 'view ' ELSE 'table ' END || s.nspname || '.' || c.relname
  FROM pg_class c JOIN s ON s.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
   AND obj_description(c.oid, 'pg_class') IS NULL
UNION ALL
SELECT 'column ' || s.nspname || '.' || c.relname || '.' || a.attname
  FROM pg_class c JOIN s ON s.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
   AND col_description(c.oid, a.attnum) IS NULL
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text
  FROM pg_proc p JOIN s ON s.oid = p.pronamespace
 WHERE obj_description(p.oid, 'pg_proc') IS NULL
UNION ALL
SELECT 'domain ' || s.nspname || '.' || t.typname
  FROM pg_type t JOIN s ON s.oid = t.typnamespace
 WHERE t.typtype = 'd' AND obj_description(t.oid, 'pg_type') IS NULL
ORDER BY 1") || fail "comment query failed"
[ -z "$missing" ] || fail "objects without COMMENT ON:
$missing"

# --- constraints, partitions, claims ----------------------------------------
psql -X -A -t -q -v ON_ERROR_STOP=1 >"$t_tmp/checks.out" 2>"$t_tmp/checks.err" <<'EOF'
-- expect(label, statement, sqlstate): the statement must fail with that SQLSTATE.
CREATE FUNCTION pg_temp.expect(label text, stmt text, want text) RETURNS text
    LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        EXECUTE stmt;
    EXCEPTION WHEN OTHERS THEN
        IF SQLSTATE = want THEN
            RETURN 'ok ' || label;
        END IF;
        RETURN format('FAIL %s: expected SQLSTATE %s, got %s: %s', label, want, SQLSTATE, SQLERRM);
    END;
    RETURN format('FAIL %s: expected SQLSTATE %s, the statement succeeded', label, want);
END
$$;
-- accept(label, statement): the statement must succeed (controls for expect).
CREATE FUNCTION pg_temp.accept(label text, stmt text) RETURNS text
    LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE stmt;
    RETURN 'ok ' || label;
EXCEPTION WHEN OTHERS THEN
    RETURN format('FAIL %s: refused with %s: %s', label, SQLSTATE, SQLERRM);
END
$$;
CREATE FUNCTION pg_temp.check(label text, cond boolean) RETURNS text
    LANGUAGE sql AS $$
    SELECT CASE WHEN cond THEN 'ok ' || label ELSE 'FAIL ' || label END
$$;

-- TMKs: valid controls first, then each rule of TMK.md section 5.
SELECT pg_temp.accept('tmk valid oahu cpr', $q$INSERT INTO external.properties (tmk, island) VALUES ('1260100070152', 'Oahu')$q$);
SELECT pg_temp.accept('tmk valid maui zone 6', $q$INSERT INTO external.properties (tmk) VALUES ('2610010010000')$q$);
SELECT pg_temp.accept('tmk valid kauai zone 5', $q$INSERT INTO external.properties (tmk) VALUES ('4510010010000')$q$);
SELECT pg_temp.accept('tmk valid hawaii', $q$INSERT INTO external.properties (tmk) VALUES ('3750190160000')$q$);
SELECT pg_temp.expect('tmk 12 digits', $q$INSERT INTO external.properties (tmk) VALUES ('260100070152')$q$, '23514');
SELECT pg_temp.expect('tmk 14 digits', $q$INSERT INTO external.properties (tmk) VALUES ('12601000701520')$q$, '23514');
SELECT pg_temp.expect('tmk county 5', $q$INSERT INTO external.properties (tmk) VALUES ('5260100070152')$q$, '23514');
SELECT pg_temp.expect('tmk county 0', $q$INSERT INTO external.properties (tmk) VALUES ('0260100070152')$q$, '23514');
SELECT pg_temp.expect('tmk zone 0', $q$INSERT INTO external.properties (tmk) VALUES ('1060100070152')$q$, '23514');
SELECT pg_temp.expect('tmk section 0', $q$INSERT INTO external.properties (tmk) VALUES ('1200100070152')$q$, '23514');
SELECT pg_temp.expect('tmk kauai zone 6', $q$INSERT INTO external.properties (tmk) VALUES ('4610010010000')$q$, '23514');
SELECT pg_temp.expect('tmk maui zone 7', $q$INSERT INTO external.properties (tmk) VALUES ('2710010010000')$q$, '23514');
SELECT pg_temp.expect('tmk dashed', $q$INSERT INTO external.properties (tmk) VALUES ('1-2-6-010-007')$q$, '23514');
SELECT pg_temp.expect('tmk with spaces', $q$INSERT INTO external.properties (tmk) VALUES (' 1260100070152')$q$, '23514');
SELECT pg_temp.accept('tmk valid oahu parcel', $q$INSERT INTO external.properties (tmk, island) VALUES ('1260100070001', 'Oahu')$q$);
SELECT pg_temp.expect('island not of county', $q$INSERT INTO external.properties (tmk, island) VALUES ('1260100070005', 'Maui')$q$, '23514');
SELECT pg_temp.expect('latitude outside hawaii', $q$INSERT INTO external.properties (tmk, latitude, longitude) VALUES ('1260100070002', 42.65, -73.75)$q$, '23514');
SELECT pg_temp.expect('negative assessed value', $q$INSERT INTO external.properties (tmk, assessed_land_value) VALUES ('1260100070003', -1)$q$, '23514');
SELECT pg_temp.expect('bad tat id', $q$INSERT INTO external.properties (tmk, tat_ids) VALUES ('1260100070004', '{TA-12-3}')$q$, '23514');
SELECT pg_temp.check('tmk parts derived',
    (SELECT county = 1 AND zone = 2 AND section = 6 AND plat = 10 AND parcel = 7 AND cpr = 152
            AND parcel9 = '126010007' AND tmk_display = '(1) 2-6-010:007-0152'
       FROM external.properties WHERE tmk = '1260100070152'));
SELECT pg_temp.check('tmk display whole parcel',
    (SELECT tmk_display = '(3) 7-5-019:016' FROM external.properties WHERE tmk = '3750190160000'));

-- Manager history: one current row per TMK.
SELECT pg_temp.accept('first current manager', $q$INSERT INTO external.property_managers (tmk, manager_key, manager_kind, valid_from) VALUES ('1260100070152', 'aloha-vacations', 'pm_company', '2024-01-01')$q$);
SELECT pg_temp.expect('second current manager', $q$INSERT INTO external.property_managers (tmk, manager_key, manager_kind, valid_from) VALUES ('1260100070152', 'host:airbnb:42', 'individual_host', '2024-06-01')$q$, '23505');
SELECT pg_temp.expect('current row with valid_to', $q$INSERT INTO external.property_managers (tmk, manager_key, valid_from, valid_to, is_current) VALUES ('2610010010000', 'x', '2024-01-01', '2024-02-01', true)$q$, '23514');
SELECT pg_temp.expect('valid_to before valid_from', $q$INSERT INTO external.property_managers (tmk, manager_key, valid_from, valid_to, is_current) VALUES ('2610010010000', 'x', '2024-03-01', '2024-02-01', false)$q$, '23514');
SELECT pg_temp.accept('close and reopen manager', $q$
    WITH closed AS (UPDATE external.property_managers SET valid_to = '2024-06-01', is_current = false
                     WHERE tmk = '1260100070152' AND is_current RETURNING tmk)
    INSERT INTO external.property_managers (tmk, manager_key, manager_kind, is_self_managed, valid_from)
    SELECT tmk, 'host:airbnb:42', 'individual_host', true, '2024-06-01' FROM closed$q$);
SELECT pg_temp.check('one current row after change',
    (SELECT count(*) = 2 AND count(*) FILTER (WHERE is_current) = 1
       FROM external.property_managers WHERE tmk = '1260100070152'));

-- Sales: natural keys, multi-parcel, money.
SELECT pg_temp.accept('sale with document number', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, price, source) VALUES (2, '2610010010000', '{2610010010000}', 'A-87654321', repeat('a', 64), 1250000, 'maui-sales')$q$);
SELECT pg_temp.expect('duplicate sale document', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (2, '2610010010000', '{2610010010000}', 'A-87654321', repeat('b', 64), 'maui-sales')$q$, '23505');
SELECT pg_temp.accept('same document number other county', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (1, '1260100070152', '{1260100070152}', 'A-87654321', repeat('c', 64), 'honolulu-sales')$q$);
SELECT pg_temp.accept('multi-parcel land court sale', $q$INSERT INTO external.property_sales (county, tmk, tmks, portion_tmks, land_court_no, is_land_court, record_hash, price, source) VALUES (1, '1260100070152', '{1260100070152,1260100070001}', '{1260100070001}', 'T13017068', true, repeat('d', 64), 990000, 'honolulu-sales')$q$);
SELECT pg_temp.expect('duplicate land court number', $q$INSERT INTO external.property_sales (county, tmk, tmks, land_court_no, is_land_court, record_hash, source) VALUES (1, '1260100070152', '{1260100070152}', 'T13017068', true, repeat('e', 64), 'honolulu-sales')$q$, '23505');
SELECT pg_temp.accept('sale keyed by hash', $q$INSERT INTO external.property_sales (county, tmk, tmks, record_hash, source) VALUES (4, '4510010010000', '{4510010010000}', repeat('f', 64), 'kauai-sales')$q$);
SELECT pg_temp.expect('duplicate sale hash', $q$INSERT INTO external.property_sales (county, tmk, tmks, record_hash, source) VALUES (4, '4510010010000', '{4510010010000}', repeat('f', 64), 'kauai-sales')$q$, '23505');
SELECT pg_temp.expect('negative sale price', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, price, source) VALUES (2, '2610010010000', '{2610010010000}', 'A-1', repeat('1', 64), -100, 'maui-sales')$q$, '23514');
SELECT pg_temp.expect('negative conveyance tax', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, conveyance_tax, source) VALUES (2, '2610010010000', '{2610010010000}', 'A-2', repeat('2', 64), -1, 'maui-sales')$q$, '23514');
SELECT pg_temp.expect('bad tmk among parcels', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (2, '2610010010000', '{2610010010000,2010010010000}', 'A-3', repeat('3', 64), 'maui-sales')$q$, '23514');
SELECT pg_temp.expect('primary tmk not among parcels', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (1, '1260100070152', '{1260100070001}', 'A-4', repeat('4', 64), 'x')$q$, '23514');
SELECT pg_temp.expect('placeholder document number', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (2, '2610010010000', '{2610010010000}', '0000000000', repeat('5', 64), 'maui-sales')$q$, '23514');
SELECT pg_temp.expect('sale county differs from tmk', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (3, '2610010010000', '{2610010010000}', 'A-6', repeat('6', 64), 'maui-sales')$q$, '23514');
SELECT pg_temp.expect('sale on unknown parcel', $q$INSERT INTO external.property_sales (county, tmk, tmks, document_no, record_hash, source) VALUES (2, '2620010010000', '{2620010010000}', 'A-7', repeat('7', 64), 'maui-sales')$q$, '23503');
-- A set-based merge of a two-parcel deed (one staging row per parcel), run twice:
-- the second run must change nothing.
INSERT INTO external.properties (tmk) VALUES ('2610010020000');
CREATE TEMP TABLE stage_sales (county smallint, tmk text, doc_no text, record_hash text, price numeric);
INSERT INTO stage_sales VALUES (2, '2610010020000', 'B-555', repeat('8', 64), 2400000),
                               (2, '2610010010000', 'B-555', repeat('8', 64), 2400000);
CREATE FUNCTION pg_temp.merge_sales() RETURNS bigint LANGUAGE sql AS $$
    WITH m AS (
        INSERT INTO external.property_sales AS s (county, tmk, tmks, document_no, record_hash, price, source)
        SELECT county, min(tmk), array_agg(tmk ORDER BY tmk)::external.tmk[], doc_no, min(record_hash),
               max(price), 'maui-sales'
          FROM stage_sales GROUP BY county, doc_no
        ON CONFLICT (sale_key) DO UPDATE SET tmks = EXCLUDED.tmks, price = EXCLUDED.price
         WHERE (s.tmks, s.price) IS DISTINCT FROM (EXCLUDED.tmks, EXCLUDED.price)
        RETURNING 1)
    SELECT count(*) FROM m
$$;
SELECT pg_temp.check('merge inserts one sale for a two-parcel deed', pg_temp.merge_sales() = 1);
SELECT pg_temp.check('merge again changes nothing', pg_temp.merge_sales() = 0);
UPDATE stage_sales SET price = 2450000;
SELECT pg_temp.check('merge after a correction updates the sale', pg_temp.merge_sales() = 1);
SELECT pg_temp.check('the deed is one sale on two parcels',
    (SELECT count(*) = 1 AND min(parcel_count) = 2 AND min(price) = 2450000
       FROM external.property_sales WHERE document_no = 'B-555'));
SELECT pg_temp.check('sale found by any of its parcels',
    (SELECT count(*) = 1 FROM external.property_sales WHERE tmks @> '{1260100070001}'::external.tmk[]));
SELECT pg_temp.check('sale keys derived',
    (SELECT array_agg(sale_key ORDER BY sale_key) = '{1:doc:A-87654321,1:lc:T13017068,2:doc:A-87654321}'
       FROM external.property_sales WHERE sale_key NOT LIKE '%hash%' AND sale_key NOT LIKE '%B-555'));

-- Listings, reviews and scores.
SELECT pg_temp.accept('listing matched', $q$INSERT INTO etl.listings (platform, listing_id, source, tmk, tmk_match_method, tmk_match_confidence, tat_ids, latitude, longitude) VALUES ('airbnb', '1279846646046615122', 'insideairbnb-hi', '1260100070152', 'tmk_in_listing', 0.98, '{TA-163-133-0304-01}', 21.28, -157.83)$q$);
SELECT pg_temp.accept('listing unmatched', $q$INSERT INTO etl.listings (platform, listing_id, source) VALUES ('vrbo', 'maui-kai-402', 'pm-site')$q$);
SELECT pg_temp.expect('listing match without method', $q$INSERT INTO etl.listings (platform, listing_id, source, tmk) VALUES ('airbnb', '7', 'x', '1260100070152')$q$, '23514');
SELECT pg_temp.expect('listing negative price', $q$INSERT INTO etl.listings (platform, listing_id, source, nightly_price) VALUES ('airbnb', '8', 'x', -70)$q$, '23514');
SELECT pg_temp.expect('listing id too long', $q$INSERT INTO etl.listings (platform, listing_id, source) VALUES ('airbnb', repeat('9', 201), 'x')$q$, '23514');
SELECT pg_temp.accept('listing id at its longest', $q$INSERT INTO etl.listings (platform, listing_id, source) VALUES ('airbnb', repeat('9', 200), 'x')$q$);
SELECT pg_temp.expect('platform in upper case', $q$INSERT INTO etl.listings (platform, listing_id, source) VALUES ('Airbnb', '10', 'x')$q$, '23514');
SELECT pg_temp.expect('source id too long', $q$INSERT INTO etl.listings (platform, listing_id, source) VALUES ('airbnb', '11', repeat('s', 65))$q$, '23514');
SELECT pg_temp.expect('hash in upper case', $q$INSERT INTO etl.listings (platform, listing_id, source, landing_hash) VALUES ('airbnb', '12', 'x', repeat('A', 64))$q$, '23514');
SELECT pg_temp.expect('hash too short', $q$INSERT INTO etl.listings (platform, listing_id, source, landing_hash) VALUES ('airbnb', '13', 'x', repeat('a', 63))$q$, '23514');
SELECT pg_temp.expect('lead source code of one letter', $q$INSERT INTO homeowner_acquisition.lead_sources (lead_source_code, name, description, category) VALUES ('X', 'x', 'x', 'other')$q$, '23514');
SELECT pg_temp.expect('listing id with space', $q$INSERT INTO etl.listings (platform, listing_id, source) VALUES ('airbnb', '1 2', 'x')$q$, '23514');
SELECT pg_temp.accept('review scored', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, review_date, rating, rating_scale, sentiment_compound, sentiment_pos, sentiment_neu, sentiment_neg, aspect_scores, complaint_flags, scorer_version, source) VALUES ('airbnb', '900000000000000001', '1279846646046615122', '2024-08-01', 4, 5, -0.42, 0.05, 0.6, 0.35, '{"cleanliness": -0.7, "location": 0.8}', '{dirty,names_manager}', 'vader-hi-1', 'insideairbnb-hi')$q$);
SELECT pg_temp.expect('duplicate review id', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, source) VALUES ('airbnb', '900000000000000001', '1279846646046615122', 'other')$q$, '23505');
SELECT pg_temp.expect('review of unknown listing', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, source) VALUES ('airbnb', '2', 'no-such-listing', 'x')$q$, '23503');
SELECT pg_temp.expect('compound above 1', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, sentiment_compound, scorer_version, source) VALUES ('airbnb', '3', '1279846646046615122', 1.5, 'v', 'x')$q$, '23514');
SELECT pg_temp.expect('negative proportion', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, sentiment_neg, source) VALUES ('airbnb', '4', '1279846646046615122', -0.1, 'x')$q$, '23514');
SELECT pg_temp.expect('aspect score below -1', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, aspect_scores, source) VALUES ('airbnb', '5', '1279846646046615122', '{"cleanliness": -2}', 'x')$q$, '23514');
SELECT pg_temp.expect('aspect score not a number', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, aspect_scores, source) VALUES ('airbnb', '6', '1279846646046615122', '{"noise": "bad"}', 'x')$q$, '23514');
SELECT pg_temp.expect('rating above its scale', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, rating, rating_scale, source) VALUES ('airbnb', '7', '1279846646046615122', 6, 5, 'x')$q$, '23514');
SELECT pg_temp.expect('scores without scorer version', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, sentiment_compound, source) VALUES ('airbnb', '8', '1279846646046615122', 0.2, 'x')$q$, '23514');
SELECT pg_temp.expect('bad complaint flag', $q$INSERT INTO external.property_reviews (platform, review_id, listing_id, complaint_flags, source) VALUES ('airbnb', '9', '1279846646046615122', '{Dirty Room}', 'x')$q$, '23514');

-- Pricing: partitions, natural key, money.
SELECT pg_temp.expect('pricing without partition', $q$INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, source) VALUES ('airbnb', '1', '2031-01-05', '2031-01-05', 'x')$q$, '23514');
SELECT pg_temp.check('ensure partition idempotent',
    external.ensure_pricing_partition('2024-09-13') = external.ensure_pricing_partition('2024-09-13'));
SELECT pg_temp.check('ensure partition name',
    external.ensure_pricing_partition('2024-09-13')::text = 'external.property_pricing_s20240913');
SELECT pg_temp.check('one month and one snapshot partition',
    (SELECT count(*) = 2 FROM pg_partition_tree('external.property_pricing') WHERE level > 0));
SELECT pg_temp.check('months ahead creates three', external.ensure_pricing_months_ahead(3, '2024-09-13') = 3);
SELECT pg_temp.check('months ahead twice creates none', external.ensure_pricing_months_ahead(3, '2024-09-13') = 0);
SELECT pg_temp.accept('pricing row', $q$INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, available, nightly_rate, min_nights, max_nights, source) VALUES ('airbnb', '1279846646046615122', '2024-09-13', '2024-09-20', true, 1379.00, 3, 1125, 'insideairbnb-hi')$q$);
SELECT pg_temp.expect('duplicate pricing key', $q$INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, available, source) VALUES ('airbnb', '1279846646046615122', '2024-09-13', '2024-09-20', false, 'other')$q$, '23505');
SELECT pg_temp.expect('negative nightly rate', $q$INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, nightly_rate, source) VALUES ('airbnb', '1', '2024-09-13', '2024-09-14', -1, 'x')$q$, '23514');
SELECT pg_temp.expect('stay before snapshot', $q$INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, source) VALUES ('airbnb', '1', '2024-09-13', '2024-08-01', 'x')$q$, '23514');
SELECT pg_temp.accept('build a snapshot apart', $q$
    CREATE TABLE public.snap_20240920 (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
    INSERT INTO public.snap_20240920 (platform, listing_id, snapshot_date, stay_date, available, source)
    SELECT 'airbnb', '1279846646046615122', '2024-09-20', '2024-09-20'::date + g, g % 3 = 0, 'insideairbnb-hi'
      FROM generate_series(0, 364) g$q$);
SELECT pg_temp.check('attach the snapshot',
    external.attach_pricing_snapshot('public.snap_20240920', '2024-09-20')::text = 'external.property_pricing_s20240920');
SELECT pg_temp.check('attached rows visible',
    (SELECT count(*) = 365 FROM external.property_pricing WHERE snapshot_date = '2024-09-20'));
SELECT pg_temp.check('ensure finds the attached partition',
    external.ensure_pricing_partition('2024-09-20')::text = 'external.property_pricing_s20240920');
SELECT pg_temp.expect('attach an already loaded snapshot', $q$
    CREATE TABLE public.snap_again (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
    SELECT external.attach_pricing_snapshot('public.snap_again', '2024-09-20')$q$, '42P07');
SELECT pg_temp.expect('attach rows of another date', $q$
    CREATE TABLE public.snap_wrong (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
    INSERT INTO public.snap_wrong (platform, listing_id, snapshot_date, stay_date, source)
    VALUES ('airbnb', '1', '2024-09-22', '2024-09-22', 'x');
    SELECT external.attach_pricing_snapshot('public.snap_wrong', '2024-09-21')$q$, '23514');

-- Competitive sets.
SELECT pg_temp.accept('comp set member', $q$INSERT INTO external.competitive_sets (subject_tmk, competitor_tmk, computed_on, rank, similarity, distance_m, adr, occupancy) VALUES ('1260100070152', '1260100070001', '2024-09-13', 1, 0.91, 240.5, 310.00, 0.72)$q$);
SELECT pg_temp.expect('duplicate comp set member', $q$INSERT INTO external.competitive_sets (subject_tmk, competitor_tmk, computed_on, rank, similarity) VALUES ('1260100070152', '1260100070001', '2024-09-13', 2, 0.5)$q$, '23505');
SELECT pg_temp.expect('similarity above 1', $q$INSERT INTO external.competitive_sets (subject_tmk, competitor_platform, competitor_listing_id, computed_on, rank, similarity) VALUES ('1260100070152', 'vrbo', 'maui-kai-402', '2024-09-13', 3, 1.2)$q$, '23514');
SELECT pg_temp.expect('occupancy above 1', $q$INSERT INTO external.competitive_sets (subject_tmk, competitor_platform, competitor_listing_id, computed_on, rank, similarity, occupancy) VALUES ('1260100070152', 'vrbo', 'maui-kai-402', '2024-09-13', 3, 0.5, 1.5)$q$, '23514');
SELECT pg_temp.expect('competitor is the subject', $q$INSERT INTO external.competitive_sets (subject_tmk, competitor_tmk, computed_on, rank, similarity) VALUES ('1260100070152', '1260100070152', '2024-09-13', 4, 0.5)$q$, '23514');

-- Lead sources, prospects, the queue and its claim.
SELECT pg_temp.check('lead source reference rows',
    (SELECT count(*) = 5 FROM homeowner_acquisition.lead_sources
      WHERE lead_source_code IN ('REFERRAL', 'COUNTY_SALE', 'PM_CHANGE', 'REVIEW_SIGNAL', 'PRICING_SIGNAL')));
SELECT pg_temp.check('onboarding templates', (SELECT count(*) >= 20 FROM homeowner_acquisition.onboarding_tasks));
SELECT pg_temp.expect('unknown lead source', $q$INSERT INTO homeowner_acquisition.prospects (owner_key, display_name, lead_source_code) VALUES ('SMITH JOHN', 'John Smith', 'CARRIER_PIGEON')$q$, '23503');
SELECT pg_temp.expect('malformed lead source code', $q$INSERT INTO homeowner_acquisition.prospects (owner_key, display_name, lead_source_code) VALUES ('SMITH JOHN', 'John Smith', 'referral')$q$, '23514');
SELECT pg_temp.accept('prospects', $q$INSERT INTO homeowner_acquisition.prospects (owner_key, mailing_address_key, display_name, lead_source_code) VALUES ('SMITH JOHN', '123 MAIN ST SEATTLE WA', 'John Smith', 'COUNTY_SALE'), ('KAI TRUST', '', 'Kai Trust', 'PM_CHANGE'), ('NO CALL', '', 'Do Not Call', 'REFERRAL')$q$);
SELECT pg_temp.expect('duplicate prospect', $q$INSERT INTO homeowner_acquisition.prospects (owner_key, mailing_address_key, display_name, lead_source_code) VALUES ('SMITH JOHN', '123 MAIN ST SEATTLE WA', 'J. Smith', 'REFERRAL')$q$, '23505');
SELECT pg_temp.expect('do not contact without reason', $q$UPDATE homeowner_acquisition.prospects SET do_not_contact = true WHERE owner_key = 'NO CALL'$q$, '23514');
SELECT pg_temp.accept('do not contact', $q$UPDATE homeowner_acquisition.prospects SET do_not_contact = true, do_not_contact_reason = 'asked', do_not_contact_at = now() WHERE owner_key = 'NO CALL'$q$);
SELECT pg_temp.accept('leads', $q$INSERT INTO homeowner_acquisition.prospect_properties (prospect_id, tmk, lead_source_code, opportunity_score, score_signals, score_version, scored_at)
    SELECT p.prospect_id, v.tmk, p.lead_source_code, v.score, '[{"signal": "sale", "contribution": 40}]', 'w1', now()
      FROM (VALUES ('SMITH JOHN', '2610010010000', 55.0), ('KAI TRUST', '1260100070152', 81.5), ('NO CALL', '4510010010000', 99.0)) v(k, tmk, score)
      JOIN homeowner_acquisition.prospects p ON p.owner_key = v.k$q$);
SELECT pg_temp.expect('opportunity score above 100', $q$UPDATE homeowner_acquisition.prospect_properties SET opportunity_score = 101 WHERE tmk = '2610010010000'$q$, '23514');
SELECT pg_temp.expect('negative opportunity score', $q$UPDATE homeowner_acquisition.prospect_properties SET opportunity_score = -1 WHERE tmk = '2610010010000'$q$, '23514');
SELECT pg_temp.check('queue order by score, without do-not-contact',
    (SELECT array_agg(best_tmk) = '{1260100070152,2610010010000}' FROM homeowner_acquisition.lead_queue));
CREATE TEMP TABLE claims AS SELECT 'alice'::text AS who, homeowner_acquisition.claim_next_lead('alice') AS id;
SELECT pg_temp.check('claim takes the best owner',
    (SELECT p.owner_key = 'KAI TRUST' AND p.claim_expires_at > now()
       FROM homeowner_acquisition.prospects p JOIN claims ON p.prospect_id = id AND p.assigned_to = who));
SELECT pg_temp.check('claimed lead leaves the queue',
    (SELECT array_agg(best_tmk) = '{2610010010000}' FROM homeowner_acquisition.lead_queue));
INSERT INTO claims SELECT 'bob', homeowner_acquisition.claim_next_lead('bob');
SELECT pg_temp.check('second claim takes the next',
    (SELECT p.owner_key = 'SMITH JOHN'
       FROM homeowner_acquisition.prospects p JOIN claims ON p.prospect_id = id AND p.assigned_to = who
      WHERE who = 'bob'));
SELECT pg_temp.check('empty queue claims nothing', homeowner_acquisition.claim_next_lead('carol') IS NULL);
SELECT pg_temp.expect('claim without an agent', $q$SELECT homeowner_acquisition.claim_next_lead(' ')$q$, '22023');
SELECT pg_temp.expect('acting on another agent''s claim',
    $q$SELECT homeowner_acquisition.release_lead((SELECT id FROM claims WHERE who = 'alice'), 'bob', 'x')$q$, 'LD002');
SELECT pg_temp.expect('no such lead', $q$SELECT homeowner_acquisition.release_lead(-1, 'bob', 'x')$q$, 'LD001');
UPDATE homeowner_acquisition.prospects SET claim_expires_at = now() - interval '1 minute'
 WHERE assigned_to = 'bob';
SELECT pg_temp.check('a lapsed claim returns to the queue',
    (SELECT array_agg(best_tmk) = '{2610010010000}' FROM homeowner_acquisition.lead_queue));
SELECT pg_temp.expect('acting on a lapsed claim',
    $q$SELECT homeowner_acquisition.release_lead((SELECT id FROM claims WHERE who = 'bob'), 'bob', 'x')$q$, 'LD003');
-- the stage machine and do-not-contact hold whoever writes the row
SELECT pg_temp.check('do not contact is a stage',
    (SELECT status = 'do_not_contact' FROM homeowner_acquisition.prospects WHERE owner_key = 'NO CALL'));
SELECT pg_temp.expect('illegal stage move', $q$UPDATE homeowner_acquisition.prospects SET status = 'won' WHERE owner_key = 'SMITH JOHN'$q$, 'LD005');
SELECT pg_temp.expect('lost without a reason', $q$UPDATE homeowner_acquisition.prospects SET status = 'lost' WHERE owner_key = 'SMITH JOHN'$q$, '23514');
SELECT pg_temp.expect('unknown stage', $q$UPDATE homeowner_acquisition.prospects SET status = 'engaged' WHERE owner_key = 'SMITH JOHN'$q$, 'LD005');
SELECT pg_temp.expect('do not contact is for good', $q$UPDATE homeowner_acquisition.prospects SET do_not_contact = false WHERE owner_key = 'NO CALL'$q$, 'LD007');
SELECT pg_temp.expect('nothing leaves do not contact', $q$UPDATE homeowner_acquisition.prospects SET status = 'new' WHERE owner_key = 'NO CALL'$q$, 'LD007');
SELECT pg_temp.accept('a legal stage move', $q$UPDATE homeowner_acquisition.prospects SET status = 'contacted' WHERE owner_key = 'SMITH JOHN'$q$);
SELECT pg_temp.check('a stage move is stamped',
    (SELECT stage_changed_at IS NOT NULL FROM homeowner_acquisition.prospects WHERE owner_key = 'SMITH JOHN'));
UPDATE external.properties SET is_ours = true WHERE tmk = '2610010010000';
SELECT pg_temp.check('our own properties are not leads',
    NOT EXISTS (SELECT 1 FROM homeowner_acquisition.lead_queue));
SELECT pg_temp.check('updated_at moves on update',
    (SELECT updated_at > created_at FROM external.properties WHERE tmk = '2610010010000'));
SELECT pg_temp.accept('signal activity', $q$INSERT INTO homeowner_acquisition.lead_activities (prospect_id, activity_type, lead_source_code, signal_key, performed_by)
    SELECT prospect_id, 'signal', 'COUNTY_SALE', 'COUNTY_SALE:2:doc:A-87654321', 'mi-leads' FROM homeowner_acquisition.prospects WHERE owner_key = 'SMITH JOHN'$q$);
SELECT pg_temp.expect('duplicate signal activity', $q$INSERT INTO homeowner_acquisition.lead_activities (prospect_id, activity_type, lead_source_code, signal_key, performed_by)
    SELECT prospect_id, 'signal', 'COUNTY_SALE', 'COUNTY_SALE:2:doc:A-87654321', 'mi-leads' FROM homeowner_acquisition.prospects WHERE owner_key = 'SMITH JOHN'$q$, '23505');
SELECT pg_temp.accept('two manual calls', $q$INSERT INTO homeowner_acquisition.lead_activities (prospect_id, activity_type, direction, outcome, performed_by)
    SELECT prospect_id, 'call', 'outbound', o, 'alice' FROM homeowner_acquisition.prospects, unnest('{no_answer,left_message}'::text[]) o WHERE owner_key = 'SMITH JOHN'$q$);
SELECT pg_temp.expect('activity with unknown lead source', $q$INSERT INTO homeowner_acquisition.lead_activities (prospect_id, activity_type, lead_source_code)
    SELECT prospect_id, 'note', 'NOPE' FROM homeowner_acquisition.prospects WHERE owner_key = 'SMITH JOHN'$q$, '23503');
SELECT pg_temp.expect('revenue projection occupancy above 1', $q$INSERT INTO homeowner_acquisition.revenue_projections (tmk, period_start, period_end, adr, occupancy, available_nights, projected_nights, gross_revenue, management_fee_pct, management_fee, net_to_owner, model_version) VALUES ('2610010010000', '2025-01-01', '2026-01-01', 300, 1.2, 365, 300, 90000, 20, 18000, 72000, 'm1')$q$, '23514');
SELECT pg_temp.expect('management fee above 100 percent', $q$INSERT INTO homeowner_acquisition.revenue_projections (tmk, period_start, period_end, adr, occupancy, available_nights, projected_nights, gross_revenue, management_fee_pct, management_fee, net_to_owner, model_version) VALUES ('2610010010000', '2025-01-01', '2026-01-01', 300, 0.7, 365, 255.5, 76650, 120, 15330, 61320, 'm1')$q$, '23514');

-- Operations tables.
SELECT pg_temp.accept('run', $q$INSERT INTO etl.runs (run_id, kind) VALUES ('nightly-20240913', 'test')$q$);
SELECT pg_temp.expect('run id starting with a dot', $q$INSERT INTO etl.runs (run_id, kind) VALUES ('.hidden', 'test')$q$, '23514');
SELECT pg_temp.expect('run id with a slash', $q$INSERT INTO etl.runs (run_id, kind) VALUES ('../x', 'test')$q$, '23514');
SELECT pg_temp.expect('stage result of unknown run', $q$INSERT INTO etl.stage_results (run_id, stage) VALUES ('no-such-run', 'parse')$q$, '23503');
SELECT pg_temp.expect('finished run still running', $q$UPDATE etl.runs SET finished_at = now()$q$, '23514');
SELECT pg_temp.expect('load that does not reconcile', $q$INSERT INTO etl.stage_results (run_id, stage, source, status, finished_at, rows_read, rows_inserted, rows_rejected) SELECT max(run_id), 'load', 'maui-sales', 'succeeded', now(), 100, 90, 5 FROM etl.runs$q$, '23514');
SELECT pg_temp.accept('load that reconciles', $q$INSERT INTO etl.stage_results (run_id, stage, source, status, finished_at, rows_read, rows_inserted, rows_skipped, rows_rejected) SELECT max(run_id), 'load', 'maui-sales', 'succeeded', now(), 100, 90, 5, 5 FROM etl.runs$q$);
SELECT pg_temp.accept('whole-stage result', $q$INSERT INTO etl.stage_results (run_id, stage) SELECT max(run_id), 'parse' FROM etl.runs$q$);
SELECT pg_temp.expect('second whole-stage result', $q$INSERT INTO etl.stage_results (run_id, stage) SELECT max(run_id), 'parse' FROM etl.runs$q$, '23505');
SELECT pg_temp.accept('change event', $q$INSERT INTO etl.change_events (event_type, event_key, tmk, occurred_on) VALUES ('sale_recorded', '2:doc:A-87654321', '2610010010000', '2024-08-30')$q$);
SELECT pg_temp.expect('duplicate change event', $q$INSERT INTO etl.change_events (event_type, event_key, tmk, occurred_on) VALUES ('sale_recorded', '2:doc:A-87654321', '2610010010000', '2024-08-31')$q$, '23505');
SELECT pg_temp.expect('unknown change event type', $q$INSERT INTO etl.change_events (event_type, event_key, tmk, occurred_on) VALUES ('moon_phase', 'k', '2610010010000', '2024-08-31')$q$, '23514');
SELECT pg_temp.accept('loaded file', $q$INSERT INTO etl.loaded_files (content_sha256, entity, source, file_name, bytes) VALUES (repeat('9', 64), 'sales', 'maui-sales', 'sales.copy', 10)$q$);
SELECT pg_temp.expect('file loaded twice', $q$INSERT INTO etl.loaded_files (content_sha256, entity, source, file_name, bytes) VALUES (repeat('9', 64), 'sales', 'maui-sales', 'again.copy', 10)$q$, '23505');
SELECT pg_temp.expect('reject without reason', $q$INSERT INTO etl.rejects (run_id, stage, source, reason) SELECT max(run_id), 'parse', 'maui-sales', '' FROM etl.runs$q$, '23514');
SELECT pg_temp.accept('fetch items', $q$INSERT INTO etl.fetch_queue (run_id, source, url, priority) SELECT (SELECT max(run_id) FROM etl.runs), 'pm-site', u, p FROM (VALUES ('http://127.0.0.1:8080/a', 2), ('http://127.0.0.1:8080/b', 1), ('http://Example.INVALID/c', 3)) v(u, p)$q$);
SELECT pg_temp.expect('fetch url queued twice', $q$INSERT INTO etl.fetch_queue (run_id, source, url) SELECT max(run_id), 'pm-site', 'http://127.0.0.1:8080/a' FROM etl.runs$q$, '23505');
SELECT pg_temp.accept('park a host', $q$INSERT INTO etl.host_state (host, parked_until, parked_reason) VALUES ('example.invalid', now() + interval '1 hour', '429 Retry-After 3600')$q$);
SELECT pg_temp.check('claim fetch items skips parked hosts, by priority',
    (SELECT array_agg(url ORDER BY priority) = '{http://127.0.0.1:8080/b,http://127.0.0.1:8080/a}'
       FROM etl.claim_fetch_items('w1', 10)));
SELECT pg_temp.check('leased items are not claimed again', NOT EXISTS (SELECT 1 FROM etl.claim_fetch_items('w2', 10)));
SELECT pg_temp.check('fetch host derived',
    (SELECT array_agg(DISTINCT host ORDER BY host) = '{127.0.0.1,example.invalid}' FROM etl.fetch_queue));
EOF
rc=$?
[ $rc -eq 0 ] || fail "check script failed (psql exit $rc): $(cat "$t_tmp/checks.err")"

n_fail=$(grep -c '^FAIL' "$t_tmp/checks.out")
n_ok=$(grep -c '^ok ' "$t_tmp/checks.out")
if [ "$n_fail" -ne 0 ]; then
	grep '^FAIL' "$t_tmp/checks.out" >&2
	fail "$n_fail of $((n_ok + n_fail)) schema checks failed"
fi
[ "$n_ok" -ge 100 ] || fail "only $n_ok checks ran: $(cat "$t_tmp/checks.out" "$t_tmp/checks.err")"
echo "t0200-schema: 18 tables, all commented, $n_ok checks passed"
exit 0
