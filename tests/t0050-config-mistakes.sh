#!/bin/sh
# Configuration mistakes are configuration errors (exit 78) that name the file and line,
# whichever program reads the sources (mi-run, mi-fetch): an unknown section, a misspelled
# format, two enabled sources with one URL, a rules path that leaves the configuration
# directory, a bad limit.  None of them is silently ignored or turned into data rejects.
. tests/lib.sh
[ -x "$MI_BIN/mi-run" ] && [ -x "$MI_BIN/mi-fetch" ] || skip "no $MI_BIN/mi-run or mi-fetch"

good() { # id url
	printf '[source]\nid = %s\nkind = reviews\nurl = %s\nformat = json-reviews\nenabled = true\n' \
		"$1" "$2"
}

# check NAME LINE MESSAGE: the config in $t_tmp/NAME makes both programs exit 78 naming
# NAME's file ($t_tmp/NAME/sources/bad.ini unless the message names another) and LINE
check() {
	name=$1 line=$2 msg=$3 file=${4:-bad.ini}
	dir=$t_tmp/$name
	"$MI_BIN/mi-run" nightly --dry-run --config-dir "$dir" --landing "$t_tmp/landing" \
		--work "$t_tmp/work" >"$dir.out" 2>"$dir.err"
	rc=$?
	[ $rc -eq 78 ] || { cat "$dir.err"; fail "$name: mi-run exit $rc, want 78"; }
	grep -qF "$dir/sources/$file:$line: $msg" "$dir.err" ||
		{ cat "$dir.err"; fail "$name: mi-run does not name $file:$line: $msg"; }
	"$MI_BIN/mi-fetch" --local --config-dir "$dir" --landing "$t_tmp/landing" --run r1 \
		>"$dir.out" 2>"$dir.err"
	rc=$?
	[ $rc -eq 78 ] || { cat "$dir.err"; fail "$name: mi-fetch exit $rc, want 78"; }
	grep -qF "$dir/sources/$file:$line: $msg" "$dir.err" ||
		{ cat "$dir.err"; fail "$name: mi-fetch does not name $file:$line: $msg"; }
	echo "$name: exit 78, $(grep -o "sources/$file:$line: .*" "$dir.err" | head -n 1)"
}

setup() { # name: a config dir with one good source
	mkdir -p "$t_tmp/$1/sources"
	good ok http://127.0.0.1:9/ok >"$t_tmp/$1/sources/ok.ini"
}

# 1. an unknown section: its settings would silently not apply
setup section
{ good bad http://127.0.0.1:9/bad; printf '\n[fetchh]\nrate = 0.5\n'; } >"$t_tmp/section/sources/bad.ini"
check section 8 "unknown section [fetchh]"

# ... also when it is empty
setup empty
{ good bad http://127.0.0.1:9/bad; printf '[Fetch]\n'; } >"$t_tmp/empty/sources/bad.ini"
check empty 7 "unknown section [Fetch]"

# 2. a misspelled format: a configuration error, not a data reject every night (65)
setup format
good bad http://127.0.0.1:9/bad | sed 's/json-reviews/json-review/' >"$t_tmp/format/sources/bad.ini"
check format 5 "unknown format 'json-review'"

# 3. two enabled sources with one URL: the second would get nothing, reported as success
setup twice
good bad http://127.0.0.1:9/ok >"$t_tmp/twice/sources/bad.ini"
check twice 4 "source 'ok' has the URL of source 'bad'" ok.ini

# 4. a rules file outside the configuration directory
setup rules
{ good bad http://127.0.0.1:9/bad; printf 'rules = ../../../../etc/passwd\n'; } \
	>"$t_tmp/rules/sources/bad.ini"
check rules 7 "rules file '../../../../etc/passwd' must be a relative path inside the configuration directory"

# 5. a limit that is not a number
setup limit
{ good bad http://127.0.0.1:9/bad; printf '[limits]\ncpu_seconds = ten\n'; } \
	>"$t_tmp/limit/sources/bad.ini"
check limit 8 "invalid value 'ten' for key 'cpu_seconds' in section [limits]"

# the good config alone is fine
rm "$t_tmp/limit/sources/bad.ini"
"$MI_BIN/mi-run" nightly --dry-run --config-dir "$t_tmp/limit" --landing "$t_tmp/landing" \
	--work "$t_tmp/work" >"$t_tmp/ok.out" 2>&1 ||
	{ cat "$t_tmp/ok.out"; fail "a good config was refused"; }
exit 0
