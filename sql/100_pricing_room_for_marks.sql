-- 100_pricing_room_for_marks.sql: a new pricing snapshot is laid out with
-- room for its night marks.
--
-- mi-compset marks every night of the newest snapshot (etl.night_marks_from_
-- stage writes inferred_status and inferred_confidence on the row of the last
-- look): each night, every row of the snapshot the load has just written is
-- updated once.  COPY filled the pages, so each new row version went to a new
-- page with a new primary-key entry: the update cost more than the COPY
-- (12 s against 0.9 s for 1.28 M rows) and doubled the partition.  The
-- snapshot's tables are now created with fillfactor 45: COPY leaves 55 % of
-- each page free (a marked row is some 18 bytes longer than the row loaded,
-- and the old versions are still visible until the marking commits), the
-- marks' new versions land on the same page (a HOT
-- update: the marks are in no index, so the key is not touched), and the
-- partition ends the size it reached before (the old versions are pruned
-- in place).  Measured on the scale-0.1 bench world: 3.5 s against 9.1 s for
-- the same UPDATE.  The merge path's snapshot partitions
-- (external.ensure_pricing_partition) get the same room.  The same rows, the
-- same keys.

CREATE OR REPLACE FUNCTION etl.load_pricing_build_table(name text, d date) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET datestyle = 'ISO' AS $$
BEGIN
    IF name !~ '^pricing_build_[0-9]{8}$' THEN
        RAISE EXCEPTION 'bad build table name "%"', name USING ERRCODE = '22023';
    END IF;
    -- a table left by a killed load is never attached: start again
    EXECUTE format('DROP TABLE IF EXISTS etl.%I', name);
    -- room on each page for the marks' row versions (see above)
    EXECUTE format('CREATE TABLE etl.%I (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
                   ' WITH (fillfactor = 45)', name);
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
        -- the rows live in the ranges: they take the room for the marks
        EXECUTE format('CREATE TABLE etl.%I PARTITION OF etl.%I FOR VALUES FROM (%s) TO (%s)'
                       ' WITH (fillfactor = 45)',
                       name || '_' || (i + 1), name, lo, hi);
        EXECUTE format('COMMENT ON TABLE etl.%I IS %L', name || '_' || (i + 1),
                       format('mi-load work table: listing range %s of snapshot %s.', i + 1, d));
    END LOOP;
    -- rows are routed into the ranges through the parent: its grant is enough
    PERFORM etl.load_pricing_grant_build(format('etl.%I', name)::regclass);
    RETURN format('etl.%I', name)::regclass;
END
$$;

COMMENT ON FUNCTION etl.load_pricing_build_table(text, date) IS
    'Creates (dropping any leftover of a killed load) the work table etl.<name> (name pricing_build_YYYYMMDD) with the columns and checks of external.property_pricing plus CHECK (snapshot_date = d) and fillfactor 45 (room on each page for the row versions of the night marks, so that mi-compset''s marking is a HOT update), committed by mi-load before its parallel COPY streams fill it. It becomes part of external.property_pricing only through etl.load_pricing_attach. Runs as its owner (SECURITY DEFINER), who owns the table; the session''s role gets SELECT and INSERT on it.';
COMMENT ON FUNCTION etl.load_pricing_build_table(text, date, text[]) IS
    'Like etl.load_pricing_build_table(text, date), but the work table is partitioned by RANGE (listing_id) at the given split listing ids (ascending; n splits give n + 1 ranges, the first from MINVALUE, the last to MAXVALUE, each with fillfactor 45), one range per parallel COPY stream of mi-load. With no split it is the plain work table. Runs as its owner (SECURITY DEFINER).';

-- a snapshot that arrives through the merge path (a calendar loaded into a
-- date that already has rows, or too small for the fast path) gets its
-- partition here: the same room
CREATE OR REPLACE FUNCTION external.ensure_pricing_partition(d date) RETURNS regclass
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    SET datestyle = 'ISO' AS $$
DECLARE
    month_part regclass := external.pricing_month_partition(d);
    bound text;
    name text := format('property_pricing_s%s', to_char(d, 'YYYYMMDD'));
    part regclass;
BEGIN
    bound := format('FOR VALUES IN (%L)', d);
    SELECT i.inhrelid::regclass INTO part
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = month_part
       AND pg_get_expr(c.relpartbound, c.oid) = bound;
    IF part IS NOT NULL THEN
        RETURN part;
    END IF;
    EXECUTE format('CREATE TABLE external.%I PARTITION OF %s FOR VALUES IN (%L) WITH (fillfactor = 45)',
                   name, month_part, d);
    EXECUTE format('COMMENT ON TABLE external.%I IS %L', name,
                   format('Snapshot partition of external.property_pricing: the calendar rows scraped on %s.', d));
    RETURN format('external.%I', name)::regclass;
END
$$;
COMMENT ON FUNCTION external.ensure_pricing_partition(date) IS
    'Returns the partition of external.property_pricing that holds snapshot date d (the per-snapshot LIST partition inside its month partition), creating the month and the snapshot partition (fillfactor 45, room for the night marks) when missing. Idempotent: a second call returns the same partition. Call it before inserting a snapshot''s rows. Runs as its owner (SECURITY DEFINER).';
