#!/bin/sh
# The issue's bombs, at full size, within their limits: a small gzip that expands to
# 110 MB, an XML element and an HTML element with 200,000 attributes each (libxml2
# compares every attribute with the ones before it: minutes of CPU).  The big file is
# rejected whole with its reason before its limit is passed; the elements are rejected
# alone, the records around them kept; all well inside a CPU budget that would reject
# the file if the work were quadratic.  Also: limits given on the command line win over
# the source's, and a file rejected by a limit leaves nothing of itself in the output.
. tests/lib.sh
bin=$MI_BIN/mi-parse
out=$t_tmp/out

# 1. a 110 MB calendar in a gzip of a few hundred kB, over a 20 MB limit
{
	echo 'listing_id,date,available,price,adjusted_price,minimum_nights,maximum_nights'
	yes '53962121,2024-11-05,t,$189.00,,2,365' | head -n 3000000
} | gzip -9 >"$t_tmp/calendar.csv.gz"
echo "bomb: $(wc -c <"$t_tmp/calendar.csv.gz") bytes gzipped"
"$bin" --format insideairbnb-calendar --max-bytes 20000000 --cpu-seconds 30 --out "$out" \
	"$t_tmp/calendar.csv.gz" fixtures/parse/insideairbnb-calendar/basic/input.csv \
	>"$t_tmp/stdout" 2>"$t_tmp/stderr"
rc=$?
[ $rc -eq 65 ] || { cat "$t_tmp/stderr"; fail "bomb: exit $rc, want 65"; }
grep -q "calendar.csv.gz': file rejected: more than 20000000 bytes once decompressed (limit max_bytes)" \
	"$t_tmp/stderr" || { cat "$t_tmp/stderr"; fail "bomb: no reason on stderr"; }
[ "$(cut -f8 "$out/rejects.tsv")" = "file rejected: more than 20000000 bytes once decompressed (limit max_bytes)" ] ||
	fail "bomb: rejects: $(cat "$out/rejects.tsv")"
# the other file is kept, nothing of the bomb is
[ "$(wc -l <"$out/pricing.tsv")" -eq 6 ] || fail "bomb: $(wc -l <"$out/pricing.tsv") pricing rows, want the other file's 6"
grep -qx 'pricing	6' "$t_tmp/stdout" || fail "bomb: summary: $(cat "$t_tmp/stdout")"

# 2. an XML element with 200,000 attributes: that record rejected, the next one kept
attrs=$(awk 'BEGIN { for (i = 0; i < 200000; i++) printf " a%d=\"x\"", i }')
printf '<?xml version="1.0" encoding="UTF-8"?>\n<feed company="X">\n<properties>\n<property id="P1"%s>\n<name>A</name>\n</property>\n<property id="P2">\n<name>B</name>\n</property>\n</properties>\n</feed>\n' \
	"$attrs" >"$t_tmp/feed.xml"
"$bin" --format xml-feed --source islandfeed --config config/feeds/islandfeed.ini \
	--max-reject-ratio 1 --cpu-seconds 20 --out "$out" "$t_tmp/feed.xml" >/dev/null 2>"$t_tmp/stderr" ||
	{ cat "$t_tmp/stderr"; fail "xml: exit $?"; }
[ "$(cut -f7 "$out/listings.tsv")" = P2 ] || fail "xml: listings: $(cut -f7 "$out/listings.tsv")"
[ "$(cut -f1,8 "$out/rejects.tsv")" = "islandfeed	element <property> at line 4 has 200001 attributes, more than the limit of 256 (max_attributes): rejected" ] ||
	fail "xml: rejects: $(cut -f8 "$out/rejects.tsv")"

# 3. the same in an HTML page: the card holding it rejected, the other card kept
printf '<html><body>\n<div class="property-card" data-property-id="A1"%s><h3 class="property-name">A</h3></div>\n<div class="property-card" data-property-id="A2"><h3 class="property-name">B</h3></div>\n</body></html>\n' \
	"$attrs" >"$t_tmp/page.html"
"$bin" --format html-rules --source example-pm --config config/sites/example-pm.ini \
	--max-reject-ratio 1 --cpu-seconds 20 --out "$out" "$t_tmp/page.html" >/dev/null 2>"$t_tmp/stderr" ||
	{ cat "$t_tmp/stderr"; fail "html: exit $?"; }
[ "$(cut -f7 "$out/listings.tsv")" = A2 ] || fail "html: listings: $(cut -f7 "$out/listings.tsv")"
grep -q "element <div> at line 2 has 200002 attributes" "$out/rejects.tsv" || fail "html: rejects: $(cut -f8 "$out/rejects.tsv")"

# 4. --max-attributes 0 switches the limit off (a small element, to stay fast)
"$bin" --format html-rules --source example-pm --config config/sites/example-pm.ini \
	--max-attributes 0 --max-reject-ratio 1 --out "$out" \
	fixtures/parse/html-rules/too-many-attributes/input.html >/dev/null 2>&1 || fail "max-attributes 0: exit $?"
grep -q "attributes, more than" "$out/rejects.tsv" && fail "max-attributes 0 still rejects"
exit 0
