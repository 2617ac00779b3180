# The demo world, shared by scripts/demo.sh and the mi-run tests (t09xx).
# Source it with $top (the repository root) and $BUILD (absolute build dir) set.
#
#   demo_www DIR [DAY]    DIR gets fixtures/demo with every date moved so that the
#                         market was scraped today (UTC), or on DAY (YYYY-MM-DD):
#                         the fixtures are written around DEMO_DAY; same day, same
#                         bytes
#   demo_httpd DIR STATS  serve DIR on 127.0.0.1 (ephemeral port) in the
#                         background: sets demo_port and demo_httpd_pid; STATS
#                         gets the request counts ("count target" lines)
#   demo_httpd_stop       stop it (by its pid)
#   demo_config DIR PORT  DIR gets config/demo with PORT in every source URL
DEMO_DAY=2026-11-20

demo_www() {
	_www=$1
	_today=${2:-$(date -u +%Y-%m-%d)}
	rm -rf "$_www.new"
	mkdir -p "$_www.new"
	(cd "$top/fixtures/demo" && find . -type d) | while read -r d; do
		mkdir -p "$_www.new/$d"
	done
	(cd "$top/fixtures/demo" && find . -type f ! -name '*.py' ! -name '*.md') | while read -r f; do
		"$BUILD/tools/dateshift" --from "$DEMO_DAY" --to "$_today" "$top/fixtures/demo/$f" \
			"$_www.new/$f" || exit 1
	done || return 1
	rm -rf "$_www"
	mv "$_www.new" "$_www"
}

demo_httpd() {
	_dir=$1
	_stats=$2
	_pf="$_stats.port"
	rm -f "$_pf"
	"$BUILD/tools/httpd" -d "$_dir" -p "$_pf" -s "$_stats" >/dev/null 2>"$_stats.log" &
	demo_httpd_pid=$!
	_i=0
	while [ ! -s "$_pf" ]; do
		_i=$((_i + 1))
		if [ $_i -gt 100 ] || ! kill -0 "$demo_httpd_pid" 2>/dev/null; then
			echo "demo: the HTTP server did not start (see $_stats.log)" >&2
			return 1
		fi
		sleep 0.1
	done
	demo_port=$(tr -dc '0-9' <"$_pf")
}

demo_httpd_stop() {
	if [ -n "${demo_httpd_pid:-}" ]; then
		kill "$demo_httpd_pid" 2>/dev/null || true
		wait "$demo_httpd_pid" 2>/dev/null || true
		demo_httpd_pid=""
	fi
}

demo_config() {
	_cfg=$1
	rm -rf "$_cfg.new"
	cp -R "$top/config/demo" "$_cfg.new"
	for _f in "$_cfg.new"/sources/*.ini; do
		sed "s/@PORT@/$2/g" "$_f" >"$_f.tmp" && mv "$_f.tmp" "$_f" || return 1
	done
	rm -rf "$_cfg"
	mv "$_cfg.new" "$_cfg"
}

# demo_history WWW WORK RUNPREFIX: load the calendar scrapes of the weeks before
# today (WWW/history/calendar-Nw.csv, snapshot date today - N weeks) with
# mi-parse and mi-load, as an analyst loads an archive; files already loaded are
# skipped by mi-load, so a second call adds nothing.
demo_history() {
	_www=$1
	_work=$2
	for _f in "$_www"/history/calendar-*w.csv; do
		[ -f "$_f" ] || continue
		_w=$(basename "$_f" .csv)
		_w=${_w#calendar-}
		_w=${_w%w}
		_d=$(date -u -d "-$((_w * 7)) days" +%Y-%m-%d) || return 1
		_out="$_work/history/$_d"
		mkdir -p "$_out" &&
			"$MI_BIN/mi-parse" --format insideairbnb-calendar --source airbnb-hawaii-calendar \
				--snapshot-date "$_d" --out "$_out" "$_f" >/dev/null &&
			"$MI_BIN/mi-load" --quiet --run "$3-$(echo "$_d" | tr -d -)" \
				--source airbnb-hawaii-calendar "$_out" || return 1
	done
}
