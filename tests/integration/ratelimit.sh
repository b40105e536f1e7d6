#!/bin/bash
# ratelimit.sh - qos/ratelimit/router and the failed-login throttle under a
# real lighttpd with 4 FastCGI workers (max-procs 4) and the stub backend:
# one limit shared by every worker (the table beside the key cache), 429
# with Retry-After and {"error":"rate_limited"}, another client unaffected,
# the endpoint's own bucket answering 503, and the throttle stopping a
# username's guesses from any address without calling the backend.
. "$(dirname "$0")/lib.sh"

require_jwtsign
require_python
require_tool curl
find_lighttpd

start_stub
cp "$DEMO_JWKS" "$T/symmetric.json"
mkdir -p "$T/www"
CACHE_DIR=$T/shared

# /token: 5 per minute per client, the client being the first address of
# X-Forwarded-For (lighttpd's clients are all 127.0.0.1).  /busy: the
# whole endpoint 3 per minute.  /login: the failed-login throttle at 3.
RL='"qos/ratelimit/router":{"client_max_rate":5,"client_capacity":5,"every":"1m","strategy":"ip","key":"X-Forwarded-For"}'
BUSY='"qos/ratelimit/router":{"max_rate":3,"capacity":3,"every":"1m"}'
TH='"jwtsign":{"failed_login":{"max_failures":3,"window":"10m","username":"/user","client_max_failures":0}}'
ep_with() { # PATH URL_PATTERN NAMESPACES
	ep "$1" "$2" | sed "s|\"extra_config\":{|\"extra_config\":{$3,|"
}
write_config "$T/jwtsign.json" "" \
	"$(ep_with /token /token-issuer "$RL")" \
	"$(ep_with /busy /token-issuer "$BUSY")" \
	"$(ep_with /login /login "$TH")"

cat >"$T/lighttpd.conf.in" <<EOF
server.modules = ("mod_fastcgi")
server.bind = "127.0.0.1"
server.port = @PORT@
server.document-root = "$T/www"
server.errorlog = "$T/lighttpd-error.log"
fastcgi.server = ("/" => ((
	"socket" => "$T/jwtsign.sock",
	"bin-path" => "$JWTSIGN",
	"max-procs" => 4,
	"bin-environment" => (
		"JWTSIGN_CONFIG" => "$T/jwtsign.json",
		"JWTSIGN_LOG_LEVEL" => "info",
		"JWTSIGN_CACHE_DIR" => "$CACHE_DIR",
	),
	"check-local" => "disable",
)))
EOF
start_lighttpd "$T/lighttpd.conf.in"
URL=$LIGHTTPD_URL
workers() { child_pids "$LIGHTTPD_PID" | sort | tr '\n' ' '; }
for ((i = 0; i < 50; i++)); do
	[ "$(workers | wc -w)" -ge 4 ] && break
	sleep 0.1
done
check "lighttpd spawned 4 jwtsign processes ($(workers))" test "$(workers | wc -w)" -eq 4

# post NAME PATH BODY [curl args...]: leaves $T/NAME.{code,headers,body}.
post() {
	local name=$1 path=$2 body=$3
	shift 3
	curl -sS --max-time 20 -o "$T/$name.body" -D "$T/$name.headers" -w '%{http_code}' \
		-H 'Content-Type: application/json' --data-binary "$body" "$@" \
		"$URL$path" >"$T/$name.code" 2>"$T/$name.curl-err" || true
}
code() { cat "$T/$1.code"; }
retry_after() { tr -d '\r' <"$T/$1.headers" | sed -n 's/^Retry-After: *//Ip'; }

# ---- 20 rapid requests from one client, in parallel over the workers:
# exactly 5 x 200 and 15 x 429, each 429 with Retry-After and the body.
LOGIN='{"user":"john","pass":"doe"}'
pids=()
for ((i = 0; i < 20; i++)); do
	post "a$i" /token "$LOGIN" -H 'X-Forwarded-For: 198.51.100.1' &
	pids+=($!)
done
wait "${pids[@]}"
n200=0 n429=0 bad=0
for ((i = 0; i < 20; i++)); do
	case $(code "a$i") in
	200) n200=$((n200 + 1)) ;;
	429)
		n429=$((n429 + 1))
		ra=$(retry_after "a$i")
		if ! [[ $ra =~ ^[0-9]+$ ]] || [ "$ra" -lt 1 ] || [ "$ra" -gt 12 ]; then
			bad=$((bad + 1))
			log "a$i: Retry-After '$ra'"
		fi
		jwtcheck error "$T/a$i.body" rate_limited || bad=$((bad + 1))
		;;
	*) bad=$((bad + 1)) ;;
	esac
done
check "one client, 20 requests: 5 x 200 (got $n200)" test "$n200" -eq 5
check "one client, 20 requests: 15 x 429 (got $n429)" test "$n429" -eq 15
check "every 429 has Retry-After 1..12 and {\"error\":\"rate_limited\"}" test "$bad" -eq 0
check "the backend saw the 5 admitted only" test "$(stub_hits /token-issuer)" -eq 5

post other /token "$LOGIN" -H 'X-Forwarded-For: 203.0.113.9'
check "another client is unaffected (200)" test "$(code other)" = 200
post first-of-list /token "$LOGIN" -H 'X-Forwarded-For: 198.51.100.1, 203.0.113.9'
check "the first address of X-Forwarded-For names the client (429)" test "$(code first-of-list)" = 429

# ---- the endpoint's own bucket: 3, then 503 with Retry-After.
for i in 1 2 3 4; do post "busy$i" /busy "$LOGIN" -H "X-Forwarded-For: 192.0.2.$i"; done
check "endpoint limit: 3 x 200" test "$(cat "$T"/busy{1,2,3}.code | tr -d '\n')" = 200200200
check "endpoint limit: the 4th is 503" test "$(code busy4)" = 503
check "endpoint limit: 503 has Retry-After" test -n "$(retry_after busy4)"
check "endpoint limit: body rate_limited" jwtcheck error "$T/busy4.body" rate_limited
# Another configuration file of the same user (another site) has buckets
# of its own in the shared table, even for the same endpoint and limits.
cp "$T/jwtsign.json" "$T/other-site.json"
printf '%s' "$LOGIN" >"$T/other.in"
CGI_CHECK=none cgi_run other-busy POST /busy "$T/other.in" JWTSIGN_CONFIG="$T/other-site.json" \
	JWTSIGN_CACHE_DIR="$CACHE_DIR" REMOTE_ADDR=127.0.0.1
check "another configuration's /busy is not limited by this one's bucket" \
	test "$(status_of other-busy)" = 200

# ---- the failed-login throttle at 3: alice's 4th wrong password is 429
# from any address and never reaches the backend; bob still logs in.
for i in 1 2 3; do
	post "alice$i" /login '{"user":"alice","pass":"wrong'$i'"}' -H "X-Forwarded-For: 192.0.2.$i"
	check "alice wrong password $i: 401 from the backend" test "$(code "alice$i")" = 401
done
hits=$(stub_hits /login)
post alice4 /login '{"user":"alice","pass":"wrong4"}' -H 'X-Forwarded-For: 203.0.113.77'
check "alice's 4th wrong password, another address: 429" test "$(code alice4)" = 429
check "alice4: Retry-After set" test -n "$(retry_after alice4)"
check "alice4: body rate_limited" jwtcheck error "$T/alice4.body" rate_limited
post alice5 /login '{"user":"alice","pass":"right"}'
check "alice's right password is refused too while the door is shut" test "$(code alice5)" = 429
check "neither reached the backend" test "$(stub_hits /login)" = "$hits"
post bob /login '{"user":"bob","pass":"right"}' -H 'X-Forwarded-For: 192.0.2.1'
check "bob still logs in (200)" test "$(code bob)" = 200
check "bob's answer is signed" jwtcheck signed "$T/bob.body" "$T/symmetric.json"
# A success resets: bob fails twice, logs in, fails three times again.
for i in 1 2; do post "bobf$i" /login '{"user":"bob","pass":"x"}'; done
post bob2 /login '{"user":"bob","pass":"right"}'
for i in 3 4 5; do post "bobf$i" /login '{"user":"bob","pass":"x"}'; done
check "bob: a success reset his count (3 more failures all reach the backend)" \
	test "$(cat "$T"/bobf{3,4,5}.code | tr -d '\n')" = 401401401
post bob3 /login '{"user":"bob","pass":"right"}'
check "bob: then shut (429)" test "$(code bob3)" = 429

# ---- the table: 0600 beside the cache, and usernames never in the log.
check "the table is a 0600 file in the 0700 directory" \
	test "$(stat -c %a "$CACHE_DIR/ratelimit-v1.table") $(stat -c %a "$CACHE_DIR")" = "600 700"
check "no username in the error log" not grep -q -e alice -e '"bob"' "$T/lighttpd-error.log"
check "no password in the error log" not grep -q wrong "$T/lighttpd-error.log"
finish
