-- 064_lead_log.sql: the agent action "log": a call, email, letter, meeting or
-- site visit (or a note), its outcome and the next follow-up.

CREATE FUNCTION homeowner_acquisition.log_lead_activity(
        p_lead bigint, p_agent text, p_channel text, p_outcome text DEFAULT NULL,
        p_note text DEFAULT NULL, p_follow_up date DEFAULT NULL, p_direction text DEFAULT NULL,
        p_tmk text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    channel text := lower(btrim(p_channel));
    outcome text := nullif(lower(btrim(p_outcome)), '');
    direction text := nullif(lower(btrim(p_direction)), '');
    channels text[] := ARRAY['call', 'email', 'sms', 'letter', 'meeting', 'site_visit', 'note'];
    outcomes text[] := ARRAY['connected', 'left_message', 'no_answer', 'bounced', 'interested',
                             'not_interested', 'callback', 'meeting_set', 'completed'];
    p homeowner_acquisition.prospects;
    pp_id bigint;
    follow date;
    stage text;
    act bigint;
BEGIN
    IF channel IS NULL OR NOT channel = ANY (channels) THEN
        RAISE EXCEPTION 'unknown channel "%"', coalesce(p_channel, '')
            USING ERRCODE = '22023', DETAIL = 'channels: ' || array_to_string(channels, ', ');
    END IF;
    IF outcome = 'do_not_contact' THEN
        RAISE EXCEPTION 'an owner who asks not to be contacted is marked do-not-contact, not logged'
            USING ERRCODE = '22023', HINT = 'mark_do_not_contact(lead, agent, reason) (mi-leads dnc)';
    END IF;
    IF outcome IS NOT NULL AND NOT outcome = ANY (outcomes) THEN
        RAISE EXCEPTION 'unknown outcome "%"', p_outcome
            USING ERRCODE = '22023', DETAIL = 'outcomes: ' || array_to_string(outcomes, ', ');
    END IF;
    IF channel = 'note' THEN
        IF p_note IS NULL OR btrim(p_note) = '' THEN
            RAISE EXCEPTION 'a note needs its text' USING ERRCODE = '22023';
        END IF;
        IF direction IS NOT NULL AND direction <> 'internal' THEN
            RAISE EXCEPTION 'a note has no direction (inbound or outbound)' USING ERRCODE = '22023';
        END IF;
        direction := 'internal';
    ELSIF direction IS NULL THEN
        direction := 'outbound';
    ELSIF direction NOT IN ('inbound', 'outbound') THEN
        RAISE EXCEPTION 'unknown direction "%"', p_direction
            USING ERRCODE = '22023', DETAIL = 'directions: inbound, outbound';
    END IF;
    IF p_follow_up < current_date THEN
        RAISE EXCEPTION 'follow-up date % is in the past', p_follow_up USING ERRCODE = '22023';
    END IF;
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'holder');
    IF p_tmk IS NOT NULL THEN
        SELECT pp.prospect_property_id INTO pp_id FROM homeowner_acquisition.prospect_properties pp
         WHERE pp.prospect_id = p.prospect_id AND pp.tmk = p_tmk;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'lead % has no property %', p.prospect_id, p_tmk USING ERRCODE = '22023';
        END IF;
    END IF;
    -- the follow-up: a new date replaces it; an activity on or after it does it
    follow := CASE WHEN p_follow_up IS NOT NULL THEN p_follow_up
                   WHEN p.follow_up_on <= current_date THEN NULL
                   ELSE p.follow_up_on END;
    -- the first contact moves a new lead to contacted
    stage := CASE WHEN p.status = 'new' AND channel <> 'note' THEN 'contacted' ELSE p.status END;
    act := homeowner_acquisition.desk_log(
        p.prospect_id, agent, channel,
        replace(channel, '_', ' ') || CASE WHEN direction = 'inbound' THEN ' (inbound)' ELSE '' END
        || coalesce(': ' || replace(outcome, '_', ' '), ''),
        p_note, outcome, direction, p_follow_up, p_prospect_property_id => pp_id);
    IF stage <> p.status THEN
        PERFORM homeowner_acquisition.desk_log(
            p.prospect_id, agent, 'status_change', 'stage ' || p.status || ' -> ' || stage,
            'first contact logged', p_stage_from => p.status, p_stage_to => stage);
    END IF;
    UPDATE homeowner_acquisition.prospects
       SET status = stage, follow_up_on = follow,
           last_contacted_at = CASE WHEN channel <> 'note' THEN now() ELSE last_contacted_at END,
           last_touched_at = now(),
           claim_expires_at = homeowner_acquisition.desk_hold_until(follow, snoozed_until)
     WHERE prospect_id = p.prospect_id;
    RETURN act;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.log_lead_activity(bigint, text, text, text, text, date, text, text) IS
    'Agent action "log" (mi-leads log): p_agent, who holds the lead p_lead, records a contact on p_channel (call, email, sms, letter, meeting, site_visit; direction outbound unless p_direction is inbound) or a note (the text required), with an outcome (connected, left_message, no_answer, bounced, interested, not_interested, callback, meeting_set, completed), a free note and optionally the property it concerns (p_tmk). p_follow_up sets the next follow-up date (today or later), which puts the lead first in the agent''s list on that date; an activity on or after a due follow-up without a new date clears it. The first contact moves a new lead to contacted (a status_change activity). Touches the claim (hold_days, or past the follow-up date). Returns the activity id. 22023 for an unknown channel, outcome or direction, a past date, a property not of the lead, outcome do_not_contact (use mark_do_not_contact); the claim errors of desk_lock.';
REVOKE ALL ON FUNCTION homeowner_acquisition.log_lead_activity(bigint, text, text, text, text, date, text, text) FROM PUBLIC;
