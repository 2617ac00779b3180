#!/bin/sh
# Run every libFuzzer binary build-fuzz/fuzz_* for N seconds each, from the
# repository root, on a seed corpus taken from the fixtures.
#   sh tests/fuzz/run.sh [BUILD_DIR [SECONDS]]      (make fuzz calls it)
# Seeds: tests/fuzz/seeds/<target>/ when it exists, plus the fixture inputs
# listed for the target below.  The working corpus is BUILD_DIR/corpus/<target>
# (kept between runs); crashes go to BUILD_DIR/crashes/<target>/.
# Knobs: FUZZ_MAX_LEN (default per target), FUZZ_JOBS (ignored: one at a time).
set -u
dir=${1:-build-fuzz}
secs=${2:-20}
status=0

seeds_for() {
	# fixture files that make good seeds for target $1
	case $1 in
	fuzz_csv)
		ls fixtures/parse/insideairbnb-*/*/input* fixtures/parse/county-csv/*/input* \
			fixtures/parse/parcel-csv/*/input* fixtures/parse/maui-rpt-sales/*/input* \
			2>/dev/null ;;
	fuzz_attrguard)
		ls fixtures/parse/html-*/*/input* fixtures/parse/xml-*/*/input* 2>/dev/null ;;
	fuzz_html*|fuzz_tree*)
		ls fixtures/parse/html-*/*/input* 2>/dev/null ;;
	fuzz_xml*)
		ls fixtures/parse/xml-*/*/input* 2>/dev/null ;;
	fuzz_json*)
		ls fixtures/parse/json-*/*/input* fixtures/parse/geojson-*/*/input* 2>/dev/null ;;
	fuzz_suppression)
		ls fixtures/leads/mail/*.csv 2>/dev/null ;;
	esac
}

max_len_for() {
	case $1 in
	fuzz_csv|fuzz_suppression|fuzz_html*|fuzz_xml*|fuzz_json*|fuzz_tree*|fuzz_attrguard) echo "${FUZZ_MAX_LEN:-65536}" ;;
	*) echo "${FUZZ_MAX_LEN:-4096}" ;;
	esac
}

found=0
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	found=1
	name=$(basename "$bin")
	corpus="$dir/corpus/$name"
	crashes="$dir/crashes/$name"
	mkdir -p "$corpus" "$crashes"
	if [ -d "tests/fuzz/seeds/$name" ]; then
		cp -f "tests/fuzz/seeds/$name"/* "$corpus"/ 2>/dev/null
	fi
	for f in $(seeds_for "$name"); do
		case $f in
		*.gz) gzip -dc "$f" >"$corpus/seed-$(echo "$f" | tr '/' '_').raw" 2>/dev/null ;;
		*) cp -f "$f" "$corpus/seed-$(echo "$f" | tr '/' '_')" ;;
		esac
	done
	echo "fuzz: $name for ${secs}s (corpus $corpus)"
	if ! "$bin" -max_total_time="$secs" -max_len="$(max_len_for "$name")" \
		-artifact_prefix="$crashes/" -print_final_stats=1 "$corpus" \
		>"$dir/$name.log" 2>&1; then
		echo "fuzz: $name FAILED, see $dir/$name.log and $crashes/" >&2
		tail -30 "$dir/$name.log" >&2
		status=1
	else
		grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$dir/$name.log" | tail -1
	fi
done
if [ $found = 0 ]; then
	echo "fuzz: no fuzz_* binary in $dir (make fuzz builds them)" >&2
	exit 1
fi
exit $status
