#!/bin/sh
# mi-fetch creates the landing store and the folders above it when they are
# missing (a fresh /var/lib/market-intel/landing), and lands there.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start
src hello '/hello.txt'
LAND="$t_tmp/not/yet/there/landing"
fetch --run r1 >"$t_tmp/out" 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "mi-fetch into a missing folder exited $?"; }
[ -f "$LAND/runs/r1/manifest.jsonl" ] || fail "no manifest in the new landing store"
[ "$(objects)" -ge 1 ] || fail "nothing landed in the new landing store"
exit 0
