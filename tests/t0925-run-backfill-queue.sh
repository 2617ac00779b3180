#!/bin/sh
# A backfill rebuilds the past and leaves today's lead queue alone: after the
# demo night, a backfill of a day 30 days back (one source whose URL takes the
# date, so it is fetched and loaded) leaves the leads' tables byte for byte
# (scores, signals, activities, assessments, projections: digest compare),
# says in its summary that it did not score, and still runs compset as of
# that day.  A backfill of today scores as of today and moves nothing.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
leads_digest() {
	psql -XAtq -v ON_ERROR_STOP=1 <<'EOF'
SELECT 'prospect_properties ' || count(*) || ' ' || md5(string_agg(
           concat_ws('|', tmk, status, opportunity_score, score_signals, score_version,
                     lead_source_code, scored_at), E'\n' ORDER BY tmk, prospect_id))
  FROM homeowner_acquisition.prospect_properties;
SELECT 'lead_activities ' || count(*) || ' ' || md5(string_agg(
           concat_ws('|', prospect_id, prospect_property_id, signal_key, signal_data, occurred_at,
                     subject, run_id), E'\n' ORDER BY prospect_id, signal_key))
  FROM homeowner_acquisition.lead_activities;
SELECT 'property_assessments ' || count(*) || ' ' || md5(string_agg(
           concat_ws('|', tmk, assessment_key, opportunity_score, score_signals, run_id),
           E'\n' ORDER BY tmk, assessment_key))
  FROM homeowner_acquisition.property_assessments;
SELECT 'revenue_projections ' || count(*) || ' ' || md5(string_agg(
           concat_ws('|', tmk, scenario, period_start, compset_computed_on, net_to_owner),
           E'\n' ORDER BY tmk, scenario, period_start, compset_computed_on))
  FROM homeowner_acquisition.revenue_projections;
EOF
}

run_nightly "$t_tmp/n" || { rc=$?; cat "$t_tmp/n/out" "$t_tmp/n/err"; fail "nightly exited $rc"; }
leads_digest >"$t_tmp/leads.0" || fail "leads_digest"
grep -Eq '^prospect_properties [1-9]' "$t_tmp/leads.0" || fail "the night made no lead"
grep -Eq '^lead_activities [1-9]' "$t_tmp/leads.0" || fail "the night logged no activity"

# a source whose URL takes the date: the past day never landed, so it is fetched
sed -e 's/^id = .*/id = dated-reviews/' -e 's|^url = \(.*\)$|url = \1?day={date}|' \
	"$t_tmp/config/sources/airbnb-hawaii-reviews.ini" >"$t_tmp/config/sources/dated-reviews.ini"
past=$(date -u -d '-30 days' +%Y-%m-%d)
"$MI_BIN/mi-run" backfill --from "$past" --to "$past" --source dated-reviews \
	--config-dir "$t_tmp/config" --landing "$t_tmp/n/landing" --work "$t_tmp/n/work" \
	--no-progress >"$t_tmp/b.out" 2>"$t_tmp/b.err" ||
	{ rc=$?; cat "$t_tmp/b.out" "$t_tmp/b.err"; fail "the backfill exited $rc"; }
grep -Eq "^load +dated-reviews $past +succeeded" "$t_tmp/b.out" ||
	{ cat "$t_tmp/b.out"; fail "the past day was not loaded"; }
grep -Eq "^leads +- +skipped .*leaves today's queue to the nightly run" "$t_tmp/b.out" ||
	{ cat "$t_tmp/b.out"; fail "the summary does not say the queue was left alone"; }
grep -q '^leads: ' "$t_tmp/b.out" && fail "the backfill printed a leads line"
leads_digest >"$t_tmp/leads.1"
diff "$t_tmp/leads.0" "$t_tmp/leads.1" >&2 || fail "a backfill of a past day changed the lead tables"
grep -Eq '^compset +- +succeeded' "$t_tmp/b.out" || { cat "$t_tmp/b.out"; fail "no compset stage"; }
grep -q "\"as_of\":\"$past\"\|as of $past\|$past" "$t_tmp/n/work/backfill-"*"/logs/compset.log" ||
	fail "compset did not run as of $past"
st=$(psql -XAtc "SELECT status FROM etl.stage_results WHERE run_id LIKE 'backfill-%' AND stage = 'leads'")
[ "$st" = skipped ] || fail "the leads stage of the backfill is '$st' in the ledger, want skipped"

# a range that reaches today: scored as of today (the same data: nothing moves)
today=$(date -u +%Y-%m-%d)
"$MI_BIN/mi-run" backfill --from "$today" --to "$today" --source maui-sales \
	--config-dir "$t_tmp/config" --landing "$t_tmp/n/landing" --work "$t_tmp/n/work" \
	--no-progress >"$t_tmp/c.out" 2>"$t_tmp/c.err" ||
	{ rc=$?; cat "$t_tmp/c.out" "$t_tmp/c.err"; fail "the backfill of today exited $rc"; }
grep -Eq '^leads +- +succeeded' "$t_tmp/c.out" || { cat "$t_tmp/c.out"; fail "no leads stage for today"; }
grep -q '^leads: .*0 new leads, 0 rescored' "$t_tmp/c.out" ||
	{ cat "$t_tmp/c.out"; fail "scoring as of today moved the queue"; }
n=$(psql -XAtc "SELECT count(*) FROM homeowner_acquisition.property_assessments
                WHERE assessed_on <> '$today'")
[ "$n" = 0 ] || fail "$n assessments are dated other than today"
exit 0
