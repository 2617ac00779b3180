#!/bin/sh
# The lead desk on the demo market after mi-run nightly (fixtures/demo over loopback
# HTTP): PUNAHELE HOLDINGS LLC's Kihei condos are one lead; eight agents calling
# `next` at the same instant get eight different owners; the agents log calls,
# move stages, set follow-ups, snooze, hand over, release, mark an owner
# do-not-contact and suppress another by mailing address; then a second nightly run
# leaves every claim, stage, follow-up and note as it was; the report shows the
# owners with their claims, agents, follow-ups and mailing addresses, the top lead
# with its card and the same comp-set ADR string in its row and card; the export
# leaves the do-not-contact and suppressed owners out.
. tests/lib.sh
. tests/run-lib.sh
. tests/desk-lib.sh

run_world
fresh_db
# the scrapes of the weeks before, as make demo loads them: booked nights, ADR, projections
demo_history "$t_tmp/www" "$t_tmp/history" demo-history >/dev/null 2>"$t_tmp/err" ||
	fail "loading the calendar history: $(cat "$t_tmp/err")"
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "nightly run exited $rc"; }
leads() { "$MI_BIN/mi-leads" --config "$t_tmp/config/leads.ini" "$@"; }
q() { psql -XAtc "$1"; }

# PUNAHELE HOLDINGS LLC: one owner, one lead, its three condos
[ "$(q "select count(*) from homeowner_acquisition.prospects where owner_key = 'PUNAHELE HOLDINGS LLC'")" = 1 ] ||
	fail "PUNAHELE HOLDINGS LLC is more than one prospect"
PUNA=$(q "select prospect_id from homeowner_acquisition.prospects where owner_key = 'PUNAHELE HOLDINGS LLC'")
[ "$(q "select string_agg(tmk, ' ' order by tmk) from homeowner_acquisition.prospect_properties
        where prospect_id = $PUNA")" = "2390010110104 2390010110105 2390010110206" ] || fail "PUNAHELE's properties"
leads queue --limit 100 >"$t_tmp/queue" || fail "queue"
[ "$(grep -c '^[0-9]*\. lead .*PUNAHELE HOLDINGS LLC' "$t_tmp/queue")" = 1 ] || fail "PUNAHELE is not one line of the queue: $(cat "$t_tmp/queue")"
grep -A1 "lead $PUNA .*PUNAHELE" "$t_tmp/queue" | grep -q "owns 3 units at 2191 S KIHEI RD" ||
	fail "the multi-parcel reason: $(cat "$t_tmp/queue")"
waiting=$(q "select count(*) from homeowner_acquisition.lead_queue")
[ "$waiting" -ge 8 ] || fail "only $waiting owners wait"

# eight agents at once: eight different owners, every property of an owner with it
race_next 8 "$t_tmp/race" --config "$t_tmp/config/leads.ini"
[ $race_got = 8 ] || fail "$race_got of 8 agents got a lead: $(cat "$t_tmp"/race/err.*)"
[ "$(cat "$t_tmp"/race/out.* | grep '^lead ' | cut -d' ' -f2 | sort -u | wc -l)" = 8 ] ||
	fail "two agents got the same owner: $(grep -h '^lead ' "$t_tmp"/race/out.*)"
[ "$(q "select count(distinct assigned_to) || ' ' || count(distinct owner_key) || ' ' || count(*)
        from homeowner_acquisition.prospects where claim_expires_at > now()")" = "8 8 8" ] ||
	fail "claims are not eight agents on eight owners"
n=$(q "select count(*) from (select pr.owner_key from homeowner_acquisition.prospects pr
        where pr.claim_expires_at > now() group by pr.owner_key having count(distinct pr.assigned_to) > 1) x")
[ "$n" = 0 ] || fail "$n owners are held by two agents"
[ "$(q "select count(*) from homeowner_acquisition.prospects where claim_expires_at > now()
        and assigned_to is distinct from (select performed_by from homeowner_acquisition.lead_activities a
        where a.prospect_id = prospects.prospect_id and a.activity_type = 'claim'
        order by a.lead_activity_id desc limit 1)")" = 0 ] || fail "a claim is not logged for its agent"

# the desk at work on the agents' leads: PUNAHELE's agent works it; five other
# claimed leads are logged, snoozed, handed over, released and marked do-not-contact
agent_of() { q "select assigned_to from homeowner_acquisition.prospects where prospect_id = $1"; }
set -- $(q "select lead_id from homeowner_acquisition.lead_board where claim_state = 'claimed'
            and lead_id <> $PUNA order by queue_score, lead_id limit 5")
[ $# = 5 ] || fail "fewer than five other claimed leads"
A1=$PUNA A2=$1 A3=$2 A4=$3 A5=$4 A6=$5
G1=$(agent_of "$A1") G2=$(agent_of "$A2") G3=$(agent_of "$A3") G4=$(agent_of "$A4") G5=$(agent_of "$A5")
today=$(q "select current_date")
leads log "$A1" --agent "$G1" --channel call --outcome connected --note "owner wants the numbers" \
	--follow-up "$today" >/dev/null || fail "log 1"
leads status "$A1" meeting --agent "$G1" --reason "site visit set" >/dev/null || fail "status 1"
leads log "$A2" --agent "$G2" --channel letter --note "intro letter sent" >/dev/null || fail "log 2"
leads snooze "$A3" --agent "$G3" --until "$(q "select current_date + 14")" --note "owner abroad" >/dev/null ||
	fail "snooze 3"
leads assign "$A4" --agent "$G4" --to "$G1" --note "$G1 knows the building" >/dev/null || fail "assign 4"
leads release "$A5" --agent "$G5" --reason "conflict of interest" >/dev/null || fail "release 5"
leads dnc "$A6" --agent agent9 --reason "asked on the phone" >/dev/null || fail "dnc 6"
leads log "$A2" --agent "$G1" --channel call >/dev/null 2>&1; [ $? -eq 67 ] || fail "acting on another's claim"
leads status "$A1" won --agent "$G1" >/dev/null 2>&1; [ $? -eq 67 ] || fail "an illegal move went through"
# an owner on the suppression list by its mailing address alone (a waiting one)
S=$(q "select lead_id from homeowner_acquisition.lead_queue order by queue_score desc, lead_id limit 1")
q "select 'address,city,state,zip' union all select '\"' || mailing_address || '\",' || mailing_city || ',' ||
          mailing_state || ',' || mailing_zip from homeowner_acquisition.prospects where prospect_id = $S" \
	>"$t_tmp/suppress.csv"
leads suppress "$t_tmp/suppress.csv" --agent agent9 >/dev/null 2>&1 || fail "suppress"
[ "$(q "select suppression_id is not null from homeowner_acquisition.lead_board where lead_id = $S")" = t ] ||
	fail "the owner listed by address is not suppressed"
leads mine --agent "$G1" >"$t_tmp/mine" || fail "mine"
sed -n 2p "$t_tmp/mine" | grep -q "^1\. FOLLOW-UP DUE $today  meeting  lead $A1 " || fail "mine: $(cat "$t_tmp/mine")"

# the nightly run again: every claim, stage, follow-up and note as it was
desk_state() {
	q "select prospect_id, status, assigned_to, claimed_at, claim_expires_at, follow_up_on, snoozed_until,
	          closed_reason, do_not_contact, do_not_contact_reason, last_touched_at, notes, signal_since_lost_at
	     from homeowner_acquisition.prospects order by 1"
	q "select lead_activity_id, prospect_id, activity_type, performed_by, outcome, subject, body, follow_up_on,
	          stage_from, stage_to, handed_to
	     from homeowner_acquisition.lead_activities where activity_type <> 'signal' order by 1"
	q "select * from etl.lead_suppressions order by 1"
}
desk_state >"$t_tmp/desk.1"
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "second nightly run exited $rc"; }
desk_state >"$t_tmp/desk.2"
diff "$t_tmp/desk.1" "$t_tmp/desk.2" >&2 || fail "the nightly run changed the desk"

# the report: owners, claims, agents, follow-ups, mailing addresses; the top lead's card
"$MI_BIN/mi-report" --out "$t_tmp/report.html" >/dev/null 2>"$t_tmp/err" || fail "mi-report: $(cat "$t_tmp/err")"
r="$t_tmp/report.html"
[ "$(grep -c 'PUNAHELE HOLDINGS LLC</b>' "$r")" = 1 ] || fail "PUNAHELE is not one row of the report"
grep "<tr id=\"lead-$PUNA\">" "$r" | grep -q "1050 BISHOP ST STE 400<br>HONOLULU HI 96813" ||
	fail "PUNAHELE's mailing address in USPS form"
grep "<tr id=\"lead-$A1\">" "$r" | grep -q "claimed by <b>$G1</b>" || fail "the agent holding lead $A1"
grep "<tr id=\"lead-$A1\">" "$r" | grep -q "follow-up due $today" || fail "the follow-up due on lead $A1"
grep -q "<h2>Follow-ups due</h2>" "$r" || fail "no follow-ups section"
grep "<tr id=\"lead-$A6\">\|<tr id=\"lead-$S\">\|<tr id=\"lead-$A3\">" "$r" && fail "a do-not-contact, suppressed or snoozed owner is in the report"
top=$(grep -o '<tr id="lead-[0-9]*"><td class="num">1</td>' "$r" | sed 's/.*lead-\([0-9]*\).*/\1/')
grep -q "<div class=\"card\" id=\"card-$top\">" "$r" || fail "the top lead has no card"
# every card's comp-set ADR is its row's, and the top lead has one
n=0
for id in $(grep -o '<div class="card" id="card-[0-9]*">' "$r" | sed 's/.*card-\([0-9]*\).*/\1/'); do
	row_adr=$(grep "<tr id=\"lead-$id\">" "$r" | grep -o 'comp set ADR \$[0-9,]*\.[0-9][0-9]' | head -n 1)
	card_adr=$(grep "<div class=\"card\" id=\"card-$id\">" "$r" | grep -o 'comp set ADR \$[0-9,]*\.[0-9][0-9]' | head -n 1)
	[ "$row_adr" = "$card_adr" ] || fail "lead $id: its row says '$row_adr', its card '$card_adr'"
	[ -n "$row_adr" ] && n=$((n + 1))
done
[ $n -ge 2 ] || fail "only $n cards have comp-set figures"
grep "<tr id=\"lead-$top\">" "$r" | grep -q 'comp set ADR \$' || fail "the top lead has no comp-set figures"

# the export: neither the do-not-contact nor the suppressed owner
leads export >"$t_tmp/export.csv" 2>/dev/null || fail "export"
for l in "$A6" "$S"; do
	grep -q "^$l," "$t_tmp/export.csv" && fail "lead $l was exported"
done
grep -q "^$PUNA,PUNAHELE HOLDINGS LLC,,1050 BISHOP ST,STE 400,HONOLULU,HI,96813,," "$t_tmp/export.csv" ||
	fail "PUNAHELE's export row: $(grep PUNAHELE "$t_tmp/export.csv")"
exit 0
