#!/bin/sh
# make demo: the whole nightly pipeline on the fixtures, end to end.
#
# Uses the database libpq's environment names (PGHOST, PGDATABASE or PGSERVICE);
# otherwise starts a throwaway PostgreSQL in .demo/pg (kept between runs, so a
# second `make demo` reuses it).  Then applies the migrations, serves the fixture
# sources from a local HTTP server on 127.0.0.1, runs `mi-run nightly`, prints the
# lead queue and writes the HTML report.
set -eu
top=$(pwd)
BIN=${MI_BIN:-bin}
case $BIN in /*) ;; *) BIN="$top/$BIN" ;; esac
BUILD=${MI_BUILD:-build}
case $BUILD in /*) ;; *) BUILD="$top/$BUILD" ;; esac
export MI_DATADIR="$top/data" MI_SQLDIR="$top/sql"
demo="$top/.demo"
mkdir -p "$demo"

if [ -n "${PGHOST:-}${PGDATABASE:-}${PGSERVICE:-}" ]; then
	echo "demo: using the database named by libpq's environment"
else
	eval "$(sh "$top/scripts/pg.sh" start "$demo/pg")"
	export PGDATABASE=market_intel
	psql -XAtqc "select 1 from pg_database where datname = 'market_intel'" postgres | grep -q 1 ||
		createdb market_intel
	echo "demo: throwaway PostgreSQL in .demo/pg (stop it with: sh scripts/pg.sh stop .demo/pg)"
fi

"$BIN/mi-migrate" --dir "$top/sql"
echo
"$BIN/mi-migrate" --summary
