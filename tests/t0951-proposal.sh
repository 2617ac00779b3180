#!/bin/sh
# The proposal on the demo world (fixtures/demo moved to 2026-11-20 and run as of
# that day, so that its figures are the same whatever day the test runs): an agent
# claims the Kaanapali condo's owners, notes the call, proposes (the printable
# page's text is golden: figures, months, fee, net), revises the fee (version 2,
# the figures follow), sends the page and the owners accept; every step is an
# activity, the lead moves to the proposal stage, the refusals are the desk's; a
# second nightly run adds no projection and leaves the proposal as it was.
. tests/lib.sh
. tests/run-lib.sh
DEMO_TODAY=2026-11-20
export DEMO_TODAY
run_world
fresh_db
demo_history "$t_tmp/www" "$t_tmp/history" demo-history >/dev/null 2>"$t_tmp/err" ||
	fail "loading the calendar history: $(cat "$t_tmp/err")"
run_nightly "$t_tmp/a" --date $DEMO_TODAY || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "nightly run exited $rc"; }
leads() { "$MI_BIN/mi-leads" --config "$t_tmp/config/leads.ini" "$@"; }
q() { psql -XAtc "$1"; }
# the page as text: tags to line breaks, the day it was written and the year of
# its number left out (they are the day the test runs)
page_text() {
	sed -e 's/<style>.*<\/style>//' -e 's/<[^>]*>/\n/g' "$1" | sed -e 's/&middot;/·/g' -e 's/&ndash;/–/g' \
		-e 's/&amp;/\&/g' -e 's/P-[0-9]\{4\}-/P-YYYY-/g' \
		-e 's/ of [A-Z][a-z]* [0-9]*, [0-9]\{4\} · the offer stands until [A-Z][a-z]* [0-9]*, [0-9]\{4\}$/ of DATE · the offer stands until DATE/' |
		grep -v '^[[:space:]]*$'
}

LEAD=$(q "select prospect_id from homeowner_acquisition.prospect_properties where tmk = '2440010980314'")
[ -n "$LEAD" ] || fail "the Kaanapali condo is no lead"
# a proposal needs the lead in the agent's hands
leads propose "$LEAD" --agent kalani >/dev/null 2>"$t_tmp/err"
[ $? -eq 67 ] || fail "propose without a claim: $(cat "$t_tmp/err")"
grep -q "lead $LEAD is not claimed by kalani" "$t_tmp/err" || fail "propose without a claim: $(cat "$t_tmp/err")"
leads claim "$LEAD" --agent kalani >/dev/null || fail "claim"
leads log "$LEAD" --channel note --note "the owners live in San Diego; open to a proposal" --agent kalani >/dev/null ||
	fail "note"

leads propose "$LEAD" --agent kalani >"$t_tmp/propose" 2>"$t_tmp/err" || fail "propose: $(cat "$t_tmp/err")"
P=$(q "select proposal_id from homeowner_acquisition.proposals where prospect_id = $LEAD")
N=$(q "select proposal_number from homeowner_acquisition.proposals where proposal_id = $P")
grep -q "^lead $LEAD: proposal $P drafted (version 1)$" "$t_tmp/propose" || fail "propose: $(cat "$t_tmp/propose")"
grep -q "^proposal $N  lead $LEAD  status draft  version 1  offer stands until $(date -u -d '+30 days' +%F)" "$t_tmp/propose" ||
	fail "propose state: $(cat "$t_tmp/propose")"
grep -q "^terms     management fee 20% of gross rent; onboarding fee none; term 12 months;" "$t_tmp/propose" ||
	fail "propose terms: $(cat "$t_tmp/propose")"
grep -q "^year         79.7   \$332   22%    \$26,444    \$5,289    \$8,532    \$12,623$" "$t_tmp/propose" ||
	fail "propose year: $(cat "$t_tmp/propose")"
# the version holds its terms as data, the projection it shows and the best assessment
[ "$(q "select concat_ws(' ', v.version_no, v.management_fee_pct, v.contract_term_months, v.termination_notice_days,
               v.projected_gross_revenue, v.projected_net_to_owner, v.terms->'projection'->>'confidence',
               v.terms->'assessment'->>'type', v.revenue_projection_id = (v.terms->'projection'->>'expected')::bigint)
        from homeowner_acquisition.proposal_versions v where proposal_id = $P")" = \
  "1 20.00 12 30 26443.67 12623.05 medium remote_condition t" ] || fail "version 1: $(q "select * from homeowner_acquisition.proposal_versions")"

# the printable page: its text is golden
out=$("$MI_BIN/mi-report" --proposal "$P" --out "$t_tmp/v1.html" 2>"$t_tmp/err") || fail "mi-report --proposal: $(cat "$t_tmp/err")"
[ "$out" = "$t_tmp/v1.html" ] || fail "printed path: $out"
page_text "$t_tmp/v1.html" >"$t_tmp/v1.txt"
diff -u fixtures/proposal/demo-v1.txt "$t_tmp/v1.txt" >"$t_tmp/diff" || fail "the proposal's text differs: $(cat "$t_tmp/diff")"
grep -q '<script\|src=\|href=\|url(' "$t_tmp/v1.html" && fail "the page loads something"
# its default name is its number
(cd "$t_tmp" && "$MI_BIN/mi-report" --proposal "$P" >/dev/null) || fail "mi-report --proposal, default name"
[ -s "$t_tmp/proposal-$N.html" ] || fail "no $t_tmp/proposal-$N.html"
"$MI_BIN/mi-report" --proposal 999999 --out "$t_tmp/none.html" >/dev/null 2>&1
[ $? -eq 66 ] || fail "mi-report --proposal of no proposal should exit 66"

# revise: version 2 at 18 %, the same projection, the figures follow
leads proposal accept "$P" --agent kalani >/dev/null 2>"$t_tmp/err"
[ $? -eq 67 ] || fail "accepting a draft: $(cat "$t_tmp/err")"
grep -q "proposal $N is draft: it cannot be accepted" "$t_tmp/err" || fail "accept a draft: $(cat "$t_tmp/err")"
leads proposal revise "$P" --fee 18 --note "the owners asked" --agent kalani >"$t_tmp/revise" 2>"$t_tmp/err" ||
	fail "revise: $(cat "$t_tmp/err")"
grep -q "^proposal $P: version 2 written$" "$t_tmp/revise" || fail "revise: $(cat "$t_tmp/revise")"
leads proposal revise "$P" --fee 18 --agent kalani >/dev/null 2>"$t_tmp/err"
[ $? -eq 64 ] || fail "a revision that changes nothing: $(cat "$t_tmp/err")"
[ "$(q "select string_agg(concat_ws(' ', version_no, management_fee_pct, projected_net_to_owner, revenue_projection_id,
               change_summary), ' | ' order by version_no) from homeowner_acquisition.proposal_versions where proposal_id = $P")" = \
  "$(q "select '1 20.00 12623.05 ' || revenue_projection_id || ' first version | 2 18.00 13151.88 ' || revenue_projection_id
               || ' management fee 20% -> 18% (the owners asked)' from homeowner_acquisition.proposal_versions
               where proposal_id = $P and version_no = 1")" ] || fail "the versions: $(q "select * from homeowner_acquisition.proposal_versions")"
"$MI_BIN/mi-report" --proposal "$P" --out "$t_tmp/v2.html" >/dev/null || fail "mi-report, version 2"
page_text "$t_tmp/v2.html" >"$t_tmp/v2.txt"
grep -qx "Proposal P-YYYY-${N##*-}, version 2 of DATE · the offer stands until DATE" "$t_tmp/v2.txt" || fail "version 2's header"
grep -A1 -x 'Projected net to you, first year' "$t_tmp/v2.txt" | grep -qx '\$13,152' || fail "version 2's net"
grep -A1 -x 'Management fee' "$t_tmp/v2.txt" | grep -qx '18% of rental income (\$4,760 in the projected first year)' ||
	fail "version 2's fee: $(grep -A1 -x 'Management fee' "$t_tmp/v2.txt")"

# send it, with the page: the lead is at the proposal stage, the document recorded
leads proposal send "$P" --document "$t_tmp/v2.html" --agent kalani >"$t_tmp/send" 2>"$t_tmp/err" || fail "send: $(cat "$t_tmp/err")"
grep -q "^proposal $N  lead $LEAD  status sent  version 2  sent " "$t_tmp/send" || fail "send: $(cat "$t_tmp/send")"
[ "$(q "select document_sha256 from homeowner_acquisition.proposal_versions where proposal_id = $P and version_no = 2")" = \
  "$(sha256sum "$t_tmp/v2.html" | cut -d' ' -f1)" ] || fail "the document's SHA-256"
[ "$(q "select status from homeowner_acquisition.prospects where prospect_id = $LEAD")" = proposal ] || fail "stage after send"
# another agent cannot answer for the owners
leads proposal accept "$P" --agent makoa >/dev/null 2>"$t_tmp/err"
[ $? -eq 67 ] || fail "another agent accepted: $(cat "$t_tmp/err")"
leads proposal accept "$P" --note "signed the terms sheet" --agent kalani >"$t_tmp/accept" 2>"$t_tmp/err" ||
	fail "accept: $(cat "$t_tmp/err")"
grep -q "^proposal $P: version 2 accepted$" "$t_tmp/accept" || fail "accept: $(cat "$t_tmp/accept")"
[ "$(q "select status || ' ' || current_version_no || ' ' || (decided_at is not null) from homeowner_acquisition.proposals
        where proposal_id = $P")" = "accepted 2 true" ] || fail "the proposal after accept"
leads proposal decline "$P" --reason "changed their mind" --agent kalani >/dev/null 2>"$t_tmp/err"
[ $? -eq 67 ] || fail "declining an accepted proposal: $(cat "$t_tmp/err")"
leads show "$LEAD" >"$t_tmp/show" || fail "show"
grep -qF "  $P  $N  accepted    version 2  (2) 4-4-001:098-0314  fee 18%  net to owner \$13,152 a year" "$t_tmp/show" ||
	fail "show's proposals: $(cat "$t_tmp/show")"
leads proposal show 999999 >/dev/null 2>&1
[ $? -eq 66 ] || fail "show of no proposal should exit 66"

# every step is on the lead, in order
[ "$(q "select string_agg(activity_type || ': ' || regexp_replace(subject, 'P-[0-9]{4}-', 'P-'), ' | ' order by lead_activity_id)
        from homeowner_acquisition.lead_activities where prospect_id = $LEAD and performed_by = 'kalani'")" = \
  "claim: claimed by name | note: note | proposal: proposal P-${N##*-} drafted (version 1) | proposal: proposal P-${N##*-} revised (version 2) | proposal_sent: proposal P-${N##*-} sent (version 2) | status_change: stage new -> contacted | status_change: stage contacted -> proposal | proposal: proposal P-${N##*-} accepted (version 2)" ] ||
	fail "the activities: $(q "select activity_type, subject from homeowner_acquisition.lead_activities where prospect_id = $LEAD order by 1")"

# a new proposal for the same property withdraws the open one
leads propose "$LEAD" --fee 19 --agent kalani >/dev/null 2>"$t_tmp/err" || fail "second proposal: $(cat "$t_tmp/err")"
leads propose "$LEAD" --fee 19 --term 24 --agent kalani >/dev/null 2>"$t_tmp/err" || fail "third proposal: $(cat "$t_tmp/err")"
[ "$(q "select string_agg(status || coalesce(':' || decline_reason, ''), ' ' order by proposal_id)
        from homeowner_acquisition.proposals where prospect_id = $LEAD")" = "accepted withdrawn:superseded draft" ] ||
	fail "superseded: $(q "select status from homeowner_acquisition.proposals")"
leads propose "$LEAD" --fee 120 --agent kalani >/dev/null 2>&1
[ $? -eq 64 ] || fail "a fee of 120 % should exit 64"

# the next night on the same data: no projection, the proposal as it was
rows=$(q "select count(*) from homeowner_acquisition.revenue_projections")
run_nightly "$t_tmp/b" --date $DEMO_TODAY || { rc=$?; cat "$t_tmp/b/out" "$t_tmp/b/err"; fail "second nightly run exited $rc"; }
[ "$(q "select count(*) from homeowner_acquisition.revenue_projections")" = "$rows" ] || fail "the second night added projections"
"$MI_BIN/mi-report" --proposal "$P" --out "$t_tmp/v2b.html" >/dev/null || fail "mi-report after the second night"
cmp -s "$t_tmp/v2.html" "$t_tmp/v2b.html" || fail "the accepted proposal's page changed overnight"
exit 0
