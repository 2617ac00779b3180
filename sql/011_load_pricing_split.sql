-- 011_load_pricing_split.sql: a new pricing snapshot built apart as a table
-- partitioned by listing_id ranges, one range per COPY stream, so that each
-- stream fills its own heap in file order and the key is built on sorted rows.

CREATE FUNCTION etl.load_pricing_build_table(name text, d date, splits text[]) RETURNS regclass
    LANGUAGE plpgsql SET datestyle = 'ISO' AS $$
DECLARE
    i integer;
    n integer := coalesce(cardinality(splits), 0);
    lo text;
    hi text;
BEGIN
    IF name !~ '^pricing_build_[0-9]{8}$' THEN
        RAISE EXCEPTION 'bad build table name "%"', name USING ERRCODE = '22023';
    END IF;
    -- ascending in the key's collation, without duplicates
    splits := ARRAY(SELECT DISTINCT x FROM unnest(splits) AS x WHERE x IS NOT NULL ORDER BY x);
    n := cardinality(splits);
    IF n = 0 THEN
        RETURN etl.load_pricing_build_table(name, d);
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS etl.%I', name);
    EXECUTE format('CREATE TABLE etl.%I (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS) '
                   'PARTITION BY RANGE (listing_id)', name);
    EXECUTE format('ALTER TABLE etl.%I ADD CONSTRAINT %I CHECK (snapshot_date IS NOT NULL AND snapshot_date = %L)',
                   name, name || '_date', d);
    EXECUTE format('COMMENT ON TABLE etl.%I IS %L', name,
                   format('mi-load work table: snapshot %s of external.property_pricing being built apart; attached or dropped by the load.', d));
    FOR i IN 0 .. n LOOP
        lo := CASE WHEN i = 0 THEN 'MINVALUE' ELSE quote_literal(splits[i]) END;
        hi := CASE WHEN i = n THEN 'MAXVALUE' ELSE quote_literal(splits[i + 1]) END;
        EXECUTE format('CREATE TABLE etl.%I PARTITION OF etl.%I FOR VALUES FROM (%s) TO (%s)',
                       name || '_' || (i + 1), name, lo, hi);
        EXECUTE format('COMMENT ON TABLE etl.%I IS %L', name || '_' || (i + 1),
                       format('mi-load work table: listing range %s of snapshot %s.', i + 1, d));
    END LOOP;
    RETURN format('etl.%I', name)::regclass;
END
$$;
COMMENT ON FUNCTION etl.load_pricing_build_table(text, date, text[]) IS
    'Like etl.load_pricing_build_table(text, date), but the work table is partitioned by RANGE (listing_id) at the given split listing ids (ascending; n splits give n + 1 ranges, the first from MINVALUE, the last to MAXVALUE), one range per parallel COPY stream of mi-load. With no split it is the plain work table.';

CREATE OR REPLACE FUNCTION etl.load_pricing_attach(tbl regclass, d date) RETURNS bigint
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
