-- 061_lead_next.sql: the agent action "next": claim the best waiting owner.

CREATE FUNCTION homeowner_acquisition.claim_next_lead(p_agent text)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    cand record;
    p homeowner_acquisition.prospects;
    v_until timestamptz := homeowner_acquisition.desk_claim_until();
BEGIN
    -- the queue's order; each candidate is locked, skipping those another
    -- agent is taking right now, and checked again once locked (a claim
    -- committed since the queue was read shows in the locked row)
    FOR cand IN SELECT q.lead_id FROM homeowner_acquisition.lead_queue q
                 ORDER BY q.queue_score DESC, q.lead_id LOOP
        SELECT * INTO p FROM homeowner_acquisition.prospects x
         WHERE x.prospect_id = cand.lead_id
           AND x.status IN ('new', 'contacted', 'meeting', 'proposal', 'negotiating', 'nurture')
           AND NOT x.do_not_contact
           AND (x.claim_expires_at IS NULL OR x.claim_expires_at <= now())
           AND (x.snoozed_until IS NULL OR x.snoozed_until <= current_date)
           FOR UPDATE SKIP LOCKED;
        IF FOUND THEN
            UPDATE homeowner_acquisition.prospects
               SET assigned_to = agent, claimed_at = now(), claim_expires_at = v_until,
                   last_touched_at = now(), snoozed_until = NULL
             WHERE prospect_id = p.prospect_id;
            PERFORM homeowner_acquisition.desk_log(
                p.prospect_id, agent, 'claim', 'claimed from the lead queue',
                'the claim lapses at ' || homeowner_acquisition.desk_when(v_until) || ' unless touched'
                || CASE WHEN p.claim_expires_at IS NOT NULL
                        THEN '; ' || p.assigned_to || '''s claim lapsed at '
                             || homeowner_acquisition.desk_when(p.claim_expires_at)
                        ELSE '' END);
            RETURN p.prospect_id;
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.claim_next_lead(text) IS
    'Agent action "next" (mi-leads next): claims the best waiting owner of the queue (lead_queue) for p_agent with all of its properties: assigned_to, claimed_at, claim_expires_at = now + claim_hours (etl.lead_settings; the claim lapses then unless touched), logs a claim activity (naming a previous claim that lapsed) and returns the lead (prospect_id), or NULL when the queue is empty. FOR UPDATE SKIP LOCKED and a check of the locked row: agents calling it at once get different owners. 22023 when p_agent is empty.';
REVOKE ALL ON FUNCTION homeowner_acquisition.claim_next_lead(text) FROM PUBLIC;
