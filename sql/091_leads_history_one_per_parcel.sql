-- 091_leads_history_one_per_parcel.sql: the day's score history holds one row per
-- parcel when the parcel is a lead of two prospects.
--
-- A parcel whose owner changed on the roll (the next night of make
-- bench-night: a few hundred owner changes) is a lead of its former owner's
-- prospect and of its new owner's.  etl.score_leads wrote the day's
-- opportunity_score row of property_assessments, keyed (tmk, assessment_key),
-- from every prospect_properties row of the parcel: two rows with one key in
-- one INSERT ... ON CONFLICT DO UPDATE, which PostgreSQL refuses ("cannot
-- affect row a second time"), and the whole scoring of the night failed.  The
-- history takes one row per parcel, by a total order: the highest score, then
-- the newest lead row (the current owner's).  Otherwise as in 069.

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
    'The scoring half of mi-leads score: stores p_cfg in etl.lead_settings (the desk functions read claim_hours and hold_days there), computes etl.opportunity_signals, scores each property (sum of contributions, scaled to at most 100), creates prospects (owner key + mailing address key; the buyer of a recent sale when the owner roll still shows the seller) and prospect_properties for scores >= min_score, joins every other parcel of a prospect''s owner (same owner and mailing keys, not ours) to its lead (properties_joined), shows a prospect by the owner''s display name (external.properties.owner_display, else the roll''s form; the raw form is kept in owner_name_raw) and renames an existing prospect whose shown name is still the raw form when a display form appears (prospects_renamed), fills a prospect''s empty care-of line from the roll (external.properties.owner_care_of), rescores existing leads, writes one signal lead_activity per (prospect, signal_key) ever (a signal several of the prospect''s properties share, such as a deed conveying two units, on the lowest of their TMKs, whatever the plan): none for a won or do-not-contact owner, and for a lost one only a signal worth signal_since_lost_points or more, which sets prospects.signal_since_lost_at (lost_leads_signalled) and leaves the lead lost. Never changes a stage, a claim, a follow-up or a note. Marks the change events used as processed and writes the day''s opportunity_score assessment (one per parcel: of a parcel that is the lead of two prospects, such as its former and its new owner, the higher score, then the newer lead row). Idempotent: a re-run on the same data changes nothing. Returns counts per item.';

