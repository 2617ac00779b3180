#!/bin/sh
# The roles of config/ops/db-role.sql and the lead desk: an agent (mi_sales) works
# the queue through the desk functions only (next, log, status, show, mine,
# export, suppress succeed; writing a claim, a stage, an activity, a contract, an
# onboarding task or is_ours by hand is denied); the pipeline (mi_pipeline) scores
# leads but holds no desk power (claim_next_lead, the other actions, signing and
# ending contracts are denied); nobody else may call them; the same for
# the proposal actions.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
psql -X -q -v ON_ERROR_STOP=1 -f config/ops/db-role.sql >/dev/null 2>"$t_tmp/err" ||
	fail "db-role.sql: $(cat "$t_tmp/err")"
as() { # role, mi-leads args...
	_r=$1
	shift
	PGOPTIONS="-c role=$_r" "$MI_BIN/mi-leads" --config config/leads.ini "$@"
}
sql_as() { PGOPTIONS="-c role=$1" psql -X -A -t -v ON_ERROR_STOP=1 -c "$2"; }
q() { psql -XAtc "$1"; }

# the pipeline scores
as mi_pipeline score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" || fail "score as mi_pipeline: $(cat "$t_tmp/err")"
N=$(q "select prospect_id from homeowner_acquisition.prospects where owner_key = 'NAKAMURA DAVID K'")

# ... but holds no desk power
for call in "claim_next_lead('pipeline')" "release_lead($N, 'x', 'y')" "assign_lead($N, 'x', 'x')" \
	"log_lead_activity($N, 'x', 'call')" "set_lead_stage($N, 'x', 'contacted')" \
	"snooze_lead($N, 'x', current_date + 1)" "mark_do_not_contact($N, 'x')" \
	"record_assessment($N, 'x', 'good')" \
	"add_lead_suppression('x', 'SMITH JOHN', null, null, null, null, null, 'f')" \
	"sign_contract(1, 'x')" "terminate_contract(1, 'x', 'y')" "complete_onboarding_task(1, 'X', 'x')"; do
	sql_as mi_pipeline "SELECT homeowner_acquisition.$call" >/dev/null 2>"$t_tmp/err" &&
		fail "mi_pipeline may call $call"
	grep -q "permission denied for function" "$t_tmp/err" || fail "$call as mi_pipeline: $(cat "$t_tmp/err")"
done
as mi_pipeline next --agent pipeline >/dev/null 2>"$t_tmp/err"
[ $? -eq 76 ] || fail "mi-leads next as mi_pipeline should fail on permissions"
grep -q "permission denied for function claim_next_lead" "$t_tmp/err" || fail "$(cat "$t_tmp/err")"
# nor may any other role (EXECUTE is revoked from PUBLIC)
sql_as mi_reader "SELECT homeowner_acquisition.claim_next_lead('reader')" >/dev/null 2>&1 &&
	fail "mi_reader may claim"

# an agent works the queue through the functions
as mi_sales next --agent kalani >"$t_tmp/out" 2>"$t_tmp/err" || fail "next as mi_sales: $(cat "$t_tmp/err")"
grep -q "^lead $N  stage new  claimed by kalani" "$t_tmp/out" || fail "next: $(cat "$t_tmp/out")"
as mi_sales log "$N" --agent kalani --channel call --outcome connected --note "hi" >/dev/null 2>"$t_tmp/err" ||
	fail "log as mi_sales: $(cat "$t_tmp/err")"
as mi_sales status "$N" meeting --agent kalani >/dev/null 2>"$t_tmp/err" || fail "status as mi_sales: $(cat "$t_tmp/err")"
as mi_sales assess "$N" --agent kalani --condition fair --score 5 --capex 9000 >/dev/null 2>"$t_tmp/err" ||
	fail "assess as mi_sales: $(cat "$t_tmp/err")"
as mi_sales show "$N" >"$t_tmp/out" 2>"$t_tmp/err" || fail "show as mi_sales: $(cat "$t_tmp/err")"
grep -q "^condition fair 5/10, capex \$9,000 (site visit by kalani " "$t_tmp/out" ||
	fail "show after assess as mi_sales: $(cat "$t_tmp/out")"
as mi_sales mine --agent kalani >/dev/null 2>"$t_tmp/err" || fail "mine as mi_sales: $(cat "$t_tmp/err")"
as mi_sales queue >/dev/null 2>"$t_tmp/err" || fail "queue as mi_sales: $(cat "$t_tmp/err")"
as mi_sales export >/dev/null 2>"$t_tmp/err" || fail "export as mi_sales: $(cat "$t_tmp/err")"
as mi_sales suppress fixtures/leads/mail/suppress.csv --agent kalani >/dev/null 2>"$t_tmp/err" ||
	fail "suppress as mi_sales: $(cat "$t_tmp/err")"
# ... and the rules still hold for it
as mi_sales log "$N" --agent noe --channel call >/dev/null 2>&1
[ $? -eq 67 ] || fail "mi_sales acting on another agent's claim"

# the desk's columns and the log are not the agent's to write
for stmt in "UPDATE homeowner_acquisition.prospects SET assigned_to = 'noe' WHERE prospect_id = $N" \
	"UPDATE homeowner_acquisition.prospects SET status = 'proposal' WHERE prospect_id = $N" \
	"UPDATE homeowner_acquisition.prospects SET claim_expires_at = now() + interval '1 year' WHERE prospect_id = $N" \
	"INSERT INTO homeowner_acquisition.lead_activities (prospect_id, activity_type, performed_by) VALUES ($N, 'call', 'noe')" \
	"DELETE FROM homeowner_acquisition.lead_activities WHERE prospect_id = $N" \
	"DELETE FROM etl.lead_suppressions" \
	"INSERT INTO homeowner_acquisition.contracts (contract_number, prospect_id, tmk, status, management_fee_pct)
	 SELECT 'C-HAND', prospect_id, tmk, 'active', 20 FROM homeowner_acquisition.prospect_properties LIMIT 1" \
	"UPDATE homeowner_acquisition.contracts SET status = 'terminated'" \
	"UPDATE homeowner_acquisition.onboarding_progress SET status = 'done'" \
	"UPDATE homeowner_acquisition.proposals SET status = 'accepted'" \
	"UPDATE homeowner_acquisition.proposal_versions SET management_fee_pct = 1" \
	"INSERT INTO homeowner_acquisition.property_assessments (tmk, assessment_type, assessed_by, overall_condition)
	 SELECT tmk, 'site_visit', 'noe', 'excellent' FROM homeowner_acquisition.prospect_properties LIMIT 1" \
	"UPDATE external.properties SET is_ours = true"; do
	sql_as mi_sales "$stmt" >/dev/null 2>"$t_tmp/err" && fail "mi_sales may: $stmt"
	grep -q "permission denied" "$t_tmp/err" || fail "$stmt: $(cat "$t_tmp/err")"
done
# an owner's contact details are
sql_as mi_sales "UPDATE homeowner_acquisition.prospects SET phone = '808-555-0100' WHERE prospect_id = $N" \
	>/dev/null 2>"$t_tmp/err" || fail "mi_sales may not note a phone number: $(cat "$t_tmp/err")"

# the proposal actions (sql/076) are the agents' too: granted to mi_sales (a call
# reaches the function's own refusal), denied to the pipeline and to readers
for call in "draft_proposal($N, 'x', '{\"management_fee_pct\": 20}')" "revise_proposal(999999, 'x', '{}')" \
	"send_proposal(999999, 'x')" "accept_proposal(999999, 'x')" "decline_proposal(999999, 'x', 'y')"; do
	for role in mi_pipeline mi_reader; do
		sql_as $role "SELECT homeowner_acquisition.$call" >/dev/null 2>"$t_tmp/err" && fail "$role may call $call"
		grep -q "permission denied for function" "$t_tmp/err" || fail "$call as $role: $(cat "$t_tmp/err")"
	done
	sql_as mi_sales "SELECT homeowner_acquisition.$call" >/dev/null 2>"$t_tmp/err" && fail "$call succeeded"
	grep -q "permission denied" "$t_tmp/err" && fail "mi_sales may not call $call: $(cat "$t_tmp/err")"
done
as mi_sales proposal show 999999 >/dev/null 2>"$t_tmp/err"
[ $? -eq 66 ] || fail "proposal show as mi_sales: $(cat "$t_tmp/err")"
exit 0
