#!/bin/sh
# Manager history: the first manager seen opens one current row and no event; a
# different manager on a later snapshot closes that row, opens one new row and
# records one manager_changed event; loading that again, or seeing the same manager
# on a later snapshot, adds no row and no event.
. tests/lib.sh
. tests/load-lib.sh
fresh_db

hist() {
	psql -XAt -F ' ' -c "select manager_key, valid_from, coalesce(valid_to::text, '-'), is_current
		from external.property_managers where tmk = '1230010010000' order by valid_from"
}
events() {
	psql -XAtc "select count(*) from etl.change_events where event_type = 'manager_changed'"
}

load_run --run g1 --source airbnb-honolulu fixtures/load/managers/1 2>"$t_tmp/e1" || fail "load 1: $(cat "$t_tmp/e1")"
[ "$(hist)" = "aloha stays 2026-11-01 - t" ] || fail "after load 1: $(hist)"
[ "$(events)" -eq 0 ] || fail "first sighting recorded an event"

load_run --run g2 --source airbnb-honolulu fixtures/load/managers/2 2>"$t_tmp/e2" || fail "load 2: $(cat "$t_tmp/e2")"
expected="aloha stays 2026-11-01 2026-11-08 f
island pm 2026-11-08 - t"
[ "$(hist)" = "$expected" ] || fail "after the change: $(hist)"
[ "$(events)" -eq 1 ] || fail "expected one manager_changed event, got $(events)"
ev=$(psql -XAtc "select event_key, tmk, occurred_on, old_value->>'manager_key', new_value->>'manager_key'
	from etl.change_events where event_type = 'manager_changed'")
[ "$ev" = "1230010010000:2026-11-08|1230010010000|2026-11-08|aloha stays|island pm" ] || fail "event: $ev"
cur=$(psql -XAtc "select current_manager_key, current_manager_name from external.properties where tmk = '1230010010000'")
[ "$cur" = "island pm|Island PM Inc" ] || fail "properties.current_manager: $cur"
load_checksums >"$t_tmp/s2"

# the same file again (another run): skipped, nothing changes
load_run --run g3 --source airbnb-honolulu fixtures/load/managers/2 2>"$t_tmp/e3" || fail "load 3: $(cat "$t_tmp/e3")"
load_checksums >"$t_tmp/s3"
diff "$t_tmp/s2" "$t_tmp/s3" >/dev/null || fail "repeating the change changed tables"

# the same change forced through the merge again: no new row, no new event
psql -XAqc "delete from etl.loaded_files"
load_run --run g4 --source airbnb-honolulu fixtures/load/managers/2 2>"$t_tmp/e4" || fail "load 4: $(cat "$t_tmp/e4")"
[ "$(hist)" = "$expected" ] || fail "after re-merging: $(hist)"
[ "$(events)" -eq 1 ] || fail "re-merging recorded another event"

# the same manager on a later snapshot: only the confirmation date moves
load_run --run g5 --source airbnb-honolulu fixtures/load/managers/3 2>"$t_tmp/e5" || fail "load 5: $(cat "$t_tmp/e5")"
[ "$(hist)" = "$expected" ] || fail "same manager seen again changed the history: $(hist)"
[ "$(events)" -eq 1 ] || fail "same manager seen again recorded an event"
c=$(psql -XAtc "select last_confirmed_on from external.property_managers where is_current and tmk = '1230010010000'")
[ "$c" = 2026-11-15 ] || fail "last_confirmed_on: $c"
exit 0
