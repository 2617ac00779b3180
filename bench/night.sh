#!/bin/sh
# make bench-night: the whole nightly run on a generated Hawaii-scale market
# (bench/gen_world: 500,000 parcels and their owners, 20,000 sales, 35,000
# listings with 365 calendar nights each, 1,000,000 reviews, a PM page, in the
# real formats), served over loopback HTTP (tests/tools/httpd) with the
# sources of config/demo, run through mi-run nightly on a durable PostgreSQL
# (scripts/pg.sh without --fast):
#
#   first night   an empty database, dated DATE;
#   next night    DATE + 1: the daily delta (a new calendar snapshot, 1 % new
#                 reviews, 300 sales and 300 owner changes at scale 1, the
#                 listings scraped again; the parcel layer unchanged).
#
# Every stage binary runs under /usr/bin/time (mi-run's --bin-dir points at
# wrappers), which gives the wall time and peak RSS of each stage and source.
# The reference, measured in the same run on the same server: server-side
# COPY of the same source files into unlogged tables of text columns (one
# per CSV column; the fixed-width sales spool and the page one line a row);
# for the next night, COPY of its delta: the new calendar and listings, the
# appended reviews and sales, the changed owner rows.  The last line:
# "first night X.XX× raw COPY, next night Y.YY×".
#
# Knobs: MI_BENCH_SCALE (default 1; 0.1 for a quick look), MI_BENCH_DIR (data,
# server and runs; default /tmp/mi-bench-night), MI_BENCH_DATE (the first
# night, default yesterday UTC), MI_BENCH_KEEP=1 keeps the server running.
set -eu
top=$(pwd)
MI_BUILD=${MI_BUILD:-build}
MI_BIN=${MI_BIN:-bin}
BUILD=$(cd "$MI_BUILD" && pwd)
bindir=$(cd "$MI_BIN" && pwd)
dir=${MI_BENCH_DIR:-/tmp/mi-bench-night}
scale=${MI_BENCH_SCALE:-1}
d1=${MI_BENCH_DATE:-$(date -u -d yesterday +%Y-%m-%d)}
d2=$(date -u -d "$d1 + 1 day" +%Y-%m-%d)
. "$top/scripts/demo-lib.sh"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
chmod 755 "$dir"
now() { date +%s.%N; }

# 1. the two nights' worlds (kept between runs of the same scale and date)
for n in 1 2; do
	w="$dir/world-$scale-$d1-$n"
	if [ ! -f "$w/done" ]; then
		echo "generating night $n (scale $scale) into $w"
		rm -rf "$w"
		"$MI_BUILD/bench/gen_world" --scale "$scale" --date "$d1" --night "$n" "$w"
		mkdir -p "$w/pm"
		cp "$top/fixtures/demo/pm/kaanapali-shores-314.html" "$w/pm/"
		touch "$w/done"
	fi
done
w1="$dir/world-$scale-$d1-1"
w2="$dir/world-$scale-$d1-2"
chmod -R a+rX "$w1" "$w2"
files="gis/parcels.csv oahu/owndat.csv maui/owners.csv maui/sales.txt insideairbnb/listings.csv
insideairbnb/reviews.csv insideairbnb/calendar.csv pm/kaanapali-shores-314.html"
echo "world: $(du -sh "$w1" | cut -f1) the first night, $(wc -l <"$w1/insideairbnb/calendar.csv") calendar rows," \
	"$(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# the next night's delta, as files of the same formats (header kept)
delta="$dir/delta-$scale-$d1"
rm -rf "$delta"
for f in $files; do
	mkdir -p "$delta/$(dirname "$f")"
	case $f in
	insideairbnb/calendar.csv | insideairbnb/listings.csv)
		cp "$w2/$f" "$delta/$f" ;;
	insideairbnb/reviews.csv)
		# appended: whatever follows the first night's bytes
		{ head -n 1 "$w2/$f"; tail -c +$(($(wc -c <"$w1/$f") + 1)) "$w2/$f"; } >"$delta/$f" ;;
	maui/sales.txt)
		awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen) && /^[0-9]/' "$w1/$f" "$w2/$f" >"$delta/$f" ;;
	*)
		{ head -n 1 "$w2/$f"; awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen)' \
			"$w1/$f" "$w2/$f"; } >"$delta/$f" ;;
	esac
done
chmod -R a+rX "$delta"

# 2. the server, one database for the reference and one for the nights
eval "$(sh scripts/pg.sh start "$dir/pg")"
[ "${MI_BENCH_KEEP:-0}" = 1 ] || trap 'demo_httpd_stop; sh "$top/scripts/pg.sh" stop "$dir/pg" >/dev/null 2>&1' EXIT
for db in bench_copy bench_night; do
	dropdb --if-exists "$db" >/dev/null 2>&1
	createdb "$db"
done
PGDATABASE=bench_night "$MI_BIN/mi-migrate" --dir sql >/dev/null

# 3. the reference: server-side COPY of each file into an unlogged text table
# copy_ref WORLD TAG: one line per file "file seconds rows" into $dir/copy-TAG
copy_ref() {
	: >"$dir/copy-$2"
	for f in $files; do
		t="r_$(echo "$f" | tr -c 'a-z0-9\n' _)"
		case $f in
		*.csv)
			ncol=$(head -n 1 "$1/$f" | awk -F, '{ print NF }')
			cols=$(seq 1 "$ncol" | sed 's/^/c/; s/$/ text/' | paste -sd, -)
			opts="FORMAT csv, HEADER true" ;;
		*)
			cols="line text"
			opts="FORMAT text, DELIMITER E'\\x01'" ;;
		esac
		PGDATABASE=bench_copy psql -XAq -v ON_ERROR_STOP=1 \
			-c "CREATE UNLOGGED TABLE $t ($cols)" -c CHECKPOINT
		t0=$(now)
		rows=$(PGDATABASE=bench_copy psql -XAqt -v ON_ERROR_STOP=1 \
			-c "COPY $t FROM '$1/$f' WITH ($opts)" -c "SELECT count(*) FROM $t")
		t1=$(now)
		echo "$f $(echo "$t1 - $t0" | bc -l) $rows" >>"$dir/copy-$2"
		PGDATABASE=bench_copy psql -XAq -c "DROP TABLE $t"
	done
}
copy_ref "$w1" first
copy_ref "$delta" next

# 4. the stage binaries under /usr/bin/time: wall seconds and peak RSS per call
wrap="$dir/bin"
times="$dir/times"
rm -rf "$wrap" "$times"
mkdir -p "$wrap" "$times"
for b in mi-fetch mi-parse mi-score mi-load mi-compset mi-leads; do
	cat >"$wrap/$b" <<EOF
#!/bin/sh
f="$times/\$(date +%s%N).\$\$"
printf '%s %s\n' "$b" "\$*" >"\$f.args"
exec /usr/bin/time -f '%e %M' -o "\$f.time" "$bindir/$b" "\$@"
EOF
	chmod +x "$wrap/$b"
done

www="$dir/www"
rm -rf "$www" "$dir/landing" "$dir/work"
cp -R "$w1" "$www"
demo_httpd "$www" "$dir/httpd.stats"
demo_config "$dir/config" "$demo_port"
# the files are served uncompressed (Inside Airbnb's come gzipped, under the
# 100 MiB a source may fetch by default): at scale 1 the calendar is 629 MB
for f in "$dir/config/sources"/*.ini; do
	grep -q '^max_body' "$f" || sed -i '/^\[fetch\]/a max_body = 4294967296' "$f"
done

# night N DATE TAG: mi-run nightly, its summary in $dir/TAG.out
night() {
	tag=$3
	rm -rf "$times"/*
	PGDATABASE=bench_night psql -XAq -c CHECKPOINT
	t0=$(now)
	PGDATABASE=bench_night "$MI_BIN/mi-run" nightly --date "$2" --config-dir "$dir/config" \
		--landing "$dir/landing" --work "$dir/work" --bin-dir "$wrap" --no-progress \
		>"$dir/$3.out" 2>"$dir/$3.err" || {
		rc=$?
		cat "$dir/$3.out" "$dir/$3.err" >&2
		echo "bench-night: the $3 night exited $rc" >&2
		exit 1
	}
	t1=$(now)
	echo "$t1 - $t0" | bc -l >"$dir/$3.wall"
	# one line per stage call: stage source seconds peak-kB
	for a in "$times"/*.args; do
		set -- $(cat "$a")
		prog=${1#mi-}
		shift
		src=-
		while [ $# -gt 0 ]; do
			[ "$1" = --source ] && { src=$2; break; }
			shift
		done
		[ "$prog" = fetch ] && src=-
		echo "$prog $src $(cat "${a%.args}.time" | tail -n 1)"
	done >"$dir/$tag.stages"
	# mi-score runs on a folder: its source is the parse before it
	awk '$1 == "parse" { last = $2 } $1 == "score" && $2 == "-" { $2 = last } { print }' \
		"$dir/$tag.stages" >"$dir/$tag.stages.tmp" && mv "$dir/$tag.stages.tmp" "$dir/$tag.stages"
}

# report TAG: per stage and source, then per source with its COPY reference
report() {
	echo "$1 night: $(printf '%.2f' "$(cat "$dir/$1.wall")") s wall (mi-run nightly), load average $(cut -d' ' -f1-3 /proc/loadavg)"
	printf '  %-8s %-26s %9s %9s\n' stage source seconds "peak MB"
	awk '{ printf "  %-8s %-26s %9.2f %9.1f\n", $1, $2, $3, $4 / 1024 }' "$dir/$1.stages"
	printf '  %-26s %9s %9s %9s %9s\n' source "mi-run s" "COPY s" "COPY rows" ratio
	awk -v tag="$1" '
		FILENAME ~ /copy-/ {
			src = $1
			sub(/gis\/parcels.csv/, "gis-parcels", src)
			sub(/oahu\/owndat.csv/, "oahu-owners", src)
			sub(/maui\/owners.csv/, "maui-owners", src)
			sub(/maui\/sales.txt/, "maui-sales", src)
			sub(/insideairbnb\/listings.csv/, "airbnb-hawaii-listings", src)
			sub(/insideairbnb\/reviews.csv/, "airbnb-hawaii-reviews", src)
			sub(/insideairbnb\/calendar.csv/, "airbnb-hawaii-calendar", src)
			sub(/pm\/kaanapali-shores-314.html/, "island-breeze", src)
			copy[src] = $2; rows[src] = $3; order[++n] = src; next
		}
		{ t[$2] += $3 }
		END {
			for (i = 1; i <= n; i++) {
				s = order[i]
				printf "  %-26s %9.2f %9.3f %9d %8.2f×\n", s, t[s], copy[s], rows[s],
					(copy[s] > 0 ? t[s] / copy[s] : 0)
			}
			printf "  %-26s %9.2f\n", "(fetch, compset, leads)", t["-"]
		}' "$dir/copy-$2" "$dir/$1.stages"
}

night 1 "$d1" first
report first first

# the next night: the files that changed replace those served
for f in $files; do
	if ! cmp -s "$w2/$f" "$www/$f"; then
		cp "$w2/$f" "$www/$f.new"
		mv "$www/$f.new" "$www/$f"
	fi
done
night 2 "$d2" next
report next next

sum() { awk '{ s += $2 } END { printf "%.3f", s }' "$1"; }
c1=$(sum "$dir/copy-first")
c2=$(sum "$dir/copy-next")
n1=$(cat "$dir/first.wall")
n2=$(cat "$dir/next.wall")
peak=$(cat "$dir/first.stages" "$dir/next.stages" | sort -k4 -n | tail -n 1)
echo "peak RSS of any stage: $(echo "$peak" | awk '{ printf "%.1f MB (%s %s)", $4 / 1024, $1, $2 }')"
echo "first night $(printf '%.2f' "$n1") s vs raw COPY of its files $c1 s; next night $(printf '%.2f' "$n2") s vs raw COPY of its delta $c2 s"
awk -v a="$n1" -v b="$c1" -v c="$n2" -v d="$c2" 'BEGIN {
	printf "first night %.2f× raw COPY, next night %.2f×\n", a / b, c / d }'
