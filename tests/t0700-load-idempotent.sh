#!/bin/sh
# mi-load: loading the same files twice leaves every table identical (row counts and
# checksums), the second time skips every file by its hash, and forcing every file
# through the merge path again (loaded_files forgotten) changes nothing either.
. tests/lib.sh
. tests/load-lib.sh
fresh_db

gen_data "$t_tmp/d" 0.004
load_run --run r1 --source airbnb "$t_tmp/d" >"$t_tmp/out1" 2>"$t_tmp/err1" ||
	fail "first load: $(cat "$t_tmp/err1")"
load_checksums >"$t_tmp/sum1" || fail "checksums"
grep -q "^external.property_pricing|51100|" "$t_tmp/sum1" ||
	fail "pricing rows: $(grep pricing "$t_tmp/sum1")"
n=$(psql -XAtc "select count(*) from etl.loaded_files")
[ "$n" -eq 5 ] || fail "expected 5 loaded files, got $n"

# the same files again: all skipped by hash, nothing changes
"$MI_BIN/mi-load" --sql-dir sql --run r2 --source airbnb "$t_tmp/d" >"$t_tmp/out2" 2>"$t_tmp/err2" ||
	fail "second load: $(cat "$t_tmp/err2")"
[ "$(grep -c ': unchanged (' "$t_tmp/out2")" -eq 5 ] || fail "files not skipped: $(cat "$t_tmp/out2")"
load_checksums >"$t_tmp/sum2"
diff "$t_tmp/sum1" "$t_tmp/sum2" >"$t_tmp/diff" || fail "second load changed tables: $(cat "$t_tmp/diff")"

# the ledger reconciles: read = inserted + updated + unchanged + skipped + rejected
bad=$(psql -XAtc "select count(*) from etl.stage_results where stage = 'load' and
	(status <> 'succeeded' or rows_read <> rows_inserted + rows_updated + rows_unchanged + rows_skipped + rows_rejected)")
[ "$bad" -eq 0 ] || fail "stage results do not reconcile"
skipped=$(psql -XAtc "select rows_skipped = rows_read from etl.stage_results where run_id = 'r2'")
[ "$skipped" = t ] || fail "second run: rows not counted as skipped"

# forget the hashes: every file goes through the merges again (pricing by the
# merge path into the existing snapshot), and still nothing changes
psql -XAqc "delete from etl.loaded_files" || fail "delete"
load_run --run r1 --source airbnb "$t_tmp/d" 2>"$t_tmp/err3" || fail "third load: $(cat "$t_tmp/err3")"
psql -XAqc "delete from etl.loaded_files" || fail "delete"
load_run --run r1 --source airbnb "$t_tmp/d" 2>"$t_tmp/err4" || fail "fourth load: $(cat "$t_tmp/err4")"
load_checksums >"$t_tmp/sum3"
# loaded_files was rebuilt with the same content
diff "$t_tmp/sum1" "$t_tmp/sum3" >"$t_tmp/diff" || fail "re-merging changed tables: $(cat "$t_tmp/diff")"

# a pricing natural key never appears twice
dup=$(psql -XAtc "select count(*) from (select 1 from external.property_pricing
	group by platform, listing_id, snapshot_date, stay_date having count(*) > 1) x")
[ "$dup" -eq 0 ] || fail "$dup duplicate pricing keys"
# the snapshot partition stays logged and keyed
p=$(psql -XAtc "select relpersistence from pg_class where relname = 'property_pricing_s20261101'")
[ "$p" = p ] || fail "snapshot partition is not a logged table ($p)"
k=$(psql -XAtc "select count(*) from pg_index where indrelid = 'external.property_pricing_s20261101'::regclass and indisunique")
[ "$k" -ge 1 ] || fail "snapshot partition has no unique key"

# --dry-run changes nothing
psql -XAqc "delete from etl.loaded_files where entity = 'reviews'"
load_checksums >"$t_tmp/sum4"
load_run --run r3 --source airbnb --dry-run "$t_tmp/d" 2>"$t_tmp/err5" || fail "dry run: $(cat "$t_tmp/err5")"
load_checksums >"$t_tmp/sum5"
diff "$t_tmp/sum4" "$t_tmp/sum5" >"$t_tmp/diff" || fail "dry run changed tables: $(cat "$t_tmp/diff")"
# the binary COPY of the snapshot gives exactly what the server's own text input gives
main_db=$PGDATABASE
PGDATABASE="${main_db}_text"
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" || fail "createdb"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"
load_run --run r1 --source airbnb --text-copy "$t_tmp/d" 2>"$t_tmp/err7" || fail "text COPY: $(cat "$t_tmp/err7")"
load_checksums >"$t_tmp/sum_text"
diff "$t_tmp/sum1" "$t_tmp/sum_text" >"$t_tmp/diff" || fail "binary and text COPY differ: $(cat "$t_tmp/diff")"
PGDATABASE=$main_db

# a snapshot file that repeats keys: one row per key, the repeats counted as skipped
mkdir "$t_tmp/dup"
{ head -n 1000 "$t_tmp/d/pricing.tsv"; sed -n '10,14p' "$t_tmp/d/pricing.tsv"; } |
	sed 's/\t2026-11-01\t/\t2026-10-31\t/' >"$t_tmp/dup/pricing.tsv"
load_run --run r4 --source airbnb "$t_tmp/dup" 2>"$t_tmp/err6" || fail "duplicates: $(cat "$t_tmp/err6")"
n=$(psql -XAtc "select count(*) from external.property_pricing where snapshot_date = '2026-10-31'")
[ "$n" -eq 1000 ] || fail "duplicate keys: expected 1000 rows, got $n"
s=$(psql -XAtc "select rows_read, rows_inserted, rows_skipped from etl.stage_results where run_id = 'r4'")
[ "$s" = "1005|1000|5" ] || fail "duplicate keys: stage counts $s"
exit 0
