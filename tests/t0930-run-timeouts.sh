#!/bin/sh
# Nothing waits without end.  Another session holds LOCK TABLE
# external.properties IN SHARE MODE:
#   1. with lock_timeout = 2s (pipeline.ini) the loads fail in about that long,
#      exit 76, and the summary names the lock wait; released, the next night runs;
#   2. with no lock timeout but a 3 s time_limit for load, mi-run stops mi-load
#      at the limit and no backend is left waiting on the lock;
#   3. mi-run SIGTERMed while its load waits: the stage cancels its query
#      (PQcancel, said in its log) and no backend is left; the run is recorded
#      aborted ("stopped by SIGTERM during load"), and mi-run dies of the signal;
#   4. mi-run SIGKILLed while its load waits: the stage gets SIGTERM as its
#      parent dies and cancels its query; the ledger still says running; the
#      next start marks the run abandoned (and its load stage), then runs.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
q() { psql -XAtc "$1"; }

locker=""
lock_hold() {
	rm -f "$t_tmp/locker.in" "$t_tmp/locker.out"
	mkfifo "$t_tmp/locker.in" || fail "mkfifo"
	psql -X -q -At -v ON_ERROR_STOP=1 <"$t_tmp/locker.in" >"$t_tmp/locker.out" 2>&1 &
	locker=$!
	exec 3>"$t_tmp/locker.in"
	printf '%s\n' "BEGIN;" "LOCK TABLE external.properties IN SHARE MODE;" "SELECT 'locked';" >&3
	i=0
	until grep -q '^locked$' "$t_tmp/locker.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -le 300 ] || fail "the other session could not take its lock"
		sleep 0.1
	done
}
lock_release() {
	printf 'COMMIT;\n' >&3
	exec 3>&-
	wait "$locker"
	locker=""
}
stop_locker() { [ -n "$locker" ] && kill "$locker" 2>/dev/null; }
t_cleanup stop_locker
# the stage backends waiting for a lock (the locker itself is not waiting)
lock_waiters() {
	q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
	     AND application_name IN ('mi-load', 'mi-compset', 'mi-leads') AND wait_event_type = 'Lock'"
}
stage_backends() {
	q "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
	     AND application_name IN ('mi-load', 'mi-compset', 'mi-leads', 'mi-fetch')"
}
# wait (at most 60 s) until the query's value is the one wanted
wait_for() { # want, function
	i=0
	while [ "$($2)" != "$1" ]; do
		i=$((i + 1))
		[ $i -le 600 ] || fail "$2 is '$($2)' after a minute, want $1"
		sleep 0.1
	done
}
limits() { # the [stages] and [load] sections of pipeline.ini
	sed -n '1,/^\[stages\]/p' config/demo/pipeline.ini | sed '$d' >"$t_tmp/config/pipeline.ini"
	printf '%s\n' "$@" >>"$t_tmp/config/pipeline.ini"
}
start_run() { # dir, args...
	_d=$1
	shift
	mkdir -p "$_d"
	"$MI_BIN/mi-run" nightly --config-dir "$t_tmp/config" --landing "$t_tmp/landing" \
		--work "$t_tmp/work" --no-progress "$@" >"$_d/out" 2>"$_d/err" &
	run_pid=$!
}

# 1. lock_timeout: the stage fails, names the wait, exit 76; then the night runs
limits "[stages]" "lock_timeout = 2s" "statement_timeout = 0" "time_limit = 10min"
lock_hold
rc=0
run_nightly "$t_tmp/n1" --source maui-owners --source maui-sales || rc=$?
lock_release
[ $rc -eq 76 ] || { cat "$t_tmp/n1/out" "$t_tmp/n1/err"; fail "a run blocked by a lock exited $rc, want 76"; }
grep -Eq '^load +maui-sales +failed .*canceling statement due to lock timeout' "$t_tmp/n1/out" ||
	{ cat "$t_tmp/n1/out"; fail "the summary does not name the lock wait"; }
secs=$(awk '$1 == "load" && $2 == "maui-sales" { print int($7) }' "$t_tmp/n1/out")
[ "${secs:-99}" -lt 30 ] || fail "the load waited $secs s for a lock with lock_timeout = 2s"
err=$(q "SELECT error FROM etl.stage_results WHERE stage = 'load' AND source = 'maui-sales'")
case $err in *"lock timeout"*) ;; *) fail "stage_results.error: '$err'" ;; esac
run_nightly "$t_tmp/n2" --source maui-owners --source maui-sales ||
	{ rc=$?; cat "$t_tmp/n2/out"; fail "the next night exited $rc"; }
grep -q '^exit 0 (ok)$' "$t_tmp/n2/out" || fail "the next night did not end ok"

# 2. the wall-clock limit: mi-load stopped, its backend gone
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "${PGDATABASE}_2" || fail "createdb"
t_cleanup "dropdb --if-exists --force '${PGDATABASE}_2' >/dev/null 2>&1"
export PGDATABASE="${PGDATABASE}_2"
limits "[stages]" "lock_timeout = 2s" "statement_timeout = 0" "[load]" "lock_timeout = 0" "time_limit = 3s"
lock_hold
rc=0
run_nightly "$t_tmp/n3" --source maui-sales --run-id nightly-limit || rc=$?
[ $rc -ne 0 ] || fail "a stage stopped at its time limit, yet exit 0"
grep -Eq '^load +maui-sales +failed .*stopped at its time limit of 3 s' "$t_tmp/n3/out" ||
	{ cat "$t_tmp/n3/out"; fail "the summary does not say the load hit its time limit"; }
wait_for 0 lock_waiters
cancelled() { # the stage's log: it cancelled its query (PQcancel) when stopped
	grep -q '^mi-load: stopped by a signal: its queries in flight were cancelled$' "$1" ||
		{ cat "$1"; fail "mi-load did not cancel its query: $1"; }
}
cancelled "$t_tmp/n3/work/nightly-limit/logs/load-maui-sales.log"
[ "$(q "SELECT status FROM etl.stage_results WHERE run_id = 'nightly-limit' AND stage = 'load'")" = failed ] ||
	fail "the stopped load is not failed in the ledger"

# 3. SIGTERM while the load waits on the lock (no limit at all)
limits "[stages]" "lock_timeout = 0" "statement_timeout = 0" "time_limit = 0"
start_run "$t_tmp/n4" --source maui-sales --run-id nightly-term
wait_for 1 lock_waiters
kill -TERM $run_pid
wait $run_pid
rc=$?
[ $rc -eq 143 ] || { cat "$t_tmp/n4/err"; fail "mi-run SIGTERMed exited $rc, want to die of SIGTERM (143)"; }
wait_for 0 stage_backends
cancelled "$t_tmp/work/nightly-term/logs/load-maui-sales.log"
st=$(q "SELECT status || ': ' || error FROM etl.runs WHERE run_id = 'nightly-term'")
[ "$st" = "aborted: stopped by SIGTERM during load maui-sales" ] || fail "ledger after SIGTERM: '$st'"
grep -q '^exit 143 (stopped by SIGTERM)$' "$t_tmp/n4/out" || { cat "$t_tmp/n4/out"; fail "summary"; }

# 4. SIGKILL while the load waits; the next start marks the run abandoned
start_run "$t_tmp/n5" --source maui-sales --run-id nightly-gone
wait_for 1 lock_waiters
kill -KILL $run_pid
wait $run_pid 2>/dev/null
# the stage got SIGTERM from the kernel when mi-run died, and cancelled its query
wait_for 0 stage_backends
cancelled "$t_tmp/work/nightly-gone/logs/load-maui-sales.log"
[ "$(q "SELECT status FROM etl.runs WHERE run_id = 'nightly-gone'")" = running ] ||
	fail "the killed run is not left running before the next start"
lock_release
run_nightly "$t_tmp/n6" --source maui-sales --run-id nightly-next ||
	{ rc=$?; cat "$t_tmp/n6/out" "$t_tmp/n6/err"; fail "the run after the kill exited $rc"; }
st=$(q "SELECT status || ': ' || error FROM etl.runs WHERE run_id = 'nightly-gone'")
case $st in "abandoned: its process (pid "*" ended without closing the run; found by nightly-next") ;;
*) fail "the killed run after the next start: '$st'" ;; esac
st=$(q "SELECT status FROM etl.stage_results WHERE run_id = 'nightly-gone' AND stage = 'load'")
[ "$st" = abandoned ] || fail "the killed run's load stage is '$st', want abandoned"
grep -q '"event":"run_abandoned".*"abandoned_run":"nightly-gone"' "$t_tmp/n6/err" ||
	fail "the next start does not log the abandoned run"
[ "$(q "SELECT count(*) FROM etl.runs WHERE status = 'running'")" = 0 ] || fail "a run is left running"
exit 0
