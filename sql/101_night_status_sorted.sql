-- 101_night_status_sorted.sql: the night statuses grouped in key order.
--
-- At bench scale 1 (35,000 listings, 12.8 M nights a snapshot) mi-compset
-- spent 205 s of the first night and 219 s of the next on the statuses and
-- marks, 25 times the scale-0.1 figure for 10 times the rows.  The grouping
-- behind them (etl.calendar_night_status, 25.5 M looks on the next night)
-- took 53 s: a parallel sort of every look by (platform, listing, night)
-- spilled 1.2 GB to disk, then each of the 12.8 M groups sorted its looks
-- apart twice for the two ordered aggregates (the newest look's availability
-- and open price).  Now:
--
--   * the newest look's values come from max() over (days, value) arrays,
--     plain aggregates with no sort per group;
--   * etl.night_status_stage, which stores the statuses for the metrics and
--     the marks, plans the grouping without hash aggregation, sequential or
--     bitmap scans, or parallel workers: the planner then reads every
--     snapshot through its primary key (platform, listing_id, snapshot_date,
--     stay_date), merges the snapshots in listing order and sorts each
--     listing's looks by night in memory (an incremental sort, some 100 kB a
--     listing), so the grouping streams and nothing spills, whatever the
--     number of listings.
--
-- Measured on the scale-1 bench world after its next night: 16.9 s against
-- 53 s for the grouping.  The same rows and values (test_metrics compares
-- the statuses with those of the ordered aggregates).

CREATE OR REPLACE FUNCTION etl.calendar_night_status(p_as_of date, p_from date, p_to date)
    RETURNS TABLE (platform text, listing_id text, stay_date date, status text,
                   confidence numeric, rate numeric, snapshots integer,
                   first_snapshot date, last_snapshot date)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    WITH obs AS (
        SELECT p.platform::text AS platform, p.listing_id::text AS listing_id, p.stay_date,
               count(*)::integer AS snapshots,
               min(p.snapshot_date) AS first_snapshot,
               max(p.snapshot_date) AS last_snapshot,
               -- the newest look's values: the greatest (days, value) pair (a night
               -- has one row per snapshot date, so the days decide); no ordered
               -- aggregate, which sorts every group apart
               (max(ARRAY[p.snapshot_date - date '2000-01-01', p.available::integer]))[2] = 1
                   AS last_available,
               bool_or(p.available) AS ever_available,
               (max(ARRAY[(p.snapshot_date - date '2000-01-01')::numeric,
                          coalesce(p.nightly_rate, p.adjusted_rate)])
                    FILTER (WHERE p.available))[2] AS last_open_rate
          FROM external.property_pricing p
         WHERE p.snapshot_date <= p_as_of
           AND p.snapshot_date <= p.stay_date
           -- implied by the line above; stated, it lets the planner skip the
           -- snapshot partitions taken after the window's last night
           AND p.snapshot_date <= p_to
           -- a look more than a year before the night is not counted (so a night's
           -- status does not depend on the window asked); the bound on p_from lets
           -- the planner skip the old snapshot partitions
           AND p.snapshot_date >= p_from - 365
           AND p.snapshot_date >= p.stay_date - 365
           AND p.stay_date BETWEEN p_from AND p_to
           AND p.available IS NOT NULL
         GROUP BY p.platform, p.listing_id, p.stay_date
    )
    SELECT o.platform, o.listing_id, o.stay_date,
           CASE WHEN o.last_available THEN 'available'
                WHEN o.ever_available THEN 'booked'
                ELSE 'blocked' END,
           round(CASE
                 -- still open at the last look: sure when that look was close to
                 -- the night (or the night is still ahead), less so as the gap grows
                 WHEN o.last_available THEN
                      greatest(0.5, 1.0 - greatest(least(o.stay_date, p_as_of) - o.last_snapshot - 1, 0) / 60.0)
                 -- turned unavailable between two looks: a booking, unless the
                 -- owner closed it late (seen as a booking by the vendors too)
                 WHEN o.ever_available THEN 0.9
                 -- never open: a block, surer the earlier we first saw it closed
                 ELSE 0.5 + 0.45 * least(o.stay_date - o.first_snapshot, 90) / 90.0
                 END, 4),
           CASE WHEN NOT o.last_available AND o.ever_available THEN o.last_open_rate END,
           o.snapshots, o.first_snapshot, o.last_snapshot
      FROM obs o
$$;

CREATE OR REPLACE FUNCTION etl.night_status_stage(p_as_of date, p_from date, p_to date)
    RETURNS bigint
    LANGUAGE plpgsql
    -- key order, in memory: see above
    SET enable_hashagg = off
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
    n bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.mm_status;
    CREATE TEMP TABLE mm_status ON COMMIT DROP AS
        SELECT * FROM etl.calendar_night_status(p_as_of, p_from, p_to);
    GET DIAGNOSTICS n = ROW_COUNT;
    ANALYZE pg_temp.mm_status;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.night_status_stage(date, date, date) IS
    'Internal to etl.refresh_night_metrics, etl.refresh_market_metrics and etl.mark_night_status: stores etl.calendar_night_status(p_as_of, p_from, p_to) as the temporary table mm_status (dropped at commit) and returns its rows. The grouping is planned in key order (no hash aggregation, sequential, bitmap or parallel scans: the snapshots read through their primary key and merged, each listing''s looks sorted in memory), so it streams whatever the number of listings.';
