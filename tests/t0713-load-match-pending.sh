#!/bin/sh
# What a load pays whatever its size (097_load_merge_cost.sql).
#
# The listing -> parcel match runs after a load only when a load of listings or
# parcels left rows for it (etl.load_match_pending, written in the file's own
# transaction): a load whose files change nothing the match reads leaves the
# listings as they are, a load killed before its match (its row still there)
# is matched by the next mi-load whatever that one loads, and a dry run takes
# nothing away.  The reviews' listing is checked per statement instead of by a
# foreign key: a review of an unknown listing, the delete, rekeying or truncation
# of a listing that reviews name all fail with SQLSTATE 23503 as they did.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }
pending() { q "select count(*) from etl.load_match_pending"; }
x1() { q "select coalesce(tmk, 'null') || ' ' || coalesce(tmk_match_method, 'null')
          from etl.listings where platform = 'airbnb' and listing_id = 'X1'"; }

# the migration leaves one row, so that a database with loads in it matches once
[ "$(pending)" = 1 ] || fail "the migration's pending row: $(pending)"
load_run --run m1 --source airbnb-honolulu fixtures/load/match 2>"$t_tmp/e" || fail "m1: $(cat "$t_tmp/e")"
[ "$(pending)" = 0 ] || fail "the match left $(pending) pending rows"
[ "$(q "select count(*) from etl.listings where tmk is not null")" -gt 0 ] || fail "m1 matched nothing"

# a listing written behind the loads' back, with a TMK the registry knows
q "insert into etl.listings (platform, listing_id, source, tmk_raw)
   values ('airbnb', 'X1', 'airbnb-honolulu', '1230010010000')" >/dev/null
# the same files again: all already loaded, nothing for the match: not run
load_run --run m2 --source airbnb-honolulu fixtures/load/match 2>"$t_tmp/e" || fail "m2: $(cat "$t_tmp/e")"
[ "$(x1)" = "null null" ] || fail "a load that changed nothing ran the match: $(x1)"
# an owner roll writes nothing the match reads: not run either
mkdir -p "$t_tmp/o"
sed -n 1p fixtures/parse/county-csv/honolulu-owndat/expected/owners.tsv |
	awk -F '\t' -v OFS='\t' '{ $6 = "1230010010000"; print }' >"$t_tmp/o/owners.tsv"
if load_run --run m3 --source honolulu-roll "$t_tmp/o" 2>"$t_tmp/e"; then
	[ "$(x1)" = "null null" ] || fail "an owner roll ran the match: $(x1)"
	[ "$(pending)" = 0 ] || fail "an owner roll left a pending row"
else
	fail "owners: $(cat "$t_tmp/e")"
fi

# a load killed after its file and before its match: its row is still there
q "insert into etl.load_match_pending (run_id, source, file_name)
   values ('k1', 'airbnb-honolulu', 'listings.tsv')" >/dev/null
# a dry run matches (and rolls back), and leaves the row
load_run --run m4 --source airbnb-honolulu --dry-run fixtures/load/match 2>"$t_tmp/e" ||
	fail "dry run: $(cat "$t_tmp/e")"
[ "$(pending)" = 1 ] || fail "a dry run took the pending row"
[ "$(x1)" = "null null" ] || fail "a dry run kept its match: $(x1)"
# the next load, whatever it loads, matches
load_run --run m5 --source airbnb-honolulu fixtures/load/match 2>"$t_tmp/e" || fail "m5: $(cat "$t_tmp/e")"
[ "$(x1)" = "1230010010000 tmk_in_listing" ] || fail "the killed load's listing not matched: $(x1)"
[ "$(pending)" = 0 ] || fail "the match left $(pending) pending rows"

# a listings file marks, and its match runs in the same mi-load
mkdir -p "$t_tmp/l"
sed 's/\tL01\t/\tL91\t/; s/1230010010000/1230010020000/' fixtures/load/match/listings.tsv | head -n 1 \
	>"$t_tmp/l/listings.tsv"
load_run --run m6 --source airbnb-honolulu "$t_tmp/l" 2>"$t_tmp/e" || fail "m6: $(cat "$t_tmp/e")"
[ "$(q "select coalesce(tmk, 'null') from etl.listings where listing_id = 'L91'")" = 1230010020000 ] ||
	fail "a new listing not matched by its own load"
[ "$(pending)" = 0 ] || fail "m6 left $(pending) pending rows"

# --- the reviews' listing ---
state() { # SQL: the SQLSTATE it fails with, or ok
	psql -X -q -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$1" >/dev/null 2>"$t_tmp/err" && { echo ok; return; }
	sed -n 's/^ERROR:  \([0-9A-Z]\{5\}\):.*/\1/p' "$t_tmp/err" | head -n 1
}
[ "$(state "insert into external.property_reviews (platform, review_id, listing_id, source)
            values ('airbnb', 'R1', 'X1', 'airbnb')")" = ok ] || fail "a review of a known listing: $(cat "$t_tmp/err")"
[ "$(state "insert into external.property_reviews (platform, review_id, listing_id, source)
            values ('airbnb', 'R2', 'NOPE', 'airbnb')")" = 23503 ] ||
	fail "a review of an unknown listing: $(cat "$t_tmp/err")"
grep -q property_reviews_listing_fkey "$t_tmp/err" || fail "the error names no constraint: $(cat "$t_tmp/err")"
[ "$(state "update external.property_reviews set listing_id = 'NOPE' where review_id = 'R1'")" = 23503 ] ||
	fail "a review moved to an unknown listing: $(cat "$t_tmp/err")"
[ "$(state "delete from etl.listings where listing_id = 'X1'")" = 23503 ] ||
	fail "a reviewed listing deleted: $(cat "$t_tmp/err")"
[ "$(state "update etl.listings set listing_id = 'X2' where listing_id = 'X1'")" = 23503 ] ||
	fail "a reviewed listing rekeyed: $(cat "$t_tmp/err")"
[ "$(state "truncate etl.listings")" != ok ] || fail "etl.listings truncated under its reviews"
[ "$(state "update etl.listings set name = 'renamed' where listing_id = 'X1'")" = ok ] ||
	fail "a reviewed listing's other columns: $(cat "$t_tmp/err")"
[ "$(state "delete from etl.listings where listing_id = 'L91'")" = ok ] ||
	fail "a listing without reviews: $(cat "$t_tmp/err")"
[ "$(q "select count(*) from external.property_reviews r
        where not exists (select 1 from etl.listings l
                           where l.platform = r.platform and l.listing_id = r.listing_id)")" = 0 ] ||
	fail "a review without its listing"
exit 0
