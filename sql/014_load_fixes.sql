-- 014_load_fixes.sql: what loading real-format data found wrong in the load path.
--   * flags written with hyphens (the Maui parser's sale-date-placeholder) are
--     codes with underscores: etl.load_codes maps '-' to '_' so that the
--     target columns' CHECK (etl.codes_valid) accepts them;
--   * county property types (CONDOMINIUM, SINGLE FAMILY, APT, Condo...) are
--     mapped to the codes of external.properties.property_type in one place,
--     etl.load_property_type;
--   * the comments of complaint_flags and inferred_status say what is written;
--   * the CHECK functions etl.codes_valid and etl.jsonb_scores_valid are single
--     expressions (same results), which the planner inlines into the
--     constraints instead of running a SQL function with a subquery per row.

CREATE OR REPLACE FUNCTION etl.load_codes(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT translate(lower(x), '-', '_')
                              ORDER BY translate(lower(x), '-', '_')), '{}')
      FROM unnest(regexp_split_to_array(btrim(s), '[\s,;|]+')) AS x
     WHERE x <> ''
$$;
COMMENT ON FUNCTION etl.load_codes(text) IS
    'Splits a list of lower-case codes (flags) as written in an entity file into a sorted array without duplicates; NULL or blank gives {}. Upper case is lowered and a hyphen becomes an underscore (sale-date-placeholder -> sale_date_placeholder), the one spelling of a code. The CHECK constraints of the target columns (etl.codes_valid) refuse other malformed codes, which makes the row a reject.';

-- The vocabulary of the counties' and the platforms' property types, as
-- found in the rolls and the listing pages (upper or mixed case, spaces,
-- hyphens or slashes between words).  Checked in order: the specific kinds
-- (hotel condo, timeshare, townhouse) before the words they contain (condo,
-- house).  APT / APARTMENT is the counties' apartment class, a building of
-- rental units in one ownership (multi_family); a unit of a condominium
-- regime says CONDO or CPR.  Anything else is 'other' (the loader keeps the
-- raw value in extra.property_type_raw).
CREATE FUNCTION etl.load_property_type(raw text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN k IS NULL OR k = '' THEN NULL
        WHEN k IN ('single_family', 'condo', 'townhouse', 'multi_family', 'vacant_land',
                   'agricultural', 'commercial', 'hotel_condo', 'timeshare', 'other') THEN k
        WHEN k ~ '(^|_)(hotel|condotel|resort)(_|$)' THEN 'hotel_condo'
        WHEN k ~ '(^|_)time_?share' THEN 'timeshare'
        WHEN k ~ '(^|_)town_?(house|home)s?(_|$)|(^|_)row_?house(_|$)' THEN 'townhouse'
        WHEN k ~ '(^|_)(condo|condominium|condominiums|cpr)(_|$)' THEN 'condo'
        WHEN k ~ '(^|_)(apt|apts|apartment|apartments|duplex|triplex|fourplex|quadplex|multi_?family|multi_?unit|multiple_dwelling)(_|$)'
            THEN 'multi_family'
        WHEN k ~ '(^|_)(single_?family|sfr|sfd|house|home|residence|residential|res|dwelling|cottage|bungalow|villa|cabin)(_|$)'
            THEN 'single_family'
        WHEN k ~ '(^|_)(vacant|unimproved|land|lot)(_|$)' THEN 'vacant_land'
        WHEN k ~ '(^|_)(ag|agr|agricultural|agriculture|farm|ranch)(_|$)' THEN 'agricultural'
        WHEN k ~ '(^|_)(commercial|comm|industrial|retail|office)(_|$)' THEN 'commercial'
        ELSE 'other' END
      FROM (SELECT btrim(regexp_replace(lower(raw), '[^a-z0-9]+', '_', 'g'), '_') AS k) x
$$;
COMMENT ON FUNCTION etl.load_property_type(text) IS
    'Maps a property type as written by a county roll or a platform (CONDOMINIUM, SINGLE FAMILY, APT, Condo, Entire condo...) to a code of external.properties.property_type: single_family, condo, townhouse, multi_family, vacant_land, agricultural, commercial, hotel_condo, timeshare, other (anything not recognized). NULL or blank gives NULL. The loaders keep the raw value in extra.property_type_raw when it is not already the code.';

COMMENT ON COLUMN external.property_reviews.complaint_flags IS
    'Management-issue flags raised by mi-score, lower-case codes: the aspect families the review complains about (cleanliness, maintenance, communication, checkin, accuracy, amenities, value, noise) and names_manager when it names the host or the management company.';
COMMENT ON COLUMN external.property_pricing.inferred_status IS
    'Set by mi-compset from consecutive snapshots when [metrics] mark_nights is on (config/compset.ini): available, booked (turned unavailable before the night), blocked (owner or hold), unknown. NULL when the night was never marked.';

-- The CHECK functions, cheaper with the same results as in 001_schemas.sql
-- (bench/checks.sh measures them; fixtures/load/fixes/checks.sql compares
-- them with the first ones on edge cases).  A SQL function with a subquery is
-- run by the SQL-function executor at every call (a plan per call).
--
-- codes_valid: a PL/pgSQL loop over the elements (of every dimension), each
-- test a simple expression evaluated without a plan.
CREATE OR REPLACE FUNCTION etl.codes_valid(codes text[]) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    c text;
BEGIN
    IF codes IS NULL THEN
        RETURN true;
    END IF;
    FOREACH c IN ARRAY codes LOOP
        IF c IS NULL OR c !~ '^[a-z][a-z0-9_]*$' OR octet_length(c) > 40 THEN
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END
$$;

-- jsonb_scores_valid: one expression of immutable functions only, which the
-- planner inlines into the constraint (with lo and hi folded to constants).
-- The values by a strict JSON path filter (a non-number, or a number outside
-- lo..hi; a NULL bound is not checked, as before; the path fails silently on
-- a non-object, which the first test refuses).  The allowed keys by removing
-- them (doc - allowed leaves the others).  Once every value is a number, the
-- only strings of the document's text are its keys, each opened after '{' or
-- ' ' (jsonb writes {"k": v, "k2": v2}): a key that does not start with a
-- letter, holds another character than [a-z0-9_] (an escape starts with a
-- backslash) or runs 41 characters (the 40-octet limit; these characters are
-- one octet each) is refused.
CREATE OR REPLACE FUNCTION etl.jsonb_scores_valid(doc jsonb, allowed text[], lo numeric, hi numeric)
    RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT jsonb_typeof(doc) = 'object'
       AND (allowed IS NULL OR doc - allowed = '{}'::jsonb)
       AND NOT jsonb_path_exists(doc, 'strict $.* ? (@.type() != "number" || @ < $lo || @ > $hi)',
                                 ('{"lo": ' || coalesce(lo::text, 'null') || ', "hi": '
                                  || coalesce(hi::text, 'null') || '}')::jsonb, true)
       AND doc::text !~ '[{ ]"([^a-z]|[a-z][a-z0-9_]*[^a-z0-9_"]|[a-z0-9_]{41})'
$$;
