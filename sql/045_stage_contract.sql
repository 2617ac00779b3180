-- 045_stage_contract.sql: every stage reports through the ledger.
--
-- Each stage binary opens, updates and closes its own etl.stage_results row
-- (pipeline/stages/ledger.c is the only code that writes etl.runs and
-- etl.stage_results); mi-run learns what a stage did from that row, never
-- from its log.  The row gains what mi-run used to measure or read from the
-- log: the rows a stage wrote, its exit code and its wall time.

ALTER TABLE etl.stage_results
    ADD COLUMN rows_out bigint NOT NULL DEFAULT 0 CHECK (rows_out >= 0),
    ADD COLUMN exit_code smallint CHECK (exit_code BETWEEN 0 AND 255),
    ADD COLUMN seconds numeric(12, 3) CHECK (seconds >= 0);

COMMENT ON COLUMN etl.stage_results.rows_out IS
    'Rows the stage wrote: fetch, bodies landed or confirmed unchanged (304); parse, entity rows; score, reviews scored; load, rows inserted or updated; compset, comp-set members; leads, properties scored.';
COMMENT ON COLUMN etl.stage_results.exit_code IS
    'The stage process''s exit code (sysexits style, see docs), or 128 + the signal that ended it; NULL while it runs.';
COMMENT ON COLUMN etl.stage_results.seconds IS
    'Wall time of the stage''s last attempt in seconds, from its start to its exit; NULL while it runs.';
COMMENT ON COLUMN etl.stage_results.detail IS
    'The stage''s own summary as a JSON object: parse, rows per entity; fetch, outcomes; load, files unchanged, parse rejects, reject share and matches; compset and leads, their figures and the line they print.';
