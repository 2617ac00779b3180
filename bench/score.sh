#!/bin/sh
# bench-score: review scoring speed on one core, side by side in the same run with
# the JavaScript VADER port `vader-sentiment` (installed with npm into a temporary
# folder, never into the repository), on the same texts.
#
#   make bench-score                (MI_BUILD, MI_BIN set by the Makefile)
#   BENCH_TEXTS=50000 BENCH_SECONDS=3 sh bench/score.sh
#
# Texts: the sentences of fixtures/sentiment/labelled.tsv, repeated and shuffled
# (fixed seed) to BENCH_TEXTS lines.  Both scorers load their lexicon first and
# are timed over the scoring loop only (at least BENCH_SECONDS of CPU time), and
# their rates are per CPU second of the process, so that other load on a shared
# machine does not skew the ratio; mi-score's command line is also timed end to end
# (wall clock).  The last line is the ratio.
set -eu

top=$(pwd)
MI_BUILD=${MI_BUILD:-build}
MI_BIN=${MI_BIN:-bin}
export MI_DATADIR="${MI_DATADIR:-$top/data}"
n=${BENCH_TEXTS:-50000}
secs=${BENCH_SECONDS:-3}
peer_version=${BENCH_PEER_VERSION:-1.1.3}

tmp=$(mktemp -d /tmp/mi-bench-score.XXXXXX)
trap 'rm -rf "$tmp"' EXIT INT TERM

# one core when taskset exists
pin=""
if command -v taskset >/dev/null 2>&1; then
	pin="taskset -c 0"
fi

texts="$tmp/texts.txt"
grep -v '^#' fixtures/sentiment/labelled.tsv | cut -f1 |
	awk -v n="$n" 'BEGIN { srand(20261124) }
		{ t[NR] = $0 }
		END { for (i = 0; i < n; i++) print t[int(rand() * NR) + 1] }' >"$texts"
bytes=$(wc -c <"$texts")
echo "texts: $n lines, $bytes bytes (sentences of fixtures/sentiment/labelled.tsv, shuffled)"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //')${pin:+ (pinned: $pin)}"

# --- accuracy on our labelled sets (the rental layer, then the general core alone) ---
# measure.tsv is the part never tuned on (scripts/split-labelled.sh); tune.tsv holds the
# rest, including labelled.tsv and heldout.tsv, whose lines follow for comparison with
# the earlier figures.
for set in measure tune labelled heldout; do
	"$MI_BIN/mi-score" --eval "fixtures/sentiment/$set.tsv"
	"$MI_BIN/mi-score" --core --eval "fixtures/sentiment/$set.tsv" | sed -n '1p;4p'
done
# the targets on the part not tuned on: negative recall >= 0.75 at precision >= 0.70
"$MI_BIN/mi-score" --eval fixtures/sentiment/measure.tsv | awk '$1 == "all" {
	gsub(/[()]/, ""); rec = $5; prec = $7
	printf "measure part: negative recall %.3f (target 0.75), precision %.3f (target 0.70): %s\n",
		rec, prec, (rec >= 0.75 && prec >= 0.70) ? "met" : "NOT MET" }'

# --- allocations: the same count for 1x and 10x the texts means none per text ---
if command -v cc >/dev/null 2>&1; then
	cat >"$tmp/count.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
static unsigned long n;
static void *(*rm)(size_t);
static void *(*rr)(void *, size_t);
void *malloc(size_t s) { if (!rm) rm = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc"); n++; return rm(s); }
void *realloc(void *p, size_t s) { if (!rr) rr = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc"); n++; return rr(p, s); }
__attribute__((destructor)) static void done(void) { fprintf(stderr, "%lu\n", n); }
EOF
	if cc -shared -fPIC -O2 -o "$tmp/count.so" "$tmp/count.c" -ldl 2>/dev/null; then
		head -n 1000 "$texts" >"$tmp/t1"
		for i in 1 2 3 4 5 6 7 8 9 10; do cat "$tmp/t1"; done >"$tmp/t10"
		a1=$(LD_PRELOAD="$tmp/count.so" "$MI_BUILD/bench/bench_score" --min-seconds 0 "$tmp/t1" 2>&1 >/dev/null | tail -n 1)
		a10=$(LD_PRELOAD="$tmp/count.so" "$MI_BUILD/bench/bench_score" --min-seconds 0 "$tmp/t10" 2>&1 >/dev/null | tail -n 1)
		echo "allocations (malloc+realloc): $a1 for 1000 texts, $a10 for 10000 texts" \
			"($(( (a10 - a1) / 9000 )) per text after the first 1000)"
	fi
fi

# --- ours, in process ---
ours=$($pin "$MI_BUILD/bench/bench_score" --min-seconds "$secs" "$texts")
echo "mi-score (C, in process): $ours"
ours_rate=$(echo "$ours" | sed 's/.*texts_per_s=\([0-9.]*\).*/\1/')

# --- ours, the command line end to end (start, load, score, print) ---
t0=$(date +%s.%N)
$pin "$MI_BIN/mi-score" --text <"$texts" >"$tmp/ours.out"
t1=$(date +%s.%N)
lines=$(wc -l <"$tmp/ours.out")
[ "$lines" -eq "$n" ] || { echo "bench-score: mi-score printed $lines lines for $n texts" >&2; exit 1; }
awk -v a="$t0" -v b="$t1" -v n="$n" -v by="$bytes" 'BEGIN {
	s = b - a; printf "mi-score --text (end to end): %.3f s, %.0f texts/s, %.2f MB/s\n", s, n / s, by / s / 1e6 }'

# --- the peer: vader-sentiment from npm, in a temporary folder ---
mkdir -p "$tmp/peer"
if ! (cd "$tmp/peer" && npm install --no-save --no-audit --no-fund --silent \
	"vader-sentiment@$peer_version" >"$tmp/npm.log" 2>&1); then
	cat "$tmp/npm.log" >&2
	echo "bench-score: cannot install the peer vader-sentiment@$peer_version with npm" >&2
	exit 1
fi
cat >"$tmp/peer/bench.js" <<'EOF'
const fs = require('fs');
const vader = require('vader-sentiment');
const [file, minSeconds] = [process.argv[2], parseFloat(process.argv[3])];
const lines = fs.readFileSync(file, 'utf8').split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const bytes = fs.statSync(file).size;
// warm up the JIT on the first thousand texts
for (let i = 0; i < Math.min(1000, lines.length); i++)
  vader.SentimentIntensityAnalyzer.polarity_scores(lines[i]);
let texts = 0, rounds = 0, checksum = 0;
// rates per CPU second of the process (all its threads), as bench_score does
const c0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
let s = 0;
do {
  for (const l of lines) {
    checksum += vader.SentimentIntensityAnalyzer.polarity_scores(l).compound;
    texts++;
  }
  rounds++;
  const c = process.cpuUsage(c0);
  s = (c.user + c.system) / 1e6;
} while (s < minSeconds);
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`texts=${texts} bytes=${bytes * rounds} rounds=${rounds} cpu_seconds=${s.toFixed(3)} ` +
  `wall_seconds=${wall.toFixed(3)} texts_per_s=${(texts / s).toFixed(0)} ` +
  `mb_per_s=${(bytes * rounds / s / 1e6).toFixed(2)} checksum=${(checksum / rounds).toFixed(4)}`);
EOF
peer=$(cd "$tmp/peer" && $pin node bench.js "$texts" "$secs")
echo "vader-sentiment $peer_version (JavaScript, node $(node --version), in process): $peer"
peer_rate=$(echo "$peer" | sed 's/.*texts_per_s=\([0-9.]*\).*/\1/')

awk -v a="$ours_rate" -v b="$peer_rate" 'BEGIN {
	printf "ratio: mi-score %.0f texts/s / vader-sentiment %.0f texts/s = %.1fx\n", a, b, a / b }'
