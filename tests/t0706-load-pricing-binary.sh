#!/bin/sh
# The fast path sends a new pricing snapshot as COPY binary, encoded by the client:
# numbers (zeros, fractions, leading zeros, 4-digit group edges, 12-digit values),
# dates (a leap day), booleans, NULLs and int32 limits arrive exactly as the
# server's own COPY text input makes them (fixtures/load/pricing-values).
. tests/lib.sh
. tests/load-lib.sh
fresh_db
fx=fixtures/load/pricing-values
dump() {
	psql -XAt -c "select listing_id, snapshot_date, stay_date, available, nightly_rate, adjusted_rate,
		currency, min_nights, max_nights from external.property_pricing order by listing_id"
}

load_run --run b1 --source airbnb-x "$fx" 2>"$t_tmp/e1" || fail "binary load: $(cat "$t_tmp/e1")"
n=$(psql -XAtc "select count(*) from pg_class where relname like 'property\\_pricing\\_s20280214%' and relkind = 'p'")
[ "$n" -eq 1 ] || fail "the snapshot did not take the fast path"
dump >"$t_tmp/binary"

PGDATABASE="${PGDATABASE}_t"
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" || fail "createdb"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"
load_run --run b1 --source airbnb-x --text-copy "$fx" 2>"$t_tmp/e2" || fail "text load: $(cat "$t_tmp/e2")"
dump >"$t_tmp/text"
diff -u "$t_tmp/text" "$t_tmp/binary" >"$t_tmp/diff" || fail "binary COPY differs from text COPY: $(cat "$t_tmp/diff")"

grep -q '^V05|2028-02-14|2028-02-19|t|12345.60||USD|5|$' "$t_tmp/binary" || fail "V05: $(grep V05 "$t_tmp/binary")"
grep -q '^V15|2028-02-14|2028-02-29|t|1.10|1.10|USD|15|$' "$t_tmp/binary" || fail "V15: $(grep V15 "$t_tmp/binary")"
grep -q '^V01|.*|0.00||USD|1|2147483647$' "$t_tmp/binary" || fail "V01: $(grep V01 "$t_tmp/binary")"
[ "$(wc -l <"$t_tmp/binary")" -eq 16 ] || fail "rows: $(wc -l <"$t_tmp/binary")"
exit 0
