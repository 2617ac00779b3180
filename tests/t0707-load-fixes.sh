#!/bin/sh
# mi-load on what real-format data brings (issues 5 and 7, follow-up):
#   * Maui sale flags written with hyphens load (etl.load_codes: '-' -> '_');
#   * county property types (CONDOMINIUM, SINGLE FAMILY, APT, Condo) load as the
#     codes of properties.property_type, the raw value kept in extra;
#   * a second snapshot file of an already-loaded date goes through the merge
#     path and counts its inserts and updates;
#   * every merge fills first_run_id / last_run_id; owner_display is loaded and
#     never overwritten by an empty value;
#   * the cheaper CHECK functions of 014 answer as the first ones on edge cases.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
fx=fixtures/load/fixes
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }

# --- pricing: a second file of an already-loaded snapshot date ---
mkdir -p "$t_tmp/p1" "$t_tmp/p2"
cp "$fx/pricing-1.tsv" "$t_tmp/p1/pricing.tsv"
cp "$fx/pricing-2.tsv" "$t_tmp/p2/pricing.tsv"
load_run --run p1 --source airbnb-x "$t_tmp/p1" 2>"$t_tmp/e" || fail "pricing 1: $(cat "$t_tmp/e")"
load_run --run p2 --source airbnb-x "$t_tmp/p2" 2>"$t_tmp/e" || fail "pricing 2 (merge path): $(cat "$t_tmp/e")"
s=$(q "select rows_read, rows_inserted, rows_updated, rows_unchanged from etl.stage_results where run_id = 'p2'")
[ "$s" = "4|2|1|1" ] || fail "merge path counts (read|inserted|updated|unchanged): $s"
s=$(q "select count(*), sum(nightly_rate) from external.property_pricing where snapshot_date = '2028-03-01'")
[ "$s" = "5|1030.00" ] || fail "merged snapshot (rows|sum of rates): $s"
# the same file through the merge path again: nothing changes, all counted unchanged
load_checksums >"$t_tmp/sum1" || fail "checksums"
q "delete from etl.loaded_files" >/dev/null
load_run --run p3 --source airbnb-x "$t_tmp/p2" 2>"$t_tmp/e" || fail "pricing 2 again: $(cat "$t_tmp/e")"
q "delete from etl.loaded_files" >/dev/null
load_checksums >"$t_tmp/sum2" || fail "checksums"
diff "$t_tmp/sum1" "$t_tmp/sum2" | grep -v loaded_files | grep -q '^[<>]' &&
	fail "re-merging changed tables: $(diff "$t_tmp/sum1" "$t_tmp/sum2")"
s=$(q "select rows_read, rows_inserted, rows_updated, rows_unchanged from etl.stage_results where run_id = 'p3'")
[ "$s" = "4|0|0|4" ] || fail "re-merge counts (read|inserted|updated|unchanged): $s"

# --- sales: a Maui file with the placeholder sale date (flag sale-date-placeholder) ---
"$MI_BIN/mi-parse" --format maui-rpt-sales --snapshot-date 2024-06-04 --out "$t_tmp/s" \
	fixtures/parse/maui-rpt-sales/basic/input.txt >/dev/null 2>"$t_tmp/e" || fail "parse maui: $(cat "$t_tmp/e")"
grep -q 'sale-date-placeholder' "$t_tmp/s/sales.tsv" || fail "the Maui file has no hyphenated flag"
load_run --run s1 --source maui-rpt-sales "$t_tmp/s" 2>"$t_tmp/e" || fail "maui sales: $(cat "$t_tmp/e")"
n=$(q "select count(*) from etl.rejects where run_id = 's1'")
[ "$n" -eq 0 ] || fail "maui sales refused: $(q "select reason from etl.rejects where run_id = 's1'")"
f=$(q "select flags from external.property_sales where tmk = '2441030020000'")
case $f in *sale_date_placeholder*) ;; *) fail "placeholder sale flags: '$f'" ;; esac
n=$(q "select count(*) from external.property_sales where cardinality(flags) > 0")
[ "$n" -ge 2 ] || fail "flagged Maui sales loaded: $n"

# --- properties: the county's raw property types ---
"$MI_BIN/mi-parse" --format county-csv --config "$fx/parcels.ini" --out "$t_tmp/c" "$fx/parcels.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse parcels: $(cat "$t_tmp/e")"
load_run --run c1 --source county-x "$t_tmp/c" 2>"$t_tmp/e" || fail "parcels: $(cat "$t_tmp/e")"
q "select right(tmk, 2), coalesce(property_type, '-'), coalesce(extra->>'property_type_raw', '-')
     from external.properties where tmk like '2244010010%' order by tmk" >"$t_tmp/types"
diff -u "$fx/parcels.types.expected" "$t_tmp/types" >"$t_tmp/diff" || fail "property types: $(cat "$t_tmp/diff")"
q "select etl.load_property_type(x) from unnest(array['Entire condo', 'Entire home', 'Duplex',
     'Agricultural', 'single_family', '  ', NULL]) x" | tr '\n' ' ' >"$t_tmp/t2"
[ "$(cat "$t_tmp/t2")" = "condo single_family multi_family agricultural single_family   " ] ||
	fail "load_property_type: '$(cat "$t_tmp/t2")'"

# --- owners: owner_display, never overwritten by an empty value; run ids ---
"$MI_BIN/mi-parse" --format county-csv --config "$fx/owners.ini" --out "$t_tmp/o1" "$fx/owners-1.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse owners 1: $(cat "$t_tmp/e")"
"$MI_BIN/mi-parse" --format county-csv --config "$fx/owners.ini" --out "$t_tmp/o2" "$fx/owners-2.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse owners 2: $(cat "$t_tmp/e")"
load_run --run o1 --source county-x "$t_tmp/o1" 2>"$t_tmp/e" || fail "owners 1: $(cat "$t_tmp/e")"
load_run --run o2 --source county-x "$t_tmp/o2" --max-reject-share 1 2>"$t_tmp/e" ||
	fail "owners 2: $(cat "$t_tmp/e")"
s=$(q "select owner_name, owner_display, first_run_id, last_run_id from external.properties
	where tmk = '2244010010002'")
[ "$s" = "NAKAMURA,AMY K TR|Amy K Nakamura|c1|o1" ] || fail "owner 2 (name|display|first run|last run): $s"
s=$(q "select owner_display from external.properties where tmk = '2244010010001'")
[ "$s" = "Mark Kessler & Jennifer Kessler" ] || fail "owner 1 display: $s"
s=$(q "select first_run_id, last_run_id from external.property_sales where tmk = '2441030020000'")
[ "$s" = "s1|s1" ] || fail "sale run ids: $s"

# --- run ids on every table a load writes (generated data: listings, reviews, managers) ---
gen_data "$t_tmp/d" 0.002
load_run --run g1 --source airbnb "$t_tmp/d" 2>"$t_tmp/e" || fail "generated load: $(cat "$t_tmp/e")"
for t in external.properties external.property_sales external.property_reviews \
	external.property_managers etl.listings; do
	n=$(q "select count(*) from $t")
	[ "$n" -gt 0 ] || fail "$t is empty"
	n=$(q "select count(*) from $t where first_run_id is null or last_run_id is null")
	[ "$n" -eq 0 ] || fail "$t: $n rows without run ids"
done

# --- the CHECK functions: the same answers as the first ones ---
psql -XAtq -v ON_ERROR_STOP=1 -f "$fx/checks.sql" >"$t_tmp/checks" 2>&1 || fail "checks.sql: $(cat "$t_tmp/checks")"
[ ! -s "$t_tmp/checks" ] || fail "CHECK functions differ from 001's: $(cat "$t_tmp/checks")"
exit 0
