#!/bin/sh
# robots.txt: obeyed, cached for a day in the landing store, fails closed on 5xx/429/no
# answer, allows on other 4xx, and can be switched off per source.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

src ok '/hello.txt'
src private '/private/secret'
src allowed '/private/ok'
fetch --run r1 >/dev/null 2>"$t_tmp/err"
[ "$(hits /private/secret)" = 0 ] || fail "disallowed path requested"
[ "$(hits /private/ok)" = 1 ] || fail "the longer Allow rule must win"
[ "$(hits /robots.txt)" = 1 ] || fail "robots.txt hits"
# cached: a second run the same day does not ask again
fetch --run r2 >/dev/null 2>"$t_tmp/err"
[ "$(hits /robots.txt)" = 1 ] || fail "robots.txt not cached"
# robots = false in the source
src private '/private/secret' 'robots = false'
rm -f "$CONF/sources/ok.ini" "$CONF/sources/allowed.ini"
fetch --run r3 >/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "robots = false run"; }
[ "$(hits /private/secret)" = 1 ] || fail "robots = false not honoured"
# an item waiting to be retried at the head of the host's queue does not let a
# disallowed item behind it through unchecked
rm -f "$CONF"/sources/*.ini
src a-retry '/status/503?fail=1&r=1' 'concurrency = 1'
src b-private '/private/secret?b=1' 'concurrency = 1'
"$MI_BIN/mi-fetch" --local --config-dir "$CONF" --landing "$LAND" --run r6 --backoff-ms 1000 \
	>/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "retry + robots run"; }
[ "$(hits '/private/secret?b=1')" = 0 ] || fail "a disallowed item behind a retry was fetched"
[ "$(manifest_field r6 "$BASE/private/secret?b=1" outcome)" = robots ] || fail "robots outcome"
httpd_stop

for mode in 503 429 slow; do
	rm -rf "$LAND" "$CONF/sources"/*
	httpd_start -r $mode
	src ok '/hello.txt' 'timeout = 2'
	fetch --run "r-$mode" >/dev/null 2>"$t_tmp/err"
	rc=$?
	[ $rc = 69 ] || fail "robots $mode: exit $rc, want 69"
	[ "$(hits /hello.txt)" = 0 ] || fail "robots $mode: fetched anyway (must fail closed)"
	manifest_field "r-$mode" "$BASE/hello.txt" error | grep -q 'fail closed' || fail "robots $mode: error"
	httpd_stop
done

# Crawl-delay: 1 spaces the requests even when the source sets no rate
rm -rf "$LAND" "$CONF/sources"/*
httpd_start -r delay
src d1 '/hello.txt?d=1' 'concurrency = 4'
src d2 '/hello.txt?d=2' 'concurrency = 4'
src d3 '/hello.txt?d=3' 'concurrency = 4'
fetch --run r5 >/dev/null 2>"$t_tmp/err" || fail "crawl-delay run"
awk '$2 ~ /^\/hello.txt\?d=/ { t[n++] = $1 } END { exit !(n == 3 && t[2] - t[0] >= 1800) }' \
	"$t_tmp/requests.log" || { cat "$t_tmp/requests.log"; fail "Crawl-delay not honoured"; }
httpd_stop

rm -rf "$LAND" "$CONF/sources"/*
httpd_start -r 404
src ok '/hello.txt'
fetch --run r4 >/dev/null 2>"$t_tmp/err" || fail "robots 404 must allow"
[ "$(hits /hello.txt)" = 1 ] || fail "robots 404: not fetched"
exit 0
