-- 076_proposals.sql: management proposals, drafted from the lead's revenue
-- projection and moved along by the agent who holds the lead (docs/desk.md,
-- "Proposals").  Each action is one SECURITY DEFINER function, granted to
-- mi_sales by config/ops/db-role.sql, and one lead activity.
--
--   status      draft --send--> sent --accept--> accepted
--                 |               |  --decline--> declined
--               revise          revise --> negotiating --send--> sent ...
--               (stays draft)
--               a new proposal for the same property withdraws the open one
--               (status withdrawn: superseded)
--   versions    every change is a new proposal_versions row; the terms are data
--               (columns and terms jsonb); the figures come from the
--               projection's months at the version's fee
--               (proposal_figures), so a version always prints the same

ALTER TABLE homeowner_acquisition.lead_activities DROP CONSTRAINT lead_activities_activity_type_check;
ALTER TABLE homeowner_acquisition.lead_activities
    ADD CONSTRAINT lead_activities_activity_type_check CHECK (activity_type IN (
        'call', 'email', 'sms', 'letter', 'meeting', 'site_visit', 'note', 'proposal', 'proposal_sent',
        'status_change', 'claim', 'release', 'assign', 'snooze', 'do_not_contact', 'assessment',
        'signal'));
COMMENT ON COLUMN homeowner_acquisition.lead_activities.activity_type IS
    'The channel of a contact (call, email, sms, letter, meeting, site_visit), a note, proposal (a proposal drafted, revised, accepted, declined or withdrawn: the subject says which), proposal_sent, a desk action (claim, release, assign, snooze, do_not_contact, status_change for a stage move, assessment for a condition assessment recorded with mi-leads assess), or signal (written by mi-leads).';

ALTER TABLE homeowner_acquisition.proposals
    ADD COLUMN lead_activity_id bigint REFERENCES homeowner_acquisition.lead_activities (lead_activity_id);
CREATE UNIQUE INDEX proposals_one_open_idx ON homeowner_acquisition.proposals (tmk)
    WHERE status IN ('draft', 'sent', 'viewed', 'negotiating');

COMMENT ON TABLE homeowner_acquisition.proposals IS
    'Management proposals made to a prospect for one property (mi-leads propose, homeowner_acquisition.draft_proposal); the terms of each revision are in proposal_versions, current_version_no points at the latest. At most one open proposal (draft, sent, negotiating) per property: drafting a new one withdraws the open one. Written only by the proposal functions (draft_proposal, revise_proposal, send_proposal, accept_proposal, decline_proposal), each of which also writes a lead activity.';
COMMENT ON COLUMN homeowner_acquisition.proposals.proposal_number IS 'Human proposal number printed on the document: P-<year>-<proposal_id, 4 digits or more> (e.g. P-2026-0042); unique.';
COMMENT ON COLUMN homeowner_acquisition.proposals.status IS
    'draft (written, not sent), sent (the current version is with the owner), negotiating (revised after it was sent; the new version is not sent yet), accepted or declined (the owner''s answer to the version sent), withdrawn (superseded by a newer proposal for the same property). viewed and expired are allowed by the CHECK but never set.';
COMMENT ON COLUMN homeowner_acquisition.proposals.current_version_no IS 'version_no of the latest proposal_versions row: the one sent when the status is sent, accepted or declined.';
COMMENT ON COLUMN homeowner_acquisition.proposals.prepared_by IS 'The agent who drafted it (login name).';
COMMENT ON COLUMN homeowner_acquisition.proposals.sent_at IS 'When a version was first sent; set once the proposal leaves draft.';
COMMENT ON COLUMN homeowner_acquisition.proposals.expires_on IS 'Last date the offer stands: the draft date + valid_days ([proposal] of the lead settings), moved as far again from the day a version is sent.';
COMMENT ON COLUMN homeowner_acquisition.proposals.decided_at IS 'When the owner accepted or declined (accept_proposal, decline_proposal).';
COMMENT ON COLUMN homeowner_acquisition.proposals.decline_reason IS 'Why the owner declined (required by decline_proposal), or why it was withdrawn.';
COMMENT ON COLUMN homeowner_acquisition.proposals.lead_activity_id IS 'The lead activity that drafted it.';

COMMENT ON TABLE homeowner_acquisition.proposal_versions IS
    'Immutable revisions of a proposal''s terms: one row per version (unique proposal + version_no), written by draft_proposal (1) and revise_proposal (2, 3 ...); only sent_at, document_uri and document_sha256 are set later, by send_proposal. The figures of a version are homeowner_acquisition.proposal_figures(proposal_version_id).';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.revenue_projection_id IS 'The expected revenue projection shown in this version (its low and high cases: terms.projection).';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.projected_gross_revenue IS 'Projected gross rent in USD over the projection''s year, expected case (proposal_figures).';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.projected_net_to_owner IS 'Projected net to owner in USD over the projection''s year at this version''s fee, expected case (proposal_figures).';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.terms IS
    'The rest of the terms and where the figures come from, as a JSON object: projection {conservative, expected, optimistic: revenue_projection_id; model; confidence; range_pct}, compset_computed_on, assessment (the current_assessment row used: its type, whether a person made it, date, condition, score and capex; null when none), valid_days, and any term given to draft_proposal or revise_proposal beyond the columns.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.change_summary IS 'What changed from the previous version ("first version" for version 1; revise_proposal writes the changed terms, old -> new, and the agent''s words).';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.document_uri IS 'Where the document sent was stored, when send_proposal was given one.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.document_sha256 IS 'SHA-256 of the document as sent, when send_proposal was given one.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.created_by IS 'The agent who wrote the version.';
COMMENT ON COLUMN homeowner_acquisition.proposal_versions.sent_at IS 'When this version was sent to the owner (send_proposal); NULL if never sent.';

CREATE OR REPLACE FUNCTION homeowner_acquisition.lead_desk_errors()
    RETURNS TABLE (sqlstate text, meaning text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('LD001'::text, 'no such lead'::text),
           ('LD002', 'the lead is claimed by another agent'),
           ('LD003', 'your claim on the lead lapsed (untouched past its expiry)'),
           ('LD004', 'you do not hold a claim on the lead'),
           ('LD005', 'illegal stage move (or the lead is already at that stage)'),
           ('LD006', 'a reason is required'),
           ('LD007', 'the owner is do-not-contact'),
           ('LD008', 'the lead is closed for that action (won or lost)'),
           ('LD009', 'the owner is on the suppression list'),
           ('LD010', 'no such proposal'),
           ('LD011', 'the proposal''s status does not allow that action (it is not accepted, not sent ...)'),
           ('LD016', 'the property has no monthly revenue projection yet'),
           ('22023', 'a bad value (unknown channel, outcome or stage, a date in the past, a term out of range)')
$$;

-- ---------------------------------------------------------------------------
-- The figures of a version
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.proposal_figures(p_version bigint)
    RETURNS TABLE (scenario text, month date, basis text, available_nights numeric, occupancy numeric,
                   adr numeric, projected_nights numeric, gross_revenue numeric, management_fee_pct numeric,
                   management_fee numeric, cleaning_costs numeric, taxes numeric, channel_fees numeric,
                   net_to_owner numeric)
    LANGUAGE sql STABLE AS $$
    SELECT s.scenario, m.month, m.basis, m.available_nights, m.occupancy, m.adr, m.projected_nights,
           m.gross_revenue, v.management_fee_pct, round(m.gross_revenue * v.management_fee_pct / 100, 2),
           m.cleaning_costs, m.taxes, m.channel_fees,
           m.gross_revenue - round(m.gross_revenue * v.management_fee_pct / 100, 2) - m.cleaning_costs
               - m.taxes - m.channel_fees
      FROM homeowner_acquisition.proposal_versions v
     CROSS JOIN LATERAL (VALUES ('conservative'), ('expected'), ('optimistic')) AS s(scenario)
      JOIN homeowner_acquisition.revenue_projection_months m
        ON m.revenue_projection_id = (v.terms #>> ARRAY['projection', s.scenario])::bigint
     WHERE v.proposal_version_id = p_version
     ORDER BY m.month, s.scenario
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_figures(bigint) IS
    'The month-by-month figures of proposal version p_version in its three cases (conservative = low, expected, optimistic = high): the months of the revenue projections named in its terms.projection, with the management fee at the version''s management_fee_pct (gross x pct / 100, in cents) and net to owner = gross - fee - cleanings - taxes - channel fees. What mi-leads proposal show and mi-report --proposal print.';

-- ---------------------------------------------------------------------------
-- What the proposal functions share
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.proposal_lock(p_proposal bigint)
    RETURNS homeowner_acquisition.proposals
    LANGUAGE plpgsql AS $$
DECLARE
    r homeowner_acquisition.proposals;
BEGIN
    SELECT * INTO r FROM homeowner_acquisition.proposals WHERE proposal_id = p_proposal FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no proposal %', coalesce(p_proposal::text, 'NULL') USING ERRCODE = 'LD010';
    END IF;
    RETURN r;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_lock(bigint) IS
    'Locks proposal p_proposal (FOR UPDATE) and returns it; LD010 when there is none.';

CREATE FUNCTION homeowner_acquisition.proposal_refuse(r homeowner_acquisition.proposals, p_action text,
                                                      p_allowed text[])
    RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF NOT r.status = ANY (p_allowed) THEN
        RAISE EXCEPTION 'proposal % is %: it cannot be %', r.proposal_number, r.status, p_action
            USING ERRCODE = 'LD011',
                  DETAIL = format('a proposal is %s when it is %s', p_action, array_to_string(p_allowed, ' or '));
    END IF;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_refuse(homeowner_acquisition.proposals, text, text[]) IS
    'Raises LD011 naming the proposal, its status and the action unless its status is one of p_allowed.';

-- the terms a version may carry in columns: name, minimum, maximum, integer
CREATE FUNCTION homeowner_acquisition.proposal_terms()
    RETURNS TABLE (term text, min_value numeric, max_value numeric, whole boolean)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    VALUES ('management_fee_pct'::text, 0::numeric, 100::numeric, false),
           ('onboarding_fee', 0, 1000000, false),
           ('contract_term_months', 1, 120, true),
           ('termination_notice_days', 0, 365, true),
           ('minimum_guarantee', 0, 10000000, false)
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_terms() IS
    'The terms draft_proposal and revise_proposal take (JSON numbers): management_fee_pct 0-100, onboarding_fee, contract_term_months 1-120, termination_notice_days 0-365, minimum_guarantee (USD); each checked against its range.';

CREATE FUNCTION homeowner_acquisition.proposal_term_text(p_term text, p_value text)
    RETURNS text
    LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN p_value IS NULL THEN 'none'
                WHEN p_term LIKE '%_pct' THEN trim_scale(p_value::numeric)::text || '%'
                WHEN p_term LIKE '%_months' THEN trim_scale(p_value::numeric)::text || ' months'
                WHEN p_term LIKE '%_days' THEN trim_scale(p_value::numeric)::text || ' days'
                ELSE replace(to_char(p_value::numeric, 'FM$999,999,990.00'), '.00', '') END
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_term_text(text, text) IS
    'A term''s value as a change summary writes it: 18%, 12 months, 30 days, $500. (none when NULL).';

CREATE FUNCTION homeowner_acquisition.proposal_check_terms(p_terms jsonb)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    k text;
    t record;
    v numeric;
BEGIN
    IF p_terms IS NULL OR jsonb_typeof(p_terms) <> 'object' THEN
        RAISE EXCEPTION 'the terms must be a JSON object' USING ERRCODE = '22023';
    END IF;
    FOR k IN SELECT jsonb_object_keys(p_terms) LOOP
        SELECT * INTO t FROM homeowner_acquisition.proposal_terms() x WHERE x.term = k;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'unknown term "%"', k USING ERRCODE = '22023',
                DETAIL = 'terms: ' || (SELECT string_agg(term, ', ') FROM homeowner_acquisition.proposal_terms());
        END IF;
        IF jsonb_typeof(p_terms -> k) = 'null' AND k = 'minimum_guarantee' THEN
            CONTINUE;
        END IF;
        IF jsonb_typeof(p_terms -> k) <> 'number' THEN
            RAISE EXCEPTION 'term % must be a number', k USING ERRCODE = '22023';
        END IF;
        v := (p_terms ->> k)::numeric;
        IF v < t.min_value OR v > t.max_value OR (t.whole AND v <> trunc(v)) THEN
            RAISE EXCEPTION 'term % = % is out of range: % to %', k, v, t.min_value, t.max_value
                USING ERRCODE = '22023', DETAIL = CASE WHEN t.whole THEN k || ' is a whole number' END;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_check_terms(jsonb) IS
    'Raises 22023 unless p_terms is a JSON object of known terms (proposal_terms()) within their ranges (minimum_guarantee may be null).';

-- a version's projected money at its fee, from its projection
CREATE FUNCTION homeowner_acquisition.proposal_version_totals(p_version bigint)
    RETURNS void
    LANGUAGE sql AS $$
    UPDATE homeowner_acquisition.proposal_versions v
       SET projected_gross_revenue = f.gross, projected_net_to_owner = f.net
      FROM (SELECT sum(gross_revenue) AS gross, sum(net_to_owner) AS net
              FROM homeowner_acquisition.proposal_figures(p_version) WHERE scenario = 'expected') f
     WHERE v.proposal_version_id = p_version
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_version_totals(bigint) IS
    'Sets the projected gross and net of a version just written from proposal_figures (expected case).';

-- the claim of the lead's agent holds on: as log_lead_activity does
CREATE FUNCTION homeowner_acquisition.proposal_touch(p_lead bigint, p_contact boolean)
    RETURNS void
    LANGUAGE sql AS $$
    UPDATE homeowner_acquisition.prospects
       SET last_touched_at = now(),
           last_contacted_at = CASE WHEN p_contact THEN now() ELSE last_contacted_at END,
           claim_expires_at = homeowner_acquisition.desk_hold_until(follow_up_on, snoozed_until)
     WHERE prospect_id = p_lead
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_touch(bigint, boolean) IS
    'Touches the claim of lead p_lead after a proposal action (hold_days, or past its follow-up or snooze date), and its last contact when p_contact.';

-- move the lead's stage along, each move logged, when the desk's rules allow it
CREATE FUNCTION homeowner_acquisition.proposal_stage(p_lead bigint, p_agent text, p_to text, p_why text)
    RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    cur text;
    step text;
BEGIN
    SELECT status INTO cur FROM homeowner_acquisition.prospects WHERE prospect_id = p_lead;
    FOREACH step IN ARRAY CASE WHEN cur = 'new' AND p_to = 'proposal' THEN ARRAY['contacted', 'proposal']
                               ELSE ARRAY[p_to] END LOOP
        IF EXISTS (SELECT 1 FROM homeowner_acquisition.lead_stage_moves() m
                    WHERE m.from_stage = cur AND m.to_stage = step) THEN
            UPDATE homeowner_acquisition.prospects SET status = step WHERE prospect_id = p_lead;
            PERFORM homeowner_acquisition.desk_log(p_lead, p_agent, 'status_change',
                'stage ' || cur || ' -> ' || step, p_why, p_stage_from => cur, p_stage_to => step);
            cur := step;
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.proposal_stage(bigint, text, text, text) IS
    'Moves lead p_lead to stage p_to (new goes through contacted to reach proposal) when lead_stage_moves() allows it, logging each move with p_why; a lead already there or further on is left as it is.';

REVOKE ALL ON FUNCTION homeowner_acquisition.proposal_lock(bigint),
                       homeowner_acquisition.proposal_refuse(homeowner_acquisition.proposals, text, text[]),
                       homeowner_acquisition.proposal_check_terms(jsonb),
                       homeowner_acquisition.proposal_version_totals(bigint),
                       homeowner_acquisition.proposal_touch(bigint, boolean),
                       homeowner_acquisition.proposal_stage(bigint, text, text, text)
    FROM PUBLIC;

-- ---------------------------------------------------------------------------
-- draft
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.draft_proposal(p_lead bigint, p_agent text, p_terms jsonb,
                                                     p_tmk text DEFAULT NULL, p_valid_days integer DEFAULT 30)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    p homeowner_acquisition.prospects;
    pp homeowner_acquisition.prospect_properties;
    rp homeowner_acquisition.revenue_projections;
    old homeowner_acquisition.proposals;
    scen jsonb;
    assess jsonb;
    id bigint;
    number text;
    vid bigint;
    act bigint;
    net numeric;
BEGIN
    PERFORM homeowner_acquisition.proposal_check_terms(p_terms);
    IF NOT p_terms ? 'management_fee_pct' THEN
        RAISE EXCEPTION 'a proposal needs its management_fee_pct' USING ERRCODE = '22023';
    END IF;
    IF p_valid_days IS NULL OR p_valid_days NOT BETWEEN 1 AND 365 THEN
        RAISE EXCEPTION 'valid_days % is out of range (1 to 365)', p_valid_days USING ERRCODE = '22023';
    END IF;
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'holder');
    IF p.status IN ('won', 'lost', 'do_not_contact') THEN
        RAISE EXCEPTION 'lead % is %', p.prospect_id, p.status USING ERRCODE = 'LD008';
    END IF;
    -- the property: the one named, else the lead's best (the board's)
    SELECT * INTO pp FROM homeowner_acquisition.prospect_properties x
     WHERE x.prospect_id = p.prospect_id AND x.status NOT IN ('won', 'lost', 'disqualified')
       AND x.tmk = coalesce(p_tmk, (SELECT b.best_tmk FROM homeowner_acquisition.lead_board b
                                     WHERE b.lead_id = p.prospect_id));
    IF NOT FOUND THEN
        RAISE EXCEPTION 'lead % has no open property %', p.prospect_id, coalesce(p_tmk, '')
            USING ERRCODE = '22023';
    END IF;
    -- its latest monthly projection
    SELECT * INTO rp FROM homeowner_acquisition.revenue_projections x
     WHERE x.tmk = pp.tmk AND x.scenario = 'expected'
       AND EXISTS (SELECT 1 FROM homeowner_acquisition.revenue_projection_months m
                    WHERE m.revenue_projection_id = x.revenue_projection_id)
     ORDER BY x.revenue_projection_id DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no monthly revenue projection for % yet', pp.tmk USING ERRCODE = 'LD016',
            HINT = 'the nightly run makes one once the property has a competitive set (mi-compset, then mi-leads score)';
    END IF;
    SELECT jsonb_object_agg(x.scenario, x.revenue_projection_id)
           || jsonb_build_object('model', rp.model_version, 'confidence', rp.confidence,
                                 'range_pct', rp.range_pct, 'period_start', rp.period_start,
                                 'period_end', rp.period_end)
      INTO scen
      FROM homeowner_acquisition.revenue_projections x
     WHERE x.tmk = rp.tmk AND x.model_version = rp.model_version AND x.created_at = rp.created_at
       AND x.inputs_sha256 IS NOT DISTINCT FROM rp.inputs_sha256;
    -- the assessment that counts (view current_assessment: a person's over the
    -- remote estimate); none when the property was never assessed for its condition
    SELECT jsonb_build_object('property_assessment_id', a.property_assessment_id,
                              'type', a.assessment_type, 'by_person', a.by_person,
                              'assessed_on', a.assessed_on, 'assessed_by', a.assessed_by,
                              'overall_condition', a.overall_condition,
                              'condition_score', a.condition_score,
                              'estimated_capex', a.estimated_capex,
                              'capex_is_estimate', a.capex_is_estimate,
                              'confidence', a.confidence, 'notes', a.notes)
      INTO assess
      FROM homeowner_acquisition.current_assessment a
     WHERE a.tmk = pp.tmk;
    -- one open proposal per property: a new one supersedes it
    FOR old IN SELECT * FROM homeowner_acquisition.proposals x
                WHERE x.tmk = pp.tmk AND x.status IN ('draft', 'sent', 'viewed', 'negotiating')
                  FOR UPDATE LOOP
        UPDATE homeowner_acquisition.proposals SET status = 'withdrawn', decline_reason = 'superseded'
         WHERE proposal_id = old.proposal_id;
        PERFORM homeowner_acquisition.desk_log(old.prospect_id, agent, 'proposal',
            'proposal ' || old.proposal_number || ' withdrawn', 'superseded by a new proposal',
            p_prospect_property_id => old.prospect_property_id);
    END LOOP;
    id := nextval(pg_get_serial_sequence('homeowner_acquisition.proposals', 'proposal_id'));
    number := 'P-' || to_char(current_date, 'YYYY') || '-' || lpad(id::text, 4, '0');
    act := homeowner_acquisition.desk_log(p.prospect_id, agent, 'proposal',
        'proposal ' || number || ' drafted (version 1)', NULL,
        p_prospect_property_id => pp.prospect_property_id);
    INSERT INTO homeowner_acquisition.proposals
        (proposal_id, proposal_number, prospect_id, prospect_property_id, tmk, status, current_version_no,
         prepared_by, expires_on, lead_activity_id)
    OVERRIDING SYSTEM VALUE VALUES (id, number, p.prospect_id, pp.prospect_property_id, pp.tmk, 'draft', 1, agent,
            current_date + p_valid_days, act);
    INSERT INTO homeowner_acquisition.proposal_versions
        (proposal_id, version_no, management_fee_pct, onboarding_fee, contract_term_months,
         termination_notice_days, owner_nights_per_year, minimum_guarantee, revenue_projection_id, terms,
         change_summary, created_by)
    VALUES (id, 1, (p_terms ->> 'management_fee_pct')::numeric, (p_terms ->> 'onboarding_fee')::numeric,
            (p_terms ->> 'contract_term_months')::smallint, (p_terms ->> 'termination_notice_days')::smallint,
            (rp.assumptions ->> 'owner_nights')::smallint, (p_terms ->> 'minimum_guarantee')::numeric,
            rp.revenue_projection_id,
            jsonb_build_object('projection', scen, 'compset_computed_on', rp.compset_computed_on,
                               'assessment', assess, 'valid_days', p_valid_days),
            'first version', agent)
    RETURNING proposal_version_id INTO vid;
    PERFORM homeowner_acquisition.proposal_version_totals(vid);
    SELECT projected_net_to_owner INTO net FROM homeowner_acquisition.proposal_versions
     WHERE proposal_version_id = vid;
    UPDATE homeowner_acquisition.lead_activities
       SET body = format('fee %s%%, projected net to owner %s a year (expected case)',
                         to_char((p_terms ->> 'management_fee_pct')::numeric, 'FM990.00'),
                         to_char(net, 'FM$999,999,990'))
     WHERE lead_activity_id = act;
    PERFORM homeowner_acquisition.proposal_touch(p.prospect_id, false);
    RETURN id;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.draft_proposal(bigint, text, jsonb, text, integer) IS
    'Agent action "propose" (mi-leads propose): p_agent, who holds lead p_lead, drafts a proposal for the lead''s best property (lead_board.best_tmk) or p_tmk: status draft, number P-<year>-<id>, expiring p_valid_days from today, and its version 1 with the terms p_terms (proposal_terms(): management_fee_pct required), the property''s latest monthly revenue projection (its three cases in terms.projection), the owner''s nights of the projection, its comp set''s date and the property''s assessment that counts (view current_assessment: a person''s over the remote estimate; terms.assessment, null when none). An open proposal for the same property is withdrawn (superseded). Writes a proposal activity and touches the claim. Returns the proposal_id. LD016 without a monthly projection; 22023 for bad terms or a property not of the lead; the claim errors of desk_lock.';

-- ---------------------------------------------------------------------------
-- revise
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.revise_proposal(p_proposal bigint, p_agent text, p_changes jsonb,
                                                      p_note text DEFAULT NULL)
    RETURNS smallint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    r homeowner_acquisition.proposals;
    v homeowner_acquisition.proposal_versions;
    cur jsonb;
    merged jsonb;
    k text;
    said text[] := '{}';
    vid bigint;
    n smallint;
BEGIN
    PERFORM homeowner_acquisition.proposal_check_terms(p_changes);
    r := homeowner_acquisition.proposal_lock(p_proposal);
    PERFORM homeowner_acquisition.desk_lock(r.prospect_id, agent, 'holder');
    PERFORM homeowner_acquisition.proposal_refuse(r, 'revised', ARRAY['draft', 'sent', 'negotiating']);
    SELECT * INTO v FROM homeowner_acquisition.proposal_versions
     WHERE proposal_id = r.proposal_id AND version_no = r.current_version_no;
    cur := jsonb_build_object('management_fee_pct', v.management_fee_pct, 'onboarding_fee', v.onboarding_fee,
                              'contract_term_months', v.contract_term_months,
                              'termination_notice_days', v.termination_notice_days,
                              'minimum_guarantee', v.minimum_guarantee);
    merged := cur || p_changes;
    FOR k IN SELECT jsonb_object_keys(p_changes) ORDER BY 1 LOOP
        IF (cur ->> k)::numeric IS DISTINCT FROM (merged ->> k)::numeric THEN
            said := said || (CASE k WHEN 'management_fee_pct' THEN 'management fee'
                                    WHEN 'contract_term_months' THEN 'term'
                                    WHEN 'termination_notice_days' THEN 'notice'
                                    ELSE replace(k, '_', ' ') END
                             || ' ' || homeowner_acquisition.proposal_term_text(k, cur ->> k) || ' -> '
                             || homeowner_acquisition.proposal_term_text(k, merged ->> k));
        END IF;
    END LOOP;
    IF cardinality(said) = 0 THEN
        RAISE EXCEPTION 'nothing to revise: proposal % already has those terms', r.proposal_number
            USING ERRCODE = '22023';
    END IF;
    n := r.current_version_no + 1;
    INSERT INTO homeowner_acquisition.proposal_versions
        (proposal_id, version_no, management_fee_pct, onboarding_fee, cleaning_fee, contract_term_months,
         termination_notice_days, owner_nights_per_year, minimum_guarantee, revenue_projection_id, terms,
         change_summary, created_by)
    VALUES (r.proposal_id, n, (merged ->> 'management_fee_pct')::numeric, (merged ->> 'onboarding_fee')::numeric,
            v.cleaning_fee, (merged ->> 'contract_term_months')::smallint,
            (merged ->> 'termination_notice_days')::smallint, v.owner_nights_per_year,
            (merged ->> 'minimum_guarantee')::numeric, v.revenue_projection_id, v.terms,
            array_to_string(said, '; ') || coalesce(' (' || nullif(btrim(p_note), '') || ')', ''), agent)
    RETURNING proposal_version_id INTO vid;
    PERFORM homeowner_acquisition.proposal_version_totals(vid);
    UPDATE homeowner_acquisition.proposals
       SET current_version_no = n,
           status = CASE WHEN r.status = 'draft' THEN 'draft' ELSE 'negotiating' END
     WHERE proposal_id = r.proposal_id;
    PERFORM homeowner_acquisition.desk_log(r.prospect_id, agent, 'proposal',
        'proposal ' || r.proposal_number || ' revised (version ' || n || ')',
        array_to_string(said, '; ') || coalesce(' (' || nullif(btrim(p_note), '') || ')', ''),
        p_prospect_property_id => r.prospect_property_id);
    IF r.status <> 'draft' THEN
        PERFORM homeowner_acquisition.proposal_stage(r.prospect_id, agent, 'negotiating',
                                                     'proposal ' || r.proposal_number || ' revised after it was sent');
    END IF;
    PERFORM homeowner_acquisition.proposal_touch(r.prospect_id, false);
    RETURN n;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.revise_proposal(bigint, text, jsonb, text) IS
    'Agent action "proposal revise": writes version n + 1 of proposal p_proposal (draft, sent or negotiating) with the current version''s terms changed by p_changes (proposal_terms(); minimum_guarantee may be null to drop it), the same projection, and a change summary (each changed term, old -> new, and p_note). A draft stays draft; a sent proposal becomes negotiating (the new version is sent with send_proposal) and its lead moves to negotiating when the desk allows. Returns the new version_no. 22023 when nothing changes or a term is bad; LD011 for another status; LD010 no such proposal; the claim errors of desk_lock on its lead.';

-- ---------------------------------------------------------------------------
-- send, accept, decline
-- ---------------------------------------------------------------------------
CREATE FUNCTION homeowner_acquisition.send_proposal(p_proposal bigint, p_agent text,
                                                    p_document_uri text DEFAULT NULL,
                                                    p_document_sha256 text DEFAULT NULL)
    RETURNS smallint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    r homeowner_acquisition.proposals;
    valid integer;
BEGIN
    r := homeowner_acquisition.proposal_lock(p_proposal);
    PERFORM homeowner_acquisition.desk_lock(r.prospect_id, agent, 'holder');
    PERFORM homeowner_acquisition.proposal_refuse(r, 'sent', ARRAY['draft', 'negotiating']);
    IF p_document_sha256 IS NOT NULL AND p_document_sha256 !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'document SHA-256 must be 64 lowercase hex digits' USING ERRCODE = '22023';
    END IF;
    SELECT coalesce((terms ->> 'valid_days')::integer, 30) INTO valid
      FROM homeowner_acquisition.proposal_versions
     WHERE proposal_id = r.proposal_id AND version_no = r.current_version_no;
    UPDATE homeowner_acquisition.proposal_versions
       SET sent_at = now(), document_uri = p_document_uri, document_sha256 = p_document_sha256
     WHERE proposal_id = r.proposal_id AND version_no = r.current_version_no;
    UPDATE homeowner_acquisition.proposals
       SET status = 'sent', sent_at = coalesce(sent_at, now()),
           expires_on = greatest(expires_on, current_date + valid)
     WHERE proposal_id = r.proposal_id;
    PERFORM homeowner_acquisition.desk_log(r.prospect_id, agent, 'proposal_sent',
        'proposal ' || r.proposal_number || ' sent (version ' || r.current_version_no || ')',
        p_document_uri, p_direction => 'outbound', p_prospect_property_id => r.prospect_property_id);
    PERFORM homeowner_acquisition.proposal_stage(r.prospect_id, agent, 'proposal',
                                                 'proposal ' || r.proposal_number || ' sent');
    PERFORM homeowner_acquisition.proposal_touch(r.prospect_id, true);
    RETURN r.current_version_no;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.send_proposal(bigint, text, text, text) IS
    'Agent action "proposal send": the current version of proposal p_proposal (draft or negotiating) goes to the owner: the version''s sent_at (and the document''s URI and SHA-256 when given), the proposal''s status sent, its first sent_at, its expiry valid_days from today when later; a proposal_sent activity (outbound, a contact); the lead moves to the proposal stage when the desk allows (a new lead through contacted). Returns the version sent. LD011 for another status; LD010; 22023 for a bad SHA-256; the claim errors of desk_lock.';

CREATE FUNCTION homeowner_acquisition.accept_proposal(p_proposal bigint, p_agent text, p_note text DEFAULT NULL)
    RETURNS smallint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    r homeowner_acquisition.proposals;
BEGIN
    r := homeowner_acquisition.proposal_lock(p_proposal);
    PERFORM homeowner_acquisition.desk_lock(r.prospect_id, agent, 'holder');
    PERFORM homeowner_acquisition.proposal_refuse(r, 'accepted', ARRAY['sent']);
    UPDATE homeowner_acquisition.proposals SET status = 'accepted', decided_at = now()
     WHERE proposal_id = r.proposal_id;
    PERFORM homeowner_acquisition.desk_log(r.prospect_id, agent, 'proposal',
        'proposal ' || r.proposal_number || ' accepted (version ' || r.current_version_no || ')',
        p_note, p_prospect_property_id => r.prospect_property_id);
    PERFORM homeowner_acquisition.proposal_touch(r.prospect_id, false);
    RETURN r.current_version_no;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.accept_proposal(bigint, text, text) IS
    'Agent action "proposal accept": the owner accepted the version sent of proposal p_proposal (status sent): status accepted, decided_at; a proposal activity with p_note. The lead''s stage is left as it is (the contract closes it as won). Returns the version accepted. LD011 for another status; LD010; the claim errors of desk_lock.';

CREATE FUNCTION homeowner_acquisition.decline_proposal(p_proposal bigint, p_agent text, p_reason text)
    RETURNS smallint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    r homeowner_acquisition.proposals;
BEGIN
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION 'say why the owner declined' USING ERRCODE = 'LD006';
    END IF;
    r := homeowner_acquisition.proposal_lock(p_proposal);
    PERFORM homeowner_acquisition.desk_lock(r.prospect_id, agent, 'holder');
    PERFORM homeowner_acquisition.proposal_refuse(r, 'declined', ARRAY['sent', 'negotiating']);
    UPDATE homeowner_acquisition.proposals
       SET status = 'declined', decided_at = now(), decline_reason = btrim(p_reason)
     WHERE proposal_id = r.proposal_id;
    PERFORM homeowner_acquisition.desk_log(r.prospect_id, agent, 'proposal',
        'proposal ' || r.proposal_number || ' declined (version ' || r.current_version_no || ')',
        btrim(p_reason), p_prospect_property_id => r.prospect_property_id);
    PERFORM homeowner_acquisition.proposal_touch(r.prospect_id, false);
    RETURN r.current_version_no;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.decline_proposal(bigint, text, text) IS
    'Agent action "proposal decline": the owner declined proposal p_proposal (sent or negotiating), for p_reason (required, LD006): status declined, decided_at, decline_reason; a proposal activity. The lead''s stage is left as it is: the agent moves it on (lost, nurture) or drafts a new proposal. Returns the version declined. LD011 for another status; LD010; the claim errors of desk_lock.';

REVOKE ALL ON FUNCTION homeowner_acquisition.draft_proposal(bigint, text, jsonb, text, integer),
                       homeowner_acquisition.revise_proposal(bigint, text, jsonb, text),
                       homeowner_acquisition.send_proposal(bigint, text, text, text),
                       homeowner_acquisition.accept_proposal(bigint, text, text),
                       homeowner_acquisition.decline_proposal(bigint, text, text)
    FROM PUBLIC;
