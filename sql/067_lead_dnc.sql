-- 067_lead_dnc.sql: the agent action "dnc": the owner asked not to be
-- contacted.  Out of every list, for good, across all the owner's properties.

CREATE FUNCTION homeowner_acquisition.mark_do_not_contact(p_lead bigint, p_agent text,
                                                          p_reason text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    reason text := coalesce(nullif(btrim(p_reason), ''), 'asked not to be contacted');
    p homeowner_acquisition.prospects;
    o record;
    act bigint;
BEGIN
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'any');
    IF p.do_not_contact THEN
        RAISE NOTICE 'lead % is already do-not-contact (since %)', p.prospect_id,
                     to_char(p.do_not_contact_at, 'YYYY-MM-DD');
        RETURN NULL;
    END IF;
    -- the lead, and every other lead of the same owner (another mailing address)
    FOR o IN SELECT x.prospect_id, x.status FROM homeowner_acquisition.prospects x
              WHERE (x.prospect_id = p.prospect_id OR x.owner_key = p.owner_key)
                AND NOT x.do_not_contact
              ORDER BY x.prospect_id
                FOR UPDATE LOOP
        UPDATE homeowner_acquisition.prospects
           SET do_not_contact = true, do_not_contact_reason = reason, do_not_contact_at = now(),
               follow_up_on = NULL, snoozed_until = NULL
         WHERE prospect_id = o.prospect_id;
        IF o.prospect_id = p.prospect_id THEN
            act := homeowner_acquisition.desk_log(o.prospect_id, agent, 'do_not_contact',
                                                  'do not contact (was ' || o.status || ')', reason);
        ELSE
            PERFORM homeowner_acquisition.desk_log(
                o.prospect_id, agent, 'do_not_contact',
                'do not contact (was ' || o.status || '; same owner as lead ' || p.prospect_id || ')', reason);
        END IF;
    END LOOP;
    -- and whatever lead the owner key gets later
    INSERT INTO etl.lead_suppressions (owner_key, owner_name, reason, source, added_by)
    VALUES (p.owner_key, p.display_name, reason, 'do not contact: lead ' || p.prospect_id, agent)
    ON CONFLICT ON CONSTRAINT lead_suppressions_key DO NOTHING;
    RETURN act;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.mark_do_not_contact(bigint, text, text) IS
    'Agent action "dnc" (mi-leads dnc), open to any agent whoever holds the lead: the owner of lead p_lead asked not to be contacted. Sets do_not_contact (with p_reason, default "asked not to be contacted") and so the stage do_not_contact on the lead and on every other lead of the same owner key, ends their claims, follow-ups and snoozes, logs a do_not_contact activity on each, and adds the owner key to etl.lead_suppressions so that no later lead of that owner shows anywhere. For good: never cleared (trigger prospects_desk_guard). Returns the activity id on p_lead, or NULL (with a notice) when it was do-not-contact already. LD001 when there is no such lead.';
REVOKE ALL ON FUNCTION homeowner_acquisition.mark_do_not_contact(bigint, text, text) FROM PUBLIC;
