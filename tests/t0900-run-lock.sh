#!/bin/sh
# One nightly run at a time: of two mi-run nightly started together on the demo
# config (each with its own landing store and work folder), exactly one runs and
# the other exits 75 naming the holder; a run whose process was SIGKILLed leaves
# no lock behind, and the next run takes over and finishes.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db

# 1. two at once
run_nightly "$t_tmp/one" &
p1=$!
run_nightly "$t_tmp/two" &
p2=$!
wait $p1
rc1=$?
wait $p2
rc2=$?
case "$rc1 $rc2" in
"0 75") loser=two ;;
"75 0") loser=one ;;
*)
	cat "$t_tmp/one/err" "$t_tmp/two/err" >&2
	fail "two runs at once exited $rc1 and $rc2 (want one 0 and one 75)"
	;;
esac
grep -q 'another run holds the lock: run nightly-[0-9]\{8\} on .* pid [0-9]' \
	"$t_tmp/$loser/err" || { cat "$t_tmp/$loser/err"; fail "the busy run does not name the holder"; }
[ -s "$t_tmp/$loser/out" ] && fail "the busy run printed a summary"
echo "busy run: $(head -n 1 "$t_tmp/$loser/err")"
[ -d "$t_tmp/$loser/landing" ] && fail "the busy run fetched"
n=$(psql -XAtc "SELECT count(*) FROM etl.runs")
[ "$n" = 1 ] || fail "etl.runs has $n runs"

# 2. the holder SIGKILLed in the middle of its fetch-parse-load: no stale lock
"$MI_BIN/mi-run" nightly --run-id nightly-killed --config-dir "$t_tmp/config" \
	--landing "$t_tmp/k/landing" --work "$t_tmp/k/work" --no-progress \
	>"$t_tmp/k.out" 2>"$t_tmp/k.err" &
pk=$!
i=0
until [ "$(psql -XAtc "SELECT count(*) FROM etl.stage_results
                       WHERE run_id = 'nightly-killed' AND stage = 'parse'")" -ge 1 ] 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 600 ] || { kill -9 $pk; fail "the run to kill never parsed"; }
	kill -0 $pk 2>/dev/null || fail "the run ended before it could be killed"
	sleep 0.05
done
kill -9 $pk
wait $pk 2>/dev/null
st=$(psql -XAtc "SELECT status FROM etl.runs WHERE run_id = 'nightly-killed'")
[ "$st" = running ] || fail "the killed run is '$st' in the ledger, want running"
# nobody cleans up: the lock died with the connection
i=0
while :; do
	run_nightly "$t_tmp/next" --run-id nightly-killed
	rc=$?
	[ $rc -eq 0 ] && break
	[ $rc -eq 75 ] || { cat "$t_tmp/next/err"; fail "the run after the kill exited $rc"; }
	# the server may take a moment to see the dead connection
	i=$((i + 1))
	[ $i -le 20 ] || fail "the killed run's lock never went away"
	sleep 0.25
done
st=$(psql -XAtc "SELECT status FROM etl.runs WHERE run_id = 'nightly-killed'")
[ "$st" = succeeded ] || fail "the run after the kill is '$st' in the ledger"
grep -q '^exit 0 (ok)$' "$t_tmp/next/out" || fail "the run after the kill did not finish ok"
exit 0
