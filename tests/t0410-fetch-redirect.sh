#!/bin/sh
# Redirects never carry a source's credentials to another origin, whatever the header's
# name, and stay on http and https: a source with an [auth] header redirected from
# 127.0.0.1:A to localhost:B (to 127.0.0.1:B, through two hops on B) lands B's page
# without the header, while a redirect within A (or back to A) keeps it; redirects to
# file:// or ftp:// are refused.
. tests/lib.sh
. tests/fetch-lib.sh
httpd_start
"$MI_BUILD/tools/httpd" -p "$t_tmp/port2" -s "$t_tmp/stats2" >/dev/null 2>&1 &
pid2=$!
t_cleanup "kill $pid2 2>/dev/null"
i=0
while [ ! -s "$t_tmp/port2" ]; do
	i=$((i + 1))
	[ $i -gt 100 ] && fail "the second httpd did not start"
	sleep 0.05
done
PORT2=$(cat "$t_tmp/port2")
MI_TEST_KEY=s3cret-key-of-the-source
export MI_TEST_KEY

auth() { # id path header
	src "$1" "$2" 'robots = false' '[auth]' "header = $3" 'env = MI_TEST_KEY'
}
auth same '/redirect?to=/echo-headers' X-Api-Key
auth cross '/redirect?to=http://localhost:'"$PORT2"'/echo-headers?c' X-Api-Key
auth port '/redirect?to=http://127.0.0.1:'"$PORT2"'/echo-headers?p' X-Api-Key
auth bearer '/redirect?to=http://localhost:'"$PORT2"'/echo-headers?b' Authorization
auth twice '/redirect?to=http://localhost:'"$PORT2"'/redirect?to=http://127.0.0.1:'"$PORT2"'/echo-headers?t' X-Api-Key
auth back '/redirect?to=http://localhost:'"$PORT2"'/redirect?to=http://127.0.0.1:'"$PORT"'/echo-headers?k' X-Api-Key
auth file '/redirect?to=file:///etc/passwd' X-Api-Key
auth ftp '/redirect?to=ftp://127.0.0.1:'"$PORT2"'/x' X-Api-Key

fetch --run r1 >"$t_tmp/out" 2>"$t_tmp/err"
body() { # the landed body of source path $1
	h=$(manifest_field r1 "$BASE$1" sha256)
	[ -n "$h" ] || fail "$1: nothing landed ($(manifest_field r1 "$BASE$1" error))"
	cat "$LAND/objects/$(echo "$h" | cut -c1-2)/$(echo "$h" | cut -c3-)"
}

# within the source's origin the header goes along (the control: it is sent at all)
body '/redirect?to=/echo-headers' | grep -q "^X-Api-Key: $MI_TEST_KEY" ||
	fail "a redirect within the origin lost the header: $(body '/redirect?to=/echo-headers')"
# to another host, another port, after a second hop back: never
for p in '/redirect?to=http://localhost:'"$PORT2"'/echo-headers?c' \
	'/redirect?to=http://127.0.0.1:'"$PORT2"'/echo-headers?p' \
	'/redirect?to=http://localhost:'"$PORT2"'/echo-headers?b' \
	'/redirect?to=http://localhost:'"$PORT2"'/redirect?to=http://127.0.0.1:'"$PORT2"'/echo-headers?t'; do
	b=$(body "$p")
	case $b in GET*) ;; *) fail "$p: not the echoed request: $b" ;; esac
	echo "$b" | grep -q "$MI_TEST_KEY" && fail "$p: the credential crossed to another origin: $b"
	echo "$b" | grep -qi '^x-api-key:\|^authorization:' && fail "$p: a credential header crossed: $b"
done
[ "$(manifest_field r1 "$BASE/redirect?to=http://localhost:$PORT2/echo-headers?c" final_url)" = \
	"http://localhost:$PORT2/echo-headers?c" ] || fail "final_url of the cross-host redirect"
# back at the source's own origin after a detour, it is the source's again (as curl does)
body '/redirect?to=http://localhost:'"$PORT2"'/redirect?to=http://127.0.0.1:'"$PORT"'/echo-headers?k' |
	grep -q "^X-Api-Key: $MI_TEST_KEY" || fail "back at the source's origin: no header"
# only http and https
for p in '/redirect?to=file:///etc/passwd' '/redirect?to=ftp://127.0.0.1:'"$PORT2"'/x'; do
	[ "$(manifest_field r1 "$BASE$p" outcome)" = failed ] || fail "$p: $(manifest_field r1 "$BASE$p" outcome)"
	manifest_field r1 "$BASE$p" error | grep -q "refused: only http and https are followed" ||
		fail "$p: error '$(manifest_field r1 "$BASE$p" error)'"
done
grep -rq "root:" "$LAND/objects" && fail "a file:// redirect was read"
exit 0
