-- 106_signals_roll_once.sql: the sale signal asks whether the roll shows the
-- buyer once per sale, not once per column that uses the answer.
--
-- etl.opportunity_signals (095) decides, for a sale without the buyer's
-- address, whether the roll's owner is the buyer (r.roll, a LATERAL subquery
-- with two lookups of the owner changes).  The planner pulled that subquery up
-- into the five expressions that read r.roll, so each sale ran the lookups
-- once per expression: the plan scanned etl.change_events 19 times, most of
-- them once for each of the 11,293 sales of the window at bench scale 1,
-- 4.2 s of the 8.3 s the signals take on each of the night's two scoring
-- passes.  OFFSET 0 keeps the subquery a subquery: its answer is
-- computed once per sale.  The same signals (28,370 rows at bench scale 1,
-- the same md5 of their text, old and new function in one rolled-back
-- transaction: 8.3 s, then 4.1 s; measured with psql on the database that
-- MI_BENCH_KEEP=1 make bench-night leaves, as SELECT count(*),
-- md5(string_agg(x::text, '|' ORDER BY x::text)) FROM
-- etl.opportunity_signals('2026-12-06', <the settings mi-leads passes>) x,
-- before and after this CREATE OR REPLACE).

CREATE OR REPLACE FUNCTION etl.opportunity_signals(p_as_of date, p_cfg jsonb)
    RETURNS TABLE (tmk text, signal text, lead_source_code text, value numeric, weight numeric,
                   contribution numeric, signal_key text, evidence jsonb, occurred_on date,
                   change_event_id bigint)
    LANGUAGE plpgsql STABLE SET jit = off AS $$
#variable_conflict use_column
DECLARE
    sale_days integer := etl.leads_setting(p_cfg, 'sale_window_days');
    mgr_days integer := etl.leads_setting(p_cfg, 'manager_change_window_days');
    rv_recent integer := etl.leads_setting(p_cfg, 'review_recent_days');
    rv_prior integer := etl.leads_setting(p_cfg, 'review_prior_days');
    rv_min integer := etl.leads_setting(p_cfg, 'review_min_reviews');
    rv_below numeric := etl.leads_setting(p_cfg, 'review_negative_below');
    rv_drop numeric := etl.leads_setting(p_cfg, 'review_decline_by');
    rv_cap numeric := etl.leads_setting(p_cfg, 'review_cap');
    gap_min numeric := etl.leads_setting(p_cfg, 'compset_gap');
    comp_min integer := etl.leads_setting(p_cfg, 'compset_min_members');
    comp_sim numeric := etl.leads_setting(p_cfg, 'compset_min_similarity');
    occ_nights integer := coalesce((p_cfg ->> 'occupancy_min_nights')::integer, 0);
    dark_days integer := etl.leads_setting(p_cfg, 'dark_window_days');
    closed_days integer := etl.leads_setting(p_cfg, 'dark_closed_nights');
    w_sale numeric := etl.leads_setting(p_cfg, 'w_sale');
    w_sale_abs numeric := etl.leads_setting(p_cfg, 'w_sale_absentee');
    w_sale_oos numeric := etl.leads_setting(p_cfg, 'w_sale_out_of_state');
    w_mgr numeric := etl.leads_setting(p_cfg, 'w_manager_change');
    w_self numeric := etl.leads_setting(p_cfg, 'w_self_managed');
    w_review numeric := etl.leads_setting(p_cfg, 'w_review_aspect');
    w_occ numeric := etl.leads_setting(p_cfg, 'w_occupancy_below');
    w_adr numeric := etl.leads_setting(p_cfg, 'w_adr_below');
    w_dark numeric := etl.leads_setting(p_cfg, 'w_listing_dark');
BEGIN
    IF p_as_of IS NULL THEN
        RAISE EXCEPTION 'as-of date must not be null' USING ERRCODE = '22004';
    END IF;
    RETURN QUERY
    WITH market AS (
        SELECT p.tmk::text AS tmk FROM external.properties p
         WHERE NOT p.is_ours AND p.owner_kind IS DISTINCT FROM 'government'
    ),
    -- 1. a recent arm's-length sale; the buyer's profile sets the weight
    sale AS (
        SELECT DISTINCT ON (m.tmk) m.tmk, s.sale_key, s.price, s.grantee, s.grantee_key,
               s.buyer_mailing_address, s.buyer_mailing_state, s.buyer_is_out_of_state,
               s.buyer_is_absentee, coalesce(s.recording_date, s.sale_date) AS recorded,
               s.sale_date
          FROM external.property_sales s
         CROSS JOIN LATERAL unnest(s.tmks) AS deed(parcel)
          JOIN market m ON m.tmk = deed.parcel::text
         WHERE coalesce(s.recording_date, s.sale_date) > p_as_of - sale_days
           AND coalesce(s.recording_date, s.sale_date) <= p_as_of
           AND s.is_arms_length IS NOT FALSE
         -- two deeds recorded the same day: the later document by its natural
         -- key (sale_id depends on the order the rows were loaded in)
         ORDER BY m.tmk, coalesce(s.recording_date, s.sale_date) DESC, s.sale_key DESC
    ),
    -- 1b. a sale without the buyer's address (Maui's RPT file has none) whose
    -- buyer is the owner the roll shows: the grantee is that owner, or, with no
    -- grantee, the roll's owner appeared on or after the recording (the owner
    -- change that brought them in, else the parcel's first sighting when its
    -- owner never changed).  Then the roll's mailing address says where the
    -- buyer lives.
    sale_buyer AS (
        SELECT s.tmk, s.sale_key, s.price, s.recorded, s.sale_date,
               CASE WHEN r.roll OR s.grantee_key = p.owner_key
                    THEN coalesce(nullif(p.owner_display, ''), s.grantee, p.owner_name)
                    ELSE s.grantee END AS grantee,
               CASE WHEN r.roll THEN p.owner_mailing_state ELSE s.buyer_mailing_state END
                   AS buyer_mailing_state,
               CASE WHEN r.roll THEN p.owner_out_of_state ELSE s.buyer_is_out_of_state END
                   AS buyer_is_out_of_state,
               CASE WHEN r.roll THEN p.owner_is_absentee ELSE s.buyer_is_absentee END
                   AS buyer_is_absentee,
               r.roll AS buyer_from_roll
          FROM sale s
          JOIN external.properties p ON p.tmk = s.tmk
         CROSS JOIN LATERAL (
               SELECT s.buyer_mailing_address IS NULL AND s.buyer_mailing_state IS NULL
                      AND s.buyer_is_out_of_state IS NULL AND p.owner_key IS NOT NULL
                      AND (s.grantee_key = p.owner_key
                           OR (s.grantee_key IS NULL
                               AND coalesce((SELECT max(ce.occurred_on) FROM etl.change_events ce
                                              WHERE ce.event_type = 'owner_changed'
                                                AND ce.tmk = p.tmk
                                                AND ce.new_value ->> 'owner_key' = p.owner_key),
                                            CASE WHEN NOT EXISTS (
                                                     SELECT 1 FROM etl.change_events ce
                                                      WHERE ce.event_type = 'owner_changed'
                                                        AND ce.tmk = p.tmk)
                                                 THEN p.first_seen END) >= s.recorded))
                      IS TRUE AS roll
               -- a subquery, not pulled up: r.roll is read five times below
               OFFSET 0) r
    ),
    -- 2. the current manager row opened recently, after a different manager
    mgr AS (
        SELECT cur.tmk::text AS tmk, cur.manager_key, cur.manager_name, cur.valid_from,
               prev.manager_key AS prev_key, prev.manager_name AS prev_name
          FROM external.property_managers cur
          JOIN market m ON m.tmk = cur.tmk
          JOIN LATERAL (SELECT q.manager_key, q.manager_name FROM external.property_managers q
                         WHERE q.tmk = cur.tmk AND q.valid_from < cur.valid_from
                         ORDER BY q.valid_from DESC LIMIT 1) prev ON true
         WHERE cur.is_current AND cur.valid_from > p_as_of - mgr_days AND cur.valid_from <= p_as_of
           AND prev.manager_key <> cur.manager_key
    ),
    -- 3. run by the owner or a one-property host
    self AS (
        SELECT m.tmk, coalesce(cur.manager_key, 'owner') AS manager_key, cur.manager_name
          FROM market m
          JOIN external.properties p ON p.tmk = m.tmk
          LEFT JOIN external.property_managers cur ON cur.tmk = p.tmk AND cur.is_current
         WHERE coalesce(cur.is_self_managed, p.is_self_managed, false)
    ),
    -- 4. manager-controllable review aspects: negative lately, or falling
    -- (each review's aspect scores read once, with jsonb_each_text, rather than
    -- the review joined to each of the six aspects and probed for it)
    rv AS (
        SELECT l.tmk::text AS tmk, a.aspect, r.review_date, a.score::numeric AS score
          FROM external.property_reviews r
          JOIN etl.listings l ON l.platform = r.platform AND l.listing_id = r.listing_id
          JOIN market m ON m.tmk = l.tmk
         CROSS JOIN LATERAL jsonb_each_text(r.aspect_scores) AS a(aspect, score)
         WHERE a.aspect IN ('cleanliness', 'maintenance', 'communication', 'checkin',
                            'accuracy', 'amenities')
           AND r.review_date > p_as_of - rv_recent - rv_prior AND r.review_date <= p_as_of
    ),
    rv_agg AS (
        SELECT x.tmk, x.aspect,
               avg(x.score) FILTER (WHERE x.review_date > p_as_of - rv_recent) AS recent_mean,
               count(*) FILTER (WHERE x.review_date > p_as_of - rv_recent) AS recent_n,
               avg(x.score) FILTER (WHERE x.review_date <= p_as_of - rv_recent) AS prior_mean,
               count(*) FILTER (WHERE x.review_date <= p_as_of - rv_recent) AS prior_n,
               max(x.review_date) FILTER (WHERE x.review_date > p_as_of - rv_recent AND x.score < 0)
                   AS last_negative,
               max(x.review_date) FILTER (WHERE x.review_date > p_as_of - rv_recent) AS last_recent
          FROM rv x
         GROUP BY x.tmk, x.aspect
    ),
    rv_sig AS (
        SELECT g.*, least(1, greatest(-g.recent_mean, coalesce(g.prior_mean - g.recent_mean, 0)))
                   AS severity
          FROM rv_agg g
         WHERE g.recent_n >= rv_min
           AND (g.recent_mean < rv_below OR g.prior_mean - g.recent_mean >= rv_drop)
    ),
    rv_scaled AS (
        SELECT s.*, w_review * s.severity
                    * least(1, rv_cap / nullif(sum(w_review * s.severity) OVER (PARTITION BY s.tmk), 0))
                    AS points
          FROM rv_sig s
    ),
    -- 5. own trailing occupancy / ADR against the similarity-weighted comp set
    own AS (
        SELECT DISTINCT ON (mm.tmk) mm.tmk::text AS tmk, mm.as_of, mm.occupancy, mm.adr,
               mm.booked_nights + mm.available_nights AS open_nights
          FROM etl.market_metrics mm
          JOIN market m ON m.tmk = mm.tmk
         WHERE mm.subject_kind = 'property' AND mm.window_kind = 'trailing' AND mm.as_of <= p_as_of
         ORDER BY mm.tmk, mm.as_of DESC
    ),
    -- the comp set's figures: one definition with the projection's (etl.compset_figures)
    comp AS (
        SELECT f.tmk, f.computed_on, f.occ, f.n_occ, f.adr, f.n_adr
          FROM etl.compset_figures(p_as_of, comp_sim) f
          JOIN market m ON m.tmk = f.tmk
    ),
    -- 6. a listing that disappeared lately, or whose calendar is closed ahead
    dark AS (
        SELECT DISTINCT ON (x.tmk) x.* FROM (
            SELECT l.tmk::text AS tmk, l.platform::text AS platform, l.listing_id::text AS listing_id,
                   'delisted'::text AS how, l.disappeared_on AS since, 1 AS pref
              FROM etl.listings l
              JOIN market m ON m.tmk = l.tmk
             WHERE NOT l.is_active AND l.disappeared_on > p_as_of - dark_days
               AND l.disappeared_on <= p_as_of
            UNION ALL
            SELECT mm.tmk, mm.platform, mm.listing_id, 'calendar_closed', mm.as_of, 2
              FROM etl.market_metrics mm
              JOIN market m ON m.tmk = mm.tmk
             WHERE mm.subject_kind = 'listing' AND mm.window_kind = 'forward'
               AND mm.as_of = (SELECT max(z.as_of) FROM etl.market_metrics z WHERE z.as_of <= p_as_of)
               AND mm.available_nights = 0 AND mm.booked_nights = 0
               AND mm.blocked_nights >= closed_days
        ) x
        -- two listings of the parcel dark since the same day: the first by
        -- platform and id (the signal key names the listing)
        ORDER BY x.tmk, x.pref, x.since DESC, x.platform, x.listing_id
    )
    SELECT s.tmk, 'recent_sale', 'COUNTY_SALE', 1::numeric,
           CASE WHEN s.buyer_is_out_of_state THEN w_sale_oos
                WHEN s.buyer_is_absentee THEN w_sale_abs ELSE w_sale END,
           CASE WHEN s.buyer_is_out_of_state THEN w_sale_oos
                WHEN s.buyer_is_absentee THEN w_sale_abs ELSE w_sale END,
           'COUNTY_SALE:' || s.sale_key,
           jsonb_build_object('sale_key', s.sale_key, 'recorded', s.recorded,
                              'sale_date', s.sale_date, 'price', s.price,
                              'grantee', s.grantee, 'buyer_state', s.buyer_mailing_state,
                              'buyer_out_of_state', s.buyer_is_out_of_state,
                              'buyer_absentee', s.buyer_is_absentee)
               || CASE WHEN s.buyer_from_roll THEN '{"buyer_from": "owner_roll"}'::jsonb
                       ELSE '{}'::jsonb END,
           s.recorded,
           (SELECT ce.change_event_id FROM etl.change_events ce
             WHERE ce.event_type = 'sale_recorded' AND ce.event_key = s.sale_key)
      FROM sale_buyer s
    UNION ALL
    SELECT g.tmk, 'manager_change', 'PM_CHANGE', 1, w_mgr, w_mgr,
           'PM_CHANGE:' || g.tmk || ':' || g.valid_from,
           jsonb_build_object('from', g.prev_name, 'from_key', g.prev_key, 'to', g.manager_name,
                              'to_key', g.manager_key, 'since', g.valid_from),
           g.valid_from,
           (SELECT ce.change_event_id FROM etl.change_events ce
             WHERE ce.event_type = 'manager_changed' AND ce.event_key = g.tmk || ':' || g.valid_from)
      FROM mgr g
    UNION ALL
    SELECT f.tmk, 'self_managed', 'SELF_MANAGED', 1, w_self, w_self,
           'SELF_MANAGED:' || f.tmk || ':' || f.manager_key,
           jsonb_build_object('manager', f.manager_name, 'manager_key', f.manager_key),
           p_as_of, NULL::bigint
      FROM self f
    UNION ALL
    SELECT r.tmk, 'review_' || r.aspect, 'REVIEW_SIGNAL', round(r.severity, 4), w_review,
           round(r.points, 4),
           'REVIEW_SIGNAL:' || r.tmk || ':' || r.aspect || ':' || coalesce(r.last_negative, r.last_recent),
           jsonb_build_object('aspect', r.aspect, 'recent_mean', round(r.recent_mean, 4),
                              'recent_reviews', r.recent_n, 'prior_mean', round(r.prior_mean, 4),
                              'prior_reviews', r.prior_n, 'last_negative', r.last_negative,
                              'recent_days', rv_recent),
           coalesce(r.last_negative, r.last_recent), NULL::bigint
      FROM rv_scaled r
    UNION ALL
    SELECT o.tmk, 'occupancy_below_compset', 'PRICING_SIGNAL', round(1 - o.occupancy / c.occ, 4),
           w_occ, round(w_occ * least(1, (1 - o.occupancy / c.occ) * 2), 4),
           'PRICING_SIGNAL:' || o.tmk || ':occupancy:' || to_char(p_as_of, 'YYYY-MM'),
           jsonb_build_object('occupancy', o.occupancy, 'compset_occupancy', round(c.occ, 4),
                              'compset_members', c.n_occ, 'compset_computed_on', c.computed_on,
                              'metrics_as_of', o.as_of, 'open_nights', o.open_nights),
           p_as_of, NULL::bigint
      FROM own o JOIN comp c ON c.tmk = o.tmk
     WHERE o.occupancy IS NOT NULL AND c.n_occ >= comp_min AND c.occ > 0
       AND o.open_nights >= occ_nights
       AND o.occupancy < c.occ * (1 - gap_min)
    UNION ALL
    SELECT o.tmk, 'adr_below_compset', 'PRICING_SIGNAL', round(1 - o.adr / c.adr, 4),
           w_adr, round(w_adr * least(1, (1 - o.adr / c.adr) * 2), 4),
           'PRICING_SIGNAL:' || o.tmk || ':adr:' || to_char(p_as_of, 'YYYY-MM'),
           jsonb_build_object('adr', o.adr, 'compset_adr', round(c.adr, 2),
                              'compset_members', c.n_adr, 'compset_computed_on', c.computed_on,
                              'metrics_as_of', o.as_of),
           p_as_of, NULL::bigint
      FROM own o JOIN comp c ON c.tmk = o.tmk
     WHERE o.adr IS NOT NULL AND c.n_adr >= comp_min AND c.adr > 0
       AND o.adr < c.adr * (1 - gap_min)
    UNION ALL
    SELECT d.tmk, 'listing_dark', 'LISTING_DARK', 1, w_dark, w_dark,
           'LISTING_DARK:' || d.platform || ':' || d.listing_id || ':' || d.how || ':'
               || CASE WHEN d.how = 'delisted' THEN d.since::text ELSE to_char(d.since, 'YYYY-MM') END,
           jsonb_build_object('platform', d.platform, 'listing_id', d.listing_id, 'how', d.how,
                              'since', d.since),
           d.since,
           (SELECT ce.change_event_id FROM etl.change_events ce
             WHERE ce.event_type = 'listing_disappeared' AND ce.tmk = d.tmk
               AND ce.platform = d.platform AND ce.listing_id = d.listing_id
             ORDER BY ce.occurred_on DESC LIMIT 1)
      FROM dark d;
END
$$;

