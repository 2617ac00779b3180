#!/bin/sh
# A throwaway PostgreSQL server for tests, benchmarks and the demo.
#
#   sh scripts/pg.sh start DIR [--fast]   initdb into DIR/data (if new), start it on a Unix
#                                         socket in DIR (no TCP), print the environment to use
#   sh scripts/pg.sh env DIR              print that environment again
#   sh scripts/pg.sh stop DIR             stop the server by the pid in its postmaster.pid
#
# As root, the server runs as the unprivileged system user "mipg" (created if missing),
# because PostgreSQL refuses to run as root.  --fast turns fsync off (tests only: the
# benchmarks and the demo keep the server durable).
set -eu

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: pg.sh start|env|stop DIR [--fast]" >&2; exit 64; }
fast=${3:-}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pgbin/initdb" ] || { echo "pg.sh: PostgreSQL server binaries not found (package postgresql-15)" >&2; exit 69; }

as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u mipg -- "$@"
	else
		"$@"
	fi
}

owner_name() {
	if [ "$(id -u)" = 0 ]; then echo mipg; else id -un; fi
}

print_env() {
	echo "export PGHOST='$dir' PGPORT=5432 PGUSER='$(owner_name)' PGDATABASE=postgres"
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then
		id mipg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin mipg
		chown mipg "$dir"
		# every folder above DIR must be searchable by mipg
		d=$dir
		while [ "$d" != / ]; do d=$(dirname "$d"); chmod o+x "$d" 2>/dev/null || true; done
	fi
	if [ -f "$dir/data/postmaster.pid" ] && kill -0 "$(head -n 1 "$dir/data/postmaster.pid")" 2>/dev/null; then
		print_env
		exit 0
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_owner "$pgbin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
			cat "$dir/initdb.log" >&2; exit 70; }
	fi
	opts="-c listen_addresses= -c unix_socket_directories=$dir -c port=5432 -c max_connections=60 -c shared_buffers=256MB -c max_wal_size=4GB -c log_min_messages=warning"
	[ "$fast" = --fast ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	as_owner "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$opts" start >/dev/null || {
		cat "$dir/server.log" >&2; exit 70; }
	print_env
	;;
env)
	dir=$(cd "$dir" && pwd)
	print_env
	;;
stop)
	pidfile="$dir/data/postmaster.pid"
	[ -f "$pidfile" ] || exit 0
	pid=$(head -n 1 "$pidfile")
	kill -INT "$pid" 2>/dev/null || exit 0
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -KILL "$pid" 2>/dev/null || true
	;;
*)
	echo "pg.sh: unknown command '$cmd'" >&2
	exit 64
	;;
esac
