-- 093_night_status_prune.sql: etl.calendar_night_status states that no
-- snapshot taken after the window's last night counts (it was implied by
-- "on or before the night"), so a window in the past (the projections' 12
-- months of history, a backfill's metrics) reads only the snapshot
-- partitions up to its end.  The same rows.

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
