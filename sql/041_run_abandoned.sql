-- 041_run_abandoned.sql: a run whose process is gone is marked abandoned by the
-- next start, instead of staying 'running' for ever.
--
-- mi-run holds the advisory lock etl.run_lock_key() for the whole run, so the run
-- that has just taken it knows every other nightly or backfill still 'running' in
-- the ledger lost its process (SIGKILL, the OOM killer, a reboot, a lost
-- connection): etl.mark_abandoned_runs() closes them, and their stages left
-- 'running'.  A run stopped by SIGTERM or SIGINT closes itself as 'aborted'.
-- 'manual' runs (a stage binary run by hand registers one) are never closed by
-- mi-run: nothing tells whether their process is alive.

ALTER TABLE etl.runs DROP CONSTRAINT runs_status_check;
ALTER TABLE etl.runs ADD CONSTRAINT runs_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'aborted', 'abandoned'));
ALTER TABLE etl.runs DROP CONSTRAINT runs_failed_error;
ALTER TABLE etl.runs ADD CONSTRAINT runs_failed_error
    CHECK (status NOT IN ('failed', 'aborted', 'abandoned') OR error IS NOT NULL);
COMMENT ON COLUMN etl.runs.status IS
    'running, succeeded, partial (some sources failed or were parked), failed, aborted (stopped by SIGTERM or SIGINT: it cancelled its queries and closed itself) or abandoned (its process ended without closing the run; set by the next mi-run start).';
COMMENT ON COLUMN etl.runs.error IS
    'Primary error message of a failed, aborted or abandoned run; required for those statuses.';

ALTER TABLE etl.stage_results DROP CONSTRAINT stage_results_status_check;
ALTER TABLE etl.stage_results ADD CONSTRAINT stage_results_status_check
    CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'skipped', 'abandoned'));
COMMENT ON COLUMN etl.stage_results.status IS
    'running, succeeded, partial, failed, skipped or abandoned (still running when its run was found abandoned).';

CREATE FUNCTION etl.mark_abandoned_runs(p_by text)
    RETURNS TABLE (run_id text, host text, pid integer, started_at timestamptz)
    LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_locks l
                    WHERE l.locktype = 'advisory' AND l.granted AND l.pid = pg_backend_pid()
                      AND l.objsubid = 1
                      AND ((l.classid::bigint << 32) | l.objid::bigint) = etl.run_lock_key()) THEN
        RAISE EXCEPTION 'only the holder of the run lock may mark runs abandoned'
            USING ERRCODE = '55000',
                  HINT = 'take pg_try_advisory_lock(etl.run_lock_key()) on this session first';
    END IF;
    UPDATE etl.stage_results s
       SET status = 'abandoned', finished_at = greatest(now(), s.started_at),
           error = coalesce(s.error, 'its run was abandoned (found by ' || p_by || ')')
      FROM etl.runs r
     WHERE r.run_id = s.run_id AND r.status = 'running' AND r.kind IN ('nightly', 'backfill')
       AND s.status = 'running';
    RETURN QUERY
    UPDATE etl.runs r
       SET status = 'abandoned', finished_at = greatest(now(), r.started_at),
           error = format('its process (pid %s on %s) ended without closing the run; found by %s',
                          coalesce(r.pid::text, '?'), coalesce(r.host, '?'), p_by)
     WHERE r.status = 'running' AND r.kind IN ('nightly', 'backfill')
    RETURNING r.run_id::text, r.host, r.pid, r.started_at;
END
$$;
COMMENT ON FUNCTION etl.mark_abandoned_runs(text) IS
    'Called by mi-run right after it took the run lock (refused, 55000, on a session that does not hold it): every nightly or backfill run still running lost its process, so it becomes abandoned (finished now, error naming its pid and host and p_by, the run that found it), with its stages still running. Returns the runs it closed.';
