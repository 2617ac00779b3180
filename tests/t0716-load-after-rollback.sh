#!/bin/sh
# A load run again after one that did not commit is planned for the rows it
# loads, not for empty tables (sql/109).
#
# The rows of a load that did not commit (killed, or --dry-run) are dead.
# When a vacuum clears them without giving the pages back (autovacuum cannot
# while the load run again holds the table), the table keeps its pages and
# its statistics say 0 rows, and the next load's statements are planned as if
# it were empty while they fill it:
#   - the reviews' listing check (sql/097), inside the statement inserting
#     the reviews, ran as a nested loop comparing every new review with every
#     listing (1 M reviews: 1,060 s instead of 51): it is planned without
#     nested loops; its plans are read here from auto_explain, as notices;
#   - the listings' disappearance sweep (the file's last step) ran as a
#     nested loop of the listings and the file's rows, and the listing ->
#     parcel match, after the files, joined listings and parcels in a nested
#     loop (files of 20,000 reviews: over three minutes): each file's tables are
#     analyzed in its transaction once its merge has written them; the
#     sweep's plan is read here, and the statistics after the load;
#   - the match's updates of parcels are planned from those statistics,
#     taken before the match (every listing unmatched): they join the
#     parcels without an array of their keys, which a nested loop sorted
#     again for each listing.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }

gen_data "$t_tmp/d" 0.05
rm -f "$t_tmp/d/pricing.tsv" # not what is tested, and the bulk of the files
n=$(wc -l <"$t_tmp/d/reviews.tsv")
# no autovacuum on these tables: it would truncate the pages the vacuum
# below keeps (as it cannot while a load holds them), and the statistics
# after the load are to be the load's own
for t in external.property_reviews etl.listings external.properties external.property_sales; do
	q "alter table $t set (autovacuum_enabled = false)" >/dev/null || fail "autovacuum off on $t"
done
# a first load that does not commit, then the vacuum that empties the
# tables' pages but keeps them
load_run --run r0 --source airbnb --dry-run "$t_tmp/d" 2>"$t_tmp/e" || fail "dry run: $(cat "$t_tmp/e")"
q "vacuum (truncate false) external.property_reviews, etl.listings, external.properties,
	external.property_sales" >/dev/null || fail "vacuum"
[ "$(q "select count(*) from pg_class where oid in ('external.property_reviews'::regclass,
	'etl.listings'::regclass, 'external.properties'::regclass, 'external.property_sales'::regclass)
	and reltuples = 0 and relpages > 0")" = 4 ] ||
	fail "the vacuum did not leave pages counted as 0 rows: $(q "select relname, reltuples, relpages
	     from pg_class where relname in ('property_reviews', 'listings', 'properties', 'property_sales')")"

# every statement's plan, the trigger's included, as a notice in mi-load's log
PGOPTIONS="-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0
	-c auto_explain.log_nested_statements=on -c auto_explain.log_level=notice" \
	MI_LOG_LEVEL=debug load_run --run r1 --source airbnb "$t_tmp/d" 2>"$t_tmp/e" ||
	fail "load: $(tail -n 5 "$t_tmp/e")"
[ "$(q "select count(*) from external.property_reviews")" = "$n" ] || fail "the $n reviews are not loaded"

# the check's plans: those that scan the statement's new rows (a named tuplestore)
grep 'Named Tuplestore Scan' "$t_tmp/e" >"$t_tmp/check" || true
[ "$(grep -c 'etl.listings' "$t_tmp/check")" -ge 2 ] ||
	fail "no plan of the reviews' listing check among the notices: $(head -c 600 "$t_tmp/e")"
if grep -q 'Nested Loop' "$t_tmp/check"; then
	fail "the listing check compares each review with the listings: $(grep 'Nested Loop' "$t_tmp/check" |
		head -n 1 | head -c 1500)"
fi
# the sweep of the listings file, after its merge: the listings missing from
# the file found in one pass (a loop over its one-row "current date" is fine)
grep 'gone AS' "$t_tmp/e" >"$t_tmp/sweep" || true
[ -s "$t_tmp/sweep" ] || fail "no plan of the listings' sweep among the notices"
if grep -q 'Nested Loop Anti Join' "$t_tmp/sweep"; then
	fail "the listings' sweep compares each listing with the file's rows: $(head -c 1500 "$t_tmp/sweep")"
fi

# the match's two updates of parcels (their TAT ids from the listings that
# name them, their current manager) reach the parcels by joining them: with
# the parcels' keys also given as an array (098), a nested loop planned from
# statistics taken before the match (every listing unmatched) sorted that
# array again for each listing (a first night at bench scale 1: 36 s for
# 15,750 listings, and as much in the match of each later listings file)
for s in 'SET tat_ids = etl.load_merge_array' 'SET current_manager_key = m.manager_key'; do
	grep -F "$s" "$t_tmp/e" >"$t_tmp/upd" || fail "no plan of the match's update \"$s\" among the notices"
	if grep -Eq 'ANY \(\(?\$[0-9]' "$t_tmp/upd"; then
		fail "the match's update \"$s\" scans the parcels with an array of keys: $(head -c 1500 "$t_tmp/upd")"
	fi
done

# the statistics of each table the files filled count its rows (within the
# sample's error); those of a table below 1,000 new rows are left to autovacuum
for t in external.property_reviews etl.listings external.properties; do
	[ "$(q "select c.reltuples between 0.9 * n and 1.1 * n
	          from pg_class c, (select count(*) as n from $t) x where c.oid = '$t'::regclass")" = t ] ||
		fail "$t: statistics of $(q "select reltuples from pg_class where oid = '$t'::regclass") rows,
		      holding $(q "select count(*) from $t")"
done
exit 0
