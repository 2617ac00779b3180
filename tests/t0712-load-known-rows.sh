#!/bin/sh
# A merge sets apart, in one join, the rows it would leave as they are (the
# night's cumulative reviews file, the owner roll): a file that repeats known
# rows with a few changes updates those and only those, counts the rest
# unchanged, and writes what the upsert wrote: a new text, a rescoring, an
# owner change and its change event, a parcel's new assessment; a known review
# without scores keeps its scores; a second load of the same rows changes nothing.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }

# --- reviews ---
mkdir -p "$t_tmp/r1" "$t_tmp/r2" "$t_tmp/r3"
cp fixtures/load/hostile/reviews.tsv "$t_tmp/r1/reviews.tsv"
load_run --run r1 --source airbnb "$t_tmp/r1" 2>"$t_tmp/e" || fail "reviews 1: $(cat "$t_tmp/e")"
n=$(wc -l <"$t_tmp/r1/reviews.tsv")
# RVH01: a new text; RVH02: scored; every other row as it was (a new offset)
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 1 }
	$8 == "RVH01" { $14 = "a new text" }
	$8 == "RVH02" { $16 = "en"; $17 = "-0.5"; $18 = "0"; $19 = "0.5"; $20 = "0.5";
	                $21 = "{\"noise\": -0.4}"; $22 = "noise"; $23 = "vader-hi-1" }
	{ print }' "$t_tmp/r1/reviews.tsv" >"$t_tmp/r2/reviews.tsv"
load_run --run r2 --source airbnb "$t_tmp/r2" 2>"$t_tmp/e" || fail "reviews 2: $(cat "$t_tmp/e")"
[ "$(load_counts r2)" = "$n 0 2 $((n - 2))" ] || fail "reviews 2: read/inserted/updated/unchanged $(load_counts r2)"
[ "$(q "select review_text from external.property_reviews where review_id = 'RVH01'")" = "a new text" ] ||
	fail "the new text was not written"
[ "$(q "select sentiment_compound || ' ' || complaint_flags::text || ' ' || scorer_version || ' '
              || (scored_at is not null) || ' ' || last_run_id
          from external.property_reviews where review_id = 'RVH02'")" = "-0.5000 {noise} vader-hi-1 true r2" ] ||
	fail "the rescoring was not written"
[ "$(q "select count(*) from external.property_reviews where last_run_id = 'r2'")" = 2 ] ||
	fail "rows the file confirmed were rewritten"
# the first file again (a new offset): RVH01 takes its old text back, RVH02
# keeps its scores (an unscored row never clears them)
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 2; print }' "$t_tmp/r1/reviews.tsv" >"$t_tmp/r3/reviews.tsv"
load_run --run r3 --source airbnb "$t_tmp/r3" 2>"$t_tmp/e" || fail "reviews 3: $(cat "$t_tmp/e")"
[ "$(load_counts r3)" = "$n 0 1 $((n - 1))" ] || fail "reviews 3: read/inserted/updated/unchanged $(load_counts r3)"
[ "$(q "select scorer_version from external.property_reviews where review_id = 'RVH02'")" = vader-hi-1 ] ||
	fail "an unscored row cleared the scores"

# --- the reviews' digests (sql/108) ---
# every review carries the digest of the row it was last merged from (or, for
# RVH02, of the unscored row that changed nothing: written alone, so neither
# last_run_id nor updated_at moved); the same rows again write nothing at all
rev_state() { q "select md5(string_agg(review_id || ' ' || xmin || ' ' || updated_at || ' '
                                      || last_run_id || ' ' || coalesce(load_digest::text, '-'), ','
                                      order by review_id))
                   from external.property_reviews"; }
[ "$(q "select count(*) from external.property_reviews where load_digest is null")" = 0 ] ||
	fail "a merged review has no digest"
[ "$(q "select last_run_id || ' ' || (updated_at < (select max(updated_at) from external.property_reviews
                                                      where review_id = 'RVH01'))
          from external.property_reviews where review_id = 'RVH02'")" = "r2 true" ] ||
	fail "writing RVH02's digest alone updated the review"
before=$(rev_state)
mkdir -p "$t_tmp/r4" "$t_tmp/r5" "$t_tmp/r6" "$t_tmp/r7" "$t_tmp/r8"
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 3; print }' "$t_tmp/r1/reviews.tsv" >"$t_tmp/r4/reviews.tsv"
load_run --run r4 --source airbnb "$t_tmp/r4" 2>"$t_tmp/e" || fail "reviews 4: $(cat "$t_tmp/e")"
[ "$(load_counts r4)" = "$n 0 0 $n" ] || fail "reviews 4: read/inserted/updated/unchanged $(load_counts r4)"
[ "$(rev_state)" = "$before" ] || fail "rows the file repeated were written"
# a compared field changed by hand forgets the digest (and is an update); the
# next load of the same rows compares it and puts the file's text back
u3=$(q "select updated_at from external.property_reviews where review_id = 'RVH03'")
q "update external.property_reviews set review_text = 'edited by hand' where review_id = 'RVH03'" >/dev/null
[ "$(q "select (load_digest is null) || ' ' || (updated_at > '$u3')
          from external.property_reviews where review_id = 'RVH03'")" = "true true" ] ||
	fail "a hand edit kept the digest"
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 4; print }' "$t_tmp/r1/reviews.tsv" >"$t_tmp/r5/reviews.tsv"
load_run --run r5 --source airbnb "$t_tmp/r5" 2>"$t_tmp/e" || fail "reviews 5: $(cat "$t_tmp/e")"
[ "$(load_counts r5)" = "$n 0 1 $((n - 1))" ] || fail "reviews 5: read/inserted/updated/unchanged $(load_counts r5)"
[ "$(q "select (review_text = 'edited by hand') || ' ' || (load_digest is not null) || ' ' || last_run_id
          from external.property_reviews where review_id = 'RVH03'")" = "false true r5" ] ||
	fail "the hand edit was not undone by the file"
# reviews loaded before the digests (none stored): compared once, counted
# unchanged, their digests written alone; nothing else moves
q "update external.property_reviews set load_digest = null" >/dev/null
before=$(q "select md5(string_agg(review_id || updated_at || last_run_id, ',' order by review_id))
              from external.property_reviews")
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 5; print }' "$t_tmp/r1/reviews.tsv" >"$t_tmp/r6/reviews.tsv"
load_run --run r6 --source airbnb "$t_tmp/r6" 2>"$t_tmp/e" || fail "reviews 6: $(cat "$t_tmp/e")"
[ "$(load_counts r6)" = "$n 0 0 $n" ] || fail "reviews 6: read/inserted/updated/unchanged $(load_counts r6)"
[ "$(q "select md5(string_agg(review_id || updated_at || last_run_id, ',' order by review_id))
          from external.property_reviews")" = "$before" ] || fail "writing the digests updated reviews"
[ "$(q "select count(*) from external.property_reviews where load_digest is null")" = 0 ] ||
	fail "the digests were not written"
# a key twice in a file: the last row wins whatever the digests say, so an
# earlier row that differs changes nothing, and a later one changes the review
before=$(rev_state)
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 6; x = $0 } $8 == "RVH04" { $14 = "an earlier row"; print } { print x }' \
	"$t_tmp/r1/reviews.tsv" >"$t_tmp/r7/reviews.tsv"
load_run --run r7 --source airbnb "$t_tmp/r7" 2>"$t_tmp/e" || fail "reviews 7: $(cat "$t_tmp/e")"
[ "$(rev_state)" = "$before" ] || fail "an earlier row of a known review was merged"
awk -F'\t' -v OFS='\t' '{ $4 = $4 + 7; print } $8 == "RVH04" { $14 = "a later row"; print }' \
	"$t_tmp/r1/reviews.tsv" >"$t_tmp/r8/reviews.tsv"
load_run --run r8 --source airbnb "$t_tmp/r8" 2>"$t_tmp/e" || fail "reviews 8: $(cat "$t_tmp/e")"
[ "$(q "select review_text || ' ' || last_run_id from external.property_reviews
          where review_id = 'RVH04'")" = "a later row r8" ] || fail "the later row of a key lost"

# --- owners ---
fx=fixtures/load/fixes
"$MI_BIN/mi-parse" --format county-csv --config "$fx/owners.ini" --out "$t_tmp/o1" "$fx/owners-1.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse owners 1: $(cat "$t_tmp/e")"
load_run --run o1 --source county-x "$t_tmp/o1" 2>"$t_tmp/e" || fail "owners 1: $(cat "$t_tmp/e")"
m=$(tail -n +2 "$fx/owners-1.csv" | wc -l)
tmk=$(sed -n 2p "$fx/owners-1.csv" | cut -d, -f1)
{ head -n 1 "$fx/owners-1.csv"; echo "$tmk,\"KAPONO,LEI\""; tail -n +3 "$fx/owners-1.csv"; } >"$t_tmp/owners-2.csv"
"$MI_BIN/mi-parse" --format county-csv --config "$fx/owners.ini" --out "$t_tmp/o2" "$t_tmp/owners-2.csv" \
	>/dev/null 2>"$t_tmp/e" || fail "parse owners 2: $(cat "$t_tmp/e")"
load_run --run o2 --source county-x "$t_tmp/o2" 2>"$t_tmp/e" || fail "owners 2: $(cat "$t_tmp/e")"
[ "$(load_counts o2)" = "$m 0 1 $((m - 1))" ] || fail "owners 2: read/inserted/updated/unchanged $(load_counts o2)"
[ "$(q "select owner_name from external.properties where tmk = '2$tmk'")" = "KAPONO,LEI" ] ||
	fail "the new owner was not written"
[ "$(q "select count(*) from etl.change_events where event_type = 'owner_changed' and tmk = '2$tmk'")" = 1 ] ||
	fail "no owner_changed event"

# --- parcels ---
# the parcel layer again with one assessment changed: that parcel is updated,
# the other counted unchanged (and not rewritten); then the same rows from
# other offsets change nothing
pf=fixtures/parse/county-csv/hawaii-parcels/expected/properties.tsv
mkdir -p "$t_tmp/p1" "$t_tmp/p2" "$t_tmp/p3"
cp "$pf" "$t_tmp/p1/properties.tsv"
load_run --run p1 --source county-x "$t_tmp/p1" 2>"$t_tmp/e" || fail "parcels 1: $(cat "$t_tmp/e")"
ptmk=$(sed -n 1p "$pf" | cut -f6)
other=$(sed -n 2p "$pf" | cut -f6)
before=$(q "select xmin from external.properties where tmk = '$other'")
awk -F '\t' -v OFS='\t' 'NR == 1 { $25 = "250000.00" } { print }' "$pf" >"$t_tmp/p2/properties.tsv"
load_run --run p2 --source county-x "$t_tmp/p2" 2>"$t_tmp/e" || fail "parcels 2: $(cat "$t_tmp/e")"
[ "$(load_counts p2)" = "2 0 1 1" ] || fail "parcels 2: read/inserted/updated/unchanged $(load_counts p2)"
[ "$(q "select assessed_land_value from external.properties where tmk = '$ptmk'")" = 250000.00 ] ||
	fail "the new assessment was not written"
[ "$(q "select xmin from external.properties where tmk = '$other'")" = "$before" ] ||
	fail "an unchanged parcel was rewritten"
awk -F '\t' -v OFS='\t' '{ $4 = $4 + 1000 } { print }' "$t_tmp/p2/properties.tsv" >"$t_tmp/p3/properties.tsv"
load_run --run p3 --source county-x "$t_tmp/p3" 2>"$t_tmp/e" || fail "parcels 3: $(cat "$t_tmp/e")"
[ "$(load_counts p3)" = "2 0 0 2" ] || fail "parcels 3: read/inserted/updated/unchanged $(load_counts p3)"
exit 0
