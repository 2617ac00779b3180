#!/bin/sh
# The run ledger has one writer (make check-style): no C source but
# pipeline/stages/ledger.c writes etl.runs or etl.stage_results (INSERT,
# UPDATE, DELETE, COPY, or etl.mark_abandoned_runs, which updates both), and no
# C source reads a stage's log to learn its result.  Run from the top of the
# tree (or of a copy of it).
set -u
bad=0
for f in $(find cmd pipeline parsers -name '*.[ch]' | sort); do
	case $f in pipeline/stages/ledger.[ch]) continue ;; esac
	grep -nE '(INSERT[[:space:]]+INTO|UPDATE|DELETE[[:space:]]+FROM|COPY)[[:space:]]+etl\.(runs|stage_results)\b|etl\.mark_abandoned_runs' "$f" |
		sed "s|^|check-ledger: $f: writes the run ledger outside ledger.c at line |" | grep . && bad=1
	# a stage's log is <logs>/<stage>-<source>.log: opened for reading only by a person
	grep -nE 'fopen\([^,]*log[^,]*, *"r"' "$f" |
		sed "s|^|check-ledger: $f: reads a log at line |" | grep . && bad=1
done
exit $bad
