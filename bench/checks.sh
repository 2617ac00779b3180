#!/bin/sh
# make bench-checks: the cost of the CHECK functions of a review row
# (etl.jsonb_scores_valid twice, etl.codes_valid once), as in the reviews load:
# N rows inserted into a table carrying the three constraints, once with the
# functions of 001_schemas.sql (redefined here in pg_temp), once with those of
# the migrations (014_load_fixes.sql), and once with no constraint.  Reports
# seconds and the microseconds the checks add per row; the last line is the
# speed-up of the checks.  Knob: MI_BENCH_ROWS (default 300000).
set -eu
bin=${MI_BIN:-bin}
rows=${MI_BENCH_ROWS:-300000}
top=$(pwd)
dir=$(mktemp -d "${MI_BENCH_DIR:-/tmp}/mi-bench-checks.XXXXXX")
chmod 755 "$dir"
trap 'sh "$top/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1; rm -rf "$dir"' EXIT
eval "$(sh scripts/pg.sh start "$dir/pg" --fast)"
export PGDATABASE=bench
createdb bench
"$bin/mi-migrate" --dir sql >/dev/null

psql -X -q -v ON_ERROR_STOP=1 <<SQL
CREATE FUNCTION public.old_codes_valid(codes text[]) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS \$\$
    SELECT NOT EXISTS (SELECT 1 FROM unnest(codes) AS c
                        WHERE c IS NULL OR c !~ '^[a-z][a-z0-9_]*\$' OR octet_length(c) > 40)
\$\$;
CREATE FUNCTION public.old_scores_valid(doc jsonb, allowed text[], lo numeric, hi numeric)
    RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE AS \$\$
    SELECT jsonb_typeof(doc) = 'object'
       AND NOT EXISTS (
           SELECT 1 FROM jsonb_each(doc) AS e(k, v)
            WHERE e.k !~ '^[a-z][a-z0-9_]*\$' OR octet_length(e.k) > 40
               OR (allowed IS NOT NULL AND NOT (e.k = ANY (allowed)))
               OR CASE WHEN jsonb_typeof(e.v) <> 'number' THEN true
                       ELSE e.v::numeric < lo OR e.v::numeric > hi END)
\$\$;
CREATE UNLOGGED TABLE src AS
SELECT jsonb_build_object('cleanliness', 4 + i % 2, 'accuracy', 5, 'checkin', 4.5) AS cat,
       jsonb_build_object('cleanliness', -0.62 + (i % 10) / 100.0, 'noise', 0.3, 'value', 0.1) AS asp,
       CASE WHEN i % 3 = 0 THEN '{cleanliness,names_manager}'::text[] ELSE '{}' END AS flags
  FROM generate_series(1, $rows) i;
CREATE UNLOGGED TABLE t_none (cat jsonb, asp jsonb, flags text[]);
CREATE UNLOGGED TABLE t_old (cat jsonb CHECK (public.old_scores_valid(cat, NULL, 0, 100)),
                             asp jsonb CHECK (public.old_scores_valid(asp, NULL, -1, 1)),
                             flags text[] CHECK (public.old_codes_valid(flags)));
CREATE UNLOGGED TABLE t_new (cat jsonb CHECK (etl.jsonb_scores_valid(cat, NULL, 0, 100)),
                             asp jsonb CHECK (etl.jsonb_scores_valid(asp, NULL, -1, 1)),
                             flags text[] CHECK (etl.codes_valid(flags)));
SQL

now() { date +%s.%N; }
run() { # table -> seconds of INSERT ... SELECT of every row (best of 3)
	best=
	for k in 1 2 3; do
		psql -X -q -c "TRUNCATE $1" >/dev/null
		t0=$(now)
		psql -X -q -v ON_ERROR_STOP=1 -c "INSERT INTO $1 SELECT * FROM src" >/dev/null
		s=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }')
		best=$(awk -v a="$best" -v b="$s" 'BEGIN { print (a == "" || b < a) ? b : a }')
	done
	echo "$best"
}
none=$(run t_none)
old=$(run t_old)
new=$(run t_new)
echo "$rows rows, 3 checks a row (2 x jsonb_scores_valid, 1 x codes_valid)"
awk -v n="$rows" -v z="$none" -v o="$old" -v w="$new" 'BEGIN {
	printf "no checks  %7.2f s\n", z
	printf "001 checks %7.2f s  %6.1f us/row for the checks\n", o, (o - z) * 1e6 / n
	printf "014 checks %7.2f s  %6.1f us/row for the checks\n", w, (w - z) * 1e6 / n
	printf "%.1f\n", (o - z) / ((w - z) > 0 ? (w - z) : 0.001) }'
