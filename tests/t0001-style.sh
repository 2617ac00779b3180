#!/bin/sh
# The mechanical style rules hold everywhere: banned.h last in every library and command
# source, no trailing blanks, tabs for indentation, each pipeline/ floor including only
# its own and lower floors, no include circle (scripts/check-style.sh).
. tests/lib.sh
out=$(sh scripts/check-style.sh 2>&1) || fail "$out"

# the include check sees a floor breach and a circle planted in a copy of pipeline/
top=$(pwd)
mkdir "$t_tmp/tree"
cp -R pipeline "$t_tmp/tree/"
echo '#include "tmk.h"' >>"$t_tmp/tree/pipeline/common/log.c"
echo '#include "load.h"' >>"$t_tmp/tree/pipeline/stages/sqlscript.c"
out=$(cd "$t_tmp/tree" && sh "$top/scripts/check-includes.sh" 2>&1) && fail "planted breaches not seen"
echo "$out" | grep -qx 'check-includes: pipeline/common/log.c: floor common includes "tmk.h" of floor normalize above it' ||
	fail "floor breach not reported: $out"
echo "$out" | grep -q '^check-includes: include circle: .*load -> .*sqlscript' ||
	fail "circle not reported: $out"
[ "$(echo "$out" | grep -vc '^check-includes: include circle: ')" -eq 1 ] ||
	fail "more than the planted breaches: $out"
exit 0
