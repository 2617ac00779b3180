#!/bin/sh
# The end of the acquisition loop on the demo market, agents acting as mi_sales
# (config/ops/db-role.sql): Daniel Mahoe's Kaanapali condo, (2) 4-4-001:098-0512, a
# lead with an accepted proposal, is signed (start ten days ago): the property is
# ours, the lead won, out of the queue, the board, next and the export, and its
# onboarding checklist is due from the start; the next mi-run nightly keeps it ours
# although the demo portfolio file does not list it (a comp-set subject as ours,
# no new signal); a fixture night (tomorrow's scrape) in which its listing shows
# up under our manager name with a TAT id and three newly booked nights completes
# those three onboarding tasks with their evidence, and nothing more; overdue
# tasks show in mi-leads show and the report; a terminated contract puts the
# property back on the market (scored again, the lead lost, reopened and queued
# later), the history kept.
#
# The proposal is written here as the schema owner, with its terms as data (the
# proposal functions are another piece of work).
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f config/ops/db-role.sql >"$t_tmp/role.log" 2>&1 ||
	{ cat "$t_tmp/role.log"; fail "db-role.sql failed"; }
demo_history "$t_tmp/www" "$t_tmp/history" demo-history >/dev/null 2>"$t_tmp/err" ||
	fail "loading the calendar history: $(cat "$t_tmp/err")"
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "nightly run exited $rc"; }
leads() { PGOPTIONS="-c role=mi_sales" "$MI_BIN/mi-leads" --config "$t_tmp/config/leads.ini" "$@"; }
q() { psql -XAtc "$1"; }
T=2440010980512
L=$(q "select prospect_id from homeowner_acquisition.prospect_properties where tmk = '$T'")
[ -n "$L" ] || fail "no lead for $T"
[ "$(q "select display_name from homeowner_acquisition.prospects where prospect_id = $L")" = "Daniel Mahoe" ] ||
	fail "the lead of $T is not Daniel Mahoe's"
today=$(q "select current_date")
start=$(q "select current_date - 10")
tomorrow=$(date -u -d "$today + 1 day" +%Y-%m-%d)

# the agent works the lead to a proposal, which the owner accepts
leads claim "$L" --agent kalani >/dev/null || fail "claim"
leads log "$L" --agent kalani --channel meeting --outcome interested --note "wants us from the 1st" >/dev/null ||
	fail "log"
leads status "$L" proposal --agent kalani >/dev/null || fail "status proposal"
P=$(q "with p as (insert into homeowner_acquisition.proposals (proposal_number, prospect_id,
          prospect_property_id, tmk, status, current_version_no, prepared_by, sent_at)
        select 'P-TEST-0001', pp.prospect_id, pp.prospect_property_id, pp.tmk, 'sent', 2, 'kalani', now()
          from homeowner_acquisition.prospect_properties pp where pp.tmk = '$T' returning proposal_id),
      v as (insert into homeowner_acquisition.proposal_versions (proposal_id, version_no, management_fee_pct,
          onboarding_fee, contract_term_months, termination_notice_days, terms, created_by, change_summary)
        select proposal_id, n, fee, 450, 12, 30, jsonb_build_object('linen_program', true,
               'maintenance_markup_pct', 10), 'kalani', note
          from p, (values (1, 22.0, null), (2, 20.0, 'fee 20%')) x(n, fee, note) returning 1)
      select proposal_id from p, (select count(*) from v) c")
[ -n "$P" ] || fail "writing the proposal"

# refusals: a proposal that is not accepted, one that does not exist, another agent
leads contract sign "$P" --agent kalani >"$t_tmp/out" 2>"$t_tmp/err"
[ $? -eq 67 ] || fail "signing a proposal that is only sent"
grep -q "proposal P-TEST-0001 is sent, not accepted" "$t_tmp/err" || fail "$(cat "$t_tmp/err")"
q "update homeowner_acquisition.proposals set status = 'accepted', decided_at = now() where proposal_id = $P" >/dev/null
leads contract sign 999999 --agent kalani >/dev/null 2>&1
[ $? -eq 66 ] || fail "signing no proposal"
leads contract sign "$P" --agent noe >/dev/null 2>&1
[ $? -eq 67 ] || fail "signing a lead another agent holds"
leads contract sign "$P" --agent kalani --term 0 >/dev/null 2>&1
[ $? -eq 64 ] || fail "a term of 0 months"

# signed: ours from the start, the lead won, the checklist due from the start
leads contract sign "$P" --agent kalani --start "$start" --signed-by "Daniel Mahoe" >"$t_tmp/sign" 2>"$t_tmp/err" ||
	fail "sign: $(cat "$t_tmp/err")"
C=$(q "select contract_id from homeowner_acquisition.contracts where proposal_id = $P")
CN=$(q "select contract_number from homeowner_acquisition.contracts where contract_id = $C")
grep -q "^contract $CN  active  Daniel Mahoe  (2) 4-4-001:098-0512" "$t_tmp/sign" || fail "sign said: $(cat "$t_tmp/sign")"
grep -q "^lead $L  stage won  (signed $CN)" "$t_tmp/sign" || fail "sign said: $(cat "$t_tmp/sign")"
[ "$(q "select status || ' ' || start_date || ' ' || end_date || ' ' || term_months || ' ' || management_fee_pct
        || ' ' || termination_notice_days || ' ' || (terms ->> 'onboarding_fee') || ' ' || (terms ->> 'linen_program')
        || ' ' || (terms ->> 'proposal_version') from homeowner_acquisition.contracts where contract_id = $C")" = \
	"active $start $(date -u -d "$start + 12 months" +%Y-%m-%d) 12 20.00 30 450.00 true 2" ] ||
	fail "the contract's terms: $(q "select * from homeowner_acquisition.contracts where contract_id = $C")"
[ "$(q "select is_ours from external.properties where tmk = '$T'")" = t ] || fail "not ours after signing"
[ "$(q "select status from homeowner_acquisition.prospects where prospect_id = $L")" = won ] || fail "the lead is not won"
[ "$(q "select status from homeowner_acquisition.prospect_properties where tmk = '$T'")" = won ] ||
	fail "the property is still open in its lead"
# one task per active template of Maui County (2), due the start + its offset
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress where contract_id = $C")" = \
  "$(q "select count(*) from homeowner_acquisition.onboarding_tasks where is_active and 2 = any (counties)")" ] ||
	fail "the checklist is not one task per template of the county"
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress op
        join homeowner_acquisition.onboarding_tasks t using (task_code)
        where op.contract_id = $C and (op.due_on <> date '$start' + t.due_offset_days or op.status <> 'pending')")" = 0 ] ||
	fail "due dates are not the start + the offsets"
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress
        where contract_id = $C and task_code in ('HONOLULU_STR_REGISTRATION', 'KAUAI_TVR_CERTIFICATE')")" = 0 ] ||
	fail "another county's permit task"
leads contract sign "$P" --agent kalani >/dev/null 2>&1
[ $? -eq 67 ] || fail "a proposal signed twice"

# out of every list: board, queue, next, export
[ "$(q "select count(*) from homeowner_acquisition.lead_board where lead_id = $L or best_tmk = '$T'")" = 0 ] ||
	fail "the signed owner is on the board"
leads queue --limit 100 >"$t_tmp/queue" || fail "queue"
grep -q "Mahoe\|4-4-001:098-0512" "$t_tmp/queue" && fail "the signed owner is in the queue"
leads export --status new,contacted,meeting,proposal,negotiating,nurture,won,lost >"$t_tmp/export.csv" 2>/dev/null ||
	fail "export"
grep -q "Mahoe\|4-4-001:098-0512" "$t_tmp/export.csv" && fail "the signed owner is exported"
i=0
while leads next --agent "drain$i" >"$t_tmp/next" 2>/dev/null; do
	grep -q "^lead $L " "$t_tmp/next" && fail "next handed out the signed owner"
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the queue does not drain"
done
q "update homeowner_acquisition.prospects set claim_expires_at = null, assigned_to = null
    where assigned_to like 'drain%'" >/dev/null

# the next night: still ours (the portfolio file does not list it), a comp-set
# subject as ours, no new signal, the data tasks still open
signals=$(q "select count(*) from homeowner_acquisition.lead_activities where prospect_id = $L and activity_type = 'signal'")
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "second nightly run exited $rc"; }
grep -q "$T" "$t_tmp/config/portfolio.ini" && fail "the demo portfolio lists $T"
[ "$(q "select is_ours from external.properties where tmk = '$T'")" = t ] || fail "the next night undid the contract"
[ "$(q "select count(*) from etl.compset_subjects('{}', '{ours}') where tmk = '$T'")" = 1 ] ||
	fail "not a comp-set subject as ours"
[ "$(q "select count(*) from homeowner_acquisition.lead_activities where prospect_id = $L and activity_type = 'signal'")" = \
	"$signals" ] || fail "the night logged a signal on our property"
[ "$(q "select count(*) from homeowner_acquisition.lead_board where lead_id = $L")" = 0 ] || fail "on the board after the night"
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress where contract_id = $C and status = 'done'")" = 0 ] ||
	fail "a task done before the data showed it"

# overdue tasks: mi-leads show and the report; one done by hand
leads show "$L" >"$t_tmp/show" || fail "show"
grep -q "^  contract $CN  active" "$t_tmp/show" || fail "show has no contract: $(cat "$t_tmp/show")"
grep -q "OVERDUE  SIGNED_AGREEMENT_FILED  *due $start (10 days ago)" "$t_tmp/show" || fail "show: $(cat "$t_tmp/show")"
leads task done "$C" signed_agreement_filed --agent kalani --note "countersigned copy filed" \
	--evidence "file:///srv/contracts/$CN.pdf" >"$t_tmp/out" || fail "task done"
leads task done "$C" SIGNED_AGREEMENT_FILED --agent kalani >/dev/null 2>&1
[ $? -eq 67 ] || fail "a task done twice"
leads task done "$C" NO_SUCH_TASK --agent kalani >/dev/null 2>&1
[ $? -eq 66 ] || fail "no such task"
leads show "$L" >"$t_tmp/show" || fail "show"
grep -q "OVERDUE  SIGNED_AGREEMENT_FILED" "$t_tmp/show" && fail "a done task is overdue"
grep -q "OVERDUE  OWNER_W9_AND_BANKING" "$t_tmp/show" || fail "show: $(cat "$t_tmp/show")"
[ "$(q "select completed_by || ' ' || evidence_uri || ' ' || (evidence ->> 'by') from homeowner_acquisition.onboarding_progress
        where contract_id = $C and task_code = 'SIGNED_AGREEMENT_FILED'")" = "kalani file:///srv/contracts/$CN.pdf hand" ] ||
	fail "the hand task's evidence"
PGOPTIONS="-c role=mi_reader" "$MI_BIN/mi-report" --out "$t_tmp/report.html" >/dev/null 2>"$t_tmp/err" ||
	fail "mi-report: $(cat "$t_tmp/err")"
grep "<tr id=\"contract-$CN\">" "$t_tmp/report.html" | grep -q "OVERDUE: .*OWNER_W9_AND_BANKING (due " ||
	fail "the report's onboarding row: $(grep -A3 Onboarding "$t_tmp/report.html")"

# the fixture night: tomorrow's scrape, the listing under our name, a TAT id on it,
# three nights open today and booked tomorrow
demo_www "$t_tmp/www" "$tomorrow" || fail "cannot prepare tomorrow's world"
sed -i '/^1029384780,/{
s/,70331001,https:\/\/www.airbnb.com\/users\/show\/70331001,Daniel,/,30551876,https:\/\/www.airbnb.com\/users\/show\/30551876,Hale Kai Vacation Management,/
s/,440010980512,t,1,1,0,0,0.33$/,"440010980512, TA-780-460-2140-01",t,4,4,0,0,0.33/
}' "$t_tmp/www/insideairbnb/listings.csv"
grep "^1029384780," "$t_tmp/www/insideairbnb/listings.csv" | grep -q "Hale Kai Vacation Management.*TA-780-460-2140-01" ||
	fail "the fixture listing was not rewritten"
closed=""
for d in $(q "select s.stay_date from external.property_pricing s where s.listing_id = '1029384780'
              and s.snapshot_date = current_date and s.stay_date > current_date + 10 and s.available
              order by s.stay_date limit 3"); do
	sed -i "s/^1029384780,$d,t,/1029384780,$d,f,/" "$t_tmp/www/insideairbnb/calendar.csv"
	closed="$closed $d"
done
[ "$(echo $closed | wc -w)" = 3 ] || fail "three open nights to book: '$closed'"
run_nightly "$t_tmp/a" --date "$tomorrow" ||
	{ rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "the fixture night exited $rc"; }
grep -q "contracts: 0 started, 0 renewed, 0 expired, 0 properties made ours, 3 onboarding tasks done by the data" \
	"$t_tmp/a/work/nightly-$(echo "$tomorrow" | tr -d -)/logs/leads.log" || fail "leads: $(cat "$t_tmp/a/work"/*/logs/leads.log)"
[ "$(q "select string_agg(task_code || ':' || completed_by, ' ' order by task_code) from homeowner_acquisition.onboarding_progress
        where contract_id = $C and status = 'done' and evidence ->> 'by' = 'data'")" = \
	"FIRST_BOOKING:mi-leads LISTING_CREATION:mi-leads LISTING_LICENSE_SHOWN:mi-leads" ] ||
	fail "the data's tasks: $(q "select task_code, status, evidence from homeowner_acquisition.onboarding_progress where contract_id = $C and status = 'done'")"
ev() { q "select evidence ->> '$2' from homeowner_acquisition.onboarding_progress where contract_id = $C and task_code = '$1'"; }
[ "$(ev LISTING_CREATION manager_name) $(ev LISTING_CREATION since) $(ev LISTING_CREATION listings)" = \
	"Hale Kai Vacation Management $tomorrow [\"airbnb:1029384780\"]" ] || fail "LISTING_CREATION's evidence"
[ "$(q "select valid_to from external.property_managers where tmk = '$T' and manager_key = 'DANIEL'")" = "$tomorrow" ] ||
	fail "the manager history does not show the change"
[ "$(ev LISTING_LICENSE_SHOWN tax_ids) $(ev LISTING_LICENSE_SHOWN listing)" = \
	"[\"TA-780-460-2140-01\"] airbnb:1029384780" ] || fail "LISTING_LICENSE_SHOWN's evidence"
for d in $closed; do
	ev FIRST_BOOKING nights | grep -q "\"$d\"" || fail "booked night $d not in the evidence: $(ev FIRST_BOOKING nights)"
done
[ "$(q "select evidence_uri from homeowner_acquisition.onboarding_progress where contract_id = $C and task_code = 'FIRST_BOOKING'")" = \
	"https://www.airbnb.com/rooms/1029384780" ] || fail "the booking's evidence URI"
[ "$(q "select status from homeowner_acquisition.onboarding_progress where contract_id = $C and task_code = 'FIRST_REVIEW'")" = pending ] ||
	fail "the first review without a review"
[ "$(q "select count(*) from homeowner_acquisition.lead_activities where contract_id = $C and activity_type = 'onboarding'
        and performed_by = 'mi-leads'")" = 3 ] || fail "the data's tasks are not logged"
leads contract show "$C" >"$t_tmp/cshow" || fail "contract show"
grep -A1 "\[x\] LISTING_LICENSE_SHOWN" "$t_tmp/cshow" | grep -q "by mi-leads: listing airbnb:1029384780 shows TA-780-460-2140-01" ||
	fail "contract show: $(cat "$t_tmp/cshow")"
# the same night again changes nothing
[ "$(q "select n from homeowner_acquisition.advance_contracts('$tomorrow', '{HALE KAI VACATION MANAGEMENT}')
        where item = 'onboarding_tasks_done'")" = 0 ] || fail "a second look completed tasks again"

# terminated: back on the market, the history kept
acts=$(q "select count(*) from homeowner_acquisition.lead_activities where prospect_id = $L")
leads contract terminate "$C" --agent noe >/dev/null 2>&1
[ $? -eq 64 ] || fail "terminate without a reason"
leads contract terminate "$C" --agent noe --reason "owner selling" >"$t_tmp/term" 2>"$t_tmp/err" ||
	fail "terminate: $(cat "$t_tmp/err")"
grep -q "(2) 4-4-001:098-0512 is back on the market" "$t_tmp/term" || fail "terminate said: $(cat "$t_tmp/term")"
grep -q "^lead $L  stage lost  (contract $CN terminated: owner selling)" "$t_tmp/term" || fail "terminate said: $(cat "$t_tmp/term")"
[ "$(q "select status || ' ' || terminated_on || ' ' || ended_by from homeowner_acquisition.contracts where contract_id = $C")" = \
	"terminated $today noe" ] || fail "the contract row"
[ "$(q "select is_ours from external.properties where tmk = '$T'")" = f ] || fail "still ours"
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress where contract_id = $C and status = 'pending'")" = 0 ] ||
	fail "open tasks of a terminated contract"
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress where contract_id = $C and status = 'done'")" = 4 ] ||
	fail "the done tasks were touched"
[ "$(q "select count(*) from homeowner_acquisition.lead_activities where prospect_id = $L")" -gt "$acts" ] || fail "no activity"
leads contract terminate "$C" --agent noe --reason again >/dev/null 2>&1
[ $? -eq 67 ] || fail "terminating twice"
leads contract list >"$t_tmp/list" || fail "list"
grep -q "^0 contracts in force" "$t_tmp/list" || fail "list: $(cat "$t_tmp/list")"
run_nightly "$t_tmp/a" --date "$tomorrow" ||
	{ rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "the night after the termination exited $rc"; }
[ "$(q "select is_ours from external.properties where tmk = '$T'")" = f ] || fail "ours again after the night"
[ "$(q "select stage || ' ' || best_tmk || ' ' || waiting from homeowner_acquisition.lead_board where lead_id = $L")" = \
	"lost $T false" ] || fail "the board: $(q "select * from homeowner_acquisition.lead_board where lead_id = $L")"
[ "$(q "select count(*) from homeowner_acquisition.property_assessments where tmk = '$T' and assessed_on = '$tomorrow'")" = 1 ] ||
	fail "the property was not scored again"
# reopened and released, the owner waits in the queue again
leads status "$L" contacted --agent noe --reason "owner kept the unit" >/dev/null || fail "reopen"
leads release "$L" --agent noe --reason "for the Maui desk" >/dev/null || fail "release"
leads queue --limit 100 | grep -q "^[0-9]*\. lead $L " || fail "the owner is not back in the queue"
exit 0
