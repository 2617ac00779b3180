#!/bin/sh
# The lead desk on fixtures/leads/market.sql: every agent action's effect and its
# refusals (acting on another agent's claim, a claim that lapsed, an illegal stage
# move, a missing reason, a bad value, a do-not-contact or lost lead), each action
# logged as an activity, a follow-up due today first in `mine`, do-not-contact for
# good across the owner's leads, and the nightly scoring respecting all of it: no
# claim, stage or note changes; a strong new signal on a lost lead is logged and
# flags it, the lead stays lost.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }
q() { psql -XAtc "$1"; }
leads score --as-of 2026-11-20 >/dev/null || fail "score"
lead_of() { q "select prospect_id from homeowner_acquisition.prospects where owner_key = '$1'"; }
N=$(lead_of 'NAKAMURA DAVID K')
K=$(lead_of 'KAPOI FAMILY TRUST')
L=$(lead_of 'LEE SUSAN')
P=$(lead_of 'PACIFIC SHORES HOLDINGS')
today=$(q "select current_date")
tomorrow=$(q "select current_date + 1")
# expect CODE ERRTEXT CMD...: the command exits CODE and says ERRTEXT on stderr
expect() {
	_code=$1 _text=$2
	shift 2
	"$@" >"$t_tmp/out" 2>"$t_tmp/err"
	_rc=$?
	[ $_rc -eq "$_code" ] || fail "$*: exit $_rc, want $_code: $(cat "$t_tmp/out" "$t_tmp/err")"
	grep -q -- "$_text" "$t_tmp/err" || fail "$*: no '$_text' in: $(cat "$t_tmp/err")"
}
acts() { q "select count(*) from homeowner_acquisition.lead_activities where prospect_id = $1 and activity_type = '$2'"; }
desk_state() {
	q "select prospect_id, status, assigned_to, claimed_at, claim_expires_at, follow_up_on, snoozed_until,
	          closed_reason, do_not_contact, last_touched_at, notes
	     from homeowner_acquisition.prospects order by 1"
	q "select lead_activity_id, prospect_id, activity_type, performed_by, outcome, subject, body,
	          follow_up_on, stage_from, stage_to, handed_to
	     from homeowner_acquisition.lead_activities where activity_type <> 'signal' order by 1"
}

# claim by name; another agent may not act on it
leads claim "$N" --agent kalani >"$t_tmp/out" || fail "claim: $(cat "$t_tmp/out")"
grep -q "^lead $N  stage new  claimed by kalani until" "$t_tmp/out" || fail "claim: $(cat "$t_tmp/out")"
[ "$(acts "$N" claim)" = 1 ] || fail "the claim is not logged"
expect 67 "lead $N is claimed by kalani until" leads log "$N" --agent noe --channel call
expect 67 "lead $N is claimed by kalani" leads claim "$N" --agent noe

# log: the first contact moves the lead on, the follow-up and the note are kept
leads log "$N" --agent kalani --channel call --outcome connected \
	--note "wants numbers for the unit, call back" --follow-up "$tomorrow" >"$t_tmp/out" ||
	fail "log: $(cat "$t_tmp/out")"
grep -q "^lead $N  stage contacted  claimed by kalani until .*  follow-up $tomorrow$" "$t_tmp/out" ||
	fail "log state: $(cat "$t_tmp/out")"
[ "$(q "select activity_type || ' ' || direction || ' ' || outcome || ' ' || follow_up_on || ' ' || body
        from homeowner_acquisition.lead_activities where prospect_id = $N and activity_type = 'call'")" = \
	"call outbound connected $tomorrow wants numbers for the unit, call back" ] || fail "the call row"
[ "$(q "select stage_from || '>' || stage_to from homeowner_acquisition.lead_activities
        where prospect_id = $N and activity_type = 'status_change'")" = "new>contacted" ] || fail "first contact move"
# the touch holds the claim past the follow-up
[ "$(q "select claim_expires_at > (current_date + 1 + 13)::timestamptz from homeowner_acquisition.prospects
        where prospect_id = $N")" = t ] || fail "the touched claim does not hold past the follow-up"
expect 64 'unknown channel "teleport"' leads log "$N" --agent kalani --channel teleport
expect 64 'unknown outcome "maybe"' leads log "$N" --agent kalani --channel call --outcome maybe
expect 64 "follow-up date 2020-01-01 is in the past" leads log "$N" --agent kalani --channel call --follow-up 2020-01-01
expect 64 "a note needs its text" leads log "$N" --agent kalani --channel note
expect 64 "lead $N has no property 2440080120000" leads log "$N" --agent kalani --channel call --tmk "(2) 4-4-008:012"
expect 64 "needs --channel" leads log "$N" --agent kalani
expect 64 "is not an option of this command" leads log "$N" --agent kalani --channel call --until 2030-01-01

# status: the stage machine, enforced by the database
expect 67 "cannot move lead $N from contacted to won" leads status "$N" won --agent kalani
grep -q "from contacted a lead can move to: meeting, proposal, nurture, lost, do_not_contact" "$t_tmp/err" ||
	fail "the refusal does not list the legal moves: $(cat "$t_tmp/err")"
expect 67 "moving lead $N to lost needs a reason" leads status "$N" lost --agent kalani
expect 64 'unknown stage "engaged"' leads status "$N" engaged --agent kalani
expect 67 "lead $N is already at contacted" leads status "$N" contacted --agent kalani
leads status "$N" meeting --agent kalani --reason "site visit on Tuesday" >"$t_tmp/out" || fail "status: $(cat "$t_tmp/out")"
grep -q "^lead $N  stage meeting  claimed by kalani" "$t_tmp/out" || fail "status: $(cat "$t_tmp/out")"
[ "$(acts "$N" status_change)" = 2 ] || fail "every move is an activity"

# a follow-up due today comes first in mine, before a better lead
leads claim "$K" --agent kalani >/dev/null || fail "claim K"
leads log "$K" --agent kalani --channel email --note "sent the rental estimate" --follow-up "$today" >/dev/null ||
	fail "log K"
leads mine --agent kalani >"$t_tmp/mine" || fail "mine"
head -n 1 "$t_tmp/mine" | grep -q "^kalani: 2 leads, 1 follow-up due$" || fail "mine: $(cat "$t_tmp/mine")"
sed -n 2p "$t_tmp/mine" | grep -q "^1\. FOLLOW-UP DUE $today  contacted  lead $K  score 15.00 .*KAPOI FAMILY TRUST" ||
	fail "the due follow-up is not first: $(cat "$t_tmp/mine")"
grep -q "^2\. follow-up $tomorrow  meeting  lead $N  score 81.00" "$t_tmp/mine" || fail "mine: $(cat "$t_tmp/mine")"
# a contact on the due date does the follow-up
leads log "$K" --agent kalani --channel call --outcome left_message >/dev/null || fail "second log K"
[ -z "$(q "select follow_up_on from homeowner_acquisition.prospects where prospect_id = $K")" ] ||
	fail "the follow-up done on its day is still set"

# assign: a hand-over; the giver no longer holds it
leads assign "$K" --agent kalani --to noe --note "you know the Kapoi family" >"$t_tmp/out" ||
	fail "assign: $(cat "$t_tmp/out")"
grep -q "^lead $K  stage contacted  claimed by noe until" "$t_tmp/out" || fail "assign: $(cat "$t_tmp/out")"
[ "$(q "select performed_by || '>' || handed_to from homeowner_acquisition.lead_activities
        where prospect_id = $K and activity_type = 'assign'")" = "kalani>noe" ] || fail "the hand-over row"
expect 67 "lead $K is claimed by noe" leads log "$K" --agent kalani --channel call
expect 64 "needs --to AGENT" leads assign "$K" --agent noe

# release: back to the queue, with a reason
expect 64 "needs --reason" leads release "$K" --agent noe
leads release "$K" --agent noe --reason "not my island this month" >"$t_tmp/out" || fail "release"
grep -q "^lead $K  stage contacted  in no agent's hands" "$t_tmp/out" || fail "release: $(cat "$t_tmp/out")"
q "select body from homeowner_acquisition.lead_activities where prospect_id = $K and activity_type = 'release'" |
	grep -qx "not my island this month" || fail "the release reason"
leads queue >"$t_tmp/queue" || fail "queue"
grep -q "lead $K  score 15.00" "$t_tmp/queue" || fail "the released lead is not in the queue: $(cat "$t_tmp/queue")"
expect 67 "lead $K is not claimed by noe" leads release "$K" --agent noe --reason "again"

# a claim that lapsed
leads claim "$L" --agent lani >/dev/null || fail "claim L"
q "update homeowner_acquisition.prospects set claim_expires_at = now() - interval '1 minute'
    where prospect_id = $L" >/dev/null
expect 67 "your claim on lead $L lapsed at" leads log "$L" --agent lani --channel call
grep -q "claim it again if nobody else has (mi-leads claim $L)" "$t_tmp/err" || fail "lapse hint: $(cat "$t_tmp/err")"
leads queue >"$t_tmp/queue"
grep -q "lead $L  score 35.00" "$t_tmp/queue" || fail "the lapsed claim is not back in the queue"
leads mine --agent lani | grep -q "lead $L  Susan Lee: claim lapsed at" || fail "mine does not show the lapse"
leads claim "$L" --agent lani >/dev/null || fail "claim again"

# snooze: out of every list until the date, then back with its agent
expect 64 "must be after today" leads snooze "$L" --agent lani --until "$today"
leads snooze "$L" --agent lani --until 2099-01-01 >/dev/null 2>&1 && fail "a snooze decades ahead was taken"
until=$(q "select current_date + 10")
leads snooze "$L" --agent lani --until "$until" --note "owner travelling" >"$t_tmp/out" || fail "snooze"
grep -q "snoozed until $until" "$t_tmp/out" || fail "snooze: $(cat "$t_tmp/out")"
leads queue | grep -q "lead $L " && fail "a snoozed lead is in the queue"
leads mine --agent lani >"$t_tmp/mine"
head -n 1 "$t_tmp/mine" | grep -q "^lani: 0 leads" || fail "a snoozed lead is in mine: $(cat "$t_tmp/mine")"
grep -q "lead $L  Susan Lee: snoozed until $until" "$t_tmp/mine" || fail "mine: $(cat "$t_tmp/mine")"

# do not contact: any agent, for good, across the owner's leads; never again in a list
leads claim "$P" --agent noe >/dev/null || fail "claim P"
leads dnc "$P" --agent kalani --reason "asked by letter" >"$t_tmp/out" || fail "dnc: $(cat "$t_tmp/out")"
grep -q "^lead $P  stage do_not_contact  (noe)" "$t_tmp/out" || fail "dnc: $(cat "$t_tmp/out")"
[ "$(q "select do_not_contact::text || ' ' || do_not_contact_reason || ' ' || (claim_expires_at is null)::text
        from homeowner_acquisition.prospects where prospect_id = $P")" = "true asked by letter true" ] || fail "dnc row"
[ "$(q "select count(*) from etl.lead_suppressions where owner_key = 'PACIFIC SHORES HOLDINGS'")" = 1 ] ||
	fail "the owner key is not suppressed for later leads"
leads dnc "$P" --agent kalani | grep -q "already do-not-contact" || fail "a second dnc"
[ "$(acts "$P" do_not_contact)" = 1 ] || fail "dnc logged twice"
expect 67 "lead $P is do-not-contact" leads log "$P" --agent noe --channel call
expect 67 "lead $P is do-not-contact" leads claim "$P" --agent noe
expect 67 "lead $P is do-not-contact" leads status "$P" new --agent noe
q "update homeowner_acquisition.prospects set do_not_contact = false where prospect_id = $P" 2>"$t_tmp/err" &&
	fail "do-not-contact was cleared by hand"
grep -q "do-not-contact for good" "$t_tmp/err" || fail "$(cat "$t_tmp/err")"
leads queue | grep -q "PACIFIC SHORES" && fail "the do-not-contact owner is in the queue"

# lost, with a reason; a lost lead is not worked until it is reopened
leads status "$N" lost --agent kalani --reason "chose another manager" >"$t_tmp/out" || fail "lost"
grep -q "^lead $N  stage lost  (kalani)" "$t_tmp/out" || fail "lost: $(cat "$t_tmp/out")"
expect 67 "lead $N is lost" leads log "$N" --agent kalani --channel call
expect 67 "lead $N is lost" leads claim "$N" --agent noe
leads queue | grep -q "lead $N " && fail "a lost lead is in the queue"

# the nightly run respects the desk: a new strong signal on the lost lead is logged
# and flags it, nothing else changes; a second run changes nothing at all
desk_state >"$t_tmp/desk.1"
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<'EOF' || fail "a new sale"
INSERT INTO external.property_sales
    (county, tmk, tmks, document_no, record_hash, recording_date, sale_date, price, is_arms_length,
     grantor, grantee, grantee_key, buyer_mailing_state, buyer_is_out_of_state, buyer_is_absentee, source)
VALUES (2, '2440130040203', '{2440130040203}', 'A-91500001', repeat('cd', 32), '2026-11-18', '2026-11-12',
        1450000, true, 'NAKAMURA DAVID K & LISA M', 'NAKAMURA DAVID K & LISA M', 'NAKAMURA DAVID K', 'WA',
        true, true, 'maui-rpt-sales');
EOF
leads score --as-of 2026-11-20 >"$t_tmp/score" || fail "score after the desk"
grep -q "1 lost leads with a new signal" "$t_tmp/score" || fail "score: $(cat "$t_tmp/score")"
desk_state >"$t_tmp/desk.2"
diff "$t_tmp/desk.1" "$t_tmp/desk.2" >&2 || fail "the nightly scoring changed a claim, a stage or a note"
[ "$(q "select status || ' ' || (signal_since_lost_at is not null) from homeowner_acquisition.prospects
        where prospect_id = $N")" = "lost true" ] || fail "the lost lead is not flagged, or was reopened"
[ "$(q "select count(*) from homeowner_acquisition.lead_activities
        where prospect_id = $N and signal_key = 'COUNTY_SALE:2:doc:A-91500001'")" = 1 ] || fail "the new signal is not logged"
leads show "$N" | grep -q "^NEW SIGNAL since the lead was lost" || fail "show does not flag the new signal"
leads queue | grep -q "lead $N " && fail "the new signal reopened the lost lead"
tables() { psql -XAtc "select md5(string_agg(t::text, ',' order by t::text)) from homeowner_acquisition.$1 t"; }
before="$(tables prospects) $(tables lead_activities) $(tables prospect_properties)"
leads score --as-of 2026-11-20 >/dev/null || fail "score again"
[ "$before" = "$(tables prospects) $(tables lead_activities) $(tables prospect_properties)" ] ||
	fail "a second scoring changed the lead tables"

# reopening a lost lead: whoever moves it holds it, the flag goes
leads status "$N" contacted --agent noe --reason "owner called back" >"$t_tmp/out" || fail "reopen: $(cat "$t_tmp/out")"
grep -q "^lead $N  stage contacted  claimed by noe" "$t_tmp/out" || fail "reopen: $(cat "$t_tmp/out")"
[ "$(q "select signal_since_lost_at is null and closed_reason is null from homeowner_acquisition.prospects
        where prospect_id = $N")" = t ] || fail "reopening keeps the lost flag or reason"

# show: everything on one screen
leads show "$K" >"$t_tmp/show" || fail "show"
for want in "^lead $K  stage contacted  in no agent's hands" "^owner     KAPOI FAMILY TRUST (trust" \
	"^mail      PO BOX 1187" "^          KULA HI 96790" "^score     15.00 (its best property); owns 3 units at 2191 S Kihei Rd" \
	"^property 3 of 3" "^parcel    (2) 3-9-001:011-0206" "self_managed .*run by the owner" \
	"^comp set  no competitive set yet; own ADR no data, occupancy no data" "^activity (" \
	"noe        released to the queue" "not my island this month" "kalani     handed over to noe" \
	"kalani     email" "sent the rental estimate"; do
	grep -q -- "$want" "$t_tmp/show" || fail "show has no '$want': $(cat "$t_tmp/show")"
done
expect 66 "no lead 424242" leads show 424242
exit 0
