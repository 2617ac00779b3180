# Helpers of the lead desk tests: source it after tests/lib.sh.
#
#   race_next N DIR [LEADS_ARGS]  N agents (agent1 .. agentN) call `mi-leads next` at the
#                     same instant: a session holds an EXCLUSIVE lock on
#                     homeowner_acquisition.prospects while they start, so each
#                     reads the queue and then waits to lock its candidate; the
#                     lock goes once pg_stat_activity shows all N waiting, and
#                     they race.  DIR/out.I and DIR/err.I get agent I's output;
#                     race_got and race_empty how many claimed and how many found
#                     the queue empty.  Fails the test when the race cannot be set up.
race_next() {
	_n=$1 _d=$2
	shift 2
	mkdir -p "$_d"
	rm -f "$_d/ctl"
	mkfifo "$_d/ctl" || fail "mkfifo"
	psql -X -q -v ON_ERROR_STOP=1 <"$_d/ctl" >"$_d/locker.out" 2>&1 &
	_locker=$!
	exec 3>"$_d/ctl"
	echo "BEGIN; LOCK TABLE homeowner_acquisition.prospects IN EXCLUSIVE MODE;" >&3
	_i=0
	until [ "$(psql -XAtc "select count(*) from pg_locks l join pg_class c on c.oid = l.relation
	                       where c.relname = 'prospects' and l.mode = 'ExclusiveLock' and l.granted")" = 1 ]; do
		_i=$((_i + 1))
		[ $_i -le 600 ] || { kill $_locker; fail "the lock was never taken: $(cat "$_d/locker.out")"; }
		sleep 0.1
	done
	_pids=""
	_a=1
	while [ $_a -le "$_n" ]; do
		"$MI_BIN/mi-leads" "$@" next --agent "agent$_a" >"$_d/out.$_a" 2>"$_d/err.$_a" &
		_pids="$_pids $!"
		_a=$((_a + 1))
	done
	_i=0
	until [ "$(psql -XAtc "select count(*) from pg_stat_activity where application_name = 'mi-leads'
	                       and wait_event_type = 'Lock'")" = "$_n" ]; do
		_i=$((_i + 1))
		[ $_i -le 600 ] || { kill $_locker; fail "the $_n agents never all waited"; }
		sleep 0.1
	done
	echo "COMMIT;" >&3
	exec 3>&-
	wait $_locker || fail "the locking session failed: $(cat "$_d/locker.out")"
	race_got=0
	race_empty=0
	for _p in $_pids; do
		if wait "$_p"; then race_got=$((race_got + 1)); else race_empty=$((race_empty + 1)); fi
	done
}
