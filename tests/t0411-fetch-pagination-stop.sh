#!/bin/sh
# Pagination that stops where it should not: a json_next source whose next_field
# names nothing in a full first page (page_size items) lands that page and says so,
# in mi-fetch's summary and in the manifest ("pagination stopped at page 1 of a full
# page"); a correct next_field on the same pages, or a last page that is not full,
# says nothing.  With expected_min_items the short source fails: mi-fetch exits 1,
# and a nightly run (mi-run on the demo market) records the source's fetch as failed
# with the warning in its summary and in the run ledger, does not load it, loads the
# others and exits 1.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

# /pages/N?last=3: two items a page, the next link at paging.next
src wrong '/pages/1?last=3' '[paginate]' 'mode = json_next' 'next_field = paging.nxt' 'page_size = 2'
src right '/pages/1?last=4' '[paginate]' 'mode = json_next' 'next_field = paging.next' 'page_size = 2'
src unsized '/pages/1?last=5' '[paginate]' 'mode = json_next' 'next_field = paging.nxt'
fetch --run r1 >"$t_tmp/out" 2>"$t_tmp/err" || fail "mi-fetch exit $?: $(cat "$t_tmp/err")"
[ "$(hits '/pages/2?last=3')" = 0 ] || fail "the wrong next_field was followed"
[ "$(hits '/pages/4?last=4')" = 1 ] || fail "the right next_field was not followed to the end"
python3 - "$t_tmp/out" <<'EOF' || fail "mi-fetch summary: $(cat "$t_tmp/out")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["landed"] == 6, s
assert s["short_sources"] == 0, s
assert s["warnings"] == ["wrong: pagination stopped at page 1 of a full page (2 items, page_size 2): "
                         "next_field 'paging.nxt' resolves to nothing"], s["warnings"]
EOF
grep -q "pagination stopped at page 1 of a full page" "$t_tmp/err" || fail "no warning on stderr: $(cat "$t_tmp/err")"
[ "$(manifest_field r1 "$BASE/pages/1?last=3" warning)" = \
	"pagination stopped at page 1 of a full page (2 items, page_size 2): next_field 'paging.nxt' resolves to nothing" ] ||
	fail "the manifest has no warning for the full page"
[ "$(manifest_field r1 "$BASE/pages/1?last=3" items)" = 2 ] || fail "the manifest does not count the page's items"
# the last page of the right source is full too, but its "next": null is the API's
# own end: no warning; one without page_size is not checked
[ "$(manifest_field r1 "$BASE/pages/4?last=4" warning)" = null ] || fail "the right source's last page warned"
[ "$(manifest_field r1 "$BASE/pages/1?last=5" warning)" = null ] || fail "a source without page_size warned"

# expected_min_items: 5 items wanted, 2 landed: the source failed, exit 1
src wrong '/pages/1?last=3' '[paginate]' 'mode = json_next' 'next_field = paging.nxt' 'page_size = 2' \
	'expected_min_items = 5'
src right '/pages/1?last=4' '[paginate]' 'mode = json_next' 'next_field = paging.next' 'page_size = 2' \
	'expected_min_items = 8'
rm "$CONF/sources/unsized.ini"
fetch --run r2 >"$t_tmp/out" 2>"$t_tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "mi-fetch exit $rc with a short source, want 1: $(cat "$t_tmp/out" "$t_tmp/err")"
python3 - "$t_tmp/out" <<'EOF' || fail "mi-fetch summary: $(cat "$t_tmp/out")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["short_sources"] == 1, s
assert "wrong: 2 items, expected at least 5: the source failed" in s["warnings"], s["warnings"]
assert not any(w.startswith("right:") for w in s["warnings"]), s["warnings"]
EOF
# the same run again: nothing fetched, the verdict the same (from the manifest)
fetch --run r2 >"$t_tmp/out" 2>"$t_tmp/err"
[ $? -eq 1 ] || fail "re-run of r2: want exit 1 again: $(cat "$t_tmp/out")"
grep -q '"short_sources":1' "$t_tmp/out" || fail "re-run of r2: $(cat "$t_tmp/out")"
# a bad value is a configuration error naming the file
src bad '/pages/1' '[paginate]' 'mode = json_next' 'expected_min_items = -3'
fetch --run r3 >"$t_tmp/out" 2>"$t_tmp/err"
[ $? -eq 78 ] || fail "a negative expected_min_items: $(cat "$t_tmp/err")"
grep -q "bad.ini" "$t_tmp/err" || fail "the error does not name the file: $(cat "$t_tmp/err")"
httpd_stop

# the nightly run: the short source's fetch row fails with the warning, it is not
# loaded, the run exits 1 and the ledger says why
. tests/run-lib.sh
[ -x "$MI_BIN/mi-run" ] || skip "no $MI_BIN/mi-run"
run_world
fresh_db
cat >"$t_tmp/config/sources/pm-api.ini" <<INI
[source]
id = pm-api
kind = reviews
county = 2
url = http://127.0.0.1:$demo_port/pages/1?last=3
format = json-reviews
rules = apis/hostaway.ini
enabled = true
[fetch]
rate = 0
[paginate]
mode = json_next
next_field = paging.nxt
page_size = 2
expected_min_items = 5
INI
run_nightly "$t_tmp/n"
rc=$?
[ $rc -eq 1 ] || { cat "$t_tmp/n/out" "$t_tmp/n/err"; fail "nightly exit $rc, want 1"; }
grep -Eq "^fetch +pm-api +failed .*2 items, expected at least 5: not loaded; warning: pagination stopped at page 1 of a full page" \
	"$t_tmp/n/out" || fail "the fetch row: $(cat "$t_tmp/n/out")"
grep -Eq "^(parse|load) +pm-api " "$t_tmp/n/out" && fail "the short source was parsed or loaded"
grep -Eq "^load +airbnb-hawaii-reviews +succeeded" "$t_tmp/n/out" || fail "the other sources were not loaded"
grep -q "^exit 1 " "$t_tmp/n/out" || fail "the summary's exit line"
[ "$(psql -XAtc "select status || ' ' || exit_code from etl.runs")" = "partial 1" ] || fail "the run's row"
psql -XAtc "select status, error, detail ->> 'note' from etl.stage_results
            where stage = 'fetch' and source = 'pm-api'" >"$t_tmp/ledger"
grep -q "^failed|exit 1 (.*): 2 items, expected at least 5: not loaded; warning: pagination stopped at page 1 of a full page" \
	"$t_tmp/ledger" || fail "the ledger row: $(cat "$t_tmp/ledger")"
grep -q "|2 items, expected at least 5: not loaded; warning: pagination stopped at page 1 of a full page (2 items, page_size 2): next_field 'paging.nxt' resolves to nothing$" \
	"$t_tmp/ledger" || fail "the ledger's note: $(cat "$t_tmp/ledger")"
psql -XAtc "select summary from etl.runs" | grep -q "pagination stopped at page 1 of a full page" ||
	fail "the run's summary has no warning"
exit 0
