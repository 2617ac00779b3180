#!/bin/sh
# The ops files work as shipped.  systemd-analyze verify passes on the unit and
# its timer (when the tool exists; in a scratch root holding the binary where
# ExecStart names it).  The unit's ExecStart line, as written, runs the demo
# night from / as an unprivileged user with the environment systemd gives it
# (StateDirectory=, LogsDirectory=, ConfigurationDirectory= as $STATE_DIRECTORY,
# $LOGS_DIRECTORY, $CONFIGURATION_DIRECTORY, its Environment= lines, HOME, USER):
# exit 0, the landing store and work folder in the state folder, the stage logs
# in the logs folder.  Without any of those folders mi-run exits 64 and says
# how to name one; pipeline.ini's [paths] names them too.  The crontab and the
# README name the same folders as the unit.
. tests/lib.sh
. tests/run-lib.sh

unit=config/ops/market-intel-nightly.service
timer=config/ops/market-intel-nightly.timer
key() { sed -n "s/^$1=//p" "$unit"; }

# 1. systemd-analyze verify
if command -v systemd-analyze >/dev/null 2>&1; then
	root="$t_tmp/root"
	mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib"
	exe=$(key ExecStart | cut -d' ' -f1)
	[ "$exe" = /usr/local/bin/mi-run ] || fail "ExecStart runs '$exe', not /usr/local/bin/mi-run"
	cp "$MI_BIN/mi-run" "$root$exe" || fail "cannot copy mi-run into the scratch root"
	cp "$unit" "$timer" "$root/etc/systemd/system/"
	# the targets systemd itself ships (sysinit.target, timers.target ...)
	mkdir -p "$root/usr/lib/systemd/system"
	for f in /usr/lib/systemd/system/*.target /lib/systemd/system/*.target; do
		[ -f "$f" ] && cp -L "$f" "$root/usr/lib/systemd/system/"
	done
	(cd "$t_tmp" && systemd-analyze verify --man=no --root="$root" \
		"$root/etc/systemd/system/$(basename "$unit")" \
		"$root/etc/systemd/system/$(basename "$timer")") >"$t_tmp/verify" 2>&1 ||
		{ cat "$t_tmp/verify"; fail "systemd-analyze verify failed"; }
	[ -s "$t_tmp/verify" ] && { cat "$t_tmp/verify"; fail "systemd-analyze verify warned"; }
	echo "systemd-analyze verify: clean"
else
	echo "systemd-analyze not installed: unit not verified"
fi

# 2. the unit as systemd runs it
for k in StateDirectory LogsDirectory ConfigurationDirectory User ExecStart; do
	[ -n "$(key $k)" ] || fail "the unit has no $k="
done
run_world
fresh_db
user=$(key User)
state="$t_tmp/var/lib/$(key StateDirectory)"
logs="$t_tmp/var/log/$(key LogsDirectory)"
conf="$t_tmp/etc/$(key ConfigurationDirectory)"
mkdir -p "$state" "$logs" "$(dirname "$conf")" "$t_tmp/pgconf"
cp -R "$t_tmp/config" "$conf"
# libpq's system-wide service file names the database of PGSERVICE
svc=$(key Environment | sed -n 's/^PGSERVICE=//p')
[ -n "$svc" ] || fail "the unit does not set PGSERVICE"
printf '[%s]\nhost=%s\nport=%s\ndbname=%s\nuser=%s\n' "$svc" "$PGHOST" "$PGPORT" "$PGDATABASE" \
	"$PGUSER" >"$t_tmp/pgconf/pg_service.conf"
# an unprivileged user: the unit's User= does not exist here, nobody does
if [ "$(id -u)" = 0 ]; then
	runas=nobody
	id "$runas" >/dev/null 2>&1 || skip "no user 'nobody' to run the unit as"
	chown "$runas" "$state" "$logs"
	as_user() { runuser -u "$runas" -- "$@"; }
	echo "unit's User=$user played by $runas"
else
	runas=$(id -un)
	as_user() { "$@"; }
fi
# the command line as written; only the installed binaries' folder is this build's
cmd=$(key ExecStart | sed "s|^/usr/local/bin/|$MI_BIN/|")
envs=$(key Environment | tr '\n' ' ')
as_user env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=/nonexistent USER="$runas" \
	LOGNAME="$runas" $envs \
	STATE_DIRECTORY="$state" LOGS_DIRECTORY="$logs" CONFIGURATION_DIRECTORY="$conf" \
	PGSYSCONFDIR="$t_tmp/pgconf" MI_DATADIR="$MI_DATADIR" MI_SQLDIR="$MI_SQLDIR" \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
	sh -c "cd / && exec $cmd" >"$t_tmp/unit.out" 2>"$t_tmp/unit.err"
rc=$?
[ $rc -eq 0 ] || { cat "$t_tmp/unit.out"; tail -n 20 "$t_tmp/unit.err"; fail "the unit's ExecStart exited $rc"; }
grep -q '^exit 0 (ok)$' "$t_tmp/unit.out" || fail "the summary does not end with exit 0"
run=$(sed -n 's/^run //p' "$t_tmp/unit.out")
[ -d "$state/landing/runs/$run" ] || fail "nothing landed in \$STATE_DIRECTORY/landing"
[ -d "$state/work/$run" ] || fail "no work folder in \$STATE_DIRECTORY/work"
[ -f "$logs/$run/leads.log" ] || fail "no stage logs in \$LOGS_DIRECTORY/$run"
[ -d "$state/work/$run/logs" ] && fail "stage logs went to the work folder too"
n=$(psql -XAtc "SELECT count(*) FROM homeowner_acquisition.prospect_properties")
[ "$n" -gt 0 ] || fail "the unit's night made no lead"

# 3. nowhere to put things: exit 64, and the message says how to name a place
rc=0
as_user env -i PATH=/usr/bin:/bin HOME=/nonexistent $envs CONFIGURATION_DIRECTORY="$conf" \
	PGSYSCONFDIR="$t_tmp/pgconf" sh -c "cd / && exec $cmd" >"$t_tmp/none.out" 2>"$t_tmp/none.err" || rc=$?
[ $rc -eq 64 ] || { cat "$t_tmp/none.err"; fail "without a state folder: exit $rc, want 64"; }
grep -q 'no landing store: give --landing DIR' "$t_tmp/none.err" || fail "message: $(cat "$t_tmp/none.err")"
grep -q 'StateDirectory=' "$t_tmp/none.err" || fail "the message does not name StateDirectory="
grep -q "\[paths\] landing in $conf/pipeline.ini" "$t_tmp/none.err" ||
	fail "the message does not name pipeline.ini: $(cat "$t_tmp/none.err")"
# pipeline.ini's [paths] (what the crontab relies on)
sed -e "s|^;landing = .*|landing = $t_tmp/srv/landing|" -e "s|^;work = .*|work = $t_tmp/srv/work|" \
	"$conf/pipeline.ini" >"$t_tmp/p.ini" && mv "$t_tmp/p.ini" "$conf/pipeline.ini"
"$MI_BIN/mi-run" nightly --dry-run --config-dir "$conf" >"$t_tmp/dry.out" 2>"$t_tmp/dry.err" ||
	{ cat "$t_tmp/dry.err"; fail "dry run with [paths] failed"; }
grep -qx "landing $t_tmp/srv/landing (pipeline.ini)" "$t_tmp/dry.out" ||
	{ cat "$t_tmp/dry.out"; fail "[paths] landing not used"; }
sed -i 's|^landing = .*|landing = srv/landing|' "$conf/pipeline.ini"
rc=0
"$MI_BIN/mi-run" nightly --dry-run --config-dir "$conf" >/dev/null 2>"$t_tmp/rel.err" || rc=$?
[ $rc -eq 78 ] && grep -q 'pipeline.ini:[0-9]*: .*must be an absolute path' "$t_tmp/rel.err" ||
	fail "a relative [paths] landing: exit $rc, $(cat "$t_tmp/rel.err")"

# 4. README, crontab and unit name the same folders
grep -q '^30 2 \* \* \*  mi  /usr/local/bin/mi-run nightly --config-dir /etc/market-intel .*>>/var/log/market-intel/' \
	config/ops/crontab.example || fail "the crontab's line changed"
grep -qF "$(grep '^30 2' config/ops/crontab.example)" README.md || fail "README and crontab disagree"
for d in /var/lib/market-intel /var/log/market-intel /etc/market-intel; do
	grep -q "$d" config/ops/crontab.example || fail "the crontab does not name $d"
	grep -q "$d" README.md || fail "README does not name $d"
done
[ "$(key StateDirectory)" = market-intel ] && [ "$(key LogsDirectory)" = market-intel ] &&
	[ "$(key ConfigurationDirectory)" = market-intel ] || fail "the unit's folders are not market-intel"
grep -q 'srv/market-intel\|\$HOME\|~/' config/ops/crontab.example README.md &&
	fail "a home or /srv folder is still named"
exit 0
