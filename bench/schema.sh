#!/bin/sh
# make bench-schema: load one calendar snapshot into external.property_pricing
# through the two paths the schema offers, on a throwaway durable server:
#   insert  ensure_pricing_partition(d), COPY into the partitioned table (the
#           primary key is maintained row by row)
#   attach  CREATE TABLE ... (LIKE external.property_pricing ...), COPY, add the
#           primary key, attach_pricing_snapshot(table, d)
#   reload  the same snapshot again through a staging table with
#           INSERT ... ON CONFLICT DO NOTHING (an idempotent re-run: 0 rows)
# Reports seconds and rows/s per path; the last line is the attach rows/s.
# Knobs: MI_BENCH_LISTINGS (default 3000; Hawaii is ~35000), MI_BENCH_DIR.
set -eu
bin=${MI_BIN:-bin}
listings=${MI_BENCH_LISTINGS:-3000}
rows=$((listings * 365))
top=$(pwd)
dir=$(mktemp -d "${MI_BENCH_DIR:-/tmp}/mi-bench-schema.XXXXXX")
chmod 755 "$dir"
trap 'sh "$top/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1; rm -rf "$dir"' EXIT
eval "$(sh scripts/pg.sh start "$dir/pg")"
export PGDATABASE=bench
createdb bench
"$bin/mi-migrate" --dir sql >/dev/null

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
report() { # label seconds
	awk -v l="$1" -v s="$2" -v n="$rows" 'BEGIN { printf "%-7s %8.2f s %10.0f rows/s\n", l, s, n / s }'
}
gen() { # snapshot date -> COPY text file of a calendar snapshot (\copy wants one line)
	psql -X -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT 'airbnb', (1000000000 + l)::text, '$1'::date, '$1'::date + d, (l + d) % 3 <> 0, 80 + (l % 900) + (d % 7) * 5, 80 + (l % 900), 'USD', 1 + l % 5, 1125, NULL, NULL, NULL, 'insideairbnb-hi', 'bench-1' FROM generate_series(1, $listings) l, generate_series(0, 364) d) TO '$dir/$1.copy'"
}
cols="platform, listing_id, snapshot_date, stay_date, available, nightly_rate, adjusted_rate, currency, min_nights, max_nights, cleaning_fee, inferred_status, inferred_confidence, source, run_id"

echo "snapshot: $listings listings x 365 nights = $rows rows"
gen 2024-09-13
gen 2024-09-20

t0=$(now)
psql -X -q -v ON_ERROR_STOP=1 -c "SELECT external.ensure_pricing_partition('2024-09-13')" >/dev/null
psql -X -q -v ON_ERROR_STOP=1 -c "\\copy external.property_pricing ($cols) FROM '$dir/2024-09-13.copy'"
report insert "$(elapsed "$t0")"

t0=$(now)
psql -X -q -v ON_ERROR_STOP=1 >/dev/null <<EOF
CREATE TABLE public.snap (LIKE external.property_pricing INCLUDING DEFAULTS INCLUDING CONSTRAINTS);
\\copy public.snap ($cols) FROM '$dir/2024-09-20.copy'
ALTER TABLE public.snap ADD PRIMARY KEY (platform, listing_id, snapshot_date, stay_date);
SELECT external.attach_pricing_snapshot('public.snap', '2024-09-20');
EOF
attach=$(elapsed "$t0")
report attach "$attach"

t0=$(now)
n=$(psql -X -q -A -t -v ON_ERROR_STOP=1 <<EOF
CREATE TEMP TABLE stage (LIKE external.property_pricing);
\\copy stage ($cols) FROM '$dir/2024-09-13.copy'
WITH ins AS (INSERT INTO external.property_pricing SELECT * FROM stage ON CONFLICT DO NOTHING RETURNING 1)
SELECT count(*) FROM ins;
EOF
)
report reload "$(elapsed "$t0")"
[ "$n" = 0 ] || { echo "bench-schema: the re-run inserted $n rows, expected 0" >&2; exit 1; }
echo "reload inserted 0 rows (idempotent)"
psql -X -A -t -c "SELECT 'size: ' || pg_size_pretty(sum(pg_total_relation_size(relid)))
	FROM pg_partition_tree('external.property_pricing')"
awk -v s="$attach" -v n="$rows" 'BEGIN { printf "%.0f\n", n / s }'
