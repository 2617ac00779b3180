-- 066_lead_snooze.sql: the agent action "snooze": out of every list until a date.

CREATE FUNCTION homeowner_acquisition.snooze_lead(p_lead bigint, p_agent text, p_until date,
                                                  p_note text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    p homeowner_acquisition.prospects;
BEGIN
    IF p_until IS NULL OR p_until <= current_date THEN
        RAISE EXCEPTION 'snooze date % must be after today', coalesce(p_until::text, 'NULL')
            USING ERRCODE = '22023';
    END IF;
    IF p_until > current_date + 731 THEN
        RAISE EXCEPTION 'snooze date % is more than two years ahead', p_until
            USING ERRCODE = '22023', HINT = 'move the lead to nurture or lost instead';
    END IF;
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'holder');
    UPDATE homeowner_acquisition.prospects
       SET snoozed_until = p_until, last_touched_at = now(),
           claim_expires_at = homeowner_acquisition.desk_hold_until(follow_up_on, p_until)
     WHERE prospect_id = p.prospect_id;
    RETURN homeowner_acquisition.desk_log(p.prospect_id, agent, 'snooze',
                                          'snoozed until ' || p_until, p_note);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.snooze_lead(bigint, text, date, text) IS
    'Agent action "snooze" (mi-leads snooze --until): p_agent, who holds the lead p_lead, puts it out of every list (queue, the agent''s list, exports) until p_until (after today, at most two years ahead); the claim holds until hold_days after that date, so on p_until the lead is back in the agent''s list, else in the queue. Logs a snooze activity and returns its id. 22023 for a bad date; the claim errors of desk_lock.';
REVOKE ALL ON FUNCTION homeowner_acquisition.snooze_lead(bigint, text, date, text) FROM PUBLIC;
