#!/bin/sh
# make bench-compset: mi-compset on Hawaii-scale generated data, on a throwaway durable
# server.  MI_BENCH_PROPERTIES located properties (default 35,000, about the number of
# Hawaii listings) are generated in SQL around 16 rental areas of the four counties
# (Waikiki, Ko Olina, North Shore, Kailua, Kaanapali, Napili, Kihei-Wailea, Lahaina,
# Kona, Waikoloa, Hilo, Volcano, Poipu, Princeville, Kapaa, Molokai), each with an
# active matched listing; 5 % are ours and 3 % are leads.  Then:
#   1. the nightly default (config/compset.ini: subjects = ours, prospects; k = 10,
#      every one of the listed properties a candidate);
#   2. the same again (the sets of the day are replaced: same rows);
#   3. market-wide (subjects = listed: a set for every one of the listed properties);
#   4. a cross-join reference in SQL for 200 subjects (what the grid avoids);
#   5. the market metrics: MI_BENCH_CALENDARS listings (default 3,000) get two calendar
#      snapshots a month apart (365 nights each, as Inside Airbnb publishes them), then
#      etl.refresh_market_metrics and the nightly mi-compset with metrics are timed.
# The last line is the seconds of run 1.
set -eu
bin=${MI_BIN:-bin}
n=${MI_BENCH_PROPERTIES:-35000}
top=$(pwd)
dir=$(mktemp -d "${MI_BENCH_DIR:-/tmp}/mi-bench-compset.XXXXXX")
chmod 755 "$dir"
trap 'sh "$top/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1; rm -rf "$dir"' EXIT
eval "$(sh scripts/pg.sh start "$dir/pg")"
export PGDATABASE=bench MI_LOG_LEVEL=warn
createdb bench
"$bin/mi-migrate" --dir sql >/dev/null

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

t=$(now)
psql -X -q -v ON_ERROR_STOP=1 -v n="$n" <<'EOF'
CREATE TEMP TABLE area (id int, county int, zone int, island text, lat float8, lon float8,
                        spread float8, weight int);
INSERT INTO area VALUES
    (0, 1, 2, 'Oahu', 21.2793, -157.8292, 0.012, 22), (1, 1, 9, 'Oahu', 21.3396, -158.1217, 0.015, 5),
    (2, 1, 5, 'Oahu', 21.6405, -158.0630, 0.030, 6), (3, 1, 4, 'Oahu', 21.3960, -157.7394, 0.020, 5),
    (4, 2, 4, 'Maui', 20.9380, -156.6905, 0.012, 10), (5, 2, 4, 'Maui', 20.9930, -156.6670, 0.010, 6),
    (6, 2, 3, 'Maui', 20.7300, -156.4500, 0.025, 14), (7, 2, 4, 'Maui', 20.8780, -156.6800, 0.010, 3),
    (8, 3, 7, 'Hawaii', 19.6400, -155.9900, 0.040, 10), (9, 3, 6, 'Hawaii', 19.9300, -155.7900, 0.020, 5),
    (10, 3, 2, 'Hawaii', 19.7200, -155.0800, 0.030, 2), (11, 3, 1, 'Hawaii', 19.4300, -155.2400, 0.030, 1),
    (12, 4, 2, 'Kauai', 21.8800, -159.4600, 0.015, 5), (13, 4, 5, 'Kauai', 22.2200, -159.4800, 0.015, 4),
    (14, 4, 4, 'Kauai', 22.0700, -159.3200, 0.020, 4), (15, 2, 5, 'Molokai', 21.0900, -157.0200, 0.030, 1);
-- pick an area by weight, scatter around it (Box-Muller), make a unique valid TMK
SELECT setseed(0.42);
CREATE TEMP TABLE gen AS
SELECT i, a.*,
       a.lat + a.spread * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS plat_,
       a.lon + a.spread * sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS plon_
  FROM generate_series(0, :n - 1) i
  JOIN LATERAL (SELECT * FROM area x
                 WHERE x.id = (SELECT y.id FROM (SELECT id, sum(weight) OVER (ORDER BY id) AS cum
                                                    FROM area) y
                                WHERE y.cum > (i * 7919) % (SELECT sum(weight) FROM area)
                                ORDER BY y.cum LIMIT 1)) a ON true;
INSERT INTO external.properties (tmk, island, city, latitude, longitude, property_type, bedrooms,
                                 bathrooms, max_guests, owner_name, owner_key, is_ours)
SELECT g.county::text || g.zone::text || (1 + i % 9)::text || lpad((1 + (i / 9) % 999)::text, 3, '0')
           || lpad((1 + i / 8991)::text, 3, '0') || '0000',
       g.island, 'Bench', round(g.plat_::numeric, 6), round(g.plon_::numeric, 6),
       (ARRAY['condo', 'condo', 'condo', 'single_family', 'single_family', 'townhouse',
              'hotel_condo', 'multi_family'])[1 + (i * 31) % 8],
       (i * 13) % 5, 1 + ((i * 17) % 6) * 0.5, 2 + (i * 7) % 9, 'OWNER ' || i, 'OWNER ' || i,
       i % 20 = 0
  FROM gen g;
INSERT INTO etl.listings (platform, listing_id, source, tmk, tmk_match_method, tmk_match_confidence,
                          latitude, longitude, is_active)
SELECT 'airbnb', (700000000 + row_number() OVER (ORDER BY tmk))::text, 'bench', tmk, 'geo', 0.7,
       latitude, longitude, true
  FROM external.properties;
-- 3 % are prospects' properties (leads)
INSERT INTO homeowner_acquisition.prospects (owner_key, display_name, lead_source_code)
SELECT owner_key, owner_name, 'OWNER_OUTREACH' FROM external.properties
 WHERE NOT is_ours AND abs(hashtext(tmk)) % 33 = 1;
INSERT INTO homeowner_acquisition.prospect_properties (prospect_id, tmk, lead_source_code)
SELECT pr.prospect_id, p.tmk, 'OWNER_OUTREACH'
  FROM homeowner_acquisition.prospects pr JOIN external.properties p ON p.owner_key = pr.owner_key;
ANALYZE;
EOF
echo "compset bench: $n properties and listings generated in $(elapsed "$t") s ($(nproc) CPUs, load $(cut -d" " -f1-3 /proc/loadavg))"
psql -XAtc "select island, count(*) from external.properties group by 1 order by 2 desc" |
	tr '\n' ' ' | sed 's/^/  by island: /; s/$/\n/'

run() { # label, args...
	label=$1
	shift
	t=$(now)
	out=$("$bin/mi-compset" --config config/compset.ini --portfolio config/portfolio.ini \
		--as-of 2026-11-20 "$@")
	secs=$(elapsed "$t")
	printf '%-34s %6s s wall   %s\n' "$label" "$secs" "$(echo "$out" | sed 's/^compset [0-9-]*: //')"
}
run "1. nightly (ours + leads, k 10)"
first=$secs
run "2. same date again (replaces)"
rows=$(psql -XAtc "select count(*) from external.competitive_sets where computed_on = '2026-11-20'")
echo "   rows for the day after two runs: $rows"
printf '[compset]\nsubjects = listed\n' >"$dir/listed.ini"
t=$(now)
out=$("$bin/mi-compset" --config "$dir/listed.ini" --as-of 2026-11-21 --no-metrics)
printf '%-34s %6s s wall   %s\n' "3. market-wide (listed, k 10)" "$(elapsed "$t")" \
	"$(echo "$out" | sed 's/^compset [0-9-]*: //')"

# the cross join the grid avoids, for 200 subjects, distance only (a lower bound of its cost)
t=$(now)
psql -X -q -c "SELECT count(*) FROM (
    SELECT s.tmk, c.tmk, row_number() OVER (PARTITION BY s.tmk ORDER BY
           (s.latitude - c.latitude)^2 + ((s.longitude - c.longitude) * 0.93)^2) AS r
      FROM (SELECT * FROM external.properties ORDER BY tmk LIMIT 200) s
     CROSS JOIN external.properties c WHERE c.tmk <> s.tmk) x WHERE r <= 10" >/dev/null
cj=$(elapsed "$t")
awk -v s="$cj" -v n="$n" 'BEGIN { printf "4. SQL cross join, 200 subjects:   %6.2f s wall   (~%.0f s for %d subjects)\n", s, s * n / 200, n }'

cal=${MI_BENCH_CALENDARS:-3000}
t=$(now)
psql -X -q -v ON_ERROR_STOP=1 -v cal="$cal" <<'EOF' >/dev/null
SELECT external.ensure_pricing_partition(d) FROM unnest('{2026-10-20,2026-11-20}'::date[]) d;
-- each night: booked ones close between the snapshots (one night in three), some are
-- blocked in both (one in eleven), the rest stay open
INSERT INTO external.property_pricing (platform, listing_id, snapshot_date, stay_date, available,
                                       nightly_rate, source)
SELECT l.platform, l.listing_id, s.d, n.d,
       CASE WHEN (k + (n.d - '2026-10-20')) % 11 = 0 THEN false
            WHEN (k + (n.d - '2026-10-20')) % 3 = 0 THEN s.d = '2026-10-20'
            ELSE true END,
       150 + k % 400, 'bench'
  FROM (SELECT platform, listing_id, row_number() OVER (ORDER BY listing_id)::int AS k
          FROM etl.listings ORDER BY listing_id LIMIT :cal) l,
       (VALUES ('2026-10-20'::date), ('2026-11-20'::date)) s(d),
       LATERAL (SELECT (s.d + g)::date AS d FROM generate_series(0, 364) g) n;
ANALYZE external.property_pricing;
EOF
prows=$(psql -XAtc "select count(*) from external.property_pricing")
echo "5. calendars: $prows pricing rows for $cal listings generated in $(elapsed "$t") s"
t=$(now)
mrows=$(psql -XAtc "select etl.refresh_market_metrics('2026-11-20', 90, 90)" 2>/dev/null)
secs=$(elapsed "$t")
awk -v s="$secs" -v r="$prows" -v m="$mrows" 'BEGIN { printf "   etl.refresh_market_metrics:   %6.2f s wall   %d metric rows, %.0f pricing rows/s\n", s, m, r / s }'
t=$(now)
marked=$(psql -XAtc "select etl.mark_night_status('2026-11-20')" 2>/dev/null)
printf '   etl.mark_night_status:        %6.2f s wall   %d pricing rows marked\n' "$(elapsed "$t")" "$marked"
run "   nightly with metrics (ours + leads)"
echo "$first"
