#!/bin/sh
# mi-parse on the command line: help, version, formats, the summary on stdout,
# rejects, and the exit code of each failure class.
. tests/lib.sh
bin=$MI_BIN/mi-parse
cal=fixtures/parse/insideairbnb-calendar
out=$t_tmp/out

"$bin" --help | grep -q '^usage: mi-parse --format NAME' || fail "--help"
"$bin" --version | grep -q '^mi-parse (market-intelligence) ' || fail "--version"
for f in insideairbnb-calendar insideairbnb-listings insideairbnb-reviews maui-rpt-sales \
	county-csv parcel-csv; do
	"$bin" --list-formats | cut -f1 | grep -qx "$f" || fail "--list-formats lacks $f"
done

# a good file: 0, counts on stdout, talk on stderr only
"$bin" --format insideairbnb-calendar --out "$out" "$cal/basic/input.csv" \
	>"$t_tmp/stdout" 2>"$t_tmp/stderr" || fail "basic: exit $?"
grep -qx 'pricing	6' "$t_tmp/stdout" || fail "basic: summary: $(cat "$t_tmp/stdout")"
[ "$(wc -l <"$out/pricing.tsv")" -eq 6 ] || fail "basic: pricing rows"
[ -s "$out/rejects.tsv" ] && fail "basic: unexpected rejects"

# --append adds; without it the files are replaced
"$bin" --format insideairbnb-calendar --append --out "$out" "$cal/basic/input.csv" >/dev/null 2>&1 ||
	fail "append"
[ "$(wc -l <"$out/pricing.tsv")" -eq 12 ] || fail "append: pricing rows"

# rejects over the ratio: 65; under it: 0
"$bin" --format insideairbnb-calendar --out "$out" "$cal/bad-rows/input.csv" >/dev/null 2>&1
[ $? -eq 65 ] || fail "bad rows: expected exit 65"
"$bin" --format insideairbnb-calendar --max-reject-ratio 0.9 --out "$out" \
	"$cal/bad-rows/input.csv" >/dev/null 2>&1 || fail "bad rows under the ratio"
[ "$(wc -l <"$out/rejects.tsv")" -eq 10 ] || fail "bad rows: rejects"

# a missing file: 66, one reject, the other file still parsed
"$bin" --format insideairbnb-calendar --out "$out" "$t_tmp/none.csv" "$cal/basic/input.csv" \
	>/dev/null 2>"$t_tmp/stderr"
[ $? -eq 66 ] || fail "missing file: expected exit 66"
grep -q "cannot open '$t_tmp/none.csv'" "$t_tmp/stderr" || fail "missing file: message"
[ "$(wc -l <"$out/pricing.tsv")" -eq 6 ] || fail "missing file: other file not parsed"

# an empty or truncated file: 65
"$bin" --format insideairbnb-calendar --out "$out" "$cal/truncated-gzip/input.csv.gz" \
	>/dev/null 2>&1
[ $? -eq 65 ] || fail "truncated gzip: expected exit 65"

# usage errors: 64
for args in "--format" "--format nope --out $out x" "--format insideairbnb-calendar x" \
	"--format insideairbnb-calendar --out $out" "--county 5 --format county-csv --out $out x" \
	"--snapshot-date 2024-13-01 --format insideairbnb-calendar --out $out x" \
	"--run 'bad id' --out $out" "--bogus"; do
	eval "\"\$bin\" $args" >/dev/null 2>"$t_tmp/stderr"
	rc=$?
	[ $rc -eq 64 ] || fail "usage: '$args' exited $rc, not 64: $(cat "$t_tmp/stderr")"
done

# a bad column map: 78, with file:line
"$bin" --format county-csv --config fixtures/parse/county-csv/bad-config/rules.ini --out "$out" \
	fixtures/parse/county-csv/bad-config/input.csv >/dev/null 2>"$t_tmp/stderr"
[ $? -eq 78 ] || fail "bad config: expected exit 78"
grep -q "rules.ini:5: unknown column 'owner'" "$t_tmp/stderr" || fail "bad config: message"

# output that cannot be written: 74
mkdir "$t_tmp/ro" && chmod 555 "$t_tmp/ro"
if [ "$(id -u)" -ne 0 ]; then
	"$bin" --format insideairbnb-calendar --out "$t_tmp/ro/out" "$cal/basic/input.csv" \
		>/dev/null 2>&1
	[ $? -eq 74 ] || fail "read-only output: expected exit 74"
fi
if [ -w /dev/full ]; then
	"$bin" --list-formats >/dev/full 2>/dev/null
	[ $? -eq 74 ] || fail "stdout write error: expected exit 74"
fi

# memory stays flat: 200,000 calendar rows and a 10 MB line within a few MB
# (AddressSanitizer keeps freed memory around: a looser bound for that build)
limit=32000
grep -q __asan_init "$bin" 2>/dev/null && limit=400000
if [ -x /usr/bin/time ]; then
	awk 'BEGIN { print "listing_id,date,available,price,adjusted_price,minimum_nights,maximum_nights";
		for (i = 0; i < 200000; i++)
			printf "%d,2024-%02d-%02d,t,\"$1,%03d.00\",,2,30\n", 1000 + i / 365, 1 + i % 12, 1 + i % 28, i % 1000 }' \
		>"$t_tmp/cal.csv"
	/usr/bin/time -f '%M' -o "$t_tmp/rss" "$bin" --format insideairbnb-calendar \
		--out "$out" "$t_tmp/cal.csv" >/dev/null 2>&1 || fail "big calendar: exit $?"
	[ "$(wc -l <"$out/pricing.tsv")" -eq 200000 ] || fail "big calendar: rows"
	[ "$(cat "$t_tmp/rss")" -lt $limit ] || fail "big calendar: peak RSS $(cat "$t_tmp/rss") kB"

	{ echo "id,name,description,host_name"; echo "1,ok,short,Ann"
	  printf '2,big,'; head -c 10485760 /dev/zero | tr '\0' 'x'; echo ',Bob'
	  echo "3,ok,\"multi
line\",Cy"; } >"$t_tmp/listings.csv"
	/usr/bin/time -f '%M' -o "$t_tmp/rss" "$bin" --format insideairbnb-listings \
		--max-reject-ratio 1 --out "$out" "$t_tmp/listings.csv" >/dev/null 2>&1 ||
		fail "10 MB line: exit $?"
	[ "$(wc -l <"$out/listings.tsv")" -eq 2 ] || fail "10 MB line: listings"
	grep -q 'record too large' "$out/rejects.tsv" || fail "10 MB line: no reject"
	[ "$(cat "$t_tmp/rss")" -lt $limit ] || fail "10 MB line: peak RSS $(cat "$t_tmp/rss") kB"
fi

# a run that does not exist: 66
"$bin" --run r-none --landing "$t_tmp/landing" --out "$out" >/dev/null 2>&1
[ $? -eq 66 ] || fail "missing run: expected exit 66"
exit 0
