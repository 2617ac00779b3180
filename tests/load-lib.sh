# Helpers of the mi-load shell tests (tests/t07xx-load-*.sh); source after tests/lib.sh.
#
#   load_checksums      one line per data table of external and etl: name, row count
#                       and an md5 over the sorted rows.  Left out: columns that record
#                       when (timestamptz) and surrogate identity keys, which differ
#                       between two runs by nature; the run ledger (etl.runs,
#                       etl.stage_results), which records every run; and partitions
#                       (their parent covers their rows).
#   load_run ARGS...    bin/mi-load with the checkout's sql/ and quiet output
load_checksums() {
	psql -XAt -v ON_ERROR_STOP=1 <<'SQL' | psql -XAt -v ON_ERROR_STOP=1
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(r, E''\n'' ORDER BY r), '''')) FROM (SELECT (%s)::text AS r FROM %I.%I) x;',
              n.nspname || '.' || c.relname,
              coalesce(string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum)
                       FILTER (WHERE a.atttypid <> 'timestamptz'::regtype AND a.attidentity = ''),
                       'NULL'),
              n.nspname, c.relname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname IN ('external', 'etl') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND c.relname NOT IN ('runs', 'stage_results', 'schema_migrations')
 GROUP BY n.nspname, c.relname
 ORDER BY 1;
SQL
}

# "read inserted updated unchanged" of the load of run $1 (etl.stage_results)
load_counts() {
	psql -XAt -v ON_ERROR_STOP=1 -c "select rows_read || ' ' || rows_inserted || ' ' || rows_updated
	                                        || ' ' || rows_unchanged
	                                   from etl.stage_results where run_id = '$1'"
}

load_run() {
	"$MI_BIN/mi-load" --sql-dir sql -q "$@"
}

gen_data() { # OUTDIR SCALE [SEED]
	"$MI_BUILD/tools/gen_hawaii" --scale "$2" --seed "${3:-7}" "$1" >/dev/null ||
		fail "gen_hawaii failed"
}
