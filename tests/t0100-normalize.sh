#!/bin/sh
# mi-normalize end to end: one output line per input line whatever the input
# (empty lines, very long lines, bytes that are not UTF-8, no final newline,
# CRLF), --help/--version, usage errors and exit codes, write errors.
. tests/lib.sh
bin=${MI_BIN:-bin}/mi-normalize
[ -x "$bin" ] || fail "no $bin"

# --help names every kind's columns; --version
"$bin" --help >"$t_tmp/help" || fail "--help exit $?"
for w in tmk ids address owner county-inferred KEY ABSENTEE; do
	grep -q -- "$w" "$t_tmp/help" || fail "--help does not mention $w"
done
"$bin" --version | grep -q '^mi-normalize ' || fail "--version"

# usage errors exit 64 and talk on stderr only
for args in "" "bogus" "tmk ids" "--county 5 tmk" "--county x tmk" "--range some tmk" \
	"--island Mars owner" "--nope tmk"; do
	# shellcheck disable=SC2086
	"$bin" $args </dev/null >"$t_tmp/out" 2>"$t_tmp/err"
	rc=$?
	[ $rc -eq 64 ] || fail "'$args': exit $rc, want 64"
	[ -s "$t_tmp/out" ] && fail "'$args': wrote to stdout"
	[ -s "$t_tmp/err" ] || fail "'$args': no message"
done

# one line out per line in, for every kind, on hostile input
{
	printf '(1) 2-6-010:007\n'
	printf '\n'
	printf '   \n'
	printf '\377\376 not utf-8\n'
	printf 'TA-163-133-0304-01\r\n'
	printf 'a\000b\n'
	head -c 200000 /dev/zero | tr '\0' '7'
	printf '\n'
	head -c 3000 /dev/zero | tr '\0' '1'
	printf '\n'
	printf '41-717 Kakaina St\n'
	printf 'no final newline'
} >"$t_tmp/in"
want=$(awk 'END { print NR }' "$t_tmp/in")
[ "$want" -eq 10 ] || fail "test input has $want lines"
for kind in tmk ids address owner; do
	"$bin" --county 1 "$kind" <"$t_tmp/in" >"$t_tmp/$kind.out" 2>"$t_tmp/$kind.err" ||
		fail "$kind: exit $?"
	got=$(awk 'END { print NR }' "$t_tmp/$kind.out")
	[ "$got" -eq "$want" ] || fail "$kind: $got lines out for $want in"
	[ -s "$t_tmp/$kind.err" ] && fail "$kind: talked on stderr: $(cat "$t_tmp/$kind.err")"
	sed -n 2p "$t_tmp/$kind.out" | grep -q '^ERROR	empty$' || fail "$kind: empty line"
	sed -n 3p "$t_tmp/$kind.out" | grep -q '^ERROR	empty$' || fail "$kind: blank line"
	sed -n 4p "$t_tmp/$kind.out" | grep -q '^ERROR	invalid utf-8$' || fail "$kind: bad bytes"
	sed -n 6p "$t_tmp/$kind.out" | grep -q '^ERROR	nul byte$' || fail "$kind: NUL byte"
	sed -n 7p "$t_tmp/$kind.out" | grep -q '^ERROR	too long$' || fail "$kind: 200 kB line"
done
sed -n 1p "$t_tmp/tmk.out" | grep -q '^1260100070000	cpr-assumed	(1) 2-6-010:007-0000$' ||
	fail "tmk: first line: $(sed -n 1p "$t_tmp/tmk.out")"
sed -n 5p "$t_tmp/tmk.out" | grep -q '^ERROR	tax id$' || fail "tmk: CRLF tax id"
sed -n 8p "$t_tmp/tmk.out" | grep -q '^ERROR	too long$' || fail "tmk: 3000 digits"
sed -n 9p "$t_tmp/tmk.out" | grep -q '^ERROR	street address$' || fail "tmk: address"
sed -n 10p "$t_tmp/tmk.out" | grep -q '^ERROR	not a tmk$' || fail "tmk: last line"
sed -n 5p "$t_tmp/ids.out" | grep -q '^ta:TA-163-133-0304-01$' || fail "ids: CRLF"

# the zip property: paste(input, output) keeps every record
printf '(1) 8-6-001:040, :041 and :046\n2-1-035:003\n' |
	"$bin" --county 1 tmk | awk -F '\t' 'NF != 3 { exit 1 }' || fail "tmk: columns"

# a write error is reported and exits 74
if [ -w /dev/full ]; then
	printf '(1) 2-6-010:007\n' | "$bin" tmk >/dev/full 2>"$t_tmp/err"
	rc=$?
	[ $rc -eq 74 ] || fail "write to /dev/full: exit $rc, want 74"
	[ -s "$t_tmp/err" ] || fail "write to /dev/full: no message"
fi
exit 0
