-- 063_lead_assign.sql: the agent action "assign": a lead handed over (and
-- "claim": a lead taken by name).

CREATE FUNCTION homeowner_acquisition.assign_lead(p_lead bigint, p_agent text, p_to text,
                                                  p_note text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    dest text := homeowner_acquisition.desk_agent(p_to, 'assignee');
    p homeowner_acquisition.prospects;
    v_until timestamptz := homeowner_acquisition.desk_claim_until();
    live boolean;
    sup bigint;
BEGIN
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'take');
    IF p.status IN ('won', 'lost') THEN
        RAISE EXCEPTION 'lead % is %', p.prospect_id, p.status
            USING ERRCODE = 'LD008',
                  HINT = CASE WHEN p.status = 'lost'
                              THEN format('reopen it by moving it to contacted or nurture (mi-leads status %s contacted)', p.prospect_id) END;
    END IF;
    sup := homeowner_acquisition.desk_suppression(p.prospect_id);
    IF sup IS NOT NULL THEN
        RAISE EXCEPTION 'the owner of lead % is on the suppression list', p.prospect_id
            USING ERRCODE = 'LD009',
                  DETAIL = (SELECT format('entry %s from %s%s: %s', s.suppression_id, s.source,
                                          coalesce(' line ' || s.source_line, ''), s.reason)
                              FROM etl.lead_suppressions s WHERE s.suppression_id = sup);
    END IF;
    live := coalesce(p.claim_expires_at > now(), false);
    IF live AND p.assigned_to = dest THEN
        -- already theirs: the action touches the claim, nothing else
        UPDATE homeowner_acquisition.prospects
           SET claim_expires_at = greatest(claim_expires_at, v_until), last_touched_at = now()
         WHERE prospect_id = p.prospect_id;
        RETURN NULL;
    END IF;
    UPDATE homeowner_acquisition.prospects
       SET assigned_to = dest, claimed_at = now(), claim_expires_at = v_until, last_touched_at = now(),
           snoozed_until = NULL
     WHERE prospect_id = p.prospect_id;
    IF dest = agent THEN
        RETURN homeowner_acquisition.desk_log(
            p.prospect_id, agent, 'claim', 'claimed by name',
            concat_ws('; ', 'the claim lapses at ' || homeowner_acquisition.desk_when(v_until) || ' unless touched',
                      CASE WHEN p.claim_expires_at IS NOT NULL
                           THEN p.assigned_to || '''s claim lapsed at '
                                || homeowner_acquisition.desk_when(p.claim_expires_at) END,
                      nullif(btrim(p_note), '')));
    END IF;
    RETURN homeowner_acquisition.desk_log(
        p.prospect_id, agent, 'assign',
        CASE WHEN live THEN 'handed over to ' || dest ELSE 'assigned to ' || dest END,
        concat_ws('; ', nullif(btrim(p_note), ''),
                  'the claim lapses at ' || homeowner_acquisition.desk_when(v_until) || ' unless touched'),
        p_handed_to => dest);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.assign_lead(bigint, text, text, text) IS
    'Agent action "assign" (mi-leads assign --to, and mi-leads claim when p_to is p_agent): p_agent gives the lead p_lead to p_to, who gets a fresh claim (claim_hours; it lapses unless touched). Allowed when p_agent holds the live claim (a hand-over) or nobody does (a lead dealt out or taken by name; a snooze ends). Logs an assign activity (handed_to) or, when p_agent takes it, a claim activity; returns its id, or NULL when p_to already holds it (the claim is only touched). LD002 when another agent holds it, LD007 do-not-contact, LD008 won or lost (a lost lead is reopened with set_lead_stage), LD009 suppressed, LD001 no such lead.';
REVOKE ALL ON FUNCTION homeowner_acquisition.assign_lead(bigint, text, text, text) FROM PUBLIC;
