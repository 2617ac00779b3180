#!/bin/sh
# mi-fetch conditional requests and changed bodies: a 304 stores nothing new and keeps
# the earlier hash; a changed body lands as a new object; validators are only sent for a
# body still in the store.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start

src etag '/etag'
src changing '/changing'
fetch --run r1 >/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "run 1"; }
n1=$(objects)
h1=$(manifest_field r1 "$BASE/etag" sha256)
c1=$(manifest_field r1 "$BASE/changing" sha256)
grep -F "\"url\":\"$BASE/etag\"" "$LAND/runs/r1/manifest.jsonl" | grep -qF '"etag":"\"v1\""' ||
	fail "ETag not recorded"
[ "$(manifest_field r1 "$BASE/etag" last_modified)" = 'Mon, 02 Nov 2026 10:00:00 GMT' ] || fail "Last-Modified"

fetch --run r2 >"$t_tmp/out2" 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "run 2"; }
[ "$(manifest_field r2 "$BASE/etag" outcome)" = not_modified ] || fail "no 304: $(manifest_field r2 "$BASE/etag" outcome)"
[ "$(manifest_field r2 "$BASE/etag" status)" = 304 ] || fail "status"
[ "$(manifest_field r2 "$BASE/etag" sha256)" = "$h1" ] || fail "a 304 must keep the earlier hash"
c2=$(manifest_field r2 "$BASE/changing" sha256)
[ "$(manifest_field r2 "$BASE/changing" outcome)" = landed ] || fail "changed body"
[ "$c1" != "$c2" ] || fail "a changed body must get a new hash"
[ "$(objects)" = $((n1 + 1)) ] || fail "objects: $(objects), want $((n1 + 1)) (only the changed body)"
grep -q '"not_modified":1' "$t_tmp/out2" || fail "summary: $(cat "$t_tmp/out2")"
[ "$(hits /etag)" = 2 ] && [ "$(hits /changing)" = 2 ] || fail "hits"

# the body behind the validators is gone: fetch it whole again, never trust a bare 304
chmod u+w "$LAND/objects/$(echo "$h1" | cut -c1-2)"
rm -f "$LAND/objects/$(echo "$h1" | cut -c1-2)/$(echo "$h1" | cut -c3-)"
fetch --run r3 >/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "run 3"; }
[ "$(manifest_field r3 "$BASE/etag" outcome)" = landed ] || fail "validators sent without their body"
[ -f "$LAND/objects/$(echo "$h1" | cut -c1-2)/$(echo "$h1" | cut -c3-)" ] || fail "body not restored"
exit 0
