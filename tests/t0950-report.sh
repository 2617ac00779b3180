#!/bin/sh
# mi-report: the HTML report shows the leads (one row per owner) with their mailing
# address, claim and agent, follow-ups, reasons and projections, the cards of the
# leads against their competitive sets, our units' charts and sentiment by aspect;
# it is self-contained (no external resources) and every value from the database is
# escaped.  Every comp-set figure of a lead comes from one query: the ADR string of
# its row is its card's; the top lead always has its card; a missing figure says
# "no data", never $0 or 0%.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql -f fixtures/leads/pricing.sql >/dev/null || fail "loading the fixture"
# as mi-run does: leads, then the new leads' comp sets, then their projections
for pass in 1 2; do
	"$MI_BIN/mi-compset" --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" || fail "mi-compset: $(cat "$t_tmp/err")"
	"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
		fail "mi-leads: $(cat "$t_tmp/err")"
done
# a hostile owner name, as a county roll could carry it
psql -XAtqc "update homeowner_acquisition.prospects set display_name = '<script>alert(\"x\")</script> & Sons'
             where owner_key = 'NAKAMURA DAVID K'" || fail "update"

out=$("$MI_BIN/mi-report" --out "$t_tmp/report.html" 2>"$t_tmp/err") || fail "mi-report: $(cat "$t_tmp/err")"
[ "$out" = "$t_tmp/report.html" ] || fail "printed path: $out"
r="$t_tmp/report.html"
grep -q '<h2>Leads</h2>' "$r" || fail "no lead section"
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons' "$r" || fail "owner name not escaped"
grep -q '<script>alert' "$r" && fail "raw script tag in the report"
grep -q 'cleanliness sentiment averages' "$r" || fail "reasons missing"
grep -q 'net to owner' "$r" || fail "projection missing"
grep -q '(2) 4-4-013:004-0203' "$r" || fail "TMK display form missing"
grep -q '<h2>Our properties against their competitive sets</h2>' "$r" || fail "no compset section"
# the top lead has its card, and its comp-set ADR is the same string in both
top=$(grep -o '<tr id="lead-[0-9]*"><td class="num">1</td>' "$r" | sed 's/.*lead-\([0-9]*\).*/\1/')
[ -n "$top" ] || fail "no first lead row"
grep "<tr id=\"lead-$top\">" "$r" | grep -q "David K &amp; Lisa M Nakamura" || fail "the top lead is not the sold Kaanapali condo"
grep -q "<div class=\"card\" id=\"card-$top\">" "$r" || fail "the top lead has no card"
row_adr=$(grep "<tr id=\"lead-$top\">" "$r" | grep -o 'comp set ADR \$[0-9,]*\.[0-9][0-9]' | head -n 1)
card_adr=$(grep "<div class=\"card\" id=\"card-$top\">" "$r" | grep -o 'comp set ADR \$[0-9,]*\.[0-9][0-9]' | head -n 1)
[ -n "$row_adr" ] || fail "the top lead's row has no comp-set ADR"
[ "$row_adr" = "$card_adr" ] || fail "row says '$row_adr', card says '$card_adr'"
[ "$row_adr" = 'comp set ADR $300.00' ] || fail "comp-set ADR '$row_adr', want the projection's \$300.00"
# the comp set's figures are the reason's (73 %); the projection's are its own year's
grep "<tr id=\"lead-$top\">" "$r" | grep -q 'comp set ADR \$300.00, occupancy 73%' || fail "the row's comp-set occupancy"
grep "<tr id=\"lead-$top\">" "$r" | grep -q 'occupancy 68% × ADR \$300.00; medium confidence' || fail "the projection's own figures"
grep "<tr id=\"lead-$top\">" "$r" | grep -q 'occupancy 19% vs 73% for its competitive set' || fail "the reason does not use the row's figures"
# the mailing address in USPS form, the claim state
grep "<tr id=\"lead-$top\">" "$r" | grep -q '2211 NW MARKET ST APT 4<br>SEATTLE WA 98107' || fail "mailing address"
grep "<tr id=\"lead-$top\">" "$r" | grep -q 'waiting' || fail "claim state"
# nothing missing is drawn as zero
grep -q '\$0 \|>0%<\| 0% comp set\|\$0<' "$r" && fail "a missing figure reads as \$0 or 0%"
grep -q 'no competitive set yet' "$r" || fail "a lead without a comp set does not say so"
grep -q 'aria-label="ADR and occupancy' "$r" || fail "no compset chart"
grep -q 'aria-label="sentiment by aspect"' "$r" || fail "no sentiment chart"
grep -Eq '(src|href)="(https?:)?//' "$r" && fail "the report loads external resources"
# the file is replaced atomically: no temporary left behind
ls -A "$t_tmp" | grep -q '^\.report\.html\.' && fail "temporary file left"
"$MI_BIN/mi-report" --out - >/dev/null || fail "stdout mode"
exit 0
