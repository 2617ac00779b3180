-- 109_load_after_rollback.sql: a load run again after one that did not
-- commit is planned as a first load is, not as a load into empty tables.
--
-- The rows of a load that did not commit (killed, or --dry-run) are dead.
-- Autovacuum clears them, but cannot give the empty pages back while the load
-- run again holds the table (the truncation wants a lock nobody may hold):
-- the table keeps its pages and its statistics say 0 rows (pg_class.reltuples
-- = 0; a table never vacuumed has -1, and the planner then estimates its rows
-- from its size).  Until the next ANALYZE every statement that reads the
-- table is planned as if it were empty, whatever the load put in it.  Three
-- plans went quadratic:
--
--   1. the reviews' listing check (etl.property_reviews_listing_check, 097),
--      inside the statement that inserts the reviews: etl.listings, taken for
--      one row, was materialized inside a nested loop over the new reviews,
--      each review compared with every listing.  A first night's 1 M reviews
--      of 35,000 listings, loaded after two loads that rolled back, took
--      1,060 s in one run (another was stopped after eleven minutes in that
--      one statement); 51 s with this change;
--   2. the listings' disappearance sweep (the last step of
--      sql/load/listings.sql): a nested loop of the listings and the file's
--      rows (3,500 listings: 2.2 s; Hawaii's 35,000 would take a hundred
--      times that);
--   3. the listing -> parcel match (sql/load/match.sql), in the transaction
--      after the files: the address step joined listings and parcels in a
--      nested loop (20,000 reviews, 700 listings, 10,000 parcels: more than
--      three minutes instead of under a second).
--
-- So the check is planned without nested loops (a hash join whatever the
-- statistics say: one pass over each side; for a statement of one review,
-- one read of etl.listings, a few milliseconds at Hawaii's 35,000 listings),
-- and mi-load analyzes the tables a file filled beyond their statistics once
-- its merge has written them, in its transaction (etl.load_analyze_grown
-- below; ANALYZE counts the transaction's own rows, and its figures stay
-- whether the transaction commits or not): the file's last steps, the match
-- and the night's later stages are planned with the rows the tables hold.
-- At most once per table and file, and never for a night's delta, which is
-- small beside what the statistics count.  tests/t0716-load-after-rollback.sh.

ALTER FUNCTION etl.property_reviews_listing_check() SET enable_nestloop = off;

COMMENT ON FUNCTION etl.property_reviews_listing_check() IS
    'Statement trigger of external.property_reviews (INSERT, UPDATE): every new row''s (platform, listing_id) is a row of etl.listings, checked in one join per statement, each listing locked FOR KEY SHARE once; else SQLSTATE 23503 naming property_reviews_listing_fkey. Replaces that foreign key, which ran a query per row (097). Planned without nested loops (109): statistics that say etl.listings is empty while a load fills it (after a load that rolled back) would otherwise compare every new review with every listing.';

CREATE FUNCTION etl.load_analyze_grown(p_tables regclass[], p_rows bigint) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    n integer := 0;
BEGIN
    -- the load's own tables only, and only when the rows just added are more
    -- than the statistics know (0 after a vacuum of dead rows, -1 never counted)
    FOR t IN SELECT c.oid::regclass AS r
               FROM pg_class c
              WHERE c.oid = ANY (p_tables) AND c.relkind = 'r'
                AND c.relnamespace IN ('external'::regnamespace, 'etl'::regnamespace)
                AND p_rows >= 1000 AND c.reltuples < p_rows
              ORDER BY c.oid LOOP
        -- never a wait: the lock stays until the load commits, and a second
        -- load of the same tables at once (a backfill beside the night) that
        -- waited for it while the first waited for its rows would deadlock
        EXECUTE format('ANALYZE (SKIP_LOCKED) %s', t.r);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
REVOKE EXECUTE ON FUNCTION etl.load_analyze_grown(regclass[], bigint) FROM PUBLIC;
COMMENT ON FUNCTION etl.load_analyze_grown(regclass[], bigint) IS
    'Analyzes each of p_tables (plain tables of schemas external and etl) whose statistics (pg_class.reltuples) count fewer rows than the p_rows a load has just written into it (at least 1,000; ANALYZE counts the calling transaction''s own rows): a first load, or a load after one that did not commit, whose dead rows a vacuum counted as 0. Skips a table another transaction holds (ANALYZE (SKIP_LOCKED): the lock lasts until the load commits, and a wait could deadlock with a second load). Returns the tables analyzed or skipped. Called by mi-load in each file''s transaction once its merge has written the rows (109); runs as its owner (SECURITY DEFINER), not executable by PUBLIC (config/ops/db-role.sql grants it to the pipeline''s role).';
