#!/bin/sh
# The parser's rejects (rejects.tsv) land in etl.rejects with stage 'parse', their
# reason and location; loading them again on the same run leaves one copy; they
# count against the reject share (2 of 22 rows: over 5 %, under 10 %).
. tests/lib.sh
. tests/load-lib.sh
fresh_db
fx=fixtures/load/parse-rejects

"$MI_BIN/mi-load" --sql-dir sql -q --run p1 --source airbnb-x "$fx" >/dev/null 2>"$t_tmp/err"
rc=$?
[ $rc -eq 65 ] || fail "expected exit 65 with 2 parse rejects of 22 rows, got $rc: $(cat "$t_tmp/err")"
got=$(psql -XAt -F '|' -c "select stage, source, file, line, coalesce(reason_code, '-'), reason, excerpt
	from etl.rejects order by line")
expected="parse|airbnb-x|calendar.csv|7|bad_price|bad_price|123,2026-11-01,t,\$abc
parse|airbnb-x|calendar.csv|9|-|date out of range: \"2026-13-01\"|123,2026-13-01,t,\$100	with tab"
[ "$got" = "$expected" ] || fail "parse rejects: $got"
n=$(psql -XAtc "select count(*) from etl.listings")
[ "$n" -eq 20 ] || fail "the good rows were not loaded: $n"

"$MI_BIN/mi-load" --sql-dir sql -q --run p1 --source airbnb-x --max-reject-share 0.1 "$fx" 2>"$t_tmp/err2" ||
	fail "under a 10 % limit: $(cat "$t_tmp/err2")"
n=$(psql -XAtc "select count(*) from etl.rejects where stage = 'parse'")
[ "$n" -eq 2 ] || fail "parse rejects loaded twice: $n"
exit 0
