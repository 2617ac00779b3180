-- 021_compset.sql: the set-based half of mi-compset: refreshing the market
-- metrics and choosing subjects and candidates of the competitive sets (the
-- k-nearest search itself runs in C over a grid, pipeline/compset.c).

CREATE FUNCTION etl.refresh_market_metrics(p_as_of date, p_trailing_days integer, p_forward_days integer)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n_listing bigint;
    n_property bigint;
BEGIN
    IF p_as_of IS NULL THEN
        RAISE EXCEPTION 'as-of date must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_trailing_days IS NULL OR p_trailing_days NOT BETWEEN 1 AND 1095
       OR p_forward_days IS NULL OR p_forward_days NOT BETWEEN 1 AND 1095 THEN
        RAISE EXCEPTION 'metrics windows "%" and "%" days must be between 1 and 1095',
            p_trailing_days, p_forward_days USING ERRCODE = '22023';
    END IF;
    DELETE FROM etl.market_metrics WHERE as_of = p_as_of;

    DROP TABLE IF EXISTS pg_temp.mm_nights;
    CREATE TEMP TABLE mm_nights ON COMMIT DROP AS
        SELECT 'trailing'::text AS window_kind, p_as_of - p_trailing_days AS window_from,
               p_as_of - 1 AS window_to, s.*
          FROM etl.calendar_night_status(p_as_of, p_as_of - p_trailing_days, p_as_of - 1) s
        UNION ALL
        SELECT 'forward', p_as_of, p_as_of + p_forward_days - 1, s.*
          FROM etl.calendar_night_status(p_as_of, p_as_of, p_as_of + p_forward_days - 1) s;

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
COMMENT ON FUNCTION etl.refresh_market_metrics(date, integer, integer) IS
    'Recomputes etl.market_metrics for p_as_of: per listing and per matched property, over the trailing window (the p_trailing_days nights before p_as_of) and the forward window (p_as_of and the p_forward_days - 1 nights after it), from etl.calendar_night_status. Replaces the rows of that as_of (idempotent); returns the number of rows written. Called by mi-compset.';

CREATE FUNCTION etl.compset_subjects(p_extra text[], p_kinds text[])
    RETURNS TABLE (tmk text, latitude numeric, longitude numeric, bedrooms smallint,
                   bathrooms numeric, max_guests smallint, property_type text)
    LANGUAGE sql STABLE AS $$
    SELECT p.tmk, p.latitude, p.longitude, p.bedrooms, p.bathrooms, p.max_guests, p.property_type
      FROM external.properties p
     WHERE ('all' = ANY (p_kinds) AND p.latitude IS NOT NULL)
        OR ('ours' = ANY (p_kinds) AND p.is_ours)
        OR p.tmk = ANY (p_extra)
        OR ('prospects' = ANY (p_kinds) AND EXISTS (
               SELECT 1 FROM homeowner_acquisition.prospect_properties pp
                WHERE pp.tmk = p.tmk AND pp.status NOT IN ('won', 'lost', 'disqualified')))
        OR ('listed' = ANY (p_kinds) AND EXISTS (
               SELECT 1 FROM etl.listings l WHERE l.tmk = p.tmk AND l.is_active))
$$;
COMMENT ON FUNCTION etl.compset_subjects(text[], text[]) IS
    'The properties mi-compset computes a competitive set for: the TMKs in p_extra (the portfolio config) and those of the kinds in p_kinds: ours (is_ours), prospects (open prospect_properties), listed (an active matched listing), all (every located property). Rows with NULL coordinates are subjects that cannot be placed.';

CREATE FUNCTION etl.compset_candidates(p_listed_only boolean)
    RETURNS TABLE (tmk text, latitude numeric, longitude numeric, bedrooms smallint,
                   bathrooms numeric, max_guests smallint, property_type text)
    LANGUAGE sql STABLE AS $$
    SELECT p.tmk, p.latitude, p.longitude, p.bedrooms, p.bathrooms, p.max_guests, p.property_type
      FROM external.properties p
     WHERE p.latitude IS NOT NULL
       AND (NOT p_listed_only
            OR EXISTS (SELECT 1 FROM etl.listings l WHERE l.tmk = p.tmk AND l.is_active))
$$;
COMMENT ON FUNCTION etl.compset_candidates(boolean) IS
    'The located properties a competitive set may choose from; with p_listed_only only those with an active matched listing (rentals on the market, whose metrics can be compared).';
