#!/bin/sh
# Prospects are shown by the owner's display name (external.properties.owner_display,
# else the roll's form, kept in owner_name_raw); a prospect made before the display
# form was known is renamed when it appears, without a new prospect; a name a person
# edited is never overwritten (fixtures/leads/market.sql).
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"
q() { psql -XAtc "$1"; }
score() {
	"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 2>"$t_tmp/err" ||
		fail "mi-leads score: $(cat "$t_tmp/err")"
}
name() { q "select display_name || '|' || owner_name_raw from homeowner_acquisition.prospects where owner_key = '$1'"; }

# the night before the owners load gave Susan Lee's display form
q "update external.properties set owner_display = null where tmk = '2430050200012'" >/dev/null
out=$(score)
echo "$out" | grep -q "4 new prospects, .*, 0 prospects renamed;" || fail "first score: $out"
[ "$(name 'LEE SUSAN')" = "LEE SUSAN|LEE SUSAN" ] || fail "no display form yet: $(name 'LEE SUSAN')"
[ "$(name 'NAKAMURA DAVID K')" = "David K & Lisa M Nakamura|NAKAMURA DAVID K & LISA M" ] ||
	fail "display form at creation: $(name 'NAKAMURA DAVID K')"
[ "$(name 'KAPOI FAMILY TRUST')" = "KAPOI FAMILY TRUST|KAPOI FAMILY TRUST" ] ||
	fail "no display form: the roll's form: $(name 'KAPOI FAMILY TRUST')"
# an agent writes the trust's name as the family asked
q "update homeowner_acquisition.prospects set display_name = 'Kapoi Ohana Trust' where owner_key = 'KAPOI FAMILY TRUST'" >/dev/null
n=$(q "select count(*) from homeowner_acquisition.prospects")

# the display forms arrive: Susan Lee is renamed; the edited trust name stays
q "update external.properties set owner_display = 'Susan Lee' where tmk = '2430050200012';
   update external.properties set owner_display = 'Kapoi Family Trust' where owner_key = 'KAPOI FAMILY TRUST'" >/dev/null
out=$(score)
echo "$out" | grep -q "0 new prospects, 0 new leads, .*, 1 prospects renamed;" || fail "second score: $out"
[ "$(name 'LEE SUSAN')" = "Susan Lee|LEE SUSAN" ] || fail "not renamed: $(name 'LEE SUSAN')"
[ "$(name 'KAPOI FAMILY TRUST')" = "Kapoi Ohana Trust|KAPOI FAMILY TRUST" ] ||
	fail "an edited name was overwritten: $(name 'KAPOI FAMILY TRUST')"
[ "$(q "select count(*) from homeowner_acquisition.prospects")" = "$n" ] || fail "renaming made prospects"
# the do-not-contact prospect entered by hand keeps its name
[ "$(name 'PALAKIKO JAMES')" = "James Palakiko|PALAKIKO JAMES" ] || fail "Palakiko: $(name 'PALAKIKO JAMES')"

out=$(score)
echo "$out" | grep -q "0 new prospects, 0 new leads, 0 rescored, 0 new activities, 0 new projections, 0 prospects renamed;" ||
	fail "a re-run changed something: $out"
exit 0
