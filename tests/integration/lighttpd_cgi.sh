#!/bin/bash
# lighttpd_cgi.sh - the shipped example fcgi-conf/lighttpd-cgi.conf (jwtsign
# as a plain CGI program under lighttpd's mod_cgi), with only its install
# paths replaced: the signed reference answer, 405, and the example
# fcgi-conf/lighttpd.conf (FastCGI) passes lighttpd's config check.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
find_lighttpd

start_stub
cp "$DEMO_JWKS" "$T/symmetric.json"
printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
printf '{"user":"john","pass":"doe"}' >"$T/login.json"
mkdir -p "$T/www"
write_config "$T/jwtsign.json" "" "$(ep /token /token-issuer)"

# The examples with the install paths replaced by the test's.
for f in lighttpd.conf lighttpd-cgi.conf; do
	sed -e "s|/usr/bin/jwtsign|$JWTSIGN|g" \
		-e "s|/etc/jwtsign/jwtsign.json|$T/jwtsign.json|g" \
		-e "s|/run/lighttpd/jwtsign.sock|$T/jwtsign.sock|g" \
		"$TOP_SRCDIR/fcgi-conf/$f" >"$T/example-$f"
done

cat >"$T/fcgi-check.conf" <<EOF
server.bind = "127.0.0.1"
server.port = 1
server.document-root = "$T/www"
include "$T/example-lighttpd.conf"
EOF
check "example fcgi-conf/lighttpd.conf passes lighttpd -tt" \
	"$LIGHTTPD" -tt -f "$T/fcgi-check.conf"

cat >"$T/lighttpd.conf.in" <<EOF
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
server.breakagelog = "$T/cgi-stderr.log"
include "$T/example-lighttpd-cgi.conf"
EOF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL

code=$(curl -sS --max-time 20 -o "$T/ref.body" -D "$T/ref.headers" -w '%{http_code}' \
	-H 'Content-Type: application/json' --data-binary @"$T/login.json" "$URL/token" 2>&1) || true
if [ "$code" = 200 ]; then
	pass "ref: status 200"
else
	fail "ref: status $code, expected 200" "$T/ref.headers" "$T/ref.body" \
		"$T/cgi-stderr.log" "$T/lighttpd-error.log"
fi
check "ref: tokens verified, exp untouched, keys sorted" \
	jwtcheck signed "$T/ref.body" "$T/symmetric.json" --expect "$T/reference.json"
check "ref: Content-Type application/json; charset=utf-8" \
	grep -qi '^content-type: application/json; charset=utf-8' "$T/ref.headers"

code=$(curl -sS --max-time 20 -o "$T/get.body" -D "$T/get.headers" -w '%{http_code}' \
	"$URL/token" 2>&1) || true
check "get: status 405 (got $code)" test "$code" = 405
check "get: body {\"error\":\"method_not_allowed\"}" jwtcheck error "$T/get.body" method_not_allowed
check "get: Allow header lists POST" grep -Eqi '^allow: (.*[ ,])?POST' "$T/get.headers"

stop_pid "$LIGHTTPD_PID"
no_secret_in "$T"/*.body "$T/lighttpd-error.log" "$T/cgi-stderr.log"

finish
