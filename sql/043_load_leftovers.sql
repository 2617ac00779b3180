-- 043_load_leftovers.sql: a pricing work table left by a killed load is dropped by
-- the next mi-load, whatever date that one loads.
--
-- mi-load builds a new snapshot apart, in etl.pricing_build_YYYYMMDD (and its
-- listing ranges), committed before its COPY streams fill it, and holds the
-- session advisory lock hashtext('mi-load pricing YYYY-MM-DD') meanwhile.  A load
-- killed during the COPY left the table for good: only a load of the same date
-- replaced it.  etl.load_pricing_drop_stale() drops every such table whose lock
-- nobody holds (a load at work keeps its own).

CREATE FUNCTION etl.load_pricing_drop_stale() RETURNS SETOF text
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
BEGIN
    FOR t IN SELECT c.relname::text AS name,
                    to_date(substr(c.relname, 15, 8), 'YYYYMMDD') AS d
               FROM pg_class c
              WHERE c.relnamespace = 'etl'::regnamespace AND c.relkind IN ('r', 'p')
                AND NOT c.relispartition AND c.relname ~ '^pricing_build_[0-9]{8}$'
              ORDER BY c.relname LOOP
        -- the lock a load building this date holds for its whole build
        IF pg_try_advisory_xact_lock(hashtext('mi-load pricing ' || to_char(t.d, 'YYYY-MM-DD'))) THEN
            EXECUTE format('DROP TABLE etl.%I', t.name);
            RETURN NEXT 'etl.' || t.name;
        END IF;
    END LOOP;
END
$$;
REVOKE EXECUTE ON FUNCTION etl.load_pricing_drop_stale() FROM PUBLIC;
COMMENT ON FUNCTION etl.load_pricing_drop_stale() IS
    'Drops every pricing work table etl.pricing_build_YYYYMMDD (with its listing ranges) that no load is building (nobody holds the advisory lock hashtext(''mi-load pricing YYYY-MM-DD'')): the leftovers of a load killed during its COPY. Returns the names dropped. Called by mi-load at its start; runs as its owner (SECURITY DEFINER), not executable by PUBLIC (config/ops/db-role.sql grants it to the pipeline''s role).';
