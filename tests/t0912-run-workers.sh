#!/bin/sh
# mi-run nightly --worker: two workers on one machine (each its own work
# folder, one shared landing store, one database) take the demo night's work
# items between them: every item is done exactly once and the tables equal a
# one-host run's.  A worker SIGKILLed in the middle of an item (the load of
# maui-sales, held until the kill) leaves it to the other, which takes it over
# once the lease expired and finishes the night with the same tables.  A
# worker whose landing store is not the one the others fetched into says so
# and exits 78.
. tests/lib.sh
. tests/run-lib.sh

run_world
fresh_db
db_a=$PGDATABASE
dbs=
drop_dbs() { for d in $dbs; do dropdb --if-exists --force "$d" >/dev/null 2>&1; done; }
t_cleanup drop_dbs
newdb() {
	createdb -T "${MI_TEMPLATE_DB:-mi_template}" "$1" || fail "createdb $1"
	dbs="$dbs $1"
	export PGDATABASE=$1
}

# the one-host night: the tables to match
run_nightly "$t_tmp/one" || { rc=$?; cat "$t_tmp/one/out" "$t_tmp/one/err"; fail "the one-host night exited $rc"; }
tables_digest >"$t_tmp/digest.one" || fail "tables_digest"
items=$(( $(ls "$t_tmp/config/sources" | wc -l) * 4 + 2 ))

# worker DIR LANDING [ARGS]: a worker in the background, its pid in $!
worker() {
	_d=$1 _l=$2
	shift 2
	mkdir -p "$_d"
	"$MI_BIN/mi-run" nightly --worker --lease 2 --config-dir "$t_tmp/config" --landing "$_l" \
		--work "$_d/work" --no-progress "$@" >"$_d/out" 2>"$_d/err" &
}

# every item done once; $1: the run's items that were taken over
check_items() {
	st=$(psql -XAtc "SELECT count(*) || ' ' || count(*) FILTER (WHERE status = 'done' AND completions = 1)
	                 FROM etl.work_items")
	[ "$st" = "$items $items" ] || { psql -Xc "TABLE etl.work_items" >&2; fail "work items (all, done once): $st, want $items"; }
	over=$(psql -XAtc "SELECT coalesce(string_agg(stage || ' ' || source, ', ' ORDER BY seq), '')
	                   FROM etl.work_items WHERE attempts > 1")
	[ "$over" = "$1" ] || fail "items taken over: '$over', want '$1'"
	[ "$(psql -XAtc "SELECT status FROM etl.runs")" = succeeded ] || fail "the run is not succeeded in the ledger"
}

# 1. two workers through the night
newdb "${db_a}_w"
worker "$t_tmp/w1" "$t_tmp/landing1"
p1=$!
worker "$t_tmp/w2" "$t_tmp/landing1"
p2=$!
wait $p1 || { rc=$?; cat "$t_tmp/w1/out" "$t_tmp/w1/err"; fail "worker 1 exited $rc"; }
wait $p2 || { rc=$?; cat "$t_tmp/w2/out" "$t_tmp/w2/err"; fail "worker 2 exited $rc"; }
for w in w1 w2; do
	grep -q '^exit 0 (ok)$' "$t_tmp/$w/out" || { cat "$t_tmp/$w/out"; fail "$w's summary does not end with exit 0"; }
done
tables_digest >"$t_tmp/digest.w"
diff "$t_tmp/digest.one" "$t_tmp/digest.w" >&2 || fail "two workers: tables differ from the one-host night's"
check_items ""

# 2. one worker killed in the middle of the load of maui-sales: the first
# mi-load of that source, in either worker, holds until the kill
newdb "${db_a}_k"
mkdir "$t_tmp/bin"
for b in mi-fetch mi-parse mi-score mi-compset mi-leads; do
	ln -s "$(cd "$MI_BIN" && pwd)/$b" "$t_tmp/bin/$b"
done
mkfifo "$t_tmp/never"
cat >"$t_tmp/bin/mi-load" <<EOS
#!/bin/sh
case " \$* " in
*" maui-sales "*)
	if mkdir "$t_tmp/held" 2>/dev/null; then
		echo \$PPID >"$t_tmp/held/worker.tmp" && mv "$t_tmp/held/worker.tmp" "$t_tmp/held/worker"
		exec cat "$t_tmp/never" # no writer ever opens it: held until killed
	fi ;;
esac
exec "$(cd "$MI_BIN" && pwd)/mi-load" "\$@"
EOS
chmod +x "$t_tmp/bin/mi-load"
worker "$t_tmp/k1" "$t_tmp/landing2" --bin-dir "$t_tmp/bin"
k1=$!
worker "$t_tmp/k2" "$t_tmp/landing2" --bin-dir "$t_tmp/bin"
k2=$!
i=0
until [ -s "$t_tmp/held/worker" ]; do
	i=$((i + 1))
	[ $i -le 3000 ] || { kill -9 $k1 $k2; fail "no worker reached the load of maui-sales"; }
	kill -0 $k1 2>/dev/null || kill -0 $k2 2>/dev/null || fail "the workers ended before the load of maui-sales"
	sleep 0.1
done
victim=$(cat "$t_tmp/held/worker")
case $victim in
$k1) survivor=$k2 sd=k2 ;;
$k2) survivor=$k1 sd=k1 ;;
*) kill -9 $k1 $k2; fail "the held load's parent $victim is not a worker" ;;
esac
[ "$(psql -XAtc "SELECT status || ' ' || worker FROM etl.work_items WHERE stage = 'load' AND source = 'maui-sales'")" = \
	"running $(hostname):$victim" ] || fail "the held load is not the victim's running item"
kill -9 $victim
wait $victim 2>/dev/null
wait $survivor || { rc=$?; cat "$t_tmp/$sd/out" "$t_tmp/$sd/err"; fail "the surviving worker exited $rc"; }
grep -q '^exit 0 (ok)$' "$t_tmp/$sd/out" || { cat "$t_tmp/$sd/out"; fail "the survivor's summary does not end with exit 0"; }
tables_digest >"$t_tmp/digest.k"
diff "$t_tmp/digest.one" "$t_tmp/digest.k" >&2 || fail "after the kill: tables differ from the one-host night's"
check_items "load maui-sales"
[ "$(psql -XAtc "SELECT worker FROM etl.work_items WHERE stage = 'load' AND source = 'maui-sales'")" = \
	"$(hostname):$survivor" ] || fail "the held load was not finished by the survivor"
grep -q '"event":"item_taken_over".*"stage":"load","source":"maui-sales","attempt":"2"' "$t_tmp/$sd/err" ||
	{ cat "$t_tmp/$sd/err" >&2; fail "the survivor does not log the load it took over"; }

# 3. a worker that cannot see the bodies the others fetched
rc=0
"$MI_BIN/mi-run" nightly --worker --config-dir "$t_tmp/config" --landing "$t_tmp/elsewhere" \
	--work "$t_tmp/e/work" --no-progress >"$t_tmp/e.out" 2>"$t_tmp/e.err" || rc=$?
[ $rc -eq 78 ] || { cat "$t_tmp/e.err"; fail "a worker with another landing store exited $rc, want 78"; }
grep -q "^mi-run: error: this host cannot see the bodies other hosts fetched: .* not in the landing store '$t_tmp/elsewhere'" "$t_tmp/e.err" ||
	{ cat "$t_tmp/e.err"; fail "the landing check does not say what is wrong"; }
exit 0
