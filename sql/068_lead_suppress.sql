-- 068_lead_suppress.sql: the agent action "suppress": one entry of a
-- suppression list (mi-leads suppress FILE normalizes each row with the owner
-- and address normalizers, then calls this).

CREATE FUNCTION homeowner_acquisition.add_lead_suppression(
        p_agent text, p_owner_key text, p_address_key text, p_zip5 text, p_owner_name text,
        p_address text, p_reason text, p_source text, p_source_line integer DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    agent text := homeowner_acquisition.desk_agent(p_agent);
    okey text := nullif(btrim(p_owner_key), '');
    akey text := nullif(btrim(p_address_key), '');
    zip text := nullif(btrim(p_zip5), '');
    id bigint;
BEGIN
    IF okey IS NULL AND akey IS NULL THEN
        RAISE EXCEPTION 'a suppression entry needs an owner key or an address key' USING ERRCODE = '22023';
    END IF;
    IF zip IS NOT NULL AND zip !~ '^[0-9]{5}$' THEN
        RAISE EXCEPTION 'ZIP "%" is not five digits', p_zip5 USING ERRCODE = '22023';
    END IF;
    IF zip IS NOT NULL AND akey IS NULL THEN
        RAISE EXCEPTION 'a ZIP alone suppresses nothing: give the street address too' USING ERRCODE = '22023';
    END IF;
    IF p_source IS NULL OR btrim(p_source) = '' THEN
        RAISE EXCEPTION 'a suppression entry needs its source (the list''s name)' USING ERRCODE = '22023';
    END IF;
    INSERT INTO etl.lead_suppressions (owner_key, address_key, zip5, owner_name, address, reason,
                                       source, source_line, added_by)
    VALUES (okey, akey, zip, nullif(btrim(p_owner_name), ''), nullif(btrim(p_address), ''),
            coalesce(nullif(btrim(p_reason), ''), 'suppression list'), btrim(p_source), p_source_line,
            agent)
    ON CONFLICT ON CONSTRAINT lead_suppressions_key DO NOTHING
    RETURNING suppression_id INTO id;
    RETURN id;
END
$$;
COMMENT ON FUNCTION homeowner_acquisition.add_lead_suppression(text, text, text, text, text, text, text, text, integer) IS
    'Agent action "suppress" (mi-leads suppress FILE, one call per row): adds an entry to etl.lead_suppressions: an owner key and/or a mailing address key (both made by the project''s normalizers: owner_key(), addr_key()) with an optional five-digit ZIP, the name and address as listed, a reason, the list''s name and line. From then on every owner it matches is out of the queue, claims and exports. Returns the new entry''s id, or NULL when the same keys are listed already (a list imported twice adds nothing). 22023 without a key, with a bad ZIP or without a source.';
REVOKE ALL ON FUNCTION homeowner_acquisition.add_lead_suppression(text, text, text, text, text, text, text, text, integer) FROM PUBLIC;
