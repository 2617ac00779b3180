#!/bin/sh
# mi-migrate: applies every file once, records checksums, changes nothing the second
# time, refuses a changed applied file, and the committed inventory matches sql/ (with
# the seed's External_Market_Intelligence_external_Complete_Table_Inventory.md).
. tests/lib.sh

PGDATABASE="t0010_$$"
export PGDATABASE
createdb "$PGDATABASE" || fail "createdb"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"

nfiles=$(ls sql/[0-9][0-9][0-9]_*.sql | wc -l)
out=$("$MI_BIN/mi-migrate" --dir sql) || fail "first mi-migrate failed: $out"
echo "$out" | grep -q "^$nfiles migrations\? applied$" || fail "expected $nfiles applied, got: $out"

dump1=$(pg_dump --schema-only --no-owner "$PGDATABASE" | grep -v -e '^--' -e '^.restrict' -e '^.unrestrict') || fail "pg_dump"
out=$("$MI_BIN/mi-migrate" --dir sql) || fail "second mi-migrate failed: $out"
echo "$out" | grep -q "^0 migrations applied$" || fail "second run applied something: $out"
dump2=$(pg_dump --schema-only --no-owner "$PGDATABASE" | grep -v -e '^--' -e '^.restrict' -e '^.unrestrict')
[ "$dump1" = "$dump2" ] || fail "second run changed the schema"
recorded=$(psql -XAtc "select count(*) from etl.schema_migrations where sha256 ~ '^[0-9a-f]{64}\$'")
[ "$recorded" -eq "$nfiles" ] || fail "expected $nfiles recorded checksums, got $recorded"

# --dry-run on an up-to-date database lists nothing pending
out=$("$MI_BIN/mi-migrate" --dir sql --dry-run) || fail "dry run failed"
echo "$out" | grep -q "^0 migrations pending$" || fail "dry run: $out"

# a changed applied file is refused with exit 78, and nothing new is applied
cp -R sql "$t_tmp/sql"
first=$(ls "$t_tmp"/sql/[0-9][0-9][0-9]_*.sql | head -n 1)
echo "-- edited after it was applied" >>"$first"
printf 'CREATE TABLE etl.should_not_exist (id int);\n' >"$t_tmp/sql/999_new.sql"
"$MI_BIN/mi-migrate" --dir "$t_tmp/sql" >"$t_tmp/out" 2>"$t_tmp/err"
rc=$?
[ $rc -eq 78 ] || fail "changed file: expected exit 78, got $rc"
grep -q "applied migration '$(basename "$first")' has changed" "$t_tmp/err" || fail "message: $(cat "$t_tmp/err")"
n=$(psql -XAtc "select count(*) from pg_tables where tablename = 'should_not_exist'")
[ "$n" -eq 0 ] || fail "a new file was applied after a changed one was found"

# a failing file is rolled back whole and not recorded
cp -R sql "$t_tmp/sql2"
printf 'CREATE TABLE etl.half_done (id int);\nSELECT 1/0;\n' >"$t_tmp/sql2/998_broken.sql"
"$MI_BIN/mi-migrate" --dir "$t_tmp/sql2" >/dev/null 2>"$t_tmp/err2" && fail "a broken migration succeeded"
grep -q "998_broken.sql" "$t_tmp/err2" || fail "error does not name the file: $(cat "$t_tmp/err2")"
n=$(psql -XAtc "select count(*) from pg_tables where tablename = 'half_done'")
[ "$n" -eq 0 ] || fail "a failed migration left a table behind"

# the committed inventory is what the catalog says now
"$MI_BIN/mi-migrate" --inventory --out-dir "$t_tmp" || fail "inventory"
sh scripts/seed-inventory.sh "$t_tmp" || fail "the seed's inventory"
for s in external homeowner_acquisition etl External_Market_Intelligence_external_Complete_Table_Inventory; do
	[ -f "docs/schema/$s.md" ] || fail "docs/schema/$s.md is missing (run: make schema-docs)"
	diff -u "docs/schema/$s.md" "$t_tmp/$s.md" >"$t_tmp/diff" ||
		fail "docs/schema/$s.md is out of date with sql/ (run: make schema-docs): $(head -n 40 "$t_tmp/diff")"
done
# the seed's Priority 1 document: its six tables, column by column
for t in competitive_sets properties property_managers property_pricing property_reviews property_sales; do
	grep -qx "## $t" docs/schema/External_Market_Intelligence_external_Complete_Table_Inventory.md ||
		fail "the seed's external inventory lacks $t"
done
grep -q "missing comment" "$t_tmp"/*.md && fail "a table or column has no COMMENT ON: $(grep -h 'missing comment' "$t_tmp"/*.md | head)"
exit 0
