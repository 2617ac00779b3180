#!/bin/sh
# make bench-fetch: the fetch engine against the loopback test server (build/tools/httpd).
#   1. throughput with politeness off: 10,000 pages of 20 KB, 64 transfers in flight
#      (pages per second, CPU time per page, peak memory), bodies not fsync'd, then the
#      same with fsync on 2,000 pages;
#   2. how closely a configured rate is kept: 10 requests per second per host, 50 pages,
#      measured from the server's arrival times;
#   3. mi-fetch end to end (config, landing, manifest): 1,000 sources, politeness off.
# Env: MI_BUILD, MI_BIN (set by make), FETCH_PAGES (default 10000).
set -eu
MI_BUILD=${MI_BUILD:-build}
MI_BIN=${MI_BIN:-bin}
pages=${FETCH_PAGES:-10000}
export MI_LOG_LEVEL=${MI_LOG_LEVEL:-warn}
tmp=$(mktemp -d /tmp/mi-bench-fetch.XXXXXX)
"$MI_BUILD/tools/httpd" -p "$tmp/port" -l "$tmp/requests.log" >/dev/null 2>&1 &
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$tmp"' EXIT
i=0
while [ ! -s "$tmp/port" ]; do i=$((i + 1)); [ $i -lt 100 ] || exit 1; sleep 0.05; done
base="http://127.0.0.1:$(cat "$tmp/port")"
echo "fetch bench: server $base, $(nproc) CPUs, $(uname -sr)"

echo "1. politeness off, $pages pages of 20 KB, 64 in flight, no fsync:"
"$MI_BUILD/bench/fetchbench" -u "$base" -n "$pages" -s 20000 -c 64 -d "$tmp/l1"
echo "   same, 2000 pages, fsync of every body and manifest line:"
"$MI_BUILD/bench/fetchbench" -u "$base" -n 2000 -s 20000 -c 64 -f -d "$tmp/l2"
echo "   1 transfer in flight (latency bound), 2000 pages:"
"$MI_BUILD/bench/fetchbench" -u "$base" -n 2000 -s 20000 -c 1 -d "$tmp/l3"

echo "2. rate 10/s per host, 50 pages, 4 per host in flight (politeness on):"
: >"$tmp/requests.log"
"$MI_BUILD/bench/fetchbench" -u "$base" -n 50 -s 20000 -c 4 -r 10 -d "$tmp/l4"
awk '$2 ~ /^\/gen\// { t[n++] = $1 }
     END {
	span = t[n - 1] - t[0]
	for (i = 1; i < n; i++) {
		g = t[i] - t[i - 1]; sum += g
		d = g - 100; if (d < 0) d = -d; if (d > maxdev) maxdev = d
		if (g < 90) under++
		if (g < ming || i == 1) ming = g
		if (g > maxg) maxg = g
	}
	printf "   {\"requests\":%d,\"achieved_per_s\":%.3f,\"mean_gap_ms\":%.1f,\"min_gap_ms\":%d,\"max_gap_ms\":%d,\"max_abs_dev_ms\":%d,\"gaps_under_90ms\":%d}\n",
		n, (n - 1) * 1000 / span, sum / (n - 1), ming, maxg, maxdev, under + 0
     }' "$tmp/requests.log"

echo "3. mi-fetch --local --no-politeness --no-fsync, 1000 sources (one page each):"
mkdir -p "$tmp/conf/sources"
i=1
while [ $i -le 1000 ]; do
	printf '[source]\nid = b%d\nkind = pricing\nurl = %s/gen/%d?size=20000\nformat = bench\nenabled = true\n' \
		$i "$base" $((i + 100000)) >"$tmp/conf/sources/b$i.ini"
	i=$((i + 1))
done
/usr/bin/time -f '   {"wall_s":%e,"user_s":%U,"sys_s":%S,"peak_rss_kb":%M}' \
	"$MI_BIN/mi-fetch" --local --no-politeness --no-fsync --workers 64 --config-dir "$tmp/conf" \
	--landing "$tmp/l5" --run bench-e2e 2>&1 >"$tmp/e2e.out" | grep wall_s || true
sed 's/^/   /' "$tmp/e2e.out"
