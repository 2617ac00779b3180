#!/bin/sh
# Two mi-fetch workers on one PostgreSQL queue split a run: every URL is requested once
# (the server counts), every page of a paginated source once, and the manifest has each
# URL once.
. tests/lib.sh
[ -n "${PGHOST:-}" ] || skip "no PostgreSQL (PGHOST unset)"
. tests/fetch-lib.sh
fresh_db
httpd_start

n=40
i=1
while [ $i -le $n ]; do
	src "u$i" "/slow?ms=100&i=$i" 'concurrency = 4'
	i=$((i + 1))
done
src pages '/pages/1?last=5' 'concurrency = 4' '[paginate]' 'mode = json_next' 'next_field = paging.next'

worker() {
	"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-1 --workers 4 \
		--lease 30 >"$t_tmp/out.$1" 2>"$t_tmp/err.$1"
}
worker a &
pa=$!
worker b &
pb=$!
wait $pa || { cat "$t_tmp/err.a"; fail "worker a exit"; }
wait $pb || { cat "$t_tmp/err.b"; fail "worker b exit"; }
cat "$t_tmp/out.a" "$t_tmp/out.b"

i=1
while [ $i -le $n ]; do
	[ "$(hits "/slow?ms=100&i=$i")" = 1 ] || fail "/slow?ms=100&i=$i requested $(hits "/slow?ms=100&i=$i") times"
	i=$((i + 1))
done
for p in '/pages/1?last=5' '/pages/2?last=5' '/pages/3?last=5' '/pages/4?last=5' '/pages/5?last=5'; do
	[ "$(hits "$p")" = 1 ] || fail "$p requested $(hits "$p") times"
done
[ "$(hits /robots.txt)" -le 2 ] || fail "robots.txt more than once per worker"
# both workers did part of the work
la=$(sed -n 's/.*"landed":\([0-9]*\).*/\1/p' "$t_tmp/out.a")
lb=$(sed -n 's/.*"landed":\([0-9]*\).*/\1/p' "$t_tmp/out.b")
[ $((la + lb)) = $((n + 5)) ] || fail "landed $la + $lb, want $((n + 5))"
[ "$la" -gt 0 ] && [ "$lb" -gt 0 ] || fail "one worker did everything ($la / $lb)"
m=$LAND/runs/shared-1/manifest.jsonl
[ "$(wc -l <"$m")" = $((n + 5)) ] || fail "manifest lines $(wc -l <"$m")"
[ "$(sed 's/.*"url":"\([^"]*\)".*/\1/' "$m" | sort | uniq -d | wc -l)" = 0 ] || fail "a URL twice in the manifest"
[ "$(psql -XAtc "SELECT count(*) FROM etl.fetch_queue WHERE run_id = 'shared-1' AND state = 'done'")" = $((n + 5)) ] ||
	fail "queue not all done"
[ "$(psql -XAtc "SELECT count(*) FROM etl.fetch_state WHERE last_hash IS NOT NULL")" = $((n + 5)) ] ||
	fail "fetch_state not saved"
[ "$(psql -XAtc "SELECT max(page) FROM etl.fetch_queue WHERE source = 'pages'")" = 5 ] || fail "page numbers"
[ "$(psql -XAtc "SELECT count(*) FROM etl.runs WHERE run_id = 'shared-1'")" = 1 ] || fail "run not registered"

# the same run again: nothing to do, nothing requested
cp "$STATS" "$t_tmp/stats.before"
worker c || { cat "$t_tmp/err.c"; fail "re-run"; }
cmp -s "$STATS" "$t_tmp/stats.before" || fail "a re-run of a finished run fetched again"

# conditional requests through the shared state: a new run gets 304s for /etag
src etag '/etag'
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-2 --source etag >/dev/null 2>&1 || fail "etag 1"
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-3 --source etag >/dev/null 2>&1 || fail "etag 2"
[ "$(manifest_field shared-3 "$BASE/etag" outcome)" = not_modified ] || fail "no 304 from the shared state"

# the per-host rate holds across workers (etl.host_state.next_allowed_at): 5 per second
rm -f "$CONF"/sources/*.ini
: >"$t_tmp/requests.log"
i=1
while [ $i -le 10 ]; do
	src "rate$i" "/hello.txt?rate=$i" 'concurrency = 4' 'rate = 5'
	i=$((i + 1))
done
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-r >/dev/null 2>"$t_tmp/err.r1" &
pa=$!
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-r >/dev/null 2>"$t_tmp/err.r2" &
pb=$!
wait $pa || { cat "$t_tmp/err.r1"; fail "rate worker 1"; }
wait $pb || { cat "$t_tmp/err.r2"; fail "rate worker 2"; }
awk '$2 ~ /^\/hello.txt\?rate=/ { t[n++] = $1 }
     END { if (n != 10) { print "requests " n; exit 1 }
           if (t[9] - t[0] < 1750) { print "span " t[9] - t[0]; exit 1 }
           for (i = 2; i < n; i++) if (t[i] - t[i - 2] < 340) { print "window " t[i] - t[i - 2]; exit 1 } }' \
	"$t_tmp/requests.log" || { cat "$t_tmp/requests.log"; fail "two workers broke the 5/s host rate"; }

# a Retry-After past the budget parks the host for every worker (etl.host_state)
rm -f "$CONF"/sources/*.ini
src a-park '/status/503?retry-after=100' 'concurrency = 1'
src z-after '/hello.txt?z' 'concurrency = 1'
start=$(date +%s)
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-4 --budget 5 \
	>"$t_tmp/out.p" 2>"$t_tmp/err.p"
rc=$?
[ $rc = 69 ] || [ $rc = 1 ] || { cat "$t_tmp/err.p"; fail "parked run exit $rc"; }
[ $(($(date +%s) - start)) -lt 5 ] || fail "the run waited for a parked host"
[ "$(psql -XAtc "SELECT count(*) FROM etl.host_state WHERE host = '127.0.0.1' AND parked_until > now() + interval '60 seconds'")" = 1 ] ||
	fail "host not parked in etl.host_state"
[ "$(hits '/hello.txt?z')" = 0 ] || fail "a parked host was sent a request"
grep -q '"parked":[12]' "$t_tmp/out.p" || fail "summary: $(cat "$t_tmp/out.p")"
# another worker does not wait for the parked host, and sends it nothing
start=$(date +%s)
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-4 >/dev/null 2>&1
[ $(($(date +%s) - start)) -lt 5 ] || fail "a second worker waited for a parked host"
[ "$(hits '/hello.txt?z')" = 0 ] && [ "$(hits '/status/503?retry-after=100')" = 1 ] ||
	fail "a second worker sent requests to a parked host"
exit 0
