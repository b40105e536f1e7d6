#!/bin/bash
# lifecycle.sh - the life of a jwtsign FastCGI process, as web servers see
# it.  jwtsign runs under spawn-fcgi -n on a unix socket created by the
# test; requests are sent with cgi-fcgi (libfcgi-bin) as the FastCGI
# client; then under Apache mod_fcgid (the shipped configuration):
#   - SIGTERM and SIGUSR1 during a slow backend request: that request is
#     answered (signed), then the process exits 0; SIGTERM when idle: exit 0
#   - a client that disconnects before the answer (the write hits EPIPE):
#     the process survives (SIGPIPE ignored) and serves the next request
#   - a broken or missing configuration: 503 {"error":"not_configured"}
#     for every request, the reason logged once per process, no crash
#   - -v and JWTSIGN_LOG_LEVEL=debug enable DEBUG lines; every line is
#     "jwtsign[PID]: LEVEL: CONTEXT: message" with the process's PID; no
#     key material or token in any log
#   - mod_fcgid: a worker killed with SIGKILL is replaced and the next
#     request succeeds; a broken configuration read by new workers gives
#     503 with the reason logged once by each; workers exit 0 on httpd stop
#   - a request in the filter role: FCGI_UNKNOWN_ROLE; the authorizer role
#     denies a path nothing protects
#   - no core dumps unless JWTSIGN_CORE_DUMPS=1
#   - three workers on one socket: SIGTERM to one leaves the others serving
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/apache_lib.sh"

require_jwtsign
require_python
require_tool curl
require_tool timeout
find_bin SPAWN_FCGI spawn-fcgi
find_bin CGI_FCGI cgi-fcgi

start_stub
prepare_runtime
make_bodies
mkdir -p "$T/run"
SOCK=$T/run/jwtsign.sock

write_config "$T/good.json" "" \
	"$(ep /token /token-issuer)" \
	"$(ep /slow /slow ',"timeout":"10s"')" \
	"$(ep /slow1 /slow ',"timeout":"1s"')"
printf '{"version":3,"endpoints":[{"endpoint":"/token",' >"$T/broken.json"
readable "$T/good.json" "$T/broken.json"

# ------------------------------------------------------------ helpers

# start_jw NAME CONFIG [VAR=VALUE...] [-- ARGS...]: start jwtsign with
# spawn-fcgi -n (which execs jwtsign once the socket is bound); stderr to
# $T/NAME.log.  Sets JW_PID, JW_LOG.
start_jw() {
	local name=$1 config=$2 envv=() args=() owner=() i
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		envv+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	args=("$@")
	if [ -n "$RUN_USER" ]; then
		owner=(-u "$RUN_USER" -g "$RUN_GROUP" -U "$RUN_USER" -G "$RUN_GROUP")
	fi
	rm -f "$SOCK"
	JW_LOG=$T/$name.log
	env -u JWTSIGN_LOG_LEVEL JWTSIGN_CONFIG="$config" "${envv[@]}" \
		"$SPAWN_FCGI" -n -s "$SOCK" -M 0660 "${owner[@]}" -- "$JWTSIGN_RUN" "${args[@]}" \
		</dev/null >"$JW_LOG" 2>&1 &
	JW_PID=$!
	track_pid "$JW_PID"
	for ((i = 0; i < 50; i++)); do
		is_our_jwtsign "$JW_PID" && [ -S "$SOCK" ] && return 0
		kill -0 "$JW_PID" 2>/dev/null || break
		sleep 0.1
	done
	hard_error "spawn-fcgi did not start jwtsign: $(tail -5 "$JW_LOG")"
}

# jw_exit_status [TENTHS]: wait (bounded, default 5 s) for JW_PID to exit;
# set JW_STATUS to its exit status, or "running".  (Not in a $(...)
# subshell: only this shell can wait for its child.)
jw_exit_status() {
	local i
	JW_STATUS=0
	for ((i = 0; i < ${1:-50}; i++)); do
		is_our_jwtsign "$JW_PID" || break
		sleep 0.1
	done
	if is_our_jwtsign "$JW_PID"; then
		JW_STATUS=running
		return 0
	fi
	wait "$JW_PID" 2>/dev/null || JW_STATUS=$?
}

# stop_jw: SIGTERM, expect exit 0 within 5 s.
stop_jw() {
	kill -TERM "$JW_PID" 2>/dev/null || true
	jw_exit_status
	if [ "$JW_STATUS" = running ]; then
		fail "jwtsign (pid $JW_PID) still running 5 s after SIGTERM" "$JW_LOG"
		kill -KILL "$JW_PID" 2>/dev/null || true
		wait "$JW_PID" 2>/dev/null || true
	else
		check "jwtsign (pid $JW_PID) exits 0 on SIGTERM (status $JW_STATUS)" test "$JW_STATUS" = 0
	fi
}

# req_start NAME METHOD URI BODY: send one FastCGI request with cgi-fcgi
# in the background (no wrapper: REQ_PID is cgi-fcgi itself, so that it
# can be killed).  Output: $T/NAME.out, $T/NAME.err.
req_start() {
	local name=$1 method=$2 uri=$3 body=$4 q=""
	[[ $uri == *\?* ]] && q=${uri#*\?}
	env -i PATH="$PATH" GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		SERVER_SOFTWARE=lifecycle-test SERVER_NAME=127.0.0.1 SERVER_PORT=80 \
		REQUEST_METHOD="$method" REQUEST_URI="$uri" SCRIPT_NAME="${uri%%\?*}" QUERY_STRING="$q" \
		CONTENT_LENGTH="$(stat -c %s "$body")" CONTENT_TYPE=application/json \
		REMOTE_ADDR=127.0.0.1 REMOTE_PORT=40000 HTTP_HOST=127.0.0.1 \
		"$CGI_FCGI" -bind -connect "$SOCK" <"$body" >"$T/$name.out" 2>"$T/$name.err" &
	REQ_PID=$!
	track_pid "$REQ_PID"
}

# req_wait NAME [TENTHS]: wait (bounded, default 20 s) for REQ_PID, then
# split its output into $T/NAME.{status,headers,body}.
req_wait() {
	local name=$1 i
	: >"$T/$name.body"
	echo 0 >"$T/$name.status"
	for ((i = 0; i < ${2:-200}; i++)); do
		kill -0 "$REQ_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$REQ_PID" 2>/dev/null; then
		kill -KILL "$REQ_PID" 2>/dev/null || true
		wait "$REQ_PID" 2>/dev/null || true
		fail "$name: no answer within $((${2:-200} / 10)) s" "$T/$name.err" "$JW_LOG"
		return 0
	fi
	wait "$REQ_PID" 2>/dev/null || true
	jwtcheck split-cgi "$T/$name.out" "$T/$name" 2>"$T/$name.split-err" ||
		fail "$name: not a FastCGI/CGI response" "$T/$name.split-err" "$T/$name.out" "$T/$name.err" "$JW_LOG"
}

# req NAME METHOD URI [BODY]: one request, waited for.
req() {
	req_start "$1" "$2" "$3" "${4:-$T/login.json}"
	req_wait "$1"
}

expect_fcgi_signed() {
	expect_status "$1" 200 "$JW_LOG"
	check "$1: tokens verified (independent HMAC)" \
		jwtcheck signed "$T/$1.body" "$T/symmetric.json" --expect "$T/reference.json"
}

expect_fcgi_error() {
	expect_status "$1" "$2" "$JW_LOG"
	check "$1: body {\"error\":\"$3\"}" jwtcheck error "$T/$1.body" "$3"
}

# wait_stub_hits PATH N: wait (bounded, 5 s) until the stub served PATH N times.
wait_stub_hits() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(stub_hits "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# log_check NAME LOG PID: every line of LOG is a jwtsign line of PID.
log_check() {
	local bad
	bad=$(grep -v -E "^jwtsign\[$3\]: (DEBUG|INFO|WARN|ERROR|debug|info|warn|error): [^:]+: " "$2" |
		grep -v '^spawn-fcgi: ' | head -5 || true)
	if [ -z "$bad" ]; then
		pass "$1: every log line is 'jwtsign[$3]: LEVEL: CONTEXT: message'"
	else
		fail "$1: log lines not in the documented form (or another PID): $bad" "$2"
	fi
}

count_level() { grep -c -i -E "^jwtsign\[[0-9]+\]: $2: " "$1" || true; }

# signal_during_slow NAME SIGNAL: SIGNAL while /slow (5 s backend) is in
# flight: the request is answered and signed, then jwtsign exits 0.
signal_during_slow() {
	local name=$1 sig=$2 h0 t0 elapsed
	h0=$(stub_hits /slow)
	t0=$(now_ms)
	req_start "$name" POST /slow "$T/login.json"
	if ! wait_stub_hits /slow $((h0 + 1)); then
		fail "$name: the slow request never reached the backend" "$JW_LOG" "$T/$name.err"
		return 0
	fi
	sleep 0.3
	kill "-$sig" "$JW_PID"
	req_wait "$name"
	elapsed=$(($(now_ms) - t0))
	expect_fcgi_signed "$name"
	check "$name: the request in flight was completed after SIG$sig (${elapsed} ms, backend 5 s)" \
		test "$elapsed" -ge 4500
	jw_exit_status 50
	if [ "$JW_STATUS" = running ]; then
		fail "$name: jwtsign still running 5 s after answering the request (SIG$sig)" "$JW_LOG"
		kill -KILL "$JW_PID" 2>/dev/null || true
		wait "$JW_PID" 2>/dev/null || true
	else
		check "$name: jwtsign exited 0 after SIG$sig (status $JW_STATUS)" test "$JW_STATUS" = 0
	fi
}

# ------------------------------------------------------------ spawn-fcgi

# 1. -v: debug logging; SIGTERM during a slow request.
start_jw p1 "$T/good.json" -- -v
req p1-ref POST /token
expect_fcgi_signed p1-ref
req p1-query POST '/token?a=b'
expect_fcgi_signed p1-query
check "p1 (-v): DEBUG lines logged" test "$(count_level "$JW_LOG" debug)" -gt 0
signal_during_slow p1-term TERM
log_check p1 "$JW_LOG" "$JW_PID"

# 2. JWTSIGN_LOG_LEVEL=debug; SIGUSR1 during a slow request.
start_jw p2 "$T/good.json" JWTSIGN_LOG_LEVEL=debug
req p2-ref POST /token
expect_fcgi_signed p2-ref
check "p2 (JWTSIGN_LOG_LEVEL=debug): DEBUG lines logged" test "$(count_level "$JW_LOG" debug)" -gt 0
signal_during_slow p2-usr1 USR1
log_check p2 "$JW_LOG" "$JW_PID"

# 3. default level; a client that goes away: the answer (504 after the
# 1 s endpoint timeout) is written to a closed unix socket -> EPIPE.
start_jw p3 "$T/good.json"
h0=$(stub_hits /slow)
t0=$(now_ms)
req_start p3-gone POST /slow1 "$T/login.json"
if wait_stub_hits /slow $((h0 + 1)); then
	kill -KILL "$REQ_PID"
	wait "$REQ_PID" 2>/dev/null || true
	# jwtsign answers at t0 + 1 s; give it until t0 + 2.5 s.
	while [ $(($(now_ms) - t0)) -lt 2500 ]; do sleep 0.1; done
	if is_our_jwtsign "$JW_PID"; then
		pass "p3: jwtsign survived writing to a client that went away (SIGPIPE)"
	else
		jw_exit_status 10
		fail "p3: jwtsign died after the client went away (exit status $JW_STATUS)" "$JW_LOG"
	fi
else
	fail "p3: the slow request never reached the backend" "$JW_LOG"
fi
if is_our_jwtsign "$JW_PID"; then
	req p3-next POST /token
	expect_fcgi_signed p3-next
	check "p3: the same process answered (pid $JW_PID alive)" is_our_jwtsign "$JW_PID"
fi
check "p3 (default level): no DEBUG lines" test "$(count_level "$JW_LOG" debug)" -eq 0
stop_jw
log_check p3 "$JW_LOG" "$JW_PID"

# 4. broken configuration: 503 for every request, reason logged once.
for kind in broken missing; do
	cfg=$T/$kind.json
	[ "$kind" = missing ] && cfg=$T/no-such-dir/jwtsign.json
	start_jw "p4-$kind" "$cfg"
	for i in 1 2 3; do
		req "p4-$kind-$i" POST /token
		expect_fcgi_error "p4-$kind-$i" 503 not_configured
	done
	req "p4-$kind-other" POST /other
	expect_fcgi_error "p4-$kind-other" 503 not_configured
	check "p4-$kind: process still running after 4 requests (pid $JW_PID)" is_our_jwtsign "$JW_PID"
	n=$(count_level "$JW_LOG" error)
	if [ "$n" -eq 1 ]; then
		pass "p4-$kind: the reason is logged once ($(grep -i ': error: ' "$JW_LOG" | cut -c1-120))"
	else
		fail "p4-$kind: $n ERROR lines for 4 requests, expected 1" "$JW_LOG"
	fi
	stop_jw
	log_check "p4-$kind" "$JW_LOG" "$JW_PID"
done

# 5. roles: the responder and authorizer roles are answered; the filter
# role gets FCGI_END_REQUEST with protocolStatus FCGI_UNKNOWN_ROLE (3) and
# no output, never a responder's 200 that a caller could read as "allow".
# An authorizer request for a path no auth/validator endpoint protects is
# denied (403), never allowed.
start_jw p5 "$T/good.json"
fcgi_role() { # NAME ROLE
	"$PYTHON3" "$LIB_DIR/fcgi_client.py" --socket "$SOCK" --role "$2" --stdin "$T/login.json" \
		--param REQUEST_METHOD=POST --param REQUEST_URI=/token --param SCRIPT_NAME=/token \
		--param CONTENT_LENGTH="$(stat -c %s "$T/login.json")" \
		--param CONTENT_TYPE=application/json --param REMOTE_ADDR=127.0.0.1 \
		--param GATEWAY_INTERFACE=CGI/1.1 --param SERVER_PROTOCOL=HTTP/1.1 \
		>"$T/$1.out" 2>"$T/$1.err" || true
}
fcgi_role p5-responder responder
check "p5: the responder role is answered (client sanity: $(head -1 "$T/p5-responder.out"))" \
	grep -q '^protocolStatus=0 appStatus=0 stdout=[1-9]' "$T/p5-responder.out"
fcgi_role p5-filter filter
check "p5: role filter refused with FCGI_UNKNOWN_ROLE and no output ($(head -1 "$T/p5-filter.out"))" \
	grep -qx 'protocolStatus=3 appStatus=0 stdout=0' "$T/p5-filter.out"
fcgi_role p5-authorizer authorizer
check "p5: role authorizer answered, unprotected path denied 403 ($(head -1 "$T/p5-authorizer.out"))" \
	grep -q '^Status: 403' "$T/p5-authorizer.out"
check "p5: the refusal is logged" grep -q 'FCGI_UNKNOWN_ROLE' "$JW_LOG"
req p5-after POST /token
expect_fcgi_signed p5-after
stop_jw

# 6. no core dumps: RLIMIT_CORE 0 and not dumpable (then /proc/PID files
# belong to root), unless JWTSIGN_CORE_DUMPS=1.
start_jw p6 "$T/good.json"
req p6-ref POST /token # past start-up
expect_fcgi_signed p6-ref
check "p6: core file size limit 0" grep -qE '^Max core file size +0 +0 ' "/proc/$JW_PID/limits"
if [ -n "$RUN_USER" ]; then
	check "p6: not dumpable (/proc/$JW_PID owned by $(stat -c %U "/proc/$JW_PID/environ"))" \
		test "$(stat -c %U "/proc/$JW_PID/environ")" = root
fi
stop_jw
start_jw p6-keep "$T/good.json" JWTSIGN_CORE_DUMPS=1
req p6-keep-ref POST /token
expect_fcgi_signed p6-keep-ref
check "p6-keep: JWTSIGN_CORE_DUMPS=1 keeps the core size limit" \
	test "$(grep '^Max core file size' "/proc/$JW_PID/limits")" = "$(grep '^Max core file size' /proc/self/limits)"
if [ -n "$RUN_USER" ]; then
	check "p6-keep: JWTSIGN_CORE_DUMPS=1: dumpable (/proc/$JW_PID owned by $RUN_USER)" \
		test "$(stat -c %U "/proc/$JW_PID/environ")" = "$RUN_USER"
fi
check "p6-keep: the choice is logged" grep -q 'JWTSIGN_CORE_DUMPS=1' "$JW_LOG"
stop_jw

# 7. three workers on one listening socket (spawn-fcgi -F 3, the nginx
# recipe): SIGTERM to one worker stops that one only; the others keep
# accepting on the shared socket.
rm -f "$SOCK" "$T/p7.pid"
owner=()
[ -n "$RUN_USER" ] && owner=(-u "$RUN_USER" -g "$RUN_GROUP" -U "$RUN_USER" -G "$RUN_GROUP")
env -u JWTSIGN_LOG_LEVEL JWTSIGN_CONFIG="$T/good.json" "$SPAWN_FCGI" -s "$SOCK" -M 0660 -F 3 \
	-P "$T/p7.pid" "${owner[@]}" -- "$JWTSIGN_RUN" </dev/null >"$T/p7.log" 2>&1 || true
mapfile -t workers < <(cat "$T/p7.pid" 2>/dev/null)
for p in "${workers[@]}"; do track_pid "$p"; done
JW_LOG=$T/p7.log
if [ "${#workers[@]}" -ne 3 ]; then
	fail "p7: spawn-fcgi -F 3 did not start 3 workers (${workers[*]})" "$T/p7.log"
else
	for ((i = 0; i < 50; i++)); do
		n=0
		for p in "${workers[@]}"; do is_our_jwtsign "$p" && n=$((n + 1)); done
		[ "$n" -eq 3 ] && break
		sleep 0.1
	done
	sleep 0.3 # every worker reaches accept()
	kill -TERM "${workers[0]}"
	for ((i = 0; i < 50; i++)); do is_our_jwtsign "${workers[0]}" || break; sleep 0.1; done
	check "p7: the worker sent SIGTERM (${workers[0]}) exited" not is_our_jwtsign "${workers[0]}"
	sleep 0.5 # the others would fail their accept() now if the socket were shut down
	for i in 1 2 3 4 5 6; do
		req "p7-$i" POST /token
		expect_fcgi_signed "p7-$i"
	done
	for p in "${workers[@]:1}"; do
		check "p7: worker $p still running after another worker's SIGTERM" is_our_jwtsign "$p"
	done
	check "p7: no worker logged 'accept failed'" not grep -q 'accept failed' "$T/p7.log"
	for p in "${workers[@]}"; do stop_pid "$p"; done
fi

no_secret_in "$T"/*.body "$T"/p*.log
no_token_in "$T"/p*.log

# ------------------------------------------------------------ Apache mod_fcgid
if ! probe_apache fcgid mpm_event || ! command -v setsid >/dev/null; then
	log "Apache httpd with mod_fcgid not installed: worker replacement not tested"
	finish
fi
cp "$T/good.json" "$T/jwtsign.json"
readable "$T/jwtsign.json"
start_apache event "$TOP_SRCDIR/fcgi-conf/apache-mod_fcgid.conf" fcgid
URL=$APACHE_URL
SERVER_LOGS=("$T/apache/error.log")

http a-ref POST /token
expect_signed a-ref
w1=$(jwtsign_workers "$APACHE_PID")
check "apache: mod_fcgid runs jwtsign ($w1)" test -n "$w1"

# 5. SIGKILL every worker: the next request is served by a new one.
for p in $w1; do kill -KILL "$p"; done
for ((i = 0; i < 50; i++)); do
	alive=""
	for p in $w1; do is_our_jwtsign "$p" && alive=1; done
	[ -z "$alive" ] && break
	sleep 0.1
done
http a-after-kill POST /token
expect_signed a-after-kill
w2=$(jwtsign_workers "$APACHE_PID")
common=$(comm -12 <(echo $w1 | tr ' ' '\n' | sort) <(echo $w2 | tr ' ' '\n' | sort) | tr '\n' ' ')
check "apache: killed workers ($w1) replaced by new ones ($w2)" test -n "$w2" -a -z "$common"

# 6. broken configuration read by new workers: 503, reason once per process.
cp "$T/broken.json" "$T/jwtsign.json"
for p in $w2; do kill -KILL "$p"; done
for ((i = 0; i < 50; i++)); do
	alive=""
	for p in $w2; do is_our_jwtsign "$p" && alive=1; done
	[ -z "$alive" ] && break
	sleep 0.1
done
mark=$(wc -l <"$T/apache/error.log")
for i in 1 2 3; do
	http "a-broken-$i" POST /token
	expect_error "a-broken-$i" 503 not_configured
done
w3=$(jwtsign_workers "$APACHE_PID")
tail -n +"$((mark + 1))" "$T/apache/error.log" | jwtsign_log_lines /dev/stdin >"$T/a-broken.log"
pids=$(grep -i -E '^jwtsign\[[0-9]+\]: error: ' "$T/a-broken.log" | sed 's/^jwtsign\[\([0-9]*\)\].*/\1/' | sort -n)
npids=$(echo $pids | wc -w)
nuniq=$(echo $pids | tr ' ' '\n' | sort -u | grep -c . || true)
check "apache-broken: every new worker logged the reason exactly once ($npids ERROR lines, $nuniq processes)" \
	test "$npids" -ge 1 -a "$npids" -eq "$nuniq"
check "apache-broken: no crash loop ($nuniq processes for 3 requests, workers now: $w3)" \
	test "$nuniq" -le 3 -a -n "$w3"
for p in $w3; do
	check "apache-broken: worker $p is one that logged the reason" grep -q "^jwtsign\[$p\]: " "$T/a-broken.log"
done

# 7. httpd stop: mod_fcgid sends SIGTERM; the workers exit (status 0).
stop_pid "$APACHE_PID"
if left=$(wait_gone $w3); then
	pass "apache: jwtsign workers exit when httpd stops"
else
	fail "apache: jwtsign workers still running after httpd stopped: $left"
	for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
fi
check_fcgid_exits "$T/apache/error.log"
check_log_format "$T/apache/error.log"
no_secret_in "$T/apache/error.log"
no_token_in "$T/apache/error.log"

finish
