-- 086_contracts_nightly.sql: what the nightly run does with the contracts
-- (mi-leads score, before the scoring): start, renew and expire them on their
-- dates, keep their properties ours, and tick the onboarding tasks the market
-- data proves done, with the evidence.

CREATE FUNCTION homeowner_acquisition.advance_contracts(p_as_of date, p_our_managers text[],
                                                        p_run_id text DEFAULT NULL)
    RETURNS TABLE (item text, n bigint)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ours text[] := coalesce(p_our_managers, '{}');
    r record;
    c homeowner_acquisition.contracts;
    v_end date;
    c_started bigint := 0;
    c_renewed bigint := 0;
    c_expired bigint := 0;
    c_ours bigint := 0;
    c_done bigint := 0;
BEGIN
    IF p_as_of IS NULL THEN
        RAISE EXCEPTION 'as-of date must not be null' USING ERRCODE = '22004';
    END IF;
    -- a term that renews by itself moves on, one term at a time, past the date
    FOR c IN SELECT * FROM homeowner_acquisition.contracts x
              WHERE x.status IN ('signed', 'active') AND x.auto_renew AND x.term_months IS NOT NULL
                AND x.end_date <= p_as_of
              ORDER BY x.contract_id FOR UPDATE LOOP
        v_end := c.end_date;
        WHILE v_end <= p_as_of LOOP
            v_end := v_end + make_interval(months => c.term_months);
        END LOOP;
        UPDATE homeowner_acquisition.contracts SET end_date = v_end WHERE contract_id = c.contract_id;
        PERFORM homeowner_acquisition.contract_log(c, 'mi-leads', 'contract',
            format('contract %s renewed to %s', c.contract_number, v_end), NULL, p_run_id);
        c_renewed := c_renewed + 1;
    END LOOP;
    -- a term that does not renew ends on its end date
    FOR c IN SELECT * FROM homeowner_acquisition.contracts x
              WHERE x.status IN ('signed', 'active') AND NOT x.auto_renew AND x.end_date <= p_as_of
              ORDER BY x.contract_id FOR UPDATE LOOP
        PERFORM homeowner_acquisition.contract_end(c.contract_id, 'expired', c.end_date, 'term ended',
                                                   'mi-leads', p_run_id);
        c_expired := c_expired + 1;
    END LOOP;
    -- a signed contract whose start came is active
    FOR c IN SELECT * FROM homeowner_acquisition.contracts x
              WHERE x.status = 'signed' AND x.start_date <= p_as_of
              ORDER BY x.contract_id FOR UPDATE LOOP
        PERFORM homeowner_acquisition.contract_start(c.contract_id, 'mi-leads', p_run_id);
        c_started := c_started + 1;
    END LOOP;
    -- every property under a contract in force is ours (whatever set it back)
    UPDATE external.properties p SET is_ours = true, updated_at = now()
     WHERE NOT p.is_ours
       AND p.tmk IN (SELECT x.tmk FROM homeowner_acquisition.contracts x
                      WHERE homeowner_acquisition.contract_in_force(x.status, x.start_date, x.end_date,
                                                                    x.auto_renew, p_as_of));
    GET DIAGNOSTICS c_ours = ROW_COUNT;

    -- the onboarding tasks the data completes: each open one with a rule, on a
    -- contract in force, and the first fact that proves it
    FOR r IN
        WITH open_task AS (
            SELECT op.onboarding_progress_id, op.task_code, t.title, t.data_rule, x.contract_id, x.tmk,
                   x.start_date,
                   -- since when the manager history shows us on the property
                   (SELECT pm.valid_from FROM external.property_managers pm
                     WHERE pm.tmk = x.tmk AND pm.is_current AND pm.manager_key = ANY (ours)) AS ours_since
              FROM homeowner_acquisition.onboarding_progress op
              JOIN homeowner_acquisition.onboarding_tasks t ON t.task_code = op.task_code
              JOIN homeowner_acquisition.contracts x ON x.contract_id = op.contract_id
             WHERE op.status IN ('pending', 'in_progress', 'blocked') AND t.data_rule IS NOT NULL
               AND homeowner_acquisition.contract_in_force(x.status, x.start_date, x.end_date, x.auto_renew,
                                                           p_as_of)),
        -- the property's active listings under our manager name
        our_listing AS (
            SELECT o.onboarding_progress_id, l.platform::text AS platform, l.listing_id::text AS listing_id,
                   l.url, l.tat_ids::text[] AS tax_ids, l.license_raw, l.last_seen, l.manager_name
              FROM open_task o
              JOIN etl.listings l ON l.tmk = o.tmk AND l.is_active AND l.manager_key = ANY (ours)),
        proof AS (
            -- the manager history shows us
            SELECT o.onboarding_progress_id,
                   jsonb_build_object('manager_history_id', pm.manager_history_id,
                                      'manager_key', pm.manager_key, 'manager_name', pm.manager_name,
                                      'since', pm.valid_from, 'listings', to_jsonb(pm.listing_refs),
                                      'source', pm.source) AS facts,
                   (SELECT l.url FROM etl.listings l
                     WHERE l.platform::text || ':' || l.listing_id::text = ANY (pm.listing_refs)
                     ORDER BY l.platform, l.listing_id LIMIT 1) AS uri
              FROM open_task o
              JOIN external.property_managers pm
                ON pm.tmk = o.tmk AND pm.is_current AND pm.manager_key = ANY (ours)
             WHERE o.data_rule = 'listing_ours'
            UNION ALL
            -- a tax id on our listing
            (SELECT DISTINCT ON (o.onboarding_progress_id) o.onboarding_progress_id,
                   jsonb_build_object('listing', ol.platform || ':' || ol.listing_id,
                                      'manager_name', ol.manager_name, 'tax_ids', to_jsonb(ol.tax_ids),
                                      'license_raw', ol.license_raw, 'seen_on', ol.last_seen),
                   ol.url
              FROM open_task o
              JOIN our_listing ol ON ol.onboarding_progress_id = o.onboarding_progress_id
             WHERE o.data_rule = 'license_on_listing' AND cardinality(ol.tax_ids) > 0
             ORDER BY o.onboarding_progress_id, ol.platform, ol.listing_id)
            UNION ALL
            -- booked nights on our listing's calendar from the start on, first
            -- seen closed once the manager history showed us (calendar_night_status's
            -- booked: open in an earlier look, closed in the last)
            (SELECT DISTINCT ON (o.onboarding_progress_id) o.onboarding_progress_id,
                   jsonb_build_object('listing', ol.platform || ':' || ol.listing_id,
                                      'booked_nights', b.nights, 'first_night', b.first_night,
                                      'nights', to_jsonb(b.dates), 'snapshot', b.last_snapshot),
                   ol.url
              FROM open_task o
              JOIN our_listing ol ON ol.onboarding_progress_id = o.onboarding_progress_id
             CROSS JOIN LATERAL (
                   SELECT count(*) AS nights, min(s.stay_date) AS first_night,
                          (array_agg(s.stay_date ORDER BY s.stay_date))[1:14] AS dates,
                          max(s.last_snapshot) AS last_snapshot
                     FROM (SELECT p.stay_date, max(p.snapshot_date) AS last_snapshot,
                                  (array_agg(p.available ORDER BY p.snapshot_date DESC))[1] AS last_available,
                                  bool_or(p.available) AS ever_available,
                                  min(p.snapshot_date) FILTER (WHERE NOT p.available) AS first_closed
                             FROM external.property_pricing p
                            WHERE p.platform = ol.platform AND p.listing_id = ol.listing_id
                              AND p.snapshot_date <= p_as_of AND p.snapshot_date <= p.stay_date
                              AND p.snapshot_date >= o.start_date - 365
                              AND p.stay_date >= o.start_date AND p.available IS NOT NULL
                            GROUP BY p.stay_date) s
                    WHERE NOT s.last_available AND s.ever_available
                      AND s.first_closed >= coalesce(o.ours_since, o.start_date)) b
             WHERE o.data_rule = 'booked_nights' AND b.nights > 0
             ORDER BY o.onboarding_progress_id, b.first_night, ol.platform, ol.listing_id)
            UNION ALL
            -- the first review of a stay under us
            (SELECT DISTINCT ON (o.onboarding_progress_id) o.onboarding_progress_id,
                   jsonb_build_object('listing', ol.platform || ':' || ol.listing_id,
                                      'review', rv.platform || ':' || rv.review_id,
                                      'review_date', rv.review_date, 'rating', rv.rating,
                                      'rating_scale', rv.rating_scale),
                   ol.url
              FROM open_task o
              JOIN our_listing ol ON ol.onboarding_progress_id = o.onboarding_progress_id
              JOIN external.property_reviews rv
                ON rv.platform = ol.platform AND rv.listing_id = ol.listing_id
               AND rv.review_date >= greatest(o.start_date, o.ours_since)
             WHERE o.data_rule = 'first_review'
             ORDER BY o.onboarding_progress_id, rv.review_date, rv.platform, rv.review_id))
        SELECT o.onboarding_progress_id, o.task_code, o.title, o.data_rule, o.contract_id, pf.facts, pf.uri
          FROM open_task o
          JOIN proof pf ON pf.onboarding_progress_id = o.onboarding_progress_id
         ORDER BY o.contract_id, o.onboarding_progress_id
    LOOP
        UPDATE homeowner_acquisition.onboarding_progress
           SET status = 'done', completed_at = greatest(now(), started_at), completed_by = 'mi-leads',
               evidence_uri = coalesce(r.uri, evidence_uri),
               evidence = jsonb_build_object('by', 'data', 'rule', r.data_rule, 'as_of', p_as_of,
                                             'run_id', p_run_id) || r.facts
         WHERE onboarding_progress_id = r.onboarding_progress_id
           -- still open once locked: an agent may have ticked it, or ended the contract
           AND status IN ('pending', 'in_progress', 'blocked');
        CONTINUE WHEN NOT FOUND;
        SELECT * INTO c FROM homeowner_acquisition.contracts x WHERE x.contract_id = r.contract_id;
        PERFORM homeowner_acquisition.contract_log(c, 'mi-leads', 'onboarding',
            format('onboarding %s done by the data: %s', r.task_code, r.title), r.facts::text, p_run_id);
        c_done := c_done + 1;
    END LOOP;

    RETURN QUERY VALUES ('contracts_started', c_started), ('contracts_renewed', c_renewed),
                        ('contracts_expired', c_expired), ('properties_made_ours', c_ours),
                        ('onboarding_tasks_done', c_done);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.advance_contracts(date, text[], text) IS
    'The contracts'' night (mi-leads score, before the scoring, with the managers of [onboarding] our_managers keyed like external.property_managers.manager_key): renews each signed or active contract whose end date came and that renews by itself (end_date moved on a term at a time past p_as_of), expires those that do not (contract_end: the property back on the market, the owner''s lead lost when no other contract holds it), starts the signed ones whose start came (contract_start: active, ours), makes every property under a contract in force ours, and completes each open onboarding task with a data_rule of a contract in force when the data shows it: listing_ours, the current external.property_managers row of the property has one of p_our_managers; license_on_listing, an active listing of the property under that manager shows a tax id; booked_nights, such a listing has nights from the contract start on that were open in an earlier calendar snapshot and closed in the last one, first seen closed once the manager history showed us; first_review, such a listing has a review dated from the contract start (and our manager''s start) on. A task done this way gets status done, completed_by mi-leads, the listing URL as evidence_uri, the facts in evidence and an onboarding activity. Idempotent: a re-run on the same data changes nothing. Returns counts per item.';
REVOKE ALL ON FUNCTION homeowner_acquisition.advance_contracts(date, text[], text) FROM PUBLIC;
