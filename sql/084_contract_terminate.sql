-- 084_contract_terminate.sql: the agent action "contract terminate": end a
-- contract; the property returns to the market, the history stays.

CREATE FUNCTION homeowner_acquisition.terminate_contract(p_contract bigint, p_agent text, p_reason text,
                                                         p_on date DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    reason text := nullif(btrim(p_reason), '');
    c homeowner_acquisition.contracts;
    v_on date := coalesce(p_on, current_date);
BEGIN
    SELECT * INTO c FROM homeowner_acquisition.contracts x WHERE x.contract_id = p_contract FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no contract %', coalesce(p_contract::text, 'NULL') USING ERRCODE = 'LD010';
    END IF;
    IF c.status NOT IN ('signed', 'active') THEN
        RAISE EXCEPTION 'contract % is %', c.contract_number, c.status
            USING ERRCODE = 'LD013',
                  DETAIL = coalesce('ended ' || coalesce(c.terminated_on, c.end_date) || ': ' || c.termination_reason,
                                    'never signed');
    END IF;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'terminating contract % needs a reason', c.contract_number
            USING ERRCODE = 'LD006', HINT = 'e.g. "owner selling", "owner self-managing", "breach of terms"';
    END IF;
    IF v_on > current_date OR v_on < c.signed_on THEN
        RAISE EXCEPTION 'termination date % must be between the signature (%) and today', v_on, c.signed_on
            USING ERRCODE = '22023';
    END IF;
    PERFORM homeowner_acquisition.contract_end(c.contract_id, 'terminated', v_on, reason, agent);
    RETURN c.contract_id;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.terminate_contract(bigint, text, text, date) IS
    'Agent action "contract terminate" (mi-leads contract terminate): p_agent ends the signed or active contract p_contract on p_on (default today; not before the signature, not after today) for p_reason (required, LD006): status terminated, open onboarding tasks skipped, the property no longer ours (unless another contract holds it) and back in its owner''s lead to be scored again, the owner''s lead lost when no other contract is signed or active (contract_end). Any agent may do it. Returns the contract id. LD010 no such contract, LD013 not live, 22023 a bad date.';
REVOKE ALL ON FUNCTION homeowner_acquisition.terminate_contract(bigint, text, text, date) FROM PUBLIC;
