#!/bin/sh
# etl.signal_reason: every row of fixtures/leads/reasons.tsv (signal, evidence, the
# sentence an agent reads) gives exactly its sentence.
. tests/lib.sh
fresh_db
n=0
while IFS='	' read -r signal evidence want; do
	case $signal in '#'*|'') continue ;; esac
	got=$(echo "select etl.signal_reason(:'s', :'e'::jsonb)" |
		psql -XAtq -v ON_ERROR_STOP=1 -v s="$signal" -v e="$evidence" 2>&1) ||
		fail "$signal $evidence: $got"
	[ "$got" = "$want" ] || fail "$signal $evidence:
  want: $want
  got:  $got"
	n=$((n + 1))
done <fixtures/leads/reasons.tsv
[ $n -ge 15 ] || fail "only $n cases read"
exit 0
