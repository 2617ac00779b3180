#!/bin/sh
# Mechanical style checks (make check-style): banned functions, banned.h included last
# in library and command sources, no trailing blanks, tabs for indentation in C; the
# floors of pipeline/ and no include circle (scripts/check-includes.sh); one writer of
# the run ledger and no stage log read back (scripts/check-ledger.sh).
set -u
bad=0
say() { echo "check-style: $*"; bad=1; }

for f in pipeline/*/*.c parsers/*.c cmd/*.c; do
	[ -f "$f" ] || continue
	grep -q '#include "banned.h"' "$f" || say "$f: does not include banned.h"
	last=$(grep -n '^#include' "$f" | tail -n 1 | cut -d: -f2-)
	[ "$last" = '#include "banned.h"' ] || say "$f: banned.h must be the last include"
done
for f in pipeline/*/*.[ch] parsers/*.[ch] cmd/*.c tests/*.c bench/*.c; do
	[ -f "$f" ] || continue
	grep -n '[[:space:]]$' "$f" | head -n 3 | sed "s|^|check-style: $f: trailing blank at line |" && true
	grep -q '[[:space:]]$' "$f" && bad=1
	grep -nE '^( {8})+[^ *]' "$f" | head -n 1 | grep -q . && say "$f: indent with tabs, not spaces"
done
sh scripts/check-includes.sh || bad=1
sh scripts/check-ledger.sh || bad=1
exit $bad
