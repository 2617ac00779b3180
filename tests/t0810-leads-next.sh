#!/bin/sh
# mi-leads next: concurrent agents never get the same lead; claims go best first; a
# do-not-contact owner is never handed out; an empty queue exits 1; usage errors exit 64.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null || fail "score"
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }

# two agents at the same moment, several times over: seven waiting leads, seven claims
for round in 1 2 3; do
	leads next --agent "kalani$round" >"$t_tmp/a$round" 2>"$t_tmp/ea$round" &
	pa=$!
	leads next --agent "noe$round" >"$t_tmp/b$round" 2>"$t_tmp/eb$round" &
	pb=$!
	wait $pa || fail "agent a round $round: $(cat "$t_tmp/ea$round")"
	wait $pb || fail "agent b round $round: $(cat "$t_tmp/eb$round")"
	la=$(head -n 1 "$t_tmp/a$round" | cut -d' ' -f2)
	lb=$(head -n 1 "$t_tmp/b$round" | cut -d' ' -f2)
	[ -n "$la" ] && [ -n "$lb" ] || fail "round $round: no lead printed"
	[ "$la" != "$lb" ] || fail "round $round: both agents got lead $la"
done
# the best lead went out first, with its reasons and its owner
cat "$t_tmp/a1" "$t_tmp/b1" | grep -q "score 81.00" || fail "the 81-point lead was not claimed first"
cat "$t_tmp/a1" "$t_tmp/b1" | grep -q "review_cleanliness .*cleanliness sentiment" || fail "reasons missing"
n=$(psql -XAtc "select count(distinct claimed_by) from homeowner_acquisition.prospect_properties where status = 'claimed'")
[ "$n" = 6 ] || fail "expected 6 distinct claimers, got $n"

leads next --agent keala >"$t_tmp/c" 2>&1 || fail "seventh claim: $(cat "$t_tmp/c")"
# every claim is in its lead's log
n=$(psql -XAtc "select count(*) from homeowner_acquisition.lead_activities a
                join homeowner_acquisition.prospect_properties pp using (prospect_property_id)
                where a.activity_type = 'status_change' and a.performed_by = pp.claimed_by")
[ "$n" = 7 ] || fail "expected 7 claim activities, got $n"
leads next --agent keala >"$t_tmp/d" 2>"$t_tmp/ed"
rc=$?
[ $rc -eq 1 ] || fail "empty queue: exit $rc"
grep -q "queue is empty" "$t_tmp/ed" || fail "empty queue message: $(cat "$t_tmp/ed")"
cat "$t_tmp"/a? "$t_tmp"/b? "$t_tmp/c" | grep -q "PALAKIKO\|4-4-008:012" && fail "do-not-contact owner claimed"
n=$(psql -XAtc "select count(*) from homeowner_acquisition.prospect_properties where tmk = '2440080120000' and claimed_by is not null")
[ "$n" = 0 ] || fail "do-not-contact lead claimed"

# usage
leads next >/dev/null 2>&1; [ $? -eq 64 ] || fail "next without --agent should exit 64"
leads frobnicate >/dev/null 2>&1; [ $? -eq 64 ] || fail "unknown command should exit 64"
leads score --as-of 2026-02-30 >/dev/null 2>&1; [ $? -eq 64 ] || fail "bad date should exit 64"
leads queue --agent x >/dev/null 2>&1; [ $? -eq 64 ] || fail "--agent with queue should exit 64"
leads --help | grep -q "^usage: mi-leads score" || fail "--help"
leads --version | grep -q "mi-leads" || fail "--version"
exit 0
