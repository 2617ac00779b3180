#!/bin/sh
# A scored parcel whose owner changes on the roll becomes the lead of its new
# owner's prospect while it stays on its former owner's: scoring goes on, and
# the day's score history (homeowner_acquisition.property_assessments, one row
# per parcel and day) takes one row for it, the higher score's, then the newer
# lead row's (091; before, the night's scoring failed: "ON CONFLICT DO UPDATE
# command cannot affect row a second time").  A re-run changes nothing.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/roll_buyer.sql >/dev/null || fail "loading the fixture"
q() { psql -XAtc "$1"; }
score() {
	"$MI_BIN/mi-leads" --config config/leads.ini score --as-of "$1" >/dev/null 2>"$t_tmp/err" ||
		fail "mi-leads score --as-of $1: $(cat "$t_tmp/err")"
}

score 2026-11-20
tmk=$(q "select min(tmk) from homeowner_acquisition.prospect_properties where opportunity_score > 0")
[ -n "$tmk" ] || fail "no scored lead in the fixture"
old=$(q "select prospect_id from homeowner_acquisition.prospect_properties where tmk = '$tmk'")
# the roll names a new owner, at another address
q "update external.properties set owner_name = 'KAPONO,LEI', owner_display = 'Lei Kapono',
          owner_key = 'KAPONO LEI', owner_mailing_address = '9 PUA LN', owner_mailing_key = '9 PUA LN',
          owner_mailing_city = 'HILO', owner_mailing_state = 'HI'
    where tmk = '$tmk'" >/dev/null || fail "changing the owner"
score 2026-11-21
[ "$(q "select count(*) from homeowner_acquisition.prospect_properties where tmk = '$tmk'")" = 2 ] ||
	fail "the parcel is not the lead of its former and its new owner"
new=$(q "select max(prospect_property_id) from homeowner_acquisition.prospect_properties where tmk = '$tmk'")
got=$(q "select count(*) || ' ' || min(prospect_property_id) from homeowner_acquisition.property_assessments
          where tmk = '$tmk' and assessment_key = 'opportunity:2026-11-21'")
want="1 $new"
[ "$got" = "$want" ] || fail "the day's history of the parcel: want '$want', got '$got' (former prospect $old)"
before=$(q "select md5(string_agg(a::text, ',' order by assessment_id)) from homeowner_acquisition.property_assessments a")
score 2026-11-21
[ "$(q "select md5(string_agg(a::text, ',' order by assessment_id)) from homeowner_acquisition.property_assessments a")" = "$before" ] ||
	fail "a re-run changed the history"
exit 0
