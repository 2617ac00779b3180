#!/bin/sh
# TLS is verified: a self-signed server on loopback is refused, and accepted once its
# certificate is given with --ca-file.
. tests/lib.sh
. tests/fetch-lib.sh
command -v openssl >/dev/null 2>&1 || skip "no openssl command to make a test certificate"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$t_tmp/key.pem" -out "$t_tmp/cert.pem" \
	-days 2 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 ||
	skip "cannot make a test certificate"
port=
for try in 1 2 3 4 5; do
	p=$((20000 + ($$ * 7 + try * 611) % 30000))
	openssl s_server -accept "127.0.0.1:$p" -www -cert "$t_tmp/cert.pem" -key "$t_tmp/key.pem" \
		-quiet >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	if kill -0 $spid 2>/dev/null; then
		port=$p
		t_cleanup "kill $spid 2>/dev/null"
		break
	fi
done
[ -n "$port" ] || skip "cannot start a TLS test server"
cat >"$CONF/sources/tls.ini" <<INI
[source]
id = tls
kind = reviews
url = https://127.0.0.1:$port/listing
format = json-reviews
enabled = true
[fetch]
robots = false
max_attempts = 1
INI
fetch --run t1 >/dev/null 2>"$t_tmp/err"
rc=$?
[ $rc = 69 ] || { cat "$t_tmp/err"; fail "a self-signed server was accepted (exit $rc)"; }
manifest_field t1 "https://127.0.0.1:$port/listing" error | grep -qi 'certificate' ||
	fail "error: $(manifest_field t1 "https://127.0.0.1:$port/listing" error)"
fetch --run t2 --ca-file "$t_tmp/cert.pem" >/dev/null 2>"$t_tmp/err" || { cat "$t_tmp/err"; fail "--ca-file"; }
[ "$(manifest_field t2 "https://127.0.0.1:$port/listing" outcome)" = landed ] || fail "not landed over TLS"
exit 0
