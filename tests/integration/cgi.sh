#!/bin/bash
# cgi.sh - jwtsign as a plain CGI program (GATEWAY_INTERFACE set, request
# in the environment and on stdin) against the python stub backend: every
# status of the contract, the signed reference answer verified with an
# independent HMAC, the exact forwarding of the body and headers.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool timeout

start_stub
cp "$DEMO_JWKS" "$T/symmetric.json"
printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
REMOTE=198.51.100.7

write_config "$T/main.json" "" \
	"$(ep /token /token-issuer)" \
	"$(ep /created /created)" \
	"$(ep /echo /echo)" \
	"$(ep /echo-fwd /echo ',"input_headers":["Authorization","cookie","User-Agent","Connection"],"input_query_strings":["lang","b"]')" \
	"$(ep /echo-all /echo ',"input_headers":["*"],"input_query_strings":["*"]')" \
	"$(ep /s401 /status/401)" \
	"$(ep /s404 /status/404)" \
	"$(ep /s302 /status/302)" \
	"$(ep /s500 /status/500)" \
	"$(ep /s204 /status/204)" \
	"$(ep /s202 /status/202)" \
	"$(EP_HOST=http://127.0.0.1:1 ep /unreachable /token-issuer)" \
	"$(ep /empty /empty)" \
	"$(ep /text /text)" \
	"$(ep /nan /nan)" \
	"$(ep /comment /comment)" \
	"$(ep /single-quotes /single-quotes)" \
	"$(ep /array /array)" \
	"$(ep /trailing /trailing)" \
	"$(ep /slow /slow ',"timeout":"1s"')"
write_config "$T/nokey.json" "" \
	"$(EP_KEYS="\"jwk_local_path\":\"$T/no-such-dir/symmetric.json\"" ep /token /token-issuer)"
write_config "$T/small.json" ',"extra_config":{"jwtsign":{"max_request_body":1000}}' \
	"$(ep /echo /echo)"

# One CGI request per check (lib.sh cgi_run), with what a web server adds.
CGI_ENV=(SERVER_SOFTWARE=jwtsign-cgi-test SERVER_NAME=127.0.0.1 SERVER_PORT=80
	"REMOTE_ADDR=$REMOTE" REMOTE_PORT=40000 HTTP_HOST=127.0.0.1)

header_of() { sed -n "s/^$2: //p" "$T/$1.headers" | head -1; }

# expect_error NAME STATUS CODE: status and body {"error":CODE}.
expect_error() {
	expect_status "$1" "$2"
	check "$1: body {\"error\":\"$3\"}" jwtcheck error "$T/$1.body" "$3"
}

# expect_signed NAME: 200 with the reference answer, both tokens verified.
expect_signed() {
	expect_status "$1" 200
	check "$1: tokens verified, exp untouched, keys sorted" \
		jwtcheck signed "$T/$1.body" "$T/symmetric.json" --expect "$T/reference.json"
}

expect_header() {
	local got
	got=$(header_of "$1" "$2")
	if [ "$got" = "$3" ]; then
		pass "$1: $2: $3"
	else
		fail "$1: header $2 is '$got', expected '$3'" "$T/$1.headers"
	fi
}

# same_count BEFORE AFTER DESC
same_count() {
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3 (hits $1 -> $2)"; fi
}

printf '{"user":"john","pass":"doe"}' >"$T/login.json"
: >"$T/empty-body"

# --- success ---------------------------------------------------------------
h0=$(stub_hits /token-issuer)
cgi_run ref POST /token "$T/login.json"
expect_signed ref
expect_header ref content-type "application/json; charset=utf-8"
expect_header ref cache-control no-store
expect_header ref pragma no-cache
h1=$(stub_hits /token-issuer)
if [ "$h1" = $((h0 + 1)) ]; then pass "ref: backend called once"; else fail "ref: backend hits $h0 -> $h1"; fi

cgi_run query POST '/token?lang=en&x=1' "$T/login.json"
expect_signed query

cgi_run scriptname POST /token "$T/login.json" -REQUEST_URI SCRIPT_NAME=/token
expect_signed scriptname

cgi_run created POST /created "$T/login.json"
expect_signed created

# --- routing -----------------------------------------------------------------
cgi_run notfound POST /nope "$T/login.json"
expect_error notfound 404 not_found

cgi_run notfound2 POST /token/extra "$T/login.json"
expect_error notfound2 404 not_found

cgi_run badmethod GET /token "$T/empty-body" -CONTENT_TYPE
expect_error badmethod 405 method_not_allowed
check "badmethod: Allow header lists POST" grep -Eq '^allow: (.*[ ,])?POST([ ,].*)?$' "$T/badmethod.headers"

# --- request body --------------------------------------------------------------
h0=$(stub_hits /token-issuer)
head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T/big-body"
cgi_run toolarge POST /token "$T/big-body"
expect_error toolarge 413 body_too_large

printf '{"user":"jo' >"$T/short-body"
cgi_run short POST /token "$T/short-body" CONTENT_LENGTH=100
expect_error short 400 incomplete_body

cgi_run negative POST /token "$T/login.json" CONTENT_LENGTH=-5
expect_error negative 400 bad_request

cgi_run nonnumeric POST /token "$T/login.json" CONTENT_LENGTH=abc
expect_error nonnumeric 400 bad_request
same_count "$h0" "$(stub_hits /token-issuer)" "413/400: backend not called"

head -c 1000 /dev/urandom >"$T/body-1000"
head -c 1001 /dev/urandom >"$T/body-1001"
cgi_run limit-ok POST /echo "$T/body-1000" JWTSIGN_CONFIG="$T/small.json"
expect_status limit-ok 200
check "limit-ok: 1000-byte body forwarded intact" \
	jwtcheck echo "$T/limit-ok.body" --sent "$T/body-1000" --jwks "$T/symmetric.json"
cgi_run limit-over POST /echo "$T/body-1001" JWTSIGN_CONFIG="$T/small.json"
expect_error limit-over 413 body_too_large

# --- forwarding ------------------------------------------------------------------
"$PYTHON3" -c 'import os, sys
sys.stdout.buffer.write(b"\x00" + bytes(range(256)) * 20 + b"\x00{\"user\":\"john\"}\r\n\x00")' >"$T/binary-body"
cgi_run echo POST /echo "$T/binary-body" CONTENT_TYPE="application/octet-stream; x=1" \
	HTTP_X_FORWARDED_FOR=203.0.113.9
expect_status echo 200
check "echo: binary body with NULs intact, Content-Type forwarded, XFF appended, no Expect" \
	jwtcheck echo "$T/echo.body" --sent "$T/binary-body" --ct "application/octet-stream; x=1" \
	--xff "203.0.113.9, $REMOTE" --jwks "$T/symmetric.json"

cgi_run echo-noxff POST /echo "$T/login.json"
expect_status echo-noxff 200
check "echo-noxff: X-Forwarded-For is the client address" \
	jwtcheck echo "$T/echo-noxff.body" --sent "$T/login.json" --ct application/json --xff "$REMOTE"

# input_headers / input_query_strings, as lura forwards them: the listed
# headers (or all with "*"), never hop-by-hop ones; X-Forwarded-Host always;
# a forwarded User-Agent with X-Forwarded-Via; the listed query keys, sorted
# and encoded as Go's url.Values.Encode.
FWD_ENV=(HTTP_AUTHORIZATION="Basic am9objpkb2U=" HTTP_COOKIE="sid=abc; t=1" HTTP_USER_AGENT=curl/8
	HTTP_X_SECRET=s HTTP_CONNECTION=keep-alive HTTP_HOST=login.example QUERY_STRING='b=2&lang=en+US&x=1&b=%31&bad=%zz')
for e in echo echo-fwd echo-all; do
	cgi_run "fwd-$e" POST "/$e?b=2&lang=en+US&x=1&b=%31&bad=%zz" "$T/login.json" "${FWD_ENV[@]}"
	expect_status "fwd-$e" 200
done
fwd() { # NAME PYTHON-EXPR on echo (the backend's view): prints it
	"$PYTHON3" -c 'import json, sys
e = json.load(open(sys.argv[1]))["echo"]
h = e["headers"]
print(eval(sys.argv[2]))' "$T/fwd-$1.body" "$2"
}
check "fwd-echo: without input_headers only Content-Type (no Authorization, no Cookie)" \
	test "$(fwd echo '"authorization" in h or "cookie" in h or "x-secret" in h')" = False
check "fwd-echo: no query without input_query_strings" test "$(fwd echo 'e["query"]')" = None
check "fwd-echo: X-Forwarded-Host is the client's Host" test "$(fwd echo 'h.get("x-forwarded-host")')" = login.example
check "fwd-echo: jwtsign's User-Agent, no X-Forwarded-Via" \
	test "$(fwd echo 'h["user-agent"].startswith("jwtsign/") and "x-forwarded-via" not in h')" = True
check "fwd-echo-fwd: the listed headers reach the backend whole" \
	test "$(fwd echo-fwd '(h["authorization"], h["cookie"], h["user-agent"])')" = "('Basic am9objpkb2U=', 'sid=abc; t=1', 'curl/8')"
check "fwd-echo-fwd: X-Forwarded-Via names jwtsign" \
	test "$(fwd echo-fwd 'h["x-forwarded-via"].startswith("jwtsign/")')" = True
check "fwd-echo-fwd: unlisted and hop-by-hop headers stay behind" \
	test "$(fwd echo-fwd '"x-secret" in h or h.get("connection") == "keep-alive"')" = False
check "fwd-echo-fwd: the listed query keys, sorted, values in order, Go-encoded" \
	test "$(fwd echo-fwd 'e["query"]')" = "b=2&b=1&lang=en+US"
check "fwd-echo-all: every client header but hop-by-hop ones" \
	test "$(fwd echo-all '(h.get("x-secret"), h.get("authorization"), h.get("connection") == "keep-alive")')" = "('s', 'Basic am9objpkb2U=', False)"
check "fwd-echo-all: the whole query re-encoded (a bad escape dropped, as Go)" \
	test "$(fwd echo-all 'e["query"]')" = "b=2&b=1&lang=en+US&x=1"
# A forwarded header over max_header_size: 431, the backend not called.
h0=$(stub_hits /echo)
cgi_run fwd-big POST /echo-fwd "$T/login.json" HTTP_COOKIE="$(head -c 70000 /dev/zero | tr '\0' c)"
expect_error fwd-big 431 header_too_large
same_count "$h0" "$(stub_hits /echo)" "fwd-big: backend not called"

# --- backend answers ---------------------------------------------------------------
cgi_run b401 POST /s401 "$T/login.json"
expect_status b401 401
expect_header b401 content-type application/json
check "b401: backend body passed through unchanged" \
	test "$(cat "$T/b401.body")" = '{"error":"from-backend-401"}'

cgi_run b404 POST /s404 "$T/login.json"
expect_status b404 404
check "b404: backend body passed through unchanged" \
	test "$(cat "$T/b404.body")" = '{"error":"from-backend-404"}'

h0=$(stub_hits /token-issuer)
cgi_run b302 POST /s302 "$T/login.json"
expect_error b302 502 backend_bad_status
same_count "$h0" "$(stub_hits /token-issuer)" "b302: redirect not followed"

for code in 500 204 202; do
	cgi_run "b$code" POST "/s$code" "$T/login.json"
	expect_error "b$code" 502 backend_bad_status
done

cgi_run unreachable POST /unreachable "$T/login.json"
expect_error unreachable 502 backend_unreachable

for p in empty text nan comment single-quotes array trailing; do
	cgi_run "bad-$p" POST "/$p" "$T/login.json"
	expect_error "bad-$p" 502 backend_bad_response
done

t0=$(now_ms)
cgi_run slow POST /slow "$T/login.json"
elapsed=$(($(now_ms) - t0))
expect_error slow 504 backend_timeout
if [ "$elapsed" -lt 4000 ]; then
	pass "slow: answered after ${elapsed} ms (timeout 1s)"
else
	fail "slow: took ${elapsed} ms with a 1s timeout"
fi

# --- keys ------------------------------------------------------------------------------
cgi_run nokey POST /token "$T/login.json" JWTSIGN_CONFIG="$T/nokey.json"
expect_error nokey 503 keys_unavailable

# --- everything ----------------------------------------------------------------------
badrc=$(grep -L -x 0 "$T"/*.rc | sed "s|^$T/||" | tr '\n' ' ')
if [ -z "$badrc" ]; then
	pass "every CGI run exited 0 after answering"
else
	fail "CGI runs with a non-zero exit status: $badrc"
fi
no_secret_in "$T"/*.body "$T"/*.err "$T"/*.out

badlog=$(cat "$T"/*.err | grep -v -E '^jwtsign\[[0-9]+\]: (DEBUG|INFO|WARN|ERROR|debug|info|warn|error): [^:]+: ' | head -5 || true)
if [ -z "$badlog" ]; then
	pass "stderr lines have the form 'jwtsign[PID]: LEVEL: CONTEXT: message'"
else
	fail "stderr lines not in the log format: $badlog"
fi

finish
