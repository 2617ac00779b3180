# Helpers for the mi-fetch shell tests (tests/t04xx-fetch-*.sh); source after tests/lib.sh.
#   httpd_start [httpd args]  start the misbehaving loopback server (build/tools/httpd),
#                             set PORT and BASE=http://127.0.0.1:PORT; stopped at exit
#   src ID PATH [INI LINES]   write $t_tmp/config/sources/ID.ini for BASE/PATH (enabled,
#                             no rate limit unless the extra lines say otherwise)
#   hits TARGET               requests the server saw for TARGET (path and query)
#   fetch ARGS...             run mi-fetch --local on the test's config and landing store
#   manifest_field RUN URL FIELD   FIELD of URL's last manifest line in RUN
[ -x "$MI_BUILD/tools/httpd" ] || skip "no $MI_BUILD/tools/httpd (make test-build)"
[ -x "$MI_BIN/mi-fetch" ] || skip "no $MI_BIN/mi-fetch"
command -v python3 >/dev/null 2>&1 && have_python=1 || have_python=0

CONF=$t_tmp/config
LAND=$t_tmp/landing
STATS=$t_tmp/stats
mkdir -p "$CONF/sources"

httpd_start() {
	rm -f "$t_tmp/port" "$STATS"
	"$MI_BUILD/tools/httpd" -p "$t_tmp/port" -s "$STATS" -l "$t_tmp/requests.log" "$@" \
		>"$t_tmp/httpd.out" 2>&1 &
	_httpd_pid=$!
	t_cleanup "kill $_httpd_pid 2>/dev/null"
	i=0
	while [ ! -s "$t_tmp/port" ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "httpd did not start"
		sleep 0.05
	done
	PORT=$(cat "$t_tmp/port")
	BASE="http://127.0.0.1:$PORT"
}

httpd_stop() {
	kill "$_httpd_pid" 2>/dev/null
	wait "$_httpd_pid" 2>/dev/null
}

src() {
	_id=$1 _path=$2
	shift 2
	{
		printf '[source]\nid = %s\nkind = reviews\nurl = %s%s\nformat = json-reviews\nenabled = true\n' \
			"$_id" "$BASE" "$_path"
		printf '[fetch]\n'
		case " $* " in *" rate = "*) ;; *) printf 'rate = 0\n' ;; esac
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$CONF/sources/$_id.ini"
}

hits() {
	[ -f "$STATS" ] || { echo 0; return; }
	awk -v t="$1" '$2 == t { n = $1 } END { print n + 0 }' "$STATS"
}

fetch() {
	"$MI_BIN/mi-fetch" --local --config-dir "$CONF" --landing "$LAND" --backoff-ms 50 "$@"
}

# The value of FIELD in the last manifest line of RUN whose url is URL ("" when absent).
manifest_field() {
	awk -v u="\"url\":\"$2\"" -v f="\"$3\":" '
		index($0, u) {
			i = index($0, f)
			if (!i) { v = ""; next }
			s = substr($0, i + length(f))
			if (substr(s, 1, 1) == "\"") { s = substr(s, 2); v = substr(s, 1, index(s, "\"") - 1) }
			else { match(s, /^[^,}]*/); v = substr(s, 1, RLENGTH) }
		}
		END { print v }' "$LAND/runs/$1/manifest.jsonl"
}

objects() {
	find "$LAND/objects" -type f 2>/dev/null | wc -l | tr -d ' '
}
