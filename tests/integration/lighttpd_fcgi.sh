#!/bin/bash
# lighttpd_fcgi.sh - jwtsign under a real lighttpd (mod_fastcgi, bin-path,
# max-procs 2) on 127.0.0.1 with the python stub backend: the signed
# reference answer, errors, a 200 KiB binary body, a JWK Set fetched over
# http and cached, 8 concurrent clients, clean shutdown.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
find_lighttpd

start_stub
cp "$DEMO_JWKS" "$T/symmetric.json"
printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
printf '{"user":"john","pass":"doe"}' >"$T/login.json"
mkdir -p "$T/www" "$T/conc"

# security/cors: a single-page application at https://app.example logs in
# cross-origin with credentials (cookies).
CORS=',"extra_config":{"security/cors":{"allow_origins":["https://app.example"],"allow_methods":["POST"],"allow_headers":["Content-Type"],"expose_headers":["x-request-id"],"allow_credentials":true,"max_age":"12h"}}'
write_config "$T/jwtsign.json" "$CORS" \
	"$(ep /token /token-issuer)" \
	"$(EP_KEYS="\"jwk_url\":\"$STUB_URL/jwk/symmetric.json\",\"disable_jwk_security\":true" \
		ep /token-url /token-issuer)" \
	"$(EP_KEYS='"jwk_url":"http://127.0.0.1:1/jwk/symmetric.json","disable_jwk_security":true' \
		ep /token-badurl /token-issuer)" \
	"$(ep /echo /echo)" \
	"$(ep /s401 /status/401)" \
	"$(ep /s500 /status/500)"

cat >"$T/lighttpd.conf.in" <<EOF
server.modules = ("mod_fastcgi")
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
server.max-request-size = 4096
fastcgi.server = ("/" => ((
	"socket" => "$T/jwtsign.sock",
	"bin-path" => "$JWTSIGN",
	"max-procs" => 2,
	"bin-environment" => (
		"JWTSIGN_CONFIG" => "$T/jwtsign.json",
		"JWTSIGN_LOG_LEVEL" => "info",
	),
	"check-local" => "disable",
)))
EOF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL
log "lighttpd on $URL (pid $LIGHTTPD_PID), stub backend on $STUB_URL"

# jwtsign processes spawned by lighttpd (bounded wait for both).
workers() { child_pids "$LIGHTTPD_PID" | sort | tr '\n' ' '; }
for ((i = 0; i < 50; i++)); do
	[ "$(workers | wc -w)" -ge 2 ] && break
	sleep 0.1
done
workers_before=$(workers)
check "lighttpd spawned 2 jwtsign processes ($workers_before)" test "$(echo "$workers_before" | wc -w)" -eq 2

# post NAME PATH [curl args...]: leaves $T/NAME.{code,headers,body}.
post() {
	local name=$1 path=$2
	shift 2
	curl -sS --max-time 20 -o "$T/$name.body" -D "$T/$name.headers" -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary @"$T/login.json" "$@" \
		"$URL$path" >"$T/$name.code" 2>"$T/$name.curl-err" || true
}
expect_code() {
	if [ "$(cat "$T/$1.code")" = "$2" ]; then
		pass "$1: status $2"
	else
		fail "$1: status $(cat "$T/$1.code"), expected $2" "$T/$1.headers" "$T/$1.body" \
			"$T/$1.curl-err" "$T/lighttpd-error.log"
	fi
}
expect_error() {
	expect_code "$1" "$2"
	check "$1: body {\"error\":\"$3\"}" jwtcheck error "$T/$1.body" "$3"
}

# --- CORS through lighttpd: the browser's preflight, then the login ------------------
cors_req() { # NAME CURL-ARGS...: leaves $T/NAME.{code,headers,body}
	local name=$1
	shift
	curl -sS --max-time 20 -o "$T/$name.body" -D "$T/$name.headers" -w '%{http_code}' "$@" \
		>"$T/$name.code" 2>"$T/$name.curl-err" || true
}
has_hdr() { grep -qixF -- "$2" <(tr -d '\r' <"$T/$1.headers"); }
cors_req preflight -X OPTIONS -H 'Origin: https://app.example' \
	-H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type' \
	"$URL/token"
expect_code preflight 204
for h in 'Access-Control-Allow-Origin: https://app.example' 'Access-Control-Allow-Methods: POST' \
	'Access-Control-Allow-Headers: content-type' 'Access-Control-Allow-Credentials: true' \
	'Access-Control-Max-Age: 43200' 'Cache-Control: no-store' \
	'Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers'; do
	check "preflight: '$h'" has_hdr preflight "$h"
done
check "preflight: no body" test ! -s "$T/preflight.body"
h0=$(stub_hits /token-issuer)
cors_req preflight-evil -X OPTIONS -H 'Origin: https://evil.example' \
	-H 'Access-Control-Request-Method: POST' "$URL/token"
expect_code preflight-evil 204
check "preflight-evil: no Access-Control-Allow-Origin" not grep -qi '^Access-Control-Allow-Origin' "$T/preflight-evil.headers"
check "preflights never reach the backend" test "$(stub_hits /token-issuer)" = "$h0"
cors_req cors-login -H 'Origin: https://app.example' -H 'Cookie: sid=1' \
	-H 'Content-Type: application/json' --data-binary @"$T/login.json" "$URL/token"
expect_code cors-login 200
for h in 'Access-Control-Allow-Origin: https://app.example' 'Access-Control-Allow-Credentials: true' \
	'Access-Control-Expose-Headers: X-Request-Id' 'Vary: Origin'; do
	check "cors-login: '$h'" has_hdr cors-login "$h"
done
check "cors-login: the tokens are signed" \
	jwtcheck signed "$T/cors-login.body" "$T/symmetric.json" --expect "$T/reference.json"
cors_req cors-evil -H 'Origin: https://evil.example' -H 'Content-Type: application/json' \
	--data-binary @"$T/login.json" "$URL/token"
check "cors-evil: answered, but without Access-Control-Allow-Origin" \
	not grep -qi '^Access-Control-Allow-Origin' "$T/cors-evil.headers"

post ref /token
expect_code ref 200
check "ref: tokens verified, exp untouched, keys sorted" \
	jwtcheck signed "$T/ref.body" "$T/symmetric.json" --expect "$T/reference.json"
check "ref: Content-Type application/json; charset=utf-8" \
	grep -qi '^content-type: application/json; charset=utf-8' "$T/ref.headers"
check "ref: Cache-Control no-store" grep -qi '^cache-control: no-store' "$T/ref.headers"

post jwkurl /token-url
expect_code jwkurl 200
check "jwkurl: key from jwk_url, tokens verified" \
	jwtcheck signed "$T/jwkurl.body" "$T/symmetric.json" --expect "$T/reference.json"

post badurl /token-badurl
expect_error badurl 503 keys_unavailable

post notfound /nope
expect_error notfound 404 not_found

curl -sS --max-time 20 -o "$T/get.body" -D "$T/get.headers" -w '%{http_code}' \
	"$URL/token" >"$T/get.code" 2>"$T/get.curl-err" || true
expect_error get 405 method_not_allowed
check "get: Allow header lists POST" grep -Eqi '^allow: (.*[ ,])?POST' "$T/get.headers"

post b500 /s500
expect_error b500 502 backend_bad_status

post b401 /s401
expect_code b401 401
check "b401: backend body passed through" test "$(cat "$T/b401.body")" = '{"error":"from-backend-401"}'

"$PYTHON3" -c 'import random, sys
r = random.Random(7)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(200 * 1024)))' >"$T/big.bin"
curl -sS --max-time 20 -o "$T/big.body" -w '%{http_code}' \
	-H 'Content-Type: application/octet-stream' -H 'X-Forwarded-For: 203.0.113.9' \
	--data-binary @"$T/big.bin" "$URL/echo" >"$T/big.code" 2>"$T/big.curl-err" || true
expect_code big 200
check "big: 200 KiB binary body forwarded intact, XFF appended" \
	jwtcheck echo "$T/big.body" --sent "$T/big.bin" --ct application/octet-stream \
	--xff "203.0.113.9, 127.0.0.1" --jwks "$T/symmetric.json"

# --- concurrency: 8 clients x 10 sequential requests ---------------------------------
jwk_hits0=$(stub_hits /jwk/symmetric.json)
t0=$(now_ms)
cpids=()
for c in 0 1 2 3 4 5 6 7; do
	(
		for i in 0 1 2 3 4 5 6 7 8 9; do
			curl -sS --max-time 20 -o "$T/conc/$c-$i.body" -w '%{http_code}\n' \
				-H 'Content-Type: application/json' --data-binary @"$T/login.json" \
				"$URL/token-url" 2>>"$T/conc/curl-err" || echo curl-failed
		done >"$T/conc/$c.codes"
	) &
	cpids+=($!)
done
for p in "${cpids[@]}"; do wait "$p"; done
log "80 requests in $(($(now_ms) - t0)) ms"
n200=$(cat "$T"/conc/*.codes | grep -c '^200$' || true)
if [ "$n200" -eq 80 ]; then
	pass "concurrency: 80 of 80 answers 200"
else
	fail "concurrency: $n200 of 80 answers 200 ($(cat "$T"/conc/*.codes | sort | uniq -c | tr '\n' ' '))" \
		"$T/conc/curl-err" "$T/lighttpd-error.log"
fi
check "concurrency: every answer verified" \
	jwtcheck signed-many "$T/symmetric.json" "$T/reference.json" "$T"/conc/*.body
jwk_hits=$(($(stub_hits /jwk/symmetric.json) - jwk_hits0))
check "concurrency: JWK Set cached (fetched $jwk_hits times for 80 requests)" test "$jwk_hits" -le 2

workers_after=$(workers)
check "no jwtsign process died or was restarted ($workers_before -> $workers_after)" \
	test "$workers_before" = "$workers_after"

# --- shutdown ------------------------------------------------------------------------
stop_pid "$LIGHTTPD_PID"
left=""
for ((i = 0; i < 50; i++)); do
	left=""
	for p in $workers_after; do
		kill -0 "$p" 2>/dev/null && left="$left $p"
	done
	[ -z "$left" ] && break
	sleep 0.1
done
if [ -z "$left" ]; then
	pass "jwtsign processes exit when lighttpd stops"
else
	fail "jwtsign processes still running 5 s after lighttpd stopped:$left"
	for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
fi

no_secret_in "$T"/*.body "$T"/conc/*.body "$T/lighttpd-error.log" "$T/lighttpd.log"

finish
