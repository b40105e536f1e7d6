# apache_lib.sh - helpers shared by the tests that run jwtsign under a
# real web server started by the test (Apache httpd, nginx, spawn-fcgi).
# Source it after lib.sh:
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/apache_lib.sh"
#
# Environment (besides lib.sh's):
#   APACHE2      the httpd binary (default: apache2 or httpd in PATH,
#                /usr/sbin, /usr/local/apache2/bin)
#   APACHE_MODULES  directory of the .so modules (default: the first of
#                /usr/lib/apache2/modules, /usr/lib64/httpd/modules,
#                /usr/lib/httpd/modules, /usr/local/apache2/modules)
#   NGINX, SPAWN_FCGI, CGI_FCGI  the other servers/tools (default: PATH,
#                /usr/sbin)
#
# Running as root (CI containers): the servers are told to run their
# workers as an unprivileged user (RUN_USER/RUN_GROUP, nobody/nogroup),
# so the state directory is made world-readable and jwtsign is copied
# into it ($T/bin/jwtsign) where that user can execute it.

# find_bin VAR NAME...: set VAR to the first NAME found in PATH or the
# usual sbin directories, keeping a preset executable VAR; else skip.
find_bin() {
	local var=$1 name d cur
	shift
	cur=${!var:-}
	if [ -n "$cur" ] && [ -x "$cur" ]; then
		return 0
	fi
	for name in "$@"; do
		cur=$(command -v "$name" 2>/dev/null || true)
		for d in /usr/sbin /sbin /usr/local/sbin /usr/local/apache2/bin; do
			[ -n "$cur" ] && break
			[ -x "$d/$name" ] && cur=$d/$name
		done
		if [ -n "$cur" ]; then
			printf -v "$var" '%s' "$cur"
			return 0
		fi
	done
	skip "$* not found"
}

# probe_apache [MODULE...]: set APACHE2 and APACHE_MODULES and return 0
# when httpd and every mod_MODULE.so are installed, else return 1.
probe_apache() {
	local d m
	if [ -z "${APACHE2:-}" ] || [ ! -x "$APACHE2" ]; then
		APACHE2=$(command -v apache2 2>/dev/null || command -v httpd 2>/dev/null || true)
		for d in /usr/sbin /sbin /usr/local/apache2/bin; do
			[ -n "$APACHE2" ] && break
			[ -x "$d/apache2" ] && APACHE2=$d/apache2
			[ -z "$APACHE2" ] && [ -x "$d/httpd" ] && APACHE2=$d/httpd
		done
	fi
	[ -n "$APACHE2" ] || return 1
	if [ -z "${APACHE_MODULES:-}" ]; then
		for d in /usr/lib/apache2/modules /usr/lib64/httpd/modules /usr/lib/httpd/modules \
			/usr/local/apache2/modules; do
			if [ -e "$d/mod_alias.so" ]; then
				APACHE_MODULES=$d
				break
			fi
		done
	fi
	[ -n "${APACHE_MODULES:-}" ] || return 1
	for m in "$@"; do
		[ -e "$APACHE_MODULES/mod_$m.so" ] || return 1
	done
	return 0
}

# find_apache: set APACHE2 and APACHE_MODULES or skip.
find_apache() {
	probe_apache || skip "Apache httpd (apache2/httpd and its modules directory) not found"
	require_tool setsid
}

# require_apache_module NAME: skip when mod_NAME.so is absent.
require_apache_module() {
	[ -e "$APACHE_MODULES/mod_$1.so" ] || skip "Apache module mod_$1 not installed"
}

# prepare_runtime: make the state directory usable by an unprivileged
# server user and copy jwtsign into it.  Sets RUN_USER/RUN_GROUP (empty
# unless root), JWTSIGN_RUN (the copy), and copies the demo key to
# $T/symmetric.json.
prepare_runtime() {
	RUN_USER=""
	RUN_GROUP=""
	if [ "$(id -u)" -eq 0 ]; then
		RUN_USER=nobody
		RUN_GROUP=$(id -gn nobody 2>/dev/null || echo nogroup)
		id -u "$RUN_USER" >/dev/null 2>&1 || hard_error "running as root, but user nobody does not exist"
	fi
	chmod 755 "$T"
	mkdir -p "$T/bin"
	cp "$JWTSIGN" "$T/bin/jwtsign"
	chmod 755 "$T/bin" "$T/bin/jwtsign"
	JWTSIGN_RUN=$(cd "$T/bin" && pwd -P)/jwtsign # as /proc/PID/exe shows it
	cp "$DEMO_JWKS" "$T/symmetric.json"
	chmod 644 "$T/symmetric.json"
}

# readable FILE...: make files written by the test readable by RUN_USER.
readable() { chmod 644 "$@"; }

# is_our_jwtsign PID: the process runs $JWTSIGN_RUN.
# jwtsign makes itself non-dumpable, so that /proc/PID/exe is readable
# only with CAP_SYS_PTRACE: when it cannot be read, argv[0] is compared.
is_our_jwtsign() {
	local exe
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) ||
		exe=$({ tr '\0' '\n' <"/proc/$1/cmdline"; } 2>/dev/null | head -n 1)
	[ "$exe" = "$JWTSIGN_RUN" ]
}

# descendants PID: print every descendant of PID (bounded depth 6).
descendants() {
	local level=$1 next p depth
	for ((depth = 0; depth < 6 && ${#level} > 0; depth++)); do
		next=""
		for p in $level; do
			next="$next $(ps -o pid= --ppid "$p" 2>/dev/null | tr -d ' ' | tr '\n' ' ')"
		done
		level=$(echo $next)
		[ -n "$level" ] && printf '%s\n' $level
	done
	return 0
}

# jwtsign_workers PID: the jwtsign processes below server PID, sorted, one
# line, space-separated.
jwtsign_workers() {
	local p out=""
	for p in $(descendants "$1"); do
		is_our_jwtsign "$p" && out="$out $p"
	done
	echo $out | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

# wait_gone PID... : wait up to 5 s until none of the PIDs exists; print
# the ones left.
wait_gone() {
	local i p left
	for ((i = 0; i < 50; i++)); do
		left=""
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && left="$left $p"
		done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	echo $left
	return 1
}

# ---------------------------------------------------------------- Apache

# start_apache KIND INCLUDE [LOADMODULE_NAMES...]: write $T/apache/httpd.conf,
# a minimal top-level configuration (own ServerRoot, PidFile, ErrorLog,
# runtime directory, mod_fcgid IPC directory, all in $T/apache) that
# Defines JWTSIGN_BIN and JWTSIGN_CONFIG ($T/jwtsign.json) and Includes
# the shipped fcgi-conf file INCLUDE verbatim; start httpd in the
# foreground on a free port of 127.0.0.1.  KIND is the MPM: event or
# prefork.  The modules named (e.g. fcgid, cgid, env) are loaded besides
# the MPM, authz_core and alias.
# Sets APACHE_PID, APACHE_PORT, APACHE_URL.  Logs: $T/apache/error.log
# (also jwtsign's stderr), $T/apache/stderr.log (startup messages).
start_apache() {
	local mpm=$1 include=$2 attempt i m
	shift 2
	local A=$T/apache
	mkdir -p "$A/run" "$A/htdocs" "$A/fcgid"
	if [ -n "$RUN_USER" ]; then
		chown "$RUN_USER:$RUN_GROUP" "$A/fcgid"
	fi
	for ((attempt = 0; attempt < 3; attempt++)); do
		APACHE_PORT=$(free_port)
		APACHE_URL=http://127.0.0.1:$APACHE_PORT
		{
			echo "# generated by tests/integration/$TEST_NAME.sh"
			echo "ServerRoot \"$A\""
			echo "DefaultRuntimeDir \"$A/run\""
			echo "PidFile \"$A/run/httpd.pid\""
			echo "ErrorLog \"$A/error.log\""
			echo "LogLevel info"
			echo "Listen 127.0.0.1:$APACHE_PORT"
			echo "ServerName 127.0.0.1"
			echo "LoadModule mpm_${mpm}_module \"$APACHE_MODULES/mod_mpm_$mpm.so\""
			for m in authz_core alias "$@"; do
				echo "LoadModule ${m}_module \"$APACHE_MODULES/mod_$m.so\""
			done
			if [ -n "$RUN_USER" ]; then
				echo "User $RUN_USER"
				echo "Group $RUN_GROUP"
			fi
			if [ "$mpm" = prefork ]; then
				printf 'StartServers 2\nMinSpareServers 2\nMaxSpareServers 4\nMaxRequestWorkers 16\n'
			else
				printf 'StartServers 1\nServerLimit 2\nThreadsPerChild 16\nMaxRequestWorkers 32\n'
				printf 'MinSpareThreads 4\nMaxSpareThreads 32\n'
			fi
			echo "DocumentRoot \"$A/htdocs\""
			echo "<Directory />"
			echo "	AllowOverride None"
			echo "	Require all denied"
			echo "</Directory>"
			echo "<Directory \"$A/htdocs\">"
			echo "	Require all granted"
			echo "</Directory>"
			echo "<IfModule mod_fcgid.c>"
			echo "	FcgidIPCDir \"$A/fcgid\""
			echo "	FcgidProcessTableFile \"$A/fcgid/shm\""
			echo "</IfModule>"
			echo "<IfModule mod_cgid.c>"
			echo "	ScriptSock \"$A/run/cgisock\""
			echo "</IfModule>"
			echo "Define JWTSIGN_BIN \"$JWTSIGN_RUN\""
			echo "Define JWTSIGN_CONFIG \"$T/jwtsign.json\""
			echo "Include \"$include\""
		} >"$A/httpd.conf"
		if ! "$APACHE2" -t -f "$A/httpd.conf" >>"$A/stderr.log" 2>&1; then
			hard_error "httpd rejects the configuration: $(tail -20 "$A/stderr.log")"
		fi
		# In a session of its own: on shutdown the prefork MPM signals its
		# whole process group (killpg), which would be this test's.
		setsid "$APACHE2" -f "$A/httpd.conf" -DFOREGROUND </dev/null >>"$A/stderr.log" 2>&1 &
		APACHE_PID=$!
		track_pid "$APACHE_PID"
		for ((i = 0; i < 100; i++)); do
			kill -0 "$APACHE_PID" 2>/dev/null || break
			# setsid execs httpd in place (same PID) unless it had to fork.
			[ "$(readlink "/proc/$APACHE_PID/exe")" = "$(readlink -f "$APACHE2")" ] ||
				{ sleep 0.1; continue; }
			if curl -s -o /dev/null --max-time 2 "$APACHE_URL/"; then
				log "httpd ($mpm MPM) on $APACHE_URL, pid $APACHE_PID, running $(basename "$include")"
				return 0
			fi
			sleep 0.1
		done
		stop_pid "$APACHE_PID"
		log "httpd did not come up on port $APACHE_PORT (attempt $((attempt + 1)))"
	done
	hard_error "httpd failed to start: $(tail -20 "$A/stderr.log" "$A/error.log" 2>/dev/null)"
}

# ---------------------------------------------------------------- requests

# http NAME METHOD PATH [curl args...]: one request to $URL, with the body
# $T/login.json and Content-Type application/json unless the args give
# another --data-binary or Content-Type (GET: neither).  Leaves
# $T/NAME.{code,headers,body,curl-err}.
http() {
	local name=$1 method=$2 path=$3 data=(--data-binary @"$T/login.json")
	local ct=(-H 'Content-Type: application/json')
	shift 3
	case " $* " in *" --data-binary "*) data=() ;; esac
	case " ${*,,} " in *"content-type:"*) ct=() ;; esac
	[ "$method" = GET ] && data=() ct=()
	: >"$T/$name.body"
	: >"$T/$name.headers"
	curl -sS --max-time 30 -X "$method" -o "$T/$name.body" -D "$T/$name.headers" \
		-w '%{http_code}' "${ct[@]}" -H 'Expect:' "${data[@]}" "$@" \
		"$URL$path" >"$T/$name.code" 2>"$T/$name.curl-err" || true
}

# SERVER_LOGS: files shown when a request check fails.
SERVER_LOGS=()

expect_code() {
	if [ "$(cat "$T/$1.code")" = "$2" ]; then
		pass "$1: status $2"
	else
		fail "$1: status $(cat "$T/$1.code"), expected $2" "$T/$1.headers" "$T/$1.body" \
			"$T/$1.curl-err" "${SERVER_LOGS[@]}"
	fi
}

expect_error() {
	expect_code "$1" "$2"
	check "$1: body {\"error\":\"$3\"}" jwtcheck error "$T/$1.body" "$3"
}

expect_signed() {
	expect_code "$1" 200
	check "$1: tokens verified (independent HMAC), exp untouched, keys sorted" \
		jwtcheck signed "$T/$1.body" "$T/symmetric.json" --expect "$T/reference.json"
}

# make_bodies: $T/login.json, $T/reference.json, $T/big.bin (200 KiB of
# random bytes), $T/over.bin (1 MiB + 1), $T/huge.bin (2 MiB + 1).
make_bodies() {
	printf '{"user":"john","pass":"doe"}' >"$T/login.json"
	printf '%s' "$REFERENCE_ANSWER" >"$T/reference.json"
	"$PYTHON3" -c 'import random, sys
r = random.Random(5)
sys.stdout.buffer.write(bytes(r.getrandbits(8) for _ in range(200 * 1024)))' >"$T/big.bin"
	head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$T/over.bin"
	head -c $((2 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'b' >"$T/huge.bin"
}

# token_sigs BODY...: print the signature part of every token in BODYs.
token_sigs() {
	"$PYTHON3" -c 'import json, sys
for p in sys.argv[1:]:
    try:
        doc = json.load(open(p))
    except ValueError:
        continue
    for v in doc.values() if isinstance(doc, dict) else []:
        if isinstance(v, str) and v.count(".") == 2:
            print(v.rsplit(".", 1)[1])' "$@"
}

# no_token_in LOG... : fail when a token (its signature part) of the
# answers in $T/*.body appears in a log.
no_token_in() {
	local s leaked=""
	for s in $(token_sigs "$T"/*.body | sort -u); do
		if grep -q -F -e "$s" "$@" 2>/dev/null; then
			leaked="$leaked ${s:0:12}..."
		fi
	done
	if [ -z "$leaked" ]; then
		pass "no token (signature) of any answer appears in the logs"
	else
		fail "tokens leaked into the logs:$leaked"
	fi
}

# jwtsign_log_lines FILE: print jwtsign's lines of a server log (from the
# "jwtsign[" marker on, whatever the server prefixes).
jwtsign_log_lines() { grep -o 'jwtsign\[[0-9]*\]: .*' "$1" || true; }

# check_log_format FILE: every jwtsign line has the documented form.
check_log_format() {
	local bad n
	n=$(jwtsign_log_lines "$1" | wc -l)
	bad=$(jwtsign_log_lines "$1" |
		grep -v -E '^jwtsign\[[0-9]+\]: (DEBUG|INFO|WARN|ERROR|debug|info|warn|error): [^:]+: ' |
		head -5 || true)
	if [ "$n" -eq 0 ]; then
		fail "no jwtsign log line reached $(basename "$1")" "$1"
	elif [ -z "$bad" ]; then
		pass "$n jwtsign log lines in $(basename "$1"), all 'jwtsign[PID]: LEVEL: CONTEXT: message'"
	else
		fail "jwtsign log lines not in the documented format: $bad"
	fi
}

# check_fcgid_exits LOG: mod_fcgid logs how each process it stopped with
# SIGTERM ended (LogLevel info); every one must have called exit(0), none
# may have died by the signal.  One exception: when Apache itself shuts
# down, mod_fcgid escalates to SIGKILL after a few milliseconds, which a
# loaded machine cannot always meet ("shutting down ... get stop signal
# 9"); that is mod_fcgid's timing, not jwtsign's (lifecycle.sh checks
# exit 0 on SIGTERM directly).
check_fcgid_exits() {
	local stops bad
	stops=$(grep -E 'mod_fcgid: process .*exit\((shutting down|idle timeout|lifetime expired)\)' "$1" || true)
	bad=$(printf '%s\n' "$stops" | grep -v 'terminated by calling exit(), return code: 0' |
		grep -v 'exit(shutting down), get stop signal 9' | grep . || true)
	if [ -z "$stops" ]; then
		fail "mod_fcgid logged no stopped process" "$1"
	elif [ -z "$bad" ]; then
		pass "mod_fcgid: every jwtsign process stopped with SIGTERM exited 0 ($(printf '%s\n' "$stops" | wc -l))"
	else
		fail "mod_fcgid: jwtsign processes did not exit 0 on SIGTERM: $(printf '%s\n' "$bad" | sed 's/.*mod_fcgid: //' | head -3)"
	fi
}
