#!/bin/sh
# The mechanical style rules hold everywhere: banned.h last in every library and command
# source, no trailing blanks, tabs for indentation (scripts/check-style.sh).
. tests/lib.sh
out=$(sh scripts/check-style.sh 2>&1) || fail "$out"
exit 0
