#!/bin/sh
# Contracts on their dates (homeowner_acquisition.advance_contracts, the nightly
# run's part): a contract signed to start in a month is signed, not ours, its
# property already out of the lead; it starts (active, ours) on its start date and
# not a day before; a term that does not renew expires on its end date (the
# property back on the market, the lead lost, the open tasks skipped); one that
# renews moves its end on by a term; a second look on the same date changes
# nothing.  Several properties of one owner signed at once: one contract each; a
# property that is not the owner's is refused.  On the leads fixture (t08xx).
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
"$MI_BIN/mi-leads" score --config config/leads.ini --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
	fail "score: $(cat "$t_tmp/err")"
q() { psql -XAtc "$1"; }
qerr() { psql -XAt -v ON_ERROR_STOP=1 -c "$1" 2>&1 >/dev/null; }
adv() { q "select string_agg(item || '=' || n, ' ' order by item) from homeowner_acquisition.advance_contracts('$1', '{}')"; }

# an accepted proposal for lead $1's property $2, version terms $3; prints its id
proposal() {
	q "update homeowner_acquisition.prospects set status = 'contacted' where prospect_id = $1 and status = 'new'" >/dev/null
	q "update homeowner_acquisition.prospects set status = 'proposal' where prospect_id = $1 and status = 'contacted'" >/dev/null
	q "with p as (insert into homeowner_acquisition.proposals (proposal_number, prospect_id, tmk, status,
	        current_version_no, prepared_by, sent_at, decided_at)
	      values ('P-$1-$2', $1, '$2', 'accepted', 1, 'kalani', now(), now()) returning proposal_id),
	    v as (insert into homeowner_acquisition.proposal_versions (proposal_id, version_no, management_fee_pct,
	        contract_term_months, terms, created_by)
	      select proposal_id, 1, 20, 12, '$3', 'kalani' from p returning proposal_id)
	  select proposal_id from v"
}

# the Kaanapali condo (one property), a term that does not renew, a start in a month
A=$(q "select prospect_id from homeowner_acquisition.prospect_properties where tmk = '2440130040203'")
TA=2440130040203
PA=$(proposal "$A" "$TA" '{"auto_renew": false}')
start=$(q "select current_date + 30")
q "select contract_number from homeowner_acquisition.sign_contract($PA, 'kalani', '$start')" >/dev/null ||
	fail "signing"
CA=$(q "select contract_id from homeowner_acquisition.contracts where proposal_id = $PA")
end=$(q "select end_date from homeowner_acquisition.contracts where contract_id = $CA")
[ "$end" = "$(date -u -d "$start + 12 months" +%Y-%m-%d)" ] || fail "end date $end"
[ "$(q "select status || ' ' || auto_renew from homeowner_acquisition.contracts where contract_id = $CA")" = "signed false" ] ||
	fail "a contract starting later is not signed, or renews"
[ "$(q "select is_ours from external.properties where tmk = '$TA'")" = f ] || fail "ours before the start"
[ "$(q "select count(*) from homeowner_acquisition.contracted_properties where tmk = '$TA'")" = 0 ] ||
	fail "contracted before the start"
[ "$(q "select count(*) from homeowner_acquisition.lead_board where best_tmk = '$TA'")" = 0 ] ||
	fail "the property is still on the board"
[ "$(q "select min(due_on) from homeowner_acquisition.onboarding_progress where contract_id = $CA")" = "$start" ] ||
	fail "due dates do not count from the start"

# the day before the start nothing happens; on the start, it is ours
[ "$(adv "$(date -u -d "$start - 1 day" +%Y-%m-%d)")" = \
	"contracts_expired=0 contracts_renewed=0 contracts_started=0 onboarding_tasks_done=0 properties_made_ours=0" ] ||
	fail "the day before the start"
[ "$(adv "$start")" = \
	"contracts_expired=0 contracts_renewed=0 contracts_started=1 onboarding_tasks_done=0 properties_made_ours=0" ] ||
	fail "the start"
[ "$(q "select c.status || ' ' || p.is_ours from homeowner_acquisition.contracts c join external.properties p using (tmk)
        where c.contract_id = $CA")" = "active true" ] || fail "not active and ours on its start"
[ "$(adv "$start")" = \
	"contracts_expired=0 contracts_renewed=0 contracts_started=0 onboarding_tasks_done=0 properties_made_ours=0" ] ||
	fail "a second look on the start date"

# the Kihei condos of one owner, signed together, renewing; a stranger's property refused
K=$(q "select prospect_id from homeowner_acquisition.prospects where owner_key = 'KAPOI FAMILY TRUST'")
PK=$(proposal "$K" 2390010110104 '{}')
err=$(qerr "select * from homeowner_acquisition.sign_contract($PK, 'kalani', p_tmks => '{$TA}')")
case $err in *"property $TA is not one of lead $K's"*) ;; *) fail "a stranger's property: $err" ;; esac
q "select * from homeowner_acquisition.sign_contract($PK, 'kalani', p_tmks => '{2390010110105}', p_number => 'c-kapoi')" \
	>/dev/null || fail "signing two properties"
[ "$(q "select string_agg(contract_number || ':' || tmk || ':' || status, ' ' order by tmk)
        from homeowner_acquisition.contracts where proposal_id = $PK")" = \
	"C-KAPOI-1:2390010110104:active C-KAPOI-2:2390010110105:active" ] || fail "the two contracts"
[ "$(q "select status from homeowner_acquisition.prospect_properties where tmk = '2390010110206'")" = new ] ||
	fail "the owner's unsigned condo left the lead"
err=$(qerr "select * from homeowner_acquisition.sign_contract($PK, 'kalani')")
case $err in *"was signed already"*) ;; *) fail "signing twice: $err" ;; esac
kend=$(q "select end_date from homeowner_acquisition.contracts where contract_number = 'C-KAPOI-1'")

# a year later: the Kihei ones renew by a term (first), the first expires
[ "$(adv "$kend")" = \
	"contracts_expired=0 contracts_renewed=2 contracts_started=0 onboarding_tasks_done=0 properties_made_ours=0" ] ||
	fail "the renewal"
[ "$(q "select string_agg(distinct end_date::text, ' ') from homeowner_acquisition.contracts where proposal_id = $PK")" = \
	"$(date -u -d "$kend + 12 months" +%Y-%m-%d)" ] || fail "renewed to the wrong date"
[ "$(q "select count(*) from homeowner_acquisition.contracted_properties where tmk like '239001011010%'")" = 2 ] ||
	fail "the renewing contracts are not in force"
[ "$(adv "$end")" = \
	"contracts_expired=1 contracts_renewed=0 contracts_started=0 onboarding_tasks_done=0 properties_made_ours=0" ] ||
	fail "the end date"
[ "$(q "select status || ' ' || termination_reason || ' ' || ended_by from homeowner_acquisition.contracts
        where contract_id = $CA")" = "expired term ended mi-leads" ] || fail "the expiry"
[ "$(q "select is_ours from external.properties where tmk = '$TA'")" = f ] || fail "still ours after the expiry"
[ "$(q "select status from homeowner_acquisition.prospect_properties where tmk = '$TA' and prospect_id = $A")" = new ] ||
	fail "the property is not back in its lead"
[ "$(q "select status from homeowner_acquisition.prospects where prospect_id = $A")" = lost ] || fail "the lead is not lost"
[ "$(q "select count(*) from homeowner_acquisition.onboarding_progress where contract_id = $CA and status <> 'skipped'")" = 0 ] ||
	fail "open tasks of an expired contract"
exit 0
