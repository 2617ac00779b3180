-- 092_night_status_once.sql: mi-compset computes the night statuses once.
--
-- mi-compset used to group every pricing snapshot three times a night: for
-- the trailing metrics window, for the forward window (etl.refresh_market_
-- metrics) and for the marks (etl.mark_night_status, 31 days back to 1100
-- ahead, which holds the forward window).  etl.refresh_night_metrics does the
-- three from one temporary table of statuses (etl.night_status_stage), with
-- JIT off (compiling costs more than it saves on these one-off statements)
-- and a work_mem that keeps the grouping and the mark join in memory.
--
-- For the three to agree, a night's status must not depend on the window
-- asked: etl.calendar_night_status now counts the snapshots taken at most 365
-- days before the night (it counted those at most 365 days before the window's
-- first night).  Calendars run 365 days ahead, so no figure changes unless a
-- source publishes nights further ahead than a year.

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
               (array_agg(p.available ORDER BY p.snapshot_date DESC))[1] AS last_available,
               bool_or(p.available) AS ever_available,
               (array_agg(coalesce(p.nightly_rate, p.adjusted_rate) ORDER BY p.snapshot_date DESC)
                    FILTER (WHERE p.available))[1] AS last_open_rate
          FROM external.property_pricing p
         WHERE p.snapshot_date <= p_as_of
           AND p.snapshot_date <= p.stay_date
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

COMMENT ON FUNCTION etl.calendar_night_status(date, date, date) IS
    'Inferred status of every (platform, listing, night) with stay dates from p_from to p_to, from the pricing snapshots taken on or before p_as_of, on or before the night and at most 365 days before it: available (open at the last look), booked (open in an earlier snapshot, closed in the last one; rate = the last listed open price) or blocked (closed in every snapshot), with a confidence 0-1 and the snapshots seen. Nights never observed are absent; a night''s status does not depend on the window asked. Definitions: docs/metrics.md.';

-- the statuses of the nights p_from..p_to as of p_as_of, as pg_temp.mm_status
-- (dropped at commit), for the two functions below
CREATE FUNCTION etl.night_status_stage(p_as_of date, p_from date, p_to date)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
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
    'Internal to etl.refresh_night_metrics, etl.refresh_market_metrics and etl.mark_night_status: stores etl.calendar_night_status(p_as_of, p_from, p_to) as the temporary table mm_status (dropped at commit) and returns its rows.';

-- etl.market_metrics of p_as_of from pg_temp.mm_status (which must cover the
-- two windows); the statements of 021, reading the stored statuses
CREATE FUNCTION etl.market_metrics_from_stage(p_as_of date, p_trailing_days integer,
                                              p_forward_days integer)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n_listing bigint;
    n_property bigint;
BEGIN
    DELETE FROM etl.market_metrics WHERE as_of = p_as_of;
    DROP TABLE IF EXISTS pg_temp.mm_nights;
    CREATE TEMP TABLE mm_nights ON COMMIT DROP AS
        SELECT 'trailing'::text AS window_kind, p_as_of - p_trailing_days AS window_from,
               p_as_of - 1 AS window_to, s.*
          FROM pg_temp.mm_status s
         WHERE s.stay_date BETWEEN p_as_of - p_trailing_days AND p_as_of - 1
        UNION ALL
        SELECT 'forward', p_as_of, p_as_of + p_forward_days - 1, s.*
          FROM pg_temp.mm_status s
         WHERE s.stay_date BETWEEN p_as_of AND p_as_of + p_forward_days - 1;
    ANALYZE pg_temp.mm_nights;

    INSERT INTO etl.market_metrics (as_of, window_kind, window_from, window_to, subject_kind,
                                    platform, listing_id, tmk, nights_observed, available_nights,
                                    booked_nights, blocked_nights, priced_nights, booked_revenue,
                                    occupancy, adr, revpar, blocked_confidence)
    SELECT p_as_of, n.window_kind, n.window_from, n.window_to, 'listing', n.platform, n.listing_id,
           min(l.tmk),
           count(*), count(*) FILTER (WHERE n.status = 'available'),
           count(*) FILTER (WHERE n.status = 'booked'), count(*) FILTER (WHERE n.status = 'blocked'),
           count(n.rate), coalesce(sum(n.rate), 0),
           round(count(*) FILTER (WHERE n.status = 'booked')::numeric
                 / nullif(count(*) FILTER (WHERE n.status IN ('booked', 'available')), 0), 4),
           round(sum(n.rate) / nullif(count(n.rate), 0), 2),
           round(coalesce(sum(n.rate), 0)
                 / nullif(count(*) FILTER (WHERE n.status IN ('booked', 'available')), 0), 2),
           round(avg(n.confidence) FILTER (WHERE n.status = 'blocked'), 4)
      FROM mm_nights n
      LEFT JOIN etl.listings l ON l.platform = n.platform AND l.listing_id = n.listing_id
     GROUP BY n.window_kind, n.window_from, n.window_to, n.platform, n.listing_id;
    GET DIAGNOSTICS n_listing = ROW_COUNT;

    -- a property night: booked on any of its listings, else open on any, else blocked
    INSERT INTO etl.market_metrics (as_of, window_kind, window_from, window_to, subject_kind,
                                    tmk, nights_observed, available_nights, booked_nights,
                                    blocked_nights, priced_nights, booked_revenue, occupancy, adr,
                                    revpar, blocked_confidence)
    SELECT p_as_of, x.window_kind, x.window_from, x.window_to, 'property', x.tmk,
           count(*), count(*) FILTER (WHERE x.status = 'available'),
           count(*) FILTER (WHERE x.status = 'booked'), count(*) FILTER (WHERE x.status = 'blocked'),
           count(x.rate), coalesce(sum(x.rate), 0),
           round(count(*) FILTER (WHERE x.status = 'booked')::numeric
                 / nullif(count(*) FILTER (WHERE x.status IN ('booked', 'available')), 0), 4),
           round(sum(x.rate) / nullif(count(x.rate), 0), 2),
           round(coalesce(sum(x.rate), 0)
                 / nullif(count(*) FILTER (WHERE x.status IN ('booked', 'available')), 0), 2),
           round(avg(x.confidence) FILTER (WHERE x.status = 'blocked'), 4)
      FROM (SELECT n.window_kind, n.window_from, n.window_to, l.tmk, n.stay_date,
                   CASE WHEN bool_or(n.status = 'booked') THEN 'booked'
                        WHEN bool_or(n.status = 'available') THEN 'available'
                        ELSE 'blocked' END AS status,
                   min(n.rate) FILTER (WHERE n.status = 'booked') AS rate,
                   min(n.confidence) AS confidence
              FROM mm_nights n
              JOIN etl.listings l ON l.platform = n.platform AND l.listing_id = n.listing_id
             WHERE l.tmk IS NOT NULL
             GROUP BY n.window_kind, n.window_from, n.window_to, l.tmk, n.stay_date) x
     GROUP BY x.window_kind, x.window_from, x.window_to, x.tmk;
    GET DIAGNOSTICS n_property = ROW_COUNT;
    DROP TABLE pg_temp.mm_nights;
    RETURN n_listing + n_property;
END
$$;
COMMENT ON FUNCTION etl.market_metrics_from_stage(date, integer, integer) IS
    'Internal to etl.refresh_night_metrics and etl.refresh_market_metrics: replaces the etl.market_metrics rows of p_as_of (trailing and forward windows, per listing and per property) from the statuses in pg_temp.mm_status; returns the rows written.';

-- the marks of 024, from pg_temp.mm_status (which must cover the nights from
-- p_as_of - p_lookback_days to p_as_of + 1100)
CREATE FUNCTION etl.night_marks_from_stage(p_as_of date, p_lookback_days integer)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    UPDATE external.property_pricing p
       SET inferred_status = s.status, inferred_confidence = s.confidence
      FROM pg_temp.mm_status s
     WHERE s.stay_date BETWEEN p_as_of - p_lookback_days AND p_as_of + 1100
       AND p.snapshot_date BETWEEN p_as_of - p_lookback_days AND p_as_of
       AND p.snapshot_date = s.last_snapshot
       AND p.platform = s.platform AND p.listing_id = s.listing_id AND p.stay_date = s.stay_date
       AND (p.inferred_status IS DISTINCT FROM s.status
            OR p.inferred_confidence IS DISTINCT FROM s.confidence);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.night_marks_from_stage(date, integer) IS
    'Internal to etl.refresh_night_metrics and etl.mark_night_status: writes inferred_status and inferred_confidence from pg_temp.mm_status onto the row of the last snapshot that saw each night (nights from p_as_of - p_lookback_days to p_as_of + 1100, snapshots of those days); returns the rows changed.';

CREATE FUNCTION etl.refresh_night_metrics(p_as_of date, p_trailing_days integer,
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
        PERFORM etl.night_status_stage(p_as_of, p_as_of - greatest(p_trailing_days, p_lookback_days),
                                       p_as_of + greatest(p_forward_days - 1, 1100));
    END IF;
    metric_rows := etl.market_metrics_from_stage(p_as_of, p_trailing_days, p_forward_days);
    nights_marked := 0;
    IF p_lookback_days IS NOT NULL THEN
        nights_marked := etl.night_marks_from_stage(p_as_of, p_lookback_days);
    END IF;
    DROP TABLE pg_temp.mm_status;
END
$$;
COMMENT ON FUNCTION etl.refresh_night_metrics(date, integer, integer, integer) IS
    'What mi-compset runs before the sets: the market metrics of p_as_of (as etl.refresh_market_metrics) and, unless p_lookback_days is NULL, the night marks (as etl.mark_night_status with that lookback), from one computation of the night statuses. Idempotent; returns the metric rows written and the pricing rows marked.';

CREATE OR REPLACE FUNCTION etl.refresh_market_metrics(p_as_of date, p_trailing_days integer,
                                                      p_forward_days integer)
    RETURNS bigint
    LANGUAGE sql
    SET jit = off
    SET work_mem = '64MB' AS $$
    SELECT metric_rows FROM etl.refresh_night_metrics(p_as_of, p_trailing_days, p_forward_days, NULL)
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
    PERFORM etl.night_status_stage(p_as_of, p_as_of - p_lookback_days, p_as_of + 1100);
    n := etl.night_marks_from_stage(p_as_of, p_lookback_days);
    DROP TABLE pg_temp.mm_status;
    RETURN n;
END
$$;
