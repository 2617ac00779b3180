-- 042_least_privilege.sql: the pipeline runs as a role that owns nothing
-- (config/ops/db-role.sql): no CREATE on any schema, no DELETE where it only
-- adds.  What needs an owner's rights, the pricing partitions and the work
-- table a new snapshot is built in, goes through the functions below, which
-- run as their owner (the schema owner who ran mi-migrate: SECURITY DEFINER),
-- with a fixed search_path, take only dates and names they check, and are not
-- executable by PUBLIC (db-role.sql grants them to the pipeline's role).
--
--   external.pricing_month_partition, external.ensure_pricing_partition,
--   external.ensure_pricing_months_ahead   create missing partitions (a date in)
--   etl.load_pricing_build_table           the work table etl.pricing_build_YYYYMMDD,
--                                          owned by the owner, with INSERT and
--                                          SELECT granted to the loading session's
--                                          role so its COPY streams can fill it
--   etl.load_pricing_attach                only such a work table, for its own
--                                          date; the grant is taken back
--   etl.load_pricing_drop_build            only such a work table
--
-- external.attach_pricing_snapshot (any table as a snapshot) stays the owner's:
-- PUBLIC loses EXECUTE on it.

ALTER FUNCTION external.pricing_month_partition(date)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION external.ensure_pricing_partition(date)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION external.ensure_pricing_months_ahead(integer, date)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION etl.load_pricing_drop_build(text)
    SECURITY DEFINER SET search_path = pg_catalog, pg_temp;

-- the role that may fill a work table: the session's login role when it is not
-- the owner (a definer function's current_user is the owner)
CREATE FUNCTION etl.load_pricing_grant_build(tbl regclass) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class c
                    WHERE c.oid = tbl AND c.relnamespace = 'etl'::regnamespace
                      AND c.relname ~ '^pricing_build_[0-9]{8}$') THEN
        RAISE EXCEPTION '"%" is not a pricing work table', tbl USING ERRCODE = '22023';
    END IF;
    IF session_user <> current_user THEN
        EXECUTE format('GRANT SELECT, INSERT ON %s TO %I', tbl, session_user);
    END IF;
END
$$;
REVOKE EXECUTE ON FUNCTION etl.load_pricing_grant_build(regclass) FROM PUBLIC;
COMMENT ON FUNCTION etl.load_pricing_grant_build(regclass) IS
    'Grants SELECT and INSERT on the pricing work table tbl (etl.pricing_build_YYYYMMDD, refused otherwise) to the session''s login role when it is not the owner, so that mi-load''s COPY streams can fill a table they do not own. Called by etl.load_pricing_build_table; not executable by PUBLIC.';

CREATE OR REPLACE FUNCTION etl.load_pricing_build_table(name text, d date) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET datestyle = 'ISO' AS $$
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
    PERFORM etl.load_pricing_grant_build(format('etl.%I', name)::regclass);
    RETURN format('etl.%I', name)::regclass;
END
$$;

CREATE OR REPLACE FUNCTION etl.load_pricing_build_table(name text, d date, splits text[]) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET datestyle = 'ISO' AS $$
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
    -- rows are routed into the ranges through the parent: its grant is enough
    PERFORM etl.load_pricing_grant_build(format('etl.%I', name)::regclass);
    RETURN format('etl.%I', name)::regclass;
END
$$;

CREATE OR REPLACE FUNCTION etl.load_pricing_attach(tbl regclass, d date) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET datestyle = 'ISO' AS $$
DECLARE
    month_part regclass;
    name text := format('property_pricing_s%s', to_char(d, 'YYYYMMDD'));
    dups bigint := 0;
    part record;
    k integer := 0;
    g record;
BEGIN
    -- only the work table of this very date: anything else would be a way to
    -- move or rename a table with the owner's rights
    IF d IS NULL OR NOT EXISTS (
           SELECT 1 FROM pg_class c
            WHERE c.oid = tbl AND c.relnamespace = 'etl'::regnamespace
              AND c.relname = 'pricing_build_' || to_char(d, 'YYYYMMDD')) THEN
        RAISE EXCEPTION '"%" is not the pricing work table of snapshot %', tbl, d
            USING ERRCODE = '22023';
    END IF;
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
    -- the loader's grant ends with the build: a partition is reached through
    -- external.property_pricing, whose rights are the ones that count
    FOR g IN SELECT DISTINCT a.grantee FROM pg_class c, aclexplode(c.relacl) a
              WHERE c.oid = tbl AND a.grantee <> c.relowner AND a.grantee <> 0 LOOP
        EXECUTE format('REVOKE ALL ON %s FROM %I', tbl, pg_get_userbyid(g.grantee));
    END LOOP;
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

REVOKE EXECUTE ON FUNCTION external.pricing_month_partition(date),
                           external.ensure_pricing_partition(date),
                           external.ensure_pricing_months_ahead(integer, date),
                           external.attach_pricing_snapshot(regclass, date),
                           etl.load_pricing_build_table(text, date),
                           etl.load_pricing_build_table(text, date, text[]),
                           etl.load_pricing_attach(regclass, date),
                           etl.load_pricing_drop_build(text)
    FROM PUBLIC;

COMMENT ON FUNCTION external.pricing_month_partition(date) IS
    'Returns the month partition of external.property_pricing that holds snapshot date d, creating it (partitioned by LIST (snapshot_date), no snapshot partitions yet) when missing. Idempotent and safe under concurrency (transaction advisory lock). Runs as its owner (SECURITY DEFINER): the pipeline''s role creates no table itself.';
COMMENT ON FUNCTION external.ensure_pricing_partition(date) IS
    'Returns the partition of external.property_pricing that holds snapshot date d (the per-snapshot LIST partition inside its month partition), creating the month and the snapshot partition when missing. Idempotent: a second call returns the same partition. Call it before inserting a snapshot''s rows. Runs as its owner (SECURITY DEFINER).';
COMMENT ON FUNCTION external.ensure_pricing_months_ahead(integer, date) IS
    'Creates the month partitions of external.property_pricing from the month of from_date through months months ahead (months 0-120), skipping those that exist; returns how many were created. Runs as its owner (SECURITY DEFINER).';
COMMENT ON FUNCTION external.attach_pricing_snapshot(regclass, date) IS
    'Attaches tbl, a table built apart with the columns of external.property_pricing (CREATE TABLE ... (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS)) and already loaded and de-duplicated with one snapshot date d, as the snapshot partition for d; moves it to schema external and renames it property_pricing_sYYYYMMDD. Fails (42P07) when d is already loaded; rows of another date fail the attach (23514). For the schema owner (an administrator''s tool): not executable by PUBLIC; mi-load uses etl.load_pricing_attach.';
COMMENT ON FUNCTION etl.load_pricing_build_table(text, date) IS
    'Creates (dropping any leftover of a killed load) the work table etl.<name> (name pricing_build_YYYYMMDD) with the columns and checks of external.property_pricing plus CHECK (snapshot_date = d), committed by mi-load before its parallel COPY streams fill it. It becomes part of external.property_pricing only through etl.load_pricing_attach. Runs as its owner (SECURITY DEFINER), who owns the table; the session''s role gets SELECT and INSERT on it.';
COMMENT ON FUNCTION etl.load_pricing_build_table(text, date, text[]) IS
    'Like etl.load_pricing_build_table(text, date), but the work table is partitioned by RANGE (listing_id) at the given split listing ids (ascending; n splits give n + 1 ranges, the first from MINVALUE, the last to MAXVALUE), one range per parallel COPY stream of mi-load. With no split it is the plain work table. Runs as its owner (SECURITY DEFINER).';
COMMENT ON FUNCTION etl.load_pricing_attach(regclass, date) IS
    'Makes the work table tbl (etl.pricing_build_YYYYMMDD of the same date d, refused otherwise with 22023; from etl.load_pricing_build_table, filled with the rows of snapshot d) the snapshot partition of external.property_pricing for d: adds the primary key (platform, listing_id, snapshot_date, stay_date), de-duplicating first when the file repeated a key (the first row is kept), takes back the loader''s grant, attaches it without a scan, moves it (and its listing ranges when it was built partitioned, renamed property_pricing_sYYYYMMDD_N) to schema external as property_pricing_sYYYYMMDD. Returns the number of duplicate rows removed. Fails (42P07) when d is already loaded. Call it in the transaction that records the file in etl.loaded_files. Runs as its owner (SECURITY DEFINER).';
COMMENT ON FUNCTION etl.load_pricing_drop_build(text) IS
    'Drops the work table etl.<name> of a pricing snapshot load that failed or fell back to the merge path (name pricing_build_YYYYMMDD, refused otherwise). Runs as its owner (SECURITY DEFINER).';
