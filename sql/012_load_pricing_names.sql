-- 012_load_pricing_names.sql: the key indexes of a snapshot's listing ranges are
-- renamed with their partition when it is attached (they kept the work table's
-- name, pricing_build_..., before).

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
