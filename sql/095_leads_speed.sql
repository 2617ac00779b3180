-- 095_leads_speed.sql: mi-leads score does the work its inputs call for, and
-- no more.
--
-- Measured on make bench-night (scale 0.1), the scoring took 15.7 s on the
-- first night and 5.7 s on a second pass that had nothing new to do.  Where
-- the time went, statement by statement:
--
--   * JIT compilation: the planner's estimates of these one-off statements
--     (functions, CTEs, temporary tables) pass jit_above_cost, and compiling
--     them took most of their time (7.3 s of the signals' 8.3 s, 2.9 s of the
--     remote condition's 4.0 s).  The lead stage's functions run with jit off.
--   * etl.opportunity_signals joined each review of the last 545 days to
--     each of the six aspects and probed its scores for it; it reads each
--     review's scores once (jsonb_each_text).
--   * The temporary tables of etl.score_leads had no statistics: the planner
--     took ls_signals for a few rows, and etl.review_contributions joined every
--     recent review to every review signal (10 M pairs) before their property;
--     ls_owners looked the sale of each scored property up by scanning
--     ls_signals.  They get an index on the TMK and ANALYZE.
--   * etl.review_contributions joined the review table to itself to write the
--     0 of every review without points; it now writes the reviews with points
--     by key and the others in one pass, where the value is not 0 yet.  And a
--     review is loaded with 0 (the column's default; it was NULL): the first
--     night rewrote every review (100,000 rows at scale 0.1, 3 to 4 s) to
--     write that 0; now only the reviews that carry points are written.  The
--     NULL of a review loaded before sql/095 is still written by the next
--     scoring.
--   * etl.score_leads renamed prospects and filled their care-of lines from
--     a grouping of the whole roll (50,000 parcels at scale 0.1); it groups
--     the parcels of the prospects' owners only.
--   * etl.assess_condition looked up each assessed property's lead by a scan
--     of prospect_properties in id order; it joins the leads once.
--   * etl.project_revenue computed the digest, the latest projection and the
--     months of every lead one by one, each night (3,500 leads with nothing
--     to project from at scale 0.1): one statement now keeps the leads whose
--     inputs changed and whose comps have the figures a projection needs (a
--     calendar month, or a trailing occupancy and ADR), and only those are
--     projected.  etl.projection_inputs read the calendar history through
--     every snapshot partition (a grouping of all the snapshots, 1 s): it asks
--     etl.calendar_night_status for the history as of its last night, which
--     lets the planner skip the later snapshots' partitions (a night's looks
--     are taken on or before it, so its status and rate are the same).
--
-- What is computed is unchanged: the same rows, values and counts.

CREATE OR REPLACE FUNCTION etl.score_leads(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS TABLE (item text, n bigint)
    LANGUAGE plpgsql SET jit = off AS $$
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
    -- the temporary tables are read by joins: an index on the TMK and their
    -- statistics (a table made in this transaction has none, and the planner
    -- took a few rows for a few thousand)
    CREATE INDEX ON ls_signals (tmk);
    ANALYZE ls_signals;
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
    CREATE UNIQUE INDEX ON ls_scores (tmk);
    ANALYZE ls_scores;

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
    CREATE INDEX ON ls_owners (tmk);
    ANALYZE ls_owners;

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
               -- the parcels of the prospects' owners, not the whole roll
               AND p.owner_key IN (SELECT x.owner_key FROM homeowner_acquisition.prospects x)
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
               AND p.owner_key IN (SELECT x.owner_key FROM homeowner_acquisition.prospects x
                                    WHERE x.care_of IS NULL)
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
    SELECT DISTINCT ON (pp.tmk) pp.tmk, pp.prospect_property_id, 'opportunity_score',
           'opportunity:' || p_as_of, p_as_of, 'mi-leads', pp.opportunity_score, pp.score_signals,
           pp.score_version, p_run_id
      FROM homeowner_acquisition.prospect_properties pp
     WHERE pp.opportunity_score IS NOT NULL AND pp.status NOT IN ('won', 'lost', 'disqualified')
     ORDER BY pp.tmk, pp.opportunity_score DESC, pp.prospect_property_id DESC
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
'The scoring half of mi-leads score: stores p_cfg in etl.lead_settings (the desk functions read claim_hours and hold_days there), computes etl.opportunity_signals, scores each property (sum of contributions, scaled to at most 100), creates prospects (owner key + mailing address key; the buyer of a recent sale when the owner roll still shows the seller) and prospect_properties for scores >= min_score, joins every other parcel of a prospect''s owner (same owner and mailing keys, not ours) to its lead (properties_joined), shows a prospect by the owner''s display name (external.properties.owner_display, else the roll''s form; the raw form is kept in owner_name_raw) and renames an existing prospect whose shown name is still the raw form when a display form appears (prospects_renamed), fills a prospect''s empty care-of line from the roll (external.properties.owner_care_of), rescores existing leads, writes one signal lead_activity per (prospect, signal_key) ever (a signal several of the prospect''s properties share, such as a deed conveying two units, on the lowest of their TMKs, whatever the plan): none for a won or do-not-contact owner, and for a lost one only a signal worth signal_since_lost_points or more, which sets prospects.signal_since_lost_at (lost_leads_signalled) and leaves the lead lost. Never changes a stage, a claim, a follow-up or a note. Marks the change events used as processed and writes the day''s opportunity_score assessment (one per parcel: of a parcel that is the lead of two prospects, such as its former and its new owner, the higher score, then the newer lead row). Idempotent: a re-run on the same data changes nothing. Runs with jit off (sql/095). Returns counts per item.';

CREATE OR REPLACE FUNCTION etl.review_contributions(p_as_of date, p_cfg jsonb) RETURNS bigint
    LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    rv_recent integer := etl.leads_setting(p_cfg, 'review_recent_days');
    changed bigint;
BEGIN
    IF to_regclass('pg_temp.ls_signals') IS NULL THEN
        RAISE EXCEPTION 'etl.review_contributions reads the signals of etl.score_leads: call it right after, in the same transaction'
            USING ERRCODE = '55000';
    END IF;
    -- a review signal's points, as the score shows them (score_signals keeps
    -- each contribution to the cent), are shared by the recent reviews of its
    -- aspect in proportion to how far each falls below the baseline the
    -- severity is measured from (the prior window's mean when above 0, else
    -- 0): severity = baseline - recent mean = the mean of (baseline - score).
    -- A review at or above the baseline carries nothing.  Cents are dealt by
    -- the largest remainder (ties: platform and review id), so the shares add
    -- up to the signal's points exactly.
    WITH sig AS MATERIALIZED (
        SELECT s.tmk, s.signal_key, s.evidence ->> 'aspect' AS aspect,
               round(round(s.contribution, 2) * 100) AS cents,
               greatest(0, coalesce((s.evidence ->> 'prior_mean')::numeric, 0)) AS base
          FROM pg_temp.ls_signals s
         WHERE s.lead_source_code = 'REVIEW_SIGNAL'
    ),
    -- the window's reviews of the properties with a review signal, read once
    -- by listing (they were joined to every signal before their property)
    rv AS MATERIALIZED (
        SELECT t.tmk, r.property_review_id, r.platform, r.review_id, r.aspect_scores
          FROM (SELECT DISTINCT g.tmk FROM sig g) t
          JOIN etl.listings l ON l.tmk = t.tmk
          JOIN external.property_reviews r ON r.platform = l.platform AND r.listing_id = l.listing_id
         WHERE r.review_date > p_as_of - rv_recent AND r.review_date <= p_as_of
    ),
    carrier AS (
        SELECT g.tmk, g.signal_key, g.cents, r.property_review_id, r.platform, r.review_id,
               greatest(0, g.base - (r.aspect_scores ->> g.aspect)::numeric) AS w
          FROM sig g
          JOIN rv r ON r.tmk = g.tmk
         WHERE r.aspect_scores ? g.aspect
    ),
    exact AS (
        SELECT c.*,
               CASE WHEN sum(c.w) OVER k > 0 THEN c.cents * c.w / sum(c.w) OVER k
                    ELSE c.cents / count(*) OVER k END AS share
          FROM carrier c
        WINDOW k AS (PARTITION BY c.tmk, c.signal_key)
    ),
    dealt AS (
        SELECT e.property_review_id, floor(e.share) AS whole,
               e.cents - sum(floor(e.share)) OVER k AS left_over,
               row_number() OVER (PARTITION BY e.tmk, e.signal_key
                                  ORDER BY e.share - floor(e.share) DESC, e.platform, e.review_id)
                   AS rank
          FROM exact e
        WINDOW k AS (PARTITION BY e.tmk, e.signal_key)
    ),
    per_review AS MATERIALIZED (
        SELECT d.property_review_id,
               sum(d.whole + CASE WHEN d.rank <= d.left_over THEN 1 ELSE 0 END) / 100 AS points
          FROM dealt d
         GROUP BY d.property_review_id
    ),
    -- the reviews that carry points, by their key; every other review gets 0,
    -- written only where it is not 0 yet (one pass over the reviews, instead
    -- of joining the table to itself)
    carrying AS (
        UPDATE external.property_reviews r
           SET opportunity_contribution = p.points
          FROM per_review p
         WHERE r.property_review_id = p.property_review_id
           AND r.opportunity_contribution IS DISTINCT FROM p.points
        RETURNING 1),
    others AS (
        UPDATE external.property_reviews r
           SET opportunity_contribution = 0
         WHERE r.opportunity_contribution IS DISTINCT FROM 0
           AND NOT EXISTS (SELECT 1 FROM per_review p WHERE p.property_review_id = r.property_review_id)
        RETURNING 1)
    SELECT (SELECT count(*) FROM carrying) + (SELECT count(*) FROM others) INTO changed;
    RETURN changed;
END
$$;
COMMENT ON FUNCTION etl.review_contributions(date, jsonb) IS
'The review half of mi-leads score, run right after etl.score_leads in its transaction (it reads the signals that function kept in the temporary table ls_signals; 55000 otherwise): every review signal''s contribution (review_<aspect>, to the cent as in score_signals) is shared by the reviews of its window (review_recent_days up to p_as_of) that mention the aspect, in proportion to how far each one''s aspect score falls below the baseline (the prior window''s mean when above 0, else 0), cents dealt by the largest remainder; the sum goes to external.property_reviews.opportunity_contribution, and every other review gets 0. The contributions of a property''s reviews add up exactly to its review signals'' contributions. Writes only the values that change; returns how many.';

CREATE OR REPLACE FUNCTION etl.assess_condition(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SET jit = off AS $$
#variable_conflict use_column
DECLARE
    win integer := etl.leads_setting(p_cfg, 'condition_window_days');
    old_years integer := etl.leads_setting(p_cfg, 'condition_old_years');
    sqft_assumed integer := etl.leads_setting(p_cfg, 'condition_assumed_sqft');
    per_sqft_fair numeric := etl.leads_setting(p_cfg, 'capex_per_sqft_fair');
    per_sqft_poor numeric := etl.leads_setting(p_cfg, 'capex_per_sqft_poor');
    rules jsonb;
    made bigint;
BEGIN
    IF p_as_of IS NULL THEN
        RAISE EXCEPTION 'as-of date must not be null' USING ERRCODE = '22004';
    END IF;
    rules := jsonb_build_object(
        'window_days', win, 'old_years', old_years, 'assumed_sqft', sqft_assumed,
        'per_sqft_fair', per_sqft_fair, 'per_sqft_poor', per_sqft_poor,
        'capex_broken', etl.leads_setting(p_cfg, 'capex_broken'),
        'capex_leak', etl.leads_setting(p_cfg, 'capex_leak'),
        'capex_mold', etl.leads_setting(p_cfg, 'capex_mold'),
        'capex_pests', etl.leads_setting(p_cfg, 'capex_pests'));
    WITH market AS (
        SELECT p.tmk::text AS tmk, p.year_built,
               CASE WHEN p.extra ->> 'effective_year' ~ '^[12][0-9]{3}$'
                    THEN (p.extra ->> 'effective_year')::integer END AS effective_year,
               p.living_area_sqft
          FROM external.properties p
         WHERE NOT p.is_ours AND p.owner_kind IS DISTINCT FROM 'government'
    ),
    rv AS (
        SELECT m.tmk, r.platform, r.review_id, r.review_date, r.aspect_scores, r.complaint_flags,
               r.review_text
          FROM market m
          JOIN etl.listings l ON l.tmk = m.tmk
          JOIN external.property_reviews r ON r.platform = l.platform AND r.listing_id = l.listing_id
         WHERE r.review_date > p_as_of - win AND r.review_date <= p_as_of
    ),
    asp AS (
        SELECT x.tmk,
               jsonb_object_agg(x.aspect, jsonb_build_object('mean', round(x.mean, 4), 'reviews', x.n)
                                ORDER BY x.aspect) AS aspects,
               sum(x.mean * x.wt) / sum(x.wt) AS mean
          FROM (SELECT v.tmk, a.aspect, a.wt, avg((v.aspect_scores ->> a.aspect)::numeric) AS mean,
                       count(*) AS n
                  FROM rv v
                 CROSS JOIN (VALUES ('maintenance', 2), ('cleanliness', 1), ('amenities', 1)) AS a(aspect, wt)
                 WHERE v.aspect_scores ? a.aspect
                 GROUP BY v.tmk, a.aspect, a.wt) x
         GROUP BY x.tmk
    ),
    asp_n AS (
        SELECT v.tmk, count(*) AS n FROM rv v
         WHERE v.aspect_scores ?| ARRAY['maintenance', 'cleanliness', 'amenities']
         GROUP BY v.tmk
    ),
    fam AS (
        SELECT v.tmk, f.family, f.penalty, f.title, count(*) AS n, max(v.review_date) AS last
          FROM rv v
          JOIN etl.condition_families() f ON v.review_text ~* f.pattern
         WHERE v.complaint_flags && ARRAY['maintenance', 'cleanliness', 'amenities']::text[]
         GROUP BY v.tmk, f.family, f.penalty, f.title
    ),
    fam_agg AS (
        SELECT f.tmk,
               jsonb_object_agg(f.family, jsonb_build_object('reviews', f.n, 'last', f.last)
                                ORDER BY f.family) AS complaints,
               sum(f.penalty) AS penalty
          FROM fam f
         GROUP BY f.tmk
    ),
    base AS (
        SELECT m.tmk, m.year_built, m.effective_year, m.living_area_sqft,
               extract(year FROM p_as_of)::integer - coalesce(m.effective_year, m.year_built) AS age,
               a.aspects, a.mean, coalesce(n.n, 0) AS n_reviews,
               coalesce(g.complaints, '{}') AS complaints, coalesce(g.penalty, 0) AS flag_penalty
          FROM market m
          LEFT JOIN asp a ON a.tmk = m.tmk
          LEFT JOIN asp_n n ON n.tmk = m.tmk
          LEFT JOIN fam_agg g ON g.tmk = m.tmk
         WHERE a.tmk IS NOT NULL OR g.tmk IS NOT NULL
            OR coalesce(m.effective_year, m.year_built) IS NOT NULL
    ),
    -- condition-v1: 7 without reviews, 7 + 3 x the weighted aspect mean with
    -- them (maintenance counts twice); each complaint family takes its points
    -- off; a building old_years or older one point, half of that age half a point
    scored AS (
        SELECT b.*,
               round(coalesce(7 + 3 * b.mean, 7), 2) AS from_reviews,
               CASE WHEN b.age >= old_years THEN 1 WHEN b.age >= old_years / 2.0 THEN 0.5 ELSE 0 END
                   AS age_penalty
          FROM base b
    ),
    graded AS (
        SELECT s.*,
               least(10, greatest(1, round(s.from_reviews - s.flag_penalty - s.age_penalty)))::smallint
                   AS score,
               CASE WHEN s.n_reviews >= 5 AND s.age IS NOT NULL THEN 'high'
                    WHEN s.n_reviews >= 3 OR (s.n_reviews >= 1 AND s.age IS NOT NULL) THEN 'medium'
                    ELSE 'low' END AS confidence,
               coalesce(s.living_area_sqft, sqft_assumed) AS sqft
          FROM scored s
    ),
    rated AS (
        SELECT g.*,
               CASE WHEN g.score >= 9 THEN 'excellent' WHEN g.score >= 7 THEN 'good'
                    WHEN g.score >= 5 THEN 'fair' ELSE 'poor' END AS overall
          FROM graded g
    ),
    -- capex: each complaint family's rule, and a refresh by floor area for a
    -- fair or poor condition
    items AS (
        SELECT r.tmk, f.family AS area, f.title AS issue, 'complaint' AS kind,
               (rules ->> ('capex_' || f.family))::numeric AS cost,
               'capex_' || f.family AS rule
          FROM rated r JOIN fam f ON f.tmk = r.tmk
        UNION ALL
        SELECT r.tmk, 'whole unit', r.overall || ' condition: refresh of finishes and furnishings',
               'refresh',
               r.sqft * CASE r.overall WHEN 'poor' THEN per_sqft_poor ELSE per_sqft_fair END,
               CASE r.overall WHEN 'poor' THEN 'capex_per_sqft_poor' ELSE 'capex_per_sqft_fair' END
                   || ' x ' || r.sqft || ' sq ft'
          FROM rated r WHERE r.overall IN ('fair', 'poor')
    ),
    capex AS (
        SELECT i.tmk, round(sum(i.cost), 2) AS total,
               jsonb_agg(jsonb_build_object('area', i.area, 'issue', i.issue,
                                            'severity', CASE WHEN i.kind = 'refresh' THEN 'moderate'
                                                             ELSE 'high' END,
                                            'estimated_cost', round(i.cost, 2), 'rule', i.rule)
                         ORDER BY i.kind, i.area) AS issues
          FROM items i GROUP BY i.tmk
    ),
    cand AS (
        SELECT r.tmk, r.score, r.overall, r.confidence, coalesce(c.total, 0) AS capex,
               coalesce(c.issues, '[]') AS issues,
               jsonb_build_object(
                   'model', 'condition-v1',
                   'aspects', coalesce(r.aspects, '{}'), 'aspect_reviews', r.n_reviews,
                   'complaints', r.complaints,
                   'county', jsonb_build_object('year_built', r.year_built,
                                                'effective_year', r.effective_year, 'age', r.age),
                   'score_parts', jsonb_build_object('from_reviews', r.from_reviews,
                                                     'complaints', -r.flag_penalty,
                                                     'age', -r.age_penalty),
                   'capex', jsonb_build_object(
                       'estimate', true, 'total', coalesce(c.total, 0),
                       'sqft', r.sqft,
                       'sqft_from', CASE WHEN r.living_area_sqft IS NULL THEN 'assumed (condition_assumed_sqft)'
                                         ELSE 'county record' END,
                       'rules', rules)) AS ev
          FROM rated r LEFT JOIN capex c ON c.tmk = r.tmk
    ),
    keyed AS (
        -- the inputs: everything above but the as-of date; an unchanged one
        -- writes nothing
        SELECT c.*, md5(c.ev::text || c.score || c.overall || c.confidence) AS inputs
          FROM cand c
    ),
    -- the lead a row is made for: the first open one of the property, read
    -- once for all (it was a look-up per property)
    lead AS (
        SELECT DISTINCT ON (pp.tmk) pp.tmk::text AS tmk, pp.prospect_property_id
          FROM homeowner_acquisition.prospect_properties pp
         WHERE pp.status NOT IN ('won', 'lost', 'disqualified')
         ORDER BY pp.tmk, pp.prospect_property_id
    ),
    ins AS (
        INSERT INTO homeowner_acquisition.property_assessments AS a
            (tmk, prospect_property_id, assessment_type, assessment_key, assessed_on, assessed_by,
             overall_condition, condition_score, estimated_capex, issues, notes, confidence,
             evidence, run_id)
        SELECT k.tmk, ld.prospect_property_id,
               'remote_condition', 'remote_condition:' || p_as_of, p_as_of, 'mi-leads',
               k.overall, k.score, k.capex, k.issues,
               'Estimated from afar (guest reviews of the last ' || win
                   || ' days and the county record), not inspected; the capex is an estimate.',
               k.confidence, k.ev || jsonb_build_object('inputs', k.inputs), p_run_id
          FROM keyed k
          LEFT JOIN lead ld ON ld.tmk = k.tmk
         WHERE k.inputs IS DISTINCT FROM (
               SELECT l.evidence ->> 'inputs' FROM homeowner_acquisition.property_assessments l
                WHERE l.tmk = k.tmk AND l.assessment_type = 'remote_condition'
                ORDER BY l.assessed_on DESC, l.property_assessment_id DESC LIMIT 1)
         ORDER BY k.tmk
        ON CONFLICT (tmk, assessment_key) DO UPDATE
           SET overall_condition = EXCLUDED.overall_condition,
               condition_score = EXCLUDED.condition_score,
               estimated_capex = EXCLUDED.estimated_capex, issues = EXCLUDED.issues,
               notes = EXCLUDED.notes, confidence = EXCLUDED.confidence,
               evidence = EXCLUDED.evidence, run_id = EXCLUDED.run_id,
               prospect_property_id = EXCLUDED.prospect_property_id
        RETURNING 1)
    SELECT count(*) INTO made FROM ins;
    RETURN made;
END
$$;
COMMENT ON FUNCTION etl.assess_condition(date, jsonb, text) IS
'The remote condition assessment of every market property (not ours, not government) with anything to go on, as of p_as_of, with the [condition] settings of p_cfg (model condition-v1, docs/metrics.md): over the reviews of the last condition_window_days, the mean and count of the maintenance (weighted twice), cleanliness and amenities aspects give 7 + 3 x mean (7 without reviews); each complaint family of etl.condition_families() found in a review flagged on one of those aspects takes its points off; a county year (effective year, else year built) condition_old_years old or more takes 1, half of that 0.5; the score is rounded to 1-10 and graded excellent (9+), good (7+), fair (5+) or poor. Confidence from the review count and the county year. The capex estimate: capex_<family> per family found, plus capex_per_sqft_fair or _poor times the floor area (the roll''s, else condition_assumed_sqft) for a fair or poor unit; evidence.capex marks it an estimate. Writes a remote_condition row (key remote_condition:<p_as_of>) only when the inputs (evidence, score and rules; not the date) differ from the property''s latest one: a re-run on unchanged inputs adds nothing. Returns the rows written.';

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
    comp_listing AS (
        SELECT DISTINCT m.competitor_key, l.platform::text AS platform, l.listing_id::text AS listing_id
          FROM member m JOIN etl.listings l ON l.tmk = m.competitor_tmk
         WHERE m.competitor_tmk IS NOT NULL
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
COMMENT ON FUNCTION etl.projection_inputs(date, jsonb) IS
'The inputs of the seasonal-v1 projection of every open lead property (one lead per TMK: the lowest prospect_property_id) with a competitive set computed on or before p_as_of: {model, period_start (first day of the next month), months (floor(horizon_days / 30.4), at least 1), history [first, last night] (the twelve calendar months before the month of p_as_of), settings (the projection''s keys of p_cfg), comps [{key, similarity, distance_m, adr, occupancy (its trailing figures, only when the set''s history is unusable: fewer than month_min_nights bookable nights or no priced booking in all; else null, so that the trailing windows moving every night do not make a new projection), months {"1".."12": [bookable, booked, priced, revenue]}}] by key}. A comp''s night is read from etl.calendar_night_status over all its listings (those matched to its parcel, or its own listing): booked on any listing is booked, bookable = booked or available; revenue = the sum of the booked nights'' last listed rates. Members of similarity 0 are left out; the set''s computed_on is not an input.';

CREATE OR REPLACE FUNCTION etl.project_revenue(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    owner_nights integer := etl.leads_setting(p_cfg, 'owner_nights');
    fee_pct numeric := etl.leads_setting(p_cfg, 'management_fee_pct');
    horizon integer := etl.leads_setting(p_cfg, 'horizon_days');
    model text := 'seasonal-v1';
    r record;
    o record;
    sc text;
    digest text;
    period_end date;
    id bigint;
    made bigint := 0;
BEGIN
    IF horizon NOT BETWEEN 1 AND 366 OR owner_nights NOT BETWEEN 0 AND horizon - 1
       OR fee_pct NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'projection settings out of range: horizon_days % (1-366), owner_nights % (0 to horizon - 1), management_fee_pct % (0-100)',
            horizon, owner_nights, fee_pct USING ERRCODE = '22023';
    END IF;
    -- one statement finds the leads with something new to say: inputs other
    -- than their latest projection's, and comps with calendar months, or with
    -- a trailing occupancy and a trailing ADR (without either,
    -- etl.projection_months has nothing to project from); only those are
    -- projected, one by one
    FOR r IN
        SELECT i.*
          FROM (SELECT j.*, encode(sha256(convert_to(j.inputs::text, 'UTF8')), 'hex') AS digest
                  FROM etl.projection_inputs(p_as_of, p_cfg) j) i
         WHERE i.digest IS DISTINCT FROM (
                   SELECT x.inputs_sha256 FROM homeowner_acquisition.revenue_projections x
                    WHERE x.tmk = i.tmk AND x.model_version = model AND x.scenario = 'expected'
                    ORDER BY x.revenue_projection_id DESC LIMIT 1)
           -- projection_months needs an occupancy and an ADR: from the comps'
           -- calendar months, else from their trailing figures
           AND (EXISTS (SELECT 1 FROM jsonb_array_elements(i.inputs -> 'comps') e
                         WHERE e -> 'months' <> '{}')
                OR (EXISTS (SELECT 1 FROM jsonb_array_elements(i.inputs -> 'comps') e
                             WHERE jsonb_typeof(e -> 'occupancy') = 'number')
                    AND EXISTS (SELECT 1 FROM jsonb_array_elements(i.inputs -> 'comps') e
                                 WHERE jsonb_typeof(e -> 'adr') = 'number')))
         ORDER BY i.tmk
    LOOP
        digest := r.digest;
        SELECT * INTO o FROM etl.projection_outlook(r.inputs);
        period_end := ((r.inputs ->> 'period_start')::date
                       + make_interval(months => (r.inputs ->> 'months')::integer))::date;
        -- neither calendar history nor trailing figures: nothing to project from
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM etl.projection_months(r.inputs));
            FOREACH sc IN ARRAY ARRAY['conservative', 'expected', 'optimistic'] LOOP
                INSERT INTO homeowner_acquisition.revenue_projections
                    (tmk, prospect_property_id, scenario, period_start, period_end, compset_computed_on,
                     comp_count, adr, occupancy, available_nights, projected_nights, gross_revenue,
                     management_fee_pct, management_fee, operating_costs, net_to_owner, assumptions,
                     model_version, run_id, created_by, confidence, range_pct, inputs, inputs_sha256)
                SELECT r.tmk, r.prospect_property_id, sc, (r.inputs ->> 'period_start')::date,
                       period_end, r.computed_on, o.comps,
                       CASE WHEN sum(m.projected_nights) > 0
                            THEN round(sum(m.gross_revenue) / sum(m.projected_nights), 2)
                            ELSE round(avg(m.adr), 2) END,
                       round(least(sum(m.projected_nights), (period_end - (r.inputs ->> 'period_start')::date) - owner_nights)
                             / nullif((period_end - (r.inputs ->> 'period_start')::date) - owner_nights, 0), 4),
                       (period_end - (r.inputs ->> 'period_start')::date) - owner_nights,
                       least(sum(m.projected_nights), (period_end - (r.inputs ->> 'period_start')::date) - owner_nights),
                       sum(m.gross_revenue), fee_pct, sum(m.management_fee),
                       sum(m.cleaning_costs) + sum(m.taxes) + sum(m.channel_fees), sum(m.net_to_owner),
                       jsonb_build_object(
                           'method', 'seasonal: each month from the comparable rentals'' booked nights and rates in the same month of the last twelve months (similarity-weighted); months they did not show from their whole year, or their trailing figures',
                           'formula', 'booked nights = available nights x occupancy; gross = ADR x booked nights; net = gross - management fee - cleanings - GET and TAT - channel fees',
                           'confidence', o.confidence, 'confidence_reason', o.reason,
                           'range_pct', o.range_pct, 'months_observed', o.months_observed,
                           'mean_similarity', o.mean_similarity, 'median_distance_m', o.median_distance_m,
                           'history', r.inputs -> 'history',
                           'month_basis', (SELECT jsonb_object_agg(to_char(x.month, 'YYYY-MM'), x.basis)
                                             FROM etl.projection_months(r.inputs) x WHERE x.scenario = 'expected'),
                           'owner_nights', owner_nights, 'management_fee_pct', fee_pct,
                           'settings', r.inputs -> 'settings'),
                       model, p_run_id, 'mi-leads', o.confidence, o.range_pct, r.inputs, digest
                  FROM etl.projection_months(r.inputs) m
                 WHERE m.scenario = sc
                RETURNING revenue_projection_id INTO id;
                INSERT INTO homeowner_acquisition.revenue_projection_months
                    (revenue_projection_id, month, basis, days, available_nights, occupancy, adr,
                     projected_nights, gross_revenue, management_fee, cleaning_costs, taxes, channel_fees,
                     net_to_owner)
                SELECT id, m.month, m.basis, m.days, m.available_nights, m.occupancy, m.adr,
                       m.projected_nights, m.gross_revenue, m.management_fee, m.cleaning_costs, m.taxes,
                       m.channel_fees, m.net_to_owner
                  FROM etl.projection_months(r.inputs) m
                 WHERE m.scenario = sc;
                made := made + 1;
            END LOOP;
    END LOOP;
    RETURN made;
END
$$;
COMMENT ON FUNCTION etl.project_revenue(date, jsonb, text) IS
'Writes the seasonal-v1 revenue projection of every open lead property with a competitive set computed on or before p_as_of (etl.projection_inputs; one lead per TMK, the lowest prospect_property_id): three revenue_projections rows (conservative, expected, optimistic) with the year''s totals, confidence, range, inputs and their SHA-256, and their months in revenue_projection_months (etl.projection_months), for the months from the first day of the next month on. A lead whose inputs are those of its latest projection (same SHA-256) gets nothing: a re-run, or the next night on the same data, writes no row; a new comp set, new calendar nights, new settings or a new month do. A lead whose comps have neither calendar history nor trailing figures gets none. Returns the number of scenario rows written.';

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

COMMENT ON FUNCTION etl.opportunity_signals(date, jsonb) IS
    'Every opportunity signal of every market property (not ours, not government-owned) as of p_as_of with the settings p_cfg (docs/metrics.md, section 4): recent_sale, manager_change, self_managed, review_<aspect>, occupancy_below_compset and adr_below_compset (against etl.compset_figures, the figures the projections use), listing_dark; one row per signal with its lead source, value, weight, contribution, stable signal key, evidence, date and change event. Ties broken by a total order (sale key, platform and listing id).';

-- the contracts' night, before the scoring: no JIT either
ALTER FUNCTION homeowner_acquisition.advance_contracts(date, text[], text) SET jit = off;

-- a review carries nothing until the scoring gives it points
ALTER TABLE external.property_reviews ALTER COLUMN opportunity_contribution SET DEFAULT 0;
COMMENT ON COLUMN external.property_reviews.opportunity_contribution IS
    'Points (0-100 scale) this review contributes to its property''s opportunity score, as last computed by mi-leads score (etl.review_contributions): its share of the property''s review_<aspect> signals, in proportion to how far its aspect score falls below the baseline of each; 0 for a review outside the signals'' window or carrying none, and 0 from the load (the default) until the scoring gives it points. Over a property''s reviews they add up, to the cent, to its review signals'' contributions in score_signals. NULL only on a review loaded before sql/095 and not scored since.';
