#!/bin/sh
# mi-run nightly end to end on the demo market (fixtures/demo over loopback
# HTTP): every stage succeeds; a second run adds nothing; a run SIGKILLed after
# its first load and started again ends with the same tables as an
# uninterrupted run in another database; the lead queue is not empty and its
# first lead names its reasons.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
db_a=$PGDATABASE

# 1. an uninterrupted run
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "first nightly run exited $rc"; }
grep -q '^exit 0 (ok)$' "$t_tmp/a/out" || fail "the summary does not end with exit 0"
for s in gis-parcels maui-owners oahu-owners maui-sales airbnb-hawaii-listings \
	island-breeze airbnb-hawaii-reviews airbnb-hawaii-calendar; do
	for st in fetch parse load; do
		grep -Eq "^$st +$s +succeeded" "$t_tmp/a/out" ||
			{ cat "$t_tmp/a/out"; fail "no succeeded $st row for $s in the summary"; }
	done
done
tables_digest >"$t_tmp/digest.1" || fail "tables_digest"
grep -Eq '^external\.properties [1-9]' "$t_tmp/digest.1" || fail "no properties loaded"
grep -Eq '^external\.property_pricing [1-9]' "$t_tmp/digest.1" || fail "no pricing loaded"
grep -Eq '^homeowner_acquisition\.prospect_properties [1-9]' "$t_tmp/digest.1" ||
	fail "no leads"
status=$(psql -XAtc "SELECT status || ' ' || exit_code || ' ' || (summary ? 'stages')
                     FROM etl.runs WHERE kind = 'nightly'")
[ "$status" = "succeeded 0 true" ] || fail "run ledger: '$status'"

# 2. the same night again: nothing new
requests=$(run_requests)
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "second nightly run exited $rc"; }
tables_digest >"$t_tmp/digest.2"
diff "$t_tmp/digest.1" "$t_tmp/digest.2" >&2 || fail "the second run changed the tables"
grep -q '0 new prospects, 0 new leads' "$t_tmp/a/out" || fail "the second run made leads"

# 3. the queue: not empty, its first lead names reasons
"$MI_BIN/mi-leads" queue --config "$t_tmp/config/leads.ini" >"$t_tmp/queue" ||
	fail "mi-leads queue"
head -n 1 "$t_tmp/queue" | grep -Eq '^1\. lead [0-9]+ +score [0-9]' ||
	{ cat "$t_tmp/queue"; fail "the queue is empty"; }
head -n 1 "$t_tmp/queue" | grep -q '(2) 4-4-001:098-0314' ||
	{ cat "$t_tmp/queue"; fail "the first lead is not the sold Kaanapali condo"; }
sed -n 2p "$t_tmp/queue" | grep -q 'sold on .*cleanliness.*maintenance' ||
	{ cat "$t_tmp/queue"; fail "the first lead does not name its reasons"; }
# P1's buyers: the Maui sales file has no buyer address, the owner roll does
head -n 1 "$t_tmp/queue" | grep -q '  Mark Kessler & Jennifer Kessler  ' ||
	{ cat "$t_tmp/queue"; fail "the first lead is not shown by the owners' display name"; }
sed -n 2p "$t_tmp/queue" | grep -q 'to Mark Kessler & Jennifer Kessler (buyer mails from CA, out of state)' ||
	{ cat "$t_tmp/queue"; fail "the first lead's sale does not say the buyer is out of state"; }
w=$(psql -XAtc "SELECT e->>'weight' FROM homeowner_acquisition.prospect_properties pp,
                       jsonb_array_elements(pp.score_signals) e
                 WHERE pp.tmk = '2440010980314' AND e->>'signal' = 'recent_sale'")
[ "$w" = 45 ] || fail "P1's sale weighs '$w', not 45 (out-of-state buyer)"
# our portfolio (config/demo/portfolio.ini) is ours, and none of it is a lead
[ "$(psql -XAtc "SELECT string_agg(tmk, ' ' ORDER BY tmk) FROM external.properties WHERE is_ours")" = \
	"1260100071402 2390010110301 2440010980201" ] || fail "is_ours does not match the demo portfolio"
grep -Eq '2-6-010:007-1402|3-9-001:011-0301|4-4-001:098-0201' "$t_tmp/queue" &&
	{ cat "$t_tmp/queue"; fail "a unit of ours is in the queue"; }

# 4. a run killed after its first load, started again, in database b; its end
# state must equal database a's
dropdb_b() { dropdb --if-exists --force "$db_b" >/dev/null 2>&1; }
db_b="${db_a}_b"
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$db_b" || fail "createdb $db_b"
t_cleanup dropdb_b
export PGDATABASE=$db_b
mkdir -p "$t_tmp/b"
"$MI_BIN/mi-run" nightly --config-dir "$t_tmp/config" --landing "$t_tmp/b/landing" \
	--work "$t_tmp/b/work" --no-progress >"$t_tmp/b/out.1" 2>"$t_tmp/b/err.1" &
pid=$!
i=0
until [ "$(psql -XAtc "SELECT count(*) FROM etl.stage_results WHERE stage = 'load'
                       AND status = 'succeeded'" 2>/dev/null)" -ge 1 ] 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 600 ] || { kill -9 $pid; fail "no load finished within a minute"; }
	kill -0 $pid 2>/dev/null || fail "the run ended before it could be killed"
	sleep 0.1
done
kill -9 $pid
wait $pid 2>/dev/null
grep -q '^exit ' "$t_tmp/b/out.1" && fail "the killed run printed a summary"
loads=$(psql -XAtc "SELECT count(*) FROM etl.stage_results WHERE stage = 'load'")
[ "$loads" -lt 8 ] || fail "the run was killed too late ($loads loads)"
# the lock went with the connection; the same night again continues the run
i=0
while [ "$(psql -XAtc "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")" != 0 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "the killed run's lock is still held"
	sleep 0.1
done
run_nightly "$t_tmp/b" || { rc=$?; cat "$t_tmp/b/out" "$t_tmp/b/err"; fail "the restarted run exited $rc"; }
tables_digest >"$t_tmp/digest.b"
diff "$t_tmp/digest.1" "$t_tmp/digest.b" >&2 ||
	fail "killed and restarted run: tables differ from an uninterrupted run"
exit 0
