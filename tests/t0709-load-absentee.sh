#!/bin/sh
# The absentee flag a county owner roll loads (external.properties.owner_is_absentee)
# agrees with `mi-normalize --island ISLAND owner` for a parcel on each island and a
# mailing address in every town geo_hi knows (its ZIP table, with and without the ZIP,
# and its place names), plus addresses out of state and abroad.  Maui County spans three
# islands: the parcel's island comes from its TMK (zone 5-6 Molokai, 4-9 Lanai, else
# Maui), so a Maui owner mailing from Lahaina or Kihei is local (false), not unknown.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }

# the towns: "ZIP|NAME" from the ZIP table, "|NAME" from the place names
{
	sed -n 's/^	{ \(9[67][0-9]*\), GEO_[A-Z]*, "\([A-Z ]*\)" },.*/\1|\2/p' pipeline/normalize/geo_hi.c
	sed -n 's/^	{ "\([A-Z][A-Z ]*\)", [0-4], GEO_[A-Z]* },.*/|\1/p' pipeline/normalize/geo_hi.c
} | sort -u >"$t_tmp/towns"
n=$(wc -l <"$t_tmp/towns")
[ "$n" -ge 100 ] || fail "only $n towns read from geo_hi.c"

# one roll: for each island a TMK base (county, zone, section, plat), each town with and
# without its ZIP, then a few addresses elsewhere; a CPR number per row keeps TMKs apart
cat >"$t_tmp/roll.ini" <<'INI'
[format]
entity = owners
delimiter = pipe
[columns]
tmk = TMK
owner_name = OWNER
mailing_address = ADDR
mailing_city = ?CITY
mailing_state = ?STATE
mailing_zip = ?ZIP
mailing_country = ?COUNTRY
INI
printf 'Oahu 126010\nMaui 244013\nMolokai 252009\nLanai 249002\nHawaii 375017\nKauai 428014\n' >"$t_tmp/islands"
awk -F'|' -v islands="$t_tmp/islands" '
BEGIN {
	while ((getline l < islands) > 0) { split(l, p, " "); ni++; isl[ni] = p[1]; base[ni] = p[2] }
	print "TMK|OWNER|ADDR|CITY|STATE|ZIP|COUNTRY"
}
{ nt++; zip[nt] = $1; town[nt] = $2 }
END {
	extra[1] = "1 PIKE ST|SEATTLE|WA|98101|"; extra[2] = "2-1 MARUNOUCHI|TOKYO|||JAPAN"
	extra[3] = "PO BOX 7||HI||"; extra[4] = "9 MAIN ST|SPRINGFIELD|||"
	for (i = 1; i <= ni; i++) {
		r = 0
		for (t = 1; t <= nt; t++) {
			if (zip[t] != "")
				printf "%s%03d%04d|OWNER %d|PO BOX %d|%s|HI|%s|\n", base[i], 1, ++r, r, r, town[t], zip[t]
			printf "%s%03d%04d|OWNER %d|PO BOX %d|%s|HI||\n", base[i], 1, ++r, r, r, town[t]
		}
		for (e = 1; e <= 4; e++)
			printf "%s%03d%04d|OWNER %d|%s\n", base[i], 1, ++r, r, extra[e]
	}
}' "$t_tmp/towns" >"$t_tmp/roll.csv"
rows=$(($(wc -l <"$t_tmp/roll.csv") - 1))

"$MI_BIN/mi-parse" --format county-csv --config "$t_tmp/roll.ini" --out "$t_tmp/o" \
	"$t_tmp/roll.csv" >/dev/null 2>"$t_tmp/e" || fail "parse: $(cat "$t_tmp/e")"
load_run --run a1 --source roll-x "$t_tmp/o" 2>"$t_tmp/e" || fail "load: $(cat "$t_tmp/e")"

# what the database holds, and what the normalizer says for the same address and island
q "select tmk, coalesce(owner_is_absentee::text, 'null') from external.properties order by tmk" |
	tr '|' ' ' >"$t_tmp/loaded"
[ "$(wc -l <"$t_tmp/loaded")" -eq "$rows" ] || fail "$(wc -l <"$t_tmp/loaded") properties loaded, want $rows"
: >"$t_tmp/said"
while read -r island b; do
	grep "^$b" "$t_tmp/roll.csv" | sort >"$t_tmp/rows.$island"
	awk -F'|' '{
		a = $3
		if ($4 != "") a = a ", " $4
		if ($5 != "") a = a ", " $5
		if ($6 != "") a = a " " $6
		if ($7 != "") a = a ", " $7
		printf "%s\t%s\n", $2, a
	}' "$t_tmp/rows.$island" >"$t_tmp/in.$island"
	"$MI_BIN/mi-normalize" --island "$island" owner <"$t_tmp/in.$island" >"$t_tmp/out.$island" ||
		fail "mi-normalize --island $island"
	awk -F'\t' '{ print ($NF == "local") ? "false" : ($NF == "unknown") ? "null" : "true" }' \
		"$t_tmp/out.$island" | paste -d' ' "$t_tmp/rows.$island" - |
		awk -F'|' '{ split($0, w, " "); print $1, w[length(w)] }' >>"$t_tmp/said"
done <"$t_tmp/islands"
sort -o "$t_tmp/said" "$t_tmp/said"
diff "$t_tmp/said" "$t_tmp/loaded" >"$t_tmp/diff" ||
	fail "loaded absentee flags differ from mi-normalize owner (normalizer < > loaded):
$(head -n 20 "$t_tmp/diff")"

# the issue's cases, spelled out: a Maui parcel, owners mailing from Maui towns are local
for town in LAHAINA KIHEI WAILUKU; do
	t=$(grep "^244013.*|$town|HI|967" "$t_tmp/roll.csv" | head -n 1 | cut -d'|' -f1)
	[ -n "$t" ] || fail "no Maui row mailing from $town"
	[ "$(q "select owner_is_absentee from external.properties where tmk = '$t'")" = f ] ||
		fail "a Maui owner mailing from $town is not local"
done
t=$(grep "^244013.*|KAUNAKAKAI|HI|967" "$t_tmp/roll.csv" | head -n 1 | cut -d'|' -f1)
[ "$(q "select owner_is_absentee from external.properties where tmk = '$t'")" = t ] ||
	fail "a Maui owner mailing from Molokai is not absentee"
n=$(q "select count(*) from external.properties where owner_is_absentee is null")
echo "$rows owners on 6 islands agree with mi-normalize; $n unknown (addresses that name no place)"
exit 0
