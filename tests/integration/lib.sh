# lib.sh - helpers for the jwtsign integration tests.  Source it from bash:
#   . "$(dirname "$0")/lib.sh"
#
# Environment (set by `make check` through AM_TESTS_ENVIRONMENT; when a
# test is run by hand they default to the source tree):
#   JWTSIGN       the program under test (default $TOP_BUILDDIR/src/jwtsign)
#   TOP_SRCDIR    the source tree
#   LIGHTTPD      lighttpd binary (default: found in PATH, /usr/sbin, /sbin)
#   PYTHON3       python3 for the stub backend and checks (stdlib only;
#                 default: what tests/integration/python3 --which picks)
#   KEEP_TMP=1    keep the state directory (it is printed) for debugging;
#                 it is also kept when a check fails
# To run the CGI and CLI tests under valgrind, point JWTSIGN at a script:
#   exec valgrind -q --error-exitcode=99 --leak-check=full \
#        --errors-for-leak-kinds=definite /path/to/src/jwtsign "$@"
# (cgi.sh fails on a non-zero exit status or a stderr line that is not a
# jwtsign log line.)
#
# Conventions: servers listen on 127.0.0.1 only; every wait loop is
# bounded; all state lives in one mktemp -d directory ($T) removed on
# exit; only the PIDs started here are killed.  Exit codes follow the
# automake test driver: 0 pass, 1 fail, 77 skip (a tool is absent),
# 99 hard error (the test itself could not run).

set -u

LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_SRCDIR=${TOP_SRCDIR:-$(cd "$LIB_DIR/../.." && pwd)}
TOP_BUILDDIR=${TOP_BUILDDIR:-$TOP_SRCDIR}
JWTSIGN=${JWTSIGN:-$TOP_BUILDDIR/src/jwtsign}
PYTHON3=${PYTHON3:-$(sh "$LIB_DIR/python3" --which)}
TEST_NAME=$(basename "$0" .sh)

DEMO_JWKS=$TOP_SRCDIR/fcgi-conf/demo/symmetric.json
# The demo key's "k": must never appear in an answer or a log.
DEMO_K=AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow
# The reference answer of the stub login backend, byte for byte.
# shellcheck disable=SC2034 # used by the tests that source this file
REFERENCE_ANSWER='{"access_token":{"aud":"https://your.krakend.io","iss":"https://your-backend","sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomnbvcx98ertyuiop","roles":["role_a","role_b"],"exp":1735689600},"refresh_token":{"aud":"https://your.krakend.io","iss":"https://your-backend","sub":"1234567890qwertyuio","jti":"mnb23vcsrt756yuiomn12876bvcx98ertyuiop","exp":1735689600},"exp":1735689600}'

_failures=0
_checks=0
_pids=()

log() { printf '%s: %s\n' "$TEST_NAME" "$*"; }

# skip REASON: a required tool is absent (exit 77).
skip() {
	log "SKIP: $*"
	exit 77
}

# hard_error REASON: the test cannot run at all (exit 99).
hard_error() {
	log "ERROR: $*"
	exit 99
}

pass() {
	_checks=$((_checks + 1))
	printf 'ok %d - %s\n' "$_checks" "$*"
}

# fail MSG [FILE...]: record a failure and show the files that explain it.
fail() {
	local f
	_checks=$((_checks + 1))
	_failures=$((_failures + 1))
	printf 'not ok %d - %s\n' "$_checks" "$1"
	shift
	for f in "$@"; do
		[ -e "$f" ] || continue
		printf -- '--- %s:\n' "${f#"$T"/}"
		head -c 4000 "$f" | cat -v
		printf '\n--- end\n'
	done
}

# check DESC CMD...: pass when CMD succeeds; CMD's stderr is shown on failure.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc"
		[ -n "$out" ] && printf '%s\n' "$out"
	fi
	return 0
}

# not CMD...: succeed when CMD fails (for check).
not() { ! "$@"; }

# finish: exit 0 when every check passed, 1 otherwise.
finish() {
	if [ "$_failures" -ne 0 ]; then
		log "$_failures of $_checks checks FAILED (state in $T)"
		KEEP_TMP=${KEEP_TMP:-1}
		exit 1
	fi
	log "all $_checks checks passed"
	exit 0
}

# ---------------------------------------------------------------- setup

require_tool() {
	command -v "$1" >/dev/null 2>&1 || skip "$1 not found"
}

require_jwtsign() {
	[ -x "$JWTSIGN" ] || hard_error "program under test not found: $JWTSIGN (build it first)"
}

require_python() {
	command -v "$PYTHON3" >/dev/null 2>&1 || skip "python3 not found"
}

# find_lighttpd: set LIGHTTPD or skip.
find_lighttpd() {
	local d
	if [ -n "${LIGHTTPD:-}" ] && [ -x "$LIGHTTPD" ]; then
		return 0
	fi
	LIGHTTPD=$(command -v lighttpd 2>/dev/null || true)
	for d in /usr/sbin /sbin /usr/local/sbin; do
		[ -n "$LIGHTTPD" ] && break
		[ -x "$d/lighttpd" ] && LIGHTTPD=$d/lighttpd
	done
	[ -n "$LIGHTTPD" ] || skip "lighttpd not found"
}

# py ARGS...: run the independent checker.
jwtcheck() { "$PYTHON3" "$LIB_DIR/jwtcheck.py" "$@"; }

_cleanup() {
	local rc=$? pid i
	trap - EXIT INT TERM
	for pid in "${_pids[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${_pids[@]}"; do
		for ((i = 0; i < 50; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "${T:-}" ] && [ -d "$T" ]; then
		if [ "${KEEP_TMP:-0}" = 1 ]; then
			log "state kept in $T"
		else
			rm -rf "$T"
		fi
	fi
	exit "$rc"
}

T=$(mktemp -d "${TMPDIR:-/tmp}/jwtsign-$TEST_NAME.XXXXXX") || hard_error "mktemp failed"
trap _cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# track_pid PID: kill PID on exit.
track_pid() { _pids+=("$1"); }

# stop_pid PID: TERM, wait up to 5 s, then KILL.
stop_pid() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# wait_for_file FILE [TENTHS]: wait until FILE exists (default 10 s).
wait_for_file() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# free_port: print a TCP port free on 127.0.0.1 right now.
free_port() {
	"$PYTHON3" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_http URL [TENTHS]: wait until URL answers with any HTTP status.
wait_http() {
	local i
	for ((i = 0; i < ${2:-100}; i++)); do
		if curl -s -o /dev/null --max-time 2 "$1"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# now_ms: milliseconds since the epoch.
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- servers

# start_stub: start stub_backend.py on a free port; sets STUB_PID,
# STUB_PORT, STUB_URL (http://127.0.0.1:PORT).  Log: $T/stub.log.
start_stub() {
	rm -f "$T/stub.port"
	"$PYTHON3" "$LIB_DIR/stub_backend.py" --port 0 --port-file "$T/stub.port" \
		--log "$T/stub.log" --jwks "$DEMO_JWKS" </dev/null >>"$T/stub.log" 2>&1 &
	STUB_PID=$!
	track_pid "$STUB_PID"
	wait_for_file "$T/stub.port" || hard_error "stub backend did not start: $(cat "$T/stub.log")"
	STUB_PORT=$(cat "$T/stub.port")
	STUB_URL=http://127.0.0.1:$STUB_PORT
	wait_http "$STUB_URL/hits" || hard_error "stub backend does not answer on $STUB_URL"
}

# stub_hits PATH: print how often the stub served PATH.
stub_hits() { jwtcheck hits "$STUB_URL" "$1"; }

# start_lighttpd CONF_TEMPLATE: write CONF_TEMPLATE (text with @PORT@ for
# the port) to $T/lighttpd.conf with a free port, start lighttpd -D and
# wait until it answers.  Retries with another port if the port was taken
# meanwhile.  Sets LIGHTTPD_PID, LIGHTTPD_PORT, LIGHTTPD_URL.
# Log: $T/lighttpd.log (stdout/stderr) and whatever the config names.
start_lighttpd() {
	local template=$1 attempt i
	for ((attempt = 0; attempt < 3; attempt++)); do
		LIGHTTPD_PORT=$(free_port)
		LIGHTTPD_URL=http://127.0.0.1:$LIGHTTPD_PORT
		sed "s/@PORT@/$LIGHTTPD_PORT/g" "$template" >"$T/lighttpd.conf"
		if ! "$LIGHTTPD" -tt -f "$T/lighttpd.conf" >>"$T/lighttpd.log" 2>&1; then
			hard_error "lighttpd rejects the configuration: $(cat "$T/lighttpd.log")"
		fi
		"$LIGHTTPD" -D -f "$T/lighttpd.conf" </dev/null >>"$T/lighttpd.log" 2>&1 &
		LIGHTTPD_PID=$!
		track_pid "$LIGHTTPD_PID"
		for ((i = 0; i < 100; i++)); do
			kill -0 "$LIGHTTPD_PID" 2>/dev/null || break
			if curl -s -o /dev/null --max-time 2 "$LIGHTTPD_URL/"; then
				return 0
			fi
			sleep 0.1
		done
		stop_pid "$LIGHTTPD_PID"
		log "lighttpd did not come up on port $LIGHTTPD_PORT (attempt $((attempt + 1)))"
	done
	hard_error "lighttpd failed to start: $(tail -20 "$T/lighttpd.log")"
}

# child_pids PID: print the PIDs of PID's direct children.
child_pids() { ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' ' || true; }

# ---------------------------------------------------------------- CGI runs

# cgi_run NAME METHOD URI BODY_FILE [VAR=VALUE | -VAR]...
# Run jwtsign once as a CGI program, in an empty environment but for PATH
# and the CGI variables: GATEWAY_INTERFACE, SERVER_PROTOCOL,
# REQUEST_METHOD, REQUEST_URI, SCRIPT_NAME and QUERY_STRING (from URI),
# REMOTE_ADDR=192.0.2.1, CONTENT_LENGTH (of BODY_FILE),
# CONTENT_TYPE=application/json, JWTSIGN_CONFIG=$T/main.json and
# JWTSIGN_LOG_LEVEL=debug; then the words of the array CGI_ENV (a test's
# own defaults), then the arguments: VAR=VALUE sets or overrides a
# variable, -VAR removes it.  Stdin is BODY_FILE, or STDIN_FROM when set
# (e.g. a FIFO that never ends).  NAME may name a directory below $T
# (runs/x).  Leaves $T/NAME.{out,err,rc,ms} and, split by jwtcheck,
# $T/NAME.{status,headers,body} (status 0 when there is no CGI answer).
# Knobs, also for one call (CGI_TIMEOUT=60 cgi_run ...):
#   CGI_TIMEOUT  seconds before jwtsign is killed (default 20)
#   CGI_CHECK    what fails a check: crash (default: killed by a signal,
#                timed out, or the output is not a CGI response), exit
#                (also any non-zero exit status), none (nothing)
#   CGI_SPLIT    no: do not split the output (status stays 0)
#   CGI_WRAP     array: a command put before jwtsign (e.g. a meter)
cgi_run() {
	local name=$1 method=$2 uri=$3 body=$4 a rc=0 t0
	local check=${CGI_CHECK:-crash}
	shift 4
	declare -A vars=(
		[GATEWAY_INTERFACE]=CGI/1.1
		[SERVER_PROTOCOL]=HTTP/1.1
		[REQUEST_METHOD]=$method
		[REQUEST_URI]=$uri
		[SCRIPT_NAME]=${uri%%\?*}
		[QUERY_STRING]=$([[ $uri == *\?* ]] && echo "${uri#*\?}")
		[REMOTE_ADDR]=192.0.2.1
		[CONTENT_LENGTH]=$(stat -c %s "$body")
		[CONTENT_TYPE]=application/json
		[JWTSIGN_CONFIG]=$T/main.json
		[JWTSIGN_LOG_LEVEL]=debug
	)
	for a in ${CGI_ENV[@]+"${CGI_ENV[@]}"} "$@"; do
		case $a in
		-*) unset "vars[${a#-}]" ;;
		*=*) vars[${a%%=*}]=${a#*=} ;;
		esac
	done
	local envv=(PATH="$PATH")
	for a in "${!vars[@]}"; do
		envv+=("$a=${vars[$a]}")
	done
	t0=$(now_ms)
	env -i "${envv[@]}" timeout "${CGI_TIMEOUT:-20}" ${CGI_WRAP[@]+"${CGI_WRAP[@]}"} \
		"$JWTSIGN" <"${STDIN_FROM:-$body}" >"$T/$name.out" 2>"$T/$name.err" || rc=$?
	echo $(($(now_ms) - t0)) >"$T/$name.ms"
	echo "$rc" >"$T/$name.rc"
	[ "${CGI_SPLIT:-yes}" = no ] && return 0
	: >"$T/$name.body"
	: >"$T/$name.headers"
	echo 0 >"$T/$name.status"
	if [ "$check" = exit ] && [ "$rc" -ne 0 ]; then
		fail "$name: jwtsign exited $rc (crash, hang or error)" "$T/$name.err"
		return 0
	fi
	if [ "$check" = crash ] && { [ "$rc" -eq 124 ] || [ "$rc" -ge 128 ]; }; then
		fail "$name: jwtsign crashed or hung (exit $rc)" "$T/$name.err"
		return 0
	fi
	if ! jwtcheck split-cgi "$T/$name.out" "$T/$name" 2>"$T/$name.split-err"; then
		echo 0 >"$T/$name.status"
		[ "$check" = none ] ||
			fail "$name: output is not a CGI response" "$T/$name.split-err" "$T/$name.out" "$T/$name.err"
	fi
	return 0
}

# status_of NAME: the HTTP status of the answer NAME ($T/NAME.status, as
# cgi_run or a test's own client leaves it), "none" when there is none.
status_of() { cat "$T/$1.status" 2>/dev/null || echo none; }

# expect_status NAME CODE [FILE...]: the answer NAME had status CODE; on
# failure $T/NAME.out, $T/NAME.err and the FILEs are shown.
expect_status() {
	local got
	got=$(status_of "$1")
	if [ "$got" = "$2" ]; then
		pass "$1: status $2"
	else
		fail "$1: status $got, expected $2" "$T/$1.out" "$T/$1.err" "${@:3}"
	fi
}

# ---------------------------------------------------------------- config

# ep PATH URL_PATTERN [EXTRA]: print one endpoint of a jwtsign config, POST,
# HS256 with kid sim2 signing access_token and refresh_token.
# EP_HOST (default $STUB_URL) and EP_KEYS (default: jwk_local_path to
# $T/symmetric.json) override the backend host and the key source; EXTRA
# is appended inside the endpoint object (e.g. ',"timeout":"1s"').
ep() {
	local keys=${EP_KEYS:-\"jwk_local_path\":\"$T/symmetric.json\"}
	printf '{"endpoint":"%s","method":"POST","backend":[{"host":["%s"],"url_pattern":"%s"}]%s,' \
		"$1" "${EP_HOST:-$STUB_URL}" "$2" "${3:-}"
	printf '"extra_config":{"auth/signer":{"alg":"HS256","kid":"sim2",'
	printf '"keys_to_sign":["access_token","refresh_token"],%s}}}' "$keys"
}

# write_config FILE TOP_EXTRA ENDPOINT_JSON...: a KrakenD v3 document.
write_config() {
	local file=$1 extra=$2 sep="" e
	shift 2
	{
		printf '{"version":3,"timeout":"3s"%s,"endpoints":[' "$extra"
		for e in "$@"; do
			printf '%s%s' "$sep" "$e"
			sep=,
		done
		printf ']}\n'
	} >"$file"
	"$PYTHON3" -m json.tool "$file" >/dev/null || hard_error "generated config is not JSON: $file"
}

# no_secret_in FILE...: fail when the demo key's k value occurs in a file.
no_secret_in() {
	local hits
	hits=$(grep -l -F -e "$DEMO_K" "$@" 2>/dev/null || true)
	if [ -n "$hits" ]; then
		fail "key material (k) leaked into: $(echo $hits)"
	else
		pass "no key material in $# answers/logs"
	fi
}
