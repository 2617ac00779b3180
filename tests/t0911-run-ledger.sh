#!/bin/sh
# mi-run learns what each stage did from the run ledger, never from its log:
# with every stage binary wrapped so that its log is full of lies (a load
# "total" line, a parse "read" count, a leads line with new leads, error lines),
# the night's summary is the same as a plain run's, row for row, and so are the
# tables; each stage shows once (compset and leads too, though the first night
# runs them twice); every stage's own row in etl.stage_results carries its exit
# code and seconds; the second compset reuses the first one's metrics.  And only pipeline/stages/ledger.c writes etl.runs and
# etl.stage_results (scripts/check-ledger.sh, which sees one planted breach).
. tests/lib.sh
. tests/run-lib.sh

# the one-writer check, and that it sees a breach
out=$(sh scripts/check-ledger.sh 2>&1) || fail "$out"
top=$(pwd)
mkdir "$t_tmp/tree"
cp -R cmd pipeline parsers "$t_tmp/tree/"
printf '%s\n' 'static const char q[] = "UPDATE etl.stage_results SET status = $1";' \
	>>"$t_tmp/tree/pipeline/stages/nightly.c"
out=$(cd "$t_tmp/tree" && sh "$top/scripts/check-ledger.sh" 2>&1) && fail "a planted writer was not seen"
echo "$out" | grep -q '^check-ledger: pipeline/stages/nightly.c: writes the run ledger outside ledger.c' ||
	fail "the planted writer is not named: $out"

run_world
fresh_db
db_a=$PGDATABASE

# 1. a plain night
run_nightly "$t_tmp/a" || { rc=$?; cat "$t_tmp/a/out" "$t_tmp/a/err"; fail "the plain night exited $rc"; }
tables_digest >"$t_tmp/digest.a" || fail "tables_digest"

# 2. the same night in database b, each stage's log lying about what it did
dropdb_b() { dropdb --if-exists --force "$db_b" >/dev/null 2>&1; }
db_b="${db_a}_b"
createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$db_b" || fail "createdb $db_b"
t_cleanup dropdb_b
export PGDATABASE=$db_b
mkdir "$t_tmp/bin"
real=$(cd "$MI_BIN" && pwd)
for b in mi-fetch mi-parse mi-score mi-load mi-compset mi-leads; do
	cat >"$t_tmp/bin/$b" <<EOS
#!/bin/sh
lie() {
	echo 'total: 99 files (0 unchanged), 999 read, 999 inserted, 999 updated, 0 unchanged, 0 skipped, 99 rejected, 0 parse rejects'
	printf 'read\t999\n'
	echo 'leads 2000-01-01 (x): 1 signals on 1 properties; 999 new prospects, 999 new leads, 0 rescored'
	echo '$b: error: this line is not what happened'
}
lie
printf '%s\n' "\$*" >>"$t_tmp/args.$b"
"$real/$b" "\$@"
rc=\$?
lie
exit \$rc
EOS
	chmod +x "$t_tmp/bin/$b"
done
run_nightly "$t_tmp/b" --bin-dir "$t_tmp/bin" ||
	{ rc=$?; cat "$t_tmp/b/out" "$t_tmp/b/err"; fail "the night with lying logs exited $rc"; }
grep -q '999' "$t_tmp/b/work/nightly-"*/logs/load-maui-sales.log || fail "the wrapper did not lie"
tables_digest >"$t_tmp/digest.b"
diff "$t_tmp/digest.a" "$t_tmp/digest.b" >&2 || fail "tables differ from the plain night's"

# the summaries agree on stage, source, status, in, out and rejects, and the leads line
cols() { awk '$1 ~ /^(fetch|parse|score|load|compset|leads)$/ { print $1, $2, $3, $4, $5, $6 } /^leads: /' "$1"; }
cols "$t_tmp/a/out" >"$t_tmp/a.cols"
cols "$t_tmp/b/out" >"$t_tmp/b.cols"
diff "$t_tmp/a.cols" "$t_tmp/b.cols" >&2 || fail "the summary read a log"
grep -q 999 "$t_tmp/b.cols" && fail "a lie reached the summary"
grep -Eq '^load +maui-sales +succeeded +8 +7 +0 ' "$t_tmp/b/out" ||
	{ cat "$t_tmp/b/out"; fail "maui-sales' load figures are not the ledger's"; }
grep -Eq '^leads: .* [1-9][0-9]* new leads, .*; then .* 0 new leads' "$t_tmp/b/out" ||
	{ cat "$t_tmp/b/out"; fail "the leads line does not show both passes"; }

# the second compset keeps the metrics and marks of the first (the leads
# between them change no pricing): one refresh a night
[ "$(grep -c -- --no-metrics "$t_tmp/args.mi-compset")" = 1 ] &&
	[ "$(sed -n 2p "$t_tmp/args.mi-compset" | grep -c -- --no-metrics)" = 1 ] ||
	{ cat "$t_tmp/args.mi-compset"; fail "the second compset did not reuse the night's metrics"; }
[ "$(psql -XAtc "SELECT count(DISTINCT created_at) FROM etl.market_metrics")" = 1 ] ||
	fail "the market metrics were computed more than once"

# each stage once
dup=$(awk '$1 ~ /^(fetch|parse|score|load|compset|leads)$/ { print $1, $2 }' "$t_tmp/b/out" | sort | uniq -d)
[ -z "$dup" ] || fail "stages shown twice: $dup"

# every row is the stage's own: exit code and seconds; compset and leads ran twice
bad=$(psql -XAtc "SELECT stage || ' ' || coalesce(source, '-') FROM etl.stage_results
                  WHERE status <> 'skipped' AND (exit_code IS NULL OR seconds IS NULL)")
[ -z "$bad" ] || fail "rows without exit code or seconds: $bad"
[ "$(psql -XAtc "SELECT string_agg(stage || ' ' || attempt, ',' ORDER BY stage)
                 FROM etl.stage_results WHERE stage IN ('compset', 'leads')")" = "compset 2,leads 2" ] ||
	fail "compset and leads did not run twice"
n=$(psql -XAtc "SELECT (detail->>'new_leads')::int FROM etl.stage_results WHERE stage = 'leads'")
[ "$n" = 0 ] || fail "the second pass of leads made $n new leads"
[ "$(psql -XAtc "SELECT rows_read || ' ' || rows_out || ' ' || rows_rejected
                 FROM etl.stage_results WHERE stage = 'parse' AND source = 'maui-sales'")" = "8 8 0" ] ||
	fail "the parse row of maui-sales"
exit 0
