#!/bin/sh
# Per-host politeness: the concurrency cap holds (a handle joins only when its host has a
# free slot) and the request rate is kept; --no-politeness lifts both.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

i=1
while [ $i -le 8 ]; do
	src "slow$i" "/slow?ms=300&i=$i" 'concurrency = 2'
	i=$((i + 1))
done
fetch --run r1 --workers 16 >/dev/null 2>"$t_tmp/err" || fail "cap run"
m=$(awk '$1 == "max-inflight" { print $2 }' "$STATS")
[ "$m" = 2 ] || fail "per-host cap 2, server saw $m at once"

rm -f "$CONF"/sources/*.ini; : >"$t_tmp/requests.log"
i=1
while [ $i -le 6 ]; do
	src "r$i" "/hello.txt?r=$i" 'concurrency = 4' 'rate = 5'
	i=$((i + 1))
done
fetch --run r2 >/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "rate run"; }
# 5 requests per second: the client spaces starts 200 ms apart.  Measured where the
# server sees them arrive, from the second request on: the first one pays for a new
# connection (the server starts a thread for it), which under load delays its arrival by
# tens of milliseconds and would shorten the first gap, not the rate.  So: starts 2-6
# span at least 800 ms, and no 3 consecutive starts fall within 400 ms (arrival times
# jitter with the machine's load, hence the slack)
awk '$2 ~ /^\/hello.txt\?r=/ { t[n++] = $1 }
     END { if (n != 6) { print "requests " n; exit 1 }
           if (t[5] - t[1] < 770) { print "span " t[5] - t[1]; exit 1 }
           for (i = 3; i < n; i++) if (t[i] - t[i - 2] < 340) { print "window " t[i] - t[i - 2]; exit 1 } }' \
	"$t_tmp/requests.log" || { cat "$t_tmp/requests.log"; fail "rate 5/s not kept"; }

rm -f "$CONF"/sources/*.ini
i=1
while [ $i -le 8 ]; do
	src "fast$i" "/slow?ms=300&f=$i" 'concurrency = 2'
	i=$((i + 1))
done
"$MI_BIN/mi-fetch" --local --config-dir "$CONF" --landing "$LAND" --run r3 --workers 8 \
	--no-politeness >/dev/null 2>"$t_tmp/err" || fail "no-politeness run"
m=$(awk '$1 == "max-inflight" { print $2 }' "$STATS")
[ "$m" -ge 6 ] || fail "--no-politeness: only $m in flight"
exit 0
