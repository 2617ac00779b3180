#!/bin/sh
# mi-leads next: a lead is an owner.  Six agents asking at the same instant for
# the four waiting owners of fixtures/leads/market.sql get four different owners
# (never one owner twice, the three Kapoi condos and the two Lahaina houses each
# with their owner) and two "queue is empty"; the best owner goes first with its
# reasons; every claim is logged; the do-not-contact owner is never handed out;
# usage errors exit 64; every command answers --help.
# The instant: see race_next in tests/desk-lib.sh.
. tests/lib.sh
. tests/desk-lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null || fail "score"
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }
q() { psql -XAtc "$1"; }

[ "$(q "select count(*) from homeowner_acquisition.lead_queue")" = 4 ] || fail "expected 4 waiting owners"

race_next 6 "$t_tmp" --config config/leads.ini
got=$race_got empty=$race_empty
[ $got = 4 ] && [ $empty = 2 ] || fail "expected 4 claims and 2 empty queues, got $got and $empty"
for a in 1 2 3 4 5 6; do
	if [ -s "$t_tmp/out.$a" ]; then
		head -n 1 "$t_tmp/out.$a" | grep -q "^lead [0-9]*  stage new  claimed by agent$a until" ||
			fail "agent$a: $(head -n 1 "$t_tmp/out.$a")"
	else
		grep -q "the lead queue is empty" "$t_tmp/err.$a" || fail "agent$a: $(cat "$t_tmp/err.$a")"
	fi
done
# four owners, four agents, each owner once
n=$(q "select count(distinct assigned_to) || ' ' || count(*) from homeowner_acquisition.prospects
        where claim_expires_at > now()")
[ "$n" = "4 4" ] || fail "claims: $n (agents, owners)"
n=$(cat "$t_tmp"/out.* | grep -c "^lead [0-9]*  stage new  claimed by")
[ "$n" = 4 ] || fail "$n leads printed"
[ "$(cat "$t_tmp"/out.* | grep '^lead ' | cut -d' ' -f2 | sort -u | wc -l)" = 4 ] || fail "an owner went out twice"
# the Kapoi trust's three condos came out as one lead, with its owner
cat "$t_tmp"/out.* | grep -q "^owner     KAPOI FAMILY TRUST" || fail "the Kapoi trust was not handed out"
n=$(cat "$t_tmp"/out.* | grep -c "^parcel    (2) 3-9-001:011-0")
[ "$n" = 3 ] || fail "the Kapoi lead shows $n of its 3 condos"
cat "$t_tmp"/out.* | grep -q "owns 3 units at 2191 S Kihei Rd" || fail "no 'owns 3 units' reason"
# the best lead went out, with its reasons
cat "$t_tmp"/out.* | grep -q "^score     81.00" || fail "the 81-point lead was not claimed"
cat "$t_tmp"/out.* | grep -q "review_cleanliness .*cleanliness sentiment" || fail "reasons missing"
# every claim is in its lead's log
n=$(q "select count(*) from homeowner_acquisition.lead_activities a
        join homeowner_acquisition.prospects p using (prospect_id)
        where a.activity_type = 'claim' and a.performed_by = p.assigned_to")
[ "$n" = 4 ] || fail "expected 4 claim activities, got $n"
# the do-not-contact owner was never handed out
cat "$t_tmp"/out.* | grep -q "PALAKIKO\|Palakiko\|4-4-008:012" && fail "do-not-contact owner claimed"
n=$(q "select count(*) from homeowner_acquisition.prospects where owner_key = 'PALAKIKO JAMES' and assigned_to is not null")
[ "$n" = 0 ] || fail "do-not-contact lead claimed"
leads next --agent keala >/dev/null 2>"$t_tmp/ed"
[ $? -eq 1 ] || fail "empty queue should exit 1"

# usage
leads next >/dev/null 2>&1; [ $? -eq 64 ] || fail "next without --agent should exit 64"
MI_AGENT=keala leads next >/dev/null 2>&1; [ $? -eq 1 ] || fail "next with MI_AGENT should run"
leads frobnicate >/dev/null 2>&1; [ $? -eq 64 ] || fail "unknown command should exit 64"
leads score --as-of 2026-02-30 >/dev/null 2>&1; [ $? -eq 64 ] || fail "bad date should exit 64"
leads queue --agent x >/dev/null 2>&1; [ $? -eq 64 ] || fail "--agent with queue should exit 64"
leads show >/dev/null 2>&1; [ $? -eq 64 ] || fail "show without a lead should exit 64"
leads show 12x >/dev/null 2>&1; [ $? -eq 64 ] || fail "show of a bad lead number should exit 64"
leads show 99999 >/dev/null 2>"$t_tmp/e"; [ $? -eq 66 ] || fail "show of no lead should exit 66"
grep -q "no lead 99999" "$t_tmp/e" || fail "no-lead message: $(cat "$t_tmp/e")"
leads --help | grep -q "^usage: mi-leads COMMAND" || fail "--help"
for c in next show log status snooze mine assign claim release dnc queue export suppress score; do
	leads "$c" --help | grep -q "^usage: mi-leads $c" || fail "$c --help"
done
leads --version | grep -q "mi-leads" || fail "--version"
exit 0
