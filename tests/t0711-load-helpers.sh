#!/bin/sh
# The parsing helpers of the merges (090_load_speed.sql: PL/pgSQL, the common
# inputs answered directly; 110: those answers inlined into the statement that
# calls them) give what the SQL functions of 010 and 014 gave, on edge cases
# (fixtures/load/speed/helpers.sql prints every difference), and a merge
# through them loads what it loaded before: ids split and sorted, codes
# lowered, property types mapped, sources accumulated.
. tests/lib.sh
. tests/load-lib.sh
fresh_db
q() { psql -XAt -v ON_ERROR_STOP=1 -c "$1"; }

psql -XAtq -v ON_ERROR_STOP=1 -f fixtures/load/speed/helpers.sql >"$t_tmp/diff" 2>&1 ||
	fail "helpers.sql: $(cat "$t_tmp/diff")"
[ ! -s "$t_tmp/diff" ] || fail "the helpers differ from the SQL ones: $(cat "$t_tmp/diff")"

# the fast paths and the general one, as a merge uses them
[ "$(q "SELECT etl.load_split_ids('TA-1, TA-2 TA-1')::text || etl.load_split_ids('TA-3')::text
              || etl.load_split_ids(NULL)::text")" = '{TA-1,TA-2}{TA-3}{}' ] ||
	fail "load_split_ids"
[ "$(q "SELECT etl.load_codes('Noise')::text || etl.load_codes('sale-date-placeholder, Noise')::text")" = \
	'{noise}{noise,sale_date_placeholder}' ] || fail "load_codes"
[ "$(q "SELECT etl.load_merge_array('{a}', '{a}')::text || etl.load_merge_array('{b}', '{a}')::text
              || etl.load_merge_array(NULL, '{c}')::text || etl.load_merge_array('{}', NULL)::text")" = \
	'{a}{a,b}{c}{}' ] || fail "load_merge_array"
[ "$(q "SELECT etl.load_property_type('condo') || ' ' || etl.load_property_type('CONDOMINIUM') || ' '
              || etl.load_property_type('Boat') || ' ' || coalesce(etl.load_property_type(' - '), 'null')")" = \
	'condo condo other null' ] || fail "load_property_type"

# inlined: a statement calling a helper on columns names only the *_full
# function its uncommon inputs go to (a SET clause or SECURITY DEFINER on the
# helper would stop the planner from inlining it: one call per row again)
psql -XAtq -v ON_ERROR_STOP=1 -c "CREATE TEMP TABLE h (a text[], b text[], s text)" \
	-c "EXPLAIN (VERBOSE, COSTS OFF) SELECT etl.load_merge_array(a, b), etl.load_split_ids(s),
	           etl.load_codes(s), etl.load_property_type(s) FROM h" >"$t_tmp/plan" ||
	fail "EXPLAIN of the helpers"
for f in load_merge_array load_split_ids load_codes load_property_type; do
	grep -q "etl\.${f}_full(" "$t_tmp/plan" || fail "$f: no ${f}_full in the plan: $(cat "$t_tmp/plan")"
	! grep -q "${f}(" "$t_tmp/plan" || fail "$f is called, not inlined: $(cat "$t_tmp/plan")"
done
! grep -q "load_array_sorted(" "$t_tmp/plan" || fail "load_array_sorted is called, not inlined: $(cat "$t_tmp/plan")"
exit 0
