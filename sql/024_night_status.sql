-- 024_night_status.sql: write the inferred status of each night onto the
-- rows of the latest calendar snapshot (external.property_pricing
-- inferred_status / inferred_confidence), so that analysts can query it.

CREATE FUNCTION etl.mark_night_status(p_as_of date, p_lookback_days integer DEFAULT 31)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF p_lookback_days IS NULL OR p_lookback_days NOT BETWEEN 0 AND 1095 THEN
        RAISE EXCEPTION 'lookback "%" days must be between 0 and 1095', p_lookback_days
            USING ERRCODE = '22023';
    END IF;
    -- the row of the last snapshot that saw a night carries its status; the
    -- snapshot range lets the planner skip older partitions
    UPDATE external.property_pricing p
       SET inferred_status = s.status, inferred_confidence = s.confidence
      FROM etl.calendar_night_status(p_as_of, p_as_of - p_lookback_days, p_as_of + 1100) s
     WHERE p.snapshot_date BETWEEN p_as_of - p_lookback_days AND p_as_of
       AND p.snapshot_date = s.last_snapshot
       AND p.platform = s.platform AND p.listing_id = s.listing_id AND p.stay_date = s.stay_date
       AND (p.inferred_status IS DISTINCT FROM s.status
            OR p.inferred_confidence IS DISTINCT FROM s.confidence);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.mark_night_status(date, integer) IS
    'Sets inferred_status and inferred_confidence (etl.calendar_night_status as of p_as_of: available, booked, blocked; see docs/metrics.md) on the row of the last snapshot that saw each night, for the nights from p_as_of - p_lookback_days on and the snapshots of those days. Rows of earlier looks keep what was written before. Returns the number of rows changed (0 on a re-run). Called by mi-compset after the metrics.';
