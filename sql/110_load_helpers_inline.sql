-- 110_load_helpers_inline.sql: the merges' parsing helpers answer their
-- common inputs inside the statement, without a function call.
--
-- 090 made etl.load_split_ids, etl.load_codes, etl.load_merge_array and
-- etl.load_property_type PL/pgSQL functions that answer the common inputs
-- before their general query.  A PL/pgSQL call still costs some 3-6 us, and
-- a merge makes several per row: the owner roll's merge calls
-- etl.load_merge_array three times per parcel (the set-apart join, the SET,
-- the upsert's recheck), and a parcel's sources hold two or three roll ids,
-- which 090's fast path (one element) did not answer.  At bench scale 1 an
-- owner roll of 250,000 parcels seen again on the next day (every row
-- rewritten for its last_seen) merged in 12.2-13.7 s; 8.7-9.0 s with this
-- change.
--
-- Each helper is now a SQL function of one CASE expression, which the planner
-- inlines into the statement that calls it (no FROM clause, no sub-query,
-- arguments that are columns): the common inputs are answered there, and
-- only the others call the PL/pgSQL function of 090, renamed *_full, which
-- stays the definition and answers every input.  For load_merge_array the
-- answer given directly is the union when it is one of the two arrays as
-- they are: the other is empty or contained in it, and it is already sorted
-- without duplicates or NULLs (checked for up to three elements: a[1] < a[2]
-- < a[3], false for a NULL element or an array not starting at 1).  The
-- answers are those of 010's SQL functions: t0711 compares them on edge
-- cases (fixtures/load/speed/helpers.sql).

ALTER FUNCTION etl.load_split_ids(text) RENAME TO load_split_ids_full;
ALTER FUNCTION etl.load_codes(text) RENAME TO load_codes_full;
ALTER FUNCTION etl.load_merge_array(text[], text[]) RENAME TO load_merge_array_full;
ALTER FUNCTION etl.load_property_type(text) RENAME TO load_property_type_full;

CREATE FUNCTION etl.load_split_ids(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
           WHEN s IS NULL OR s = '' THEN '{}'::text[]
           -- one id (btrim takes spaces only, and there are none)
           WHEN s !~ '[\s,;|]' THEN ARRAY[s]
           ELSE etl.load_split_ids_full(s) END
$$;

CREATE FUNCTION etl.load_codes(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
           WHEN s IS NULL OR s = '' THEN '{}'::text[]
           WHEN s !~ '[\s,;|]' THEN ARRAY[translate(lower(s), '-', '_')]
           ELSE etl.load_codes_full(s) END
$$;

-- an array of up to three elements, from 1, sorted without duplicates or
-- NULLs (a NULL element or one past the bounds makes a comparison NULL)
CREATE FUNCTION etl.load_array_sorted(a text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE cardinality(a)
           WHEN 1 THEN a[1] IS NOT NULL
           WHEN 2 THEN a[1] < a[2]
           WHEN 3 THEN a[1] < a[2] AND a[2] < a[3]
           ELSE false END
$$;

CREATE FUNCTION etl.load_merge_array(a text[], b text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
           WHEN coalesce(cardinality(a), 0) = 0 AND coalesce(cardinality(b), 0) = 0
                THEN '{}'::text[]
           WHEN (coalesce(cardinality(b), 0) = 0 OR a @> b) AND etl.load_array_sorted(a) THEN a
           WHEN coalesce(cardinality(a), 0) = 0 AND etl.load_array_sorted(b) THEN b
           ELSE etl.load_merge_array_full(a, b) END
$$;

CREATE FUNCTION etl.load_property_type(raw text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
           WHEN raw IS NULL THEN NULL
           WHEN raw IN ('single_family', 'condo', 'townhouse', 'multi_family', 'vacant_land',
                        'agricultural', 'commercial', 'hotel_condo', 'timeshare', 'other') THEN raw
           ELSE etl.load_property_type_full(raw) END
$$;

COMMENT ON FUNCTION etl.load_split_ids(text) IS
    'Splits a list of ids as written in an entity file (separated by spaces, commas, semicolons or bars) into a sorted array without duplicates or empty elements; NULL or blank gives {}. Used for TAT, GE and permit id lists and for flag lists. Inlined into the merges: a blank value or a single id is answered in the statement, a list by etl.load_split_ids_full.';
COMMENT ON FUNCTION etl.load_split_ids_full(text) IS
    'The definition of etl.load_split_ids, for every input (PL/pgSQL: one id directly, a list by a query); called by it for a list.';
COMMENT ON FUNCTION etl.load_codes(text) IS
    'Splits a list of lower-case codes (flags) as written in an entity file into a sorted array without duplicates; NULL or blank gives {}. Upper case is lowered and a hyphen becomes an underscore (sale-date-placeholder -> sale_date_placeholder), the one spelling of a code. The CHECK constraints of the target columns (etl.codes_valid) refuse other malformed codes, which makes the row a reject. Inlined into the merges: a blank value or a single code is answered in the statement, a list by etl.load_codes_full.';
COMMENT ON FUNCTION etl.load_codes_full(text) IS
    'The definition of etl.load_codes, for every input (PL/pgSQL); called by it for a list.';
COMMENT ON FUNCTION etl.load_merge_array(text[], text[]) IS
    'Union of two text arrays, sorted, without duplicates or NULLs: how mi-load accumulates sources, tax ids and permit ids without ever losing a value already known. Inlined into the merges: when the union is one of the two arrays as they are (the other empty or contained in it, and it sorted without duplicates or NULLs, up to three elements) it is answered in the statement, otherwise by etl.load_merge_array_full.';
COMMENT ON FUNCTION etl.load_array_sorted(text[]) IS
    'True for a one-dimensional array of one to three elements from index 1, sorted without duplicates or NULLs: the arrays etl.load_merge_array returns as they are (inlined into it, and with it into the merges).';
COMMENT ON FUNCTION etl.load_merge_array_full(text[], text[]) IS
    'The definition of etl.load_merge_array, for every input (PL/pgSQL: the sorted union by a query); called by it when the union is not one of the two arrays as they are.';
COMMENT ON FUNCTION etl.load_property_type(text) IS
    'Maps a property type as written by a county roll or a platform (CONDOMINIUM, SINGLE FAMILY, APT, Condo, Entire condo...) to a code of external.properties.property_type: single_family, condo, townhouse, multi_family, vacant_land, agricultural, commercial, hotel_condo, timeshare, other (anything not recognized). NULL or blank gives NULL. The loaders keep the raw value in extra.property_type_raw when it is not already the code. Inlined into the merges: NULL and a value already a code are answered in the statement, any other by etl.load_property_type_full.';
COMMENT ON FUNCTION etl.load_property_type_full(text) IS
    'The definition of etl.load_property_type, for every input (PL/pgSQL: the words of the value matched to a code); called by it for a value not already a code.';
