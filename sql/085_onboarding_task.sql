-- 085_onboarding_task.sql: the agent action "task done": tick an onboarding
-- task of a contract, with its evidence.

CREATE FUNCTION homeowner_acquisition.complete_onboarding_task(p_contract bigint, p_task text, p_agent text,
                                                               p_note text DEFAULT NULL,
                                                               p_evidence_uri text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    code text := upper(btrim(p_task));
    note text := nullif(btrim(p_note), '');
    uri text := nullif(btrim(p_evidence_uri), '');
    c homeowner_acquisition.contracts;
    t homeowner_acquisition.onboarding_progress;
    title text;
BEGIN
    SELECT * INTO c FROM homeowner_acquisition.contracts x WHERE x.contract_id = p_contract;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no contract %', coalesce(p_contract::text, 'NULL') USING ERRCODE = 'LD010';
    END IF;
    SELECT * INTO t FROM homeowner_acquisition.onboarding_progress x
     WHERE x.contract_id = c.contract_id AND x.task_code = code FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'contract % has no onboarding task "%"', c.contract_number, coalesce(p_task, '')
            USING ERRCODE = 'LD010',
                  HINT = format('its tasks: mi-leads contract show %s', c.contract_id);
    END IF;
    IF t.status = 'done' THEN
        RAISE EXCEPTION 'task % of contract % was done on % by %', code, c.contract_number,
                        to_char(t.completed_at, 'YYYY-MM-DD'), t.completed_by
            USING ERRCODE = 'LD015';
    END IF;
    IF c.status NOT IN ('signed', 'active') THEN
        RAISE EXCEPTION 'contract % is %', c.contract_number, c.status USING ERRCODE = 'LD013';
    END IF;
    IF uri IS NOT NULL AND (length(uri) > 2000 OR uri ~ '[[:cntrl:]]') THEN
        RAISE EXCEPTION 'evidence URI must be at most 2000 printable characters' USING ERRCODE = '22023';
    END IF;
    UPDATE homeowner_acquisition.onboarding_progress
       SET status = 'done', completed_at = greatest(now(), started_at), completed_by = agent,
           evidence_uri = coalesce(uri, evidence_uri), notes = coalesce(note, notes),
           evidence = jsonb_strip_nulls(jsonb_build_object('by', 'hand', 'agent', agent, 'note', note,
                                                           'uri', uri))
     WHERE onboarding_progress_id = t.onboarding_progress_id;
    SELECT x.title INTO title FROM homeowner_acquisition.onboarding_tasks x WHERE x.task_code = code;
    RETURN homeowner_acquisition.contract_log(c, agent, 'onboarding',
        format('onboarding %s done: %s', code, title), concat_ws('; ', note, uri));
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.complete_onboarding_task(bigint, text, text, text, text) IS
    'Agent action "task done" (mi-leads task done): p_agent marks the onboarding task p_task (its code, any case) of the signed or active contract p_contract done now, with a note and an evidence URI (stored in evidence_uri, notes and the evidence object), and logs an onboarding activity. Any agent may do it. Returns the activity id. LD010 no such contract or task, LD015 already done, LD013 the contract ended, 22023 a bad URI.';
REVOKE ALL ON FUNCTION homeowner_acquisition.complete_onboarding_task(bigint, text, text, text, text) FROM PUBLIC;
