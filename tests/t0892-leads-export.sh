#!/bin/sh
# mi-leads suppress and export on fixtures/leads/market.sql + mail.sql: the
# suppression list (fixtures/leads/mail/suppress.csv: an owner listed by mailing
# address only, a name matching nobody, a row naming nobody, the first entry
# again) is keyed with the owner and address normalizers; the export is one row
# per owner, RFC 4180, UTF-8, the mailing address in USPS form, and equals
# fixtures/leads/mail/export.csv.expected; the suppressed owner and the
# do-not-contact owners never come out of the export, the queue or a claim.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql -f fixtures/leads/mail.sql >/dev/null ||
	fail "loading the fixtures"
leads() { "$MI_BIN/mi-leads" --config config/leads.ini "$@"; }
q() { psql -XAtc "$1"; }
leads score --as-of 2026-11-20 >/dev/null || fail "score"
lead_of() { q "select prospect_id from homeowner_acquisition.prospects where owner_key = '$1'"; }
LEE=$(lead_of 'LEE SUSAN')
WINTERS=$(lead_of 'WINTERS GARY')
[ -n "$LEE" ] && [ -n "$WINTERS" ] || fail "fixture owners missing"
leads queue --limit 100 | grep -q "Susan Lee" || fail "Susan Lee should wait in the queue before the list"

# a do-not-contact owner, marked by an agent
leads dnc "$WINTERS" --agent kalani --reason "asked on the phone" >/dev/null || fail "dnc"

# the suppression list
list=fixtures/leads/mail/suppress.csv
leads suppress "$list" --agent kalani >"$t_tmp/out" 2>"$t_tmp/err" || fail "suppress: $(cat "$t_tmp/err")"
[ "$(cat "$t_tmp/out")" = "suppress $list: 2 entries added, 1 already listed, 1 rejected; 2 leads now suppressed" ] ||
	fail "suppress: $(cat "$t_tmp/out")"
[ "$(cat "$t_tmp/err")" = "$list:4: neither an owner name nor a street address" ] || fail "rejects: $(cat "$t_tmp/err")"
[ "$(q "select address_key || ' ' || zip5 || ' ' || source_line from etl.lead_suppressions where owner_key is null")" = \
	"1350 ALA MOANA BLVD #2104 96814 2" ] || fail "the address entry is not keyed by the normalizer"
[ "$(q "select owner_key from etl.lead_suppressions where source = '$list' and owner_key is not null")" = \
	"NOBODY SOMEBODY" ] || fail "the name entry is not keyed by the owner normalizer"
leads suppress "$list" --agent kalani 2>/dev/null | grep -q ": 0 entries added, 3 already listed, 1 rejected;" ||
	fail "a second import added entries"
printf 'phone,email\n808,x@y.z\n' >"$t_tmp/bad.csv"
leads suppress "$t_tmp/bad.csv" --agent kalani >/dev/null 2>"$t_tmp/err"
[ $? -eq 65 ] || fail "a list without owner or address columns should exit 65"
grep -q "names neither an owner column" "$t_tmp/err" || fail "$(cat "$t_tmp/err")"
leads suppress "$t_tmp/none.csv" --agent kalani >/dev/null 2>&1
[ $? -eq 66 ] || fail "a missing list should exit 66"

# the suppressed owner (by mailing address only) is in no list and cannot be claimed
leads queue --limit 100 >"$t_tmp/queue" || fail "queue"
grep -q "Susan Lee\|Gary Winters\|Palakiko" "$t_tmp/queue" && fail "a suppressed or do-not-contact owner is in the queue"
leads claim "$LEE" --agent kalani >/dev/null 2>"$t_tmp/err"
[ $? -eq 67 ] || fail "claiming a suppressed owner should be refused"
grep -q "the owner of lead $LEE is on the suppression list" "$t_tmp/err" || fail "$(cat "$t_tmp/err")"
grep -q "already a client of the Kaanapali office" "$t_tmp/err" || fail "the refusal does not say why: $(cat "$t_tmp/err")"
leads show "$LEE" | grep -q "^SUPPRESSED on the suppression list" || fail "show does not say it is suppressed"

# the export: golden, RFC 4180 (CRLF, quoting), UTF-8, USPS form
leads export --format csv >"$t_tmp/export.csv" 2>"$t_tmp/err" || fail "export: $(cat "$t_tmp/err")"
[ "$(cat "$t_tmp/err")" = "mi-leads: exported 6 owners; 1 left out: no mailing address" ] || fail "$(cat "$t_tmp/err")"
cmp -s fixtures/leads/mail/export.csv.expected "$t_tmp/export.csv" || {
	diff fixtures/leads/mail/export.csv.expected "$t_tmp/export.csv" >&2
	fail "the export differs from fixtures/leads/mail/export.csv.expected"
}
[ "$(grep -c "$(printf '\r')\$" "$t_tmp/export.csv")" = "$(wc -l <"$t_tmp/export.csv")" ] || fail "not every line ends in CRLF"
iconv -f UTF-8 -t UTF-8 "$t_tmp/export.csv" >/dev/null || fail "the export is not UTF-8"
grep -q "Susan Lee\|Winters\|Palakiko\|1350 ALA MOANA" "$t_tmp/export.csv" && fail "a suppressed or do-not-contact owner was exported"
leads export --status new,contacted,meeting,proposal,negotiating,nurture,won,lost >"$t_tmp/all.csv" 2>/dev/null || fail "all stages"
grep -q "Susan Lee\|Winters\|Palakiko" "$t_tmp/all.csv" && fail "a suppressed or do-not-contact owner was exported with every stage"
# filters
leads export --min-score 40 2>/dev/null | cut -d, -f2 >"$t_tmp/min"
[ "$(tr -d '\r' <"$t_tmp/min" | tr '\n' '|')" = "owner|David K & Lisa M Nakamura|PACIFIC SHORES HOLDINGS LLC|" ] ||
	fail "--min-score 40: $(cat "$t_tmp/min")"
[ "$(leads export --status won 2>/dev/null | wc -l)" = 1 ] || fail "--status won should give the header only"
leads export --status engaged >/dev/null 2>&1; [ $? -eq 64 ] || fail "an unknown stage should exit 64"
leads export --status do_not_contact >/dev/null 2>&1; [ $? -eq 64 ] || fail "do_not_contact cannot be exported"
leads export --format xml >/dev/null 2>&1; [ $? -eq 64 ] || fail "--format xml should exit 64"
leads export --min-score 101 >/dev/null 2>&1; [ $? -eq 64 ] || fail "--min-score 101 should exit 64"
# --out: written whole, no temporary left
leads export --out "$t_tmp/out.csv" 2>/dev/null || fail "--out"
cmp -s "$t_tmp/out.csv" "$t_tmp/export.csv" || fail "--out differs from stdout"
ls -A "$t_tmp" | grep -q '^\.out\.csv\.' && fail "a temporary file was left"
# the care-of line comes from the owner roll (its own column, "C/O" dropped) to
# the lead, and out as "C/O ..." in the export
fx=fixtures/parse/county-csv/honolulu-owninfo
"$MI_BIN/mi-parse" --format county-csv --config config/formats/honolulu-owninfo.ini --out "$t_tmp/own" \
	"$fx/input.csv" >/dev/null 2>"$t_tmp/e" || fail "parse owners: $(cat "$t_tmp/e")"
"$MI_BIN/mi-load" --quiet --run care-of --source honolulu-owninfo "$t_tmp/own" >/dev/null 2>"$t_tmp/e" ||
	fail "load owners: $(cat "$t_tmp/e")"
[ "$(q "select owner_care_of from external.properties where tmk = '1260100070152'")" = "BANK OF HAWAII" ] ||
	fail "the roll's care-of line is not loaded: $(q "select owner_care_of from external.properties where tmk = '1260100070152'")"
grep -q '^[0-9]*,Makaʻala Trust,"C/O Leināʻala Kahale, Trustee",PO BOX 2210,' "$t_tmp/export.csv" ||
	fail "the care-of line of the export"

# a snoozed owner is out of the export until its date
K=$(lead_of 'KAPOI FAMILY TRUST')
leads claim "$K" --agent kalani >/dev/null && leads snooze "$K" --agent kalani --until "$(q "select current_date + 5")" >/dev/null ||
	fail "snooze"
leads export 2>/dev/null | grep -q "KAPOI" && fail "a snoozed owner was exported"
exit 0
