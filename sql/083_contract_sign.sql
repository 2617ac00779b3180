-- 083_contract_sign.sql: the agent action "contract sign": an accepted proposal
-- becomes a contract for each of its properties.

CREATE FUNCTION homeowner_acquisition.sign_contract(
        p_proposal bigint, p_agent text, p_start date DEFAULT NULL, p_term_months integer DEFAULT NULL,
        p_fee_pct numeric DEFAULT NULL, p_tmks text[] DEFAULT NULL, p_signed_by text DEFAULT NULL,
        p_number text DEFAULT NULL, p_document_uri text DEFAULT NULL)
    RETURNS TABLE (contract_id bigint, contract_number text, tmk text, status text, tasks integer)
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    pr homeowner_acquisition.proposals;
    v homeowner_acquisition.proposal_versions;
    p homeowner_acquisition.prospects;
    c homeowner_acquisition.contracts;
    v_start date := coalesce(p_start, current_date);
    v_term integer;
    v_fee numeric;
    v_terms jsonb;
    v_tmks text[];
    v_tmk text;
    v_id bigint;
    v_n integer := 0;
    v_tasks integer;
    other text;
BEGIN
    SELECT * INTO pr FROM homeowner_acquisition.proposals x WHERE x.proposal_id = p_proposal FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no proposal %', coalesce(p_proposal::text, 'NULL') USING ERRCODE = 'LD010';
    END IF;
    IF pr.status <> 'accepted' THEN
        RAISE EXCEPTION 'proposal % is %, not accepted', pr.proposal_number, pr.status
            USING ERRCODE = 'LD011',
                  HINT = 'a contract is signed from a proposal the owner accepted';
    END IF;
    SELECT string_agg(x.contract_number, ', ' ORDER BY x.contract_id) INTO other
      FROM homeowner_acquisition.contracts x WHERE x.proposal_id = pr.proposal_id;
    IF other IS NOT NULL THEN
        RAISE EXCEPTION 'proposal % was signed already: %', pr.proposal_number, other USING ERRCODE = 'LD012';
    END IF;
    -- the owner: not do-not-contact, and nobody else holds the lead
    p := homeowner_acquisition.desk_lock(pr.prospect_id, agent, 'take');
    IF p.status NOT IN ('proposal', 'negotiating', 'won') THEN
        RAISE EXCEPTION 'lead % is at %: a contract is signed at proposal or negotiating', p.prospect_id, p.status
            USING ERRCODE = 'LD005',
                  HINT = format('move it along first (mi-leads status %s proposal)', p.prospect_id);
    END IF;
    SELECT * INTO v FROM homeowner_acquisition.proposal_versions x
     WHERE x.proposal_id = pr.proposal_id
     ORDER BY x.version_no = pr.current_version_no DESC, x.version_no DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'proposal % has no version: no terms to sign', pr.proposal_number USING ERRCODE = 'LD011';
    END IF;
    IF v_start < current_date - 366 OR v_start > current_date + 366 THEN
        RAISE EXCEPTION 'start date % is more than a year from today', v_start USING ERRCODE = '22023';
    END IF;
    v_term := coalesce(p_term_months, v.contract_term_months);
    IF v_term IS NOT NULL AND v_term NOT BETWEEN 1 AND 120 THEN
        RAISE EXCEPTION 'term of % months: must be 1-120', v_term USING ERRCODE = '22023';
    END IF;
    v_fee := coalesce(p_fee_pct, v.management_fee_pct);
    IF v_fee NOT BETWEEN 0 AND 100 THEN
        RAISE EXCEPTION 'fee of % percent: must be 0-100', v_fee USING ERRCODE = '22023';
    END IF;
    IF nullif(btrim(p_number), '') IS NOT NULL AND upper(btrim(p_number)) !~ '^[A-Z0-9][A-Z0-9-]{2,31}$' THEN
        RAISE EXCEPTION 'contract number "%" must be 3-32 letters, digits and dashes', p_number
            USING ERRCODE = '22023';
    END IF;
    v_terms := v.terms || jsonb_strip_nulls(jsonb_build_object(
                   'onboarding_fee', v.onboarding_fee, 'cleaning_fee', v.cleaning_fee,
                   'owner_nights_per_year', v.owner_nights_per_year,
                   'minimum_guarantee', v.minimum_guarantee,
                   'proposal_number', pr.proposal_number, 'proposal_version', v.version_no,
                   'proposed_fee_pct', CASE WHEN v_fee <> v.management_fee_pct THEN v.management_fee_pct END,
                   'proposed_term_months', CASE WHEN v_term IS DISTINCT FROM v.contract_term_months
                                                THEN v.contract_term_months END));
    -- the properties: the proposal's, and any other of the owner's named
    SELECT array_agg(DISTINCT t ORDER BY t) INTO v_tmks
      FROM unnest(array_prepend(pr.tmk::text, coalesce(p_tmks, '{}'))) AS u(t);
    FOREACH v_tmk IN ARRAY v_tmks LOOP
        IF NOT EXISTS (SELECT 1 FROM homeowner_acquisition.prospect_properties pp
                        WHERE pp.prospect_id = p.prospect_id AND pp.tmk = v_tmk)
           AND v_tmk <> pr.tmk THEN
            RAISE EXCEPTION 'property % is not one of lead %''s', v_tmk, p.prospect_id USING ERRCODE = 'LD014';
        END IF;
        SELECT x.contract_number INTO other FROM homeowner_acquisition.contracts x
         WHERE x.tmk = v_tmk AND x.status IN ('signed', 'active');
        IF FOUND THEN
            RAISE EXCEPTION 'property % is already under contract %', v_tmk, other USING ERRCODE = 'LD012';
        END IF;
    END LOOP;
    FOREACH v_tmk IN ARRAY v_tmks LOOP
        v_n := v_n + 1;
        v_id := nextval(pg_get_serial_sequence('homeowner_acquisition.contracts', 'contract_id'));
        INSERT INTO homeowner_acquisition.contracts
            (contract_id, contract_number, prospect_id, tmk, proposal_id, proposal_version_id, status,
             signed_on, start_date, end_date, management_fee_pct, term_months, auto_renew,
             termination_notice_days, document_uri, signed_by, terms, recorded_by)
        OVERRIDING SYSTEM VALUE
        VALUES (v_id,
                CASE WHEN nullif(btrim(p_number), '') IS NULL
                     THEN format('C-%s-%s', to_char(v_start, 'YYYY'), lpad(v_id::text, 4, '0'))
                     WHEN cardinality(v_tmks) = 1 THEN upper(btrim(p_number))
                     ELSE upper(btrim(p_number)) || '-' || v_n END,
                p.prospect_id, v_tmk, pr.proposal_id, v.proposal_version_id, 'signed', current_date,
                v_start, v_start + make_interval(months => v_term), v_fee, v_term, v_term IS NOT NULL AND coalesce((v.terms ->> 'auto_renew')::boolean, true),
                v.termination_notice_days, nullif(btrim(p_document_uri), ''),
                nullif(btrim(p_signed_by), ''), v_terms, agent)
        RETURNING * INTO c;
        -- the checklist, due from the start
        INSERT INTO homeowner_acquisition.onboarding_progress (contract_id, task_code, due_on)
        SELECT c.contract_id, t.task_code, c.start_date + t.due_offset_days
          FROM homeowner_acquisition.onboarding_tasks t
         WHERE t.is_active AND substr(c.tmk, 1, 1)::smallint = ANY (t.counties)
         ORDER BY t.sort_order, t.task_code;
        GET DIAGNOSTICS v_tasks = ROW_COUNT;
        -- out of the lead for good: the property is won
        UPDATE homeowner_acquisition.prospect_properties pp
           SET status = 'won', closed_reason = 'contract ' || c.contract_number
         WHERE pp.prospect_id = p.prospect_id AND pp.tmk = c.tmk;
        PERFORM homeowner_acquisition.contract_log(c, agent, 'contract',
            format('contract %s signed (%s): from %s, %s, fee %s%%', c.contract_number, c.tmk, c.start_date,
                   coalesce(c.term_months || ' months', 'open-ended'), c.management_fee_pct),
            format('from proposal %s version %s; %s onboarding tasks', pr.proposal_number, v.version_no, v_tasks));
        IF c.start_date <= current_date THEN
            PERFORM homeowner_acquisition.contract_start(c.contract_id, agent);
            c.status := 'active';
        END IF;
        contract_id := c.contract_id;
        contract_number := c.contract_number;
        tmk := c.tmk;
        status := c.status;
        tasks := v_tasks;
        RETURN NEXT;
    END LOOP;
    -- the lead is won
    IF p.status <> 'won' THEN
        UPDATE homeowner_acquisition.prospects
           SET status = 'won', closed_reason = 'signed ' || c.contract_number, follow_up_on = NULL,
               snoozed_until = NULL, claim_expires_at = NULL, last_touched_at = now()
         WHERE prospect_id = p.prospect_id;
        INSERT INTO homeowner_acquisition.lead_activities
            (prospect_id, activity_type, direction, performed_by, subject, body, stage_from, stage_to,
             contract_id)
        VALUES (p.prospect_id, 'status_change', 'internal', agent, 'stage ' || p.status || ' -> won',
                'signed ' || c.contract_number, p.status, 'won', c.contract_id);
    END IF;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.sign_contract(bigint, text, date, integer, numeric, text[], text, text, text) IS
    'Agent action "contract sign" (mi-leads contract sign): the accepted proposal p_proposal becomes one contract per property (the proposal''s TMK and the owner''s others in p_tmks), signed today by p_agent, starting p_start (default today), with the term and fee of the proposal''s current version unless p_term_months or p_fee_pct say otherwise (a term renews by itself unless the terms say "auto_renew": false; no term: open-ended), the version''s notice and other terms copied into contracts.terms, numbered p_number (suffixed -1, -2 ... for several) or C-<year>-<id>. Each contract seeds its onboarding checklist (onboarding_progress, due from the start), takes its property out of the lead (prospect_properties.status won) and, when it starts today or earlier, becomes active and makes the property ours (is_ours); the owner''s lead moves to won (from proposal or negotiating) and every step is a lead activity. Returns the contracts. LD010 no such proposal, LD011 not accepted, LD012 already signed or a property under another live contract, LD014 not the owner''s property, LD005 the lead at another stage, 22023 a bad value; the claim errors of desk_lock (take).';
REVOKE ALL ON FUNCTION homeowner_acquisition.sign_contract(bigint, text, date, integer, numeric, text[], text, text, text) FROM PUBLIC;
