#!/bin/bash
# hostile.sh - bad input from every side, through the real program run as
# CGI: the client (CONTENT_LENGTH variants, NUL and non-UTF-8 bodies), the
# backend (tests/integration/hostile_server.py: invalid UTF-8, \u0000,
# lone surrogates, duplicate keys, numbers, trailing garbage, truncated,
# endless and 1 GiB answers, huge headers, deep nesting, many members),
# the JWK Set document (malformed, duplicate kids, huge n, 10,000 keys),
# the configuration (every setting with a wrong type or value) and the
# timeouts (connect, total, JWK fetch).  Each case uses the smallest input
# that shows it and expects the status of the README's table; a 200 is
# verified with an independent HMAC and a byte-exact payload.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool timeout

HS=$LIB_DIR/hostile_server.py

start_stub
cp "$DEMO_JWKS" "$T/symmetric.json"

# --- the hostile backend -----------------------------------------------------
"$PYTHON3" "$HS" serve --port-file "$T/hostile.port" --log "$T/hostile.log" --jwks "$T/symmetric.json" \
	--max-seconds 900 --stream-seconds 30 </dev/null >>"$T/hostile.log" 2>&1 &
HOSTILE_PID=$!
track_pid "$HOSTILE_PID"
wait_for_file "$T/hostile.port" || hard_error "hostile server did not start: $(cat "$T/hostile.log")"
HOSTILE_URL=http://127.0.0.1:$(cat "$T/hostile.port")
wait_http "$HOSTILE_URL/hits" || hard_error "hostile server does not answer"

# A port that accepts no connection: a listening socket with a full
# backlog, so that SYNs are dropped and connect() hangs (connect timeout).
"$PYTHON3" -c '
import socket, sys, time
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(0)
port = ls.getsockname()[1]
held = []
for i in range(4):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", port))
    except BlockingIOError: pass
    held.append(c)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % port)
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(900)
' "$T/blackhole.port" </dev/null >>"$T/hostile.log" 2>&1 &
track_pid $!
wait_for_file "$T/blackhole.port" || hard_error "blackhole did not start"
BLACKHOLE_URL=http://127.0.0.1:$(cat "$T/blackhole.port")

# hep PATH BACKEND_PATH [EXTRA]: an endpoint on the hostile backend.
hep() { EP_HOST=$HOSTILE_URL ep "$@"; }

BACKEND_CASES="ok invalid-utf8 nul-string nul-key nul-top-key lone-surrogate dup-keys
dup-inner dup-unsigned huge-int huge-neg-int max-ints minus-zero minus-zero-float exponents
trailing-object trailing-nul empty empty-close close-mid-body close-no-length chunked-cut
deep-million deep-64 deep-128 deep-129 members-100000 members-100001 not-object-token
huge huge-chunked huge-length-small-body huge-header many-headers endless-header headers-70k
401-www 401-html 400-no-ct 407 gzip-ok gzip-401"
eps=("$(ep /echo /echo)")
for c in $BACKEND_CASES; do
	eps+=("$(hep "/$c" "/$c")")
done
eps+=("$(hep /never-ends /never-ends ',"timeout":"1s"')")
eps+=("$(hep /silent /silent ',"timeout":"1s"')")
eps+=("$(EP_HOST=$BLACKHOLE_URL ep /blackhole /x ',"timeout":"4s"')")
# Two hosts: the first answers something that is not HTTP after it got the
# request, or refuses the connection (a port nobody listens on).
REFUSED_URL=http://127.0.0.1:$(free_port)
eps+=("$(EP_HOST="$HOSTILE_URL\",\"$STUB_URL" ep /two-not-http /not-http)")
eps+=("$(EP_HOST="$REFUSED_URL\",\"$STUB_URL" ep /two-refused /echo)")
eps+=("$(ep '/u/{id}' '/echo/{id}')")
eps+=("$(hep /rules-deny /login-extra | sed 's/"url_pattern":"\/login-extra"/&,"deny":["password_hash","user.ssn"]/')")
eps+=("$(hep /rules-target /login-wrapped | sed 's/"url_pattern":"\/login-wrapped"/&,"target":"data","group":"auth"/; s/"keys_to_sign":\["access_token","refresh_token"\]/"keys_to_sign":["\/auth\/access_token"]/')")
write_config "$T/main.json" \
	',"extra_config":{"jwtsign":{"connect_timeout":"500ms"}}' "${eps[@]}"

# run_cgi NAME URI BODY_FILE [VAR=VALUE | -VAR]...: one CGI POST (lib.sh
# cgi_run, with JWTSIGN_CACHE_DIR=$T/cache, a 60 s bound, and any non-zero
# exit status a failure); leaves $T/NAME.{out,err,rc,status,headers,body,ms},
# and with MEASURE_RSS=1 the peak RSS in KiB in $T/NAME.rss.  Stdin is
# BODY_FILE unless STDIN_FROM names another file (e.g. a FIFO that never
# ends).
CGI_ENV=(-QUERY_STRING JWTSIGN_CACHE_DIR=$T/cache)
run_cgi() {
	local name=$1 uri=$2 body=$3
	shift 3
	local CGI_WRAP=()
	[ -n "${MEASURE_RSS:-}" ] && CGI_WRAP=("$PYTHON3" "$HS" maxrss "$T/$name.rss" --)
	mkdir -p -m 700 "$T/cache" "$T/cache-silent" "$T/cache-huge"
	CGI_TIMEOUT=60 CGI_CHECK=exit cgi_run "$name" POST "$uri" "$body" "$@"
}

ms_of() { cat "$T/$1.ms"; }

expect_error() {
	expect_status "$1" "$2"
	check "$1: body {\"error\":\"$3\"}" jwtcheck error "$T/$1.body" "$3"
}

# expect_faster NAME MS: the run took less than MS milliseconds.
expect_faster() {
	local ms
	ms=$(ms_of "$1")
	if [ "$ms" -lt "$2" ]; then
		pass "$1: answered in $ms ms (< $2)"
	else
		fail "$1: took $ms ms (limit $2)" "$T/$1.err"
	fi
}

# expect_token NAME PAYLOAD [REST]: 200; access_token is an HS256 JWS of
# exactly PAYLOAD (printf format); with REST (printf format) the body with
# tokens masked as "JWS" is exactly REST.
expect_token() {
	local name=$1 args=()
	expect_status "$name" 200
	# shellcheck disable=SC2059
	printf "$2" >"$T/$name.want-payload"
	if [ $# -ge 3 ]; then
		# shellcheck disable=SC2059
		printf "$3" >"$T/$name.want-rest"
		args=(--rest "$T/$name.want-rest")
	fi
	check "$name: access_token signed over the exact Go encoding" \
		"$PYTHON3" "$HS" verify "$T/$name.body" --jwks "$T/symmetric.json" \
		--member access_token --payload "$T/$name.want-payload" "${args[@]}"
}

stub_hits_echo() { stub_hits /echo; }
# stub_hits_prefix PREFIX: the stub's hits of every path under PREFIX.
stub_hits_prefix() {
	curl -s "$STUB_URL/hits" | "$PYTHON3" -c 'import json, sys
print(sum(v for k, v in json.load(sys.stdin).items() if k.startswith(sys.argv[1])))' "$1"
}

printf '{"user":"john","pass":"doe"}' >"$T/login.json"

# ========================================================= answer rules
# KrakenD's backend rules are applied before signing, as lura does: a
# denied member never reaches the client; target and group reshape.
run_cgi rules-deny /rules-deny "$T/login.json"
expect_token rules-deny '{"sub":"x"}' '{"access_token":"JWS","user":{"id":7}}'
check "rules-deny: the password hash never reaches the client" not grep -q 'password_hash\|2y\$10' "$T/rules-deny.body"
run_cgi rules-target /rules-target "$T/login.json"
expect_status rules-target 200
check "rules-target: target \"data\" then group \"auth\", /auth/access_token signed" \
	"$PYTHON3" "$HS" verify "$T/rules-target.body" --jwks "$T/symmetric.json" \
	--member access_token --payload <(printf '{"sub":"x"}') \
	--rest <(printf '{"auth":{"access_token":"JWS","n":1}}')

# ======================================================= path parameters
# A {param} value that, decoded once or more, is a dot segment or holds
# '/', '\', ';', NUL or a control byte: 404, the backend not called.
h0=$(stub_hits_prefix /echo/)
for v in '%2e%2e%2fadmin' '..%2Fadmin' '..%5cadmin' '..;' 'x;a=b' '%00' 'a%0d%0aX:%201' \
	'%252e%252e' '%25252F' '%2e%2E' '%zz'; do
	run_cgi "param-$v" "/u/$v" "$T/login.json"
	expect_error "param-$v" 404 not_found
done
check "param: the backend was never called" test "$(stub_hits_prefix /echo/)" = "$h0"
run_cgi param-ok /u/alice%20b%C3%A9 "$T/login.json"
check "param-ok: a plain value reaches the backend (the endpoint works)" \
	test "$(stub_hits_prefix /echo/)" = $((h0 + 1))

# ============================================================ backend 4xx
# has_header NAME LINE: the CGI answer NAME has exactly the header LINE.
has_header() { grep -qixF -- "$2" "$T/$1.headers"; }
run_cgi 401-www /401-www "$T/login.json"
expect_status 401-www 401
check "401-www: the JSON body is passed on" test "$(cat "$T/401-www.body")" = '{"error":"invalid_grant"}'
for h in 'www-authenticate: Bearer realm="api"' 'www-authenticate: Basic realm="api"' \
	'retry-after: 7' 'content-language: fr' 'x-content-type-options: nosniff' \
	'content-type: application/json' 'cache-control: no-store'; do
	check "401-www: header '$h' reaches the client" has_header 401-www "$h"
done
for h in set-cookie keep-alive x-internal content-encoding; do
	check "401-www: no $h header" not grep -qi "^$h:" "$T/401-www.headers"
done
for c in 401-html 400-no-ct; do
	run_cgi "$c" "/$c" "$T/login.json"
	expect_error "$c" "${c%%-*}" backend_error
	check "$c: nosniff" has_header "$c" 'x-content-type-options: nosniff'
	check "$c: the log says why the body was replaced" grep -q "is not JSON" "$T/$c.err"
done
run_cgi 407 /407 "$T/login.json"
expect_status 407 407
check "407: reason phrase" grep -q '^Status: 407 Proxy Authentication Required' "$T/407.out"
run_cgi gzip-401 /gzip-401 "$T/login.json"
expect_status gzip-401 401
check "gzip-401: the body is decoded" test "$(cat "$T/gzip-401.body")" = '{"error":"invalid_grant"}'
run_cgi gzip-ok /gzip-ok "$T/login.json"
expect_token gzip-ok '{"sub":"x"}' '{"access_token":"JWS","n":1}'

# ====================================================== forwarding integrity
# Every header jwtsign builds for the backend is sent whole or refused with
# 431 within max_header_size (65536 by default), never cut.
xff_1k=$(for i in $(seq 1 70); do printf '198.51.100.%d, ' "$i"; done)203.0.113.9
ct_2k="application/json; $(printf 'p%04d=v;' $(seq 1 250))x=1"
for n in 1k 60k; do
	if [ $n = 1k ]; then xff=$xff_1k; else xff=$(head -c 60000 /dev/zero | tr '\0' a); fi
	run_cgi "xff-$n" /echo "$T/login.json" HTTP_X_FORWARDED_FOR="$xff" CONTENT_TYPE="$ct_2k"
	expect_status "xff-$n" 200
	check "xff-$n: X-Forwarded-For (${#xff} bytes) + the client address and Content-Type (${#ct_2k} bytes) reach the backend whole" \
		jwtcheck echo "$T/xff-$n.body" --sent "$T/login.json" --ct "$ct_2k" \
		--xff "$xff, 192.0.2.1" --jwks "$T/symmetric.json"
done
# 65530 bytes: within the limit as the client sent it, over it with
# ", 192.0.2.1" appended: 431, the backend not called.
h0=$(stub_hits_echo)
run_cgi xff-over /echo "$T/login.json" HTTP_X_FORWARDED_FOR="$(head -c 65530 /dev/zero | tr '\0' a)"
expect_error xff-over 431 header_too_large
check "xff-over: the backend was not called" test "$(stub_hits_echo)" = "$h0"

# ============================================================ one host, once
# A host that got the request and then answered something that is not
# HTTP: 502 from that host; the same login is never POSTed to the next.
run_cgi two-not-http /two-not-http "$T/login.json"
expect_error two-not-http 502 backend_bad_response
check "two-not-http: the second host was not called" test "$(stub_hits /not-http)" = 0
check "two-not-http: the log names the host and says no other is tried" \
	grep -q "after the request was sent (no other host is tried)" "$T/two-not-http.err"
# Connection refused by the first host: nothing was sent, the next host answers.
h0=$(stub_hits_echo)
run_cgi two-refused /two-refused "$T/login.json"
expect_status two-refused 200
check "two-refused: the second host answered (failover when nothing was sent)" \
	test "$(stub_hits_echo)" = $((h0 + 1))

# =============================================================== client side
# CONTENT_LENGTH larger than the body: 400, backend not called.
printf 'abc' >"$T/abc"
h0=$(stub_hits_echo)
run_cgi cl-larger /echo "$T/abc" CONTENT_LENGTH=4
expect_error cl-larger 400 incomplete_body
same=$(stub_hits_echo)
if [ "$h0" = "$same" ]; then pass "cl-larger: backend not called"; else fail "cl-larger: backend called"; fi

# CONTENT_LENGTH smaller than what arrives: exactly CONTENT_LENGTH bytes.
printf 'abcdef' >"$T/abcdef"
run_cgi cl-smaller /echo "$T/abcdef" CONTENT_LENGTH=3
expect_status cl-smaller 200
check "cl-smaller: exactly 3 bytes forwarded" \
	jwtcheck echo "$T/cl-smaller.body" --sent "$T/abc" --jwks "$T/symmetric.json"

# Missing CONTENT_LENGTH, stdin open and never ending: no blocking read.
mkfifo "$T/never.fifo"
sleep 120 >"$T/never.fifo" &
SLEEPER=$!
track_pid "$SLEEPER"
: >"$T/nothing"
STDIN_FROM=$T/never.fifo run_cgi cl-missing /echo "$T/nothing" -CONTENT_LENGTH
stop_pid "$SLEEPER"
expect_status cl-missing 200
expect_faster cl-missing 10000
check "cl-missing: empty body forwarded" \
	jwtcheck echo "$T/cl-missing.body" --sent "$T/nothing" --jwks "$T/symmetric.json"

run_cgi cl-empty /echo "$T/abc" CONTENT_LENGTH=
expect_status cl-empty 200
check "cl-empty: an empty CONTENT_LENGTH is no body" \
	jwtcheck echo "$T/cl-empty.body" --sent "$T/nothing" --jwks "$T/symmetric.json"

run_cgi cl-zero /echo "$T/abc" CONTENT_LENGTH=0
expect_status cl-zero 200
check "cl-zero: nothing forwarded" \
	jwtcheck echo "$T/cl-zero.body" --sent "$T/nothing" --jwks "$T/symmetric.json"

h0=$(stub_hits_echo)
i=0
for v in -1 +3 ' 3' '3 ' 0x3 3e0 3.0 abc 99999999999999999999999; do
	i=$((i + 1))
	run_cgi "cl-bad-$i" /echo "$T/abc" "CONTENT_LENGTH=$v"
	expect_error "cl-bad-$i" 400 bad_request
done
run_cgi cl-huge /echo "$T/abc" CONTENT_LENGTH=18446744073709551615
expect_error cl-huge 413 body_too_large
same=$(stub_hits_echo)
if [ "$h0" = "$same" ]; then pass "bad CONTENT_LENGTH: backend never called"; else fail "bad CONTENT_LENGTH: backend called"; fi

printf 'a\0b' >"$T/nul-body"
run_cgi nul-body /echo "$T/nul-body"
expect_status nul-body 200
check "nul-body: a\\0b forwarded intact" \
	jwtcheck echo "$T/nul-body.body" --sent "$T/nul-body" --jwks "$T/symmetric.json"

printf '\xff\xfe\xc0\xaf' >"$T/non-utf8"
run_cgi non-utf8 /echo "$T/non-utf8"
expect_status non-utf8 200
check "non-utf8: bytes forwarded intact" \
	jwtcheck echo "$T/non-utf8.body" --sent "$T/non-utf8" --jwks "$T/symmetric.json"

# ============================================================== backend side
R=$T/login.json
MEASURE_RSS=1 run_cgi ok /ok "$R"
expect_token ok '{"sub":"x"}' '{"access_token":"JWS","n":1}'

# Invalid UTF-8: each bad byte becomes U+FFFD, as Go's decoder does.
run_cgi invalid-utf8 /invalid-utf8 "$R"
expect_token invalid-utf8 '{"s":"a\xef\xbf\xbdb\xef\xbf\xbd"}' \
	'{"access_token":"JWS","x":"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}'

run_cgi nul-string /nul-string "$R"
expect_token nul-string '{"s":"a\\u0000b"}'

# \u0000 in a key: json-c keys are C strings, so refused (documented in
# gojson.h; Go would keep it).
run_cgi nul-key /nul-key "$R"
expect_error nul-key 502 backend_bad_response
run_cgi nul-top-key /nul-top-key "$R"
expect_error nul-top-key 502 backend_bad_response

run_cgi lone-surrogate /lone-surrogate "$R"
expect_token lone-surrogate '{"s":"\xef\xbf\xbdx","t":"\xef\xbf\xbd"}'

# Duplicate keys: the last one wins, as in Go.
run_cgi dup-keys /dup-keys "$R"
expect_token dup-keys '{"b":2}' '{"access_token":"JWS"}'
run_cgi dup-inner /dup-inner "$R"
expect_token dup-inner '{"a":2}'
run_cgi dup-unsigned /dup-unsigned "$R"
expect_status dup-unsigned 200
check "dup-unsigned: the last value (a string) is kept, as Go does" \
	test "$(cat "$T/dup-unsigned.body")" = '{"access_token":"plain"}'

# Numbers: kept exactly as written, or refused when they cannot be.
run_cgi huge-int /huge-int "$R"
expect_error huge-int 502 backend_bad_response
run_cgi huge-neg-int /huge-neg-int "$R"
expect_error huge-neg-int 502 backend_bad_response
run_cgi max-ints /max-ints "$R"
expect_token max-ints '{"a":18446744073709551615,"b":-9223372036854775808}'
run_cgi minus-zero /minus-zero "$R"
expect_error minus-zero 502 backend_bad_response
run_cgi minus-zero-float /minus-zero-float "$R"
expect_token minus-zero-float '{"n":-0.0}'
run_cgi exponents /exponents "$R"
expect_token exponents '{"a":1E+5,"b":1e-7,"c":2.50,"d":1e400}'

for c in trailing-object trailing-nul empty empty-close close-mid-body close-no-length \
	chunked-cut deep-million deep-129 members-100001; do
	run_cgi "$c" "/$c" "$R"
	expect_error "$c" 502 backend_bad_response
done
expect_faster deep-million 10000

# Depth: 64 levels (and the default limit, 128) sign.
run_cgi deep-64 /deep-64 "$R"
expect_status deep-64 200
run_cgi deep-128 /deep-128 "$R"
expect_status deep-128 200
run_cgi members-100000 /members-100000 "$R"
expect_status members-100000 200

run_cgi not-object-token /not-object-token "$R"
expect_status not-object-token 200
check "not-object-token: non-object members carried over unsigned, unchanged" \
	test "$(cat "$T/not-object-token.body")" = '{"access_token":"already-a-string","refresh_token":[1]}'

# A response that never ends (its Content-Length, 500000, is within
# max_backend_response): 504 after the endpoint timeout (1s).
run_cgi never-ends /never-ends "$R"
expect_error never-ends 504 backend_timeout
expect_faster never-ends 5000
run_cgi silent /silent "$R"
expect_error silent 504 backend_timeout
expect_faster silent 5000

# Connect timeout (500ms) below the endpoint timeout (4s).
run_cgi blackhole /blackhole "$R"
case $(status_of blackhole) in
502 | 504) pass "blackhole: status $(status_of blackhole)" ;;
*) fail "blackhole: status $(status_of blackhole), expected 502 or 504" "$T/blackhole.out" "$T/blackhole.err" ;;
esac
expect_faster blackhole 3000

# 1 GiB answers: cut at max_backend_response (1 MiB): 502, fast, memory
# bounded (peak RSS within 48 MiB of a plain request's).
base_rss=$(cat "$T/ok.rss")
for c in huge huge-chunked huge-length-small-body; do
	MEASURE_RSS=1 run_cgi "$c" "/$c" "$R"
	expect_error "$c" 502 backend_bad_response
	expect_faster "$c" 15000
	rss=$(cat "$T/$c.rss")
	if [ "$rss" -lt $((base_rss + 48 * 1024)) ]; then
		pass "$c: peak RSS $rss KiB (plain request: $base_rss KiB)"
	else
		fail "$c: peak RSS $rss KiB, plain request $base_rss KiB"
	fi
done
sent=$(curl -s "$HOSTILE_URL/bytes")
log "bytes the hostile server sent: $sent"
check "huge: the server could send far less than 1 GiB before jwtsign hung up" \
	"$PYTHON3" -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(d.get("/huge", 0) >= 1 << 30)' "$sent"

# Headers: one of 1 MiB, 20000 of 100 bytes, one that never ends: a bad
# backend answer, cut at max_header_size (65536) or at libcurl's 100 KiB
# per line.
for c in huge-header many-headers endless-header; do
	MEASURE_RSS=1 run_cgi "$c" "/$c" "$R"
	expect_error "$c" 502 backend_bad_response
	expect_faster "$c" 10000
	rss=$(cat "$T/$c.rss")
	if [ "$rss" -lt $((base_rss + 48 * 1024)) ]; then
		pass "$c: peak RSS $rss KiB"
	else
		fail "$c: peak RSS $rss KiB, plain request $base_rss KiB"
	fi
done

# 700 header lines of 104 bytes (a 70 KB block, every line small): over the
# default max_header_size (65536) -> 502 naming the setting; raised -> signed.
run_cgi headers-70k /headers-70k "$R"
expect_error headers-70k 502 backend_bad_response
check "headers-70k: the log names max_header_size" grep -q "max_header_size" "$T/headers-70k.err"
write_config "$T/hdr-raised.json" ',"extra_config":{"jwtsign":{"max_header_size":262144}}' \
	"$(hep /headers-70k /headers-70k)"
run_cgi headers-70k-raised /headers-70k "$R" JWTSIGN_CONFIG="$T/hdr-raised.json"
expect_token headers-70k-raised '{"sub":"x"}' '{"access_token":"JWS","n":1}'

# Client headers jwtsign reads, over max_header_size: 431, backend not called.
big=$(head -c 70000 /dev/zero | tr '\0' a)
h0=$(stub_hits_echo)
run_cgi ct-huge /echo "$R" CONTENT_TYPE="application/json; x=$big"
expect_error ct-huge 431 header_too_large
run_cgi xff-huge /echo "$R" HTTP_X_FORWARDED_FOR="$big"
expect_error xff-huge 431 header_too_large
check "ct-huge, xff-huge: the log names the header and max_header_size" \
	grep -q "X-Forwarded-For header over 65536 bytes (max_header_size)" "$T/xff-huge.err"
if [ "$h0" = "$(stub_hits_echo)" ]; then pass "ct-huge, xff-huge: backend not called"; else fail "ct-huge, xff-huge: backend called"; fi

# ============================================================ JWK documents
K_OK='{"kty":"oct","kid":"sim2","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}'
# jwk_case NAME DOCUMENT: a config whose key file holds DOCUMENT.
jwk_case() {
	printf '%s' "$2" >"$T/jwk-$1.json"
	write_config "$T/jwk-$1.cfg" "${JWK_TOP:-}" \
		"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_local_path\":\"$T/jwk-$1.json\"" ep /token /ok)"
	run_cgi "jwk-$1" /token "$R" JWTSIGN_CONFIG="$T/jwk-$1.cfg"
}
jwk_case good "{\"keys\":[$K_OK]}"
expect_status jwk-good 200

jwk_bad() {
	jwk_case "$1" "$2"
	expect_error "jwk-$1" 503 keys_unavailable
}
jwk_bad empty ''
jwk_bad not-json '{"keys":['
jwk_bad trailing "{\"keys\":[$K_OK]} x"
jwk_bad bare "$K_OK"
jwk_bad keys-missing '{}'
jwk_bad keys-null '{"keys":null}'
jwk_bad keys-object "{\"keys\":{\"a\":$K_OK}}"
jwk_bad keys-empty '{"keys":[]}'
jwk_bad entry-string '{"keys":["sim2"]}'
jwk_bad kty-missing '{"keys":[{"kid":"sim2","k":"AAAA"}]}'
jwk_bad kty-number '{"keys":[{"kty":1,"kid":"sim2","k":"AAAA"}]}'
jwk_bad kty-unknown '{"keys":[{"kty":"XYZ","kid":"sim2","k":"AAAA"}]}'
jwk_bad kid-number '{"keys":[{"kty":"oct","kid":2,"k":"AAAA"}]}'
jwk_bad kid-absent '{"keys":[{"kty":"oct","kid":"other","k":"AAAA"}]}'
jwk_bad k-missing '{"keys":[{"kty":"oct","kid":"sim2"}]}'
jwk_bad k-number '{"keys":[{"kty":"oct","kid":"sim2","k":12}]}'
jwk_bad k-padded '{"keys":[{"kty":"oct","kid":"sim2","k":"AAAA="}]}'
jwk_bad k-std-b64 '{"keys":[{"kty":"oct","kid":"sim2","k":"A+/A"}]}'
jwk_bad k-bad-length '{"keys":[{"kty":"oct","kid":"sim2","k":"AAAAA"}]}'
jwk_bad k-empty '{"keys":[{"kty":"oct","kid":"sim2","k":""}]}'
jwk_bad alg-other '{"keys":[{"kty":"oct","kid":"sim2","alg":"HS512","k":"AAAA"}]}'
jwk_bad alg-number '{"keys":[{"kty":"oct","kid":"sim2","alg":256,"k":"AAAA"}]}'
jwk_bad use-enc '{"keys":[{"kty":"oct","kid":"sim2","use":"enc","k":"AAAA"}]}'
jwk_bad key-ops-verify '{"keys":[{"kty":"oct","kid":"sim2","key_ops":["verify"],"k":"AAAA"}]}'
jwk_bad key-ops-string '{"keys":[{"kty":"oct","kid":"sim2","key_ops":"sign","k":"AAAA"}]}'
jwk_bad dup-kid "{\"keys\":[$K_OK,$K_OK]}"
# One kid on keys of two types (RFC 7517 section 4.5 allows it): the alg's
# key type decides, in either order; the other entry is not even parsed.
for order in first second; do
	ec='{"kty":"EC","kid":"sim2","crv":"P-256"}'
	if [ $order = first ]; then doc="{\"keys\":[$ec,$K_OK]}"; else doc="{\"keys\":[$K_OK,$ec]}"; fi
	jwk_case "shared-kid-$order" "$doc"
	expect_token "jwk-shared-kid-$order" '{"sub":"x"}' '{"access_token":"JWS","n":1}'
done
jwk_bad deep "{\"keys\":[$K_OK,$(printf '[%.0s' $(seq 40))$(printf ']%.0s' $(seq 40))]}"
jwk_bad trailing-escape "{\"keys\":[$K_OK]}\\u0000"

# A huge n (a 1 MiB RSA modulus) beside the key in use: refused (over the
# JWK Set size limit) or ignored, quickly, never a crash.
"$PYTHON3" -c '
import sys
n = "A" + "B" * (1024 * 1024)
sys.stdout.write("{\"keys\":[%s,{\"kty\":\"RSA\",\"kid\":\"big\",\"n\":\"%s\",\"e\":\"AQAB\"}]}" % (sys.argv[1], n))
' "$K_OK" >"$T/huge-n.json"
jwk_case huge-n "$(cat "$T/huge-n.json")"
case $(status_of jwk-huge-n) in
200 | 503) pass "jwk-huge-n: status $(status_of jwk-huge-n)" ;;
*) fail "jwk-huge-n: status $(status_of jwk-huge-n)" "$T/jwk-huge-n.err" ;;
esac
expect_faster jwk-huge-n 10000
# The same modulus, 4096 bits + 8, selected: refused as inconsistent.
"$PYTHON3" -c '
import sys
n = "A" + "B" * 700
print("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"sim2\",\"n\":\"%s\",\"e\":\"AQAB\",\"d\":\"%s\",\"p\":\"%s\",\"q\":\"%s\"}]}" % (n, n, n[:350], n[:350]))
' >"$T/bad-rsa.json"
write_config "$T/rsa.cfg" "" "$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_local_path\":\"$T/bad-rsa.json\"" ep /token /ok | sed 's/"HS256"/"RS256"/')"
run_cgi jwk-bad-rsa /token "$R" JWTSIGN_CONFIG="$T/rsa.cfg"
expect_error jwk-bad-rsa 503 keys_unavailable
check "pubkeys on a 1 MiB modulus ends within 20 s" \
	timeout 20 bash -c '"$1" pubkeys <"$2" >/dev/null 2>&1; rc=$?; [ $rc -lt 124 ]' _ "$JWTSIGN" "$T/huge-n.json"

# 10,000 keys: over the default max_jwk_keys (1000) -> 503; with the limits
# raised, the set loads and signs within a few seconds.
"$PYTHON3" -c '
import sys
keys = ["{\"kty\":\"oct\",\"kid\":\"k%d\",\"k\":\"AAAAAAAAAAAAAAAAAAAAAA\"}" % i for i in range(9999)]
keys.append(sys.argv[1])
sys.stdout.write("{\"keys\":[" + ",".join(keys) + "]}")
' "$K_OK" >"$T/10000.json"
jwk_case 10000 "$(cat "$T/10000.json")"
expect_error jwk-10000 503 keys_unavailable
JWK_TOP=',"extra_config":{"jwtsign":{"max_jwk_keys":10000,"max_jwk_set_size":4194304}}' \
	jwk_case 10000-allowed "$(cat "$T/10000.json")"
expect_status jwk-10000-allowed 200
expect_faster jwk-10000-allowed 10000

# JWK fetch timeout: a JWK server that never answers (jwk_fetch_timeout 1s).
write_config "$T/jwkslow.cfg" ',"extra_config":{"jwtsign":{"jwk_fetch_timeout":"1s"}}' \
	"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_url\":\"$HOSTILE_URL/silent\",\"disable_jwk_security\":true" ep /token /ok)"
run_cgi jwk-silent /token "$R" JWTSIGN_CONFIG="$T/jwkslow.cfg" JWTSIGN_CACHE_DIR="$T/cache-silent"
expect_error jwk-silent 503 keys_unavailable
expect_faster jwk-silent 5000
write_config "$T/jwkendless.cfg" ',"extra_config":{"jwtsign":{"jwk_fetch_timeout":"1s"}}' \
	"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_url\":\"$HOSTILE_URL/huge\",\"disable_jwk_security\":true" ep /token /ok)"
run_cgi jwk-huge /token "$R" JWTSIGN_CONFIG="$T/jwkendless.cfg" JWTSIGN_CACHE_DIR="$T/cache-huge"
expect_error jwk-huge 503 keys_unavailable
expect_faster jwk-huge 5000

# A JWK server answering with a 70 KB header block: refused under the default
# max_header_size, loaded when it is raised.
mkdir -p -m 700 "$T/cache-hdr" "$T/cache-hdr2"
write_config "$T/jwkhdr.cfg" "" \
	"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_url\":\"$HOSTILE_URL/jwk/headers-70k.json\",\"disable_jwk_security\":true" ep /token /ok)"
run_cgi jwk-headers-70k /token "$R" JWTSIGN_CONFIG="$T/jwkhdr.cfg" JWTSIGN_CACHE_DIR="$T/cache-hdr"
expect_error jwk-headers-70k 503 keys_unavailable
check "jwk-headers-70k: the log names max_header_size" grep -q "max_header_size" "$T/jwk-headers-70k.err"
write_config "$T/jwkhdr2.cfg" ',"extra_config":{"jwtsign":{"max_header_size":262144}}' \
	"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_url\":\"$HOSTILE_URL/jwk/headers-70k.json\",\"disable_jwk_security\":true" ep /token /ok)"
run_cgi jwk-headers-70k-raised /token "$R" JWTSIGN_CONFIG="$T/jwkhdr2.cfg" JWTSIGN_CACHE_DIR="$T/cache-hdr2"
expect_token jwk-headers-70k-raised '{"sub":"x"}' '{"access_token":"JWS","n":1}'

# Secrets in a jwk_url (userinfo, query) are never logged or printed.
mkdir -p -m 700 "$T/cache-redact"
hp=${HOSTILE_URL#http://}
write_config "$T/jwkredact.cfg" "" \
	"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_url\":\"http://keyuser:hunter2@$hp/jwk/none.json?access_token=s3cr3t\",\"disable_jwk_security\":true" ep /token /ok)"
run_cgi jwk-redact /token "$R" JWTSIGN_CONFIG="$T/jwkredact.cfg" JWTSIGN_CACHE_DIR="$T/cache-redact"
expect_error jwk-redact 503 keys_unavailable
JWTSIGN_CACHE_DIR=$T/cache-redact "$JWTSIGN" check-config -c "$T/jwkredact.cfg" >"$T/jwk-redact.check" 2>&1 || true
for f in "$T/jwk-redact.err" "$T/jwk-redact.check"; do
	check "jwk-redact: ${f#"$T"/} names the URL without its secrets" \
		grep -q "http://\*\*\*@$hp/jwk/none.json?\*\*\*" "$f"
	check "jwk-redact: no userinfo or query secret in ${f#"$T"/}" not grep -qE 'hunter2|s3cr3t|keyuser' "$f"
done

# A JWK Set served gzip-encoded: decoded, the keys load.
mkdir -p -m 700 "$T/cache-gzip"
write_config "$T/jwkgzip.cfg" "" \
	"$(EP_HOST=$HOSTILE_URL EP_KEYS="\"jwk_url\":\"$HOSTILE_URL/jwk/symmetric-gzip.json\",\"disable_jwk_security\":true" ep /token /ok)"
run_cgi jwk-gzip /token "$R" JWTSIGN_CONFIG="$T/jwkgzip.cfg" JWTSIGN_CACHE_DIR="$T/cache-gzip"
expect_token jwk-gzip '{"sub":"x"}' '{"access_token":"JWS","n":1}'

# =================================================================== config
# Every setting with a wrong type or value: check-config exits 1 and names
# the setting; the server answers 503 not_configured.
"$PYTHON3" - "$T" "$STUB_URL" "$T/symmetric.json" <<'EOF'
import copy, json, os, sys
t, host, keys = sys.argv[1:4]
base = {"version": 3, "timeout": "2s", "host": [host],
        "extra_config": {"jwtsign": {}},
        "endpoints": [{"endpoint": "/token", "method": "POST", "timeout": "1s",
                       "backend": [{"host": [host], "url_pattern": "/token-issuer",
                                    "method": "POST"}],
                       "extra_config": {"auth/signer": {
                           "alg": "HS256", "kid": "sim2", "keys_to_sign": ["access_token"],
                           "jwk_local_path": keys}}}]}
S = ["endpoints", 0, "extra_config", "auth/signer"]
B = ["endpoints", 0, "backend", 0]
J = ["extra_config", "jwtsign"]
cases = [
    # (setting named in the message, path, value)
    ("version", ["version"], "3"), ("version", ["version"], 1),
    ("timeout", ["timeout"], 2), ("timeout", ["timeout"], "2 s"),
    ("timeout", ["timeout"], "-1s"), ("timeout", ["timeout"], "25h"),
    ("host", ["host"], "ftp://x", [B + ["host"]]),
    ("host", ["host"], [], [B + ["host"]]),
    ("endpoints", ["endpoints"], {}),
    ("endpoint", ["endpoints", 0, "endpoint"], 5),
    ("method", ["endpoints", 0, "method"], ["POST"]),
    ("timeout", ["endpoints", 0, "timeout"], True),
    ("backend", ["endpoints", 0, "backend"], {}),
    ("host", B + ["host"], 7), ("host", B + ["host"], ["gopher://x"]),
    ("url_pattern", B + ["url_pattern"], ["/a"]),
    ("method", B + ["method"], 1),
    ("alg", S + ["alg"], "none"), ("alg", S + ["alg"], "HS257"), ("alg", S + ["alg"], 256),
    ("kid", S + ["kid"], 1), ("kid", S + ["kid"], []), ("kid", S + ["kid"], [1]),
    ("keys_to_sign", S + ["keys_to_sign"], "access_token"),
    ("keys_to_sign", S + ["keys_to_sign"], [1]),
    ("keys_to_sign", S + ["keys_to_sign"], []),
    ("jwk_local_path", S + ["jwk_local_path"], 1),
    ("full", S + ["full"], "yes"), ("typ", S + ["typ"], 1),
    ("jwk_url", S + ["jwk_url"], "http://127.0.0.1/jwk"),
    ("disable_jwk_security", S + ["disable_jwk_security"], "true"),
    ("jwk_fingerprints", S + ["jwk_fingerprints"], "abc"),
    ("cipher_suites", S + ["cipher_suites"], [1]),
    ("cipher_suites", S + ["cipher_suites"], "49199"),
    ("jwk_local_ca", S + ["jwk_local_ca"], True),
    ("cache_duration", S + ["cache_duration"], "15m"),
    ("cache_duration", S + ["cache_duration"], -1),
    ("failed_jwk_key_cooldown", S + ["failed_jwk_key_cooldown"], 1.5),
    ("max_stale", S + ["max_stale"], "1d"),
    ("jwtsign", J, []),
    ("max_request_body", J + ["max_request_body"], "1M"),
    ("max_request_body", J + ["max_request_body"], 0),
    ("max_request_body", J + ["max_request_body"], -1),
    ("max_backend_response", J + ["max_backend_response"], 1.5),
    ("max_json_depth", J + ["max_json_depth"], 0),
    ("max_json_depth", J + ["max_json_depth"], 1000000),
    ("max_json_members", J + ["max_json_members"], "x"),
    ("max_jwk_set_size", J + ["max_jwk_set_size"], []),
    ("max_jwk_keys", J + ["max_jwk_keys"], 0),
    ("connect_timeout", J + ["connect_timeout"], 500),
    ("connect_timeout", J + ["connect_timeout"], "fast"),
    ("jwk_fetch_timeout", J + ["jwk_fetch_timeout"], "-5s"),
    ("max_header_size", J + ["max_header_size"], "64k"),
    ("max_header_size", J + ["max_header_size"], 0),
    ("max_headers", J + ["max_headers"], 1),
]
with open(os.path.join(t, "cfgcases.txt"), "w") as idx:
    for i, case in enumerate(cases):
        name, path, val = case[:3]
        doc = copy.deepcopy(base)
        for d in (case[3] if len(case) > 3 else []):
            o = doc
            for k in d[:-1]:
                o = o[k]
            del o[d[-1]]
        o = doc
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = val
        fn = os.path.join(t, "cfg-%02d.json" % i)
        with open(fn, "w") as f:
            json.dump(doc, f)
        idx.write("%02d %s %s\n" % (i, name, json.dumps(val)))
with open(os.path.join(t, "cfg-good.json"), "w") as f:
    json.dump(base, f)
EOF
check "check-config accepts the unmodified base config" "$JWTSIGN" check-config -c "$T/cfg-good.json"
while read -r i name val; do
	rc=0
	"$JWTSIGN" check-config -c "$T/cfg-$i.json" >"$T/cfg-$i.out" 2>&1 || rc=$?
	if [ "$rc" = 1 ] && grep -q -F -- "$name" "$T/cfg-$i.out"; then
		pass "config $name = $val: exit 1, message names $name"
	else
		fail "config $name = $val: exit $rc, message does not name $name" "$T/cfg-$i.out"
	fi
done <"$T/cfgcases.txt"
run_cgi broken-config /token "$R" JWTSIGN_CONFIG="$T/cfg-00.json"
expect_error broken-config 503 not_configured

# ================================================================ all runs
no_secret_in "$T"/*.body "$T"/*.err "$T"/*.out
finish
