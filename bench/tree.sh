#!/bin/sh
# Throughput and peak memory of the tree formats on generated inputs:
#   geojson-parcels  a 150,000-parcel layer (streamed per feature)
#   xml-feed         5,000 properties x 100 nightly rates (streamed)
#   html-rules       a 10 MB page of listing cards (one line)
#   json-calendar    a 10 MB calendar page (one line)
# Run with `make bench-tree` (MI_BIN names the binaries' directory).
set -eu
bin=${MI_BIN:-bin}
work=${MI_BUILD:-build}/bench-tree
mkdir -p "$work"

awk 'BEGIN {
	printf "{\"type\":\"FeatureCollection\",\"features\":[\n";
	for (i = 0; i < 150000; i++) {
		x = -156.5 + (i % 1000) * 0.0005; y = 20.7 + int(i / 1000) * 0.0005;
		printf "%s{\"type\":\"Feature\",\"properties\":{\"tmk\":\"2%d%d%03d%03d\",\"gisacres\":0.25},", \
			(i ? "," : ""), 1 + i % 6, 1 + i % 9, 1 + i % 999, 1 + int(i / 7) % 999;
		printf "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}}\n", \
			x, y, x + 0.0004, y, x + 0.0004, y + 0.0004, x, y + 0.0004, x, y;
	}
	print "]}";
}' >"$work/parcels.geojson"

awk 'BEGIN {
	print "<?xml version=\"1.0\" encoding=\"UTF-8\"?>";
	print "<feed company=\"Bench Rentals\"><properties>";
	for (p = 0; p < 5000; p++) {
		printf "<property id=\"B-%d\"><name>Kihei unit %d</name><bedrooms>%d</bedrooms>", p, p, 1 + p % 4;
		printf "<description>TA-%03d-%03d-%04d-01 TMK (2) 3-9-%03d:%03d</description>", p % 1000, 100 + p % 900, p, 1 + p % 999, 1 + p % 997;
		printf "<baseRate currency=\"USD\">%d.00</baseRate><rates>\n", 150 + p % 500;
		for (d = 0; d < 100; d++)
			printf "<rate date=\"2027-%02d-%02d\" status=\"%s\" amount=\"%d.00\" minStay=\"3\"/>\n", 1 + int(d / 28), 1 + d % 28, (d % 3 ? "available" : "booked"), 150 + (p + d) % 500;
		print "</rates></property>";
	}
	print "</properties></feed>";
}' >"$work/feed.xml"

awk 'BEGIN {
	printf "<html><head><meta property=\"og:site_name\" content=\"Bench PM\"></head><body>";
	for (i = 0; len < 10485760; i++) {
		s = sprintf("<div class=\"property-card\" data-property-id=\"P%d\"><a class=\"property-link\" href=\"https://pm.example/%d\"><h3 class=\"property-name\">Unit %d</h3></a><span class=\"beds\">%d Bedrooms</span><div class=\"location\">Kihei, HI 96753</div><span class=\"amount\">$%d</span><p class=\"license\">TA-123-456-%04d-01</p></div>", i, i, i, 1 + i % 4, 100 + i % 400, i % 10000);
		printf "%s", s; len += length(s);
	}
	print "</body></html>";
}' >"$work/cards.html"

awk 'BEGIN {
	printf "{\"listingId\":\"L1\",\"currency\":\"USD\",\"generatedAt\":\"2026-11-20\",\"months\":[{\"days\":[";
	for (i = 0; len < 10485760; i++) {
		s = sprintf("%s{\"date\":\"2027-%02d-%02d\",\"available\":%s,\"price\":%d,\"minNights\":3}", (i ? "," : ""), 1 + i % 12, 1 + i % 28, (i % 3 ? "true" : "false"), 100 + i % 300);
		printf "%s", s; len += length(s);
	}
	print "]}]}";
}' >"$work/calendar.json"

run() {
	# run FORMAT INPUT ARGS...: one line of figures
	fmt=$1 in=$2
	shift 2
	rm -rf "$work/out"
	/usr/bin/time -f "%e %M %U %S" -o "$work/time" "$bin/mi-parse" --format "$fmt" "$@" \
		--max-reject-ratio 1 --out "$work/out" "$in" >/dev/null 2>&1
	rows=$(cat "$work/out"/*.tsv | wc -l)
	rej=$(wc -l <"$work/out/rejects.tsv")
	bytes=$(wc -c <"$in")
	read -r secs kb usr sys <"$work/time"
	# wall time includes the fsync of the output files; CPU time is user + system
	awk -v f="$fmt" -v b="$bytes" -v r="$rows" -v j="$rej" -v s="$secs" -v k="$kb" \
		-v c="$usr" -v y="$sys" 'BEGIN {
		if (s <= 0) s = 0.01; c += y; if (c <= 0) c = 0.01;
		printf "bench-tree: %-16s %6.1f MB %8d rows (%d rejects) wall %5.2f s cpu %5.2f s: %5.1f MB/s %8.0f rows/s (cpu), peak %6.1f MB\n",
			f, b / 1048576, r, j, s, c, b / 1048576 / c, r / c, k / 1024 }'
}

run geojson-parcels "$work/parcels.geojson" --source bench-parcels
run xml-feed "$work/feed.xml" --config config/feeds/islandfeed.ini --source islandfeed --snapshot-date 2026-11-20
run html-rules "$work/cards.html" --config config/sites/example-pm.ini --source example-pm --snapshot-date 2026-11-20
run json-calendar "$work/calendar.json" --config config/apis/example-calendar.ini --source example-calendar
