#!/bin/sh
# The generated Hawaii market of make bench-night (bench/gen_world) at a tiny
# scale: every file reads with its demo source's format and rules without a
# reject, and the next night is the first one plus its delta (the same
# parcels, more reviews and sales, a few owners changed, a new calendar
# snapshot starting a day later).  The benchmark itself is never run here.
. tests/lib.sh
gen="$MI_BUILD/bench/gen_world"
[ -x "$gen" ] || skip "$gen is not built (make test-build)"
"$gen" --scale 0.002 --date 2026-11-20 --night 1 "$t_tmp/w1" || fail "gen_world night 1"
"$gen" --scale 0.002 --date 2026-11-20 --night 2 "$t_tmp/w2" || fail "gen_world night 2"
"$gen" --scale 0.002 --date 2026-11-20 --night 1 "$t_tmp/w1b" || fail "gen_world night 1 again"
diff -r "$t_tmp/w1" "$t_tmp/w1b" >/dev/null || fail "gen_world is not deterministic"

parse() {
	# parse WORLD FILE FORMAT [COUNTY RULES]: entity files in WORLD.out/FILE, 0 rejects
	mkdir -p "$1.out"
	_o="$1.out/$(echo "$2" | tr / _)"
	"$MI_BIN/mi-parse" --format "$3" ${4:+--county "$4"} ${5:+--config "config/demo/formats/$5"} \
		--snapshot-date 2026-11-20 --out "$_o" "$1/$2" >/dev/null 2>"$t_tmp/err" ||
		fail "mi-parse $2: $(cat "$t_tmp/err")"
	[ ! -s "$_o/rejects.tsv" ] || fail "$2: rejects: $(head -n 3 "$_o/rejects.tsv")"
}
for w in "$t_tmp/w1" "$t_tmp/w2"; do
	parse "$w" gis/parcels.csv parcel-csv "" gis-parcels.ini
	parse "$w" oahu/owndat.csv county-csv 1 oahu-owndat.ini
	parse "$w" maui/owners.csv county-csv 2 maui-owners.ini
	parse "$w" maui/sales.txt maui-rpt-sales 2
	parse "$w" insideairbnb/listings.csv insideairbnb-listings
	parse "$w" insideairbnb/reviews.csv insideairbnb-reviews
	parse "$w" insideairbnb/calendar.csv insideairbnb-calendar
done
rows() { wc -l <"$1"; }
o1="$t_tmp/w1.out" o2="$t_tmp/w2.out"
[ "$(rows "$o1/gis_parcels.csv/properties.tsv")" -eq 1000 ] || fail "not 1,000 parcels"
cmp -s "$t_tmp/w1/gis/parcels.csv" "$t_tmp/w2/gis/parcels.csv" || fail "the parcels changed overnight"
[ "$(($(rows "$o1/oahu_owndat.csv/owners.tsv") + $(rows "$o1/maui_owners.csv/owners.tsv")))" -eq 1000 ] ||
	fail "not an owner for every parcel"
[ "$(rows "$o2/insideairbnb_reviews.csv/reviews.tsv")" -eq 2020 ] ||
	fail "night 2 has $(rows "$o2/insideairbnb_reviews.csv/reviews.tsv") reviews, not 2,000 + 1 %"
s1=$(rows "$o1/maui_sales.txt/sales.tsv") s2=$(rows "$o2/maui_sales.txt/sales.tsv")
[ "$s2" -gt "$s1" ] || fail "no new sales on night 2 ($s1, $s2)"
changed=$(cat "$t_tmp/w1/oahu/owndat.csv" "$t_tmp/w1/maui/owners.csv" | sort >"$t_tmp/a"
	cat "$t_tmp/w2/oahu/owndat.csv" "$t_tmp/w2/maui/owners.csv" | sort | comm -13 "$t_tmp/a" - | wc -l)
[ "$changed" -ge 1 ] && [ "$changed" -le 3 ] || fail "$changed owner rows changed, not 1 to 3"
[ "$(rows "$o1/insideairbnb_calendar.csv/pricing.tsv")" -eq $((70 * 365)) ] || fail "not 365 nights a listing"
sed -n 2p "$t_tmp/w2/insideairbnb/calendar.csv" | grep -q ',2026-11-21,' || fail "night 2's calendar does not start a day later"
exit 0
