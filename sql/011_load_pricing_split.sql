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
