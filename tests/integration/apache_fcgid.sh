#!/bin/bash
# apache_fcgid.sh - jwtsign under a real Apache httpd with mod_fcgid,
# running the shipped fcgi-conf/apache-mod_fcgid.conf verbatim (only the
# program and config paths are Defined by the test's top-level httpd.conf)
# on 127.0.0.1 with the python stub backend: the signed reference answer,
# errors, a 200 KiB binary body (above mod_fcgid's 128 KiB default limit),
# a chunked body, the body limits of jwtsign and of mod_fcgid, the backend
# timeout, 8 concurrent clients, the log lines in Apache's ErrorLog, clean
# shutdown.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"

require_jwtsign
require_python
require_tool curl
find_apache
require_apache_module fcgid
require_apache_module mpm_event

start_stub
prepare_runtime
make_bodies
mkdir -p "$T/conc"

# The shipped mapping is "Alias /token": /token and the paths below it
# reach jwtsign, which routes on REQUEST_URI.
write_config "$T/jwtsign.json" "" \
	"$(ep /token /token-issuer)" \
	"$(ep /token/echo /echo)" \
	"$(ep /token/s401 /status/401)" \
	"$(ep /token/slow /slow ',"timeout":"1s"')" \
	"$(ep /token/refresh /token-issuer | sed "s|\"extra_config\":{|\"extra_config\":{\"auth/validator\":{\"alg\":\"HS256\",\"jwk_local_path\":\"$T/symmetric.json\"},|")"
readable "$T/jwtsign.json"

start_apache event "$TOP_SRCDIR/fcgi-conf/apache-mod_fcgid.conf" fcgid
URL=$APACHE_URL
SERVER_LOGS=("$T/apache/error.log")

# --- the reference example -------------------------------------------------
http ref POST /token
expect_signed ref
check "ref: Content-Type application/json; charset=utf-8" \
	grep -qi '^content-type: application/json; charset=utf-8' "$T/ref.headers"
check "ref: Cache-Control no-store" grep -qi '^cache-control: no-store' "$T/ref.headers"

http query POST '/token?lang=en'
expect_signed query

# The refresh flow: the shipped file passes the Authorization header
# (CGIPassAuth On), which Apache withholds from FastCGI otherwise.
tok=$(printf '{"sub":"alice","exp":4102444800}\n' |
	"$JWTSIGN" sign --jwks "$T/symmetric.json" --kid sim2 --alg HS256 2>"$T/sign.err") ||
	hard_error "jwtsign sign failed: $(cat "$T/sign.err")"
http refresh POST /token/refresh -H "Authorization: Bearer $tok"
expect_signed refresh
http refresh-none POST /token/refresh
expect_error refresh-none 401 invalid_token

workers_before=$(jwtsign_workers "$APACHE_PID")
check "mod_fcgid started jwtsign ($workers_before)" test -n "$workers_before"
if [ -n "$RUN_USER" ] && [ -n "$workers_before" ]; then
	w=${workers_before%% *}
	check "jwtsign runs as $RUN_USER, not root" test "$(ps -o user= -p "$w" | tr -d ' ')" = "$RUN_USER"
fi

# --- errors --------------------------------------------------------------------
http notfound POST /token/nope
expect_error notfound 404 not_found

http get GET /token
expect_error get 405 method_not_allowed
check "get: Allow header lists POST" grep -Eqi '^allow: (.*[ ,])?POST' "$T/get.headers"

http b401 POST /token/s401
expect_code b401 401
check "b401: backend body passed through" test "$(cat "$T/b401.body")" = '{"error":"from-backend-401"}'

t0=$(now_ms)
http slow POST /token/slow
expect_error slow 504 backend_timeout
elapsed=$(($(now_ms) - t0))
check "slow: answered by jwtsign after ${elapsed} ms (endpoint timeout 1s < FcgidIOTimeout)" \
	test "$elapsed" -lt 4000

# --- bodies ----------------------------------------------------------------------
http big POST /token/echo --data-binary @"$T/big.bin" \
	-H 'Content-Type: application/octet-stream' -H 'X-Forwarded-For: 203.0.113.9'
expect_code big 200
check "big: 200 KiB binary body reached the backend intact (FcgidMaxRequestLen), XFF appended" \
	jwtcheck echo "$T/big.body" --sent "$T/big.bin" --ct application/octet-stream \
	--xff "203.0.113.9, 127.0.0.1" --jwks "$T/symmetric.json"

http chunked POST /token/echo --data-binary @"$T/big.bin" \
	-H 'Content-Type: application/octet-stream' -H 'Transfer-Encoding: chunked'
expect_code chunked 200
check "chunked: 200 KiB chunked body reached the backend intact (mod_fcgid sets CONTENT_LENGTH)" \
	jwtcheck echo "$T/chunked.body" --sent "$T/big.bin" --ct application/octet-stream \
	--jwks "$T/symmetric.json"

# Between jwtsign's max_request_body (1 MiB) and FcgidMaxRequestLen (2 MiB):
# jwtsign's own 413.  Above FcgidMaxRequestLen: mod_fcgid's bare 500.
h0=$(stub_hits /echo)
http over POST /token/echo --data-binary @"$T/over.bin"
expect_error over 413 body_too_large
http huge POST /token/echo --data-binary @"$T/huge.bin"
expect_code huge 500
h1=$(stub_hits /echo)
check "over/huge: backend not called ($h0 -> $h1)" test "$h0" = "$h1"
n=$(grep -c 'exceeds MaxRequestLen' "$T/apache/error.log" || true)
check "mod_fcgid refused only the 2 MiB + 1 body (FcgidMaxRequestLen; $n refusals logged)" test "$n" -eq 1

# --- concurrency: 8 clients x 5 sequential requests ----------------------------------
t0=$(now_ms)
cpids=()
for c in 0 1 2 3 4 5 6 7; do
	(
		for i in 0 1 2 3 4; do
			curl -sS --max-time 30 -o "$T/conc/$c-$i.body" -w '%{http_code}\n' \
				-H 'Content-Type: application/json' --data-binary @"$T/login.json" \
				"$URL/token" 2>>"$T/conc/curl-err" || echo curl-failed
		done >"$T/conc/$c.codes"
	) &
	cpids+=($!)
done
for p in "${cpids[@]}"; do wait "$p"; done
log "40 concurrent requests in $(($(now_ms) - t0)) ms, workers now: $(jwtsign_workers "$APACHE_PID")"
n200=$(cat "$T"/conc/*.codes | grep -c '^200$' || true)
if [ "$n200" -eq 40 ]; then
	pass "concurrency: 40 of 40 answers 200"
else
	fail "concurrency: $n200 of 40 answers 200 ($(cat "$T"/conc/*.codes | sort | uniq -c | tr '\n' ' '))" \
		"$T/conc/curl-err" "$T/apache/error.log"
fi
check "concurrency: every answer verified" \
	jwtcheck signed-many "$T/symmetric.json" "$T/reference.json" "$T"/conc/*.body

# --- logs ----------------------------------------------------------------------------
check_log_format "$T/apache/error.log"
no_secret_in "$T"/*.body "$T"/conc/*.body "$T/apache/error.log" "$T/apache/stderr.log"
no_token_in "$T/apache/error.log"

# --- shutdown --------------------------------------------------------------------------
workers=$(jwtsign_workers "$APACHE_PID")
stop_pid "$APACHE_PID"
if left=$(wait_gone $workers); then
	pass "jwtsign processes ($workers) exit when httpd stops"
else
	fail "jwtsign processes still running 5 s after httpd stopped: $left"
	for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
fi
check_fcgid_exits "$T/apache/error.log"
if grep -E 'mod_fcgid: process .*jwtsign.*(get stop signal|exit\(communication error\))' \
	"$T/apache/error.log" >"$T/crashes"; then
	fail "mod_fcgid reports jwtsign processes killed by a signal or dying mid-request" "$T/crashes"
else
	pass "no jwtsign process crashed or was killed (mod_fcgid's exit reports)"
fi

finish
