#!/bin/sh
# mi-report: the HTML report shows the lead queue with its reasons and projections, the
# competitive-set charts and sentiment by aspect; it is self-contained (no external
# resources) and every value from the database is escaped.
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
grep -q '<h2>Lead queue</h2>' "$r" || fail "no lead queue section"
grep -q '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons' "$r" || fail "owner name not escaped"
grep -q '<script>alert' "$r" && fail "raw script tag in the report"
grep -q 'cleanliness sentiment averages' "$r" || fail "reasons missing"
grep -q 'net to owner' "$r" || fail "projection missing"
grep -q '(2) 4-4-013:004-0203' "$r" || fail "TMK display form missing"
grep -q '<h2>Market metrics by competitive set</h2>' "$r" || fail "no compset section"
grep -q 'aria-label="ADR and occupancy' "$r" || fail "no compset chart"
grep -q 'aria-label="sentiment by aspect"' "$r" || fail "no sentiment chart"
grep -Eq '(src|href)="(https?:)?//' "$r" && fail "the report loads external resources"
# the file is replaced atomically: no temporary left behind
ls -A "$t_tmp" | grep -q '^\.report\.html\.' && fail "temporary file left"
"$MI_BIN/mi-report" --out - >/dev/null || fail "stdout mode"
exit 0
