-- 111_night_status_integers.sql: a night's confidence and booked price
-- computed in integers.
--
-- etl.night_status_keyed (102) gives every night its confidence with numeric
-- divisions and round(..., 4), and its booked price as cents / 100.0 rounded
-- to 2 places: two numeric divisions and two roundings per night, 12.8 M
-- nights twice a night at bench scale 1 (mi-compset groups the nights once
-- for the metrics and the marks of older snapshots, once for the newest
-- snapshot's marks).  The same values come from integer arithmetic and one
-- numeric multiplication:
--
--   * open at the last look: 1 - g / 60 (g the days between that look and
--     the night or the as-of date, less one), at least 0.5, rounded to 4
--     places: (60 - g) * 10000 / 60 = (60 - g) * 500 / 3 is a whole number
--     or a third away from one, never a half, so the rounding is
--     ((60 - g) * 1000 + 3) / 6 in integers;
--   * booked: 0.9;
--   * never open: 0.5 + 0.45 * d / 90 = (100 + d) / 200 exactly, d the days
--     from the first look to the night, at most 90: (100 + d) * 50
--     ten-thousandths;
--   * the price: the packed cents less one, times 0.01.
--
-- Multiplied by 0.0001 (or 0.01) the numeric keeps 4 (or 2) places, as
-- round(..., 4) and round(..., 2) did: the same values with the same text.
-- On the bench's 12.81 M nights (two snapshots, 90 nights back to 1,100
-- ahead) the two definitions agree on every night, status, confidence and
-- price as text; a grouping of the newest snapshot's nights takes 23.6 s
-- instead of 25.9 s.  test_metrics compares them on the fixtures' nights.

CREATE OR REPLACE FUNCTION etl.night_status_keyed(p_as_of date, p_from date, p_to date)
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
           -- the confidence in ten-thousandths, in integers, then scaled: the
           -- values and scale of 102's numeric round(..., 4) (see the top)
           (CASE
            -- still open at the last look: sure when that look was close to
            -- the night (or the night is still ahead), less so as the gap grows
            -- (1 - gap / 60, at least 0.5)
            WHEN o.last_available THEN
                 greatest(5000, ((60 - greatest(least(o.stay_date, p_as_of) - o.last_snapshot - 1, 0))
                                 * 1000 + 3) / 6)
            -- turned unavailable between two looks: a booking, unless the
            -- owner closed it late (seen as a booking by the vendors too)
            WHEN o.ever_available THEN 9000
            -- never open: a block, surer the earlier we first saw it closed
            -- (0.5 + 0.45 * days / 90, the days at most 90)
            ELSE (100 + least(o.stay_date - o.first_snapshot, 90)) * 50
            END)::numeric * 0.0001,
           CASE WHEN NOT o.last_available AND o.ever_available
                     AND o.last_open_key & 140737488355327 > 0
                THEN ((o.last_open_key & 140737488355327) - 1)::numeric * 0.01 END,
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
