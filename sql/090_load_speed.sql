-- 090_load_speed.sql: the parsing helpers of the merges (sql/load/*.sql), per row
-- at the speed of an expression.
--
-- etl.load_split_ids, etl.load_codes, etl.load_merge_array and
-- etl.load_property_type were SQL functions with a FROM clause: the planner
-- cannot inline those, so the SQL-function executor ran each one at every call,
-- a query of its own per row and column (a properties file of 50,000 rows spent
-- half of its merge there; make bench-night).  They are PL/pgSQL now, whose
-- simple expressions are evaluated without a plan, with the same results: the
-- common inputs (NULL, blank, one id or code, arrays of one element) are
-- answered directly, anything else by the same query as before.
-- fixtures/load/speed/helpers.sql compares them with the SQL versions.

CREATE OR REPLACE FUNCTION etl.load_split_ids(s text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF s IS NULL THEN
        RETURN '{}';
    END IF;
    IF s !~ '[\s,;|]' THEN
        -- one id (btrim takes spaces only, and there are none)
        RETURN CASE WHEN s = '' THEN '{}'::text[] ELSE ARRAY[s] END;
    END IF;
    RETURN (SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}')
              FROM unnest(regexp_split_to_array(btrim(s), '[\s,;|]+')) AS x
             WHERE x <> '');
END
$$;

CREATE OR REPLACE FUNCTION etl.load_codes(s text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    IF s IS NULL THEN
        RETURN '{}';
    END IF;
    IF s !~ '[\s,;|]' THEN
        RETURN CASE WHEN s = '' THEN '{}'::text[] ELSE ARRAY[translate(lower(s), '-', '_')] END;
    END IF;
    RETURN (SELECT coalesce(array_agg(DISTINCT translate(lower(x), '-', '_')
                                      ORDER BY translate(lower(x), '-', '_')), '{}')
              FROM unnest(regexp_split_to_array(btrim(s), '[\s,;|]+')) AS x
             WHERE x <> '');
END
$$;

-- a[1] IS NOT NULL with one element: a one-dimensional array from 1 (what
-- every merge writes) holding a value; anything else takes the query.
CREATE OR REPLACE FUNCTION etl.load_merge_array(a text[], b text[]) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    na integer := coalesce(cardinality(a), 0);
    nb integer := coalesce(cardinality(b), 0);
BEGIN
    IF na = 0 AND nb = 0 THEN
        RETURN '{}';
    END IF;
    IF na = 1 AND a[1] IS NOT NULL AND (nb = 0 OR (nb = 1 AND b[1] = a[1])) THEN
        RETURN a;
    END IF;
    IF na = 0 AND nb = 1 AND b[1] IS NOT NULL THEN
        RETURN b;
    END IF;
    RETURN (SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}')
              FROM unnest(coalesce(a, '{}') || coalesce(b, '{}')) AS x
             WHERE x IS NOT NULL);
END
$$;

CREATE OR REPLACE FUNCTION etl.load_property_type(raw text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    k text;
BEGIN
    IF raw IS NULL THEN
        RETURN NULL;
    END IF;
    IF raw IN ('single_family', 'condo', 'townhouse', 'multi_family', 'vacant_land',
               'agricultural', 'commercial', 'hotel_condo', 'timeshare', 'other') THEN
        RETURN raw;
    END IF;
    k := btrim(regexp_replace(lower(raw), '[^a-z0-9]+', '_', 'g'), '_');
    RETURN CASE
        WHEN k = '' THEN NULL
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
        ELSE 'other' END;
END
$$;
