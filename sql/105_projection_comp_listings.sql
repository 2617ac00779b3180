-- 105_projection_comp_listings.sql: the projection's inputs look each
-- competitor's listings up once.
--
-- etl.projection_inputs (095) found the listings of every competitor by
-- joining etl.listings to each member of each open lead's competitive set: at
-- bench scale 1, 526,170 members of 52,617 sets, 29,215 competitors, 2.7 s of
-- the 7 to 10 s that etl.project_revenue takes on each of the night's two
-- scoring passes (most of it to find that no lead has new inputs).  The
-- competitors are made distinct first, then looked up.  The same inputs, to
-- the byte (their SHA-256 is what tells a new projection from a re-run).

CREATE OR REPLACE FUNCTION etl.projection_inputs(p_as_of date, p_cfg jsonb)
    RETURNS TABLE (prospect_property_id bigint, tmk text, computed_on date, inputs jsonb)
    LANGUAGE sql STABLE AS $$
    WITH span AS (
        SELECT (date_trunc('month', p_as_of) - interval '12 months')::date AS h_from,
               (date_trunc('month', p_as_of) - interval '1 day')::date AS h_to,
               (date_trunc('month', p_as_of) + interval '1 month')::date AS p_start,
               greatest(1, floor(etl.leads_setting(p_cfg, 'horizon_days') / 30.4))::integer AS months
    ),
    -- one lead per property (the first made for it owns its projections)
    lead AS (
        SELECT DISTINCT ON (pp.tmk) pp.prospect_property_id, pp.tmk::text AS tmk
          FROM homeowner_acquisition.prospect_properties pp
         WHERE pp.status NOT IN ('won', 'lost', 'disqualified')
         ORDER BY pp.tmk, pp.prospect_property_id
    ),
    latest AS (
        SELECT l.prospect_property_id, l.tmk, max(c.computed_on) AS computed_on
          FROM lead l
          JOIN external.competitive_sets c ON c.subject_tmk = l.tmk AND c.computed_on <= p_as_of
         GROUP BY l.prospect_property_id, l.tmk
    ),
    member AS (
        SELECT la.prospect_property_id, la.tmk, la.computed_on, c.competitor_key, c.competitor_tmk,
               c.competitor_platform, c.competitor_listing_id, c.similarity, c.distance_m,
               c.adr, c.occupancy
          FROM latest la
          JOIN external.competitive_sets c ON c.subject_tmk = la.tmk AND c.computed_on = la.computed_on
         WHERE c.similarity > 0
    ),
    -- the listings of every competitor: its own, or those matched to its parcel
    -- (each competitor looked up once, not once for each set it is in)
    comp_listing AS (
        SELECT m.competitor_key, l.platform::text AS platform, l.listing_id::text AS listing_id
          FROM (SELECT DISTINCT x.competitor_key, x.competitor_tmk FROM member x
                 WHERE x.competitor_tmk IS NOT NULL) m
          JOIN etl.listings l ON l.tmk = m.competitor_tmk
        UNION
        SELECT m.competitor_key, m.competitor_platform, m.competitor_listing_id
          FROM member m WHERE m.competitor_tmk IS NULL
    ),
    -- a competitor's night: booked on any of its listings is booked
    night AS (
        SELECT cl.competitor_key, s.stay_date,
               bool_or(s.status = 'booked') AS booked,
               bool_or(s.status IN ('booked', 'available')) AS bookable,
               max(s.rate) FILTER (WHERE s.status = 'booked') AS rate
          -- the history's nights, as of its last night: a snapshot taken after
          -- it cannot see them (a night's looks are taken on or before it), and
          -- the dates written out, not read from span, let the planner skip the
          -- snapshot partitions of later days (the status and rate read here
          -- are those as of p_as_of)
          FROM etl.calendar_night_status(
                   least(p_as_of, (date_trunc('month', p_as_of) - interval '1 day')::date),
                   (date_trunc('month', p_as_of) - interval '12 months')::date,
                   (date_trunc('month', p_as_of) - interval '1 day')::date) s
          JOIN comp_listing cl ON cl.platform = s.platform AND cl.listing_id = s.listing_id
         GROUP BY cl.competitor_key, s.stay_date
    ),
    comp_month AS (
        SELECT n.competitor_key, extract(month FROM n.stay_date)::integer AS m,
               count(*) FILTER (WHERE n.bookable) AS bookable,
               count(*) FILTER (WHERE n.booked) AS booked,
               count(*) FILTER (WHERE n.booked AND n.rate IS NOT NULL) AS priced,
               coalesce(sum(n.rate) FILTER (WHERE n.booked), 0) AS revenue
          FROM night n
         GROUP BY n.competitor_key, extract(month FROM n.stay_date)
        HAVING count(*) FILTER (WHERE n.bookable) > 0
    ),
    comp_cal AS (
        SELECT cm.competitor_key,
               jsonb_object_agg(cm.m::text, jsonb_build_array(cm.bookable, cm.booked, cm.priced, cm.revenue)) AS months
          FROM comp_month cm GROUP BY cm.competitor_key
    ),
    -- a set whose calendars hold enough nights is projected from them alone: its
    -- comps' trailing figures (which move every night) are no input of it
    usable AS (
        SELECT m.prospect_property_id,
               coalesce(sum(cm.bookable), 0) >= etl.leads_setting(p_cfg, 'month_min_nights')
               AND coalesce(sum(cm.priced), 0) > 0 AS ok
          FROM member m LEFT JOIN comp_month cm ON cm.competitor_key = m.competitor_key
         GROUP BY m.prospect_property_id
    ),
    comps AS (
        SELECT m.prospect_property_id, m.tmk, m.computed_on,
               jsonb_agg(jsonb_build_object(
                   'key', m.competitor_key, 'similarity', m.similarity, 'distance_m', m.distance_m,
                   'adr', CASE WHEN NOT u.ok THEN m.adr END,
                   'occupancy', CASE WHEN NOT u.ok THEN m.occupancy END,
                   'months', coalesce(cc.months, '{}'))
                   ORDER BY m.competitor_key) AS comps
          FROM member m
          JOIN usable u ON u.prospect_property_id = m.prospect_property_id
          LEFT JOIN comp_cal cc ON cc.competitor_key = m.competitor_key
         GROUP BY m.prospect_property_id, m.tmk, m.computed_on
    )
    SELECT c.prospect_property_id, c.tmk, c.computed_on,
           jsonb_build_object(
               'model', 'seasonal-v1',
               'period_start', span.p_start, 'months', span.months,
               'history', jsonb_build_array(span.h_from, span.h_to),
               'settings', (SELECT jsonb_object_agg(k, etl.leads_setting(p_cfg, k))
                              FROM unnest(ARRAY['owner_nights', 'management_fee_pct', 'compset_min_members',
                                                'compset_min_similarity', 'month_min_nights', 'distant_m',
                                                'range_low_pct', 'range_medium_pct', 'range_high_pct',
                                                'cleaning_cost_per_stay', 'average_stay_nights',
                                                'channel_fee_pct', 'get_pct', 'tat_pct']) AS k),
               'comps', c.comps)
      FROM comps c, span
$$;
