-- rejects.tsv (the parser's own rejects) -> etl.rejects with stage 'parse'.
-- The file has no natural key, so the parse rejects of this run and source are
-- replaced as a whole: loading the same file twice leaves one copy.  The
-- DELETE runs with the first range only ($3 = 1), which under bisection is
-- always retried first.  See properties.sql for the parameters and tags.

-- @step
DELETE FROM etl.rejects WHERE run_id = $1 AND stage = 'parse' AND source = $2 AND $3 = 1

-- @count
INSERT INTO etl.rejects (run_id, stage, source, entity, format, file, landing_hash, line,
                         byte_offset, src_path, reason_code, reason, excerpt)
SELECT $1, 'parse', $2, NULL, nullif(format, ''), nullif(file, ''),
       CASE WHEN landing_hash ~ '^[0-9a-f]{64}$' THEN landing_hash END,
       nullif(nullif(src_line, '')::bigint, 0), nullif(src_offset, '')::bigint,
       nullif(src_path, ''),
       CASE WHEN reason ~ '^[a-z][a-z0-9_]*$' AND octet_length(reason) <= 64 THEN reason END,
       coalesce(nullif(reason, ''), 'rejected by the parser'),
       left(excerpt, 1000)
  FROM stg
 WHERE rn BETWEEN $3 AND $4
RETURNING true
