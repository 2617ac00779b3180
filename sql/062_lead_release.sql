-- 062_lead_release.sql: the agent action "release": back to the queue, with a reason.

CREATE FUNCTION homeowner_acquisition.release_lead(p_lead bigint, p_agent text, p_reason text)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    p homeowner_acquisition.prospects;
BEGIN
    IF p_reason IS NULL OR btrim(p_reason) = '' THEN
        RAISE EXCEPTION 'releasing lead % needs a reason', coalesce(p_lead::text, 'NULL')
            USING ERRCODE = 'LD006', HINT = 'say why, for the next agent (e.g. "wrong island for me")';
    END IF;
    p := homeowner_acquisition.desk_lock(p_lead, agent, 'holder');
    UPDATE homeowner_acquisition.prospects
       SET assigned_to = NULL, claimed_at = NULL, claim_expires_at = NULL, last_touched_at = now()
     WHERE prospect_id = p.prospect_id;
    RETURN homeowner_acquisition.desk_log(p.prospect_id, agent, 'release', 'released to the queue',
                                          p_reason);
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.release_lead(bigint, text, text) IS
    'Agent action "release" (mi-leads release): p_agent gives back the lead p_lead it holds; the owner returns to the queue at its stage (follow-up and notes kept) and a release activity records p_reason. Returns the activity id. LD006 without a reason; the claim errors of desk_lock (LD001-LD004, LD007, LD008).';
REVOKE ALL ON FUNCTION homeowner_acquisition.release_lead(bigint, text, text) FROM PUBLIC;
