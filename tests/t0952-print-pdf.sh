#!/bin/sh
# The pages a person reads, printed the way a person prints them: the proposal for
# the owner and the market report, opened in headless Chromium and printed to PDF
# on Letter paper.  The PDF's text holds the owner's name and the net figure, and
# the last column of the widest table (what a page too narrow would cut off); no
# page is wider than Letter (pdfinfo).  The proposal is laid out for the page: in
# the browser at Letter's printable width (7.3 in) nothing is wider than the
# window.  Skipped only when Chromium is absent.
. tests/lib.sh
chromium=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chromium" ] || skip "chromium is not installed (scripts/deps.sh installs it)"
for t in pdftotext pdfinfo; do
	command -v $t >/dev/null || fail "$t is missing (poppler-utils, scripts/deps.sh)"
done
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql -f fixtures/leads/pricing.sql >/dev/null ||
	fail "loading the fixtures"
for pass in 1 2; do
	"$MI_BIN/mi-compset" --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" || fail "mi-compset: $(cat "$t_tmp/err")"
	"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
		fail "mi-leads score: $(cat "$t_tmp/err")"
done
q() { psql -XAtc "$1"; }
LEAD=$(q "select prospect_id from homeowner_acquisition.prospect_properties where tmk = '2440130040203'")
"$MI_BIN/mi-leads" --config config/leads.ini claim "$LEAD" --agent kalani >/dev/null || fail "claim"
"$MI_BIN/mi-leads" --config config/leads.ini propose "$LEAD" --agent kalani >/dev/null 2>"$t_tmp/err" ||
	fail "propose: $(cat "$t_tmp/err")"
P=$(q "select proposal_id from homeowner_acquisition.proposals where prospect_id = $LEAD")
NET=$(q "select to_char(projected_net_to_owner, 'FM\$999,999,990') from homeowner_acquisition.proposal_versions
         where proposal_id = $P")
OWNER=$(q "select display_name from homeowner_acquisition.prospects where prospect_id = $LEAD")
"$MI_BIN/mi-report" --proposal "$P" --out "$t_tmp/proposal.html" >/dev/null || fail "mi-report --proposal"
"$MI_BIN/mi-report" --out "$t_tmp/report.html" >/dev/null || fail "mi-report"

# print HTML PDF: a fresh profile each time, no network, no header or footer
print_pdf() {
	_profile=$(mktemp -d "$t_tmp/chromium.XXXXXX")
	timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$_profile" --no-pdf-header-footer --print-to-pdf="$2" "file://$1" \
		>"$t_tmp/chromium.log" 2>&1 || fail "chromium could not print $1: $(tail -n 5 "$t_tmp/chromium.log")"
	[ -s "$2" ] || fail "chromium wrote no $2: $(tail -n 5 "$t_tmp/chromium.log")"
}
# every page at most Letter's 612 x 792 points
check_pages() {
	pdfinfo -f 1 -l 1000 "$1" >"$t_tmp/info" || fail "pdfinfo $1"
	n=$(awk '/^Pages:/ { print $2 }' "$t_tmp/info")
	[ "${n:-0}" -ge 1 ] || fail "$1 has no page"
	awk '/^Page +[0-9]+ size:/ { if ($4 > 612.5 || $6 > 792.5) bad = bad " " $2 ": " $4 " x " $6 }
	     END { if (bad != "") { print bad; exit 1 } }' "$t_tmp/info" >"$t_tmp/wide" ||
		fail "$1: pages larger than Letter:$(cat "$t_tmp/wide")"
	echo "$n"
}

print_pdf "$t_tmp/proposal.html" "$t_tmp/proposal.pdf"
pages=$(check_pages "$t_tmp/proposal.pdf") || exit 1
[ "$pages" -le 4 ] || fail "the proposal takes $pages pages"
pdftotext "$t_tmp/proposal.pdf" "$t_tmp/proposal.txt" || fail "pdftotext"
grep -qF "$OWNER" "$t_tmp/proposal.txt" || fail "the owner's name '$OWNER' is not in the proposal's PDF"
[ "$(grep -cF "$NET" "$t_tmp/proposal.txt")" -ge 2 ] || fail "the net figure $NET is not in the proposal's PDF"
grep -q "Low – high" "$t_tmp/proposal.txt" || fail "the month table's last column is cut off"
RANGE=$(q "select string_agg(to_char(n, 'FM\$999,999,990'), '–' order by scenario)
           from (select scenario, sum(net_to_owner) as n
                   from homeowner_acquisition.proposal_figures((select proposal_version_id
                        from homeowner_acquisition.proposal_versions where proposal_id = $P))
                  where scenario <> 'expected' group by scenario) x")
grep -qF "$RANGE" "$t_tmp/proposal.txt" || fail "the year's range $RANGE is cut off"
# at the printable width of Letter (8.5 in less two 0.6 in margins = 700.8 px)
# the page needs no horizontal room: the browser has nothing to shrink
sed 's|</body>|<script>document.body.insertAdjacentHTML("beforeend", "<p id=overflow>" + (document.documentElement.scrollWidth - document.documentElement.clientWidth) + "</p>")</script></body>|' \
	"$t_tmp/proposal.html" >"$t_tmp/measure.html"
_profile=$(mktemp -d "$t_tmp/chromium.XXXXXX")
over=$(timeout 180 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync --user-data-dir="$_profile" \
	--window-size=700,1000 --dump-dom "file://$t_tmp/measure.html" 2>"$t_tmp/chromium.log" |
	sed -n 's/.*<p id="overflow">\([-0-9]*\)<.*/\1/p')
[ -n "$over" ] || fail "could not measure the proposal in the browser: $(tail -n 5 "$t_tmp/chromium.log")"
[ "$over" -le 0 ] || fail "the proposal is $over px wider than Letter's printable width"

print_pdf "$t_tmp/report.html" "$t_tmp/report.pdf"
check_pages "$t_tmp/report.pdf" >/dev/null || exit 1
pdftotext "$t_tmp/report.pdf" "$t_tmp/report.txt" || fail "pdftotext"
grep -qF "David K & Lisa M" "$t_tmp/report.txt" || fail "the owner's name is not in the report's PDF"
grep -qF "$(q "select to_char(projected_net, 'FM\$999,999,990') from homeowner_acquisition.lead_board where lead_id = $LEAD")" \
	"$t_tmp/report.txt" || fail "the lead's net figure is not in the report's PDF"
exit 0
