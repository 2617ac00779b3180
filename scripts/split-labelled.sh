#!/bin/sh
# The one split of the labelled review sentences into the part the rental layer is tuned
# on and the part it is only measured on (run once; tests/t0602-score-split.sh checks that
# the committed files are still this script's output).
#
#   sh scripts/split-labelled.sh        (repository root)
#
# Rule: fixtures/sentiment/labelled.tsv and heldout.tsv were read while the rules were
# written, so every sentence of theirs is in the tune part.  The sentences of guests.tsv
# were written before the rules for their families; each goes to the measure part when a
# hash of its text is odd, else to the tune part.  The hash is h = (h * 31 + byte) mod
# 1000003 over the bytes of the text, computed the same way by any POSIX awk.
# Writes fixtures/sentiment/tune.tsv and fixtures/sentiment/measure.tsv (or, with
# SPLIT_OUT=DIR, DIR/tune.tsv and DIR/measure.tsv).
set -eu

src=fixtures/sentiment
out=${SPLIT_OUT:-$src}
hdr='# text TAB human polarity (-4..+4) TAB aspect families (comma list, or -).'

{
	echo "# The tune part of the labelled sentences (written by scripts/split-labelled.sh; do not"
	echo "# edit): labelled.tsv, heldout.tsv, and the sentences of guests.tsv whose text hashes even."
	echo "$hdr"
	grep -hv '^#' "$src/labelled.tsv" "$src/heldout.tsv"
	grep -v '^#' "$src/guests.tsv" | LC_ALL=C awk -F '\t' -v want=0 -f scripts/split-hash.awk
} >"$out/tune.tsv.tmp"
{
	echo "# The measure part of the labelled sentences (written by scripts/split-labelled.sh; do"
	echo "# not edit): the sentences of guests.tsv whose text hashes odd.  Never tune on it."
	echo "$hdr"
	grep -v '^#' "$src/guests.tsv" | LC_ALL=C awk -F '\t' -v want=1 -f scripts/split-hash.awk
} >"$out/measure.tsv.tmp"
mv "$out/tune.tsv.tmp" "$out/tune.tsv"
mv "$out/measure.tsv.tmp" "$out/measure.tsv"
