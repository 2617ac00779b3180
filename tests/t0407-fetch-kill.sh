#!/bin/sh
# Killing a worker mid-run (SIGKILL) and starting again loses nothing and duplicates
# nothing: with the local queue (the manifest) and with the PostgreSQL queue (an expired
# lease is reclaimed; what the dead worker landed is not fetched again).
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

n=30
i=1
while [ $i -le $n ]; do
	src "k$i" "/slow?ms=200&i=$i" 'concurrency = 2'
	i=$((i + 1))
done

check() { # run
	m=$LAND/runs/$1/manifest.jsonl
	got=$(sed 's/.*"url":"\([^"]*\)".*/\1/' "$m" | sort -u | wc -l)
	[ "$got" = $n ] || fail "$1: $got URLs in the manifest, want $n"
	[ "$(wc -l <"$m")" = $n ] || fail "$1: $(wc -l <"$m") manifest lines for $n URLs (a duplicate)"
	[ "$(grep -c '"outcome":"landed"' "$m")" = $n ] || fail "$1: not all landed"
	i=1
	while [ $i -le $n ]; do
		h=$(hits "/slow?ms=200&i=$i")
		[ "$h" -ge 1 ] && [ "$h" -le 2 ] || fail "$1: /slow?ms=200&i=$i requested $h times"
		i=$((i + 1))
	done
	[ -z "$(ls "$LAND/tmp")" ] || true # a killed worker may leave a temporary; never an object
}

kill_after() { # seconds, command...
	s=$1
	shift
	"$@" >/dev/null 2>"$t_tmp/killed.err" &
	p=$!
	sleep "$s"
	kill -9 $p 2>/dev/null || fail "the worker finished before it was killed"
	wait $p 2>/dev/null
}

# local queue
kill_after 1.2 "$MI_BIN/mi-fetch" --local --config-dir "$CONF" --landing "$LAND" --run local-1
before=$(grep -c . "$LAND/runs/local-1/manifest.jsonl")
[ "$before" -gt 0 ] && [ "$before" -lt $n ] || fail "killed too early or too late ($before done)"
fetch --run local-1 >/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "local resume"; }
check local-1

# shared queue
[ -n "${PGHOST:-}" ] || skip "no PostgreSQL (PGHOST unset); the local part passed"
fresh_db
httpd_stop
httpd_start
sed -i "s|http://127.0.0.1:[0-9]*/|$BASE/|" "$CONF"/sources/*.ini
kill_after 1.2 "$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-k --lease 2
leased=$(psql -XAtc "SELECT count(*) FROM etl.fetch_queue WHERE run_id = 'shared-k' AND state = 'leased'")
[ "$leased" -gt 0 ] || fail "nothing was leased by the killed worker"
"$MI_BIN/mi-fetch" --config-dir "$CONF" --landing "$LAND" --run shared-k --lease 2 \
	>"$t_tmp/out" 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "shared resume"; }
check shared-k
[ "$(psql -XAtc "SELECT count(*) FROM etl.fetch_queue WHERE run_id = 'shared-k' AND state <> 'done'")" = 0 ] ||
	fail "queue items left unfinished"
[ "$(psql -XAtc "SELECT count(*) FROM etl.fetch_queue WHERE run_id = 'shared-k' AND attempts > 1")" -gt 0 ] ||
	fail "no expired lease was reclaimed"
exit 0
