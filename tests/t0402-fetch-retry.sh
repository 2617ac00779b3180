#!/bin/sh
# mi-fetch against a misbehaving server: 429 and 503 with Retry-After (seconds and HTTP
# date), 5xx until attempts run out, truncated bodies, slow and dripping responses,
# a redirect loop, oversized bodies (announced and chunked), 404, and a host parked when
# its Retry-After goes past the run's budget.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

src s429 '/status/429?retry-after=1&fail=1'
src s503date '/status/503?retry-after=date:2&fail=1'
src s503 '/status/503' 'max_attempts = 3'
src trunc '/truncate?fail=1'
src slow '/slow?ms=3000' 'timeout = 1' 'max_attempts = 2'
src drip '/slow?ms=700&drip=1' 'low_speed_limit = 100' 'low_speed_time = 1' 'max_attempts = 1'
src loop '/redirect-loop' 'max_redirects = 5'
src big '/big?bytes=300000' 'max_body = 100000'
src bigchunk '/big?bytes=300000&chunked=1' 'max_body = 100000'
src missing '/no-such-file'
src ok '/hello.txt'

fetch --run r1 >"$t_tmp/out" 2>"$t_tmp/err"
rc=$?
cat "$t_tmp/out"
[ $rc = 1 ] || { cat "$t_tmp/err"; fail "exit $rc, want 1 (partial)"; }

# gap in milliseconds between the first two requests of a target (server's clock)
gap() {
	awk -v t="$1" '$2 == t { if (n++) { print $1 - first; exit } first = $1 }' "$t_tmp/requests.log"
}

# 429 + Retry-After: 1 -> one retry, at least a second later (the backoff alone is 50 ms)
[ "$(manifest_field r1 "$BASE/status/429?retry-after=1&fail=1" outcome)" = landed ] || fail "429 not retried"
[ "$(manifest_field r1 "$BASE/status/429?retry-after=1&fail=1" attempts)" = 2 ] || fail "429 attempts"
g=$(gap '/status/429?retry-after=1&fail=1')
[ "$g" -ge 1000 ] || fail "Retry-After: 1 not honoured (retried after $g ms)"
# 503 + Retry-After as an HTTP date 2 s ahead (whole seconds: at least 1 s)
[ "$(manifest_field r1 "$BASE/status/503?retry-after=date:2&fail=1" outcome)" = landed ] || fail "503 date"
g=$(gap '/status/503?retry-after=date:2&fail=1')
[ "$g" -ge 1000 ] || fail "Retry-After as a date not honoured (retried after $g ms)"
# 503 for ever: exactly max_attempts requests, then the failure is recorded
[ "$(hits /status/503)" = 3 ] || fail "503 requested $(hits /status/503) times, want 3"
manifest_field r1 "$BASE/status/503" error | grep -q 'giving up after 3 attempts: HTTP status 503' ||
	fail "503 error: $(manifest_field r1 "$BASE/status/503" error)"
# a truncated body is never stored; the retry lands the whole body
[ "$(manifest_field r1 "$BASE/truncate?fail=1" outcome)" = landed ] || fail "truncate not retried"
[ "$(manifest_field r1 "$BASE/truncate?fail=1" size)" = 10000 ] || fail "truncated body stored"
[ "$(hits '/truncate?fail=1')" = 2 ] || fail "truncate hits"
# slow: the total timeout, retried, then failed
[ "$(hits '/slow?ms=3000')" = 2 ] || fail "slow hits $(hits '/slow?ms=3000')"
manifest_field r1 "$BASE/slow?ms=3000" error | grep -qi 'timed out' || fail "slow error"
# dripping body: the low-speed limit
[ "$(manifest_field r1 "$BASE/slow?ms=700&drip=1" outcome)" = failed ] || fail "drip not failed"
manifest_field r1 "$BASE/slow?ms=700&drip=1" error | grep -qi 'too slow\|timed out' ||
	fail "drip error: $(manifest_field r1 "$BASE/slow?ms=700&drip=1" error)"
# redirect loop: stopped at the limit, not retried
[ "$(manifest_field r1 "$BASE/redirect-loop" error)" = "more than 5 redirects" ] || fail "loop error"
[ "$(hits /redirect-loop)" = 3 ] && [ "$(hits /redirect-loop-b)" = 3 ] || fail "loop hits"
# oversized bodies: refused, recorded, nothing stored, not retried
for t in '/big?bytes=300000' '/big?bytes=300000&chunked=1'; do
	[ "$(manifest_field r1 "$BASE$t" error)" = "body larger than 100000 bytes: not stored" ] ||
		fail "$t: $(manifest_field r1 "$BASE$t" error)"
	[ "$(hits "$t")" = 1 ] || fail "$t retried"
done
find "$LAND/objects" -type f -size +90k | grep -q . && fail "an oversized body was stored"
[ -z "$(ls "$LAND/tmp")" ] || fail "temporaries left in tmp/"
# 404: a permanent error
[ "$(manifest_field r1 "$BASE/no-such-file" error)" = "HTTP status 404" ] || fail "404"
[ "$(hits /no-such-file)" = 1 ] || fail "404 retried"
[ "$(manifest_field r1 "$BASE/hello.txt" outcome)" = landed ] || fail "the good source"

# connection errors are retried too (port 1 on loopback: nothing listens there)
rm -f "$CONF"/sources/*.ini
cat >"$CONF/sources/refused.ini" <<INI
[source]
id = refused
kind = reviews
url = http://127.0.0.1:1/x
format = json-reviews
enabled = true
[fetch]
robots = false
max_attempts = 3
INI
MI_LOG_LEVEL=info fetch --run r3 >/dev/null 2>"$t_tmp/err3"
[ $? = 69 ] || fail "nothing fetched must exit 69"
[ "$(grep -c '"event":"retry"' "$t_tmp/err3")" = 2 ] || fail "connection refused not retried twice"
manifest_field r3 "http://127.0.0.1:1/x" error | grep -q '^giving up after 3 attempts: ' || fail "refused error"

# a Retry-After longer than the budget parks the host: nothing more is sent to it
rm -f "$CONF"/sources/*.ini
src a-first '/hello.txt?a' 'concurrency = 1'
src m-park '/status/503?retry-after=100' 'concurrency = 1'
src z-after '/hello.txt?z' 'concurrency = 1'
start=$(date +%s)
fetch --run r2 --budget 5 >"$t_tmp/out2" 2>"$t_tmp/err2"
rc=$?
[ $rc = 1 ] || { cat "$t_tmp/err2"; fail "parked run exit $rc, want 1"; }
[ $(($(date +%s) - start)) -lt 5 ] || fail "the run waited for a parked host"
[ "$(manifest_field r2 "$BASE/hello.txt?a" outcome)" = landed ] || fail "a-first"
[ "$(manifest_field r2 "$BASE/status/503?retry-after=100" outcome)" = parked ] || fail "not parked"
[ "$(manifest_field r2 "$BASE/status/503?retry-after=100" retry_after)" = 100 ] || fail "retry_after kept"
[ "$(manifest_field r2 "$BASE/hello.txt?z" outcome)" = parked ] || fail "the host's other items not parked"
[ "$(hits '/hello.txt?z')" = 0 ] || fail "a parked host was sent a request"
grep -q '"parked":2' "$t_tmp/out2" || fail "summary: $(cat "$t_tmp/out2")"
exit 0
