#!/bin/sh
# The labelled sentences are split once (scripts/split-labelled.sh): the committed tune and
# measure parts are that script's output, no sentence is in both, and none is lost.
. tests/lib.sh

out="$t_tmp/split"
mkdir -p "$out"
SPLIT_OUT="$out" sh scripts/split-labelled.sh || fail "split-labelled.sh failed"
cmp -s "$out/tune.tsv" fixtures/sentiment/tune.tsv ||
	fail "fixtures/sentiment/tune.tsv is not the split's output (edited by hand?)"
cmp -s "$out/measure.tsv" fixtures/sentiment/measure.tsv ||
	fail "fixtures/sentiment/measure.tsv is not the split's output (edited by hand?)"
grep -hv '^#' fixtures/sentiment/tune.tsv | cut -f1 | sort >"$t_tmp/t"
grep -hv '^#' fixtures/sentiment/measure.tsv | cut -f1 | sort >"$t_tmp/m"
[ -z "$(comm -12 "$t_tmp/t" "$t_tmp/m")" ] || fail "a sentence is in both parts"
all=$(grep -hv '^#' fixtures/sentiment/labelled.tsv fixtures/sentiment/heldout.tsv \
	fixtures/sentiment/guests.tsv | wc -l)
parts=$(cat "$t_tmp/t" "$t_tmp/m" | wc -l)
[ "$all" -eq "$parts" ] || fail "$all labelled sentences, $parts in the parts"
[ "$all" -ge 1500 ] || fail "only $all labelled sentences"
[ "$(wc -l <"$t_tmp/m")" -ge 400 ] || fail "the measure part is too small"
