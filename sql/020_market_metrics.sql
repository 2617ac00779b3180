-- 020_market_metrics.sql: market metrics from competitor calendar snapshots
-- (mi-compset).  The definitions are written down in docs/metrics.md; keep
-- the two in step.
--
--   per night    etl.calendar_night_status(as_of, from, to): available, booked
--                (turned unavailable between two snapshots, at the last listed
--                price) or blocked (unavailable in every snapshot), each with a
--                confidence
--   per listing  occupancy = booked / (booked + available), ADR = booked revenue /
--   per property booked nights with a price, RevPAR = booked revenue / (booked +
--                available); blocked nights are left out of both
--   stored       etl.market_metrics, one row per subject, window and as-of date,
--                filled by etl.refresh_market_metrics() (idempotent per as_of)

CREATE FUNCTION etl.calendar_night_status(p_as_of date, p_from date, p_to date)
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
           -- a look more than a year before the night adds nothing in practice, and
           -- the bound lets the planner skip the old snapshot partitions
           AND p.snapshot_date >= p_from - 365
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
    'Inferred status of every (platform, listing, night) with stay dates from p_from to p_to, from the pricing snapshots taken on or before p_as_of and on or before the night (and at most 365 days before p_from): available (open at the last look), booked (open in an earlier snapshot, closed in the last one; rate = the last listed open price) or blocked (closed in every snapshot), with a confidence 0-1 and the snapshots seen. Nights never observed are absent. Definitions: docs/metrics.md.';

CREATE TABLE etl.market_metrics (
    market_metric_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    as_of             date NOT NULL,
    window_kind       text NOT NULL CHECK (window_kind IN ('trailing', 'forward')),
    window_from       date NOT NULL,
    window_to         date NOT NULL,
    subject_kind      text NOT NULL CHECK (subject_kind IN ('listing', 'property')),
    platform          etl.source_id,
    listing_id        etl.external_id,
    tmk               external.tmk,
    subject_key       text NOT NULL GENERATED ALWAYS AS (
                          CASE WHEN subject_kind = 'property' THEN 'tmk:' || tmk
                               ELSE 'listing:' || platform || ':' || listing_id END) STORED,
    nights_observed   integer NOT NULL CHECK (nights_observed >= 0),
    available_nights  integer NOT NULL CHECK (available_nights >= 0),
    booked_nights     integer NOT NULL CHECK (booked_nights >= 0),
    blocked_nights    integer NOT NULL CHECK (blocked_nights >= 0),
    priced_nights     integer NOT NULL CHECK (priced_nights >= 0),
    booked_revenue    numeric(14,2) NOT NULL CHECK (booked_revenue >= 0),
    occupancy         etl.fraction,
    adr               etl.money,
    revpar            etl.money,
    blocked_confidence etl.fraction,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT market_metrics_key UNIQUE (as_of, window_kind, subject_key),
    CONSTRAINT market_metrics_window CHECK (window_to >= window_from),
    CONSTRAINT market_metrics_subject CHECK (
        (subject_kind = 'property' AND tmk IS NOT NULL)
        OR (subject_kind = 'listing' AND platform IS NOT NULL AND listing_id IS NOT NULL)),
    CONSTRAINT market_metrics_nights CHECK (
        available_nights + booked_nights + blocked_nights = nights_observed
        AND priced_nights <= booked_nights)
);
CREATE INDEX market_metrics_tmk_idx ON etl.market_metrics (tmk, as_of DESC)
    WHERE tmk IS NOT NULL;

COMMENT ON TABLE etl.market_metrics IS
    'Market metrics per listing and per property over a trailing (past nights) or forward (on the books) window of stay dates, computed by mi-compset from the pricing snapshots taken up to as_of (etl.refresh_market_metrics). One row per (as_of, window_kind, subject_key); a re-run for the same as_of replaces its rows. Definitions: docs/metrics.md.';
COMMENT ON COLUMN etl.market_metrics.market_metric_id IS 'Surrogate key of the row.';
COMMENT ON COLUMN etl.market_metrics.as_of IS 'The metrics use the snapshots taken on or before this date; the windows are placed around it.';
COMMENT ON COLUMN etl.market_metrics.window_kind IS 'trailing: the nights before as_of (what happened); forward: as_of and the nights after it (what is on the books, pace).';
COMMENT ON COLUMN etl.market_metrics.window_from IS 'First stay date of the window.';
COMMENT ON COLUMN etl.market_metrics.window_to IS 'Last stay date of the window (inclusive).';
COMMENT ON COLUMN etl.market_metrics.subject_kind IS 'listing: one platform listing; property: all the listings matched to one TMK, night by night (booked on any listing = booked).';
COMMENT ON COLUMN etl.market_metrics.platform IS 'Platform of the listing (listing rows; NULL for property rows).';
COMMENT ON COLUMN etl.market_metrics.listing_id IS 'Listing id on the platform (listing rows; NULL for property rows).';
COMMENT ON COLUMN etl.market_metrics.tmk IS 'The property: the TMK of a property row, the matched TMK of a listing row (NULL when the listing is not matched).';
COMMENT ON COLUMN etl.market_metrics.subject_key IS 'Subject identity (derived): tmk:<tmk> or listing:<platform>:<listing id>; part of the natural key.';
COMMENT ON COLUMN etl.market_metrics.nights_observed IS 'Nights of the window seen in at least one snapshot (available + booked + blocked).';
COMMENT ON COLUMN etl.market_metrics.available_nights IS 'Nights still open at the last snapshot that saw them (unsold, or still for sale).';
COMMENT ON COLUMN etl.market_metrics.booked_nights IS 'Nights inferred booked: open in an earlier snapshot, closed in a later one.';
COMMENT ON COLUMN etl.market_metrics.blocked_nights IS 'Nights closed in every snapshot that saw them: owner use, holds or bookings made before the first snapshot; left out of occupancy.';
COMMENT ON COLUMN etl.market_metrics.priced_nights IS 'Booked nights with a known last listed price (the ADR denominator).';
COMMENT ON COLUMN etl.market_metrics.booked_revenue IS 'Sum in USD of the last listed price of the booked nights (rent only, no fees or taxes).';
COMMENT ON COLUMN etl.market_metrics.occupancy IS 'booked / (booked + available), NULL when no night was bookable.';
COMMENT ON COLUMN etl.market_metrics.adr IS 'Average daily rate in USD: booked_revenue / priced_nights, NULL when no booked night had a price.';
COMMENT ON COLUMN etl.market_metrics.revpar IS 'Revenue per available night in USD: booked_revenue / (booked + available), NULL when no night was bookable.';
COMMENT ON COLUMN etl.market_metrics.blocked_confidence IS 'Mean confidence of the blocked inference over the blocked nights (low when the nights were first seen already close), NULL without blocked nights.';
COMMENT ON COLUMN etl.market_metrics.created_at IS 'When the row was computed.';
