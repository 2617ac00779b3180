#!/bin/sh
# The whole suite: Criterion unit and integration tests, golden-file runners and
# shell tests, against a throwaway PostgreSQL 15 that this script starts (initdb in
# a temporary folder, Unix socket only, an unprivileged user when run as root) and
# stops by its pid at the end, also when a test fails or the run is interrupted.
#
# Environment given to every test:
#   MI_BIN, MI_BUILD     where the binaries and test programs are
#   MI_DATADIR, MI_SQLDIR  this checkout's data/ and sql/
#   PGHOST, PGPORT, PGUSER the server; MI_TEMPLATE_DB a database with every
#                        migration applied, to copy with CREATE DATABASE ... TEMPLATE
#   MI_TEST_TMP          a scratch folder removed at the end
# A shell test tests/tNNNN-*.sh passes with exit 0, is skipped with 77, fails otherwise.
# Under ThreadSanitizer (make test SANITIZE=thread) a race report fails the test that
# made it, whatever its exit code: reports go to files here, not to the test's stderr.
# Usage: sh tests/run.sh [PATTERN]   (run only tests whose file name contains PATTERN)
set -u

top=$(pwd)
export MI_BIN="${MI_BIN:-bin}" MI_BUILD="${MI_BUILD:-build}"
case $MI_BIN in /*) ;; *) MI_BIN="$top/$MI_BIN" ;; esac
case $MI_BUILD in /*) ;; *) MI_BUILD="$top/$MI_BUILD" ;; esac
export MI_DATADIR="$top/data" MI_SQLDIR="$top/sql"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export MI_LOG_LEVEL="${MI_LOG_LEVEL:-warn}"
pattern=${1:-}

tmp=$(mktemp -d /tmp/mi-test.XXXXXX)
export MI_TEST_TMP="$tmp/scratch"
mkdir -p "$MI_TEST_TMP" "$tmp/tsan"
chmod 755 "$tmp" "$MI_TEST_TMP"
chmod 777 "$tmp/tsan"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:exitcode=86:second_deadlock_stack=1:log_path=$tmp/tsan/report}"
cleanup() {
	sh "$top/scripts/pg.sh" stop "$tmp/pg" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# the reader of our output gone (make test | head) or the terminal closed: still stop the server
trap 'exit 141' PIPE
trap 'exit 129' HUP

if ! envline=$(sh "$top/scripts/pg.sh" start "$tmp/pg" --fast); then
	echo "run.sh: cannot start the test PostgreSQL server" >&2
	exit 1
fi
eval "$envline"
export MI_TEMPLATE_DB=mi_template
createdb "$MI_TEMPLATE_DB" || exit 1
if ! PGDATABASE=$MI_TEMPLATE_DB "$MI_BIN/mi-migrate" >"$tmp/migrate.log" 2>&1; then
	cat "$tmp/migrate.log" >&2
	echo "run.sh: migrations failed on a fresh database" >&2
	exit 1
fi

passed=0 failed=0 skipped=0 failures=""
run_one() { # name, command...
	name=$1
	shift
	log="$tmp/$(echo "$name" | tr '/ ' '__').log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	for r in "$tmp"/tsan/report*; do
		[ -f "$r" ] || continue
		cat "$r" >>"$log"
		rm -f "$r"
		case $rc in 0 | 77) rc=86 ;; esac
	done
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		printf 'ok    %-44s %3ss\n' "$name" "$secs"
	elif [ $rc -eq 77 ]; then
		skipped=$((skipped + 1))
		printf 'skip  %-44s %s\n' "$name" "$(tail -n 1 "$log")"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		printf 'FAIL  %-44s %3ss (exit %d)\n' "$name" "$secs" "$rc"
		sed 's/^/    | /' "$log" | tail -n 60
	fi
}

for t in "$MI_BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	n=$(basename "$t")
	case $n in *"$pattern"*) ;; *) continue ;; esac
	if grep -q __tsan_init "$t"; then
		# Criterion's runner cannot start under ThreadSanitizer (its inheritable
		# arena cannot be mapped); the threads are tested by the shell tests
		skipped=$((skipped + 1))
		printf 'skip  %-44s %s\n' "$n" "Criterion does not run under ThreadSanitizer"
		continue
	fi
	run_one "$n" "$t" --jobs 2 --short-filename
done
for t in "$top"/tests/t[0-9]*.sh; do
	[ -f "$t" ] || continue
	n=$(basename "$t" .sh)
	case $n in *"$pattern"*) ;; *) continue ;; esac
	run_one "$n" sh "$t"
done

echo
[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
