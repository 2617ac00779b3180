#!/bin/sh
# mi-score on real public reviews (Inside Airbnb, Albany NY: 3,184 reviews in many
# languages, with <br/> markup) when ../shared/samples is there; skipped otherwise.
# Checks that every row comes back scored or language-gated, that the English share
# and the scores are plausible, and that scoring twice changes nothing.
. tests/lib.sh

src="${MI_SAMPLES:-../shared/samples}/insideairbnb-albany-2024-11-05/reviews_sample.csv"
[ -r "$src" ] || skip "no $src"
"$MI_BIN/mi-parse" --format insideairbnb-reviews --out "$t_tmp/run" "$src" >/dev/null 2>&1 ||
	skip "mi-parse cannot read the sample"
rows=$(wc -l <"$t_tmp/run/reviews.tsv")
[ "$rows" -gt 1000 ] || skip "mi-parse gave only $rows reviews"

"$MI_BIN/mi-score" "$t_tmp/run" 2>/dev/null || fail "mi-score exit $?"
[ "$(wc -l <"$t_tmp/run/reviews.tsv")" -eq "$rows" ] || fail "row count changed"
awk -F'\t' -v rows="$rows" '
	$16 == "\\N" && $14 != "\\N" { bad = "a review with text has no language: line " NR; exit }
	$16 == "en" && ($17 == "\\N" || $17 < -1 || $17 > 1) { bad = "bad compound on line " NR; exit }
	$16 != "en" && $17 != "\\N" { bad = "a non-English review was scored: line " NR; exit }
	$23 == "\\N" { bad = "no scorer version on line " NR; exit }
	$16 == "en" { en++; if ($17 >= 0.05) pos++ }
	END {
		if (bad) { print bad; exit 1 }
		# these listings are well reviewed: most English reviews are positive
		if (en < rows * 0.9) { print "only " en " of " rows " English"; exit 1 }
		if (pos < en * 0.8) { print "only " pos " of " en " positive"; exit 1 }
		printf "%d reviews, %d English, %d positive\n", rows, en, pos
	}' "$t_tmp/run/reviews.tsv" || fail "implausible scores"
cp "$t_tmp/run/reviews.tsv" "$t_tmp/once.tsv"
"$MI_BIN/mi-score" "$t_tmp/run" 2>/dev/null || fail "second run"
cmp -s "$t_tmp/run/reviews.tsv" "$t_tmp/once.tsv" || fail "scoring twice changed the file"
exit 0
