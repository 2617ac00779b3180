-- 072_stage_notes.sql: what mi-run keeps of a stage's note (the comments follow the code).

COMMENT ON COLUMN etl.stage_results.detail IS
    'Stage-specific figures (JSON object): per-table counts, null rates, HTTP status counts, timings; mi-run''s rows carry seconds, by (mi-run) and note, what the summary line says besides the counts (failed requests, a source with fewer items than its expected_min_items, a warning such as "pagination stopped at page 1 of a full page").';
COMMENT ON COLUMN etl.stage_results.error IS
    'Primary error message of a failed stage (for a fetch row of mi-run: its exit code and note, e.g. a source with fewer items than expected).';
