-- 102_night_marks_streamed.sql: the newest snapshot's marks straight from the
-- grouping; the temporary table of statuses only for what needs it.
--
-- mi-compset stored the status of every night from 31 days back to 1100
-- ahead in pg_temp.mm_status (12.8 M rows at bench scale 1), then joined it
-- back to the newest snapshot to write the marks.  Writing that table took
-- some 28 s, and the join sorted its 12.8 M rows on disk again (46 s), though
-- the grouping that made them had produced them in key order.  Now:
--
--   * etl.night_marks_newest_snapshot writes the marks of the snapshot taken
--     on the as-of date (every row of it is the last look of its night) in
--     one UPDATE from the grouping itself, a merge join of the grouping's
--     output with the snapshot's primary key, both in key order: no sort, no
--     temporary table;
--   * the temporary table keeps only the nights the metrics windows cover and
--     the nights last seen before the as-of date (past nights, and listings
--     missing from the newest snapshot), whose marks etl.night_marks_from_stage
--     still writes one last-look date at a time.
--
-- For the grouping's output to keep the table's key order through the join,
-- its keys keep their own types: etl.night_status_keyed is the body of
-- etl.calendar_night_status (101) with the keys as etl.source_id and
-- etl.external_id, and etl.calendar_night_status returns its rows with the
-- keys as text (a cast hides the order from the planner).  The same statuses,
-- the same marks, the same counts (test_metrics compares them with 092's one
-- statement and with the two functions apart).

CREATE FUNCTION etl.night_status_keyed(p_as_of date, p_from date, p_to date)
    RETURNS TABLE (platform etl.source_id, listing_id etl.external_id, stay_date date,
                   status text, confidence numeric, rate numeric, snapshots integer,
                   first_snapshot date, last_snapshot date)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    -- the grouping as a subquery in FROM: a WITH query in an inlined function
    -- hides its row order from the outer query (PostgreSQL 15)
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
           CASE WHEN NOT o.last_available AND o.ever_available
                     AND o.last_open_key & 140737488355327 > 0
                THEN round(((o.last_open_key & 140737488355327) - 1) / 100.0, 2) END,
           o.snapshots, o.first_snapshot, o.last_snapshot
      FROM (SELECT p.platform, p.listing_id, p.stay_date,
                   count(*)::integer AS snapshots,
                   min(p.snapshot_date) AS first_snapshot,
                   max(p.snapshot_date) AS last_snapshot,
                   -- the newest look's values, from one max() over the look's days and
                   -- the value packed in a bigint (a night has one row per snapshot
                   -- date, so the days decide): no ordered aggregate, which sorts
                   -- every group apart, and no array per look (101's max() over
                   -- (days, value) arrays: 3-5 s of a 15-20 s grouping at bench scale
                   -- 1, where the packed values cost no more than none).  The open
                   -- price is packed as cents + 1 below 2^47 (etl.money is at most
                   -- 10^12 - 0.01), 0 for a look with no price; the days, at most
                   -- 2^16 either side of 2000, fill the bits above.
                   (max((p.snapshot_date - date '2000-01-01') * 2 + p.available::integer) & 1) = 1
                       AS last_available,
                   bool_or(p.available) AS ever_available,
                   max((p.snapshot_date - date '2000-01-01')::bigint * 140737488355328
                       + coalesce((coalesce(p.nightly_rate, p.adjusted_rate) * 100)::bigint + 1, 0))
                        FILTER (WHERE p.available) AS last_open_key
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
             GROUP BY p.platform, p.listing_id, p.stay_date) o
$$;
COMMENT ON FUNCTION etl.night_status_keyed(date, date, date) IS
    'etl.calendar_night_status with the keys in the pricing table''s own types (etl.source_id, etl.external_id), so that its rows, grouped in key order, can be merged with a snapshot''s primary key without a sort. Definitions: docs/metrics.md.';

CREATE OR REPLACE FUNCTION etl.calendar_night_status(p_as_of date, p_from date, p_to date)
    RETURNS TABLE (platform text, listing_id text, stay_date date, status text,
                   confidence numeric, rate numeric, snapshots integer,
                   first_snapshot date, last_snapshot date)
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.platform::text, s.listing_id::text, s.stay_date, s.status, s.confidence, s.rate,
           s.snapshots, s.first_snapshot, s.last_snapshot
      FROM etl.night_status_keyed(p_as_of, p_from, p_to) s
$$;

-- the statuses of the nights p_from..p_to as of p_as_of, as pg_temp.mm_status,
-- except the nights last seen on the snapshot of p_as_of after p_newest_to:
-- etl.night_marks_newest_snapshot marks those, and no metric window reaches them
CREATE FUNCTION etl.night_status_stage(p_as_of date, p_from date, p_to date, p_newest_to date)
    RETURNS bigint
    LANGUAGE plpgsql
    -- key order, in memory: see 101
    SET enable_hashagg = off
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    SET max_parallel_workers_per_gather = 0 AS $$
DECLARE
    n bigint;
BEGIN
    DROP TABLE IF EXISTS pg_temp.mm_status;
    CREATE TEMP TABLE mm_status ON COMMIT DROP AS
        SELECT * FROM etl.calendar_night_status(p_as_of, p_from, p_to) s
         WHERE s.last_snapshot < p_as_of OR s.stay_date <= p_newest_to;
    GET DIAGNOSTICS n = ROW_COUNT;
    ANALYZE pg_temp.mm_status;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.night_status_stage(date, date, date, date) IS
    'Internal to etl.refresh_night_metrics, etl.refresh_market_metrics and etl.mark_night_status: stores etl.calendar_night_status(p_as_of, p_from, p_to) as the temporary table mm_status (dropped at commit), without the nights last seen on the snapshot of p_as_of that fall after p_newest_to (etl.night_marks_newest_snapshot marks those), and returns its rows. The grouping is planned in key order (no hash aggregation, sequential, bitmap or parallel scans), so it streams whatever the number of listings.';

-- the whole window: the stage above with nothing left out (one body for both)
CREATE OR REPLACE FUNCTION etl.night_status_stage(p_as_of date, p_from date, p_to date)
    RETURNS bigint
    LANGUAGE sql AS $$
    SELECT etl.night_status_stage(p_as_of, p_from, p_to, p_to)
$$;
COMMENT ON FUNCTION etl.night_status_stage(date, date, date) IS
    'Internal to etl.refresh_night_metrics and etl.refresh_market_metrics: etl.night_status_stage(p_as_of, p_from, p_to, p_to), every night of the window stored as pg_temp.mm_status; returns its rows.';

-- the marks of the snapshot of p_as_of: every row of it is the last look of its
-- night, so its marks come from the statuses of the nights last seen that day
CREATE FUNCTION etl.night_marks_newest_snapshot(p_as_of date)
    RETURNS bigint
    LANGUAGE plpgsql
    -- the grouping in key order, merged with the snapshot's primary key
    SET enable_hashagg = off
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    SET max_parallel_workers_per_gather = 0
    SET enable_nestloop = off
    SET enable_hashjoin = off AS $$
DECLARE
    n bigint;
BEGIN
    -- EXECUTE ... USING plans with the date's value: only that snapshot's
    -- partitions are written, and only the year before it read
    EXECUTE $q$
        UPDATE external.property_pricing p
           SET inferred_status = s.status, inferred_confidence = s.confidence
          FROM etl.night_status_keyed($1, $1, $1 + 1100) s
         WHERE s.last_snapshot = $1
           AND p.snapshot_date = $1
           AND p.platform = s.platform AND p.listing_id = s.listing_id
           AND p.stay_date = s.stay_date
           AND (p.inferred_status IS DISTINCT FROM s.status
                OR p.inferred_confidence IS DISTINCT FROM s.confidence)$q$
        USING p_as_of;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.night_marks_newest_snapshot(date) IS
    'Internal to etl.refresh_night_metrics and etl.mark_night_status: writes inferred_status and inferred_confidence onto the rows of the pricing snapshot taken on p_as_of (each the last look of its night) from the night statuses as of p_as_of, in one merge of the key-ordered grouping with the snapshot; returns the rows changed.';

-- the marks of the snapshots before p_as_of, from pg_temp.mm_status; those of
-- the snapshot of p_as_of are etl.night_marks_newest_snapshot's
CREATE OR REPLACE FUNCTION etl.night_marks_from_stage(p_as_of date, p_lookback_days integer)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint := 0;
    k bigint;
    d date;
BEGIN
    CREATE INDEX ON pg_temp.mm_status (last_snapshot);
    FOR d IN SELECT DISTINCT s.last_snapshot
               FROM pg_temp.mm_status s
              WHERE s.last_snapshot BETWEEN p_as_of - p_lookback_days AND p_as_of - 1
                AND s.stay_date BETWEEN p_as_of - p_lookback_days AND p_as_of + 1100
              ORDER BY 1
    LOOP
        EXECUTE $q$
            UPDATE external.property_pricing p
               SET inferred_status = s.status, inferred_confidence = s.confidence
              FROM pg_temp.mm_status s
             WHERE s.last_snapshot = $1
               AND s.stay_date BETWEEN $2 AND $3
               AND p.snapshot_date = $1
               AND p.platform = s.platform AND p.listing_id = s.listing_id
               AND p.stay_date = s.stay_date
               AND (p.inferred_status IS DISTINCT FROM s.status
                    OR p.inferred_confidence IS DISTINCT FROM s.confidence)$q$
            USING d, p_as_of - p_lookback_days, p_as_of + 1100;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.night_marks_from_stage(date, integer) IS
    'Internal to etl.refresh_night_metrics and etl.mark_night_status: writes inferred_status and inferred_confidence from pg_temp.mm_status onto the row of the last snapshot that saw each night, for the snapshots taken from p_as_of - p_lookback_days to the day before p_as_of (that of p_as_of is etl.night_marks_newest_snapshot''s) and the nights from p_as_of - p_lookback_days to p_as_of + 1100, one snapshot date at a time (only its partitions read); returns the rows changed.';

CREATE OR REPLACE FUNCTION etl.refresh_night_metrics(p_as_of date, p_trailing_days integer,
                                                     p_forward_days integer, p_lookback_days integer,
                                                     OUT metric_rows bigint, OUT nights_marked bigint)
    LANGUAGE plpgsql
    SET jit = off
    SET work_mem = '64MB' AS $$
BEGIN
    IF p_as_of IS NULL THEN
        RAISE EXCEPTION 'as-of date must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_trailing_days IS NULL OR p_trailing_days NOT BETWEEN 1 AND 1095
       OR p_forward_days IS NULL OR p_forward_days NOT BETWEEN 1 AND 1095 THEN
        RAISE EXCEPTION 'metrics windows "%" and "%" days must be between 1 and 1095',
            p_trailing_days, p_forward_days USING ERRCODE = '22023';
    END IF;
    IF p_lookback_days IS NOT NULL AND p_lookback_days NOT BETWEEN 0 AND 1095 THEN
        RAISE EXCEPTION 'lookback "%" days must be between 0 and 1095', p_lookback_days
            USING ERRCODE = '22023';
    END IF;
    IF p_lookback_days IS NULL THEN
        PERFORM etl.night_status_stage(p_as_of, p_as_of - p_trailing_days,
                                       p_as_of + p_forward_days - 1);
    ELSE
        -- the metrics windows and the nights last seen before p_as_of; the
        -- newest snapshot's nights beyond the forward window are marked below
        -- from the grouping itself
        PERFORM etl.night_status_stage(p_as_of, p_as_of - greatest(p_trailing_days, p_lookback_days),
                                       p_as_of + greatest(p_forward_days - 1, 1100),
                                       p_as_of + p_forward_days - 1);
    END IF;
    metric_rows := etl.market_metrics_from_stage(p_as_of, p_trailing_days, p_forward_days);
    nights_marked := 0;
    IF p_lookback_days IS NOT NULL THEN
        nights_marked := etl.night_marks_newest_snapshot(p_as_of)
                         + etl.night_marks_from_stage(p_as_of, p_lookback_days);
    END IF;
    DROP TABLE pg_temp.mm_status;
END
$$;

CREATE OR REPLACE FUNCTION etl.mark_night_status(p_as_of date, p_lookback_days integer DEFAULT 31)
    RETURNS bigint
    LANGUAGE plpgsql
    SET jit = off
    SET work_mem = '64MB' AS $$
DECLARE
    n bigint;
BEGIN
    IF p_lookback_days IS NULL OR p_lookback_days NOT BETWEEN 0 AND 1095 THEN
        RAISE EXCEPTION 'lookback "%" days must be between 0 and 1095', p_lookback_days
            USING ERRCODE = '22023';
    END IF;
    -- the nights last seen before p_as_of only: the newest snapshot's are
    -- marked from the grouping itself
    PERFORM etl.night_status_stage(p_as_of, p_as_of - p_lookback_days, p_as_of + 1100, p_as_of - 1);
    n := etl.night_marks_newest_snapshot(p_as_of) + etl.night_marks_from_stage(p_as_of, p_lookback_days);
    DROP TABLE pg_temp.mm_status;
    RETURN n;
END
$$;
