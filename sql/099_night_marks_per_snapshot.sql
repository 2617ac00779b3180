-- 099_night_marks_per_snapshot.sql: the night marks written one snapshot at a time.
--
-- etl.night_marks_from_stage joined the night statuses to every pricing row of
-- the lookback's snapshots in one statement (p.snapshot_date = s.last_snapshot
-- is a join condition, so no snapshot partition could be skipped): after a
-- month of daily snapshots it read 31 snapshots a night to write into one,
-- the newest, and the few nights whose last look is older.  It now takes the
-- last-look dates the statuses hold, one at a time, each a statement whose
-- snapshot date is a constant (EXECUTE ... USING plans it with the value, so
-- only that snapshot's partitions are read), through an index on the stage's
-- last_snapshot.  The rows written are those of the one statement: each
-- pricing row is the last look of at most one night.

CREATE OR REPLACE FUNCTION etl.night_marks_from_stage(p_as_of date, p_lookback_days integer)
    RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    n bigint := 0;
    k bigint;
    d date;
BEGIN
    CREATE INDEX ON pg_temp.mm_status (last_snapshot);
    FOR d IN SELECT DISTINCT s.last_snapshot
               FROM pg_temp.mm_status s
              WHERE s.last_snapshot BETWEEN p_as_of - p_lookback_days AND p_as_of
                AND s.stay_date BETWEEN p_as_of - p_lookback_days AND p_as_of + 1100
              ORDER BY 1
    LOOP
        EXECUTE $q$
            UPDATE external.property_pricing p
               SET inferred_status = s.status, inferred_confidence = s.confidence
              FROM pg_temp.mm_status s
             WHERE s.last_snapshot = $1
               AND s.stay_date BETWEEN $2 AND $3
               AND p.snapshot_date = $1
               AND p.platform = s.platform AND p.listing_id = s.listing_id
               AND p.stay_date = s.stay_date
               AND (p.inferred_status IS DISTINCT FROM s.status
                    OR p.inferred_confidence IS DISTINCT FROM s.confidence)$q$
            USING d, p_as_of - p_lookback_days, p_as_of + 1100;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION etl.night_marks_from_stage(date, integer) IS
    'Internal to etl.refresh_night_metrics and etl.mark_night_status: writes inferred_status and inferred_confidence from pg_temp.mm_status onto the row of the last snapshot that saw each night (nights from p_as_of - p_lookback_days to p_as_of + 1100, snapshots of those days), one snapshot date at a time (only its partitions read); returns the rows changed.';
