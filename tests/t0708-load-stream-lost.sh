#!/bin/sh
# The COPY streams of the pricing fast path lose their connections mid-COPY (the
# server terminates both stream backends at once while they copy): the load fails
# with a database error (76) that the stream threads report each in its own error;
# nothing of the snapshot stays (no work table, no rows, no etl.loaded_files row);
# the next run loads it whole, and the tables equal a clean load's.  Under
# ThreadSanitizer (make test SANITIZE=thread PATTERN=load) this is the error path
# of the threads, where the SQLSTATE once went through a shared static.
. tests/lib.sh
. tests/load-lib.sh

gen_data "$t_tmp/g" 0.05 7
mkdir "$t_tmp/d"
mv "$t_tmp/g/pricing.tsv" "$t_tmp/d/"

fresh_db
# one run id throughout: the loads of one night, retried
load_run --run r1 --source airbnb "$t_tmp/d" 2>"$t_tmp/e0" || fail "clean load: $(cat "$t_tmp/e0")"
load_checksums >"$t_tmp/clean"

PGDATABASE="${PGDATABASE}_lost"
export PGDATABASE
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" || fail "createdb"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"

# the watcher, in the server: once both streams of this database are copying,
# terminate their backends together (it gives up after two minutes)
PGAPPNAME=t0708-watch psql -XAtq -v ON_ERROR_STOP=1 >"$t_tmp/watch" 2>&1 <<'SQL' &
DO $$
DECLARE
	n int;
	deadline timestamptz := clock_timestamp() + interval '120 s';
BEGIN
	LOOP
		PERFORM pg_stat_clear_snapshot();
		SELECT count(*) INTO n FROM pg_stat_activity
		 WHERE datname = current_database() AND application_name = 'mi-load'
		   AND state = 'active' AND query LIKE 'COPY etl.pricing\_build\_%';
		EXIT WHEN n >= 2 OR clock_timestamp() > deadline;
		PERFORM pg_sleep(0.002);
	END LOOP;
	IF n < 2 THEN
		RAISE EXCEPTION 'the COPY streams were never seen copying';
	END IF;
	PERFORM pg_terminate_backend(pid) FROM pg_stat_activity
	 WHERE datname = current_database() AND application_name = 'mi-load'
	   AND query LIKE 'COPY etl.pricing\_build\_%';
END $$;
SQL
watcher=$!
# start the load once the watcher is watching
i=0
until [ "$(psql -XAtc "select count(*) from pg_stat_activity where application_name = 't0708-watch'
	and state = 'active'")" = 1 ]; do
	i=$((i + 1))
	[ $i -lt 3000 ] || fail "the watcher did not start: $(cat "$t_tmp/watch")"
	kill -0 "$watcher" 2>/dev/null || fail "the watcher ended: $(cat "$t_tmp/watch")"
done

"$MI_BIN/mi-load" --sql-dir sql -q --run r1 --source airbnb --streams 2 "$t_tmp/d" \
	>/dev/null 2>"$t_tmp/e1"
rc=$?
wait "$watcher" || fail "watcher: $(cat "$t_tmp/watch")"
[ $rc -eq 76 ] || fail "a load whose streams lost their connections exited $rc, not 76: $(cat "$t_tmp/e1")"
grep -q 'mi-load: error: ' "$t_tmp/e1" || fail "no error message: $(cat "$t_tmp/e1")"
left=$(psql -XAtc "select count(*) from pg_class where relname like 'pricing\\_build\\_%'")
[ "$left" -eq 0 ] || fail "the work table was left behind"
[ "$(psql -XAtc "select count(*) from external.property_pricing")" -eq 0 ] ||
	fail "rows of a failed snapshot stayed"
[ "$(psql -XAtc "select count(*) from etl.loaded_files where entity = 'pricing'")" -eq 0 ] ||
	fail "the failed file was recorded as loaded"

load_run --run r1 --source airbnb "$t_tmp/d" 2>"$t_tmp/e2" || fail "the next load: $(cat "$t_tmp/e2")"
load_checksums >"$t_tmp/after"
diff "$t_tmp/clean" "$t_tmp/after" >"$t_tmp/diff" ||
	fail "the load after the lost streams differs from a clean load: $(cat "$t_tmp/diff")"
exit 0
