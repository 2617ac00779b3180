#!/bin/sh
# A new hot lead is announced with NOTIFY mi_hot_lead (JSON payload) at commit, once:
# the re-run, the leads under the threshold and the do-not-contact owner send nothing.
. tests/lib.sh
fresh_db
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture"

listen() { # file: listen for 4 seconds in the background; its pid in $pid
	psql -X -c "LISTEN mi_hot_lead" -c "SELECT pg_sleep(4)" >"$1" 2>&1 &
	pid=$!
}
listen "$t_tmp/first"
sleep 1.5
"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null 2>"$t_tmp/err" ||
	fail "score: $(cat "$t_tmp/err")"
wait "$pid"
n=$(grep -c 'Asynchronous notification "mi_hot_lead"' "$t_tmp/first")
[ "$n" = 1 ] || fail "expected one hot-lead notification, got $n: $(cat "$t_tmp/first")"
grep -q '"tmk" : "2440130040203", "score" : 81.00, "lead_source" : "COUNTY_SALE"' "$t_tmp/first" ||
	fail "payload: $(cat "$t_tmp/first")"

listen "$t_tmp/second"
sleep 1.5
"$MI_BIN/mi-leads" --config config/leads.ini score --as-of 2026-11-20 >/dev/null 2>&1 || fail "second score"
wait "$pid"
grep -q "Asynchronous notification" "$t_tmp/second" && fail "the re-run notified again: $(cat "$t_tmp/second")"

# a lower threshold in the settings makes the 35-point manager change and the two
# 45-point parcels hot too on a fresh database; the do-not-contact owner's 30-point
# sale stays silent
PGDATABASE="${PGDATABASE}_b"
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$PGDATABASE" || fail "createdb $PGDATABASE"
t_cleanup "dropdb --if-exists --force '$PGDATABASE' >/dev/null 2>&1"
psql -X -q -v ON_ERROR_STOP=1 -f fixtures/leads/market.sql >/dev/null || fail "loading the fixture again"
sed 's/^hot_threshold = .*/hot_threshold = 30/' config/leads.ini >"$t_tmp/leads.ini"
listen "$t_tmp/third"
sleep 1.5
"$MI_BIN/mi-leads" --config "$t_tmp/leads.ini" score --as-of 2026-11-20 >/dev/null 2>&1 || fail "third score"
wait "$pid"
n=$(grep -c 'Asynchronous notification "mi_hot_lead"' "$t_tmp/third")
[ "$n" = 4 ] || fail "threshold 30: expected 4 notifications, got $n: $(cat "$t_tmp/third")"
grep -q 2440080120000 "$t_tmp/third" && fail "do-not-contact owner notified"
exit 0
