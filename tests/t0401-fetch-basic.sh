#!/bin/sh
# mi-fetch (local queue): landing by SHA-256, the manifest, compressed transfer, file://,
# robots.txt, the three pagination modes with their stops, and resuming a run id.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

src pages '/pages/1?last=3' '[paginate]' 'mode = json_next' 'next_field = paging.next'
src html '/html-pages/1?last=3' '[paginate]' 'mode = html_next'
src num '/num?page={page}&last=2' '[paginate]' 'mode = page_number' 'items_field = items'
src cursor '/cursor-loop/1' '[paginate]' 'mode = json_next' 'next_field = paging.next'
src limit '/pages/1?last=10' '[paginate]' 'mode = json_next' 'next_field = paging.next' 'max_pages = 2'
src private '/private/secret'
src gzip '/gzip'
src hello '/hello.txt'
cat >"$CONF/sources/county-file.ini" <<INI
[source]
id = county-file
kind = county_sales
county = 2
url = file://$(pwd)/fixtures/fetch/hello.txt
format = maui-rpt-sales
enabled = true
INI
src disabled '/never' && sed -i 's/enabled = true/enabled = false/' "$CONF/sources/disabled.ini"

fetch --run r1 >"$t_tmp/out" 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "first run exit $?"; }
cat "$t_tmp/out"
grep -q '"failed":0' "$t_tmp/out" || fail "failures in the first run"

# pagination: json next link, html next link, page number until an empty page
for t in '/pages/1?last=3' '/pages/2?last=3' '/pages/3?last=3' \
	'/html-pages/1?last=3' '/html-pages/2?last=3' '/html-pages/3?last=3' \
	'/num?page=1&last=2' '/num?page=2&last=2' '/num?page=3&last=2' \
	'/cursor-loop/1' '/cursor-loop/2' '/pages/1?last=10' '/pages/2?last=10' \
	/robots.txt /gzip /hello.txt; do
	[ "$(hits "$t")" = 1 ] || fail "$t requested $(hits "$t") times, want 1"
done
[ "$(hits '/num?page=4&last=2')" = 0 ] || fail "page_number went past the empty page"
[ "$(hits '/pages/3?last=10')" = 0 ] || fail "max_pages = 2 not enforced"
[ "$(hits '/private/secret')" = 0 ] || fail "robots.txt disallows /private/ but it was requested"
[ "$(hits '/never')" = 0 ] || fail "a disabled source was fetched"
[ "$(manifest_field r1 "$BASE/private/secret" outcome)" = robots ] || fail "robots outcome"
[ "$(manifest_field r1 "$BASE/cursor-loop/2" next)" = null ] || fail "a repeating cursor must stop"
[ "$(manifest_field r1 "$BASE/pages/2?last=3" page)" = 2 ] || fail "page numbers"
[ "$(manifest_field r1 "$BASE/pages/1?last=3" next)" = "$BASE/pages/2?last=3" ] || fail "next link"

# compressed transfer: stored decoded, the header recorded
[ "$(manifest_field r1 "$BASE/gzip" content_encoding)" = gzip ] || fail "gzip not negotiated"
[ "$(manifest_field r1 "$BASE/gzip" size)" = 50000 ] || fail "gzip body not decoded"
h=$(manifest_field r1 "$BASE/gzip" sha256)
head -c 8 "$LAND/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-)" | grep -q '^page 11' ||
	fail "the gzip body is not stored decoded"

# file:// county export
f="file://$(pwd)/fixtures/fetch/hello.txt"
[ "$(manifest_field r1 "$f" outcome)" = landed ] || fail "file:// not landed"
[ "$(manifest_field r1 "$f" sha256)" = "$(sha256sum fixtures/fetch/hello.txt | cut -d' ' -f1)" ] ||
	fail "file:// hash"

# every object is named by the SHA-256 of its bytes, read-only; no temporary left
for o in $(find "$LAND/objects" -type f); do
	n=$(basename "$(dirname "$o")")$(basename "$o")
	[ "$(sha256sum "$o" | cut -d' ' -f1)" = "$n" ] || fail "$o is not named by its hash"
	[ -w "$o" ] && [ "$(id -u)" != 0 ] && fail "$o is writable"
done
[ -z "$(ls "$LAND/tmp")" ] || fail "temporary files left in tmp/"
lines=$(wc -l <"$LAND/runs/r1/manifest.jsonl")
[ "$lines" = 17 ] || fail "manifest has $lines lines, want 17"

# the same run id again: nothing is fetched
cp "$STATS" "$t_tmp/stats.before"
fetch --run r1 >"$t_tmp/out2" 2>"$t_tmp/err2" || { cat "$t_tmp/err2"; fail "re-run exit"; }
cmp -s "$STATS" "$t_tmp/stats.before" || { diff "$t_tmp/stats.before" "$STATS"; fail "a re-run fetched again"; }
grep -q '"requests":0' "$t_tmp/out2" || fail "re-run made requests: $(cat "$t_tmp/out2")"
[ "$(wc -l <"$LAND/runs/r1/manifest.jsonl")" = 17 ] || fail "re-run appended to the manifest"

# a run that stopped after page 1: the re-run continues with pages 2 and 3 only
grep -v '"url":"[^"]*/pages/[23]?last=3"' "$LAND/runs/r1/manifest.jsonl" >"$t_tmp/m" &&
	cat "$t_tmp/m" >"$LAND/runs/r1/manifest.jsonl"
fetch --run r1 >"$t_tmp/out3" 2>"$t_tmp/err3" || { cat "$t_tmp/err3"; fail "resume exit"; }
[ "$(hits '/pages/1?last=3')" = 1 ] || fail "resume fetched page 1 again"
[ "$(hits '/pages/2?last=3')" = 2 ] || fail "resume did not fetch page 2"
[ "$(hits '/pages/3?last=3')" = 2 ] || fail "resume did not fetch page 3"
grep -q '"requests":2' "$t_tmp/out3" || fail "resume made other requests: $(cat "$t_tmp/out3")"

# --dry-run and usage
"$MI_BIN/mi-fetch" --local --config-dir "$CONF" --run r9 --dry-run --source hello >"$t_tmp/dry" ||
	fail "dry run"
[ "$(cat "$t_tmp/dry")" = "$(printf 'hello\t%s/hello.txt' "$BASE")" ] || fail "dry run output"
"$MI_BIN/mi-fetch" --local --config-dir "$CONF" --run r9 --source disabled >/dev/null 2>&1
[ $? = 78 ] || fail "naming a disabled source must be a config error"
"$MI_BIN/mi-fetch" --local --config-dir "$CONF" --run '../x' >/dev/null 2>&1
[ $? = 64 ] || fail "a bad run id must be a usage error"
"$MI_BIN/mi-fetch" >/dev/null 2>&1
[ $? = 64 ] || fail "--run is required"
"$MI_BIN/mi-fetch" --help | grep -q '^usage: mi-fetch' || fail "--help"
exit 0
