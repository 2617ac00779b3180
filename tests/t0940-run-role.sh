#!/bin/sh
# The least-privilege role of config/ops/db-role.sql runs the whole demo night:
# the earlier calendar snapshots (mi-load, each built apart and attached through
# the owner's functions), mi-run nightly (exit 0, pricing, metrics, comp sets,
# leads and projections loaded) and the queue, all as mi_pipeline, then a second
# night that keeps a signed contract's property ours.  The role is
# refused each right it does not need: deleting from etl.schema_migrations,
# etl.runs, etl.loaded_files or a market table, truncating or dropping one,
# changing a prospect's do-not-contact flag, reading or writing a contract or an
# onboarding task, signing, ending or ticking one, creating a table, view or function
# in any of the three schemas, running the generic snapshot attach, or using the
# owner's functions on anything but a pricing work table of their own date.
# db-role.sql runs twice (after each migration) without error.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
owner=$PGUSER
t_cleanup "PGUSER='$owner' dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"
psql -X -q -v ON_ERROR_STOP=1 -f config/ops/db-role.sql >"$t_tmp/role.log" 2>&1 ||
	{ cat "$t_tmp/role.log"; fail "db-role.sql failed"; }
psql -X -q -v ON_ERROR_STOP=1 -f config/ops/db-role.sql >"$t_tmp/role.log" 2>&1 ||
	{ cat "$t_tmp/role.log"; fail "db-role.sql failed the second time"; }
[ "$(psql -XAtc "SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = 'mi_pipeline'")" = f ] ||
	fail "mi_pipeline has more than a login"
export PGUSER=mi_pipeline

# 1. the demo night, as mi_pipeline
demo_history "$t_tmp/www" "$t_tmp/hist" role-history >"$t_tmp/hist.log" 2>&1 ||
	{ cat "$t_tmp/hist.log"; fail "mi-load of the earlier snapshots as mi_pipeline failed"; }
run_nightly "$t_tmp/n" || { rc=$?; cat "$t_tmp/n/out"; tail -n 20 "$t_tmp/n/err"; fail "the night as mi_pipeline exited $rc"; }
grep -q '^exit 0 (ok)$' "$t_tmp/n/out" || fail "the summary does not end with exit 0"
grep -rl 'permission denied\|must be owner' "$t_tmp/n/work" "$t_tmp/hist.log" &&
	fail "a stage was refused a right it needs (warned in the logs above)"
q() { psql -XAtc "$1"; }
for t in external.property_pricing etl.market_metrics external.competitive_sets \
	homeowner_acquisition.prospect_properties homeowner_acquisition.lead_activities \
	homeowner_acquisition.revenue_projections; do
	[ "$(q "SELECT count(*) > 0 FROM $t")" = t ] || fail "the night as mi_pipeline left $t empty"
done
n=$(q "SELECT count(*) FROM pg_inherits i JOIN pg_inherits s ON s.inhparent = i.inhrelid
        WHERE i.inhparent = 'external.property_pricing'::regclass")
[ "$n" -ge 5 ] || fail "only $n snapshot partitions (want today's and the earlier ones)"
[ "$(q "SELECT count(*) FROM pg_class WHERE relname LIKE 'pricing_build_%'")" = 0 ] ||
	fail "a pricing work table is left"
[ "$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('external', 'homeowner_acquisition', 'etl')
           AND c.relowner = 'mi_pipeline'::regrole")" = 0 ] || fail "mi_pipeline owns something"
[ "$(q "SELECT count(*) FROM pg_class c, aclexplode(c.relacl) a
         WHERE c.relname LIKE 'property_pricing_s%' AND a.grantee = 'mi_pipeline'::regrole")" = 0 ] ||
	fail "a snapshot partition kept the loader's grant"
"$MI_BIN/mi-leads" queue --config "$t_tmp/config/leads.ini" >"$t_tmp/queue" 2>"$t_tmp/queue.err" ||
	{ cat "$t_tmp/queue.err"; fail "mi-leads queue as mi_pipeline"; }
head -n 1 "$t_tmp/queue" | grep -Eq '^1\. lead [0-9]+ +score' || fail "the queue is empty"

# a contract signed (by the owner here, standing in for an agent) is kept by the next
# night as mi_pipeline: mi-compset reads the contracted properties, mi-leads score
# advances the contracts through the owner's function
T=2440010980512
PGUSER=$owner psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>"$t_tmp/err" <<EOF2 || fail "signing a contract: $(cat "$t_tmp/err")"
UPDATE homeowner_acquisition.prospects SET status = 'contacted' WHERE prospect_id =
    (SELECT prospect_id FROM homeowner_acquisition.prospect_properties WHERE tmk = '$T');
UPDATE homeowner_acquisition.prospects SET status = 'proposal' WHERE prospect_id =
    (SELECT prospect_id FROM homeowner_acquisition.prospect_properties WHERE tmk = '$T');
WITH p AS (INSERT INTO homeowner_acquisition.proposals (proposal_number, prospect_id, tmk, status,
               current_version_no, prepared_by, sent_at, decided_at)
           SELECT 'P-ROLE-1', prospect_id, tmk, 'accepted', 1, 'kalani', now(), now()
             FROM homeowner_acquisition.prospect_properties WHERE tmk = '$T' RETURNING proposal_id)
INSERT INTO homeowner_acquisition.proposal_versions (proposal_id, version_no, management_fee_pct, created_by)
SELECT proposal_id, 1, 20, 'kalani' FROM p;
SELECT * FROM homeowner_acquisition.sign_contract(
    (SELECT proposal_id FROM homeowner_acquisition.proposals WHERE proposal_number = 'P-ROLE-1'), 'kalani');
EOF2
run_nightly "$t_tmp/n" || { rc=$?; cat "$t_tmp/n/out"; tail -n 20 "$t_tmp/n/err"; fail "the second night as mi_pipeline exited $rc"; }
grep -rl 'permission denied\|must be owner' "$t_tmp/n/work" && fail "a stage was refused a right it needs"
[ "$(q "SELECT is_ours FROM external.properties WHERE tmk = '$T'")" = t ] || fail "the night as mi_pipeline undid a contract"
grep -q "contracts: 0 started" "$t_tmp/n/work"/*/logs/leads.log || fail "mi-leads score did not advance the contracts"

# 2. what it may not do
# each check: what, SQL, a part of the expected error; all tried in one session,
# each in a subtransaction rolled back whatever happens
n=0
: >"$t_tmp/checks"
: >"$t_tmp/values"
denied() { # what, SQL, expected message part
	n=$((n + 1))
	printf '%s\t%s\t%s\n' "$n" "$1" "$3" >>"$t_tmp/checks"
	printf '%s(%s, $q$%s$q$)\n' "$([ $n -gt 1 ] && echo ', ')" "$n" "$2" >>"$t_tmp/values"
}
part=$(q "SELECT c.relname FROM pg_class c WHERE c.relname LIKE 'property_pricing_s%' AND c.relkind = 'r'
          ORDER BY c.relname LIMIT 1")
denied "delete from etl.schema_migrations" "DELETE FROM etl.schema_migrations" "permission denied for table schema_migrations"
denied "read etl.schema_migrations" "SELECT * FROM etl.schema_migrations" "permission denied for table schema_migrations"
denied "delete from etl.runs" "DELETE FROM etl.runs" "permission denied for table runs"
denied "delete from etl.loaded_files" "DELETE FROM etl.loaded_files" "permission denied for table loaded_files"
denied "update etl.loaded_files" "UPDATE etl.loaded_files SET rows_loaded = 0" "permission denied for table loaded_files"
for t in properties property_managers property_sales property_reviews property_pricing; do
	denied "delete from external.$t" "DELETE FROM external.$t" "permission denied for table $t"
	denied "truncate external.$t" "TRUNCATE external.$t" "permission denied for table $t"
done
denied "delete from a snapshot partition" "DELETE FROM external.$part" "permission denied for table $part"
denied "drop a snapshot partition" "DROP TABLE external.$part" "must be owner of table $part"
denied "delete a prospect" "DELETE FROM homeowner_acquisition.prospects" "permission denied for table prospects"
denied "change do_not_contact" "UPDATE homeowner_acquisition.prospects SET do_not_contact = false" \
	"permission denied for table prospects"
denied "change a lead's status" "UPDATE homeowner_acquisition.prospect_properties SET status = 'won'" \
	"permission denied for table prospect_properties"
denied "delete lead activities" "DELETE FROM homeowner_acquisition.lead_activities" \
	"permission denied for table lead_activities"
denied "read contracts" "SELECT * FROM homeowner_acquisition.contracts" "permission denied for table contracts"
denied "write a contract" "UPDATE homeowner_acquisition.contracts SET status = 'terminated'" \
	"permission denied for table contracts"
denied "tick an onboarding task" "UPDATE homeowner_acquisition.onboarding_progress SET status = 'done'" \
	"permission denied for table onboarding_progress"
denied "sign a contract" "SELECT * FROM homeowner_acquisition.sign_contract(1, 'pipeline')" \
	"permission denied for function sign_contract"
denied "terminate a contract" "SELECT homeowner_acquisition.terminate_contract(1, 'pipeline', 'x')" \
	"permission denied for function terminate_contract"
denied "tick a task as an agent" "SELECT homeowner_acquisition.complete_onboarding_task(1, 'X', 'pipeline')" \
	"permission denied for function complete_onboarding_task"
denied "end a contract with the owner's helper" \
	"SELECT homeowner_acquisition.contract_end(1, 'expired', current_date, 'x', 'pipeline')" \
	"permission denied for function contract_end"
for s in external etl homeowner_acquisition; do
	denied "create a table in $s" "CREATE TABLE $s.t (x int)" "permission denied for schema $s"
	denied "create a view in $s" "CREATE VIEW $s.v AS SELECT 1 AS x" "permission denied for schema $s"
	denied "create a function in $s" "CREATE FUNCTION $s.f() RETURNS int LANGUAGE sql AS 'SELECT 1'" \
		"permission denied for schema $s"
done
denied "attach any table as a snapshot" "SELECT external.attach_pricing_snapshot('etl.runs', current_date)" \
	"permission denied for function attach_pricing_snapshot"
denied "attach another table with the owner's rights" "SELECT etl.load_pricing_attach('etl.runs', current_date)" \
	"is not the pricing work table of snapshot"
denied "drop another table with the owner's rights" "SELECT etl.load_pricing_drop_build('runs')" \
	"bad build table name"
denied "grant itself a table" "SELECT etl.load_pricing_grant_build('etl.runs')" \
	"permission denied for function load_pricing_grant_build"
# the owner's ANALYZE after a load (sql/109): of the load's schemas only
[ "$(psql -XAtc "SELECT etl.load_analyze_grown('{etl.listings}', 1000000000)")" = 1 ] ||
	fail "mi_pipeline cannot analyze the listings it loaded"
[ "$(psql -XAtc "SELECT etl.load_analyze_grown('{homeowner_acquisition.contracts}', 1000000000)")" = 0 ] ||
	fail "mi_pipeline analyzed a table outside the load's schemas"
{
	echo 'DO $do$ DECLARE r record; BEGIN FOR r IN SELECT * FROM (VALUES'
	cat "$t_tmp/values"
	echo ') v(n, s) ORDER BY n LOOP'
	echo '  BEGIN EXECUTE r.s; RAISE EXCEPTION USING MESSAGE = $m$ALLOWED$m$;'
	echo '  EXCEPTION WHEN OTHERS THEN RAISE NOTICE $m$check %|%|%$m$, r.n, SQLSTATE, SQLERRM; END;'
	echo 'END LOOP; END $do$;'
} >"$t_tmp/checks.sql"
psql -X -q -v ON_ERROR_STOP=1 -f "$t_tmp/checks.sql" >/dev/null 2>"$t_tmp/checks.out" ||
	{ cat "$t_tmp/checks.out"; fail "the checks did not run"; }
while IFS="$(printf '\t')" read -r i what want; do
	line=$(grep "check $i|" "$t_tmp/checks.out") || fail "check $i ($what) did not run"
	case $line in *"|ALLOWED") fail "mi_pipeline may $what" ;; esac
	case $line in *"$want"*) ;; *) fail "$what: not refused for its rights: $line" ;; esac
done <"$t_tmp/checks"
[ "$(grep -c '|42501|' "$t_tmp/checks.out")" -ge $((n - 3)) ] || fail "refusals without SQLSTATE 42501"
echo "$n refusals checked"

# what it needs, it has: a day's comp sets are replaced whole
psql -X -q -v ON_ERROR_STOP=1 -c "BEGIN; DELETE FROM external.competitive_sets WHERE computed_on = current_date; ROLLBACK" ||
	fail "mi_pipeline cannot replace a day's competitive sets"
exit 0
