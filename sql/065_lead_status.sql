-- 065_lead_status.sql: the agent action "status": move a lead along the stage
-- machine (homeowner_acquisition.lead_stage_moves(), docs/desk.md).

CREATE FUNCTION homeowner_acquisition.set_lead_stage(p_lead bigint, p_agent text, p_stage text,
                                                     p_reason text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    v_stage text := replace(lower(btrim(p_stage)), ' ', '_');
    reason text := nullif(btrim(p_reason), '');
    p homeowner_acquisition.prospects;
    allowed text;
    closing boolean;
    reopening boolean;
BEGIN
    IF v_stage IS NULL OR NOT EXISTS (SELECT 1 FROM homeowner_acquisition.lead_stages() s
                                     WHERE s.stage = v_stage) THEN
        RAISE EXCEPTION 'unknown stage "%"', coalesce(p_stage, '')
            USING ERRCODE = '22023',
                  DETAIL = 'stages: ' || (SELECT string_agg(s.stage, ', ' ORDER BY s.stage_order)
                                            FROM homeowner_acquisition.lead_stages() s);
    END IF;
    IF v_stage = 'do_not_contact' THEN
        RETURN homeowner_acquisition.mark_do_not_contact(p_lead, agent, reason);
    END IF;
    -- a lost lead has no claim: the agent who reopens it takes it
    reopening := (SELECT x.status = 'lost' FROM homeowner_acquisition.prospects x
                   WHERE x.prospect_id = p_lead);
    p := homeowner_acquisition.desk_lock(p_lead, agent,
                                         CASE WHEN reopening THEN 'take' ELSE 'holder' END);
    reopening := p.status = 'lost';
    IF p.status = v_stage THEN
        RAISE EXCEPTION 'lead % is already at %', p.prospect_id, v_stage USING ERRCODE = 'LD005';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM homeowner_acquisition.lead_stage_moves() m
                    WHERE m.from_stage = p.status AND m.to_stage = v_stage) THEN
        SELECT string_agg(m.to_stage, ', ') INTO allowed
          FROM homeowner_acquisition.lead_stage_moves() m WHERE m.from_stage = p.status;
        RAISE EXCEPTION 'cannot move lead % from % to %', p.prospect_id, p.status, v_stage
            USING ERRCODE = 'LD005',
                  DETAIL = CASE WHEN allowed IS NULL THEN format('a lead at %s never moves again', p.status)
                                ELSE format('from %s a lead can move to: %s', p.status, allowed) END;
    END IF;
    IF v_stage = 'lost' AND reason IS NULL THEN
        RAISE EXCEPTION 'moving lead % to lost needs a reason', p.prospect_id
            USING ERRCODE = 'LD006', HINT = 'e.g. "chose another manager", "selling", "self-managing"';
    END IF;
    closing := v_stage IN ('won', 'lost');
    UPDATE homeowner_acquisition.prospects
       SET status = v_stage,
           closed_reason = CASE WHEN closing THEN reason ELSE closed_reason END,
           follow_up_on = CASE WHEN closing THEN NULL ELSE follow_up_on END,
           snoozed_until = CASE WHEN closing THEN NULL ELSE snoozed_until END,
           assigned_to = CASE WHEN reopening THEN agent ELSE assigned_to END,
           claimed_at = CASE WHEN reopening THEN now() ELSE claimed_at END,
           claim_expires_at = CASE WHEN closing THEN NULL
                                   ELSE homeowner_acquisition.desk_hold_until(follow_up_on, snoozed_until) END,
           last_touched_at = now()
     WHERE prospect_id = p.prospect_id;
    RETURN homeowner_acquisition.desk_log(
        p.prospect_id, agent, 'status_change', 'stage ' || p.status || ' -> ' || v_stage, reason,
        p_stage_from => p.status, p_stage_to => v_stage);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.set_lead_stage(bigint, text, text, text) IS
    'Agent action "status" (mi-leads status): p_agent, who holds the lead p_lead, moves it to p_stage along lead_stage_moves() and logs a status_change activity (stage_from, stage_to, the reason). lost needs a reason (LD006) and, like won, ends the claim, the follow-up and the snooze; do_not_contact is mark_do_not_contact. A lost lead is reopened (to contacted or nurture) by any agent nobody else holds it for, who then holds it. Touches the claim. Returns the activity id. 22023 for an unknown stage, LD005 for an illegal move or the same stage (the detail lists the legal moves); the claim errors of desk_lock.';
REVOKE ALL ON FUNCTION homeowner_acquisition.set_lead_stage(bigint, text, text, text) FROM PUBLIC;
