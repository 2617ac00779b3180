#!/bin/sh
# make bench-load: the load benchmark on generated Hawaii-scale data (gen_hawaii:
# 500,000 parcels, 20,000 sales, 35,000 listings, 1,000,000 reviews, 12.8 million
# calendar rows of one snapshot), on one durable PostgreSQL server (scripts/pg.sh
# without --fast: fsync on, WAL as configured by default).
#
#   (a) the limit: plain COPY of pricing.tsv into an unindexed UNLOGGED table typed
#       as records.h says, through COPY FROM STDIN like mi-load;
#   (b) mi-load of the same snapshot end to end, with its guarantees: the snapshot
#       partition is a logged table with the primary key (platform, listing_id,
#       snapshot_date, stay_date), built apart and attached, recorded in
#       etl.loaded_files in the same transaction;
#   then the unchanged re-run, the peak memory of mi-load, the whole directory
#   (every entity, then matching) with the match rate by method and its accuracy
#   against the generator's answers.  The last line is the ratio b/a.
#
# Environment: MI_BENCH_DIR (data and server, default /tmp/mi-bench-load),
# MI_BENCH_SCALE (default 1), MI_BENCH_KEEP=1 to keep the server running.
set -eu
top=$(pwd)
MI_BUILD=${MI_BUILD:-build}
MI_BIN=${MI_BIN:-bin}
dir=${MI_BENCH_DIR:-/tmp/mi-bench-load}
scale=${MI_BENCH_SCALE:-1}
mkdir -p "$dir"
chmod 755 "$dir"

now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }

data="$dir/data-$scale"
if [ ! -f "$data/pricing.tsv" ]; then
	echo "generating scale $scale data into $data"
	rm -rf "$data"
	"$MI_BUILD/bench/gen_hawaii" --seed 42 --scale "$scale" "$data"
fi
chmod -R a+rX "$data"
mkdir -p "$data/snapshot"
ln -sf ../pricing.tsv "$data/snapshot/pricing.tsv"
rows=$(wc -l <"$data/pricing.tsv")
echo "data: $(du -sh "$data/pricing.tsv" | cut -f1) pricing.tsv, $rows calendar rows, $(nproc) cores"

eval "$(sh scripts/pg.sh start "$dir/pg")"
[ "${MI_BENCH_KEEP:-0}" = 1 ] || trap 'sh "$top/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1' EXIT
for db in bench_plain bench_load bench_all; do
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb "$db"
done
PGDATABASE=bench_load "$MI_BIN/mi-migrate" --dir sql >/dev/null
PGDATABASE=bench_all "$MI_BIN/mi-migrate" --dir sql >/dev/null

# (a) plain COPY, columns and types from records.h (REC_PROVENANCE + REC_PRICING)
cols=$(sed -n '/^#define REC_PROVENANCE/,/^$/p; /^#define REC_PRICING/,/^$/p' pipeline/common/records.h |
	sed -n 's/.*X(\([a-z_]*\), "\([a-z ]*\)").*/\1 \2/p' | paste -sd, -)
PGDATABASE=bench_plain psql -XAq -v ON_ERROR_STOP=1 -c "CREATE UNLOGGED TABLE plain ($cols)"
PGDATABASE=bench_plain psql -XAq -c "CHECKPOINT"
t0=$(now)
PGDATABASE=bench_plain psql -XAq -v ON_ERROR_STOP=1 -c "\\copy plain FROM '$data/pricing.tsv'"
t1=$(now)
a=$(secs "$t0" "$t1")
n=$(PGDATABASE=bench_plain psql -XAtc "SELECT count(*) FROM plain")
echo "(a) plain COPY into an unlogged unindexed table: $a s ($n rows, $(echo "$n / $a" | bc) rows/s)"
PGDATABASE=bench_plain psql -XAq -c "DROP TABLE plain"

# (b) mi-load of the same snapshot, end to end
PGDATABASE=bench_load psql -XAq -c "CHECKPOINT"
t0=$(now)
PGDATABASE=bench_load /usr/bin/time -f '%M' -o "$dir/mem" \
	"$MI_BIN/mi-load" --sql-dir sql --run bench-1 --source airbnb "$data/snapshot" >"$dir/load.out"
t1=$(now)
b=$(secs "$t0" "$t1")
cat "$dir/load.out" | sed 's/^/    /'
echo "(b) mi-load of the snapshot (logged, keyed, attached): $b s, peak memory $(cat "$dir/mem") KiB"
check=$(PGDATABASE=bench_load psql -XAt -F ' ' -c "
	SELECT count(*), (SELECT relpersistence FROM pg_class WHERE relname = 'property_pricing_s20261101'),
	       (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
	         WHERE c.relname = 'property_pricing_s20261101' AND i.indisunique)
	  FROM external.property_pricing")
echo "    check: rows, persistence (p = logged), unique indexes: $check"

t0=$(now)
PGDATABASE=bench_load "$MI_BIN/mi-load" --sql-dir sql --run bench-2 --source airbnb "$data/snapshot" >/dev/null
t1=$(now)
echo "unchanged re-run (file hashed and skipped): $(secs "$t0" "$t1") s"
t0=$(now)
PGDATABASE=bench_load psql -XAtc "SELECT count(*) FROM external.property_pricing
	WHERE platform = 'airbnb' AND listing_id = '10012345' AND stay_date BETWEEN '2026-12-01' AND '2026-12-31'" >/dev/null
t1=$(now)
echo "query by listing and stay dates (one month of one listing): $(secs "$t0" "$t1") s"

# the whole directory: every entity, then matching
PGDATABASE=bench_all psql -XAq -c "CHECKPOINT"
mkdir -p "$data/all"
for f in properties sales listings reviews pricing; do ln -sf "../$f.tsv" "$data/all/$f.tsv"; done
t0=$(now)
PGDATABASE=bench_all /usr/bin/time -f '%M' -o "$dir/mem2" \
	"$MI_BIN/mi-load" --sql-dir sql --run bench-all --source airbnb "$data/all" >"$dir/all.out"
t1=$(now)
sed 's/^/    /' "$dir/all.out"
echo "whole directory (5 entities + matching): $(secs "$t0" "$t1") s, peak memory $(cat "$dir/mem2") KiB"
PGDATABASE=bench_all psql -XAq -v ON_ERROR_STOP=1 <<SQL
CREATE TEMP TABLE truth (listing_id text, tmk text, method text);
\\copy truth FROM '$data/truth.txt'
\\echo match rate by method (listings matched / all; correct = the parcel the generator planted)
SELECT coalesce(l.tmk_match_method, 'unmatched') AS method, count(*) AS listings,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       count(*) FILTER (WHERE l.tmk = nullif(t.tmk, '')) AS correct,
       round(avg(l.tmk_match_confidence), 3) AS mean_confidence
  FROM etl.listings l JOIN truth t USING (listing_id)
 GROUP BY 1 ORDER BY 2 DESC;
\\echo expected method (generator) vs found
SELECT t.method AS planted, coalesce(l.tmk_match_method, 'unmatched') AS found, count(*)
  FROM etl.listings l JOIN truth t USING (listing_id) GROUP BY 1, 2 ORDER BY 1, 2;
SQL
echo "b/a = $b / $a"
echo "$b $a" | awk '{ printf "%.2f\n", $1 / $2 }'
