-- 010_load.sql: helpers of mi-load (pipeline/load.c): the pricing snapshot
-- built apart and attached whole, and the small parsing functions the merge
-- scripts in sql/load/ share.

-- ---------------------------------------------------------------------------
-- Pricing: a new snapshot is built apart, keyed, and attached in one piece
-- ---------------------------------------------------------------------------

CREATE FUNCTION etl.load_pricing_snapshot_exists(d date) RETURNS boolean
    LANGUAGE sql STABLE SET datestyle = 'ISO' AS $$
    SELECT EXISTS (
        SELECT 1
          FROM pg_inherits m
          JOIN pg_inherits s ON s.inhparent = m.inhrelid
          JOIN pg_class c ON c.oid = s.inhrelid
         WHERE m.inhparent = 'external.property_pricing'::regclass
           AND pg_get_expr(c.relpartbound, c.oid) = format('FOR VALUES IN (%L)', d))
$$;
COMMENT ON FUNCTION etl.load_pricing_snapshot_exists(date) IS
    'True when external.property_pricing already has the snapshot partition for snapshot date d (then mi-load merges a pricing file into it instead of building the snapshot apart).';

CREATE FUNCTION etl.load_pricing_build_table(name text, d date) RETURNS regclass
    LANGUAGE plpgsql SET datestyle = 'ISO' AS $$
BEGIN
    IF name !~ '^pricing_build_[0-9]{8}$' THEN
        RAISE EXCEPTION 'bad build table name "%"', name USING ERRCODE = '22023';
    END IF;
    -- a table left by a killed load is never attached: start again
    EXECUTE format('DROP TABLE IF EXISTS etl.%I', name);
    EXECUTE format('CREATE TABLE etl.%I (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    -- implies the partition bound, so ATTACH needs no scan of the rows
    EXECUTE format('ALTER TABLE etl.%I ADD CONSTRAINT %I CHECK (snapshot_date IS NOT NULL AND snapshot_date = %L)',
                   name, name || '_date', d);
    EXECUTE format('COMMENT ON TABLE etl.%I IS %L', name,
                   format('mi-load work table: snapshot %s of external.property_pricing being built apart; attached or dropped by the load.', d));
    RETURN format('etl.%I', name)::regclass;
END
$$;
COMMENT ON FUNCTION etl.load_pricing_build_table(text, date) IS
    'Creates (dropping any leftover of a killed load) the work table etl.<name> (name pricing_build_YYYYMMDD) with the columns and checks of external.property_pricing plus CHECK (snapshot_date = d), committed by mi-load before its parallel COPY streams fill it. It becomes part of external.property_pricing only through etl.load_pricing_attach.';

CREATE FUNCTION etl.load_pricing_attach(tbl regclass, d date) RETURNS bigint
    LANGUAGE plpgsql SET datestyle = 'ISO' AS $$
DECLARE
    month_part regclass;
    name text := format('property_pricing_s%s', to_char(d, 'YYYYMMDD'));
    dups bigint := 0;
    part record;
    k integer := 0;
BEGIN
    IF etl.load_pricing_snapshot_exists(d) THEN
        RAISE EXCEPTION 'snapshot "%" is already loaded', d USING ERRCODE = '42P07';
    END IF;
    BEGIN
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (platform, listing_id, snapshot_date, stay_date)',
                       tbl, name || '_pkey');
    EXCEPTION WHEN unique_violation THEN
        -- the file repeats a key: keep its first row, then build the key
        EXECUTE format('DELETE FROM %s t USING (SELECT tableoid AS o, ctid AS c, row_number() OVER (
                            PARTITION BY platform, listing_id, snapshot_date, stay_date ORDER BY tableoid, ctid) AS n
                          FROM %s) x WHERE t.tableoid = x.o AND t.ctid = x.c AND x.n > 1', tbl, tbl);
        GET DIAGNOSTICS dups = ROW_COUNT;
        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY (platform, listing_id, snapshot_date, stay_date)',
                       tbl, name || '_pkey');
    END;
    month_part := external.pricing_month_partition(d);
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %s FOR VALUES IN (%L)', month_part, tbl, d);
    -- the listing ranges (when built partitioned) move and are renamed with it
    FOR part IN SELECT i.inhrelid::regclass AS r FROM pg_inherits i
                 WHERE i.inhparent = tbl ORDER BY i.inhrelid LOOP
        k := k + 1;
        EXECUTE format('ALTER TABLE %s SET SCHEMA external', part.r);
        EXECUTE format('ALTER TABLE %s RENAME TO %I', part.r, name || '_' || k);
        -- its key index was named after the work table: name it after the partition
        EXECUTE format('ALTER INDEX %s RENAME TO %I',
                       (SELECT x.indexrelid::regclass FROM pg_index x
                         WHERE x.indrelid = part.r AND x.indisprimary),
                       name || '_' || k || '_pkey');
        EXECUTE format('COMMENT ON TABLE %s IS %L', part.r,
                       format('Listing range %s of snapshot partition %s of external.property_pricing.', k, name));
    END LOOP;
    EXECUTE format('ALTER TABLE %s SET SCHEMA external', tbl);
    EXECUTE format('ALTER TABLE %s RENAME TO %I', tbl, name);
    EXECUTE format('COMMENT ON TABLE %s IS %L', tbl,
                   format('Snapshot partition of external.property_pricing: the calendar rows scraped on %s.', d));
    RETURN dups;
END
$$;
COMMENT ON FUNCTION etl.load_pricing_attach(regclass, date) IS
    'Makes the work table tbl (from etl.load_pricing_build_table, filled with the rows of snapshot d) the snapshot partition of external.property_pricing for d: adds the primary key (platform, listing_id, snapshot_date, stay_date), de-duplicating first when the file repeated a key (the first row is kept), attaches it without a scan, moves it (and its listing ranges when it was built partitioned, renamed property_pricing_sYYYYMMDD_N) to schema external as property_pricing_sYYYYMMDD. Returns the number of duplicate rows removed. Fails (42P07) when d is already loaded. Call it in the transaction that records the file in etl.loaded_files.';

CREATE FUNCTION etl.load_pricing_drop_build(name text) RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF name !~ '^pricing_build_[0-9]{8}$' THEN
        RAISE EXCEPTION 'bad build table name "%"', name USING ERRCODE = '22023';
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS etl.%I', name);
END
$$;
COMMENT ON FUNCTION etl.load_pricing_drop_build(text) IS
    'Drops the work table etl.<name> of a pricing snapshot load that failed or fell back to the merge path (name pricing_build_YYYYMMDD).';

-- ---------------------------------------------------------------------------
-- Parsing helpers of the merge scripts (sql/load/*.sql)
-- ---------------------------------------------------------------------------

CREATE FUNCTION etl.load_split_ids(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}')
      FROM unnest(regexp_split_to_array(btrim(s), '[\s,;|]+')) AS x
     WHERE x <> ''
$$;
COMMENT ON FUNCTION etl.load_split_ids(text) IS
    'Splits a list of ids as written in an entity file (separated by spaces, commas, semicolons or bars) into a sorted array without duplicates or empty elements; NULL or blank gives {}. Used for TAT, GE and permit id lists and for flag lists.';

CREATE FUNCTION etl.load_codes(s text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT lower(x) ORDER BY lower(x)), '{}')
      FROM unnest(regexp_split_to_array(btrim(s), '[\s,;|]+')) AS x
     WHERE x <> ''
$$;
COMMENT ON FUNCTION etl.load_codes(text) IS
    'Splits a list of lower-case codes (flags) as written in an entity file into a sorted array without duplicates; NULL or blank gives {}. The CHECK constraints of the target columns (etl.codes_valid) refuse malformed codes, which makes the row a reject.';

CREATE FUNCTION etl.load_merge_array(a text[], b text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT x ORDER BY x), '{}')
      FROM unnest(coalesce(a, '{}') || coalesce(b, '{}')) AS x
     WHERE x IS NOT NULL
$$;
COMMENT ON FUNCTION etl.load_merge_array(text[], text[]) IS
    'Union of two text arrays, sorted, without duplicates or NULLs: how mi-load accumulates sources, tax ids and permit ids without ever losing a value already known.';

CREATE FUNCTION etl.load_distance_m(lat1 double precision, lon1 double precision,
                                    lat2 double precision, lon2 double precision)
    RETURNS double precision
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT 6371008.8 * 2 * asin(sqrt(
               power(sin(radians(lat2 - lat1) / 2), 2)
               + cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;
COMMENT ON FUNCTION etl.load_distance_m(double precision, double precision, double precision, double precision) IS
    'Great-circle (haversine) distance in metres between two WGS84 points; used by the geo step of listing matching.';

CREATE FUNCTION etl.load_tmk_ok(s text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT s ~ '^[1-4][0-9]{12}$'
       AND substr(s, 2, 1) <> '0'
       AND substr(s, 3, 1) <> '0'
       AND NOT (substr(s, 1, 1) = '4' AND substr(s, 2, 1) > '5')
       AND NOT (substr(s, 1, 1) = '2' AND substr(s, 2, 1) > '6')
$$;
COMMENT ON FUNCTION etl.load_tmk_ok(text) IS
    'True when s would pass the CHECK of domain external.tmk (13 digits, county 1-4, zone and section not 0, the county zone limits); lets a merge skip a bad TMK taken from free text instead of failing on it.';
