#!/bin/sh
# mi-score end to end: options, exit codes, the --text and --aspects modes, a
# reviews file scored in place (atomically), and the evaluation figures.
. tests/lib.sh

bin="$MI_BIN/mi-score"
[ -x "$bin" ] || fail "no $bin"

"$bin" --help | grep -q '^usage: mi-score' || fail "--help"
"$bin" --version | grep -q '^mi-score (market-intelligence) ' || fail "--version"
"$bin" --bogus 2>/dev/null; [ $? -eq 64 ] || fail "unknown option: exit 64 expected"
"$bin" --text --aspects </dev/null 2>/dev/null; [ $? -eq 64 ] || fail "two modes: exit 64 expected"

# --text: one score per line, \N when not English
out=$(printf 'The host never responded.\nSpotless!\nMuy bonito, gracias.\n' | "$bin" --text) ||
	fail "--text exit"
[ "$(echo "$out" | sed -n 1p)" = "-0.5267" ] || fail "--text line 1: $out"
[ "$(echo "$out" | sed -n 3p)" = '\N' ] || fail "--text line 3: $out"
echo "$out" | sed -n 2p | grep -q '^0\.' || fail "--text line 2: $out"

# --aspects: the golden fixture
version=$(printf 'x\n' | "$bin" --aspects | sed 's/.*"version":"\([^"]*\)".*/\1/')
"$bin" --aspects <fixtures/sentiment/aspects-01.txt | sed "s/$version/@VERSION@/" \
	>"$t_tmp/aspects.out" || fail "--aspects exit"
diff -u fixtures/sentiment/aspects-01.txt.expected "$t_tmp/aspects.out" || fail "--aspects output"

# a reviews file: --in/--out, then DIR in place
"$bin" --in fixtures/sentiment/reviews-01.tsv --out "$t_tmp/scored.tsv" || fail "--in/--out exit"
sed "s/$version/@VERSION@/" "$t_tmp/scored.tsv" | diff -u fixtures/sentiment/reviews-01.tsv.expected - ||
	fail "scored reviews differ"
mkdir "$t_tmp/run"
cp fixtures/sentiment/reviews-01.tsv "$t_tmp/run/reviews.tsv"
chmod 640 "$t_tmp/run/reviews.tsv"
"$bin" "$t_tmp/run" 2>"$t_tmp/log" || fail "DIR mode exit"
[ "$(stat -c %a "$t_tmp/run/reviews.tsv")" = 640 ] || fail "DIR mode changed the file's permissions"
cmp -s "$t_tmp/run/reviews.tsv" "$t_tmp/scored.tsv" || fail "DIR mode result"
[ "$(ls -A "$t_tmp/run")" = "reviews.tsv" ] || fail "DIR mode left a temporary file"
# scoring twice gives the same bytes (idempotent)
"$bin" "$t_tmp/run" 2>/dev/null || fail "second DIR run"
cmp -s "$t_tmp/run/reviews.tsv" "$t_tmp/scored.tsv" || fail "re-scoring changed the file"

# errors: bad rows (65, file:line, input untouched), missing input (66), bad data dir (66)
cp fixtures/sentiment/reviews-bad-columns.tsv "$t_tmp/run/reviews.tsv"
"$bin" "$t_tmp/run" 2>"$t_tmp/err"; rc=$?
[ $rc -eq 65 ] || fail "bad columns: exit $rc, expected 65"
grep -q "reviews.tsv:2: expected 23 columns in a reviews row, found 10" "$t_tmp/err" ||
	fail "bad columns message: $(cat "$t_tmp/err")"
cmp -s "$t_tmp/run/reviews.tsv" fixtures/sentiment/reviews-bad-columns.tsv || fail "input changed on error"
[ "$(ls -A "$t_tmp/run")" = "reviews.tsv" ] || fail "temporary file left on error"
"$bin" --in "$t_tmp/none.tsv" 2>/dev/null; [ $? -eq 66 ] || fail "missing input: exit 66 expected"
"$bin" --data-dir "$t_tmp/nodata" --text </dev/null 2>"$t_tmp/err"; rc=$?
[ $rc -eq 66 ] || fail "missing data dir: exit $rc"

# write errors count
if [ -w /dev/full ]; then
	printf 'Nice.\n' | "$bin" --text >/dev/full 2>/dev/null; rc=$?
	[ $rc -eq 74 ] || fail "write to a full disk: exit $rc, expected 74"
fi

# the evaluation runs on the labelled set and reports every family
"$bin" --eval fixtures/sentiment/labelled.tsv >"$t_tmp/eval" || fail "--eval exit"
grep -q '^all  ' "$t_tmp/eval" || fail "--eval: no overall line"
grep -q '^noise ' "$t_tmp/eval" || fail "--eval: no family line"
exit 0
