-- 069_leads_desk_nightly.sql: the nightly run respects the desk, and every
-- comp-set figure has one definition.
--
--   etl.compset_figures      the comp set's ADR and occupancy (similarity-weighted
--                            means, quartiles): the pricing signals, their reason
--                            sentences and the projections all use it, so the
--                            figure in a reason is the projection's (projection
--                            model compset-v2: occupancy over every member with
--                            one, as the signal always counted it)
--   etl.opportunity_signals  as 040, its comp set from etl.compset_figures
--   etl.score_leads          as 040 (its total orders kept), and: the settings
--                            land in etl.lead_settings for the desk; an owner's
--                            other parcels join its lead; never touches a stage
--                            or a claim; no activity for a won or do-not-contact
--                            owner; on a lost one only a strong new signal
--                            (signal_since_lost_points), which sets
--                            prospects.signal_since_lost_at and does not reopen it
--   etl.project_revenue      as 040, from etl.compset_figures (model compset-v2)
--   notify_hot_lead          a lead of an open, contactable, unsuppressed owner

CREATE FUNCTION etl.compset_figures(p_as_of date, p_min_similarity numeric)
    RETURNS TABLE (tmk text, computed_on date, occ numeric, n_occ bigint, adr numeric, n_adr bigint,
                   occ_lo numeric, occ_hi numeric, adr_lo numeric, adr_hi numeric, comps jsonb,
                   metrics_from date, metrics_to date)
    LANGUAGE sql STABLE AS $$
    WITH d AS (
        SELECT c.subject_tmk::text AS tmk, max(c.computed_on) AS computed_on
          FROM external.competitive_sets c
         WHERE c.computed_on <= p_as_of
         GROUP BY c.subject_tmk
    )
    SELECT d.tmk, d.computed_on,
           sum(c.similarity * c.occupancy) FILTER (WHERE c.occupancy IS NOT NULL)
               / nullif(sum(c.similarity) FILTER (WHERE c.occupancy IS NOT NULL), 0),
           count(c.occupancy),
           sum(c.similarity * c.adr) FILTER (WHERE c.adr IS NOT NULL)
               / nullif(sum(c.similarity) FILTER (WHERE c.adr IS NOT NULL), 0),
           count(c.adr),
           percentile_cont(0.25) WITHIN GROUP (ORDER BY c.occupancy)::numeric,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY c.occupancy)::numeric,
           percentile_cont(0.25) WITHIN GROUP (ORDER BY c.adr)::numeric,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY c.adr)::numeric,
           coalesce(jsonb_agg(jsonb_build_object('tmk', c.competitor_tmk, 'similarity', c.similarity,
                                                 'adr', c.adr, 'occupancy', c.occupancy)
                              ORDER BY c.rank)
                        FILTER (WHERE c.adr IS NOT NULL OR c.occupancy IS NOT NULL), '[]'),
           min(c.metrics_from), max(c.metrics_to)
      FROM d
      JOIN external.competitive_sets c ON c.subject_tmk = d.tmk AND c.computed_on = d.computed_on
     WHERE c.similarity >= p_min_similarity AND c.similarity > 0
     GROUP BY d.tmk, d.computed_on
$$;
COMMENT ON FUNCTION etl.compset_figures(date, numeric) IS
    'The figures of every subject''s latest competitive set computed on or before p_as_of, over its members of similarity >= p_min_similarity (and > 0): occ = similarity-weighted mean occupancy of the n_occ members with one, adr likewise over the n_adr members with an ADR, their lower and upper quartiles, the members used (comps, by rank) and their metrics window. The one definition of the comp-set figures: the pricing signals (etl.opportunity_signals) and the revenue projections (etl.project_revenue) both read it.';

CREATE OR REPLACE FUNCTION etl.opportunity_signals(p_as_of date, p_cfg jsonb)
    RETURNS TABLE (tmk text, signal text, lead_source_code text, value numeric, weight numeric,
                   contribution numeric, signal_key text, evidence jsonb, occurred_on date,
                   change_event_id bigint)
    LANGUAGE plpgsql STABLE AS $$
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
                      IS TRUE AS roll) r
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
    rv AS (
        SELECT l.tmk::text AS tmk, a.aspect, r.review_date,
               (r.aspect_scores ->> a.aspect)::numeric AS score
          FROM external.property_reviews r
          JOIN etl.listings l ON l.platform = r.platform AND l.listing_id = r.listing_id
          JOIN market m ON m.tmk = l.tmk
         CROSS JOIN unnest(ARRAY['cleanliness', 'maintenance', 'communication', 'checkin',
                                 'accuracy', 'amenities']) AS a(aspect)
         WHERE r.aspect_scores ? a.aspect
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
COMMENT ON FUNCTION etl.opportunity_signals(date, jsonb) IS
    'Every opportunity signal of every market property (not ours, not government-owned) as of p_as_of with the settings p_cfg (docs/metrics.md, section 4): recent_sale, manager_change, self_managed, review_<aspect>, occupancy_below_compset and adr_below_compset (against etl.compset_figures, the figures the projections use), listing_dark; one row per signal with its lead source, value, weight, contribution, stable signal key, evidence, date and change event. Ties broken by a total order (sale key, platform and listing id).';

CREATE OR REPLACE FUNCTION etl.score_leads(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS TABLE (item text, n bigint)
    LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    min_score numeric := etl.leads_setting(p_cfg, 'min_score');
    hot numeric := etl.leads_setting(p_cfg, 'hot_threshold');
    strong numeric := etl.leads_setting(p_cfg, 'signal_since_lost_points');
    version text := p_cfg ->> 'version';
    c_scored bigint;
    c_unowned bigint;
    c_prospects bigint;
    c_renamed bigint;
    c_props bigint;
    c_rescored bigint;
    c_acts bigint;
    c_assess bigint;
    c_joined bigint;
    c_since_lost bigint;
BEGIN
    IF version IS NULL OR version = '' THEN
        RAISE EXCEPTION 'lead setting "version" is missing' USING ERRCODE = '22023';
    END IF;
    PERFORM set_config('mi.hot_lead_threshold', hot::text, true);
    -- the settings the desk functions read (claim_hours, hold_days ...)
    INSERT INTO etl.lead_settings AS s (singleton, settings, version)
    VALUES (true, p_cfg, version)
    ON CONFLICT (singleton) DO UPDATE
       SET settings = EXCLUDED.settings, version = EXCLUDED.version, updated_at = now()
     WHERE s.settings IS DISTINCT FROM EXCLUDED.settings OR s.version IS DISTINCT FROM EXCLUDED.version;

    DROP TABLE IF EXISTS pg_temp.ls_signals, pg_temp.ls_scores, pg_temp.ls_owners;
    CREATE TEMP TABLE ls_signals ON COMMIT DROP AS
        SELECT * FROM etl.opportunity_signals(p_as_of, p_cfg);
    -- contributions add up to the score: scale them down when they pass 100
    UPDATE ls_signals s SET contribution = round(s.contribution * 100 / t.total, 4)
      FROM (SELECT x.tmk, sum(x.contribution) AS total FROM ls_signals x GROUP BY x.tmk) t
     WHERE t.tmk = s.tmk AND t.total > 100;

    CREATE TEMP TABLE ls_scores ON COMMIT DROP AS
        SELECT s.tmk, least(100, round(sum(s.contribution), 2)) AS score,
               jsonb_agg(jsonb_build_object('signal', s.signal, 'lead_source', s.lead_source_code,
                                            'value', s.value, 'weight', s.weight,
                                            'contribution', round(s.contribution, 2),
                                            'evidence', s.evidence)
                         ORDER BY s.contribution DESC, s.signal) AS signals,
               (array_agg(s.lead_source_code ORDER BY s.contribution DESC, s.signal))[1] AS lead_source
          FROM ls_signals s
         GROUP BY s.tmk;
    GET DIAGNOSTICS c_scored = ROW_COUNT;

    -- the owner to call: the buyer of a recent sale the owner roll does not show
    -- yet, else the owner of record
    CREATE TEMP TABLE ls_owners ON COMMIT DROP AS
        SELECT sc.tmk, sc.score, sc.signals, sc.lead_source,
               (b.grantee_key IS NOT NULL) AS is_buyer,
               coalesce(b.grantee_key, p.owner_key) AS owner_key,
               CASE WHEN b.grantee_key IS NOT NULL
                    THEN coalesce(upper(trim(regexp_replace(b.buyer_mailing_address, '[^A-Za-z0-9]+', ' ', 'g'))), '')
                    ELSE coalesce(p.owner_mailing_key, '') END AS mailing_key,
               coalesce(nullif(CASE WHEN b.grantee_key IS NOT NULL THEN b.grantee
                                    ELSE coalesce(nullif(p.owner_display, ''), p.owner_name) END, ''),
                        coalesce(b.grantee_key, p.owner_key)) AS display_name,
               coalesce(nullif(CASE WHEN b.grantee_key IS NOT NULL THEN b.grantee ELSE p.owner_name END, ''),
                        coalesce(b.grantee_key, p.owner_key)) AS raw_name,
               CASE WHEN b.grantee_key IS NOT NULL THEN 'unknown' ELSE coalesce(p.owner_kind, 'unknown') END AS owner_kind,
               CASE WHEN b.grantee_key IS NOT NULL THEN NULL ELSE p.owner_care_of END AS care_of,
               CASE WHEN b.grantee_key IS NOT NULL THEN b.buyer_mailing_address ELSE p.owner_mailing_address END AS mailing_address,
               CASE WHEN b.grantee_key IS NOT NULL THEN NULL ELSE p.owner_mailing_city END AS mailing_city,
               CASE WHEN b.grantee_key IS NOT NULL THEN b.buyer_mailing_state ELSE p.owner_mailing_state END AS mailing_state,
               CASE WHEN b.grantee_key IS NOT NULL THEN NULL ELSE p.owner_mailing_zip END AS mailing_zip,
               CASE WHEN b.grantee_key IS NOT NULL THEN NULL ELSE p.owner_mailing_country END AS mailing_country,
               CASE WHEN b.grantee_key IS NOT NULL THEN b.buyer_is_absentee ELSE p.owner_is_absentee END AS is_absentee,
               CASE WHEN b.grantee_key IS NOT NULL THEN b.buyer_is_out_of_state ELSE p.owner_out_of_state END AS is_out_of_state
          FROM ls_scores sc
          JOIN external.properties p ON p.tmk = sc.tmk
          LEFT JOIN LATERAL (
              SELECT ps.grantee_key, ps.grantee, ps.buyer_mailing_address, ps.buyer_mailing_state,
                     ps.buyer_is_absentee, ps.buyer_is_out_of_state
                FROM ls_signals s
                JOIN external.property_sales ps ON ps.sale_key = s.evidence ->> 'sale_key'
               WHERE s.tmk = sc.tmk AND s.signal = 'recent_sale'
                 AND ps.grantee_key IS NOT NULL AND ps.grantee_key IS DISTINCT FROM p.owner_key
               LIMIT 1) b ON true
         WHERE sc.score >= min_score;
    DELETE FROM ls_owners WHERE owner_key IS NULL OR owner_key = '';
    GET DIAGNOSTICS c_unowned = ROW_COUNT;

    WITH ins AS (
        INSERT INTO homeowner_acquisition.prospects
            (owner_key, mailing_address_key, display_name, owner_name_raw, owner_kind, care_of,
             mailing_address, mailing_city, mailing_state, mailing_zip, mailing_country,
             is_absentee, is_out_of_state, lead_source_code, first_run_id)
        SELECT DISTINCT ON (o.owner_key, o.mailing_key)
               o.owner_key, o.mailing_key, o.display_name, o.raw_name, o.owner_kind, o.care_of,
               o.mailing_address, o.mailing_city, o.mailing_state, o.mailing_zip, o.mailing_country,
               o.is_absentee, o.is_out_of_state, o.lead_source, p_run_id
          FROM ls_owners o
         ORDER BY o.owner_key, o.mailing_key, o.score DESC, o.tmk
        ON CONFLICT (owner_key, mailing_address_key) DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO c_prospects FROM ins;

    -- a better name for a prospect made before it was known (the roll's form,
    -- or a buyer's name from the deed): the owner's display form, when nobody
    -- has edited the name shown (it is still the raw one); keys stay as they are
    UPDATE homeowner_acquisition.prospects pr
       SET display_name = d.owner_display
      FROM (SELECT DISTINCT ON (p.owner_key, coalesce(p.owner_mailing_key, ''))
                   p.owner_key, coalesce(p.owner_mailing_key, '') AS mailing_key,
                   p.owner_display, p.owner_name
              FROM external.properties p
             WHERE p.owner_key <> '' AND p.owner_display <> ''
             ORDER BY p.owner_key, coalesce(p.owner_mailing_key, ''), p.last_seen DESC, p.tmk) d
     WHERE pr.owner_key = d.owner_key AND pr.mailing_address_key = d.mailing_key
       AND pr.display_name IS DISTINCT FROM d.owner_display
       AND (pr.display_name = pr.owner_name_raw OR pr.display_name = d.owner_name);
    GET DIAGNOSTICS c_renamed = ROW_COUNT;

    -- the roll's care-of line, for a prospect that has none (a person's edit stays)
    UPDATE homeowner_acquisition.prospects pr
       SET care_of = d.owner_care_of
      FROM (SELECT DISTINCT ON (p.owner_key, coalesce(p.owner_mailing_key, ''))
                   p.owner_key, coalesce(p.owner_mailing_key, '') AS mailing_key, p.owner_care_of
              FROM external.properties p
             WHERE p.owner_key <> '' AND p.owner_care_of IS NOT NULL
             ORDER BY p.owner_key, coalesce(p.owner_mailing_key, ''), p.last_seen DESC, p.tmk) d
     WHERE pr.owner_key = d.owner_key AND pr.mailing_address_key = d.mailing_key
       AND pr.care_of IS NULL;

    WITH ins AS (
        INSERT INTO homeowner_acquisition.prospect_properties AS pp
            (prospect_id, tmk, relationship, lead_source_code, opportunity_score, score_signals,
             score_version, scored_at)
        SELECT pr.prospect_id, o.tmk, CASE WHEN o.is_buyer THEN 'buyer' ELSE 'owner' END,
               o.lead_source, o.score, o.signals, version, now()
          FROM ls_owners o
          JOIN homeowner_acquisition.prospects pr
            ON pr.owner_key = o.owner_key AND pr.mailing_address_key = o.mailing_key
         ORDER BY o.score DESC, o.tmk
        ON CONFLICT (prospect_id, tmk) DO UPDATE
           SET opportunity_score = EXCLUDED.opportunity_score,
               score_signals = EXCLUDED.score_signals,
               score_version = EXCLUDED.score_version,
               scored_at = EXCLUDED.scored_at,
               lead_source_code = CASE WHEN pp.status = 'new'
                                            AND (SELECT pr.status FROM homeowner_acquisition.prospects pr
                                                  WHERE pr.prospect_id = pp.prospect_id) = 'new'
                                       THEN EXCLUDED.lead_source_code ELSE pp.lead_source_code END
         WHERE pp.opportunity_score IS DISTINCT FROM EXCLUDED.opportunity_score
            OR pp.score_signals IS DISTINCT FROM EXCLUDED.score_signals
            OR pp.score_version IS DISTINCT FROM EXCLUDED.score_version
        RETURNING (xmax = 0) AS inserted)
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted)
      INTO c_props, c_rescored FROM ins;

    -- the lead is the owner with all of its properties: the owner's other
    -- parcels (same owner key and mailing address, not ours, not government)
    -- join its lead, with whatever score they have (0 without a signal)
    INSERT INTO homeowner_acquisition.prospect_properties AS pp
        (prospect_id, tmk, relationship, lead_source_code, opportunity_score, score_signals,
         score_version, scored_at)
    SELECT pr.prospect_id, p.tmk, 'owner', coalesce(sc.lead_source, pr.lead_source_code),
           coalesce(sc.score, 0), coalesce(sc.signals, '[]'), version, now()
      FROM homeowner_acquisition.prospects pr
      JOIN external.properties p
        ON p.owner_key = pr.owner_key AND coalesce(p.owner_mailing_key, '') = pr.mailing_address_key
      LEFT JOIN ls_scores sc ON sc.tmk = p.tmk
     WHERE NOT p.is_ours AND p.owner_kind IS DISTINCT FROM 'government'
       AND EXISTS (SELECT 1 FROM homeowner_acquisition.prospect_properties o
                    WHERE o.prospect_id = pr.prospect_id)
       -- a parcel just sold to a buyer the roll does not show yet is the buyer's
       AND NOT EXISTS (SELECT 1 FROM ls_owners b WHERE b.tmk = p.tmk AND b.is_buyer)
     ORDER BY pr.prospect_id, p.tmk
    ON CONFLICT (prospect_id, tmk) DO NOTHING;
    GET DIAGNOSTICS c_joined = ROW_COUNT;

    -- leads whose signals have all lapsed keep their row, with no score left
    UPDATE homeowner_acquisition.prospect_properties pp
       SET opportunity_score = 0, score_signals = '[]', score_version = version, scored_at = now()
     WHERE pp.status = 'new'
       AND pp.opportunity_score IS DISTINCT FROM 0
       AND NOT EXISTS (SELECT 1 FROM ls_owners o WHERE o.tmk = pp.tmk)
       AND NOT EXISTS (SELECT 1 FROM ls_scores s WHERE s.tmk = pp.tmk);
    UPDATE homeowner_acquisition.prospect_properties pp
       SET opportunity_score = s.score, score_signals = s.signals, score_version = version,
           scored_at = now()
      FROM ls_scores s
     WHERE s.tmk = pp.tmk AND pp.status = 'new'
       AND NOT EXISTS (SELECT 1 FROM ls_owners o WHERE o.tmk = pp.tmk)
       AND (pp.opportunity_score IS DISTINCT FROM s.score OR pp.score_signals IS DISTINCT FROM s.signals);

    -- one activity per signal and prospect, ever; none for a won or
    -- do-not-contact owner, and for a lost one only a strong signal (worth
    -- signal_since_lost_points), which flags the lead without reopening it.  A signal that several of
    -- the prospect's properties share (one deed conveying two units) is
    -- logged once, on the lowest of those TMKs: one candidate per key, chosen
    -- by a total order before the insert.  ON CONFLICT DO NOTHING keeps
    -- whichever row it meets first, so it must never meet two: which one
    -- that is depends on the plan and on the rows' physical order.
    WITH cand AS (
        SELECT DISTINCT ON (pp.prospect_id, s.signal_key)
               pp.prospect_id, pp.prospect_property_id, s.lead_source_code, s.signal_key,
               s.evidence || jsonb_build_object('signal', s.signal, 'value', s.value,
                                                'weight', s.weight,
                                                'contribution', round(s.contribution, 2))
                   AS signal_data,
               s.change_event_id, s.occurred_on,
               ls.name || ': ' || replace(s.signal, '_', ' ') || ' (' || pr.tmk_display || ')'
                   AS subject
          FROM ls_signals s
          JOIN homeowner_acquisition.prospect_properties pp ON pp.tmk = s.tmk
          JOIN homeowner_acquisition.prospects po ON po.prospect_id = pp.prospect_id
          JOIN homeowner_acquisition.lead_sources ls ON ls.lead_source_code = s.lead_source_code
          JOIN external.properties pr ON pr.tmk = s.tmk
         WHERE pp.status NOT IN ('won', 'lost', 'disqualified')
           AND po.status NOT IN ('won', 'do_not_contact')
           AND (po.status <> 'lost' OR s.contribution >= strong)
         ORDER BY pp.prospect_id, s.signal_key, s.tmk),
    ins AS (
        INSERT INTO homeowner_acquisition.lead_activities
            (prospect_id, prospect_property_id, activity_type, direction, lead_source_code,
             signal_key, signal_data, change_event_id, occurred_at, performed_by, subject, run_id)
        SELECT c.prospect_id, c.prospect_property_id, 'signal', 'internal', c.lead_source_code,
               c.signal_key, c.signal_data, c.change_event_id, c.occurred_on::timestamptz,
               'mi-leads', c.subject, p_run_id
          FROM cand c
         ORDER BY c.prospect_id, c.occurred_on, c.signal_key
        ON CONFLICT (prospect_id, signal_key) DO NOTHING
        RETURNING prospect_id, change_event_id),
    since_lost AS (
        UPDATE homeowner_acquisition.prospects po SET signal_since_lost_at = now()
         WHERE po.status = 'lost' AND po.signal_since_lost_at IS NULL
           AND po.prospect_id IN (SELECT i.prospect_id FROM ins i)
        RETURNING 1)
    SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM since_lost) INTO c_acts, c_since_lost;

    UPDATE etl.change_events ce SET processed_at = now(), processed_run_id = p_run_id
     WHERE ce.processed_at IS NULL
       AND ce.change_event_id IN (SELECT s.change_event_id FROM ls_signals s
                                   WHERE s.change_event_id IS NOT NULL);

    -- the score history of every lead property, one row per day
    INSERT INTO homeowner_acquisition.property_assessments AS a
        (tmk, prospect_property_id, assessment_type, assessment_key, assessed_on, assessed_by,
         opportunity_score, score_signals, score_version, run_id)
    SELECT pp.tmk, pp.prospect_property_id, 'opportunity_score',
           'opportunity:' || p_as_of, p_as_of, 'mi-leads', pp.opportunity_score, pp.score_signals,
           pp.score_version, p_run_id
      FROM homeowner_acquisition.prospect_properties pp
     WHERE pp.opportunity_score IS NOT NULL AND pp.status NOT IN ('won', 'lost', 'disqualified')
    ON CONFLICT (tmk, assessment_key) DO UPDATE
       SET opportunity_score = EXCLUDED.opportunity_score, score_signals = EXCLUDED.score_signals,
           score_version = EXCLUDED.score_version, run_id = EXCLUDED.run_id
     WHERE a.opportunity_score IS DISTINCT FROM EXCLUDED.opportunity_score
        OR a.score_signals IS DISTINCT FROM EXCLUDED.score_signals;
    GET DIAGNOSTICS c_assess = ROW_COUNT;

    RETURN QUERY VALUES ('signals', (SELECT count(*) FROM ls_signals)),
                        ('properties_scored', c_scored),
                        ('without_owner', c_unowned),
                        ('prospects_new', c_prospects),
                        ('prospects_renamed', c_renamed),
                        ('leads_new', c_props),
                        ('leads_rescored', c_rescored),
                        ('properties_joined', c_joined),
                        ('lost_leads_signalled', c_since_lost),
                        ('activities_new', c_acts),
                        ('assessments_written', c_assess);
END
$$;
COMMENT ON FUNCTION etl.score_leads(date, jsonb, text) IS
    'The scoring half of mi-leads score: stores p_cfg in etl.lead_settings (the desk functions read claim_hours and hold_days there), computes etl.opportunity_signals, scores each property (sum of contributions, scaled to at most 100), creates prospects (owner key + mailing address key; the buyer of a recent sale when the owner roll still shows the seller) and prospect_properties for scores >= min_score, joins every other parcel of a prospect''s owner (same owner and mailing keys, not ours) to its lead (properties_joined), shows a prospect by the owner''s display name (external.properties.owner_display, else the roll''s form; the raw form is kept in owner_name_raw) and renames an existing prospect whose shown name is still the raw form when a display form appears (prospects_renamed), fills a prospect''s empty care-of line from the roll (external.properties.owner_care_of), rescores existing leads, writes one signal lead_activity per (prospect, signal_key) ever (a signal several of the prospect''s properties share, such as a deed conveying two units, on the lowest of their TMKs, whatever the plan): none for a won or do-not-contact owner, and for a lost one only a signal worth signal_since_lost_points or more, which sets prospects.signal_since_lost_at (lost_leads_signalled) and leaves the lead lost. Never changes a stage, a claim, a follow-up or a note. Marks the change events used as processed and writes the day''s opportunity_score assessment. Idempotent: a re-run on the same data changes nothing. Returns counts per item.';

CREATE OR REPLACE FUNCTION etl.project_revenue(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    horizon integer := etl.leads_setting(p_cfg, 'horizon_days');
    owner_nights integer := etl.leads_setting(p_cfg, 'owner_nights');
    fee_pct numeric := etl.leads_setting(p_cfg, 'management_fee_pct');
    comp_min integer := etl.leads_setting(p_cfg, 'compset_min_members');
    comp_sim numeric := etl.leads_setting(p_cfg, 'compset_min_similarity');
    model text := 'compset-v2';
    made bigint;
BEGIN
    IF horizon NOT BETWEEN 1 AND 366 OR owner_nights NOT BETWEEN 0 AND horizon - 1
       OR fee_pct NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'projection settings out of range: horizon_days % (1-366), owner_nights % (0 to horizon - 1), management_fee_pct % (0-100)',
            horizon, owner_nights, fee_pct USING ERRCODE = '22023';
    END IF;
    -- one lead per property: a parcel can be the lead of two prospects (its
    -- owner of record, and a buyer the roll does not show yet) while the
    -- projection's key is the property's; the first lead made for it owns the
    -- projections (the insert's DO NOTHING would keep whichever came first).
    -- Occupancy over the members with an occupancy, ADR over those with an
    -- ADR: the figures the pricing signals and their reasons give.
    WITH lead AS (
        SELECT DISTINCT ON (pp.tmk) pp.prospect_property_id, pp.tmk::text AS tmk
          FROM homeowner_acquisition.prospect_properties pp
         WHERE pp.status NOT IN ('won', 'lost', 'disqualified')
         ORDER BY pp.tmk, pp.prospect_property_id
    ),
    -- the comp set's figures: one definition with the pricing signals'
    comp AS (
        SELECT l.prospect_property_id, l.tmk, f.computed_on, f.n_occ AS n,
               round(f.adr, 2) AS adr, round(f.occ, 4) AS occ,
               round(f.adr_lo, 2) AS adr_lo, round(f.adr_hi, 2) AS adr_hi,
               round(f.occ_lo, 4) AS occ_lo, round(f.occ_hi, 4) AS occ_hi,
               f.comps, f.metrics_from, f.metrics_to
          FROM lead l
          JOIN etl.compset_figures(p_as_of, comp_sim) f ON f.tmk = l.tmk
         WHERE f.n_adr >= comp_min AND f.n_occ >= comp_min
    ),
    -- expected: the similarity-weighted means; conservative and optimistic: the
    -- lower and upper quartiles of the members' ADR and occupancy
    calc AS (
        SELECT c.prospect_property_id, c.tmk, c.computed_on, c.n, c.comps, c.metrics_from,
               c.metrics_to, sc.scenario, sc.basis, sc.adr, sc.occ,
               horizon - owner_nights AS avail,
               round((horizon - owner_nights) * sc.occ, 1) AS nights
          FROM comp c
         CROSS JOIN LATERAL (VALUES
               ('conservative', 'lower quartile of the members'' ADR and occupancy', c.adr_lo, c.occ_lo),
               ('expected', 'similarity-weighted mean of the members'' ADR and occupancy', c.adr, c.occ),
               ('optimistic', 'upper quartile of the members'' ADR and occupancy', c.adr_hi, c.occ_hi))
               AS sc(scenario, basis, adr, occ)
    ),
    money AS (
        SELECT k.*, round(k.adr * k.nights, 2) AS gross FROM calc k
    ),
    ins AS (
        INSERT INTO homeowner_acquisition.revenue_projections
            (tmk, prospect_property_id, scenario, period_start, period_end, compset_computed_on,
             comp_count, adr, occupancy, available_nights, projected_nights, gross_revenue,
             management_fee_pct, management_fee, net_to_owner, assumptions, model_version,
             run_id, created_by)
        SELECT m.tmk, m.prospect_property_id, m.scenario, p_as_of, p_as_of + horizon,
               m.computed_on, m.n, m.adr, m.occ, m.avail, m.nights, m.gross, fee_pct,
               round(m.gross * fee_pct / 100, 2), m.gross - round(m.gross * fee_pct / 100, 2),
               jsonb_build_object(
                   'method', 'competitive set''s trailing metrics (etl.compset_figures): ' || m.basis,
                   'formula', 'gross = adr x occupancy x (horizon_days - owner_nights); fee = gross x management_fee_pct / 100; net = gross - fee',
                   'horizon_days', horizon, 'owner_nights', owner_nights,
                   'management_fee_pct', fee_pct, 'comps', m.comps,
                   'metrics_window', jsonb_build_array(m.metrics_from, m.metrics_to),
                   'fees_and_taxes', 'excluded (rent only)', 'seasonality', 'none (flat trailing rates)'),
               model, p_run_id, 'mi-leads'
          FROM money m
        ON CONFLICT ON CONSTRAINT revenue_projections_key DO NOTHING
        RETURNING 1)
    SELECT count(*) INTO made FROM ins;
    RETURN made;
END
$$;
COMMENT ON FUNCTION etl.project_revenue(date, jsonb, text) IS
    'Writes three revenue projections (conservative, expected, optimistic; model compset-v2) for every open lead property whose latest competitive set (computed on or before p_as_of) has at least compset_min_members members with an occupancy and as many with an ADR, of similarity >= compset_min_similarity (etl.compset_figures, the figures of the pricing signals): comp ADR x occupancy x (horizon_days - owner_nights) nights = gross, management_fee_pct of it as fee, the rest net to owner, every input in assumptions. Expected uses the similarity-weighted means, conservative and optimistic the lower and upper quartiles. A property that is the lead of two prospects gets one set, owned by its first lead (lowest prospect_property_id). Projections are immutable: an existing one for the same comp-set date and model is kept. Returns the number written.';

CREATE OR REPLACE FUNCTION homeowner_acquisition.notify_hot_lead() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    threshold numeric := coalesce(nullif(current_setting('mi.hot_lead_threshold', true), '')::numeric, 70);
BEGIN
    IF NEW.opportunity_score IS NULL OR NEW.opportunity_score < threshold OR NEW.status <> 'new' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.opportunity_score IS NOT NULL AND OLD.opportunity_score >= threshold THEN
        RETURN NULL;
    END IF;
    -- an owner the team may work: open stage, contactable, not suppressed
    IF NOT EXISTS (SELECT 1 FROM homeowner_acquisition.lead_board b
                    WHERE b.lead_id = NEW.prospect_id AND NOT b.do_not_contact
                      AND b.suppression_id IS NULL
                      AND b.stage IN ('new', 'contacted', 'meeting', 'proposal', 'negotiating', 'nurture')) THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('mi_hot_lead', json_build_object(
        'prospect_property_id', NEW.prospect_property_id, 'prospect_id', NEW.prospect_id,
        'tmk', NEW.tmk, 'score', NEW.opportunity_score, 'lead_source', NEW.lead_source_code)::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.notify_hot_lead() IS
    'Trigger function: sends NOTIFY mi_hot_lead with a JSON payload {prospect_property_id, prospect_id, tmk, score, lead_source} when an open property of a lead at an open stage, not do-not-contact and not suppressed, reaches the hot threshold (setting mi.hot_lead_threshold, set by mi-leads from config; 70 when unset) on insert, or crosses it on update. Delivered at commit, so a CRM that LISTENs sees only committed leads.';
