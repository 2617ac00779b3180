# Helpers of the mi-run tests (t09xx): source it after tests/lib.sh.
#
#   run_world           the demo market (fixtures/demo, dates moved to today) in
#                       $t_tmp/www, served on 127.0.0.1 (stopped when the test
#                       exits), and its configuration in $t_tmp/config; sets
#                       demo_port and run_stats (the server's request counts)
#   run_nightly DIR [ARGS]  mi-run nightly on that world with landing store and
#                       work folder under DIR; stdout in DIR/out, stderr in
#                       DIR/err; returns mi-run's exit code
#   run_requests        how many requests the server has answered
#   tables_digest       one line per table of external and homeowner_acquisition
#                       (partitions folded into their parent): name, rows, MD5 of
#                       the sorted rows without the purely operational columns
#                       (timestamps, run ids, surrogate ids drawn from identity
#                       sequences, which a rolled-back transaction consumes)
top=$(pwd)
BUILD=$MI_BUILD
. "$top/scripts/demo-lib.sh"

run_world() {
	[ -x "$MI_BUILD/tools/httpd" ] && [ -x "$MI_BUILD/tools/dateshift" ] ||
		skip "build/tools/httpd and dateshift are not built (make test-build)"
	for b in mi-run mi-fetch mi-parse mi-score mi-load mi-compset mi-leads; do
		[ -x "$MI_BIN/$b" ] || skip "$MI_BIN/$b is not built"
	done
	demo_www "$t_tmp/www" || fail "cannot prepare the demo world"
	run_stats="$t_tmp/httpd.stats"
	demo_httpd "$t_tmp/www" "$run_stats" || fail "cannot start the HTTP server"
	t_cleanup demo_httpd_stop
	demo_config "$t_tmp/config" "$demo_port" || fail "cannot write the demo config"
}

run_nightly() {
	_d=$1
	shift
	mkdir -p "$_d"
	"$MI_BIN/mi-run" nightly --config-dir "$t_tmp/config" --landing "$_d/landing" \
		--work "$_d/work" --no-progress "$@" >"$_d/out" 2>"$_d/err"
}

run_requests() {
	awk '$1 ~ /^[0-9]+$/ { n += $1 } END { print n + 0 }' "$run_stats" 2>/dev/null
}

tables_digest() {
	psql -XAtq -v ON_ERROR_STOP=1 <<'EOF'
SELECT format('SELECT %L || '' '' || count(*) || '' '' || coalesce(md5(string_agg(r, E''\n'' ORDER BY r)), ''-'') FROM (SELECT (%s)::text AS r FROM %I.%I) s',
              n.nspname || '.' || c.relname,
              string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum),
              n.nspname, c.relname)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE n.nspname IN ('external', 'homeowner_acquisition')
   AND c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND a.atttypid NOT IN ('timestamptz'::regtype, 'timestamp'::regtype)
   AND a.attname !~ 'run_id$'
   AND a.attname NOT IN (SELECT i.attname FROM pg_attribute i
                           JOIN pg_class ic ON ic.oid = i.attrelid
                           JOIN pg_namespace inn ON inn.oid = ic.relnamespace
                          WHERE inn.nspname IN ('external', 'homeowner_acquisition', 'etl')
                            AND i.attidentity <> '')
 GROUP BY n.nspname, c.relname
 ORDER BY n.nspname, c.relname
\gexec
EOF
}
