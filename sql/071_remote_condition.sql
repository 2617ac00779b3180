-- 071_remote_condition.sql: the condition of a property, from afar and on site.
--
--   property_assessments     assessment_type remote_condition (written by
--                            mi-leads score from reviews and the county
--                            record), columns confidence and evidence
--   etl.assess_condition     the remote condition assessment of every market
--                            property (model condition-v1), capex estimated by
--                            the [condition] rules of the lead settings;
--                            idempotent: a row only when its inputs changed
--   record_assessment        agent action (mi-leads assess): a person's
--                            site-visit assessment, with its activity
--   current_assessment       view: the assessment that counts per property; a
--                            person's always wins over the remote one

ALTER TABLE homeowner_acquisition.property_assessments
    DROP CONSTRAINT property_assessments_assessment_type_check,
    ADD CONSTRAINT property_assessments_assessment_type_check CHECK (assessment_type IN (
        'opportunity_score', 'remote_condition', 'remote_review', 'site_visit', 'photo_review')),
    ADD COLUMN confidence text CHECK (confidence IN ('low', 'medium', 'high')),
    ADD COLUMN evidence jsonb CHECK (jsonb_typeof(evidence) = 'object'),
    ADD CONSTRAINT property_assessments_remote_fields CHECK (
        assessment_type <> 'remote_condition'
        OR (assessment_key IS NOT NULL AND evidence IS NOT NULL AND confidence IS NOT NULL
            AND overall_condition IS NOT NULL AND condition_score IS NOT NULL));

COMMENT ON TABLE homeowner_acquisition.property_assessments IS
    'Assessments of a property: the history of automated opportunity scores (assessment_type opportunity_score, one per TMK and assessment_key opportunity:<date>, written by mi-leads score), the remote condition assessments mi-leads score derives from guest reviews and the county record (remote_condition, a new row only when its inputs change, key remote_condition:<date>), and the team''s own assessments: site visits recorded with mi-leads assess (record_assessment), remote and photo reviews. The assessment that counts per property, a person''s over the remote one: view current_assessment.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessment_type IS
    'opportunity_score (automated score history), remote_condition (automated condition estimate from reviews and the county record), or a person''s assessment: site_visit (mi-leads assess), remote_review or photo_review.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessment_key IS
    'Idempotency key of system-written rows (opportunity:<date>, remote_condition:<date>): unique per TMK; NULL for a person''s assessments.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessed_on IS
    'Date of the assessment (for system rows: the data date they were computed as of).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.assessed_by IS
    'Team member (login name) of a person''s assessment, or mi-leads for system rows.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.overall_condition IS
    'Overall physical condition: excellent, good, fair or poor (set on remote_condition rows and by mi-leads assess).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.condition_score IS
    'Condition on a 1-10 scale (10 = like new); remote_condition: the model''s score (etl.assess_condition).';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.estimated_capex IS
    'Spend in USD to make the property rental-ready: on a remote_condition row an estimate from the [condition] rules of the lead settings (evidence.capex says how it was made), on a person''s row their figure.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.issues IS
    'Findings as a JSON array of objects (area, issue, severity, estimated_cost); remote_condition: one per complaint family found in the reviews and one for the general refresh a fair or poor condition calls for.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.notes IS
    'Free-text notes of the assessor; on remote_condition rows a sentence saying it is an estimate made from afar.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.run_id IS
    'etl.runs.run_id of the mi-leads run that wrote a system row.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.confidence IS
    'How far a remote_condition row can be trusted: high (5+ reviews mentioning maintenance, cleanliness or amenities in the window and a county year), medium (3+ such reviews, or 1+ and a county year), low otherwise. NULL on a person''s assessment.';
COMMENT ON COLUMN homeowner_acquisition.property_assessments.evidence IS
    'What a remote_condition row was made from, as a JSON object: model, window, aspects (mean and review count of maintenance, cleanliness, amenities), complaints (reviews per family: broken, leak, mold, pests), county (year built, effective year, age), the score''s parts, capex (estimate: true, the rule per item, the floor area and where it came from) and inputs (the digest that makes a re-run idempotent). NULL on a person''s assessment.';

CREATE INDEX property_assessments_condition_idx ON homeowner_acquisition.property_assessments
    (tmk, assessed_on DESC, property_assessment_id DESC)
    WHERE assessment_type <> 'opportunity_score';

-- ---------------------------------------------------------------------------
-- The remote condition assessment
-- ---------------------------------------------------------------------------
CREATE FUNCTION etl.condition_families()
    RETURNS TABLE (family text, pattern text, penalty numeric, title text)
    LANGUAGE sql IMMUTABLE AS $$
    VALUES ('broken', '\m(broken|broke|not working|did ?n[o'']?t work|does ?n[o'']?t work|stopped working|out of order)\M',
            1.0, 'broken fixtures or appliances'),
           ('leak', '\m(leak|leaks|leaked|leaking|leaky|dripping|drips|water damage)\M',
            1.5, 'leaks or water damage'),
           ('mold', '\m(mold|moldy|mould|mouldy|mildew|musty)\M',
            2.0, 'mold or mildew'),
           ('pests', '\m(roach|roaches|cockroach|cockroaches|ants|bed ?bugs|bugs|termites|rat|rats|mice|mouse|centipedes?)\M',
            1.5, 'pests')
$$;
COMMENT ON FUNCTION etl.condition_families() IS
    'The complaint families of the remote condition assessment: the words that raise each (a case-insensitive regular expression, searched only in reviews whose scorer flagged maintenance, cleanliness or amenities), the points each takes off the condition score, and its title. The capex of each is the capex_<family> setting of [condition].';

CREATE FUNCTION etl.assess_condition(p_as_of date, p_cfg jsonb, p_run_id text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
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
    ins AS (
        INSERT INTO homeowner_acquisition.property_assessments AS a
            (tmk, prospect_property_id, assessment_type, assessment_key, assessed_on, assessed_by,
             overall_condition, condition_score, estimated_capex, issues, notes, confidence,
             evidence, run_id)
        SELECT k.tmk,
               (SELECT pp.prospect_property_id FROM homeowner_acquisition.prospect_properties pp
                 WHERE pp.tmk = k.tmk AND pp.status NOT IN ('won', 'lost', 'disqualified')
                 ORDER BY pp.prospect_property_id LIMIT 1),
               'remote_condition', 'remote_condition:' || p_as_of, p_as_of, 'mi-leads',
               k.overall, k.score, k.capex, k.issues,
               'Estimated from afar (guest reviews of the last ' || win
                   || ' days and the county record), not inspected; the capex is an estimate.',
               k.confidence, k.ev || jsonb_build_object('inputs', k.inputs), p_run_id
          FROM keyed k
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

-- ---------------------------------------------------------------------------
-- The assessment that counts
-- ---------------------------------------------------------------------------
CREATE VIEW homeowner_acquisition.current_assessment AS
SELECT DISTINCT ON (a.tmk)
       a.tmk, a.property_assessment_id, a.assessment_type,
       a.assessment_type <> 'remote_condition' AS by_person,
       a.assessed_on, a.assessed_by, a.overall_condition, a.condition_score, a.estimated_capex,
       a.assessment_type = 'remote_condition' AS capex_is_estimate,
       a.confidence, a.issues, a.notes, a.evidence, a.prospect_property_id,
       (SELECT r.property_assessment_id FROM homeowner_acquisition.property_assessments r
         WHERE r.tmk = a.tmk AND r.assessment_type = 'remote_condition'
         ORDER BY r.assessed_on DESC, r.property_assessment_id DESC LIMIT 1) AS remote_assessment_id
  FROM homeowner_acquisition.property_assessments a
 WHERE a.assessment_type <> 'opportunity_score'
   AND (a.overall_condition IS NOT NULL OR a.condition_score IS NOT NULL OR a.estimated_capex IS NOT NULL)
 ORDER BY a.tmk, a.assessment_type = 'remote_condition', a.assessed_on DESC, a.property_assessment_id DESC;
COMMENT ON VIEW homeowner_acquisition.current_assessment IS
    'The condition assessment that counts, one row per assessed property: a person''s (site_visit from mi-leads assess, remote_review, photo_review; the latest by date, then the last recorded) always wins over the remote one mi-leads score estimates (remote_condition, the latest). mi-leads show, mi-report and proposals read the condition, score and capex here.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.tmk IS 'The property.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.property_assessment_id IS 'The winning property_assessments row.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.assessment_type IS 'site_visit, remote_review, photo_review (a person''s) or remote_condition (mi-leads'' estimate).';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.by_person IS 'True when a team member made it (it then wins over any remote estimate).';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.assessed_on IS 'Date of the assessment.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.assessed_by IS 'Team member, or mi-leads.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.overall_condition IS 'excellent, good, fair or poor.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.condition_score IS 'Condition 1-10 (10 = like new).';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.estimated_capex IS 'Spend in USD to make it rental-ready (an estimate when capex_is_estimate).';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.capex_is_estimate IS 'True for the remote estimate (rules of [condition]); false for a person''s figure.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.confidence IS 'low, medium or high for the remote estimate; NULL for a person''s assessment.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.issues IS 'Findings (area, issue, severity, estimated_cost).';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.notes IS 'The assessor''s notes.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.evidence IS 'What the remote estimate was made from (property_assessments.evidence); NULL for a person''s.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.prospect_property_id IS 'The lead property it was made for, when there is one.';
COMMENT ON COLUMN homeowner_acquisition.current_assessment.remote_assessment_id IS 'The latest remote_condition row of the property (the same row when no person assessed it), to show what a person overrode.';

-- ---------------------------------------------------------------------------
-- mi-leads assess
-- ---------------------------------------------------------------------------
ALTER TABLE homeowner_acquisition.lead_activities DROP CONSTRAINT lead_activities_activity_type_check;
ALTER TABLE homeowner_acquisition.lead_activities
    ADD CONSTRAINT lead_activities_activity_type_check CHECK (activity_type IN (
        'call', 'email', 'sms', 'letter', 'meeting', 'site_visit', 'note', 'proposal_sent',
        'status_change', 'claim', 'release', 'assign', 'snooze', 'do_not_contact', 'assessment',
        'signal'));
COMMENT ON COLUMN homeowner_acquisition.lead_activities.activity_type IS
    'The channel of a contact (call, email, sms, letter, meeting, site_visit), a note, proposal_sent, a desk action (claim, release, assign, snooze, do_not_contact, status_change for a stage move, assessment for a condition assessment recorded with mi-leads assess), or signal (written by mi-leads).';

CREATE FUNCTION homeowner_acquisition.record_assessment(
        p_lead bigint, p_agent text, p_condition text, p_score integer DEFAULT NULL,
        p_capex numeric DEFAULT NULL, p_note text DEFAULT NULL, p_tmk text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    cond text := lower(btrim(p_condition));
    conditions text[] := ARRAY['excellent', 'good', 'fair', 'poor'];
    p homeowner_acquisition.prospects;
    pp homeowner_acquisition.prospect_properties;
    n integer;
    id bigint;
BEGIN
    IF cond IS NULL OR NOT cond = ANY (conditions) THEN
        RAISE EXCEPTION 'unknown condition "%"', coalesce(p_condition, '')
            USING ERRCODE = '22023', DETAIL = 'conditions: ' || array_to_string(conditions, ', ');
    END IF;
    IF p_score IS NOT NULL AND p_score NOT BETWEEN 1 AND 10 THEN
        RAISE EXCEPTION 'condition score % is not between 1 and 10', p_score USING ERRCODE = '22023';
    END IF;
    IF p_capex IS NOT NULL AND (p_capex < 0 OR p_capex >= 1e12) THEN
        RAISE EXCEPTION 'capex % is not an amount in USD (0 or more)', p_capex USING ERRCODE = '22023';
    END IF;
    -- whoever visits: not a do-not-contact owner, not a lead another agent holds
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'take');
    IF p_tmk IS NOT NULL THEN
        SELECT * INTO pp FROM homeowner_acquisition.prospect_properties x
         WHERE x.prospect_id = p.prospect_id AND x.tmk = p_tmk;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'lead % has no property %', p.prospect_id, p_tmk USING ERRCODE = '22023';
        END IF;
    ELSE
        SELECT count(*) INTO n FROM homeowner_acquisition.prospect_properties x
         WHERE x.prospect_id = p.prospect_id;
        IF n <> 1 THEN
            RAISE EXCEPTION 'lead % has % properties: say which one was assessed', p.prospect_id, n
                USING ERRCODE = '22023', HINT = 'give its TMK (mi-leads assess LEAD --tmk TMK ...)';
        END IF;
        SELECT * INTO pp FROM homeowner_acquisition.prospect_properties x
         WHERE x.prospect_id = p.prospect_id;
    END IF;
    INSERT INTO homeowner_acquisition.property_assessments
        (tmk, prospect_property_id, assessment_type, assessed_on, assessed_by, overall_condition,
         condition_score, estimated_capex, notes)
    VALUES (pp.tmk, pp.prospect_property_id, 'site_visit', current_date, agent, cond, p_score,
            p_capex, nullif(btrim(p_note), ''))
    RETURNING property_assessment_id INTO id;
    PERFORM homeowner_acquisition.desk_log(
        p.prospect_id, agent, 'assessment',
        'site visit assessment: ' || cond || coalesce(' ' || p_score || '/10', '')
            || coalesce(', capex ' || to_char(p_capex, 'FM$999,999,999,990'), '')
            || ' (' || (SELECT pr.tmk_display FROM external.properties pr WHERE pr.tmk = pp.tmk) || ')',
        p_note, p_prospect_property_id => pp.prospect_property_id);
    UPDATE homeowner_acquisition.prospects SET last_touched_at = now()
     WHERE prospect_id = p.prospect_id;
    RETURN id;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.record_assessment(bigint, text, text, integer, numeric, text, text) IS
    'Agent action "assess" (mi-leads assess): p_agent records a site-visit assessment of a property of lead p_lead (p_tmk; may be left out when the lead has one property): overall condition p_condition (excellent, good, fair, poor), optionally a score 1-10, a capex figure in USD and a note. Writes a property_assessments row (site_visit, assessed today by p_agent) and an assessment activity; from then on it is the property''s assessment (current_assessment: a person''s wins over the remote estimate). Refused for a do-not-contact owner (LD007) and a lead another agent holds (LD002); does not change the claim. Returns the assessment id. 22023 for an unknown condition, a score outside 1-10, a negative capex, a property not of the lead, or no TMK for a lead with several properties.';
REVOKE ALL ON FUNCTION homeowner_acquisition.record_assessment(bigint, text, text, integer, numeric, text, text) FROM PUBLIC;
